/*
 * verdict.h - the judgments every reader of a results set makes the same
 * way (the table at the end of a run, the plot and the comparison), so
 * they are defined once, beside the results.
 */
#ifndef CONCUR_VERDICT_H
#define CONCUR_VERDICT_H

/* Below this fraction of the offered rate a cell "could not keep up". */
#define VERDICT_KEEP_UP 0.95

/* Load average (1 min) per CPU above which the machine counts as busy. */
#define VERDICT_BUSY_LOAD_PER_CPU 0.5

#endif
