/* SPDX-License-Identifier: BSD-2-Clause */
/* ldapcancel --audit's write check: a modify of the one entry the user
 * named (li_params_set_audit_base), cancelled at once. RFC 3909 lets a
 * server answer tooLate (120) once the change is made, or cancel it (118)
 * and leave the entry as it was; which of the two happened is read back
 * from the entry on a fresh connection, and its values are put back. */
#include <stdlib.h>
#include <string.h>

#include <ldap.h>

#include "buf.h"
#include "entry.h"
#include "write.h"

/* The verdict from the answers and whether the marker is in the entry. */
static void judge(li_check *c, const li_result *res, int applied)
{
	int op = res->op.seen ? res->op.code : -1, cancel = res->intr.seen ? res->intr.code : -1;

	if (!res->intr_sent)
		audit_verdict(c, LI_VERDICT_INFO, "the modify ended before the Cancel was sent: nothing to judge");
	else if (cancel == LDAP_TOO_LATE && applied)
		audit_verdict(c, LI_VERDICT_PASS, NULL);
	else if (op == LDAP_CANCELLED && cancel == LDAP_SUCCESS && !applied)
		audit_verdict(c, LI_VERDICT_PASS, NULL);
	else if (cancel == LDAP_NO_SUCH_OPERATION && op == LDAP_SUCCESS && applied)
		audit_verdict(c, LI_VERDICT_INFO, "the modify had ended when the server read the Cancel (noSuchOperation): "
			      "the timing decided, nothing to judge");
	else if ((cancel == LDAP_SUCCESS || op == LDAP_CANCELLED) && applied)
		audit_verdict(c, LI_VERDICT_FAIL, "the modify was cancelled, yet the change was made");
	else if ((cancel == LDAP_TOO_LATE || op == LDAP_SUCCESS) && !applied)
		audit_verdict(c, LI_VERDICT_FAIL, "the modify %s, yet the change was not made",
			cancel == LDAP_TOO_LATE ? "was too late to cancel" : "succeeded");
	else if (op == -1 || cancel == -1)
		audit_verdict(c, LI_VERDICT_FAIL, "the %s was not answered (%s)", op == -1 ? "modify" : "Cancel",
			li_outcome_name(res->outcome));
	else
		audit_verdict(c, LI_VERDICT_FAIL, "the modify ended %s (%d), the Cancel %s (%d)", audit_code_name(op), op,
			audit_code_name(cancel), cancel);
}

/* The cancelled modify, and the entry read back (c has the verdict): 1
 * when the entry may have changed, 0 when the modify was refused or not
 * sent. */
static int cancelled_modify(audit_ctx *ctx, li_check *c, li_buf *ldif, const char *dn, audit_values *after)
{
	audit_values mark;
	audit_watch w;
	li_result res;
	li_error err;

	audit_marker(ctx, "a cancelled modify", &mark);
	audit_reset_trigger(ctx->p);
	if (audit_modify_ldif(ldif, dn, &mark) < 0) {
		audit_verdict(c, LI_VERDICT_FAIL, "out of memory");
		return 0;
	}
	/* Sent even when the modify's result came first (a fast or loaded
	 * server): the Cancel's answer (119) then says so, rather than a run
	 * that never sent it and so has nothing to show. */
	if (li_params_set_modify(ctx->p, li_buf_data(ldif), "audit", &err) < 0 ||
	    li_params_set_interrupt(ctx->p, LI_INTERRUPT_CANCEL, &err) < 0 ||
	    li_params_set_interrupt_late(ctx->p, 1, &err) < 0 || audit_run(ctx, &w, &res, &err) < 0) {
		audit_check_error(c, &err);
		return 1;
	}
	audit_evidence_answers(c, &res);
	/* An error that is no answer to a Cancel: the server would not write. */
	if (res.op.seen && res.op.code != LDAP_SUCCESS && (res.op.code < LDAP_CANCELLED || res.op.code > LDAP_CANNOT_CANCEL)) {
		audit_verdict(c, LI_VERDICT_SKIP, "the modify was refused: %s (%d); name an entry the bind may modify",
			audit_code_name(res.op.code), res.op.code);
		return 0;
	}
	if (audit_values_read(ctx, c, dn, after) < 0)
		return 1;
	audit_evidence_n(c, "applied", audit_values_has(after, mark.bytes));
	judge(c, &res, audit_values_has(after, mark.bytes));
	return 1;
}

void audit_check_write(audit_ctx *ctx, li_check *c)
{
	const char *dn = ctx->p->audit_base;
	audit_values *before = NULL, *after = NULL;
	li_buf *ldif = NULL;

	if (dn == NULL) {
		audit_verdict(c, LI_VERDICT_SKIP, "no --audit-base: write checks are not run");
		return;
	}
	audit_evidence_s(c, "dn", dn);
	before = malloc(sizeof(*before));
	after = malloc(sizeof(*after));
	ldif = li_buf_new();
	if (before == NULL || after == NULL || ldif == NULL) {
		audit_verdict(c, LI_VERDICT_FAIL, "out of memory");
		goto out;
	}
	if (audit_values_read(ctx, c, dn, before) < 0)
		goto out;
	if (before->overflow) {
		audit_verdict(c, LI_VERDICT_SKIP, "the entry's " AUDIT_ATTR " has more values than could be put back");
		goto out;
	}
	/* Whatever the check found, the values go back. */
	if (cancelled_modify(ctx, c, ldif, dn, after))
		audit_evidence_n(c, "restored", audit_values_restore(ctx, ldif, dn, before));
out:
	li_buf_free(ldif);
	free(after);
	free(before);
}
