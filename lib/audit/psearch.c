/* SPDX-License-Identifier: BSD-2-Clause */
/* ldapcancel --audit's persistent-search check: a refreshAndPersist
 * search (RFC 4533) of the entry the user named, cancelled in its persist
 * phase. A Cancel during the refresh can crash slapd 2.5.13's syncprov,
 * and the SyncInfo that ends the refresh is no proof the refresh is over:
 * syncprov sends it just before it moves the search to its persist phase
 * (detaches it), and a Cancel in between races that move. A change the
 * search reports is the proof: syncprov sends changes only to searches
 * in their persist phase. So once the refresh's SyncInfo is in, the
 * check changes the entry on a connection of its own, and the Cancel goes
 * out when that change arrives; the entry's values are put back after. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <ldap.h>

#include "buf.h"
#include "config.h"
#include "entry.h"
#include "psearch.h"

/* A refresh of one entry that has not ended by then, or a change that
 * has not reached the search, will not: the search is stopped, with no
 * Cancel. */
#define STALL_NS (10LL * 1000 * 1000 * 1000)

typedef struct psearch {
	audit_ctx *ctx;
	li_params *user;      /* the checks' parameters: the change is made with them */
	li_params *search;    /* the search's own, with the Sync control */
	const char *dn;
	li_buf *ldif;
	audit_values *mark;
	audit_watch w;
	int refresh_done;
	int changed;          /* 1 the change was made, -1 it failed */
	int stalled;          /* stopped: 1 in the refresh, 2 waiting for the change */
	unsigned long long refresh_entries, persist_entries;
} psearch;

/* A SyncInfo that ends the refresh (refreshDone is TRUE by default). */
static int ends_refresh(const li_event *ev)
{
	const li_field *info = li_field_find(li_event_fields(ev), "syncinfo"), *kind, *done;

	if (info == NULL)
		return 0;
	kind = li_field_find(info, "kind");
	if (!audit_field_is(kind, "refreshPresent") && !audit_field_is(kind, "refreshDelete"))
		return 0;
	done = li_field_find(info, "refreshDone");
	return done == NULL || li_field_int(done) != 0;
}

static void on_search(void *arg, const li_event *ev);

/* The change, with the checks' parameters, while the search's run waits
 * (its parameters are its own). It runs inside that run's entry callback:
 * a run of its own, on its own connection and libldap session, which the
 * search's run does not share. */
static void change_entry(psearch *ps)
{
	audit_ctx *ctx = ps->ctx;
	li_params *search = ctx->p;
	li_progress_fn progress = ctx->progress_hook;

	ctx->p = ps->user;
	ctx->progress_hook = NULL;
	ps->changed = audit_values_write(ctx, ps->ldif, ps->dn, ps->mark) ? 1 : -1;
	ctx->p = search;
	ctx->progress_hook = progress;
	ctx->entry_hook = on_search;
	ctx->entry_hook_arg = ps;
}

/* The search's messages: the refresh's end, then the change. li_run_signal
 * is the run's "interrupt now" (SIGINT) and "stop" (SIGTERM). */
static void on_search(void *arg, const li_event *ev)
{
	psearch *ps = arg;
	const char *op;

	if (ev == NULL || li_event_kind(ev) != LI_EVENT_MESSAGE)
		return;
	op = li_event_op(ev);
	if (strcmp(op, "SearchResultEntry") == 0) {
		if (!ps->refresh_done)
			ps->refresh_entries++;
		else if (ps->changed > 0 && ps->persist_entries++ == 0)
			li_run_signal(ps->w.run, SIGINT);
	} else if (strcmp(op, "IntermediateResponse") == 0 && !ps->refresh_done && ends_refresh(ev)) {
		ps->refresh_done = 1;
		change_entry(ps);
		if (ps->changed < 0)
			li_run_signal(ps->w.run, SIGTERM);
	}
}

static void on_progress(void *arg, const li_progress *p)
{
	psearch *ps = arg;

	if (p->phase != LI_PHASE_TRIGGER || ps->stalled || p->phase_ns <= STALL_NS)
		return;
	if (!ps->refresh_done || (ps->changed > 0 && ps->persist_entries == 0)) {
		ps->stalled = ps->refresh_done ? 2 : 1;
		li_run_signal(ps->w.run, SIGTERM);
	}
}

