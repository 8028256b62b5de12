/* SPDX-License-Identifier: BSD-2-Clause */
#include "outcome.h"

#include <string.h>

#include <ldap.h>

int li_cancel_unsupported(int code)
{
	/* What servers without Cancel answer an unknown extended operation. */
	return code == LDAP_PROTOCOL_ERROR || code == LDAP_UNWILLING_TO_PERFORM ||
	       code == LDAP_UNAVAILABLE_CRITICAL_EXTENSION;
}

int li_cancel_expected(int code)
{
	return code == LDAP_SUCCESS || code == LDAP_CANCELLED || code == LDAP_NO_SUCH_OPERATION ||
	       code == LDAP_TOO_LATE || code == LDAP_CANNOT_CANCEL || li_cancel_unsupported(code);
}

#define ABANDON_CAP_MIN_NS (10LL * 1000000000)

int64_t li_window_end(li_interrupt type, int64_t t_intr_ns, int64_t t_last_late_ns, int64_t wait_ns, int *capped)
{
	int64_t end, cap;

	*capped = 0;
	if (type != LI_INTERRUPT_ABANDON)
		return t_intr_ns + wait_ns;
	end = (t_last_late_ns > t_intr_ns ? t_last_late_ns : t_intr_ns) + wait_ns;
	cap = t_intr_ns + (wait_ns * 10 > ABANDON_CAP_MIN_NS ? wait_ns * 10 : ABANDON_CAP_MIN_NS);
	if (end > cap) {
		*capped = 1;
		return cap;
	}
	return end;
}

int li_op_failed(int code)
{
	switch (code) {
	case LDAP_SUCCESS:
	case LDAP_COMPARE_FALSE:
	case LDAP_COMPARE_TRUE:
	case LDAP_CANCELLED:
	case LDAP_SIZELIMIT_EXCEEDED:
	case LDAP_TIMELIMIT_EXCEEDED:
	case LDAP_REFERRAL:
		return 0;
	default:
		return 1;
	}
}

/* The operation's own result decided the run: an error is the outcome,
 * whatever the interrupt did or did not do. */
static li_outcome ended(const li_facts *f, li_outcome normal)
{
	return li_op_failed(f->op_code) ? LI_OUTCOME_FAILED : normal;
}

static li_outcome no_interrupt(const li_facts *f)
{
	if (f->op_done)
		return ended(f, LI_OUTCOME_COMPLETED);
	if (f->lost)
		return LI_OUTCOME_CONNECTION_LOST;
	if (f->stopped)
		return LI_OUTCOME_STOPPED;
	/* The deadline came before the operation's end. */
	if (f->timed_out)
		return LI_OUTCOME_NO_RESPONSE;
	return LI_OUTCOME_UNDECIDED;
}

/* A late interrupt (li_params_set_interrupt_late) of an operation that had
 * completed: too-late, once the listening has seen what the server does
 * with it (the Cancel's answer, or an abandon's --wait of silence). */
static li_outcome late(const li_facts *f)
{
	if (f->lost || (f->intr_sent && (f->window_over || (f->type == LI_INTERRUPT_CANCEL && f->intr_done))))
		return ended(f, LI_OUTCOME_TOO_LATE);
	return LI_OUTCOME_UNDECIDED;
}

static li_outcome abandon(const li_facts *f)
{
	if (f->late && f->op_done_before_interrupt)
		return late(f);
	if (f->op_done)
		return ended(f, LI_OUTCOME_TOO_LATE);
	if (f->lost)
		return LI_OUTCOME_CONNECTION_LOST;
	if (!f->intr_sent)
		return LI_OUTCOME_UNDECIDED;
	if (!f->window_over)
		return LI_OUTCOME_UNDECIDED;
	/* Capped, not silent: the server never let the abandon show. */
	return f->still_sending ? LI_OUTCOME_NO_RESPONSE : LI_OUTCOME_ABANDONED;
}

static li_outcome cancel(const li_facts *f)
{
	if (f->late && f->op_done_before_interrupt)
		return late(f);
	if (f->op_done_before_interrupt)
		return ended(f, LI_OUTCOME_TOO_LATE);
	if (!f->intr_sent)
		return f->lost ? LI_OUTCOME_CONNECTION_LOST : LI_OUTCOME_UNDECIDED;
	if (f->intr_done && li_cancel_unsupported(f->intr_code))
		return LI_OUTCOME_UNSUPPORTED;
	if (f->intr_done && f->intr_code == LDAP_CANNOT_CANCEL)
		return LI_OUTCOME_CANNOT_CANCEL;
	if (f->op_done) {
		/* The operation's own result is the evidence; wait for the Cancel
		 * response only to report it. */
		if (!f->intr_done && !f->window_over && !f->lost)
			return LI_OUTCOME_UNDECIDED;
		return ended(f, f->op_code == LDAP_CANCELLED ? LI_OUTCOME_CANCELED : LI_OUTCOME_TOO_LATE);
	}
	if (f->intr_done && f->intr_code == LDAP_NO_SUCH_OPERATION)
		return LI_OUTCOME_NO_SUCH_OPERATION;
	if (f->intr_done && f->intr_code == LDAP_TOO_LATE)
		return LI_OUTCOME_TOO_LATE;
	if (f->no_operation && f->intr_done)
		return f->intr_code == LDAP_SUCCESS ? LI_OUTCOME_CANCELED : LI_OUTCOME_NO_RESPONSE;
	if (f->lost)
		return LI_OUTCOME_CONNECTION_LOST;
	return f->window_over ? LI_OUTCOME_NO_RESPONSE : LI_OUTCOME_UNDECIDED;
}

