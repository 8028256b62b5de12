/* SPDX-License-Identifier: BSD-2-Clause */
#include "inject.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lber.h>
#include <ldap.h>

#include "outcome.h"
#include "params.h"
#include "parse.h"
#include "wire.h"

#define NS_PER_US 1000LL
#define MSGID_MAX 2147483647LL
/* Client message IDs this high are rare: the few seen are remembered, so
 * that the relay's own never reuse one. */
#define HIGH_MSGID (1LL << 30)
#define MAX_HIGH 64

typedef struct target {
	struct target *next;
	li_result res;    /* as a run's result, filled as the session goes */
	int64_t due_ns;   /* --after's moment; 0: none */
	int window_over;
	char op_text[64];
} target;

struct li_inject {
	li_interrupt type;
	ber_tag_t tag;        /* the client requests to interrupt */
	const char *op_type;
	const char *name, *uri;
	int64_t after_us;     /* LI_NEVER: no timer */
	long long after_entries;
	int64_t wait_us;
	int64_t next_own;     /* the relay's next message ID */
	int64_t high[MAX_HIGH]; /* high IDs the client used */
	int nhigh;
	target *targets;
	target *sending;      /* handed out by li_inject_next */
	BerElement *ber;
	li_result out;
	char out_text[64];
};

static const struct {
	ber_tag_t tag;
	const char *name;
} ops[] = {
	[LI_OP_SEARCH] = { LDAP_REQ_SEARCH, "search" },   [LI_OP_COMPARE] = { LDAP_REQ_COMPARE, "compare" },
	[LI_OP_DELETE] = { LDAP_REQ_DELETE, "delete" },   [LI_OP_MODRDN] = { LDAP_REQ_MODDN, "modrdn" },
	[LI_OP_ADD] = { LDAP_REQ_ADD, "add" },            [LI_OP_MODIFY] = { LDAP_REQ_MODIFY, "modify" },
	[LI_OP_EXOP] = { LDAP_REQ_EXTENDED, "exop" },
};

li_inject *li_inject_new(const li_params *p, int op, const char *uri)
{
	li_inject *in;

	if (p->interrupt == LI_INTERRUPT_NONE || op < 0 || (size_t)op >= sizeof(ops) / sizeof(ops[0]) ||
	    ops[op].name == NULL)
		return NULL;
	in = calloc(1, sizeof(*in));
	if (in == NULL)
		return NULL;
	in->type = p->interrupt;
	in->tag = ops[op].tag;
	in->op_type = ops[op].name;
	in->name = p->name;
	in->uri = uri;
	in->after_us = p->after_us;
	in->after_entries = p->after_entries;
	in->wait_us = p->wait_us;
	in->next_own = MSGID_MAX;
	return in;
}

void li_inject_free(li_inject *in)
{
	target *t;

	if (in == NULL)
		return;
	while ((t = in->targets) != NULL) {
		in->targets = t->next;
		free(t);
	}
	if (in->ber)
		ber_free(in->ber, 1);
	free(in);
}

/* ---- message IDs ---- */

static int client_used(const li_inject *in, int64_t id)
{
	int i;

	for (i = 0; i < in->nhigh; i++)
		if (in->high[i] == id)
			return 1;
	return 0;
}

static int is_own(const li_inject *in, int64_t id)
{
	return id > in->next_own && id <= MSGID_MAX && !client_used(in, id);
}

static int64_t take_own(li_inject *in)
{
	while (client_used(in, in->next_own))
		in->next_own--;
	return in->next_own--;
}

/* ---- the client's requests ---- */

static target *find(li_inject *in, int64_t msgid, int by_intr)
{
	target *t;

	for (t = in->targets; t; t = t->next)
		if ((by_intr ? t->res.intr_msgid : t->res.op_msgid) == msgid && (!by_intr || t->res.intr_sent))
			return t;
	return NULL;
}

static void drop(li_inject *in, target *gone)
{
	target **pp;

	for (pp = &in->targets; *pp; pp = &(*pp)->next)
		if (*pp == gone) {
			*pp = gone->next;
			break;
		}
	if (in->sending == gone)
		in->sending = NULL;
	free(gone);
}

static void track(li_inject *in, const li_pdu *p, int64_t t_ns)
{
	target *t = calloc(1, sizeof(*t));
	li_result *r;

	if (t == NULL)
		return; /* this operation is relayed, not interrupted */
	r = &t->res;
	r->name = in->name;
	r->interrupt = in->type;
	r->uri = in->uri;
	r->has_op = 1;
	r->search = in->tag == LDAP_REQ_SEARCH;
	r->op_type = in->op_type;
	snprintf(t->op_text, sizeof(t->op_text), "the client's %s", in->op_type);
	r->op_text = t->op_text;
	r->target = r->op_msgid = p->msgid;
	r->intr_msgid = -1;
	r->after_us = in->after_us;
	r->after_entries = in->after_entries;
	r->wait_us = in->wait_us;
	r->t_op_ns = t_ns;
	if (in->after_us != LI_NEVER)
		t->due_ns = t_ns + in->after_us * NS_PER_US;
	t->next = in->targets;
	in->targets = t;
}

