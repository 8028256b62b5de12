/* SPDX-License-Identifier: BSD-2-Clause */
/* ldapcancel --audit's write check: a modify of the one entry the user
 * named (li_params_set_audit_base), cancelled at once. RFC 3909 lets a
 * server answer tooLate (120) once the change is made, or cancel it (118)
 * and leave the entry as it was; which of the two happened is read back
 * from the entry on a fresh connection, and its values are put back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldap.h>
#include <ldif.h>

#include "buf.h"
#include "check.h"
#include "write.h"

#define WRITE_ATTR "description"
#define WRITE_MAX_VALUES 32
#define WRITE_MAX_BYTES 16384

/* The attribute's values in the entry, as read. */
typedef struct write_values {
	int entry;    /* the entry arrived */
	int overflow; /* more than the room below: cannot be put back whole */
	int n;
	size_t used;
	size_t off[WRITE_MAX_VALUES], len[WRITE_MAX_VALUES];
	char bytes[WRITE_MAX_BYTES];
} write_values;

static void keep_value(write_values *v, const unsigned char *b, size_t len)
{
	if (v->n == WRITE_MAX_VALUES || len > sizeof(v->bytes) - v->used) {
		v->overflow = 1;
		return;
	}
	memcpy(v->bytes + v->used, b, len);
	v->off[v->n] = v->used;
	v->len[v->n++] = len;
	v->used += len;
}

static void keep_values(void *arg, const li_event *ev)
{
	write_values *v = arg;
	const li_field *attr, *val;

	if (ev == NULL || li_event_kind(ev) != LI_EVENT_MESSAGE || strcmp(li_event_op(ev), "SearchResultEntry") != 0)
		return;
	v->entry = 1;
	for (attr = li_field_first(li_field_find(li_event_fields(ev), "attrs")); attr; attr = li_field_next(attr)) {
		const char *type = li_field_key(attr);

		if (type == NULL || strcasecmp(type, WRITE_ATTR) != 0)
			continue;
		for (val = li_field_first(attr); val; val = li_field_next(val)) {
			size_t len;
			const unsigned char *b = li_field_bytes(val, &len);

			if (b)
				keep_value(v, b, len);
		}
	}
}

static int has_value(const write_values *v, const char *s)
{
	int i;

	for (i = 0; i < v->n; i++)
		if (v->len[i] == strlen(s) && memcmp(v->bytes + v->off[i], s, v->len[i]) == 0)
			return 1;
	return 0;
}

/* One LDIF line through libldap's writer (base64 when the value needs it). */
static int ldif_line(li_buf *b, const char *name, const char *val, size_t len)
{
	char *line = ldif_put_wrap(LDIF_PUT_VALUE, name, val, len, LDIF_LINE_WIDTH_MAX);

	if (line == NULL)
		return -1;
	li_buf_adds(b, line);
	ber_memfree(line);
	return 0;
}

/* "replace: description" with the values given (none: the attribute goes). */
static int modify_ldif(li_buf *b, const char *dn, const write_values *v)
{
	int i;

	li_buf_reset(b);
	if (ldif_line(b, "dn", dn, strlen(dn)) < 0)
		return -1;
	li_buf_adds(b, "changetype: modify\nreplace: " WRITE_ATTR "\n");
	for (i = 0; i < v->n; i++)
		if (ldif_line(b, WRITE_ATTR, v->bytes + v->off[i], v->len[i]) < 0)
			return -1;
	li_buf_adds(b, "-\n");
	return 0;
}

/* A run with no interrupt of ours: the operation to its end. The
 * command line's --wait applies to the check's Cancel, not here. */
static int run_plain(audit_ctx *ctx, write_values *v, li_result *res, li_error *err)
{
	audit_watch w;
	int64_t wait_us = ctx->p->wait_given ? ctx->p->wait_us : -1;
	int rc;

	audit_reset_trigger(ctx->p);
	ctx->entry_hook = v ? keep_values : NULL;
	ctx->entry_hook_arg = v;
	rc = li_params_set_wait(ctx->p, -1, err) < 0 || li_params_set_interrupt(ctx->p, LI_INTERRUPT_NONE, err) < 0 ||
	     audit_run(ctx, &w, res, err) < 0 ? -1 : 0;
	ctx->entry_hook = NULL;
	ctx->entry_hook_arg = NULL;
	li_params_set_wait(ctx->p, wait_us, err);
	return rc;
}

