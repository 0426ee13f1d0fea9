"""Permutation flow shop (makespan): Taillard's generator and instances, file IO, kernels, searches.

>>> from solvers.flowshop import taillard_instance
>>> taillard_instance("ta001").descriptor["jobs"]
20
"""

from solvers.flowshop._family import FlowShopData, FlowShopFamily, lower_bound, make_instance, random_instance
from solvers.flowshop._family import taillard_instance
from solvers.flowshop._io import FlowShopFile, format_taillard, parse_taillard
from solvers.flowshop._taillard import TaillardEntry, generate, reference_table, unif

FAMILY = FlowShopFamily()

__all__ = [
    "FAMILY",
    "FlowShopData",
    "FlowShopFamily",
    "FlowShopFile",
    "TaillardEntry",
    "format_taillard",
    "generate",
    "lower_bound",
    "make_instance",
    "parse_taillard",
    "random_instance",
    "reference_table",
    "taillard_instance",
    "unif",
]
