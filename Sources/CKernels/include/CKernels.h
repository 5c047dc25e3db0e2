#ifndef RE4_CKERNELS_H
#define RE4_CKERNELS_H

/// The FFT's butterfly stages, compiled once per instruction set and chosen at
/// load time (docs/tsne.md § Portable builds). Same arithmetic as the Swift
/// code it replaces, no fused multiply-adds, so every build gives the same bytes.
///
/// Element r of a sequence is the `width` values at re/im + r·rowStride;
/// `width` sequences are transformed side by side. `n2` is the radix-2 length
/// (n, or n/3 when `radix3`), cos_t/sin_t the twiddles exp(−2πi t/n), t < n.
void re4_fft_stages(double *re, double *im, long n, long n2, int radix3,
                    const double *cos_t, const double *sin_t,
                    long row_stride, long width, int inverse);

/// The same, compiled for the baseline only: for the test that every version
/// gives the bytes the baseline gives.
void re4_fft_stages_baseline(double *re, double *im, long n, long n2, int radix3,
                             const double *cos_t, const double *sin_t,
                             long row_stride, long width, int inverse);

#endif
