/* SPDX-License-Identifier: BSD-2-Clause */
#include "controls.h"

#include <stdio.h> /* ldif.h uses FILE without including it */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldif.h>

#include "buf.h"
#include "paging.h"
#include "parse.h"
#include "redact.h"

/* Controls ldapsearch(1) knows that make no sense here, with the reason. */
static const struct {
	const char *name;
	const char *why;
} refused[] = {
	{ "abandon", "is what ldapabandon and ldaptrace --abandon do; choose the moment with --after or "
		     "--after-entries" },
	{ "cancel", "is what ldapcancel and ldaptrace --cancel do; choose the moment with --after or "
		    "--after-entries" },
	{ "ignore", "is not needed: the tools always read every response" },
	{ "ppolicy", "applies to binds, which these tools do not interrupt" },
	{ "bauthzid", "applies to binds, which these tools do not interrupt" },
	{ "pr", "(paged results) is a search extension: give it as -E pr=<size>" },
};

/* ldapsearch -E's search extensions, with ldapsearch's syntax (parsed in
 * search_ext, encoded in encode_search). */
static const struct ext {
	const char *name;
	const char *oid;
	li_ctrlkind kind;
	int value;    /* 0: none, 1: required, 2: optional */
	int critical; /* ldapsearch requires ! */
	const char *form;
} exts[] = {
	{ "sync", LDAP_CONTROL_SYNC, LI_CTRL_SYNC, 1, 0, "ro|rp[/<cookie>]" },
	{ "subentries", LDAP_CONTROL_SUBENTRIES, LI_CTRL_BOOL, 2, 0, "true|false" },
	{ "sss", LDAP_CONTROL_SORTREQUEST, LI_CTRL_SSS, 1, 0, "[-]<attr[:OID]>[/[-]<attr[:OID]>...]" },
	{ "vlv", LDAP_CONTROL_VLVREQUEST, LI_CTRL_VLV, 1, 0, "<before>/<after>(/<offset>/<count>|:<value>)" },
	{ "deref", LDAP_CONTROL_X_DEREF, LI_CTRL_DEREF, 1, 0, "derefAttr:attr[,...][;derefAttr:attr[,...]...]" },
	{ "mv", LDAP_CONTROL_VALUESRETURNFILTER, LI_CTRL_MV, 1, 0, "<filter>" },
	{ "ps", LDAP_CONTROL_PERSIST_REQUEST, LI_CTRL_PS, 1, 0, "<changetypes>/<changesonly>/<echg>" },
	{ "domainScope", LDAP_CONTROL_X_DOMAIN_SCOPE, LI_CTRL_FLAG, 0, 0, NULL },
	{ "showDeleted", LDAP_CONTROL_X_SHOW_DELETED, LI_CTRL_FLAG, 0, 0, NULL },
	{ "serverNotif", LDAP_CONTROL_X_SERVER_NOTIFICATION, LI_CTRL_FLAG, 0, 0, NULL },
	{ "accountUsability", LDAP_CONTROL_X_ACCOUNT_USABILITY, LI_CTRL_FLAG, 0, 0, NULL },
	{ "dontUseCopy", LDAP_CONTROL_DONTUSECOPY, LI_CTRL_FLAG, 0, 1, NULL },
	{ "extendedDn", LDAP_CONTROL_X_EXTENDED_DN, LI_CTRL_EXTDN, 2, 0, "<flag>" },
	{ "dirSync", LDAP_CONTROL_X_DIRSYNC, LI_CTRL_DIRSYNC, 1, 1, "<flags>/<maxAttrCount>[/<base64 cookie>]" },
};

int li_is_oid(const char *s)
{
	int dots = 0, digit = 0;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			digit = 1;
		} else if (*s == '.' && digit) {
			dots++;
			digit = 0;
		} else {
			return 0;
		}
	}
	return dots > 0 && digit;
}

/* RFC 4648 base64: the alphabet in groups of four, '=' padding at the end. */
int li_is_base64(const char *s)
{
	size_t n = 0, pad = 0;

	for (; *s == ' '; s++)
		;
	for (; *s; s++, n++) {
		if (*s == '=') {
			pad++;
		} else if (pad || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
				    *s == '+' || *s == '/')) {
			return 0;
		}
	}
	return n % 4 == 0 && pad <= 2;
}

