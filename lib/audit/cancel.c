/* SPDX-License-Identifier: BSD-2-Clause */
/* ldapcancel --audit: RFC 3909's rules checked one by one, each on a
 * fresh connection, each check an ordinary run with its own operation and
 * trigger (check.c runs it). */
#include <stdio.h>
#include <string.h>

#include <ldap.h>

#include "check.h"
#include "psearch.h"
#include "write.h"

/* WhoAmI (RFC 4532): an operation every server answers at once. */
#define AUDIT_WHOAMI_OID "1.3.6.1.4.1.4203.1.11.3"

/* A few entries arrive before the Cancel: the search is running. */
#define AUDIT_AFTER_ENTRIES 2

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
		audit_verdict(c, LI_VERDICT_SKIP, "no search base: the root DSE names no naming context; give -b");
		return -1;
	}
	audit_evidence_s(c, "base", base);
	audit_reset_trigger(ctx->p);
	if (li_params_set_search(ctx->p, &s, &err) < 0 || li_params_set_interrupt(ctx->p, LI_INTERRUPT_CANCEL, &err) < 0 ||
	    li_params_set_after_entries(ctx->p, AUDIT_AFTER_ENTRIES, &err) < 0 || audit_run(ctx, &w, &res, &err) < 0) {
		audit_check_error(c, &err);
		return -1;
	}
	if (res.outcome == LI_OUTCOME_UNSUPPORTED) {
		ctx->a->unsupported = 1;
		audit_evidence_n(c, "cancel_code", res.intr.code);
		audit_verdict(c, LI_VERDICT_FAIL, "the server does not implement Cancel: it answered %s (%d)",
			audit_code_name(res.intr.code), res.intr.code);
		return 0;
	}
	/* Done before the server saw the Cancel: nothing to judge. */
	if (res.op_done_before_interrupt || (res.op.seen && res.op.code == LDAP_SUCCESS && res.intr.seen &&
					     (res.intr.code == LDAP_NO_SUCH_OPERATION || res.intr.code == LDAP_TOO_LATE))) {
		audit_verdict(c, LI_VERDICT_SKIP, "the search ended (%llu entries) before the Cancel could act; give -b naming a larger subtree",
			(unsigned long long)(res.entries[0] + res.entries[1]));
		return -1;
	}
	audit_evidence_n(c, "entries_before_cancel", (long long)res.entries[0]);
	audit_evidence_n(c, "entries_after_cancel", (long long)res.entries[1]);
	audit_evidence_answers(c, &res);
	audit_evidence_n(c, "after_result", (long long)w.after_result);
	audit_judge_canceled(c, &res, w.after_result);
	return res.intr.seen ? 1 : -1;
}

/* 3. A message ID never used; 5. the Cancel response of that exchange.
 * 1 when the Cancel was answered with a code of RFC 3909's, 0 when the
 * server does not implement Cancel, else -1. */
static int check_unknown_msgid(audit_ctx *ctx, li_check *c, li_check *resp)
{
	li_result res;
	li_error err;
	audit_watch w;

	audit_evidence_n(c, "msgid", AUDIT_UNUSED_MSGID);
	audit_reset_trigger(ctx->p);
	if (li_params_set_no_operation(ctx->p, AUDIT_UNUSED_MSGID, &err) < 0 ||
	    li_params_set_interrupt(ctx->p, LI_INTERRUPT_CANCEL, &err) < 0 || audit_run(ctx, &w, &res, &err) < 0) {
		audit_check_error(c, &err);
		audit_verdict(resp, LI_VERDICT_SKIP, "no Cancel response: %s", c->reason);
		return -1;
	}
	if (res.intr.seen)
		audit_evidence_n(c, "cancel_code", res.intr.code);
	/* No search ran (no naming context): this Cancel is the first. */
	if (res.outcome == LI_OUTCOME_UNSUPPORTED) {
		ctx->a->unsupported = 1;
		audit_verdict(c, LI_VERDICT_FAIL, "the server does not implement Cancel: it answered %s (%d)",
			audit_code_name(res.intr.code), res.intr.code);
		return 0;
	}
	if (res.intr.seen && res.intr.code == LDAP_NO_SUCH_OPERATION)
		audit_verdict(c, LI_VERDICT_PASS, NULL);
	else if (res.intr.seen)
		audit_verdict(c, LI_VERDICT_FAIL, "the Cancel was answered %s (%d), not noSuchOperation (119)",
			audit_code_name(res.intr.code), res.intr.code);
	else
		audit_verdict(c, LI_VERDICT_FAIL, "the Cancel was not answered (%s)", li_outcome_name(res.outcome));

	if (!w.response_seen) {
		audit_verdict(resp, LI_VERDICT_SKIP, "no Cancel response to look at");
		return -1;
	}
	audit_evidence_n(resp, "request_msgid", (long long)w.cancel_msgid);
	audit_evidence_n(resp, "response_msgid", (long long)w.response_msgid);
	audit_evidence_n(resp, "response_name", w.response_name);
	audit_evidence_n(resp, "response_value", w.response_value);
	if (w.response_msgid != w.cancel_msgid)
		audit_verdict(resp, LI_VERDICT_FAIL, "the response's message ID is not the request's");
	else if (w.response_name || w.response_value)
		audit_verdict(resp, LI_VERDICT_FAIL, "the response carries a %s", w.response_name ? "responseName" : "responseValue");
	else
		audit_verdict(resp, LI_VERDICT_PASS, NULL);
	return res.intr.code >= LDAP_CANCELLED && res.intr.code <= LDAP_CANNOT_CANCEL ? 1 : -1;
}