li_outcome li_classify(const li_facts *f)
{
	switch (f->type) {
	case LI_INTERRUPT_ABANDON:
		return abandon(f);
	case LI_INTERRUPT_CANCEL:
		return cancel(f);
	default:
		return no_interrupt(f);
	}
}

/* ---- notes ---- */

typedef struct notes_out {
	li_note_fact *notes;
	int *n, max;
} notes_out;

static li_note_fact *note(notes_out *out, li_note kind)
{
	li_note_fact *f;

	if (*out->n >= out->max)
		return NULL;
	f = &out->notes[(*out->n)++];
	memset(f, 0, sizeof(*f));
	f->note = kind;
	return f;
}

static void note_code(notes_out *out, li_note kind, int code)
{
	li_note_fact *f = note(out, kind);

	if (f)
		f->code = code;
}

static void note_ns(notes_out *out, li_note kind, int64_t ns)
{
	li_note_fact *f = note(out, kind);

	if (f)
		f->ns = ns;
}

static void cancel_notes(const li_facts *f, li_outcome o, notes_out *out)
{
	li_note_fact *n;

	if (f->intr_done && !li_cancel_expected(f->intr_code))
		note_code(out, LI_NOTE_CANCEL_CODE_NOT_ALLOWED, f->intr_code);
	if (o == LI_OUTCOME_CANCELED && f->intr_done && f->intr_code != LDAP_SUCCESS && f->op_done &&
	    li_cancel_expected(f->intr_code))
		note_code(out, LI_NOTE_CANCEL_CONTRADICTED, f->intr_code);
	if (o == LI_OUTCOME_CANCELED && !f->intr_done && f->op_done && (n = note(out, LI_NOTE_NO_CANCEL_RESPONSE)))
		n->flag = f->lost ? 1 : f->timed_out ? 2 : 0;
	if ((o == LI_OUTCOME_TOO_LATE || o == LI_OUTCOME_FAILED) && f->intr_done && f->intr_code == LDAP_SUCCESS &&
	    f->op_done &&
	    !f->op_done_before_interrupt)
		note_code(out, LI_NOTE_CANCEL_SUCCESS_YET_DONE, f->op_code);
	if (o == LI_OUTCOME_TOO_LATE && f->intr_done && f->intr_code == LDAP_TOO_LATE && !f->op_done)
		note(out, LI_NOTE_TOO_LATE_BEFORE_RESULT);
	if (o == LI_OUTCOME_NO_RESPONSE && f->intr_done)
		note_code(out, LI_NOTE_CANCEL_ANSWERED_NO_END, f->intr_code);
}

static void abandon_notes(const li_facts *f, li_outcome o, notes_out *out)
{
	if ((o == LI_OUTCOME_TOO_LATE || o == LI_OUTCOME_FAILED) && f->op_done && !f->op_done_before_interrupt)
		note_ns(out, LI_NOTE_ABANDON_NOT_HONOURED, f->op_after_intr_ns);
	if (f->still_sending)
		note_ns(out, LI_NOTE_STILL_SENDING, f->late_after_intr_ns);
}

void li_notes(const li_facts *f, li_outcome o, li_note_fact *notes, int *n, int max)
{
	notes_out out = { notes, n, max };
	li_note_fact *m;

	/* (A late interrupt was sent all the same.) */
	if ((o == LI_OUTCOME_TOO_LATE || o == LI_OUTCOME_FAILED) && f->op_done_before_interrupt &&
	    f->type != LI_INTERRUPT_NONE && !f->intr_sent)
		note(&out, LI_NOTE_DONE_BEFORE_DUE);
	if (f->type == LI_INTERRUPT_CANCEL)
		cancel_notes(f, o, &out);
	else if (f->type == LI_INTERRUPT_ABANDON)
		abandon_notes(f, o, &out);
	if (o == LI_OUTCOME_SELF_TARGET) {
		if ((m = note(&out, LI_NOTE_SELF_TARGET)) != NULL) {
			m->msgid = f->target_msgid;
			m->flag = f->starttls != 0;
		}
	} else if (f->no_operation && f->intr_sent && (m = note(&out, LI_NOTE_FOREIGN_MSGID)) != NULL) {
		m->msgid = f->target_msgid;
	}
	if (f->nod)
		note_code(&out, LI_NOTE_NOTICE_OF_DISCONNECTION, f->nod_code);
	if (f->malformed)
		note(&out, LI_NOTE_MALFORMED);
	if (f->strays && (m = note(&out, LI_NOTE_STRAYS)) != NULL)
		m->count = f->strays;
}
