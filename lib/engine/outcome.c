#include "outcome.h"

#include <ldap.h>

int li_outcome_exit_status(li_outcome o)
{
	switch (o) {
	case LI_OUTCOME_CANCELED:
	case LI_OUTCOME_ABANDONED:
		return LI_EXIT_OK;
	case LI_OUTCOME_TOO_LATE:
		return LDAP_TOO_LATE;
	case LI_OUTCOME_NO_SUCH_OPERATION:
		return LDAP_NO_SUCH_OPERATION;
	case LI_OUTCOME_CANNOT_CANCEL:
		return LDAP_CANNOT_CANCEL;
	case LI_OUTCOME_UNSUPPORTED:
		return LI_EXIT_UNSUPPORTED;
	case LI_OUTCOME_NO_RESPONSE:
		return LI_EXIT_NO_RESPONSE;
	case LI_OUTCOME_CONNECTION_LOST:
		return LI_EXIT_CONNECTION_LOST;
	case LI_OUTCOME_STOPPED:
		return LI_EXIT_SIGINT;
	case LI_OUTCOME_SELF_TARGET:
		return LI_EXIT_SELF_TARGET;
	case LI_OUTCOME_COMPLETED: /* the run decides: the operation's code */
	case LI_OUTCOME_UNDECIDED:
	default:
		return LI_EXIT_OK;
	}
}

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

static li_outcome no_interrupt(const li_facts *f)
{
	if (f->op_done)
		return LI_OUTCOME_COMPLETED;
	if (f->lost)
		return LI_OUTCOME_CONNECTION_LOST;
	if (f->stopped)
		return LI_OUTCOME_STOPPED;
	return LI_OUTCOME_UNDECIDED;
}

static li_outcome abandon(const li_facts *f)
{
	if (f->op_done)
		return LI_OUTCOME_TOO_LATE;
	if (f->lost)
		return LI_OUTCOME_CONNECTION_LOST;
	if (!f->intr_sent)
		return LI_OUTCOME_UNDECIDED;
	return f->window_over ? LI_OUTCOME_ABANDONED : LI_OUTCOME_UNDECIDED;
}

static li_outcome cancel(const li_facts *f)
{
	if (f->op_done_before_interrupt)
		return LI_OUTCOME_TOO_LATE;
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
		return f->op_code == LDAP_CANCELLED ? LI_OUTCOME_CANCELED : LI_OUTCOME_TOO_LATE;
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