/* 4. An operation that has completed, cancelled once its result is in: a
 * WhoAmI (RFC 4532), which any server answers at once, whether it
 * implements it or not (the answer completes it either way). */
static void check_completed(audit_ctx *ctx, li_check *c)
{
	li_result res;
	li_error err;
	audit_watch w;
	int rc;

	audit_reset_trigger(ctx->p);
	rc = li_params_set_exop(ctx->p, AUDIT_WHOAMI_OID, NULL, 0, &err) < 0 ||
	     li_params_set_interrupt(ctx->p, LI_INTERRUPT_CANCEL, &err) < 0 ||
	     li_params_set_after(ctx->p, LI_NEVER, &err) < 0 || li_params_set_interrupt_late(ctx->p, 1, &err) < 0 ||
	     audit_run(ctx, &w, &res, &err) < 0;
	li_params_set_interrupt_late(ctx->p, 0, &err);
	if (rc) {
		audit_check_error(c, &err);
		return;
	}
	audit_evidence_answers(c, &res);
	if (res.trigger != LI_TRIGGER_RESULT)
		audit_verdict(c, LI_VERDICT_SKIP, "the WhoAmI was not answered (%s): no completed operation to cancel",
			li_outcome_name(res.outcome));
	else if (!res.intr.seen)
		audit_verdict(c, LI_VERDICT_FAIL, "the Cancel was not answered (%s)", li_outcome_name(res.outcome));
	else if (res.intr.code != LDAP_NO_SUCH_OPERATION && res.intr.code != LDAP_TOO_LATE)
		audit_verdict(c, LI_VERDICT_FAIL, "the Cancel was answered %s (%d), not noSuchOperation (119) or tooLate (120)",
			audit_code_name(res.intr.code), res.intr.code);
	else
		audit_verdict(c, LI_VERDICT_PASS, NULL);
}

/* 1, later: what the root DSE says against what the server did
 * (answered: 1 the Cancel was answered, 0 it is not implemented, -1 the
 * search check did not tell). */
static void rootdse_agrees(li_check *c, int advertised, int answered)
{
	if (c->verdict == LI_VERDICT_WARN || answered < 0)
		return;
	if (advertised && answered)
		audit_verdict(c, LI_VERDICT_PASS, NULL);
	else if (advertised)
		audit_verdict(c, LI_VERDICT_FAIL, "Cancel is advertised, yet the server does not implement it");
	else if (answered)
		audit_verdict(c, LI_VERDICT_WARN, "Cancel is not advertised, yet the server answers it");
	else
		audit_verdict(c, LI_VERDICT_PASS, "Cancel is neither advertised nor implemented");
}

/* RFC 3909 section 3: Abandon, Bind, Start TLS, Unbind and Cancel cannot
 * be cancelled. A Cancel naming one means something only while that one
 * is in flight, and no client can make sure of that: each row says why it
 * is not run, so that the rule's absence from the verdicts is explained. */