int li_parse_attr_value(const char *what, const char *spec, char **attr, char **value, size_t *len, li_error *err)
{
	struct berval bv = { 0, NULL };

	*attr = *value = NULL;
	*len = 0;
	if (li_parse_attr_value_shown(what, spec, spec, attr, &bv, err) < 0)
		return -1;
	*value = bv.bv_val;
	*len = bv.bv_len;
	return 0;
}

/* shown: the text to quote in errors, when spec was rewritten. */
int li_parse_attr_value_shown(const char *what, const char *spec, const char *shown, char **attr,
			      struct berval *value, li_error *err)
{
	struct berval type, val;
	const char *colon = strchr(spec, ':');
	char *line = NULL;
	int freeval = 0;

	if (colon == NULL || colon == spec)
		return li_usage_error(err, what, "'%s' is not attr:value or attr::base64", shown);
	*attr = strndup(spec, (size_t)(colon - spec));
	if (*attr == NULL)
		return li_ldap_error(err, what, LDAP_NO_MEMORY, NULL, NULL);
	if (colon[1] != ':') {
		/* A literal value, exactly as given (ldapcompare(1) does the same). */
		value->bv_val = strdup(colon + 1);
		value->bv_len = strlen(colon + 1);
		if (value->bv_val != NULL)
			return 0;
		goto nomem;
	}
	/* "attr::base64": let libldap's LDIF line parser decode it, once we
	 * know it is base64 (libldap prints its own complaint otherwise). */
	if (!li_is_base64(colon + 2)) {
		free(*attr);
		*attr = NULL;
		return li_usage_error(err, what, "'%s': the value after :: is not valid base64", shown);
	}
	line = strdup(spec);
	if (line == NULL)
		goto nomem;
	if (ldif_parse_line2(line, &type, &val, &freeval) < 0 || val.bv_val == NULL) {
		free(line);
		free(*attr);
		*attr = NULL;
		return li_usage_error(err, what, "'%s': the value after :: is not valid base64", shown);
	}
	value->bv_len = val.bv_len;
	value->bv_val = malloc(val.bv_len + 1);
	if (value->bv_val != NULL) {
		memcpy(value->bv_val, val.bv_val, val.bv_len);
		value->bv_val[val.bv_len] = '\0';
	}
	if (freeval)
		ber_memfree(val.bv_val);
	free(line);
	if (value->bv_val != NULL)
		return 0;
nomem:
	free(*attr);
	*attr = NULL;
	return li_ldap_error(err, what, LDAP_NO_MEMORY, NULL, NULL);
}

static int generic_value(li_ctrlspec *c, const char *opt, const char *oid, const char *v, li_error *err)
{
	char *spec, *attr = NULL;
	int rc;

	if (v == NULL)
		return 0;
	if (v[0] != ':')
		return li_usage_error(err, opt, "value for %s must be given as =:<value> or =::<base64>", oid);
	/* "x:value" or "x::base64": reuse the attr:value parser. */
	spec = malloc(strlen(v) + 2);
	if (spec == NULL)
		return li_ldap_error(err, opt, LDAP_NO_MEMORY, NULL, NULL);
	spec[0] = 'x';
	strcpy(spec + 1, v);
	rc = li_parse_attr_value_shown(opt, spec, v, &attr, &c->value, err);
	free(attr);
	free(spec);
	if (rc == 0)
		c->has_value = 1;
	return rc;
}

