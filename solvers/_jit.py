"""Code generation settings for every solver kernel, applied once when `solvers` is imported.

The hot loops (makespan, Taillard heads and tails, best-move scans) are chains of
`max(a, b) + x` on random data. LLVM's x86 "cmov converter" turns such selects on a
loop-carried chain into branches, betting they are predictable; on random processing times
they are not, and the mispredictions cost 2-4x against the same loop built by gcc (see
`benchmarks/kernels_vs_c.py`). Turning the conversion off keeps the branch-free `cmov`.
The option only changes instruction selection, never results; it applies to code compiled
after this import (numba's on-disk cache is keyed on our source files, which import this first).
"""

from __future__ import annotations

import llvmlite.binding as llvm

CODEGEN_OPTIONS = ("-x86-cmov-converter=false",)

for _option in CODEGEN_OPTIONS:
    llvm.set_option("tunetrack-solvers", _option)
