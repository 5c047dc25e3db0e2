// The floating-point mode of the numeric code (Sources/Re4Core/Util/BLAS.swift,
// docs/performance.md § Subnormal numbers): results below the smallest normal
// float become zero, and such inputs are read as zero. Without it, a model
// whose attention saturates sends subnormal values through the encoder's
// backward products, and each one takes the CPU's slow microcode path.
#include "CKernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
// MXCSR bit 15 = flush to zero (FTZ), bit 6 = denormals are zero (DAZ).
unsigned long re4_fp_flush_subnormals(void) {
    unsigned int old = _mm_getcsr();
    _mm_setcsr(old | 0x8040u);
    return old;
}
void re4_fp_restore(unsigned long old) { _mm_setcsr((unsigned int)old); }
unsigned long re4_fp_mode(void) { return _mm_getcsr(); }
#elif defined(__aarch64__)
// FPCR bit 24 = flush to zero, for inputs and results alike.
unsigned long re4_fp_flush_subnormals(void) {
    unsigned long old;
    __asm__ volatile("mrs %0, fpcr" : "=r"(old));
    __asm__ volatile("msr fpcr, %0" : : "r"(old | (1ul << 24)));
    return old;
}
void re4_fp_restore(unsigned long old) { __asm__ volatile("msr fpcr, %0" : : "r"(old)); }
unsigned long re4_fp_mode(void) {
    unsigned long mode;
    __asm__ volatile("mrs %0, fpcr" : "=r"(mode));
    return mode;
}
#else
unsigned long re4_fp_flush_subnormals(void) { return 0; }
void re4_fp_restore(unsigned long old) { (void)old; }
unsigned long re4_fp_mode(void) { return 0; }
#endif
