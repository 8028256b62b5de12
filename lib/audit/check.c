/* SPDX-License-Identifier: BSD-2-Clause */
/* The audits' shared machinery (check.h): rows, verdicts and evidence, and
 * one check's run. Silent like the rest of the library: the verdicts are a
 * value (li_audit) that lib/render/audit.c turns into rows or JSON. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldap.h>

#include "check.h"
#include "names.h"
#include "run.h"

const char *li_verdict_name(li_verdict v)
{
	static const char *const names[] = { "pass", "fail", "warn", "skip", "info" };

	return (unsigned)v < LI_VERDICT_COUNT ? names[v] : "?";
}

li_check *audit_check_new(li_audit *a, const char *id, const char *what, const char *rfc)
{
	li_check *c = &a->checks[a->nchecks++];

	memset(c, 0, sizeof(*c));
	c->id = id;
	c->what = what;
	c->rfc = rfc;
	c->verdict = LI_VERDICT_INFO;
	return c;
}

void audit_verdict(li_check *c, li_verdict v, const char *fmt, ...)
{
	va_list ap;

	c->verdict = v;
	c->reason[0] = '\0';
	if (fmt == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
}

/* The next evidence slot, named key; NULL when the check has no room. */
static li_evidence *evidence_add(li_check *c, const char *key)
{
	li_evidence *e;

	if (c->nevidence >= LI_CHECK_MAX_EVIDENCE)
		return NULL;
	e = &c->evidence[c->nevidence++];
	memset(e, 0, sizeof(*e));
	e->key = key;
	return e;
}

void audit_evidence_n(li_check *c, const char *key, long long n)
{
	li_evidence *e = evidence_add(c, key);

	if (e)
		e->n = n;
}

void audit_evidence_s(li_check *c, const char *key, const char *text)
{
	li_evidence *e = evidence_add(c, key);

	if (e) {
		e->is_text = 1;
		snprintf(e->text, sizeof(e->text), "%s", text);
	}
}

int audit_field_is(const li_field *f, const char *s)
{
	size_t len;
	const unsigned char *b = li_field_bytes(f, &len);

	return b && len == strlen(s) && strncasecmp((const char *)b, s, len) == 0;
}

static void field_copy(const li_field *f, char *dst, size_t size)
{
	size_t len;
	const unsigned char *b = li_field_bytes(f, &len);

	if (b && size)
		snprintf(dst, size, "%.*s", (int)(len < size ? len : size - 1), (const char *)b);
}

/* The root DSE's entry: is Cancel advertised, which naming context first. */
static void rootdse_entry(audit_watch *w, const li_field *attrs)
{
	const li_field *attr, *v;

	for (attr = li_field_first(attrs); attr; attr = li_field_next(attr)) {
		const char *type = li_field_key(attr);

		for (v = li_field_first(attr); type && v; v = li_field_next(v)) {
			if (strcasecmp(type, "supportedExtension") == 0 && audit_field_is(v, AUDIT_CANCEL_OID))
				w->advertised = 1;
			else if (strcasecmp(type, "supportedControl") == 0 && audit_field_is(v, AUDIT_SYNC_OID))
				w->sync_advertised = 1;
			else if (strcasecmp(type, "namingContexts") == 0 && !w->naming_context[0])
				field_copy(v, w->naming_context, sizeof(w->naming_context));
		}
	}
}

static void on_entry(void *arg, const li_event *ev)
{
	audit_watch *w = arg;
	const char *op;

	if (w->entry_hook)
		w->entry_hook(w->entry_hook_arg, ev);
	if (ev == NULL || li_event_kind(ev) != LI_EVENT_MESSAGE)
		return;
	op = li_event_op(ev);
	if (w->op_done)
		w->after_result++;
	else if (strcmp(op, "SearchResultEntry") == 0)
		rootdse_entry(w, li_field_find(li_event_fields(ev), "attrs"));
	else if (strcmp(op, "SearchResultDone") == 0)
		w->op_done = 1;
}