static const struct cannot_row {
	const char *id, *what, *why;
} cannot_rows[] = {
	{ "cannot-cancel-bind", "a Cancel of a Bind in flight is answered cannotCancel (121)",
	  "no request may follow a Bind before its response (RFC 4511 section 4.2.1): a Cancel of a Bind in "
	  "flight cannot be sent" },
	{ "cannot-cancel-starttls", "a Cancel of a StartTLS in flight is answered cannotCancel (121)",
	  "no request may follow a StartTLS before its response (RFC 4511 section 4.14.1): a Cancel of one in "
	  "flight cannot be sent" },
	{ "cannot-cancel-unbind", "a Cancel of an Unbind is answered cannotCancel (121)",
	  "an Unbind ends the session (RFC 4511 section 4.3): a Cancel after it is never read" },
	{ "cannot-cancel-abandon", "a Cancel of an Abandon in flight is answered cannotCancel (121)",
	  "an Abandon has no response and is over when the server has read it: a Cancel naming it finds it "
	  "(121) or not (119) by the server's timing alone" },
	{ "cannot-cancel-cancel", "a Cancel of a Cancel in flight is answered cannotCancel (121)",
	  "a Cancel is in flight only until the operation it names ends: a second Cancel naming it finds it or "
	  "not by the server's timing alone" },
};

static void cannot_cancel(audit_ctx *ctx)
{
	size_t i;

	for (i = 0; i < sizeof(cannot_rows) / sizeof(cannot_rows[0]); i++) {
		li_check *c = audit_check_new(ctx->a, cannot_rows[i].id, cannot_rows[i].what, "RFC 3909 section 3");

		audit_verdict(c, LI_VERDICT_SKIP, "%s", cannot_rows[i].why);
		audit_over(ctx, c);
	}
}

static int audit(audit_ctx *ctx, li_error *err)
{
	li_audit *a = ctx->a;
	li_check *dse, *search, *unknown, *resp, *completed, *write, *psearch;
	audit_watch w;
	const char *base;
	int answered, rc, from = 2;

	dse = audit_check_new(a, "rootdse", "the root DSE lists Cancel (1.3.6.1.1.8) in supportedExtension", "RFC 3909 section 2");
	search = audit_check_new(a, "running-search", "a running search, cancelled, ends canceled (118); the Cancel answers success (0)",
				 "RFC 3909 section 2");
	unknown = audit_check_new(a, "unknown-msgid", "a Cancel of a message ID never used is answered noSuchOperation (119)",
			    "RFC 3909 section 2");
	resp = audit_check_new(a, "cancel-response", "the Cancel response has the request's message ID, no responseName or responseValue",
			 "RFC 3909 section 2.2");
	completed = audit_check_new(a, "completed-op", "a Cancel of an operation that has completed is answered "
				    "noSuchOperation (119) or tooLate (120)", "RFC 3909 section 3");
	write = audit_check_new(a, "write-cancel", "a modify cancelled at once ends tooLate (120) with the change made, "
				"or canceled (118) without it", "RFC 3909 section 3");
	psearch = audit_check_new(a, "persistent-search", "a refreshAndPersist search, cancelled in its persist phase, "
				  "ends canceled (118); the Cancel answers success (0)", "RFC 3909 section 3");
	cannot_cancel(ctx);
	if (!audit_step(ctx, dse))
		return 0;
	if (audit_check_rootdse(ctx, dse, &w, err) < 0)
		return audit_stopped(ctx) ? 0 : -1;
	base = ctx->base ? ctx->base : w.naming_context[0] ? w.naming_context : NULL;
	answered = audit_step(ctx, search) ? check_running_search(ctx, search, base) : -1;
	if (!a->unsupported && audit_step(ctx, unknown)) {
		from = 3;
		rc = check_unknown_msgid(ctx, unknown, resp);
		audit_over(ctx, resp);
		if (answered < 0 && rc >= 0)
			answered = rc;
	}
	if (a->unsupported) {
		audit_step(ctx, NULL);
		audit_skip_rest(ctx, from, "the server does not implement Cancel");
	} else {
		if (audit_step(ctx, completed))
			check_completed(ctx, completed);
		if (audit_step(ctx, write))
			audit_check_write(ctx, write);
		if (audit_step(ctx, psearch))
			audit_check_psearch(ctx, psearch, w.sync_advertised);
		audit_step(ctx, NULL);
	}
	if (!audit_stopped(ctx))
		rootdse_agrees(dse, w.advertised, answered);
	return 0;
}

int li_audit_cancel(li_params *p, li_audit *out, li_error *err)
{
	audit_ctx ctx;
	int rc;

	if (audit_begin(&ctx, p, out, err) < 0)
		return -1;
	rc = audit(&ctx, err);
	audit_end(&ctx);
	return rc;
}
