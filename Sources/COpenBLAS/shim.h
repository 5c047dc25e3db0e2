// OpenBLAS's CBLAS interface (sgemm and friends) for the trainer core.
// The include path comes from pkg-config (Debian: .../openblas-pthread/).
#include <cblas.h>
// Thread control; declared by OpenBLAS's cblas.h as well, repeated for clarity.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
// glibc's mallopt, to keep the trainer's large per-step buffers out of mmap.
#include <malloc.h>
