// Adam's element update (Sources/Re4Core/Training/Adam.swift) in C: Swift's
// Float.squareRoot() keeps errno semantics (an `sqrtss` and a `sqrtf` call
// per element), which kept the loop from vectorising; here, with
// -fno-math-errno and no fused multiply-adds, each version (AVX-512, AVX2,
// baseline) computes the same correctly rounded operations in the same order
// as the Swift formula, so every build gives the same bits.
#include "CKernels.h"
#include "clones.h"
#include <math.h>

#pragma clang fp contract(off)


RE4_CLONES
void re4_adam_update(float *restrict p, const float *restrict g, float *restrict m, float *restrict v, long n,
                     float b1, float b2, float eps, float wd, float step_size, float sqrt_bc2) {
    const float c1 = 1 - b1, c2 = 1 - b2;
    for (long i = 0; i < n; i++) {
        float gi = g[i] + wd * p[i];
        float mi = b1 * m[i] + c1 * gi;
        float vi = b2 * v[i] + c2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= step_size * mi / (__builtin_sqrtf(vi) / sqrt_bc2 + eps);
    }
}