static int parse_sync(li_ctrlspec *c, const char *v, li_error *err)
{
	const char *slash;
	size_t n;

	if (v == NULL)
		return li_usage_error(err, "-E", "sync needs a mode: sync=ro[/<cookie>] or sync=rp[/<cookie>]");
	slash = strchr(v, '/');
	n = slash ? (size_t)(slash - v) : strlen(v);
	if (n == 2 && strncasecmp(v, "ro", 2) == 0)
		c->mode = LDAP_SYNC_REFRESH_ONLY;
	else if (n == 2 && strncasecmp(v, "rp", 2) == 0)
		c->mode = LDAP_SYNC_REFRESH_AND_PERSIST;
	else
		return li_usage_error(err, "-E", "'sync=%s': the mode must be ro or rp", v);
	/* ldapsearch reads rp/<cookie>/<slimit>, and takes an empty cookie
	 * as none: neither may silently become a different cookie here. */
	if (slash && slash[1] == '\0')
		return li_usage_error(err, "-E", "'sync=%s': the cookie after / is empty (give sync=%.2s for none)",
				      v, v);
	if (slash && c->mode == LDAP_SYNC_REFRESH_AND_PERSIST && strchr(slash + 1, '/'))
		return li_usage_error(err, "-E", "'sync=%s': ldapsearch's /<slimit> is not supported (use -z or "
				      "--after-entries)", v);
	if (slash) {
		c->text = strdup(slash + 1);
		if (c->text == NULL)
			return li_ldap_error(err, "-E", LDAP_NO_MEMORY, NULL, NULL);
	}
	c->kind = LI_CTRL_SYNC;
	c->oid = LDAP_CONTROL_SYNC;
	return 0;
}

static const struct ext *find_ext(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcasecmp(exts[i].name, name) == 0)
			return &exts[i];
	return NULL;
}

static int bad_value(const struct ext *e, const char *v, li_error *err)
{
	return li_usage_error(err, "-E", "'%s=%s': the value must be %s=%s", e->name, v, e->name, e->form);
}

/* before/after, then /offset/count or :value */
static int parse_vlv(li_ctrlspec *c, const struct ext *e, const char *v, li_error *err)
{
	const char *p;

	if (li_number(v, 0, 2147483647, &c->n[0], &p, "/") < 0 || *p != '/' ||
	    li_number(p + 1, 0, 2147483647, &c->n[1], &p, "/:") < 0 || *p == '\0')
		return bad_value(e, v, err);
	if (*p == ':') {
		c->text = strdup(p + 1);
		return c->text ? 0 : li_ldap_error(err, "-E", LDAP_NO_MEMORY, NULL, NULL);
	}
	if (li_number(p + 1, 0, 2147483647, &c->n[2], &p, "/") < 0 || *p != '/' ||
	    li_number(p + 1, 0, 2147483647, &c->n[3], NULL, NULL) < 0)
		return bad_value(e, v, err);
	return 0;
}

static int parse_numbers(li_ctrlspec *c, const struct ext *e, const char *v, int n, li_error *err)
{
	const char *p = v;
	int i;

	for (i = 0; i < n; i++) {
		if (li_number(p, -2147483647 - 1, 2147483647, &c->n[i], &p, "/") < 0 || (*p != '\0') != (i < n - 1))
			return bad_value(e, v, err);
		p++;
	}
	return 0;
}

/* derefAttr:attr[,attr...][;...]: every spec has an attribute to follow
 * and at least one to return. */
static int check_deref(const struct ext *e, const char *v)
{
	const char *spec = v;

	while (*spec) {
		size_t len = strcspn(spec, ";");
		const char *colon = memchr(spec, ':', len);

		if (colon == NULL || colon == spec || colon + 1 == spec + len)
			return -1;
		spec += len + (spec[len] == ';');
	}
	(void)e;
	return *v ? 0 : -1;
}

static int parse_dirsync(li_ctrlspec *c, const struct ext *e, const char *v, li_error *err)
{
	const char *p, *cookie;
	char *attr = NULL, *spec;
	int rc;

	if (li_number(v, -2147483647 - 1, 2147483647, &c->n[0], &p, "/") < 0 || *p != '/' ||
	    li_number(p + 1, 0, 2147483647, &c->n[1], &p, "/") < 0)
		return bad_value(e, v, err);
	cookie = *p == '/' ? p + 1 : "";
	/* the cookie is base64, as ldapsearch reads it: "x::cookie" */
	spec = malloc(strlen(cookie) + 4);
	if (spec == NULL)
		return li_ldap_error(err, "-E", LDAP_NO_MEMORY, NULL, NULL);
	sprintf(spec, "x::%s", cookie);
	rc = *cookie ? li_parse_attr_value_shown("-E", spec, v, &attr, &c->value, err) : 0;
	free(attr);
	free(spec);
	c->has_value = rc == 0 && *cookie;
	return rc;
}

