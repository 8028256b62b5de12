/* SPDX-License-Identifier: BSD-2-Clause */
/* What the three tools share: parse the command line, run, print, exit. */
#ifndef LI_TOOL_H
#define LI_TOOL_H

#include <popt.h>
#include <stdio.h>

#include <ldapinterrupt.h>

#include "apply.h"
#include "prompt.h"

typedef struct tool_spec {
	li_interrupt interrupt;         /* the default: --abandon or --cancel may change it */
	int trace;                      /* ldaptrace: a trace streams */
	const char *name;
	li_event_fn observer;           /* ldaptrace prints every message */
} tool_spec;

/* The observer's context: where and how it prints. */
typedef struct tool_ctx {
	const tool_spec *spec;
	cmdline *cl;
	li_run *run;
	li_buf *buf;
	li_buf *ldif;    /* -L: the LDIF of one response */
	char *out;       /* written to stdout as it becomes writable */
	size_t out_len, out_off, out_cap;
	int write_errno; /* a write to stdout failed with this (not EPIPE) */
	prompt_ctx prompt;
	struct statusline *status; /* the status line on stderr, or NULL */
	/* --each: the process probing one server writes here the one JSON
	 * object --json would print (the report, the summary, the audit or
	 * the error), whatever the output mode, for the matrix; else NULL. */
	FILE *row;
} tool_ctx;

int tool_main(const tool_spec *spec, int argc, char **argv);
/* One run on a new connection (the previous run freed), its report
 * printed unless --count; the exit status. ctx->run stays for its result. */
int tool_run_once(tool_ctx *ctx);
/* What the command line asks of the server in the parameters: --audit,
 * --count or one run, printed; the exit status. */
int tool_dispatch(tool_ctx *ctx);
/* --each: buf, the object --json prints, onto ctx->row when there is one. */
void tool_row(tool_ctx *ctx, const li_buf *buf);
/* SIGINT and SIGTERM to handler, with SA_RESTART (tool_catch_signals: the
 * tool's own handler). */
void tool_catch_signals_with(void (*handler)(int));
/* 1 once SIGINT or SIGTERM arrived. */
int tool_signalled(void);
/* From here on SIGINT and SIGTERM only set what tool_signalled reads (and
 * reach the run under way, if any). */
void tool_catch_signals(void);
/* --audit: signals caught from here on, the first one stopping rather
 * than interrupting: the run given to tool_signal_run gets SIGTERM,
 * whatever the signal; a second kills the tool by its default action. The
 * flag the first signal sets to its number (for li_audit_hooks.stop). */
volatile sig_atomic_t *tool_stop_on_signal(void);
/* The run signals reach (its signals set), or NULL: none. */
void tool_signal_run(li_run *run);
/* The tool's popt table, its groups under their --help headings; generated
 * from cmd/common/options.txt by cmd/common/optgen.py. NULL for an unknown name. */
const struct poptOption *tool_options(const char *tool);
/* Queues the buffer for stdout and writes what the reader takes without
 * blocking; a slow reader holds the run back (see li_run_output_blocked).
 * On a closed pipe or a write error, tells the run to stop. */
void tool_write(tool_ctx *ctx, const li_buf *buf);
/* Writes what the reader takes without blocking (the run is about to wait). */
void tool_write_some(tool_ctx *ctx);
/* Where the report (and ldaptrace's trace) goes: standard output, or
 * standard error under -L, where the LDIF has standard output. */
void tool_write_report(tool_ctx *ctx, const li_buf *buf);
/* Writes ctx->buf to stdout at once: 0, or the write error's exit status
 * (the message printed). */
int tool_print(tool_ctx *ctx);
/* --audit: the checks, their rows or JSON; the exit status. */
int tool_audit(tool_ctx *ctx);
/* --listen: the relay, until its sessions are done or a signal; the exit
 * status. */
int tool_relay(tool_ctx *ctx);

#endif
