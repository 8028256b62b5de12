/* SPDX-License-Identifier: BSD-2-Clause */
/* ldapcancel --audit: RFC 3909's rules checked one by one, each on a
 * fresh connection, each check an ordinary run with its own operation and
 * trigger. Silent like the rest of the engine: the verdicts are a value
 * (li_audit) that lib/render/audit.c turns into rows or JSON. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldap.h>

#include "names.h"
#include "params.h"

#define CANCEL_OID "1.3.6.1.1.8"
/* A few entries arrive before the Cancel: the search is running. */
#define AUDIT_AFTER_ENTRIES 2
/* A message ID no fresh connection has used: libldap counts from 1. */
#define AUDIT_UNUSED_MSGID 1000000

/* What the observer and the entry callback of one check's run saw. */
typedef struct audit_watch {
	/* the root DSE */
	int advertised;
	char naming_context[256];
	/* the operation's responses after its final one */
	int op_done;
	unsigned long long after_result;
	/* the Cancel's request and the first ExtendedResponse after it */
	int64_t cancel_msgid;
	int response_seen;
	int64_t response_msgid;
	int response_name, response_value;
} audit_watch;

typedef struct audit_ctx {
	li_params *p;
	li_audit *a;
	char *passwd; /* the password, put back before each bind (conn.c wipes it) */
	size_t passwd_len;
	char *base;   /* the user's search base, or NULL */
} audit_ctx;

const char *li_verdict_name(li_verdict v)
{
	static const char *const names[] = { "pass", "fail", "warn", "skip", "info" };

	return (unsigned)v < LI_VERDICT_COUNT ? names[v] : "?";
}

static li_check *check_new(li_audit *a, const char *id, const char *what, const char *rfc)
{
	li_check *c = &a->checks[a->nchecks++];

	memset(c, 0, sizeof(*c));
	c->id = id;
	c->what = what;
	c->rfc = rfc;
	c->verdict = LI_VERDICT_INFO;
	return c;
}

static void verdict(li_check *c, li_verdict v, const char *fmt, ...)
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

static void evidence_n(li_check *c, const char *key, long long n)
{
	li_evidence *e = evidence_add(c, key);

	if (e)
		e->n = n;
}

static void evidence_s(li_check *c, const char *key, const char *text)
{
	li_evidence *e = evidence_add(c, key);

	if (e) {
		e->is_text = 1;
		snprintf(e->text, sizeof(e->text), "%s", text);
	}
}

static int field_is(const li_field *f, const char *s)
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
			if (strcasecmp(type, "supportedExtension") == 0 && field_is(v, CANCEL_OID))
				w->advertised = 1;
			else if (strcasecmp(type, "namingContexts") == 0 && !w->naming_context[0])
				field_copy(v, w->naming_context, sizeof(w->naming_context));
		}
	}
}