/* The search's parameters: the checks' connection, the Sync control. */
static int search_params(psearch *ps, li_error *err)
{
	static const char *const attrs[] = { AUDIT_ATTR, NULL };
	li_search s = { .base = ps->dn, .scope = LDAP_SCOPE_BASE, .filter = "(objectClass=*)", .attrs = attrs };

	ps->search = li_params_new();
	if (ps->search == NULL)
		return li_usage_error(err, "audit", "out of memory");
	/* No --timeout: its deadline would send the Cancel, maybe in the
	 * refresh; on_progress stops a search that stalls instead. */
	return li_params_copy_connection(ps->search, ps->user, ps->ctx->passwd, ps->ctx->passwd_len, err) < 0 ||
	       li_params_set_timeout(ps->search, LI_NEVER, err) < 0 ||
	       li_params_set_search(ps->search, &s, err) < 0 || li_params_add_control_text(ps->search, "sync=rp", 1, err) < 0 ||
	       li_params_set_interrupt(ps->search, LI_INTERRUPT_CANCEL, err) < 0 ||
	       li_params_set_after(ps->search, LI_NEVER, err) < 0 ? -1 : 0;
}

/* The search's run: 0 with res, or -1 with err. */
static int run_search(psearch *ps, li_result *res, li_error *err)
{
	audit_ctx *ctx = ps->ctx;
	int rc;

	if (search_params(ps, err) < 0)
		return -1;
	ctx->p = ps->search;
	ctx->entry_hook = on_search;
	ctx->entry_hook_arg = ps;
	ctx->progress_hook = on_progress;
	ctx->progress_hook_arg = ps;
	rc = audit_run(ctx, &ps->w, res, err);
	ctx->entry_hook = NULL;
	ctx->entry_hook_arg = NULL;
	ctx->progress_hook = NULL;
	ctx->progress_hook_arg = NULL;
	ctx->p = ps->user;
	return rc;
}

static void judge(li_check *c, const psearch *ps, const li_result *res)
{
	audit_evidence_n(c, "refresh_entries", (long long)ps->refresh_entries);
	audit_evidence_n(c, "persist_entries", (long long)ps->persist_entries);
	audit_evidence_answers(c, res);
	audit_evidence_n(c, "after_result", (long long)ps->w.after_result);
	if (!res->intr_sent)
		audit_verdict(c, LI_VERDICT_SKIP, "the search ended %s (%d) before its persist phase",
			res->op.seen ? audit_code_name(res->op.code) : li_outcome_name(res->outcome), res->op.code);
	else
		audit_judge_canceled(c, res, ps->w.after_result);
}

/* The search, its verdict; the entry's values put back when changed. */
static void cancelled_search(psearch *ps, li_check *c, const audit_values *before)
{
	li_result res;
	li_error err;
	int rc;

	audit_marker(ps->ctx, "a change for a persistent search", ps->mark);
	rc = run_search(ps, &res, &err);
	if (ps->stalled == 1)
		audit_verdict(c, LI_VERDICT_SKIP, "the refresh did not end within 10 s: no Cancel is sent during a refresh");
	else if (ps->stalled)
		audit_verdict(c, LI_VERDICT_SKIP, "the change did not reach the search within 10 s: stopped without a Cancel");
	else if (ps->changed < 0)
		audit_verdict(c, LI_VERDICT_SKIP, "the change that starts the persist phase was refused; name an entry "
			      "the bind may modify");
	else if (rc < 0)
		audit_check_error(c, &err);
	else
		judge(c, ps, &res);
	if (ps->changed > 0)
		audit_evidence_n(c, "restored", audit_values_restore(ps->ctx, ps->ldif, ps->dn, before));
}

void audit_check_psearch(audit_ctx *ctx, li_check *c, int advertised)
{
	psearch ps = { .ctx = ctx, .user = ctx->p, .dn = ctx->p->audit_base };
	audit_values *before = NULL;

	if (!advertised) {
		audit_verdict(c, LI_VERDICT_SKIP, "the root DSE does not list the Sync control (" AUDIT_SYNC_OID
			      ") in supportedControl");
		return;
	}
	if (ps.dn == NULL) {
		audit_verdict(c, LI_VERDICT_SKIP, "no --audit-base: the Cancel waits for a change to that entry, the "
			      "proof that the refresh is over");
		return;
	}
	before = malloc(sizeof(*before));
	ps.mark = malloc(sizeof(*ps.mark));
	ps.ldif = li_buf_new();
	if (before == NULL || ps.mark == NULL || ps.ldif == NULL) {
		audit_verdict(c, LI_VERDICT_FAIL, "out of memory");
	} else if (audit_values_read(ctx, c, ps.dn, before) == 0) {
		if (before->overflow)
			audit_verdict(c, LI_VERDICT_SKIP, "the entry's " AUDIT_ATTR " has more values than could be put back");
		else
			cancelled_search(&ps, c, before);
	}
	li_params_free(ps.search);
	li_buf_free(ps.ldif);
	free(ps.mark);
	free(before);
}