static int search_value(li_ctrlspec *c, const struct ext *e, const char *v, li_error *err)
{
	switch (e->kind) {
	case LI_CTRL_SYNC:
		return parse_sync(c, v, err);
	case LI_CTRL_BOOL:
		c->flag = v == NULL || strcasecmp(v, "true") == 0;
		if (v && !c->flag && strcasecmp(v, "false") != 0)
			return li_usage_error(err, "-E", "'subentries=%s': the value must be true or false", v);
		return 0;
	case LI_CTRL_SSS: {
		LDAPSortKey **keys = NULL;
		char *s;

		if ((c->text = strdup(v)) == NULL)
			return li_ldap_error(err, "-E", LDAP_NO_MEMORY, NULL, NULL);
		for (s = c->text; (s = strchr(s, '/')) != NULL;)
			*s = ' ';
		if (*c->text == '\0' || ldap_create_sort_keylist(&keys, c->text) != LDAP_SUCCESS)
			return bad_value(e, v, err);
		ldap_free_sort_keylist(keys);
		return 0;
	}
	case LI_CTRL_VLV:
		return parse_vlv(c, e, v, err);
	case LI_CTRL_DEREF:
		if (check_deref(e, v) < 0)
			return bad_value(e, v, err);
		break;
	case LI_CTRL_PS:
		return parse_numbers(c, e, v, 3, err);
	case LI_CTRL_EXTDN:
		c->flag = -1; /* none: the control without a value */
		if (v && li_number(v, -2147483647 - 1, 2147483647, &c->n[0], NULL, NULL) < 0)
			return bad_value(e, v, err);
		if (v)
			c->flag = (int)c->n[0];
		return 0;
	case LI_CTRL_DIRSYNC:
		return parse_dirsync(c, e, v, err);
	default:
		break;
	}
	if (v && (c->text = strdup(v)) == NULL)
		return li_ldap_error(err, "-E", LDAP_NO_MEMORY, NULL, NULL);
	return 0;
}

static int search_ext(li_ctrlspec *c, const char *name, const char *v, li_error *err)
{
	const struct ext *e = find_ext(name);

	if (e == NULL)
		return 1;
	c->kind = e->kind;
	c->oid = e->oid;
	if (e->value == 0 && v != NULL)
		return li_usage_error(err, "-E", "%s takes no value", e->name);
	if (e->value == 1 && (v == NULL || (*v == '\0' && e->kind != LI_CTRL_MV)))
		return li_usage_error(err, "-E", "%s needs a value: %s=%s", e->name, e->name, e->form);
	if (e->critical && !c->critical)
		return li_usage_error(err, "-E", "%s must be marked critical, as ldapsearch requires: !%s%s%s", e->name,
				      e->name, v ? "=" : "", v ? v : "");
	return search_value(c, e, v, err);
}

