"""Code generation for every solver kernel: three LLVM options, no gathers, `Lane` max-plus helpers, `data_pointer`.

The hot loops (makespan, Taillard heads and tails, best-move scans) are chains of
`max(a, b) + x` on random data. LLVM's x86 "cmov converter" turns such selects on a
loop-carried chain into branches, betting they are predictable; on random processing times
they are not, and the mispredictions cost 2-4x against the same loop built by gcc (see
`benchmarks/kernels_vs_c.py`). Turning the conversion off keeps the branch-free `cmov`.
`-unroll-runtime=false` stops LLVM from unrolling loops whose trip count is only known at
run time (the machine loop, m = 5..20): gcc -O3 does not, and at m = 5 the unrolled body is
never entered while its set-up and remainder loop run on every job (insertion 20x5 went
from 0.62 to 0.77 of C). `-x86-experimental-pref-innermost-loop-alignment=6` starts every
innermost loop on a 64-byte boundary instead of 16, so a loop shorter than 64 bytes (a
machine loop is 30-50) never straddles a 64-byte line. With 16, where a loop landed depended
on the code before it, and the same instructions ran up to ~20 % slower or faster after an
unrelated edit (insertion 100x20 measured 0.78 and 0.86 of C for two layouts of one loop,
0.94-0.99 aligned to 64); 32 was not enough (it fixed the insertion kernel but slowed SA's
makespan loop by ~25 %). The padding before a loop runs once per entry (a few multi-byte
nops per row). The C reference keeps gcc's own alignment. An LLVM without one of these
options ignores it. The options only change code generation, never results; they are process-wide
LLVM settings and apply to code compiled after this import (numba's on-disk cache is keyed
on each kernel's own source file, which imports this first; it does not notice a change in
a kernel it calls, so clear the cache after editing one).

Even branch-free, a scalar `max` is `cmp` + `cmov` (2 cycles) where gcc keeps the chain in a
vector register (`pmaxsd`, 1 cycle), so a chain of `max(a, b) + x` runs 3 cycles a link
against gcc's 2. `Lane` holds an integer in lane 0 of a 128-bit vector so LLVM emits the
vector instructions too: `lane(x)` puts a value in, `max_add(a, b, x)` is max(a, b) + x,
`vmax` and `vadd` are max and +, `first(a)` takes the value out. The arithmetic is the
same integer arithmetic (wrapping like numba's), so results are identical. Where the CPU
has no vector max of that width (x86-64 before SSE4.1 for 32 bits, before AVX-512VL for 64
bits; other architectures are not tuned), or numba targets another CPU than this one, the
helpers emit the scalar form.
"""

from __future__ import annotations

import llvmlite.binding as llvm
from llvmlite import ir
from numba import types
from numba.core import config
from numba.extending import intrinsic, models, register_model

CODEGEN_OPTIONS = ("-x86-cmov-converter=false", "-unroll-runtime=false",
                   "-x86-experimental-pref-innermost-loop-alignment=6")

for _option in CODEGEN_OPTIONS:
    llvm.set_option("tunetrack-solvers", _option)

NO_GATHER_FEATURE = "+prefer-no-gather"


def _prefer_no_gather() -> None:
    """Have LLVM keep indexed loads scalar instead of vectorising them into gathers.

    LLVM vectorises table lookups such as the colouring move delta (`table[v, c]` over a batch of
    moves) into AVX2/AVX-512 gather instructions; gcc -O3 keeps the same loop scalar. On CPUs
    with the Gather Data Sampling microcode fix (Intel since 2023) a gather is slower than the
    scalar loads it replaces: the delta ran at 0.79 of C on an Emerald Rapids Xeon, and at 0.99
    of C with this feature, every flow-shop kernel unchanged. It goes into numba's CPU features,
    so it applies to kernels compiled after this import (and keys numba's on-disk cache), unless
    `NUMBA_CPU_FEATURES` or `NUMBA_CPU_NAME` chose the target, or LLVM predates the feature (17).
    """
    if config.CPU_FEATURES is not None or (config.CPU_NAME and config.CPU_NAME != "host"):
        return
    if not llvm.get_process_triple().startswith("x86_64") or llvm.llvm_version_info < (17,):
        return
    config.CPU_FEATURES = f"{llvm.get_host_cpu_features().flatten()},{NO_GATHER_FEATURE}"


_prefer_no_gather()


def _vector_max_bits() -> frozenset[int]:
    """Integer widths whose vector max is one native instruction on the CPU numba targets."""
    if config.CPU_NAME and config.CPU_NAME != "host":
        return frozenset()
    if not llvm.get_process_triple().startswith("x86_64"):
        return frozenset()
    features = llvm.get_host_cpu_features()
    bits = set()
    if features.get("sse4.1"):
        bits.add(32)
    if features.get("avx512vl"):
        bits.add(64)
    return frozenset(bits)


