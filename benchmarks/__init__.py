"""Benchmark scripts; a package so that spawned study workers can import `benchmarks._objectives`."""
