/* SPDX-License-Identifier: BSD-2-Clause */
/* Describe and send the one operation a run interrupts. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "controls.h"
#include "decode.h"
#include "ldifrecord.h"
#include "names.h"
#include "op.h"
#include "redact.h"

static const char *const type_names[] = {
	[LI_OP_SEARCH] = "search", [LI_OP_COMPARE] = "compare", [LI_OP_DELETE] = "delete",
	[LI_OP_MODRDN] = "modrdn", [LI_OP_ADD] = "add",         [LI_OP_MODIFY] = "modify",
	[LI_OP_EXOP] = "exop",     [LI_OP_NONE] = "none",
};

const char *li_op_type(const li_params *cfg)
{
	return type_names[cfg->op];
}

int li_op_prepare(LDAP *ld, const li_params *cfg, li_error *err)
{
	if (cfg->op != LI_OP_SEARCH)
		return 0;
	return li_filter_check(ld, cfg->filter, err);
}

static int search(LDAP *ld, const li_params *cfg, LDAPControl **ctrls, int *msgid)
{
	struct timeval tv = { cfg->timelimit, 0 };
	int deref = cfg->deref;

	/* -a: ldap_search_ext takes alias dereferencing from the handle. */
	if (ldap_set_option(ld, LDAP_OPT_DEREF, &deref) != LDAP_OPT_SUCCESS)
		return LDAP_PARAM_ERROR;
	return ldap_search_ext(ld, cfg->base, cfg->scope, cfg->filter, cfg->attrs, cfg->attrsonly, ctrls,
			       NULL, cfg->timelimit ? &tv : NULL, cfg->sizelimit, msgid);
}

/* -1 when the LDIF cannot be used; else 0 with libldap's code in *rc. */
static int from_ldif(LDAP *ld, const li_params *cfg, LDAPControl **ctrls, int *msgid, int *rc, li_error *err)
{
	LDIFRecord lr;
	char *buf = NULL;

	if (li_ldif_parse(cfg, &lr, &buf, err) < 0)
		return -1;
	if (cfg->op == LI_OP_ADD)
		*rc = ldap_add_ext(ld, lr.lr_dn.bv_val, lr.lrop_mods, ctrls, NULL, msgid);
	else
		*rc = ldap_modify_ext(ld, lr.lr_dn.bv_val, lr.lrop_mods, ctrls, NULL, msgid);
	ldap_ldif_record_done(&lr);
	ber_memfree(buf);
	return 0;
}

static const char *const call_names[] = {
	[LI_OP_SEARCH] = "ldap_search_ext", [LI_OP_COMPARE] = "ldap_compare_ext",
	[LI_OP_DELETE] = "ldap_delete_ext", [LI_OP_MODRDN] = "ldap_rename",
	[LI_OP_ADD] = "ldap_add_ext",       [LI_OP_MODIFY] = "ldap_modify_ext",
	[LI_OP_EXOP] = "ldap_extended_operation", [LI_OP_NONE] = "none",
};

int li_op_send(LDAP *ld, const li_params *cfg, LDAPControl **ctrls, int *msgid, li_error *err)
{
	int rc;

	switch (cfg->op) {
	case LI_OP_SEARCH:
		rc = search(ld, cfg, ctrls, msgid);
		break;
	case LI_OP_COMPARE:
		rc = ldap_compare_ext(ld, cfg->dn, cfg->cmp_attr, (struct berval *)&cfg->cmp_value, ctrls,
				      NULL, msgid);
		break;
	case LI_OP_DELETE:
		rc = ldap_delete_ext(ld, cfg->dn, ctrls, NULL, msgid);
		break;
	case LI_OP_MODRDN:
		/* As ldapmodrdn(1) without -r: the old RDN value stays. */
		rc = ldap_rename(ld, cfg->dn, cfg->newrdn, cfg->newsup, 0, ctrls, NULL, msgid);
		break;
	case LI_OP_ADD:
	case LI_OP_MODIFY:
		if (from_ldif(ld, cfg, ctrls, msgid, &rc, err) < 0)
			return -1;
		break;
	case LI_OP_EXOP:
		rc = ldap_extended_operation(ld, cfg->exop_oid,
					     cfg->exop_has_value ? (struct berval *)&cfg->exop_value : NULL,
					     ctrls, NULL, msgid);
		break;
	default:
		return li_usage_error(err, "operation", "internal: nothing to send");
	}
	if (rc != LDAP_SUCCESS) {
		char *info = NULL;

		ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &info);
		li_ldap_error(err, call_names[cfg->op], rc, info, NULL);
		ldap_memfree(info);
		return -1;
	}
	return 0;
}

static const char *scope_name(int scope)
{
	const char *n = li_scope_name(scope);

	return n ? n : "sub";
}

void li_op_describe(const li_params *cfg, const char *defbase, li_buf *out)
{
	int i;

	switch (cfg->op) {
	case LI_OP_SEARCH:
		li_buf_addf(out, "search base \"%s\" scope %s filter \"",
			    cfg->base ? cfg->base : defbase ? defbase : "", scope_name(cfg->scope));
		li_filter_redacted(out, cfg->filter);
		li_buf_addc(out, '"');
		for (i = 0; cfg->attrs && cfg->attrs[i]; i++)
			li_buf_addf(out, "%s%s", i ? "," : " attrs ", cfg->attrs[i]);
		break;
	case LI_OP_COMPARE:
		li_buf_addf(out, "compare \"%s\" %s", cfg->dn, cfg->cmp_attr);
		break;
	case LI_OP_DELETE:
		li_buf_addf(out, "delete \"%s\"", cfg->dn);
		break;
	case LI_OP_MODRDN:
		li_buf_addf(out, "modrdn \"%s\" to \"%s\"", cfg->dn, cfg->newrdn);
		if (cfg->newsup)
			li_buf_addf(out, " under \"%s\"", cfg->newsup);
		break;
	case LI_OP_ADD:
	case LI_OP_MODIFY:
		li_buf_addf(out, "%s from %s", type_names[cfg->op], cfg->ldif_file);
		break;
	case LI_OP_EXOP:
		li_buf_addf(out, "extended operation %s", cfg->exop_oid);
		break;
	default:
		li_buf_addf(out, "no operation (message ID %lld)", cfg->target_msgid);
		break;
	}
}
