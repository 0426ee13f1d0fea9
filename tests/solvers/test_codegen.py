"""The kernels' code generation settings (`solvers._jit`) reach the machine code numba emits."""

from __future__ import annotations

import llvmlite.binding as llvm
import numpy as np
import pytest
from numba import njit
from numba.core import config

from solvers._jit import NO_GATHER_FEATURE
from solvers.coloring import _moves as mv



@njit(nogil=True)
def summed_deltas(table, colors, vs, cs):
    """The batch of move evaluations a search scans (and `benchmarks/kernels_vs_c.py` times)."""
    total = 0
    for t in range(vs.shape[0]):
        total += mv.move_delta(table, colors, vs[t], cs[t])
    return total


X86_WITH_THE_FEATURE = llvm.get_process_triple().startswith("x86_64") and llvm.llvm_version_info >= (17,)


@pytest.mark.skipif(not X86_WITH_THE_FEATURE, reason="the gather preference is an x86 feature of LLVM 17 and later")
def test_the_colouring_delta_loop_loads_scalars_not_gathers() -> None:
    """LLVM would vectorise the batch of table lookups into gathers (slower than gcc's scalar loop on
    CPUs with the Gather Data Sampling fix); the solvers' codegen asks it not to."""
    assert config.CPU_FEATURES is not None and config.CPU_FEATURES.endswith(NO_GATHER_FEATURE)
    table = np.arange(12, dtype=np.int32).reshape(4, 3)
    colors = np.array([0, 1, 2, 0], dtype=np.int32)
    vs, cs = np.array([0, 3, 2], dtype=np.int32), np.array([2, 1, 0], dtype=np.int32)
    assert summed_deltas(table, colors, vs, cs) == 2 + 1 - 2
    machine_code = summed_deltas.inspect_asm(summed_deltas.signatures[0])
    assert "gather" not in machine_code