static int parse_named(li_ctrlspec *c, const char *opt, const char *name, const char *v, int search_ext_,
		       li_error *err)
{
	if (search_ext_)
		return search_ext(c, name, v, err);
	if (find_ext(name))
		return li_usage_error(err, opt, "'%s' is a search extension: give it with -E", name);
	if (strcasecmp(name, "manageDSAit") == 0)
		c->oid = LDAP_CONTROL_MANAGEDSAIT;
	else if (strcasecmp(name, "relax") == 0 || strcasecmp(name, "manageDIT") == 0)
		c->oid = LDAP_CONTROL_RELAX;
	else if (strcasecmp(name, "noop") == 0)
		c->oid = LDAP_CONTROL_NOOP;
	else if (strcasecmp(name, "authzid") == 0)
		c->oid = LDAP_CONTROL_PROXY_AUTHZ;
	else if (strcasecmp(name, "assert") == 0)
		c->oid = LDAP_CONTROL_ASSERT, c->kind = LI_CTRL_ASSERT;
	else if (strcasecmp(name, "preread") == 0)
		c->oid = LDAP_CONTROL_PRE_READ, c->kind = LI_CTRL_ATTRLIST;
	else if (strcasecmp(name, "postread") == 0)
		c->oid = LDAP_CONTROL_POST_READ, c->kind = LI_CTRL_ATTRLIST;
	else
		return 1;
	if (strcmp(c->oid, LDAP_CONTROL_PROXY_AUTHZ) == 0) {
		if (v == NULL)
			return li_usage_error(err, opt, "authzid needs a value: !authzid=dn:<dn> or !authzid=u:<user>");
		if (!c->critical)
			return li_usage_error(err, opt, "authzid must be marked critical: !authzid=%s", v);
		c->value.bv_val = strdup(v);
		c->value.bv_len = strlen(v);
		c->has_value = 1;
		return c->value.bv_val ? 0 : li_ldap_error(err, opt, LDAP_NO_MEMORY, NULL, NULL);
	}
	if (c->kind == LI_CTRL_ASSERT && v == NULL)
		return li_usage_error(err, opt, "assert needs a filter: assert=<filter>");
	if (c->kind == LI_CTRL_GENERIC && v != NULL)
		return li_usage_error(err, opt, "%s takes no value", name);
	if (v) {
		c->text = strdup(v);
		if (c->text == NULL)
			return li_ldap_error(err, opt, LDAP_NO_MEMORY, NULL, NULL);
	}
	return 0;
}

int li_ctrl_parse(li_params *cfg, const char *spec, int search_ext, li_error *err)
{
	const char *opt = search_ext ? "-E" : "-e";
	li_ctrlspec *c;
	char *name, *eq;
	const char *v;
	size_t i;
	int rc, crit = 0;

	if (*spec == '!') {
		crit = 1;
		spec++;
	}
	if (*spec == '!')
		return li_usage_error(err, opt, "'%s': mark a control critical with one !", spec - 1);
	/* Paged results are a series of requests, not one control value. */
	if (search_ext && strncasecmp(spec, "pr", 2) == 0 && (spec[2] == '\0' || spec[2] == '='))
		return li_paging_parse(cfg, spec - crit, spec[2] ? spec + 3 : NULL, crit, err);
	if (*spec == '\0')
		return li_usage_error(err, opt, "empty control");
	if (cfg->nctrls == LI_MAX_CTRLS)
		return li_usage_error(err, opt, "too many controls (at most %d)", LI_MAX_CTRLS);
	name = strdup(spec);
	if (name == NULL)
		return li_ldap_error(err, opt, LDAP_NO_MEMORY, NULL, NULL);
	eq = strchr(name, '=');
	v = NULL;
	if (eq) {
		*eq = '\0';
		v = eq + 1;
	}
	c = &cfg->ctrls[cfg->nctrls];
	memset(c, 0, sizeof(*c));
	c->critical = crit;
	rc = 0;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (strcasecmp(name, refused[i].name) == 0)
			rc = li_usage_error(err, opt, "'%s' %s", name, refused[i].why);
	if (rc == 0 && li_is_oid(name)) {
		c->oid = NULL;
		c->text = name; /* generic: the OID text is owned here */
		name = NULL;
		rc = generic_value(c, opt, c->text, v ? v : NULL, err);
	} else if (rc == 0) {
		rc = parse_named(c, opt, name, v, search_ext, err);
		if (rc == 1)
			rc = li_usage_error(err, opt, "'%s' is not a control this tool knows; give it as "
					    "[!]<oid>[=:<value>|=::<b64value>]", name);
	}
	for (i = 0; rc == 0 && i < (size_t)cfg->nctrls; i++) {
		const char *a = cfg->ctrls[i].oid ? cfg->ctrls[i].oid : cfg->ctrls[i].text;
		const char *b = c->oid ? c->oid : c->text;

		if (strcmp(a, b) == 0)
			rc = li_usage_error(err, opt, "control %s given twice", b);
	}
	free(name);
	if (rc != 0) {
		li_ctrl_free(c);
		return rc;
	}
	cfg->nctrls++;
	return 0;
}

int li_params_add_control_text(li_params *cfg, const char *spec, int search_ext, li_error *err)
{
	return li_ctrl_parse(cfg, spec, search_ext, err);
}