void li_inject_request(li_inject *in, const li_pdu *p, int64_t t_ns)
{
	target *t;

	if (p->error)
		return;
	if (p->msgid > HIGH_MSGID && !client_used(in, p->msgid) && in->nhigh < MAX_HIGH)
		in->high[in->nhigh++] = p->msgid;
	if (p->tag == in->tag && p->msgid > 0 && !is_own(in, p->msgid))
		track(in, p, t_ns);
	/* The client abandoned the operation itself before the trigger: it is
	 * not the relay's to interrupt any more. */
	if (p->tag == LDAP_REQ_ABANDON && (t = find(in, p->target, 0)) != NULL && !t->res.intr_sent)
		drop(in, t);
}

/* ---- the server's answers ---- */

static void op_message(li_inject *in, target *t, const li_pdu *p, int64_t t_ns)
{
	li_result *r = &t->res;
	int after = r->intr_sent;

	if (r->t_first_ns == 0)
		r->t_first_ns = t_ns;
	r->t_last_ns = t_ns;
	if (after)
		r->t_last_late_ns = t_ns;
	if (p->tag == LDAP_RES_SEARCH_ENTRY)
		r->entries[after]++;
	else if (p->tag == LDAP_RES_SEARCH_REFERENCE)
		r->refs[after]++;
	else if (p->tag == LDAP_RES_INTERMEDIATE)
		r->intermediates[after]++;
	else if (p->is_final && !r->op.seen) {
		li_reply_record(&r->op, p, t_ns);
		r->op_done_before_interrupt = !after;
	}
	/* --after-entries fires as the Nth entry passes. */
	if (p->is_entry && !after && r->trigger == LI_TRIGGER_NONE && in->after_entries >= 0 &&
	    r->entries[0] + r->refs[0] >= (unsigned long long)in->after_entries) {
		r->trigger = LI_TRIGGER_AFTER_ENTRIES;
		r->t_trigger_ns = t_ns;
	}
}

static void lose(target *t, int64_t t_ns, const char *why)
{
	if (t->res.lost)
		return;
	t->res.lost = 1;
	t->res.t_lost_ns = t_ns;
	snprintf(t->res.lost_why, sizeof(t->res.lost_why), "%s", why);
}

int li_inject_response(li_inject *in, const li_pdu *p, int64_t t_ns)
{
	target *t;

	if (p->error)
		return 0;
	if (is_own(in, p->msgid)) {
		t = find(in, p->msgid, 1);
		if (t && p->is_final && !t->res.intr.seen)
			li_reply_record(&t->res.intr, p, t_ns);
		return 1;
	}
	if (li_pdu_is_notice_of_disconnection(p)) {
		for (t = in->targets; t; t = t->next) {
			t->res.nod_seen = 1;
			li_reply_record(&t->res.nod, p, t_ns);
			lose(t, t_ns, "Notice of Disconnection");
		}
		return 0;
	}
	if (p->msgid > 0 && (t = find(in, p->msgid, 0)) != NULL)
		op_message(in, t, p, t_ns);
	return 0;
}

/* ---- triggers ---- */

static int waiting(const target *t)
{
	return !t->res.intr_sent && !t->res.op.seen && !t->res.lost;
}

int li_inject_awaiting(const li_inject *in)
{
	const target *t;

	if (in == NULL || in->type != LI_INTERRUPT_CANCEL)
		return 0;
	for (t = in->targets; t; t = t->next)
		if (t->res.intr_sent && !t->res.intr.seen && !t->window_over && !t->res.lost)
			return 1;
	return 0;
}

static int64_t window_end(const li_inject *in, const target *t, int *capped)
{
	return li_window_end(in->type, t->res.t_intr_ns, t->res.t_last_late_ns, in->wait_us * NS_PER_US, capped);
}

int64_t li_inject_due(const li_inject *in)
{
	const target *t;
	int64_t due = 0;

	for (t = in->targets; t; t = t->next) {
		int64_t at = 0;
		int capped;

		if (waiting(t))
			at = t->res.trigger != LI_TRIGGER_NONE ? t->res.t_trigger_ns : t->due_ns;
		else if (t->res.intr_sent && !t->window_over)
			at = window_end(in, t, &capped);
		if (at && (due == 0 || at < due))
			due = at;
	}
	return due;
}

