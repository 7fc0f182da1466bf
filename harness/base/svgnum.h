/*
 * svgnum.h - SVG coordinates as text, fast: a chart of 100,000 cells
 * writes millions of them, and printf's "%.1f" (exact binary-to-decimal
 * conversion) was the largest cost of `concur plot`.
 */
#ifndef CONCUR_SVGNUM_H
#define CONCUR_SVGNUM_H

#define SVG_NUM_MAX 32

/*
 * v with one decimal ("12.3", "-0.5", "0.0") into buf (SVG_NUM_MAX bytes);
 * returns buf.  Rounds half away from zero on v * 10, so a value exactly
 * between two tenths may differ from printf's last digit: a twentieth of a
 * pixel.  Values beyond +-1e15 and non-finite ones go through printf.
 */
const char *svg_num(char buf[SVG_NUM_MAX], double v);

#endif
