/* SPDX-License-Identifier: BSD-2-Clause */
/* ldapabandon --audit: RFC 4511 section 4.11's rules checked one by one,
 * each on a fresh connection, each check an ordinary run with its own
 * operation and trigger (check.c runs it). Abandon has no response: what a
 * check hears is what came back after the AbandonRequest within the
 * listening window (--wait of silence), and a search of the root DSE sent
 * on the same connection afterwards (the probe) says whether the
 * connection still serves. */
#include <stdio.h>
#include <string.h>

#include <ldap.h>

#include "check.h"

#define RFC "RFC 4511 section 4.11"
/* A few entries arrive before the Abandon: the search is running. */
#define AUDIT_AFTER_ENTRIES 2
/* Entries already on their way when the server read the Abandon (in its
 * own output queue and in both hosts' socket buffers) arrive within about
 * a round trip of it, plus the time to read those buffers: milliseconds,
 * and well under a second even on a slow wide-area link. An entry that
 * arrives later was produced after the Abandon reached the server: it did
 * not "cease transmitting immediately". */
#define AUDIT_SLOW_STOP_US 1000000LL
/* The least time the search alone is given (done_in_flight). */
#define AUDIT_ALONE_MIN_US 2000000LL

/* The Abandons of the checks that listened after them, for abandon-msgid. */
typedef struct abandons {
	int sent;
	unsigned long long answered; /* messages with an Abandon's own message ID */
	int64_t first;               /* the first Abandon answered */
} abandons;

static void count_abandon(abandons *ab, const audit_watch *w)
{
	if (w->abandon_msgid <= 0)
		return;
	ab->sent++;
	if (w->to_abandon && !ab->answered)
		ab->first = w->abandon_msgid;
	ab->answered += w->to_abandon;
}

/* The running search: everything under base, no attributes. */
static int set_subtree_search(audit_ctx *ctx, const char *base, li_error *err)
{
	static const char *const no_attrs[] = { LDAP_NO_ATTRS, NULL };
	li_search s = { .base = base, .scope = LDAP_SCOPE_SUBTREE, .filter = "(objectClass=*)", .attrs = no_attrs };

	audit_reset_trigger(ctx->p);
	return li_params_set_search(ctx->p, &s, err);
}

/* A search of the subtree, abandoned after a few entries; wait_us: the
 * listening window (-1: the user's --wait or the default). With probe,
 * the connection is probed afterwards. */
static int run_abandoned_search(audit_ctx *ctx, const char *base, int64_t wait_us, int probe, audit_watch *w,
				li_result *res, li_error *err)
{
	int64_t user_wait = ctx->p->wait_given ? ctx->p->wait_us : -1;
	int rc;

	ctx->probe = probe;
	rc = set_subtree_search(ctx, base, err) < 0 || li_params_set_interrupt(ctx->p, LI_INTERRUPT_ABANDON, err) < 0 ||
	     li_params_set_after_entries(ctx->p, AUDIT_AFTER_ENTRIES, err) < 0 ||
	     li_params_set_wait(ctx->p, wait_us >= 0 ? wait_us : user_wait, err) < 0 || audit_run(ctx, w, res, err) < 0;
	ctx->probe = 0;
	li_params_set_wait(ctx->p, user_wait, err);
	return rc ? -1 : 0;
}

static long long us_between(int64_t from_ns, int64_t to_ns)
{
	return (long long)((to_ns - from_ns) / 1000);
}

static unsigned long long entries_of(const li_result *res)
{
	return (unsigned long long)(res->entries[0] + res->entries[1] + res->refs[0] + res->refs[1]);
}

/* The search ended before the Abandon could act: nothing to judge. */
static int ended_first(li_check *c, const li_result *res, int in_flight)
{
	if (!res->op_done_before_interrupt && !in_flight)
		return 0;
	audit_verdict(c, LI_VERDICT_SKIP, "the search ended (%llu entries) before the Abandon could act; give -b naming a "
		      "larger subtree", entries_of(res));
	return 1;
}

/* A SearchResultDone followed the Abandon: the search's own end, already
 * on its way when the server read the Abandon, or an answer to it? The
 * same search again, not interrupted, tells: it ends with as many entries
 * (the Done was in flight: 1), with more (the server cut the search short
 * and still sent a Done: 0), or not within ten times as long (the Done
 * answered the Abandon: 0). -1 with err when it could not run. */