/* Every message: the AbandonRequest and what arrives after it. */
static void watch_abandon(audit_watch *w, const li_event *ev)
{
	int64_t msgid = li_event_msgid(ev);

	if (li_event_dir(ev) == LI_DIR_SEND) {
		if (strcmp(li_event_op(ev), "AbandonRequest") == 0)
			w->abandon_msgid = msgid;
		else if (w->abandon_msgid > 0 && w->probe_msgid == 0)
			w->probe_msgid = msgid;
	} else if (w->abandon_msgid > 0 && msgid == w->abandon_msgid) {
		w->to_abandon++;
	} else if (w->abandon_msgid > 0 && msgid != w->probe_msgid) {
		w->after_abandon++;
	}
}

/* Every message: the Cancel request, and the ExtendedResponse after it. */
static void on_message(void *arg, const li_event *ev)
{
	audit_watch *w = arg;
	const li_field *f;

	if (ev == NULL || li_event_kind(ev) != LI_EVENT_MESSAGE)
		return;
	watch_abandon(w, ev);
	f = li_event_fields(ev);
	if (li_event_dir(ev) == LI_DIR_SEND && strcmp(li_event_op(ev), "ExtendedRequest") == 0 &&
	    audit_field_is(li_field_find(f, "oid"), AUDIT_CANCEL_OID)) {
		w->cancel_msgid = li_event_msgid(ev);
	} else if (li_event_dir(ev) == LI_DIR_RECV && w->cancel_msgid > 0 && !w->response_seen &&
		   strcmp(li_event_op(ev), "ExtendedResponse") == 0) {
		w->response_seen = 1;
		w->response_msgid = li_event_msgid(ev);
		w->response_name = li_field_find(f, "oid") != NULL;
		w->response_value = li_field_find(f, "value") != NULL;
	}
}

/* The trigger and wait the command line may have set do not apply: each
 * check sets its own. */
void audit_reset_trigger(li_params *p)
{
	p->after_given = 0;
	p->after_entries = -1;
	p->interrupt_late = 0;
}

int audit_stopped(const audit_ctx *ctx)
{
	return ctx->hooks && ctx->hooks->stop && *ctx->hooks->stop;
}

int audit_step(audit_ctx *ctx, li_check *c)
{
	if (ctx->current >= 0)
		audit_over(ctx, &ctx->a->checks[ctx->current]);
	ctx->current = -1;
	if (c == NULL || audit_stopped(ctx))
		return 0;
	ctx->current = (int)(c - ctx->a->checks);
	if (ctx->hooks && ctx->hooks->check)
		ctx->hooks->check(ctx->hooks->arg, ctx->a, ctx->current);
	return 1;
}

void audit_over(audit_ctx *ctx, const li_check *c)
{
	if (!audit_stopped(ctx))
		ctx->over[c - ctx->a->checks] = 1;
}

/* The check's own progress hook and the caller's. */
static void on_progress(void *arg, const li_progress *p)
{
	const audit_ctx *ctx = arg;

	if (ctx->progress_hook)
		ctx->progress_hook(ctx->progress_hook_arg, p);
	if (ctx->hooks && ctx->hooks->progress)
		ctx->hooks->progress(ctx->hooks->arg, p);
}

/* The caller's run hook: run begins, or is over and prev runs on. A stop
 * that came before the caller could see run, or while prev waited for
 * run, stops it here: only the put-back of an entry goes on. */
static void hand_over(audit_ctx *ctx, li_run *run)
{
	ctx->run = run;
	if (ctx->hooks && ctx->hooks->run)
		ctx->hooks->run(ctx->hooks->arg, run);
	if (run && audit_stopped(ctx) && !ctx->restoring)
		li_run_signal(run, SIGTERM);
}

/* One check's run: 0 with *res filled (the outcome decided), or -1 with
 * err (connecting, the bind or the operation failed, or the audit was
 * stopped). */