int li_params_add_control(li_params *cfg, const char *oid, int critical, const void *value, size_t len,
			  li_error *err)
{
	li_ctrlspec *c;
	int i;

	if (oid == NULL || !li_is_oid(oid))
		return li_usage_error(err, "controls", "'%s' is not an OID", oid ? oid : "");
	if (cfg->nctrls == LI_MAX_CTRLS)
		return li_usage_error(err, "controls", "too many controls (at most %d)", LI_MAX_CTRLS);
	for (i = 0; i < cfg->nctrls; i++)
		if (strcmp(cfg->ctrls[i].oid ? cfg->ctrls[i].oid : cfg->ctrls[i].text, oid) == 0)
			return li_usage_error(err, "controls", "control %s given twice", oid);
	c = &cfg->ctrls[cfg->nctrls];
	memset(c, 0, sizeof(*c));
	c->critical = critical != 0;
	c->text = strdup(oid); /* generic: the OID text is owned here */
	if (c->text != NULL && value != NULL) {
		c->value.bv_val = malloc(len + 1);
		if (c->value.bv_val != NULL) {
			memcpy(c->value.bv_val, value, len);
			c->value.bv_val[len] = '\0';
			c->value.bv_len = len;
			c->has_value = 1;
		}
	}
	if (c->text == NULL || (value != NULL && c->value.bv_val == NULL)) {
		li_ctrl_free(c);
		return li_ldap_error(err, "controls", LDAP_NO_MEMORY, NULL, NULL);
	}
	cfg->nctrls++;
	return 0;
}

void li_ctrl_free(li_ctrlspec *c)
{
	free(c->text);
	free(c->value.bv_val);
	memset(c, 0, sizeof(*c));
}

/* "cn,mail" -> { "cn", "mail", NULL }, pointing into a copy owned by the
 * array's first slot region (one allocation, freed with the array). */
static char **split_attrs(const char *text)
{
	size_t n = 1, len = text ? strlen(text) : 0, i;
	char **v, *copy, *save = NULL, *tok;

	for (i = 0; i < len; i++)
		n += text[i] == ',';
	v = malloc((n + 1) * sizeof(char *) + len + 1);
	if (v == NULL)
		return NULL;
	copy = (char *)(v + n + 1);
	memcpy(copy, text ? text : "", len + 1);
	n = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		v[n++] = tok;
	v[n] = NULL;
	return v;
}

static int encode_deref(LDAP *ld, const char *text, struct berval *bv)
{
	char *copy = strdup(text), *save = NULL, *spec;
	LDAPDerefSpec *ds;
	int i, n = 1, rc = LDAP_NO_MEMORY;

	for (i = 0; text[i]; i++)
		n += text[i] == ';';
	ds = copy ? calloc((size_t)n + 1, sizeof(*ds)) : NULL;
	n = 0;
	/* parse_named checked each spec: derefAttr:attr[,attr...] */
	for (spec = ds ? strtok_r(copy, ";", &save) : NULL; spec; spec = strtok_r(NULL, ";", &save)) {
		char *colon = strchr(spec, ':');

		*colon = '\0';
		ds[n].derefAttr = spec;
		if ((ds[n++].attributes = split_attrs(colon + 1)) == NULL)
			break;
	}
	if (ds && (n == 0 || ds[n - 1].attributes))
		rc = ldap_create_deref_control_value(ld, ds, bv);
	for (i = 0; ds && i < n; i++)
		free(ds[i].attributes);
	free(ds);
	free(copy);
	return rc;
}

static int encode_mv(const li_ctrlspec *c, struct berval *bv, li_error *err)
{
	BerElement *ber = ber_alloc_t(LBER_USE_DER);
	int rc = 0;

	if (ber == NULL)
		return li_ldap_error(err, "-E", LDAP_NO_MEMORY, NULL, NULL);
	if (ldap_put_vrFilter(ber, c->text) == -1) {
		li_buf shown = { 0 };

		li_filter_redacted(&shown, c->text);
		rc = li_usage_error(err, "-E", "mv: '%s' is not a valid ValuesReturnFilter (RFC 3876)",
				    shown.data ? shown.data : "");
		free(shown.data);
	} else if (ber_flatten2(ber, bv, 1) < 0) {
		rc = li_ldap_error(err, "-E", LDAP_ENCODING_ERROR, NULL, NULL);
	}
	ber_free(ber, 1);
	return rc;
}

