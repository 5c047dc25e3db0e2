// Cairo's C API (image, SVG and PDF surfaces) for the Plot module.
#include <cairo/cairo.h>
#include <cairo/cairo-svg.h>
#include <cairo/cairo-pdf.h>
