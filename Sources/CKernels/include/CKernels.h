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

/// Adam's update of n elements (docs/model.md §4, PyTorch's Adam): g' = g + wd·p,
/// m = b1·m + (1−b1)·g', v = b2·v + (1−b2)·g'², p −= step·m / (√v / √bc2 + eps),
/// in exactly that order of operations (the Swift fallback's), vectorised.
void re4_adam_update(float *p, const float *g, float *m, float *v, long n,
                     float b1, float b2, float eps, float wd, float step_size, float sqrt_bc2);

/// Sets this thread's floating-point mode to flush subnormal results to zero
/// and read subnormal inputs as zero (x86: MXCSR FTZ and DAZ; arm64: FPCR FZ;
/// elsewhere nothing). Returns the previous mode for `re4_fp_restore`.
unsigned long re4_fp_flush_subnormals(void);
void re4_fp_restore(unsigned long old);
/// This thread's floating-point mode, as `re4_fp_restore` takes it.
unsigned long re4_fp_mode(void);

#endif
