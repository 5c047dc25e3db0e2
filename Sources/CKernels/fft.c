// The FFT butterfly stages of Sources/TSNE/FFTPlan.swift, in C so that one
// binary carries a version per instruction set: a plain `swift build -c
// release` targets baseline x86-64 (SSE2), where the Swift SIMD8<Double>
// butterflies ran about 1.5× slower than with -target-cpu native. With
// target_clones the loader picks the AVX-512, AVX2 or baseline version for the
// machine it runs on (an ifunc), so the binary stays correct on an older
// x86-64; elsewhere (arm64) there is one version.
#include "CKernels.h"
#include "clones.h"
#include <math.h>

// The same results from every version: no contraction into fused multiply-adds.
#pragma clang fp contract(off)


static inline __attribute__((always_inline))
void butterfly(double *restrict ar, double *restrict ai, double *restrict br, double *restrict bi,
               long count, double wr, double wi) {
    for (long c = 0; c < count; c++) {
        double xr = br[c], xi = bi[c];
        double tr = xr * wr - xi * wi, ti = xr * wi + xi * wr;
        double yr = ar[c], yi = ai[c];
        br[c] = yr - tr; bi[c] = yi - ti;
        ar[c] = yr + tr; ai[c] = yi + ti;
    }
}

static inline __attribute__((always_inline))
void stages(double *re, double *im, long n, long n2, int radix3,
            const double *cos_t, const double *sin_t,
            long row_stride, long width, int inverse) {
    for (long len = 2; len <= n2; len <<= 1) {
        long half = len / 2, step = n / len;
        for (long start = 0; start < n; start += len) {
            for (long k = 0; k < half; k++) {
                double wr = cos_t[k * step], wi = inverse ? -sin_t[k * step] : sin_t[k * step];
                long a = (start + k) * row_stride, b = a + half * row_stride;
                butterfly(re + a, im + a, re + b, im + b, width, wr, wi);
            }
        }
    }
    if (!radix3) return;
    // X[k + t·n/3] = Σ_r ω^{rt} W^{rk} F_r[k] over the three radix-2 results.
    double h = (inverse ? -1.0 : 1.0) * (sqrt(3.0) / 2);
    for (long k = 0; k < n2; k++) {
        double w1r = cos_t[k], w1i = inverse ? -sin_t[k] : sin_t[k];
        double w2r = cos_t[2 * k], w2i = inverse ? -sin_t[2 * k] : sin_t[2 * k];
        double *restrict ar = re + k * row_stride, *restrict ai = im + k * row_stride;
        double *restrict br = ar + n2 * row_stride, *restrict bi = ai + n2 * row_stride;
        double *restrict cr = br + n2 * row_stride, *restrict ci = bi + n2 * row_stride;
        for (long c = 0; c < width; c++) {
            double b_r = br[c] * w1r - bi[c] * w1i, b_i = br[c] * w1i + bi[c] * w1r;
            double c_r = cr[c] * w2r - ci[c] * w2i, c_i = cr[c] * w2i + ci[c] * w2r;
            double sr = b_r + c_r, si = b_i + c_i, dr = b_r - c_r, di = b_i - c_i;
            double a_r = ar[c], a_i = ai[c];
            double mr = a_r - sr * 0.5, mi = a_i - si * 0.5;
            ar[c] = a_r + sr; ai[c] = a_i + si;
            br[c] = mr + di * h; bi[c] = mi - dr * h;
            cr[c] = mr - di * h; ci[c] = mi + dr * h;
        }
    }
}

RE4_CLONES
void re4_fft_stages(double *re, double *im, long n, long n2, int radix3,
                    const double *cos_t, const double *sin_t,
                    long row_stride, long width, int inverse) {
    stages(re, im, n, n2, radix3, cos_t, sin_t, row_stride, width, inverse);
}

void re4_fft_stages_baseline(double *re, double *im, long n, long n2, int radix3,
                             const double *cos_t, const double *sin_t,
                             long row_stride, long width, int inverse) {
    stages(re, im, n, n2, radix3, cos_t, sin_t, row_stride, width, inverse);
}
