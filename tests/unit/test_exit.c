/* SPDX-License-Identifier: BSD-2-Clause */
/* The tools' exit statuses (cmd/common/exit.c), as ldapcancel(1) lists them. */
#include <signal.h>
#include <string.h>

#include <ldap.h>

#include "exit.h"
#include "tapcheck.h"

int main(void)
{
	li_error err;

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
