"""Numba kernels for metaheuristic solvers and the problem families they solve.

Imports neither MLflow nor Optuna: drivers report step records through a callback.
"""