static int done_in_flight(audit_ctx *ctx, li_check *c, const char *base, const li_result *first, li_error *err)
{
	int64_t user_wait = ctx->p->wait_given ? ctx->p->wait_us : -1, user_timeout = ctx->p->timeout_us;
	int64_t bound = (first->op.t_ns - first->t_op_ns) / 1000 * 10;
	li_result res;
	audit_watch w;
	int rc;

	if (bound < AUDIT_ALONE_MIN_US)
		bound = AUDIT_ALONE_MIN_US;
	if (user_timeout > 0 && user_timeout < bound)
		bound = user_timeout;
	rc = set_subtree_search(ctx, base, err) < 0 || li_params_set_interrupt(ctx->p, LI_INTERRUPT_NONE, err) < 0 ||
	     li_params_set_wait(ctx->p, -1, err) < 0 || li_params_set_timeout(ctx->p, bound, err) < 0 ||
	     audit_run(ctx, &w, &res, err) < 0;
	ctx->p->timeout_us = user_timeout;
	li_params_set_wait(ctx->p, user_wait, err);
	if (rc)
		return -1;
	if (!res.op.seen)
		return 0;
	audit_evidence_n(c, "entries_alone", (long long)entries_of(&res));
	return entries_of(&res) == entries_of(first);
}

/* 2. A running search, abandoned: no more entries (but those in flight),
 * never a SearchResultDone. */
static void check_running_search(audit_ctx *ctx, li_check *c, const char *base, abandons *ab)
{
	li_result res;
	li_error err;
	audit_watch w;
	unsigned long long late;
	int in_flight = 0;

	if (base == NULL) {
		audit_verdict(c, LI_VERDICT_SKIP, "no search base: the root DSE names no naming context; give -b");
		return;
	}
	audit_evidence_s(c, "base", base);
	if (run_abandoned_search(ctx, base, -1, 0, &w, &res, &err) < 0) {
		audit_check_error(c, &err);
		return;
	}
	count_abandon(ab, &w);
	if (res.intr_sent && res.op.seen && !res.op_done_before_interrupt &&
	    (in_flight = done_in_flight(ctx, c, base, &res, &err)) < 0) {
		audit_check_error(c, &err);
		return;
	}
	if (ended_first(c, &res, in_flight))
		return;
	late = (unsigned long long)(res.entries[1] + res.refs[1]);
	audit_evidence_n(c, "entries_before_abandon", (long long)(res.entries[0] + res.refs[0]));
	audit_evidence_n(c, "entries_after_abandon", (long long)late);
	if (late && res.t_last_late_ns)
		audit_evidence_n(c, "last_after_abandon_us", us_between(res.t_intr_ns, res.t_last_late_ns));
	audit_evidence_n(c, "wait_us", (long long)res.wait_us);
	if (res.op.seen) {
		audit_evidence_n(c, "done_code", res.op.code);
		audit_evidence_n(c, "done_after_abandon_us", us_between(res.t_intr_ns, res.op.t_ns));
	}
	if (!res.intr_sent)
		audit_verdict(c, LI_VERDICT_FAIL, "the Abandon could not be sent (%s)", li_outcome_name(res.outcome));
	else if (res.op.seen)
		audit_verdict(c, LI_VERDICT_FAIL, "a SearchResultDone (%s, %d) arrived %.3f ms after the Abandon",
			      audit_code_name(res.op.code), res.op.code, (double)(res.op.t_ns - res.t_intr_ns) / 1e6);
	else if (res.still_sending || res.outcome == LI_OUTCOME_NO_RESPONSE)
		audit_verdict(c, LI_VERDICT_FAIL, "entries kept coming until the listening ended, %.3f s after the Abandon",
			      (double)(res.t_last_late_ns - res.t_intr_ns) / 1e9);
	else if (res.lost)
		audit_verdict(c, LI_VERDICT_WARN, "the connection ended after the Abandon: %s", res.lost_why);
	else if (late && us_between(res.t_intr_ns, res.t_last_late_ns) > AUDIT_SLOW_STOP_US)
		audit_verdict(c, LI_VERDICT_WARN, "entries kept coming for %.3f s after the Abandon: more than in-flight "
			      "entries take (%lld s)", (double)(res.t_last_late_ns - res.t_intr_ns) / 1e9,
			      AUDIT_SLOW_STOP_US / 1000000);
	else
		audit_verdict(c, LI_VERDICT_PASS, NULL);
}

