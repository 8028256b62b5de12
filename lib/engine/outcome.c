#include "outcome.h"

#include <ldap.h>

static const char *const names[] = {
	[LI_OUTCOME_UNDECIDED] = "undecided",
	[LI_OUTCOME_CANCELED] = "canceled",
	[LI_OUTCOME_ABANDONED] = "abandoned",
	[LI_OUTCOME_TOO_LATE] = "too-late",
	[LI_OUTCOME_NO_SUCH_OPERATION] = "no-such-operation",
	[LI_OUTCOME_CANNOT_CANCEL] = "cannot-cancel",
	[LI_OUTCOME_UNSUPPORTED] = "unsupported",
	[LI_OUTCOME_NO_RESPONSE] = "no-response",
	[LI_OUTCOME_CONNECTION_LOST] = "connection-lost",
	[LI_OUTCOME_COMPLETED] = "completed",
	[LI_OUTCOME_STOPPED] = "stopped",
	[LI_OUTCOME_SELF_TARGET] = "self-target",
};

const char *li_outcome_name(li_outcome o)
{
	if ((unsigned)o >= sizeof(names) / sizeof(names[0]))
		return "undecided";
	return names[o];
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
