/* SPDX-License-Identifier: BSD-2-Clause */
/* Outcomes and errors to exit statuses: the tools' convention, documented
 * in ldapcancel(1); the library reports outcomes and LDAP codes. */
#include "exit.h"

#include <ldap.h>

int exit_for_outcome(li_outcome o, int code)
{
	switch (o) {
	case LI_OUTCOME_CANCELED:
	case LI_OUTCOME_ABANDONED:
		return EXIT_OK;
	case LI_OUTCOME_TOO_LATE:
		return LDAP_TOO_LATE;
	case LI_OUTCOME_NO_SUCH_OPERATION:
		return LDAP_NO_SUCH_OPERATION;
	case LI_OUTCOME_CANNOT_CANCEL:
		return LDAP_CANNOT_CANCEL;
	case LI_OUTCOME_UNSUPPORTED:
		return EXIT_UNSUPPORTED;
	case LI_OUTCOME_NO_RESPONSE:
		return EXIT_NO_RESPONSE;
	case LI_OUTCOME_CONNECTION_LOST:
		return EXIT_CONNECTION_LOST;
	case LI_OUTCOME_STOPPED:
		return EXIT_SIGINT;
	case LI_OUTCOME_SELF_TARGET:
		return EXIT_SELF_TARGET;
	case LI_OUTCOME_COMPLETED:
	case LI_OUTCOME_FAILED:
		return code & 0xff;
	case LI_OUTCOME_UNDECIDED:
	default:
		return EXIT_OK;
	}
}

int exit_for_error(const li_error *err)
{
	int status;

	if (err->signo)
		return 128 + err->signo;
	status = err->code & 0xff;
	return status ? status : EXIT_USAGE;
}

/* The one place that says how a cut-short search exits under -L: as if the
 * server had enforced -z (--after-entries) or -l (a time: --after, Ctrl-C,
 * and any trigger added later that is a time). */
static int exit_for_cut(li_trigger t)
{
	switch (t) {
	case LI_TRIGGER_AFTER_ENTRIES:
		return LDAP_SIZELIMIT_EXCEEDED;
	case LI_TRIGGER_AFTER:
	case LI_TRIGGER_SIGNAL:
	case LI_TRIGGER_TIMEOUT:
	default:
		return LDAP_TIMELIMIT_EXCEEDED;
	}
}

int exit_for_ldif(const li_result *res)
{
	switch (res->outcome) {
	case LI_OUTCOME_CANCELED:
	case LI_OUTCOME_ABANDONED:
	case LI_OUTCOME_STOPPED:
		return exit_for_cut(res->trigger);
	case LI_OUTCOME_TOO_LATE:
	case LI_OUTCOME_COMPLETED:
	case LI_OUTCOME_FAILED:
		if (res->op.seen)
			return res->op.code & 0xff;
		break;
	case LI_OUTCOME_NO_RESPONSE:
		/* ldaptrace with no interrupt, stopped by --timeout: cut short
		 * by a time, as Ctrl-C's stop is. */
		if (!res->intr_sent && res->timed_out)
			return LDAP_TIMELIMIT_EXCEEDED;
		break;
	default:
		break;
	}
	return exit_for_outcome(res->outcome, res->op.code);
}
