/* SPDX-License-Identifier: BSD-2-Clause */
/* ldapcancel --audit and ldapabandon --audit: the library's checks for the
 * tool's interrupt, printed as rows or JSON, and the exit status they call
 * for. */
#include "tool.h"

#include "exit.h"
#include "status.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

/* What the tool sees of the checks as they run (li_audit_hooks). */
typedef struct audit_view {
	tool_ctx *ctx;
	const char *check; /* the id of the check under way */
} audit_view;

static void on_check(void *arg, const li_audit *a, int index)
{
	audit_view *v = arg;

	v->check = a->checks[index].id;
	status_audit_check(v->ctx->status, index, a->nchecks, v->check);
}

/* -v: each check's steps as a single run's, after the check's id;
 * warnings always. */
static void on_log(void *arg, int warning, const char *line)
{
	audit_view *v = arg;
	size_t n = strlen(line);
	char out[1280];

	if (!warning && !v->ctx->cl->verbose)
		return;
	snprintf(out, sizeof(out), "%s: %s: %s%s", v->ctx->spec->name, v->check ? v->check : "audit", line,
		 n && line[n - 1] == '\n' ? "" : "\n");
	status_line(v->ctx->status, out);
}

/* The status line; maybe from the library's thread (status.c locks). */
static void on_progress(void *arg, const li_progress *p)
{
	const audit_view *v = arg;

	status_progress(v->ctx->status, p);
}

/* A check's run: the one a signal stops. */
static void on_run(void *arg, li_run *run)
{
	(void)arg;
	tool_signal_run(run);
}

/* A signal stopped the audit: the rows it skipped say which. */
static void say_stopped(li_audit *audit)
{
	int i;

	for (i = 0; i < audit->nchecks; i++)
		if (audit->checks[i].stopped)
			snprintf(audit->checks[i].reason, sizeof(audit->checks[i].reason), "stopped by %s",
				 audit->stopped == SIGTERM ? "SIGTERM" : "SIGINT");
}

/* The checks could not begin (the first connection or bind failed). */
static int audit_failed(tool_ctx *ctx, const li_error *err)
{
	char line[2048];
	int status = exit_for_error(err);

	li_error_format(err, ctx->spec->name, line, sizeof(line));
	fputs(line, stderr);
	if (err->code == 0)
		return status;
	li_buf_reset(ctx->buf);
	li_error_json(&(li_result){ .name = ctx->spec->name, .uri = ctx->cl->uri }, err, status, ctx->buf);
	tool_row(ctx, ctx->buf);
	if (!ctx->cl->json || ctx->cl->quiet)
		return status;
	return tool_print(ctx) ? EXIT_WRITE_ERROR : status;
}

/* One checklist against the server of the parameters, watched: a signal
 * stops it (the check under way and the rest skipped). */
static int checks_once(tool_ctx *ctx, li_audit *audit, li_error *err)
{
	audit_view view = { .ctx = ctx };
	li_audit_hooks hooks = { .run = on_run, .check = on_check, .log = on_log, .arg = &view };
	int rc;

	hooks.stop = tool_stop_on_signal();
	if (ctx->status)
		hooks.progress = on_progress;
	li_params_set_audit_hooks(ctx->cl->params, &hooks);
	if (ctx->spec->interrupt == LI_INTERRUPT_ABANDON)
		rc = li_audit_abandon(ctx->cl->params, audit, err);
	else
		rc = li_audit_cancel(ctx->cl->params, audit, err);
	li_params_set_audit_hooks(ctx->cl->params, NULL);
	status_erase(ctx->status);
	if (rc == 0 && audit->stopped) {
		say_stopped(audit);
		if (!audit->uri[0] && ctx->cl->uri)
			snprintf(audit->uri, sizeof(audit->uri), "%s", ctx->cl->uri);
	}
	return rc;
}

static int audit_status(const li_audit *audit)
{
	if (audit->stopped)
		return audit->stopped == SIGTERM ? EXIT_SIGTERM : EXIT_SIGINT;
	return audit->unsupported ? EXIT_UNSUPPORTED : audit->count[LI_VERDICT_FAIL] ? EXIT_AUDIT_FAILED : EXIT_OK;
}

static int print_tally(tool_ctx *ctx, li_audit_tally *t, int status)
{
	li_audit_tally_sort(t);
	li_buf_reset(ctx->buf);
	if (ctx->row) {
		li_audit_tally_json(t, status, ctx->buf);
		tool_row(ctx, ctx->buf);
		li_buf_reset(ctx->buf);
	}
	if (ctx->cl->quiet)
		return status;
	if (ctx->cl->json)
		li_audit_tally_json(t, status, ctx->buf);
	else
		li_audit_tally_text(t, status, ctx->buf);
	return tool_print(ctx) ? EXIT_WRITE_ERROR : status;
}

/* --count N: the checklist N times, one after the other; a signal stops
 * after the checklist under way. The exit status: the highest of theirs. */
static int audit_count(tool_ctx *ctx)
{
	li_audit_tally t;
	li_audit audit;
	li_error err;
	char line[2048];
	int status = 0, rc;

	memset(&t, 0, sizeof(t));
	t.count = ctx->cl->count;
	snprintf(t.name, sizeof(t.name), "%s", ctx->spec->name);
	tool_catch_signals();
	while (t.runs < t.count && !tool_signalled()) {
		if (t.runs > 0 && cmdline_audit_again(ctx->cl, &err) < 0)
			rc = -1;
		else
			rc = checks_once(ctx, &audit, &err);
		t.runs++;
		if (rc < 0) {
			li_error_format(&err, ctx->spec->name, line, sizeof(line));
			fputs(line, stderr);
			t.errors++;
			rc = exit_for_error(&err);
		} else if (li_audit_tally_add(&t, &audit) < 0) {
			fprintf(stderr, "%s: out of memory\n", ctx->spec->name);
			li_audit_tally_free(&t);
			return EXIT_USAGE;
		} else {
			rc = audit_status(&audit);
		}
		if (rc > status)
			status = rc;
	}
	t.stopped = t.runs < t.count || tool_signalled();
	/* --each: each server's tally names it, even when no checklist ran. */
	if (t.uri[0] == '\0' && ctx->row && ctx->cl->uri)
		snprintf(t.uri, sizeof(t.uri), "%s", ctx->cl->uri);
	status = print_tally(ctx, &t, status);
	li_audit_tally_free(&t);
	return status;
}

int tool_audit(tool_ctx *ctx)
{
	li_audit audit;
	li_error err;
	int status;

	if (ctx->cl->count)
		return audit_count(ctx);
	if (checks_once(ctx, &audit, &err) < 0)
		return audit_failed(ctx, &err);
	status = audit_status(&audit);
	li_buf_reset(ctx->buf);
	if (ctx->row) {
		li_audit_json(&audit, status, ctx->buf);
		tool_row(ctx, ctx->buf);
		li_buf_reset(ctx->buf);
	}
	if (ctx->cl->quiet)
		return status;
	if (ctx->cl->json)
		li_audit_json(&audit, status, ctx->buf);
	else
		li_audit_text(&audit, ctx->buf);
	return tool_print(ctx) ? EXIT_WRITE_ERROR : status;
}
