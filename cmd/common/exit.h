/* SPDX-License-Identifier: BSD-2-Clause */
/* The tools' exit statuses that are not LDAP result codes (see
 * ldapcancel(1)); an LDAP result code is the status itself, as with
 * OpenLDAP's tools (exit(rc), so -1 becomes 255). */
#ifndef CMD_EXIT_H
#define CMD_EXIT_H

#define EXIT_OK 0
#define EXIT_USAGE 1
#define EXIT_UNSUPPORTED 2
/* The classic C API numbers for "timeout" and "server down" (RFC 1823). */
#define EXIT_NO_RESPONSE 85
#define EXIT_CONNECTION_LOST 81
/* ... and for "bad parameter": --msgid named the interrupt itself. */
#define EXIT_SELF_TARGET 89
#define EXIT_SIGINT 130
#define EXIT_SIGTERM 143
#define EXIT_SIGPIPE 141
/* Writing the output failed (a full disk): sysexits' EX_IOERR, which no
 * LDAP result code or libldap code uses. */
#define EXIT_WRITE_ERROR 74
/* ldapcancel --audit, ldapabandon --audit: a check failed. 9 is a
 * resultCode RFC 4511 reserves (LDAPv2's partialResults), so no server's
 * code and no other status. */
#define EXIT_AUDIT_FAILED 9

#include <ldapinterrupt.h>

/* The status for a decided outcome; code: the operation's result code
 * (li_run_result_code), the status of a run that completed. */
int exit_for_outcome(li_outcome o, int code);
/* The status under -L, which answers "is the LDIF whole?": the
 * operation's own result code when it ended by itself (0: whole), 4 when
 * --after-entries cut the search, 3 when a time (--after, Ctrl-C) did;
 * any other outcome as exit_for_outcome. */
int exit_for_ldif(const li_result *res);
/* The status for an error: a signal's 128 + N, a usage error's 1, else
 * the LDAP code (as OpenLDAP's tools: exit(rc), so -1 becomes 255). */
int exit_for_error(const li_error *err);

#endif
