/* SPDX-License-Identifier: BSD-2-Clause */
/* Paged results: the page size set by li_params_add_paged, the request
 * control of each page, and the cookie that links a page to the next. */
#include "paging.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ldapinterrupt.h"

int li_params_add_paged(li_params *cfg, int size, int critical, li_error *err)
{
	li_ctrlspec *c;

	if (size < 1)
		return li_usage_error(err, "page size", "%d is out of range (1 to 2147483647)", size);
	if (li_paging_size(cfg))
		return li_usage_error(err, "page size", "paged results given twice");
	/* A control like any other (its OID once), sent with every page. */
	if (li_params_add_control(cfg, LDAP_CONTROL_PAGEDRESULTS, critical, NULL, 0, err) < 0)
		return -1;
	c = &cfg->ctrls[cfg->nctrls - 1];
	c->kind = LI_CTRL_PAGED;
	c->page_size = size;
	return 0;
}

static int bad_spec(li_error *err, const char *spec, const char *why)
{
	return li_usage_error(err, "-E", "'%s': %s", spec, why);
}

int li_paging_parse(li_params *cfg, const char *spec, const char *v, int critical, li_error *err)
{
	const char *slash = v ? strchr(v, '/') : NULL, *why;
	char size[24];
	long long n;
	size_t len;

	if (v == NULL || *v == '\0')
		return bad_spec(err, spec, "paged results need a page size: pr=<size>");
	/* ldapsearch's default is to prompt before each page; nothing can
	 * answer a prompt here while the run waits for the trigger. */
	if (slash && strcasecmp(slash + 1, "prompt") == 0)
		return bad_spec(err, spec, "/prompt cannot apply: the pages follow each other without a pause "
				"(give /noprompt, the default here)");
	if (slash && strcasecmp(slash + 1, "noprompt") != 0)
		return bad_spec(err, spec, "the page size may be followed only by /noprompt");
	len = slash ? (size_t)(slash - v) : strlen(v);
	if (len >= sizeof(size))
		len = sizeof(size) - 1; /* still too long a number: out of range */
	memcpy(size, v, len);
	size[len] = '\0';
	if (li_parse_int(size, 1, 2147483647, &n, &why) < 0)
		return li_usage_error(err, "-E", "'%s': page size %s (1 to 2147483647)", spec, why);
	if (li_params_add_paged(cfg, (int)n, critical, err) < 0) {
		snprintf(err->what, sizeof(err->what), "-E");
		return -1;
	}
	return 0;
}

int li_paging_size(const li_params *cfg)
{
	int i;

	for (i = 0; i < cfg->nctrls; i++)
		if (cfg->ctrls[i].kind == LI_CTRL_PAGED)
			return cfg->ctrls[i].page_size;
	return 0;
}

static int encode(LDAP *ld, int size, struct berval *cookie, struct berval *bv, li_error *err)
{
	if (ldap_create_page_control_value(ld, size, cookie, bv) != LDAP_SUCCESS)
		return li_ldap_error(err, "ldap_create_page_control_value", LDAP_NO_MEMORY, NULL, NULL);
	return 0;
}

int li_paging_encode(LDAP *ld, const li_ctrlspec *c, struct berval *bv, li_error *err)
{
	struct berval none = { 0, NULL };

	return encode(ld, c->page_size, &none, bv, err);
}

static LDAPControl *request_control(LDAPControl **ctrls)
{
	for (; ctrls && *ctrls; ctrls++)
		if (strcmp((*ctrls)->ldctl_oid, LDAP_CONTROL_PAGEDRESULTS) == 0)
			return *ctrls;
	return NULL;
}

int li_paging_next(LDAP *ld, LDAPMessage *done, LDAPControl **ctrls, int size, int *more, li_error *err)
{
	LDAPControl **rctrls = NULL, *resp, *req = request_control(ctrls);
	struct berval cookie = { 0, NULL }, value;
	ber_int_t estimate = 0;
	int rc = 0;

	*more = 0;
	if (req == NULL || ldap_parse_result(ld, done, NULL, NULL, NULL, NULL, &rctrls, 0) != LDAP_SUCCESS)
		return 0;
	/* No control, or one that does not parse: the server did not page,
	 * and this result ends the search as it would any other. */
	resp = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, rctrls, NULL);
	if (resp && ldap_parse_pageresponse_control(ld, resp, &estimate, &cookie) == LDAP_SUCCESS &&
	    cookie.bv_len > 0) {
		rc = encode(ld, size, &cookie, &value, err);
		if (rc == 0) {
			ber_memfree(req->ldctl_value.bv_val);
			req->ldctl_value = value;
			*more = 1;
		}
	}
	ber_memfree(cookie.bv_val);
	ldap_controls_free(rctrls);
	return rc;
}
