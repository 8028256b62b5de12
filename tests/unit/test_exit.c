/* SPDX-License-Identifier: BSD-2-Clause */
/* The tools' exit statuses (cmd/common/exit.c), as ldapcancel(1) lists them. */
#include <signal.h>
#include <string.h>

#include <ldap.h>

#include "exit.h"
#include "tapcheck.h"

/* exit_for_ldif on a result with this outcome, trigger and final response. */
static int ldif_status(li_outcome o, li_trigger t, int seen, int code)
{
	li_result r;

	memset(&r, 0, sizeof(r));
	r.outcome = o;
	r.trigger = t;
	r.op.seen = seen;
	r.op.code = code;
	return exit_for_ldif(&r);
}

/* -L: "is the LDIF whole?" (man/exit-ldif.man) */
static void ldif_rows(void)
{
	is_int(ldif_status(LI_OUTCOME_TOO_LATE, LI_TRIGGER_AFTER_ENTRIES, 1, 0), 0, "-L: completed: 0");
	is_int(ldif_status(LI_OUTCOME_COMPLETED, LI_TRIGGER_NONE, 1, 0), 0, "-L: ldaptrace completed: 0");
	is_int(ldif_status(LI_OUTCOME_TOO_LATE, LI_TRIGGER_AFTER, 1, LDAP_SIZELIMIT_EXCEEDED), 4,
	       "-L: completed with -z: 4");
	is_int(ldif_status(LI_OUTCOME_FAILED, LI_TRIGGER_NONE, 1, LDAP_NO_SUCH_OBJECT), 32, "-L: failed: its code");
	is_int(ldif_status(LI_OUTCOME_CANCELED, LI_TRIGGER_AFTER_ENTRIES, 1, LDAP_CANCELLED), 4,
	       "-L: --after-entries cut: 4");
	is_int(ldif_status(LI_OUTCOME_ABANDONED, LI_TRIGGER_AFTER_ENTRIES, 0, 0), 4, "-L: abandoned after entries: 4");
	is_int(ldif_status(LI_OUTCOME_ABANDONED, LI_TRIGGER_AFTER, 0, 0), 3, "-L: --after cut: 3");
	is_int(ldif_status(LI_OUTCOME_CANCELED, LI_TRIGGER_SIGNAL, 1, LDAP_CANCELLED), 3, "-L: Ctrl-C cut: 3");
	is_int(ldif_status(LI_OUTCOME_STOPPED, LI_TRIGGER_SIGNAL, 0, 0), 3, "-L: ldaptrace stopped by Ctrl-C: 3");
	is_int(ldif_status(LI_OUTCOME_TOO_LATE, LI_TRIGGER_AFTER, 0, 0), 120, "-L: tooLate, no result: 120");
	is_int(ldif_status(LI_OUTCOME_NO_RESPONSE, LI_TRIGGER_AFTER, 0, 0), 85, "-L: no-response keeps 85");
	is_int(ldif_status(LI_OUTCOME_CONNECTION_LOST, LI_TRIGGER_AFTER, 0, 0), 81, "-L: connection-lost keeps 81");
	is_int(ldif_status(LI_OUTCOME_UNSUPPORTED, LI_TRIGGER_AFTER, 0, 0), 2, "-L: unsupported keeps 2");
}

int main(void)
{
	li_error err;

	ldif_rows();

	is_int(exit_for_outcome(LI_OUTCOME_CANCELED, 0), 0, "exit canceled");
	is_int(exit_for_outcome(LI_OUTCOME_ABANDONED, 0), 0, "exit abandoned");
	is_int(exit_for_outcome(LI_OUTCOME_TOO_LATE, 0), 120, "exit too-late");
	is_int(exit_for_outcome(LI_OUTCOME_NO_SUCH_OPERATION, 0), 119, "exit no-such-operation");
	is_int(exit_for_outcome(LI_OUTCOME_CANNOT_CANCEL, 0), 121, "exit cannot-cancel");
	is_int(exit_for_outcome(LI_OUTCOME_UNSUPPORTED, 0), 2, "exit unsupported");
	is_int(exit_for_outcome(LI_OUTCOME_NO_RESPONSE, 0), 85, "exit no-response");
	is_int(exit_for_outcome(LI_OUTCOME_CONNECTION_LOST, 0), 81, "exit connection-lost");
	is_int(exit_for_outcome(LI_OUTCOME_STOPPED, 0), 130, "exit stopped (Ctrl-C)");
	is_int(exit_for_outcome(LI_OUTCOME_SELF_TARGET, 0), 89, "exit self-target");
	is_int(exit_for_outcome(LI_OUTCOME_COMPLETED, LDAP_NO_SUCH_OBJECT), 32, "exit completed: the result code");
	is_int(exit_for_outcome(LI_OUTCOME_COMPLETED, -1), 255, "exit completed: -1 becomes 255");
	is_int(exit_for_outcome(LI_OUTCOME_FAILED, LDAP_NO_SUCH_OBJECT), 32, "exit failed: the result code");
	is_int(exit_for_outcome(LI_OUTCOME_FAILED, LDAP_UNAVAILABLE_CRITICAL_EXTENSION), 12, "exit failed: 12");
	is_int(exit_for_outcome(LI_OUTCOME_FAILED, 4096 + 68), 68, "exit failed: modulo 256");

	memset(&err, 0, sizeof(err));
	is_int(exit_for_error(&err), 1, "a usage error exits 1");
	err.code = LDAP_INVALID_CREDENTIALS;
	is_int(exit_for_error(&err), 49, "an LDAP error exits with its code");
	err.code = LDAP_SERVER_DOWN;
	is_int(exit_for_error(&err), 255, "-1 becomes 255");
	err.signo = SIGTERM;
	is_int(exit_for_error(&err), 143, "SIGTERM");
	err.signo = SIGPIPE;
	is_int(exit_for_error(&err), 141, "a closed output");
	return done_testing();
}