/* 4, 5, 6: the connection after the Abandon: still open, and the probe
 * answered success. */
static void judge_connection(li_check *c, const li_result *res, const audit_watch *w)
{
	if (w->probe.seen)
		audit_evidence_n(c, "probe_code", w->probe.code);
	if (!res->intr_sent)
		audit_verdict(c, LI_VERDICT_FAIL, "the Abandon could not be sent (%s)", li_outcome_name(res->outcome));
	else if (res->lost)
		audit_verdict(c, LI_VERDICT_FAIL, "the connection ended after the Abandon: %s", res->lost_why);
	else if (!w->probe.seen)
		audit_verdict(c, LI_VERDICT_FAIL, "a search of the root DSE on the same connection afterwards got no answer "
			      "within %lld s", AUDIT_PROBE_WAIT_US / 1000000);
	else if (w->probe.code != LDAP_SUCCESS)
		audit_verdict(c, LI_VERDICT_FAIL, "a search of the root DSE on the same connection afterwards ended %s (%d)",
			      audit_code_name(w->probe.code), w->probe.code);
	else
		audit_verdict(c, LI_VERDICT_PASS, NULL);
}

/* 4, 5: nothing may answer the Abandon, and the connection serves on. */
static void judge_ignored(li_check *c, const li_result *res, const audit_watch *w)
{
	audit_evidence_n(c, "responses", (long long)w->after_abandon);
	judge_connection(c, res, w);
	if (res->intr_sent && w->after_abandon)
		audit_verdict(c, LI_VERDICT_FAIL, "%llu messages arrived after the Abandon", w->after_abandon);
}

/* The operation set on ctx->p, abandoned, listened after, then the probe. */
static int run_probed(audit_ctx *ctx, abandons *ab, audit_watch *w, li_result *res, li_error *err)
{
	int rc;

	ctx->probe = 1;
	rc = li_params_set_interrupt(ctx->p, LI_INTERRUPT_ABANDON, err) < 0 || audit_run(ctx, w, res, err) < 0;
	ctx->probe = 0;
	if (rc)
		return -1;
	count_abandon(ab, w);
	return 0;
}

/* 4. An Abandon of a message ID the connection never used. */
static void check_unknown_msgid(audit_ctx *ctx, li_check *c, abandons *ab)
{
	li_result res;
	li_error err;
	audit_watch w;

	audit_evidence_n(c, "msgid", AUDIT_UNUSED_MSGID);
	audit_reset_trigger(ctx->p);
	if (li_params_set_no_operation(ctx->p, AUDIT_UNUSED_MSGID, &err) < 0 || run_probed(ctx, ab, &w, &res, &err) < 0) {
		audit_check_error(c, &err);
		return;
	}
	judge_ignored(c, &res, &w);
}

/* 5. An Abandon of a search that has completed: the root DSE's, abandoned
 * once its result is in (li_params_set_interrupt_late). */
static void check_completed_op(audit_ctx *ctx, li_check *c, abandons *ab)
{
	static const char *const no_attrs[] = { LDAP_NO_ATTRS, NULL };
	li_search s = { .base = "", .scope = LDAP_SCOPE_BASE, .filter = "(objectClass=*)", .attrs = no_attrs };
	li_result res;
	li_error err;
	audit_watch w;

	audit_reset_trigger(ctx->p);
	if (li_params_set_search(ctx->p, &s, &err) < 0 || li_params_set_after(ctx->p, LI_NEVER, &err) < 0 ||
	    li_params_set_interrupt_late(ctx->p, 1, &err) < 0 || run_probed(ctx, ab, &w, &res, &err) < 0) {
		audit_check_error(c, &err);
		return;
	}
	audit_evidence_n(c, "msgid", (long long)res.op_msgid);
	if (res.op.seen)
		audit_evidence_n(c, "search_code", res.op.code);
	if (res.intr_sent && res.trigger != LI_TRIGGER_RESULT)
		audit_verdict(c, LI_VERDICT_SKIP, "the search of the root DSE had not completed when the Abandon went out");
	else
		judge_ignored(c, &res, &w);
}