int audit_run(audit_ctx *ctx, audit_watch *w, li_result *res, li_error *err)
{
	li_run *run, *prev = ctx->run;
	int rc;

	memset(w, 0, sizeof(*w));
	w->entry_hook = ctx->entry_hook;
	w->entry_hook_arg = ctx->entry_hook_arg;
	memset(err, 0, sizeof(*err));
	if (audit_stopped(ctx) && !ctx->restoring)
		return li_usage_error(err, "audit", "stopped");
	if (ctx->passwd)
		memcpy(ctx->p->passwd, ctx->passwd, ctx->passwd_len);
	if (li_params_check(ctx->p, err) < 0)
		return -1;
	run = li_run_new(ctx->p);
	if (run == NULL)
		return li_usage_error(err, "audit", "out of memory");
	w->run = run;
	if (ctx->progress_hook || (ctx->hooks && ctx->hooks->progress))
		li_run_set_progress(run, on_progress, ctx);
	if (ctx->hooks && ctx->hooks->log)
		li_run_set_log(run, ctx->hooks->log, ctx->hooks->arg);
	li_run_set_observer(run, on_message, w);
	li_run_set_entry_fn(run, on_entry, w);
	hand_over(ctx, run);
	rc = li_run_connect(run, err);
	if (rc == 0)
		rc = li_run_execute(run, err);
	if (rc == 0 && ctx->probe)
		rc = li_run_probe(run, AUDIT_PROBE_WAIT_US, &w->probe, err);
	if (rc == 0) {
		li_run_close(run);
		*res = *li_run_result(run);
		if (!ctx->a->uri[0] && res->uri)
			snprintf(ctx->a->uri, sizeof(ctx->a->uri), "%s", res->uri);
		res->name = res->uri = res->op_type = res->op_text = NULL;
	}
	w->run = NULL;
	hand_over(ctx, prev);
	li_run_free(run);
	return rc;
}

void audit_check_error(li_check *c, const li_error *err)
{
	audit_verdict(c, LI_VERDICT_FAIL, "%s: %s (%d)", err->what, err->text, err->code);
}

const char *audit_code_name(int code)
{
	const char *name = li_result_name(code);

	return name ? name : "unknown";
}

/* 1. The root DSE, read first: -1 with err when the first connection
 * failed. Abandoned once its entry is in (wait 0: nothing more is
 * needed), so that a server that answers with entries without end (a
 * fault server) does not hold the audit. */
int audit_check_rootdse(audit_ctx *ctx, li_check *c, audit_watch *w, li_error *err)
{
	static const char *const attrs[] = { "supportedExtension", "namingContexts", "supportedControl", NULL };
	li_search s = { .base = "", .scope = LDAP_SCOPE_BASE, .filter = "(objectClass=*)", .attrs = attrs };
	li_result res;
	int64_t wait_us = ctx->p->wait_given ? ctx->p->wait_us : -1;
	int rc;

	audit_reset_trigger(ctx->p);
	rc = li_params_set_search(ctx->p, &s, err) < 0 || li_params_set_interrupt(ctx->p, LI_INTERRUPT_ABANDON, err) < 0 ||
	     li_params_set_after_entries(ctx->p, 1, err) < 0 || li_params_set_wait(ctx->p, 0, err) < 0 ||
	     audit_run(ctx, w, &res, err) < 0;
	li_params_set_wait(ctx->p, wait_us, err);
	if (rc)
		return -1;
	if (ctx->a->interrupt == LI_INTERRUPT_CANCEL)
		audit_evidence_n(c, "advertised", w->advertised);
	if (w->naming_context[0])
		audit_evidence_s(c, "naming_context", w->naming_context);
	if (res.entries[0] + res.entries[1] == 0) {
		if (res.op.seen)
			audit_evidence_n(c, "code", res.op.code);
		audit_verdict(c, LI_VERDICT_WARN, "the root DSE could not be read: %s",
			res.op.seen ? audit_code_name(res.op.code) : li_outcome_name(res.outcome));
	} else {
		audit_verdict(c, LI_VERDICT_INFO, w->advertised || ctx->a->interrupt != LI_INTERRUPT_CANCEL ? NULL
						  : "1.3.6.1.1.8 is not in supportedExtension");
	}
	return 0;
}