/* The entry's values of WRITE_ATTR: 0, or -1 with the reason in c. */
static int read_values(audit_ctx *ctx, li_check *c, const char *dn, write_values *v)
{
	static const char *const attrs[] = { WRITE_ATTR, NULL };
	li_search s = { .base = dn, .scope = LDAP_SCOPE_BASE, .filter = "(objectClass=*)", .attrs = attrs };
	li_result res;
	li_error err;

	memset(v, 0, sizeof(*v));
	if (li_params_set_search(ctx->p, &s, &err) < 0 || run_plain(ctx, v, &res, &err) < 0) {
		audit_check_error(c, &err);
		return -1;
	}
	if (!v->entry) {
		audit_verdict(c, LI_VERDICT_SKIP, "the entry could not be read: %s (%d)",
			res.op.seen ? audit_code_name(res.op.code) : li_outcome_name(res.outcome), res.op.code);
		return -1;
	}
	return 0;
}

/* The modify, with its values, run to its end: 1 when it succeeded. */
static int modify_plain(audit_ctx *ctx, li_buf *ldif, const char *dn, const write_values *v)
{
	li_result res;
	li_error err;

	if (modify_ldif(ldif, dn, v) < 0 || li_params_set_modify(ctx->p, li_buf_data(ldif), "audit", &err) < 0 ||
	    run_plain(ctx, NULL, &res, &err) < 0)
		return 0;
	return res.op.seen && res.op.code == LDAP_SUCCESS;
}

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

/* The marker: which tool wrote it, and when, so that whoever finds it in
 * the entry (the put-back failed) knows where it came from. */
static void marker(const audit_ctx *ctx, char *out, size_t size)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	snprintf(out, size, "%s audit %s: a cancelled modify", ctx->a->name[0] ? ctx->a->name : "ldap-interrupt",
		 when);
}

/* The cancelled modify, and the entry read back (c has the verdict). */
static void cancelled_modify(audit_ctx *ctx, li_check *c, li_buf *ldif, const char *dn, write_values *after)
{
	write_values mark = { .n = 1 };
	audit_watch w;
	li_result res;
	li_error err;
	char text[128];

	marker(ctx, text, sizeof(text));
	mark.len[0] = strlen(text);
	memcpy(mark.bytes, text, mark.len[0]);
	audit_reset_trigger(ctx->p);
	if (modify_ldif(ldif, dn, &mark) < 0) {
		audit_verdict(c, LI_VERDICT_FAIL, "out of memory");
		return;
	}
	if (li_params_set_modify(ctx->p, li_buf_data(ldif), "audit", &err) < 0 ||
	    li_params_set_interrupt(ctx->p, LI_INTERRUPT_CANCEL, &err) < 0 || audit_run(ctx, &w, &res, &err) < 0) {
		audit_check_error(c, &err);
		return;
	}
	if (res.op.seen)
		audit_evidence_n(c, "op_code", res.op.code);
	if (res.intr.seen)
		audit_evidence_n(c, "cancel_code", res.intr.code);
	if (res.op.seen && res.t_intr_ns)
		audit_evidence_n(c, "cancel_to_result_us", (long long)((res.op.t_ns - res.t_intr_ns) / 1000));
	if (res.op.seen && res.op.code != LDAP_SUCCESS && res.op.code != LDAP_CANCELLED && !res.intr_sent) {
		audit_verdict(c, LI_VERDICT_SKIP, "the modify was refused: %s (%d); name an entry the bind may modify",
			audit_code_name(res.op.code), res.op.code);
		return;
	}
	if (read_values(ctx, c, dn, after) < 0)
		return;
	audit_evidence_n(c, "applied", has_value(after, text));
	judge(c, &res, has_value(after, text));
}

void audit_check_write(audit_ctx *ctx, li_check *c)
{
	const char *dn = ctx->p->audit_base;
	write_values *before = NULL, *after = NULL;
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
	if (read_values(ctx, c, dn, before) < 0)
		goto out;
	if (before->overflow) {
		audit_verdict(c, LI_VERDICT_SKIP, "the entry's " WRITE_ATTR " has more values than could be put back");
		goto out;
	}
	/* Whatever the check found, the values go back. */
	cancelled_modify(ctx, c, ldif, dn, after);
	audit_evidence_n(c, "restored", modify_plain(ctx, ldif, dn, before));
out:
	li_buf_free(ldif);
	free(after);
	free(before);
}