/* -E's search extensions with libldap's own encoders. 1: not one of them. */
static int encode_search(LDAP *ld, const li_ctrlspec *c, struct berval *bv, li_error *err)
{
	LDAPSortKey **keys = NULL;
	LDAPVLVInfo vlv = { 0 };
	struct berval value, none = { 0, (char *)"" };
	int rc;

	switch (c->kind) {
	case LI_CTRL_FLAG:
		return 0;
	case LI_CTRL_MV:
		return encode_mv(c, bv, err);
	case LI_CTRL_SSS:
		rc = ldap_create_sort_keylist(&keys, c->text);
		if (rc == LDAP_SUCCESS)
			rc = ldap_create_sort_control_value(ld, keys, bv);
		ldap_free_sort_keylist(keys);
		break;
	case LI_CTRL_VLV:
		vlv.ldvlv_version = 1;
		vlv.ldvlv_before_count = (ber_int_t)c->n[0];
		vlv.ldvlv_after_count = (ber_int_t)c->n[1];
		vlv.ldvlv_offset = (ber_int_t)c->n[2];
		vlv.ldvlv_count = (ber_int_t)c->n[3];
		if (c->text) {
			value.bv_val = c->text;
			value.bv_len = strlen(c->text);
			vlv.ldvlv_attrvalue = &value;
		}
		rc = ldap_create_vlv_control_value(ld, &vlv, bv);
		break;
	case LI_CTRL_DEREF:
		rc = encode_deref(ld, c->text, bv);
		break;
	case LI_CTRL_PS:
		rc = ldap_create_persistentsearch_control_value(ld, (int)c->n[0], (int)c->n[1], (int)c->n[2], bv);
		break;
	case LI_CTRL_EXTDN:
		rc = c->flag < 0 ? LDAP_SUCCESS : ldap_create_extended_dn_value(ld, c->flag, bv);
		break;
	case LI_CTRL_DIRSYNC:
		rc = ldap_create_dirsync_value(ld, (int)c->n[0], (int)c->n[1],
					       c->has_value ? (struct berval *)&c->value : &none, bv);
		break;
	default:
		return 1;
	}
	if (rc != LDAP_SUCCESS)
		return li_ldap_error(err, "-E", rc, NULL, NULL);
	return 0;
}

static int encode(LDAP *ld, const li_ctrlspec *c, struct berval *bv, li_error *err)
{
	BerElement *ber = NULL;
	char **attrs = NULL;
	int rc = 0;

	bv->bv_val = NULL;
	bv->bv_len = 0;
	switch (c->kind) {
	case LI_CTRL_GENERIC:
		if (c->has_value && ber_dupbv(bv, (struct berval *)&c->value) == NULL)
			return li_ldap_error(err, "-e", LDAP_NO_MEMORY, NULL, NULL);
		return 0;
	case LI_CTRL_PAGED:
		return li_paging_encode(ld, c, bv, err);
	case LI_CTRL_ASSERT:
		rc = ldap_create_assertion_control_value(ld, c->text, bv);
		if (rc != LDAP_SUCCESS) {
			li_buf shown = { 0 };

			li_filter_redacted(&shown, c->text);
			li_usage_error(err, "-e", "assert: '%s' is not a valid filter", shown.data ? shown.data : "");
			free(shown.data);
			return -1;
		}
		return 0;
	default:
		rc = encode_search(ld, c, bv, err);
		if (rc != 1)
			return rc;
		break;
	}
	ber = ber_alloc_t(LBER_USE_DER);
	if (ber == NULL)
		return li_ldap_error(err, "-e", LDAP_NO_MEMORY, NULL, NULL);
	if (c->kind == LI_CTRL_ATTRLIST) {
		attrs = split_attrs(c->text);
		rc = attrs ? ber_printf(ber, "{v}", attrs) : -1;
		free(attrs);
	} else if (c->kind == LI_CTRL_SYNC) {
		rc = c->text ? ber_printf(ber, "{es}", c->mode, c->text) : ber_printf(ber, "{e}", c->mode);
	} else {
		rc = ber_printf(ber, "b", (ber_int_t)c->flag);
	}
	if (rc < 0 || ber_flatten2(ber, bv, 1) < 0)
		rc = li_ldap_error(err, "-e", LDAP_ENCODING_ERROR, NULL, NULL);
	else
		rc = 0;
	ber_free(ber, 1);
	return rc;
}