VECTOR_MAX_BITS = _vector_max_bits()
_LANE0 = ir.Constant(ir.IntType(32), 0)


class Lane(types.Type):
    """An integer of `dtype` carried in lane 0 of a 128-bit vector (scalar if no vector max)."""

    def __init__(self, dtype: types.Integer):
        self.dtype = dtype
        super().__init__(name=f"Lane({dtype})")


def _llvm_type(dtype: types.Integer) -> ir.Type:
    bits = dtype.bitwidth
    return ir.VectorType(ir.IntType(bits), 128 // bits) if bits in VECTOR_MAX_BITS else ir.IntType(bits)


@register_model(Lane)
class _LaneModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, _llvm_type(fe_type.dtype))


def _is_vector(value: ir.Value) -> bool:
    return isinstance(value.type, ir.VectorType)


def _smax(builder: ir.IRBuilder, a: ir.Value, b: ir.Value) -> ir.Value:
    if _is_vector(a):
        name = f"llvm.smax.v{a.type.count}i{a.type.element.width}"
    else:
        name = f"llvm.smax.i{a.type.width}"
    fn = builder.module.globals.get(name) or ir.Function(builder.module, ir.FunctionType(a.type, [a.type, a.type]),
                                                         name)
    return builder.call(fn, [a, b])


@intrinsic
def lane(typingctx, x):
    """`x` (an integer) as a Lane of its own type."""
    if not isinstance(x, types.Integer):
        return None

    def codegen(context, builder, sig, args):
        return _into_lane(context, builder, sig, args[0])

    return Lane(x)(x), codegen


def _into_lane(context, builder: ir.IRBuilder, sig, value: ir.Value) -> ir.Value:
    """`value` in lane 0 of the return type's vector (as it is where Lanes are scalar)."""
    lty = context.get_value_type(sig.return_type)
    if not isinstance(lty, ir.VectorType):
        return value
    return builder.insert_element(ir.Constant(lty, None), value, _LANE0)


@intrinsic
def lane_in_vector(typingctx, x):
    """`x` as a Lane that starts in a vector register even when LLVM would rather add two
    fresh Lanes as scalars and move the sum over (a 3-cycle crossing at the head of a chain).
    An empty inline-asm statement pins it; where Lanes are scalar this is `lane(x)`."""
    if not isinstance(x, types.Integer):
        return None

    def codegen(context, builder, sig, args):
        v = _into_lane(context, builder, sig, args[0])
        if not _is_vector(v):
            return v
        return builder.asm(ir.FunctionType(v.type, [v.type]), "", "=x,0", [v], side_effect=False)

    return Lane(x)(x), codegen


@intrinsic
def first(typingctx, a):
    """The integer a Lane holds."""
    if not isinstance(a, Lane):
        return None

    def codegen(context, builder, sig, args):
        return builder.extract_element(args[0], _LANE0) if _is_vector(args[0]) else args[0]

    return a.dtype(a), codegen


def _same_lanes(*args) -> bool:
    return isinstance(args[0], Lane) and all(a == args[0] for a in args)


@intrinsic
def max_add(typingctx, a, b, x):
    """max(a, b) + x on Lanes of one type."""
    if not _same_lanes(a, b, x):
        return None

    def codegen(context, builder, sig, args):
        return builder.add(_smax(builder, args[0], args[1]), args[2])

    return a(a, b, x), codegen


@intrinsic
def vmax(typingctx, a, b):
    """max(a, b) on Lanes of one type."""
    if not _same_lanes(a, b):
        return None

    def codegen(context, builder, sig, args):
        return _smax(builder, args[0], args[1])

    return a(a, b), codegen


@intrinsic
def vadd(typingctx, a, b):
    """a + b on Lanes of one type (wrapping, like numba's integer +)."""
    if not _same_lanes(a, b):
        return None

    def codegen(context, builder, sig, args):
        return builder.add(args[0], args[1])

    return a(a, b), codegen


@intrinsic
def data_pointer(typingctx, a):
    """The data of a C-contiguous array as a typed pointer: `ptr[i]` reads and `ptr[i] = v`
    writes element i in row-major order. A kernel that walks rows computes `row * m + r`
    itself, so numba does not reload each 2-D array's shape and strides from the stack for
    every row (as the C reference does, one row length for all arrays). No bounds check and
    no reference count: the array must outlive the pointer and the kernel check its shapes."""
    if not (isinstance(a, types.Array) and a.layout == "C"):
        return None

    def codegen(context, builder, sig, args):
        return context.make_array(sig.args[0])(context, builder, args[0]).data

    return types.CPointer(a.dtype)(a), codegen
