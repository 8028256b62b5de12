/* SPDX-License-Identifier: BSD-2-Clause */
/* What the write checks do with the entry the user named
 * (li_params_set_audit_base): read its values of one attribute, replace
 * them (a marker, or the values read, put back), each on a fresh
 * connection and run to its end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldap.h>
#include <ldif.h>

#include "buf.h"
#include "entry.h"

static void keep_value(audit_values *v, const unsigned char *b, size_t len)
{
	if (v->n == AUDIT_MAX_VALUES || len > sizeof(v->bytes) - v->used) {
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
	audit_values *v = arg;
	const li_field *attr, *val;

	if (ev == NULL || li_event_kind(ev) != LI_EVENT_MESSAGE || strcmp(li_event_op(ev), "SearchResultEntry") != 0)
		return;
	v->entry = 1;
	for (attr = li_field_first(li_field_find(li_event_fields(ev), "attrs")); attr; attr = li_field_next(attr)) {
		const char *type = li_field_key(attr);

		if (type == NULL || strcasecmp(type, AUDIT_ATTR) != 0)
			continue;
		for (val = li_field_first(attr); val; val = li_field_next(val)) {
			size_t len;
			const unsigned char *b = li_field_bytes(val, &len);

			if (b)
				keep_value(v, b, len);
		}
	}
}

int audit_values_has(const audit_values *v, const char *s)
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
int audit_modify_ldif(li_buf *b, const char *dn, const audit_values *v)
{
	int i;

	li_buf_reset(b);
	if (ldif_line(b, "dn", dn, strlen(dn)) < 0)
		return -1;
	li_buf_adds(b, "changetype: modify\nreplace: " AUDIT_ATTR "\n");
	for (i = 0; i < v->n; i++)
		if (ldif_line(b, AUDIT_ATTR, v->bytes + v->off[i], v->len[i]) < 0)
			return -1;
	li_buf_adds(b, "-\n");
	return 0;
}

/* A run with no interrupt of ours: the operation to its end. The
 * command line's --wait applies to the check's Cancel, not here. */
static int run_plain(audit_ctx *ctx, audit_values *v, li_result *res, li_error *err)
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

/* The entry's values of AUDIT_ATTR: 0, or -1 with the reason in c. */
int audit_values_read(audit_ctx *ctx, li_check *c, const char *dn, audit_values *v)
{
	static const char *const attrs[] = { AUDIT_ATTR, NULL };
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
int audit_values_write(audit_ctx *ctx, li_buf *ldif, const char *dn, const audit_values *v)
{
	li_result res;
	li_error err;

	if (audit_modify_ldif(ldif, dn, v) < 0 || li_params_set_modify(ctx->p, li_buf_data(ldif), "audit", &err) < 0 ||
	    run_plain(ctx, NULL, &res, &err) < 0)
		return 0;
	return res.op.seen && res.op.code == LDAP_SUCCESS;
}

int audit_values_restore(audit_ctx *ctx, li_buf *ldif, const char *dn, const audit_values *v)
{
	int rc;

	ctx->restoring = 1;
	rc = audit_values_write(ctx, ldif, dn, v);
	ctx->restoring = 0;
	return rc;
}

/* The marker: which tool wrote it, and when, so that whoever finds it in
 * the entry (the put-back failed) knows where it came from. */
void audit_marker(const audit_ctx *ctx, const char *why, audit_values *v)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	memset(v, 0, sizeof(*v));
	v->n = 1;
	v->len[0] = (size_t)snprintf(v->bytes, sizeof(v->bytes), "%s audit %s: %s",
				     ctx->a->name[0] ? ctx->a->name : "ldap-interrupt", when, why);
	v->used = v->len[0];
}