int li_ctrls_build(LDAP *ld, const li_params *cfg, LDAPControl ***out, li_error *err)
{
	LDAPControl **list;
	int i, rc = 0;

	list = calloc((size_t)cfg->nctrls + 1, sizeof(*list));
	if (list == NULL)
		return li_ldap_error(err, "controls", LDAP_NO_MEMORY, NULL, NULL);
	for (i = 0; i < cfg->nctrls && rc == 0; i++) {
		const li_ctrlspec *c = &cfg->ctrls[i];
		struct berval bv;

		rc = encode(ld, c, &bv, err);
		if (rc != 0)
			break;
		if (ldap_control_create(c->oid ? c->oid : c->text, c->critical, bv.bv_val ? &bv : NULL, 1,
					&list[i]) != LDAP_SUCCESS)
			rc = li_ldap_error(err, "controls", LDAP_NO_MEMORY, NULL, NULL);
		ber_memfree(bv.bv_val);
	}
	if (rc != 0) {
		ldap_controls_free(list);
		return rc;
	}
	*out = list;
	return 0;
}

int li_filter_check(LDAP *ld, const char *filter, li_error *err)
{
	struct berval bv = { 0, NULL };

	/* libldap's filter encoder, through the one public entry to it, so a
	 * bad filter is refused before anything is sent; the message shows it
	 * redacted, as a userPassword value typed in it is a secret. */
	if (ldap_create_assertion_control_value(ld, (char *)filter, &bv) != LDAP_SUCCESS) {
		li_buf shown = { 0 };

		li_filter_redacted(&shown, filter);
		li_usage_error(err, "filter", "'%s' is not a valid search filter (RFC 4515)",
			       shown.data ? shown.data : "");
		free(shown.data);
		return -1;
	}
	ber_memfree(bv.bv_val);
	return 0;
}

int li_secprops_set(LDAP *ld, const char *secprops, li_error *err)
{
	if (ldap_set_option(ld, LDAP_OPT_X_SASL_SECPROPS, secprops) != LDAP_OPT_SUCCESS)
		return li_usage_error(err, "SASL security properties", "'%s' is not a valid list of SASL security properties", secprops);
	return 0;
}

static int vlv_without_sss(const li_params *cfg)
{
	int i, vlv = 0, sss = 0;

	for (i = 0; i < cfg->nctrls; i++) {
		vlv |= cfg->ctrls[i].kind == LI_CTRL_VLV;
		sss |= cfg->ctrls[i].kind == LI_CTRL_SSS;
	}
	return vlv && !sss;
}

int li_encoding_check(const li_params *cfg, li_error *err)
{
	LDAP *ld = NULL;
	LDAPControl **ctrls = NULL;
	int rc;

	if (vlv_without_sss(cfg))
		return li_usage_error(err, "-E", "vlv needs sss: the server views the list it sorts (ldapsearch "
				      "requires it too)");
	rc = ldap_initialize(&ld, NULL);
	if (rc != LDAP_SUCCESS)
		return li_ldap_error(err, "ldap_initialize", rc, NULL, NULL);
	rc = li_ctrls_build(ld, cfg, &ctrls, err);
	if (rc == 0)
		ldap_controls_free(ctrls);
	if (rc == 0 && cfg->op == LI_OP_SEARCH)
		rc = li_filter_check(ld, cfg->filter, err);
	if (rc == 0 && cfg->sasl_secprops)
		rc = li_secprops_set(ld, cfg->sasl_secprops, err);
	ldap_unbind_ext(ld, NULL, NULL);
	return rc;
}
