/* C reference of the solver kernels measured by benchmarks/kernels_vs_c.py.
 *
 * The same loops as the numba kernels, over the same arrays (row-major, int32 data), driven
 * by the same move sequence, each returning a checksum the benchmark compares with numba's.
 * Built at run time with: gcc -O3 -march=native -shared -fPIC kernels.c -o kernels.so
 *
 * The running completion time of the first machine (heads, makespan) and of the last
 * (tails) is carried in a local from job to job, as the numba kernels do; gcc builds the
 * same speed from this and from the reload-from-the-row form (measured within +-3 %).
 */
#include <stdint.h>

static inline int32_t max32(int32_t a, int32_t b) { return a > b ? a : b; }

/* xorshift64* exactly as solvers/_rng.py */
static inline uint64_t next_u64(uint64_t *s) {
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}
static inline double rand_float(uint64_t *s) { return (double)(next_u64(s) >> 11) * (1.0 / 9007199254740992.0); }
static inline int64_t rand_below(uint64_t *s, int64_t n) { return (int64_t)(rand_float(s) * (double)n); }

/* Flow shop makespan of seq[0..n) on p (n, m); c is an m-row workspace. */
static int32_t makespan(const int32_t *p, int m, const int32_t *seq, int n, int32_t *c) {
    for (int r = 0; r < m; r++) c[r] = 0;
    int32_t c0 = 0;
    for (int i = 0; i < n; i++) {
        const int32_t *row = p + (int64_t)seq[i] * m;
        int32_t acc = c0 += row[0];
        c[0] = acc;
        for (int r = 1; r < m; r++) c[r] = acc = max32(acc, c[r]) + row[r];
    }
    return c[m - 1];
}

/* Swap seq[a[t]], seq[b[t]] then evaluate the makespan, for each move t; returns the sum. */
int64_t fs_makespan_moves(const int32_t *p, int n, int m, int32_t *seq, const int32_t *a, const int32_t *b,
                          int64_t moves, int32_t *c) {
    int64_t total = 0;
    for (int64_t t = 0; t < moves; t++) {
        int32_t x = seq[a[t]];
        seq[a[t]] = seq[b[t]];
        seq[b[t]] = x;
        total += makespan(p, m, seq, n, c);
    }
    return total;
}

/* Taillard's insertion neighbourhood: makespan of inserting job at every position 0..k of
 * seq[0..k); e, q (k + 1, m) heads and tails, f (k + 1,) the makespans. */
static void insertion(const int32_t *p, int m, const int32_t *seq, int k, int job, int32_t *e, int32_t *q,
                      int32_t *f) {
    for (int r = 0; r < m; r++) {
        e[r] = 0;
        q[(int64_t)k * m + r] = 0;
    }
    int32_t head = 0, tail = 0;
    for (int i = 1; i <= k; i++) {
        const int32_t *row = p + (int64_t)seq[i - 1] * m;
        int32_t *ei = e + (int64_t)i * m, *ep = ei - m;
        int32_t acc = head += row[0];
        ei[0] = acc;
        for (int r = 1; r < m; r++) ei[r] = acc = max32(acc, ep[r]) + row[r];
    }
    for (int i = k - 1; i >= 0; i--) {
        const int32_t *row = p + (int64_t)seq[i] * m;
        int32_t *qi = q + (int64_t)i * m, *qn = qi + m;
        int32_t acc = tail += row[m - 1];
        qi[m - 1] = acc;
        for (int r = m - 2; r >= 0; r--) qi[r] = acc = max32(acc, qn[r]) + row[r];
    }
    const int32_t *pj = p + (int64_t)job * m;
    for (int i = 0; i <= k; i++) {
        const int32_t *ei = e + (int64_t)i * m, *qi = q + (int64_t)i * m;
        int32_t fr = ei[0] + pj[0];
        int32_t best = fr + qi[0];
        for (int r = 1; r < m; r++) {
            fr = max32(fr, ei[r]) + pj[r];
            best = max32(best, fr + qi[r]);
        }
        f[i] = best;
    }
}

/* Swap seq[a[t]], seq[b[t]] of the k-job sequence, then the insertion neighbourhood of job;
 * returns the sum of f[a[t]]. */
int64_t fs_insertion_moves(const int32_t *p, int k, int m, int32_t *seq, int job, const int32_t *a,
                           const int32_t *b, int64_t moves, int32_t *e, int32_t *q, int32_t *f) {
    int64_t total = 0;
    for (int64_t t = 0; t < moves; t++) {
        int32_t x = seq[a[t]];
        seq[a[t]] = seq[b[t]];
        seq[b[t]] = x;
        insertion(p, m, seq, k, job, e, q, f);
        total += f[a[t]];
    }
    return total;
}

/* Colouring move evaluation: sum over moves of table[v, c] - table[v, colors[v]]. */
int64_t col_deltas(const int32_t *table, int k, const int32_t *colors, const int32_t *vs, const int32_t *cs,
                   int64_t moves) {
    int64_t total = 0;
    for (int64_t t = 0; t < moves; t++) {
        const int32_t *row = table + (int64_t)vs[t] * k;
        total += (int64_t)row[cs[t]] - (int64_t)row[colors[vs[t]]];
    }
    return total;
}

/* Tabucol's neighbourhood scan, `reps` times from the same state (only the RNG advances);
 * returns a checksum of (v, c, delta, evaluated) of each scan. */
int64_t col_scans(const int32_t *colors, const int32_t *table, int k, const int32_t *conf_list, int64_t n_conf,
                  int64_t conflicts, int64_t best, int64_t it, const int64_t *tabu, int aspire, int64_t n_cand,
                  uint64_t *rng, int64_t reps) {
    int64_t total = 0;
    int sample = 0 < n_cand && n_cand < n_conf;
    if (!sample) n_cand = n_conf;
    for (int64_t s = 0; s < reps; s++) {
        int64_t best_v = -1, best_c = -1, best_d = (int64_t)1 << 40, ties = 0, evaluated = 0;
        for (int64_t i = 0; i < n_cand; i++) {
            int64_t v = sample ? conf_list[rand_below(rng, n_conf)] : conf_list[i];
            const int32_t *row = table + v * k;
            const int64_t *trow = tabu + v * k;
            int32_t cv = colors[v];
            int64_t own = row[cv];
            evaluated += k - 1;
            for (int c = 0; c < k; c++) {
                int64_t d = (int64_t)row[c] - own;
                if (c == cv || d > best_d) continue;
                if (trow[c] > it && !(aspire && conflicts + d < best)) continue;
                if (d < best_d) {
                    best_v = v; best_c = c; best_d = d; ties = 1;
                } else {
                    ties++;
                    if (rand_below(rng, ties) == 0) { best_v = v; best_c = c; }
                }
            }
        }
        total += best_v * 1000003 + best_c * 1009 + best_d * 17 + evaluated;
    }
    return total;
}