/* 6. A running search abandoned, and at once (no listening) a search of
 * the root DSE on the same connection. */
static void check_connection_usable(audit_ctx *ctx, li_check *c, const char *base, abandons *ab)
{
	li_result res;
	li_error err;
	audit_watch w;

	if (base == NULL) {
		audit_verdict(c, LI_VERDICT_SKIP, "no search base: the root DSE names no naming context; give -b");
		return;
	}
	audit_evidence_s(c, "base", base);
	if (run_abandoned_search(ctx, base, 0, 1, &w, &res, &err) < 0) {
		audit_check_error(c, &err);
		return;
	}
	count_abandon(ab, &w);
	if (ended_first(c, &res, 0))
		return;
	audit_evidence_n(c, "entries_before_abandon", (long long)(res.entries[0] + res.refs[0]));
	judge_connection(c, &res, &w);
}

/* 3, last: every Abandon the other checks sent and listened after. */
static void check_abandon_msgid(li_check *c, const abandons *ab)
{
	audit_evidence_n(c, "abandons", ab->sent);
	audit_evidence_n(c, "responses", (long long)ab->answered);
	if (ab->sent == 0)
		audit_verdict(c, LI_VERDICT_SKIP, "no Abandon was sent");
	else if (ab->answered)
		audit_verdict(c, LI_VERDICT_FAIL, "%llu messages arrived with an Abandon's own message ID (first: %lld)",
			      ab->answered, (long long)ab->first);
	else
		audit_verdict(c, LI_VERDICT_PASS, NULL);
}

static int audit(audit_ctx *ctx, li_error *err)
{
	li_audit *a = ctx->a;
	li_check *dse, *search, *own, *unknown, *completed, *usable;
	abandons ab = { 0 };
	audit_watch w;
	const char *base;

	dse = audit_check_new(a, "rootdse", "the root DSE names the subtree to search (namingContexts)",
			      "RFC 4512 section 5.1");
	search = audit_check_new(a, "running-search", "a running search, abandoned, stops sending entries and never "
				 "sends SearchResultDone", RFC);
	own = audit_check_new(a, "abandon-msgid", "nothing is sent with an AbandonRequest's own message ID", RFC);
	unknown = audit_check_new(a, "unknown-msgid", "an Abandon of a message ID never used is ignored; the connection "
				  "still serves", RFC);
	completed = audit_check_new(a, "completed-op", "an Abandon of a completed operation is ignored; the connection "
				    "still serves", RFC);
	usable = audit_check_new(a, "connection-usable", "after a running search is abandoned, a search on the same "
				 "connection succeeds", RFC);
	if (!audit_step(ctx, dse))
		return 0;
	if (audit_check_rootdse(ctx, dse, &w, err) < 0)
		return audit_stopped(ctx) ? 0 : -1;
	base = ctx->base ? ctx->base : w.naming_context[0] ? w.naming_context : NULL;
	if (audit_step(ctx, search))
		check_running_search(ctx, search, base, &ab);
	if (audit_step(ctx, unknown))
		check_unknown_msgid(ctx, unknown, &ab);
	if (audit_step(ctx, completed))
		check_completed_op(ctx, completed, &ab);
	if (audit_step(ctx, usable))
		check_connection_usable(ctx, usable, base, &ab);
	if (audit_step(ctx, own))
		check_abandon_msgid(own, &ab);
	audit_step(ctx, NULL);
	return 0;
}

int li_audit_abandon(li_params *p, li_audit *out, li_error *err)
{
	audit_ctx ctx;
	int rc;

	if (p->wait_given && p->wait_us == 0)
		return li_usage_error(err, "wait", "the audit listens after each Abandon: a wait of 0 hears nothing");
	if (audit_begin(&ctx, p, out, err) < 0)
		return -1;
	out->interrupt = LI_INTERRUPT_ABANDON;
	rc = audit(&ctx, err);
	audit_end(&ctx);
	return rc;
}
