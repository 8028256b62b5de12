/* SPDX-License-Identifier: BSD-2-Clause */
/* --each / --each-file: the probe, --count or --audit against every server
 * of the list, --jobs of them at once, each in a process of its own; the
 * reports in the order given, then the matrix (cmd/common/matrix.h). */
#ifndef CMD_EACH_H
#define CMD_EACH_H

struct tool_ctx;

/* The exit status: 74 when the output could not be written; else 130
 * (SIGINT) or 143 (SIGTERM) when a signal stopped the command; else the
 * highest of the servers' exit statuses. In a process forked to probe
 * one server, returns that server's exit status instead (the caller
 * cleans up and exits with it, as after one server). */
int each_main(struct tool_ctx *ctx);

#endif
