/* SPDX-License-Identifier: BSD-2-Clause */
/* --count N: N runs one after the other, each on its own connection, then
 * one summary (cmd/common/stats.h). */
#ifndef CMD_COUNT_H
#define CMD_COUNT_H

struct tool_ctx;

/* The runs, the summary on standard output (none with -q); the exit
 * status: the highest of the runs'. A signal stops after the current run. */
int count_main(struct tool_ctx *ctx);

#endif