static void on_entry(void *arg, const li_event *ev)
{
	audit_watch *w = arg;
	const char *op;

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

/* Every message: the Cancel request, and the ExtendedResponse after it. */
static void on_message(void *arg, const li_event *ev)
{
	audit_watch *w = arg;
	const li_field *f;

	if (ev == NULL || li_event_kind(ev) != LI_EVENT_MESSAGE)
		return;
	f = li_event_fields(ev);
	if (li_event_dir(ev) == LI_DIR_SEND && strcmp(li_event_op(ev), "ExtendedRequest") == 0 &&
	    field_is(li_field_find(f, "oid"), CANCEL_OID)) {
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
static void reset_trigger(li_params *p)
{
	p->after_given = 0;
	p->after_entries = -1;
}

/* One check's run: 0 with *res filled (the outcome decided), or -1 with
 * err (connecting, the bind or the operation failed). */
static int run_check(audit_ctx *ctx, audit_watch *w, li_result *res, li_error *err)
{
	li_run *run;
	int rc;

	memset(w, 0, sizeof(*w));
	memset(err, 0, sizeof(*err));
	if (ctx->passwd)
		memcpy(ctx->p->passwd, ctx->passwd, ctx->passwd_len);
	if (li_params_check(ctx->p, err) < 0)
		return -1;
	run = li_run_new(ctx->p);
	if (run == NULL)
		return li_usage_error(err, "audit", "out of memory");
	li_run_set_observer(run, on_message, w);
	li_run_set_entry_fn(run, on_entry, w);
	rc = li_run_connect(run, err);
	if (rc == 0)
		rc = li_run_execute(run, err);
	if (rc == 0) {
		li_run_close(run);
		*res = *li_run_result(run);
		if (!ctx->a->uri[0] && res->uri)
			snprintf(ctx->a->uri, sizeof(ctx->a->uri), "%s", res->uri);
		res->name = res->uri = res->op_type = res->op_text = NULL;
	}
	li_run_free(run);
	return rc;
}

static void check_error(li_check *c, const li_error *err)
{
	verdict(c, LI_VERDICT_FAIL, "%s: %s (%d)", err->what, err->text, err->code);
}

static const char *code_name(int code)
{
	const char *name = li_result_name(code);

	return name ? name : "unknown";
}

/* 1. The root DSE, read first: -1 with err when the first connection
 * failed. Abandoned once its entry is in (wait 0: nothing more is
 * needed), so that a server that answers with entries without end (a
 * fault server) does not hold the audit. */
static int check_rootdse(audit_ctx *ctx, li_check *c, audit_watch *w, li_error *err)
{
	static const char *const attrs[] = { "supportedExtension", "namingContexts", NULL };
	li_search s = { .base = "", .scope = LDAP_SCOPE_BASE, .filter = "(objectClass=*)", .attrs = attrs };
	li_result res;
	int64_t wait_us = ctx->p->wait_given ? ctx->p->wait_us : -1;
	int rc;

	reset_trigger(ctx->p);
	rc = li_params_set_search(ctx->p, &s, err) < 0 || li_params_set_interrupt(ctx->p, LI_INTERRUPT_ABANDON, err) < 0 ||
	     li_params_set_after_entries(ctx->p, 1, err) < 0 || li_params_set_wait(ctx->p, 0, err) < 0 ||
	     run_check(ctx, w, &res, err) < 0;
	li_params_set_wait(ctx->p, wait_us, err);
	if (rc)
		return -1;
	evidence_n(c, "advertised", w->advertised);
	if (w->naming_context[0])
		evidence_s(c, "naming_context", w->naming_context);
	if (res.entries[0] + res.entries[1] == 0) {
		if (res.op.seen)
			evidence_n(c, "code", res.op.code);
		verdict(c, LI_VERDICT_WARN, "the root DSE could not be read: %s",
			res.op.seen ? code_name(res.op.code) : li_outcome_name(res.outcome));
	} else {
		verdict(c, LI_VERDICT_INFO, w->advertised ? NULL : "1.3.6.1.1.8 is not in supportedExtension");
	}
	return 0;
}

/* 2. A running search, cancelled after a few entries. 1 when the Cancel
 * was answered, 0 when the server does not implement it, -1 when the
 * check could not tell. */
static int check_running_search(audit_ctx *ctx, li_check *c, const char *base)
{
	static const char *const no_attrs[] = { LDAP_NO_ATTRS, NULL };
	li_search s = { .base = base, .scope = LDAP_SCOPE_SUBTREE, .filter = "(objectClass=*)", .attrs = no_attrs };
	li_result res;
	li_error err;
	audit_watch w;

	if (base == NULL) {
		verdict(c, LI_VERDICT_SKIP, "no search base: the root DSE names no naming context; give -b");
		return -1;
	}
	evidence_s(c, "base", base);
	reset_trigger(ctx->p);
	if (li_params_set_search(ctx->p, &s, &err) < 0 || li_params_set_interrupt(ctx->p, LI_INTERRUPT_CANCEL, &err) < 0 ||
	    li_params_set_after_entries(ctx->p, AUDIT_AFTER_ENTRIES, &err) < 0 || run_check(ctx, &w, &res, &err) < 0) {
		check_error(c, &err);
		return -1;
	}
	if (res.outcome == LI_OUTCOME_UNSUPPORTED) {
		ctx->a->unsupported = 1;
		evidence_n(c, "cancel_code", res.intr.code);
		verdict(c, LI_VERDICT_FAIL, "the server does not implement Cancel: it answered %s (%d)",
			code_name(res.intr.code), res.intr.code);
		return 0;
	}
	/* Done before the server saw the Cancel: nothing to judge. */
	if (res.op_done_before_interrupt || (res.op.seen && res.op.code == LDAP_SUCCESS && res.intr.seen &&
					     (res.intr.code == LDAP_NO_SUCH_OPERATION || res.intr.code == LDAP_TOO_LATE))) {
		verdict(c, LI_VERDICT_SKIP, "the search ended (%llu entries) before the Cancel could act; give -b naming a larger subtree",
			(unsigned long long)(res.entries[0] + res.entries[1]));
		return -1;
	}
	evidence_n(c, "entries_before_cancel", (long long)res.entries[0]);
	evidence_n(c, "entries_after_cancel", (long long)res.entries[1]);
	if (res.op.seen)
		evidence_n(c, "op_code", res.op.code);
	if (res.intr.seen)
		evidence_n(c, "cancel_code", res.intr.code);
	if (res.op.seen && res.t_intr_ns)
		evidence_n(c, "cancel_to_result_us", (long long)((res.op.t_ns - res.t_intr_ns) / 1000));
	evidence_n(c, "after_result", (long long)w.after_result);
	if (!res.op.seen || res.op.code != LDAP_CANCELLED)
		verdict(c, LI_VERDICT_FAIL, res.op.seen ? "the search ended with %s (%d), not canceled (118)"
							: "the search did not end (%s)", res.op.seen ? code_name(res.op.code) : li_outcome_name(res.outcome),
			res.op.code);
	else if (!res.intr.seen || res.intr.code != LDAP_SUCCESS)
		verdict(c, LI_VERDICT_FAIL, res.intr.seen ? "the Cancel was answered %s (%d), not success (0)"
							  : "the Cancel was not answered%s", res.intr.seen ? code_name(res.intr.code) : "",
			res.intr.code);
	else if (w.after_result)
		verdict(c, LI_VERDICT_FAIL, "%llu messages for the search after its result", w.after_result);
	else
		verdict(c, LI_VERDICT_PASS, NULL);
	return res.intr.seen ? 1 : -1;
}

/* 3. A message ID never used; 5. the Cancel response of that exchange.
 * 1 when the Cancel was answered with a code of RFC 3909's, else -1. */
static int check_unknown_msgid(audit_ctx *ctx, li_check *c, li_check *resp)
{
	li_result res;
	li_error err;
	audit_watch w;

	evidence_n(c, "msgid", AUDIT_UNUSED_MSGID);
	reset_trigger(ctx->p);
	if (li_params_set_no_operation(ctx->p, AUDIT_UNUSED_MSGID, &err) < 0 ||
	    li_params_set_interrupt(ctx->p, LI_INTERRUPT_CANCEL, &err) < 0 || run_check(ctx, &w, &res, &err) < 0) {
		check_error(c, &err);
		verdict(resp, LI_VERDICT_SKIP, "no Cancel response: %s", c->reason);
		return -1;
	}
	if (res.intr.seen)
		evidence_n(c, "cancel_code", res.intr.code);
	if (res.intr.seen && res.intr.code == LDAP_NO_SUCH_OPERATION)
		verdict(c, LI_VERDICT_PASS, NULL);
	else if (res.intr.seen)
		verdict(c, LI_VERDICT_FAIL, "the Cancel was answered %s (%d), not noSuchOperation (119)",
			code_name(res.intr.code), res.intr.code);
	else
		verdict(c, LI_VERDICT_FAIL, "the Cancel was not answered (%s)", li_outcome_name(res.outcome));

	if (!w.response_seen) {
		verdict(resp, LI_VERDICT_SKIP, "no Cancel response to look at");
		return -1;
	}
	evidence_n(resp, "request_msgid", (long long)w.cancel_msgid);
	evidence_n(resp, "response_msgid", (long long)w.response_msgid);
	evidence_n(resp, "response_name", w.response_name);
	evidence_n(resp, "response_value", w.response_value);
	if (w.response_msgid != w.cancel_msgid)
		verdict(resp, LI_VERDICT_FAIL, "the response's message ID is not the request's");
	else if (w.response_name || w.response_value)
		verdict(resp, LI_VERDICT_FAIL, "the response carries a %s", w.response_name ? "responseName" : "responseValue");
	else
		verdict(resp, LI_VERDICT_PASS, NULL);
	return res.intr.code >= LDAP_CANCELLED && res.intr.code <= LDAP_CANNOT_CANCEL ? 1 : -1;
}

/* 1, later: what the root DSE says against what the server did
 * (answered: 1 the Cancel was answered, 0 it is not implemented, -1 the
 * search check did not tell). */
static void rootdse_agrees(li_check *c, int advertised, int answered)
{
	if (c->verdict == LI_VERDICT_WARN || answered < 0)
		return;
	if (advertised && answered)
		verdict(c, LI_VERDICT_PASS, NULL);
	else if (advertised)
		verdict(c, LI_VERDICT_FAIL, "Cancel is advertised, yet the server does not implement it");
	else if (answered)
		verdict(c, LI_VERDICT_WARN, "Cancel is not advertised, yet the server answers it");
	else
		verdict(c, LI_VERDICT_PASS, "Cancel is neither advertised nor implemented");
}

static void skip_rest(li_audit *a, int from, const char *why)
{
	int i;

	for (i = from; i < a->nchecks; i++)
		verdict(&a->checks[i], LI_VERDICT_SKIP, "%s", why);
}

static int audit(audit_ctx *ctx, li_error *err)
{
	li_audit *a = ctx->a;
	li_check *dse, *search, *unknown, *resp;
	audit_watch w;
	const char *base;
	int i, answered;

	dse = check_new(a, "rootdse", "the root DSE lists Cancel (1.3.6.1.1.8) in supportedExtension", "RFC 3909 section 2");
	search = check_new(a, "running-search", "a running search, cancelled, ends canceled (118); the Cancel answers success (0)",
			   "RFC 3909 section 2");
	unknown = check_new(a, "unknown-msgid", "a Cancel of a message ID never used is answered noSuchOperation (119)",
			    "RFC 3909 section 2");
	resp = check_new(a, "cancel-response", "the Cancel response has the request's message ID, no responseName or responseValue",
			 "RFC 3909 section 2.2");
	if (check_rootdse(ctx, dse, &w, err) < 0)
		return -1;
	base = ctx->base ? ctx->base : w.naming_context[0] ? w.naming_context : NULL;
	answered = check_running_search(ctx, search, base);
	if (a->unsupported)
		skip_rest(a, 2, "the server does not implement Cancel");
	else if (check_unknown_msgid(ctx, unknown, resp) > 0 && answered < 0)
		answered = 1;
	rootdse_agrees(dse, w.advertised, answered);
	for (i = 0; i < a->nchecks; i++)
		a->count[a->checks[i].verdict]++;
	return 0;
}

int li_audit_cancel(li_params *p, li_audit *out, li_error *err)
{
	audit_ctx ctx = { .p = p, .a = out };
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	snprintf(out->name, sizeof(out->name), "%s", p->name ? p->name : "");
	if (p->passwd) {
		ctx.passwd_len = p->passwd_len;
		ctx.passwd = malloc(p->passwd_len + 1);
		if (ctx.passwd == NULL)
			return li_usage_error(err, "audit", "out of memory");
		memcpy(ctx.passwd, p->passwd, p->passwd_len);
	}
	if (p->base && (ctx.base = strdup(p->base)) == NULL) {
		li_usage_error(err, "audit", "out of memory");
		goto out;
	}
	rc = audit(&ctx, err);
out:
	if (ctx.passwd) {
		explicit_bzero(ctx.passwd, ctx.passwd_len);
		free(ctx.passwd);
	}
	free(ctx.base);
	return rc;
}