static int encode(li_inject *in, target *t, int64_t own)
{
	BerElement *value = NULL;
	struct berval bv = { 0 };
	int rc;

	if (in->ber)
		ber_free(in->ber, 1);
	in->ber = ber_alloc_t(LBER_USE_DER);
	if (in->ber == NULL)
		return -1;
	if (in->type == LI_INTERRUPT_ABANDON)
		return ber_printf(in->ber, "{iti}", (ber_int_t)own, LDAP_REQ_ABANDON, (ber_int_t)t->res.op_msgid);
	/* RFC 3909: requestValue ::= SEQUENCE { cancelID MessageID } */
	value = ber_alloc_t(LBER_USE_DER);
	if (value == NULL || ber_printf(value, "{i}", (ber_int_t)t->res.op_msgid) < 0 ||
	    ber_flatten2(value, &bv, 0) < 0) {
		if (value)
			ber_free(value, 1);
		return -1;
	}
	rc = ber_printf(in->ber, "{it{tsto}}", (ber_int_t)own, LDAP_REQ_EXTENDED, LDAP_TAG_EXOP_REQ_OID,
			LDAP_EXOP_CANCEL, LDAP_TAG_EXOP_REQ_VALUE, bv.bv_val, (ber_len_t)bv.bv_len);
	ber_free(value, 1);
	return rc;
}

int li_inject_next(li_inject *in, int64_t now, const unsigned char **bytes, size_t *len)
{
	target *t;
	struct berval bv;

	for (t = in->targets; t; t = t->next) {
		int64_t own;

		if (!waiting(t))
			continue;
		if (t->res.trigger == LI_TRIGGER_NONE) {
			if (t->due_ns == 0 || now < t->due_ns)
				continue;
			t->res.trigger = LI_TRIGGER_AFTER;
			t->res.t_trigger_ns = t->due_ns;
		}
		own = take_own(in);
		if (encode(in, t, own) < 0 || ber_flatten2(in->ber, &bv, 0) < 0) {
			/* Out of memory: this operation goes on uninterrupted. */
			t->res.trigger = LI_TRIGGER_NONE;
			t->due_ns = 0;
			continue;
		}
		t->res.intr_msgid = own;
		in->sending = t;
		*bytes = (const unsigned char *)bv.bv_val;
		*len = bv.bv_len;
		return 1;
	}
	return 0;
}

void li_inject_sent(li_inject *in, int64_t t_written)
{
	target *t = in->sending;

	if (t == NULL)
		return;
	t->res.intr_sent = 1;
	t->res.t_intr_ns = t_written;
	in->sending = NULL;
}

/* ---- outcomes ---- */

static li_facts facts(const li_inject *in, const target *t)
{
	const li_result *r = &t->res;
	li_facts f;

	memset(&f, 0, sizeof(f));
	f.type = in->type;
	f.intr_sent = r->intr_sent;
	f.op_done = r->op.seen;
	f.op_code = r->op.code;
	f.op_done_before_interrupt = r->op.seen && r->op_done_before_interrupt;
	f.intr_done = r->intr.seen;
	f.intr_code = r->intr.code;
	f.lost = r->lost;
	f.window_over = t->window_over;
	f.still_sending = r->still_sending;
	f.op_after_intr_ns = r->op.t_ns - r->t_intr_ns;
	f.late_after_intr_ns = r->t_last_late_ns - r->t_intr_ns;
	f.nod = r->nod_seen;
	f.nod_code = r->nod.code;
	return f;
}

static void listen_until(li_inject *in, target *t, int64_t now)
{
	int capped;
	int64_t end;

	if (!t->res.intr_sent || t->window_over)
		return;
	if (in->type == LI_INTERRUPT_ABANDON && in->wait_us == 0) {
		t->window_over = 1; /* decide at once, as -e '!abandon' does */
		return;
	}
	end = window_end(in, t, &capped);
	t->res.still_sending = 0;
	if (now >= end) {
		t->window_over = 1;
		t->res.still_sending = capped;
	}
}

static li_outcome decide(li_inject *in, target *t)
{
	li_facts f = facts(in, t);
	li_outcome o = li_classify(&f);

	if (o == LI_OUTCOME_UNDECIDED && (t->window_over || t->res.lost))
		o = LI_OUTCOME_NO_RESPONSE; /* nothing more can change the verdict */
	if (o != LI_OUTCOME_UNDECIDED) {
		t->res.outcome = o;
		li_notes(&f, o, t->res.notes, &t->res.nnotes, LI_RESULT_MAX_NOTES);
	}
	return o;
}

const li_result *li_inject_decided(li_inject *in, int64_t now, const char *lost)
{
	target *t;

	for (t = in->targets; t; t = t->next) {
		if (t == in->sending)
			continue;
		if (lost)
			lose(t, now, lost);
		listen_until(in, t, now);
		if (decide(in, t) == LI_OUTCOME_UNDECIDED)
			continue;
		in->out = t->res;
		memcpy(in->out_text, t->op_text, sizeof(in->out_text));
		in->out.op_text = in->out_text;
		drop(in, t);
		return &in->out;
	}
	return NULL;
}
