// One version of a kernel per instruction set, chosen by the loader (an
// ifunc) on x86-64 ELF with clang; a single version elsewhere (arm64).
#ifndef RE4_CLONES_H
#define RE4_CLONES_H
#if defined(__x86_64__) && defined(__ELF__) && defined(__clang__)
#define RE4_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define RE4_CLONES
#endif
#endif