void audit_evidence_answers(li_check *c, const li_result *res)
{
	if (res->op.seen)
		audit_evidence_n(c, "op_code", res->op.code);
	if (res->intr.seen)
		audit_evidence_n(c, "cancel_code", res->intr.code);
	if (res->op.seen && res->t_intr_ns && res->op.t_ns >= res->t_intr_ns)
		audit_evidence_n(c, "cancel_to_result_us", (long long)((res->op.t_ns - res->t_intr_ns) / 1000));
}

/* A search cancelled while running: canceled (118), the Cancel success
 * (0), nothing for the search after its result. */
void audit_judge_canceled(li_check *c, const li_result *res, unsigned long long after_result)
{
	if (!res->op.seen || res->op.code != LDAP_CANCELLED)
		audit_verdict(c, LI_VERDICT_FAIL, res->op.seen ? "the search ended with %s (%d), not canceled (118)"
							: "the search did not end (%s)", res->op.seen ? audit_code_name(res->op.code) : li_outcome_name(res->outcome),
			res->op.code);
	else if (!res->intr.seen || res->intr.code != LDAP_SUCCESS)
		audit_verdict(c, LI_VERDICT_FAIL, res->intr.seen ? "the Cancel was answered %s (%d), not success (0)"
							  : "the Cancel was not answered%s", res->intr.seen ? audit_code_name(res->intr.code) : "",
			res->intr.code);
	else if (after_result)
		audit_verdict(c, LI_VERDICT_FAIL, "%llu messages for the search after its result", after_result);
	else
		audit_verdict(c, LI_VERDICT_PASS, NULL);
}

void audit_skip_rest(audit_ctx *ctx, int from, const char *why)
{
	int i;

	for (i = from; i < ctx->a->nchecks; i++) {
		audit_verdict(&ctx->a->checks[i], LI_VERDICT_SKIP, "%s", why);
		audit_over(ctx, &ctx->a->checks[i]);
	}
}


int audit_begin(audit_ctx *ctx, li_params *p, li_audit *out, li_error *err)
{
	memset(ctx, 0, sizeof(*ctx));
	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	ctx->p = p;
	ctx->a = out;
	ctx->hooks = p->audit_hooks;
	ctx->current = -1;
	out->interrupt = LI_INTERRUPT_CANCEL; /* li_audit_abandon changes it */
	snprintf(out->name, sizeof(out->name), "%s", p->name ? p->name : "");
	if (p->passwd) {
		ctx->passwd_len = p->passwd_len;
		ctx->passwd = malloc(p->passwd_len + 1);
		if (ctx->passwd == NULL)
			return li_usage_error(err, "audit", "out of memory");
		memcpy(ctx->passwd, p->passwd, p->passwd_len);
	}
	if (p->base && (ctx->base = strdup(p->base)) == NULL) {
		audit_end(ctx);
		return li_usage_error(err, "audit", "out of memory");
	}
	return 0;
}

/* Every check not over: skip, stopped. */
static void skip_stopped(audit_ctx *ctx)
{
	int i;

	ctx->a->stopped = *ctx->hooks->stop;
	for (i = 0; i < ctx->a->nchecks; i++) {
		li_check *c = &ctx->a->checks[i];

		if (ctx->over[i])
			continue;
		audit_verdict(c, LI_VERDICT_SKIP, "the audit was stopped before this check was over");
		c->stopped = 1;
	}
}

void audit_end(audit_ctx *ctx)
{
	int i;

	if (audit_stopped(ctx))
		skip_stopped(ctx);
	for (i = 0; i < ctx->a->nchecks; i++)
		ctx->a->count[ctx->a->checks[i].verdict]++;
	if (ctx->passwd) {
		explicit_bzero(ctx->passwd, ctx->passwd_len);
		free(ctx->passwd);
		ctx->passwd = NULL;
	}
	free(ctx->base);
	ctx->base = NULL;
}
