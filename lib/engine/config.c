/* SPDX-License-Identifier: BSD-2-Clause */
/* The parameters of a run: defaults, the typed setters (each checks its
 * value), and the checks that need them all. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldap.h>

#include "buf.h"
#include "config.h"
#include "controls.h"
#include "ldapconf.h"
#include "ldifrecord.h"
#include "paging.h"
#include "parse.h"

#define LI_WAIT_ABANDON_US 1000000LL
#define LI_WAIT_CANCEL_US 30000000LL
#define DEFAULT_FILTER "(objectClass=*)"

li_params *li_params_new(void)
{
	li_params *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	cfg->op = LI_OP_SEARCH;
	cfg->scope = LDAP_SCOPE_SUBTREE;
	cfg->deref = LDAP_DEREF_NEVER;
	cfg->sasl_flags = LDAP_SASL_AUTOMATIC;
	cfg->after_entries = -1;
	cfg->wait_us = -1;
	cfg->timeout_us = LI_NEVER;
	/* The default operation: a search for everything. */
	cfg->filter = strdup(DEFAULT_FILTER);
	if (cfg->filter == NULL) {
		free(cfg);
		return NULL;
	}
	return cfg;
}

void li_secret_free(char *s, size_t len)
{
	if (s == NULL)
		return;
	explicit_bzero(s, len);
	free(s);
}

static void free_attrs(li_params *cfg)
{
	int i;

	if (cfg->attrs)
		for (i = 0; cfg->attrs[i]; i++)
			free(cfg->attrs[i]);
	free(cfg->attrs);
	cfg->attrs = NULL;
}

/* What one operation set, so that setting another leaves nothing behind. */
static void clear_op(li_params *cfg)
{
	free(cfg->base);
	free(cfg->filter);
	free_attrs(cfg);
	free(cfg->dn);
	free(cfg->newrdn);
	free(cfg->newsup);
	free(cfg->cmp_attr);
	free(cfg->cmp_value.bv_val);
	free(cfg->ldif_file);
	free(cfg->ldif_text);
	free(cfg->exop_oid);
	free(cfg->exop_value.bv_val);
	cfg->base = cfg->filter = cfg->dn = cfg->newrdn = cfg->newsup = cfg->cmp_attr = NULL;
	cfg->ldif_file = cfg->ldif_text = cfg->exop_oid = NULL;
	memset(&cfg->cmp_value, 0, sizeof(cfg->cmp_value));
	memset(&cfg->exop_value, 0, sizeof(cfg->exop_value));
	cfg->exop_has_value = 0;
	cfg->scope = LDAP_SCOPE_SUBTREE;
	cfg->deref = LDAP_DEREF_NEVER;
	cfg->sizelimit = cfg->timelimit = cfg->attrsonly = 0;
}

static void clear_bind(li_params *cfg)
{
	li_secret_free(cfg->passwd, cfg->passwd_len);
	free(cfg->binddn);
	free(cfg->sasl_mech);
	free(cfg->sasl_authcid);
	free(cfg->sasl_authzid);
	free(cfg->sasl_realm);
	free(cfg->sasl_secprops);
	cfg->passwd = cfg->binddn = cfg->sasl_mech = cfg->sasl_authcid = NULL;
	cfg->sasl_authzid = cfg->sasl_realm = cfg->sasl_secprops = NULL;
	cfg->passwd_len = 0;
	cfg->auth_simple = cfg->auth_sasl = cfg->sasl_nocanon = 0;
	cfg->sasl_flags = LDAP_SASL_AUTOMATIC;
}

void li_params_free(li_params *cfg)
{
	int i;

	if (cfg == NULL)
		return;
	clear_bind(cfg);
	clear_op(cfg);
	free(cfg->uri);
	free(cfg->name);
	free(cfg->audit_base);
	for (i = 0; i < cfg->nldapopts; i++)
		free(cfg->ldapopts[i].value);
	for (i = 0; i < cfg->nctrls; i++)
		li_ctrl_free(&cfg->ctrls[i]);
	free(cfg);
}

int li_params_str(char **field, const char *s, const char *what, li_error *err)
{
	char *copy = NULL;

	if (s && (copy = strdup(s)) == NULL)
		return li_ldap_error(err, what, LDAP_NO_MEMORY, NULL, NULL);
	free(*field);
	*field = copy;
	return 0;
}

static int check_dn(const char *what, const char *dn, li_error *err)
{
	LDAPDN parsed = NULL;

	if (dn == NULL)
		return 0;
	if (ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		return li_usage_error(err, what, "'%s' is not a valid DN", dn);
	ldap_dnfree(parsed);
	return 0;
}

int li_params_set_audit_base(li_params *cfg, const char *dn, li_error *err)
{
	if (check_dn("audit base", dn, err) < 0)
		return -1;
	return li_params_str(&cfg->audit_base, dn, "audit base", err);
}

void li_params_set_audit_hooks(li_params *cfg, const li_audit_hooks *h)
{
	cfg->audit_hooks = h;
}

int li_params_set_name(li_params *cfg, const char *name, li_error *err)
{
	return li_params_str(&cfg->name, name, "name", err);
}

int li_params_set_uri(li_params *cfg, const char *uris, li_error *err)
{
	char *list, *save = NULL, *one;
	int rc = 0, n = 0;

	if (uris == NULL)
		return li_params_str(&cfg->uri, NULL, "URI", err);
	list = strdup(uris);
	if (list == NULL)
		return li_ldap_error(err, "URI", LDAP_NO_MEMORY, NULL, NULL);
	/* A list, as ldapsearch -H: "ldap://a ldap://b" or with commas. */
	for (one = strtok_r(list, ", \t", &save); one && rc == 0; one = strtok_r(NULL, ", \t", &save)) {
		LDAPURLDesc *ludp = NULL;
		int urc = ldap_url_parse(one, &ludp);

		n++;
		if (urc == LDAP_URL_ERR_BADSCHEME)
			rc = li_usage_error(err, "URI", "'%s': unknown scheme (use ldap://, ldaps:// or ldapi://)", one);
		else if (urc != LDAP_URL_SUCCESS)
			rc = li_usage_error(err, "URI", "'%s' is not an LDAP URI", one);
		ldap_free_urldesc(ludp);
	}
	free(list);
	if (rc == 0 && n == 0)
		rc = li_usage_error(err, "URI", "empty URI");
	return rc < 0 ? rc : li_params_str(&cfg->uri, uris, "URI", err);
}

int li_params_set_tls(li_params *cfg, li_tls mode, li_error *err)
{
	if (mode != LI_TLS_NONE && mode != LI_TLS_TRY && mode != LI_TLS_REQUIRE)
		return li_usage_error(err, "TLS", "%d is not a TLS mode", (int)mode);
	cfg->starttls = (int)mode;
	return 0;
}

static int set_password(li_params *cfg, const char *pw, size_t len, li_error *err)
{
	if (pw == NULL)
		return 0;
	if (len == 0)
		return li_usage_error(err, "password", "the password is empty (with a bind DN, an unauthenticated "
				      "bind, which a server may take as anonymous; for an anonymous bind give no password)");
	if (len > LI_SECRET_MAX)
		return li_usage_error(err, "password", "the password is longer than %d bytes", LI_SECRET_MAX);
	if (memchr(pw, '\0', len))
		return li_usage_error(err, "password", "holds a NUL byte (a password cannot contain one)");
	/* An exact copy: the length and the bytes of a secret always agree. */
	cfg->passwd = malloc(len + 1);
	if (cfg->passwd == NULL)
		return li_ldap_error(err, "password", LDAP_NO_MEMORY, NULL, NULL);
	memcpy(cfg->passwd, pw, len);
	cfg->passwd[len] = '\0';
	cfg->passwd_len = len;
	return 0;
}

int li_params_set_bind_simple(li_params *cfg, const char *dn, const char *pw, size_t len, li_error *err)
{
	/* Any string, as ldapsearch -D: "svc@corp.example.com" and
	 * "CORP\svc" are bind names Active Directory takes; the server judges. */
	clear_bind(cfg);
	cfg->auth_simple = 1;
	if (li_params_str(&cfg->binddn, dn, "bind DN", err) < 0 || set_password(cfg, pw, len, err) < 0) {
		clear_bind(cfg);
		return -1;
	}
	return 0;
}

static int secprops_check(const char *secprops, li_error *err)
{
	LDAP *ld = NULL;
	int rc;

	if (secprops == NULL)
		return 0;
	rc = ldap_initialize(&ld, NULL);
	if (rc != LDAP_SUCCESS)
		return li_ldap_error(err, "ldap_initialize", rc, NULL, NULL);
	rc = li_secprops_set(ld, secprops, err);
	ldap_unbind_ext(ld, NULL, NULL);
	return rc;
}

int li_params_set_bind_sasl(li_params *cfg, const li_sasl *s, li_error *err)
{
	if (secprops_check(s->secprops, err) < 0)
		return -1;
	if (s->quiet && s->interactive)
		return li_usage_error(err, "SASL", "quiet and interactive exclude each other");
	clear_bind(cfg);
	cfg->auth_sasl = 1;
	cfg->sasl_nocanon = s->nocanon != 0;
	cfg->sasl_flags = s->quiet ? LDAP_SASL_QUIET : s->interactive ? LDAP_SASL_INTERACTIVE : LDAP_SASL_AUTOMATIC;
	if (li_params_str(&cfg->binddn, s->dn, "bind DN", err) < 0 ||
	    li_params_str(&cfg->sasl_mech, s->mech, "SASL", err) < 0 ||
	    li_params_str(&cfg->sasl_authcid, s->authcid, "SASL", err) < 0 ||
	    li_params_str(&cfg->sasl_authzid, s->authzid, "SASL", err) < 0 ||
	    li_params_str(&cfg->sasl_realm, s->realm, "SASL", err) < 0 ||
	    li_params_str(&cfg->sasl_secprops, s->secprops, "SASL", err) < 0 ||
	    set_password(cfg, s->password, s->password_len, err) < 0) {
		clear_bind(cfg);
		return -1;
	}
	return 0;
}

void li_params_set_prompt(li_params *cfg, li_prompt_fn fn, void *arg)
{
	cfg->prompt = fn;
	cfg->sasl_prompt = NULL;
	cfg->prompt_arg = arg;
}

void li_params_set_sasl_prompt(li_params *cfg, li_sasl_prompt_fn fn, void *arg)
{
	cfg->sasl_prompt = fn;
	cfg->prompt = NULL;
	cfg->prompt_arg = arg;
}

int li_params_set_network_timeout(li_params *cfg, long long secs, li_error *err)
{
	if (secs != -1 && (secs < 1 || secs > 2147483647))
		return li_usage_error(err, "network timeout", "%lld seconds is out of range (1 to 2147483647, "
				      "or -1 for none)", secs);
	cfg->nettimeout_set = 1;
	cfg->nettimeout.tv_sec = (time_t)secs;
	cfg->nettimeout.tv_usec = 0;
	return 0;
}

int li_params_set_ldap_option(li_params *cfg, const char *name, const char *value, li_error *err)
{
	const char *canon;
	char *copy;
	int i;

	if (name == NULL || li_ldapconf_check(name, value, err) < 0)
		return name ? -1 : li_usage_error(err, "-o", "no option name");
	canon = li_ldapconf_name(name);
	if (strcmp(canon, "sasl_secprops") == 0 && secprops_check(value, err) < 0)
		return li_usage_error(err, "-o", "sasl_secprops '%s' is not a valid list of SASL security properties",
				      value);
	copy = strdup(value);
	if (copy == NULL)
		return li_ldap_error(err, "-o", LDAP_NO_MEMORY, NULL, NULL);
	/* Given again, the last value counts, as in ldap.conf. */
	for (i = 0; i < cfg->nldapopts && cfg->ldapopts[i].name != canon; i++)
		;
	if (i == LI_MAX_LDAPOPTS) {
		free(copy);
		return li_usage_error(err, "-o", "too many options");
	}
	if (i == cfg->nldapopts)
		cfg->nldapopts++;
	free(cfg->ldapopts[i].value);
	cfg->ldapopts[i].name = canon;
	cfg->ldapopts[i].value = copy;
	return 0;
}

int li_params_set_debug(li_params *cfg, int level, li_error *err)
{
	if (level < -1)
		return li_usage_error(err, "debug", "%d is not a debug level", level);
	cfg->debug = level;
	return 0;
}

static int filter_check(const char *filter, li_error *err)
{
	LDAP *ld = NULL;
	int rc = ldap_initialize(&ld, NULL);

	if (rc != LDAP_SUCCESS)
		return li_ldap_error(err, "ldap_initialize", rc, NULL, NULL);
	rc = li_filter_check(ld, filter, err);
	ldap_unbind_ext(ld, NULL, NULL);
	return rc;
}

static int copy_attrs(li_params *cfg, const char *const *attrs, li_error *err)
{
	size_t n = 0, i;

	while (attrs && attrs[n])
		n++;
	if (n == 0)
		return 0;
	cfg->attrs = calloc(n + 1, sizeof(char *));
	if (cfg->attrs == NULL)
		return li_ldap_error(err, "attributes", LDAP_NO_MEMORY, NULL, NULL);
	for (i = 0; i < n; i++)
		if ((cfg->attrs[i] = strdup(attrs[i])) == NULL)
			return li_ldap_error(err, "attributes", LDAP_NO_MEMORY, NULL, NULL);
	return 0;
}

int li_params_set_search(li_params *cfg, const li_search *s, li_error *err)
{
	const char *filter = s->filter ? s->filter : DEFAULT_FILTER;

	if (s->scope != LDAP_SCOPE_BASE && s->scope != LDAP_SCOPE_ONELEVEL && s->scope != LDAP_SCOPE_SUBTREE &&
	    s->scope != LDAP_SCOPE_CHILDREN)
		return li_usage_error(err, "scope", "%d is not a scope", s->scope);
	if (s->deref < LDAP_DEREF_NEVER || s->deref > LDAP_DEREF_ALWAYS)
		return li_usage_error(err, "deref", "%d is not a deref value", s->deref);
	if (s->sizelimit < 0 || s->timelimit < 0)
		return li_usage_error(err, "limits", "a size or time limit is negative");
	if (check_dn("base", s->base, err) < 0 || filter_check(filter, err) < 0)
		return -1;
	clear_op(cfg);
	cfg->op = LI_OP_SEARCH;
	cfg->scope = s->scope;
	cfg->deref = s->deref;
	cfg->sizelimit = s->sizelimit;
	cfg->timelimit = s->timelimit;
	cfg->attrsonly = s->attrsonly != 0;
	if (li_params_str(&cfg->base, s->base, "base", err) < 0 || li_params_str(&cfg->filter, filter, "filter", err) < 0 ||
	    copy_attrs(cfg, s->attrs, err) < 0) {
		clear_op(cfg);
		return -1;
	}
	return 0;
}

static int copy_value(struct berval *bv, const void *value, size_t len, const char *what, li_error *err)
{
	bv->bv_val = malloc(len + 1);
	if (bv->bv_val == NULL)
		return li_ldap_error(err, what, LDAP_NO_MEMORY, NULL, NULL);
	if (len)
		memcpy(bv->bv_val, value, len);
	bv->bv_val[len] = '\0';
	bv->bv_len = len;
	return 0;
}

static int need(const char *what, const char *s, li_error *err)
{
	if (s == NULL || *s == '\0')
		return li_usage_error(err, what, "missing");
	return 0;
}

int li_params_set_compare(li_params *cfg, const char *dn, const char *attr, const void *value, size_t len,
			  li_error *err)
{
	if (check_dn("DN", dn, err) < 0 || need("DN", dn, err) < 0 || need("attribute", attr, err) < 0)
		return -1;
	if (value == NULL && len)
		return li_usage_error(err, "value", "no value, but a length");
	clear_op(cfg);
	cfg->op = LI_OP_COMPARE;
	if (li_params_str(&cfg->dn, dn, "DN", err) < 0 || li_params_str(&cfg->cmp_attr, attr, "attribute", err) < 0 ||
	    copy_value(&cfg->cmp_value, value, len, "value", err) < 0) {
		clear_op(cfg);
		return -1;
	}
	return 0;
}

int li_params_set_delete(li_params *cfg, const char *dn, li_error *err)
{
	if (need("DN", dn, err) < 0 || check_dn("DN", dn, err) < 0)
		return -1;
	clear_op(cfg);
	cfg->op = LI_OP_DELETE;
	return li_params_str(&cfg->dn, dn, "DN", err);
}

int li_params_set_modrdn(li_params *cfg, const char *dn, const char *newrdn, const char *newsup, li_error *err)
{
	if (need("DN", dn, err) < 0 || check_dn("DN", dn, err) < 0 || need("NEWRDN", newrdn, err) < 0 ||
	    check_dn("NEWRDN", newrdn, err) < 0 || check_dn("NEWSUPERIOR", newsup, err) < 0)
		return -1;
	clear_op(cfg);
	cfg->op = LI_OP_MODRDN;
	if (li_params_str(&cfg->dn, dn, "DN", err) < 0 || li_params_str(&cfg->newrdn, newrdn, "NEWRDN", err) < 0 ||
	    li_params_str(&cfg->newsup, newsup, "NEWSUPERIOR", err) < 0) {
		clear_op(cfg);
		return -1;
	}
	return 0;
}

static int set_ldif(li_params *cfg, li_optype op, const char *text, const char *name, li_error *err)
{
	li_params probe = { .op = op, .name = cfg->name };
	LDIFRecord lr;
	char *buf;

	if (text == NULL)
		return li_usage_error(err, "LDIF", "no LDIF record");
	probe.ldif_text = (char *)text;
	probe.ldif_file = (char *)(name ? name : "LDIF");
	if (li_ldif_parse(&probe, &lr, &buf, err) < 0)
		return -1;
	ldap_ldif_record_done(&lr);
	ber_memfree(buf);
	clear_op(cfg);
	cfg->op = op;
	if (li_params_str(&cfg->ldif_text, text, "LDIF", err) < 0 ||
	    li_params_str(&cfg->ldif_file, name ? name : "LDIF", "LDIF", err) < 0) {
		clear_op(cfg);
		return -1;
	}
	return 0;
}

int li_params_set_add(li_params *cfg, const char *ldif, const char *name, li_error *err)
{
	return set_ldif(cfg, LI_OP_ADD, ldif, name, err);
}

int li_params_set_modify(li_params *cfg, const char *ldif, const char *name, li_error *err)
{
	return set_ldif(cfg, LI_OP_MODIFY, ldif, name, err);
}

int li_params_set_exop(li_params *cfg, const char *oid, const void *value, size_t len, li_error *err)
{
	if (oid == NULL || !li_is_oid(oid))
		return li_usage_error(err, "OID", "'%s' is not an OID", oid ? oid : "");
	clear_op(cfg);
	cfg->op = LI_OP_EXOP;
	if (li_params_str(&cfg->exop_oid, oid, "OID", err) < 0 ||
	    (value && copy_value(&cfg->exop_value, value, len, "value", err) < 0)) {
		clear_op(cfg);
		return -1;
	}
	cfg->exop_has_value = value != NULL;
	return 0;
}

int li_params_set_no_operation(li_params *cfg, long long msgid, li_error *err)
{
	if (msgid < 0 || msgid > LI_MSGID_MAX)
		return li_usage_error(err, "message ID", "'%lld' is out of range (message IDs are 0 to 2147483647)",
				      msgid);
	clear_op(cfg);
	cfg->op = LI_OP_NONE;
	cfg->target_msgid = msgid;
	return 0;
}

int li_params_set_interrupt(li_params *cfg, li_interrupt type, li_error *err)
{
	if (type != LI_INTERRUPT_NONE && type != LI_INTERRUPT_ABANDON && type != LI_INTERRUPT_CANCEL)
		return li_usage_error(err, "interrupt", "%d is not an interrupt", (int)type);
	cfg->interrupt = type;
	return 0;
}

int li_params_set_after(li_params *cfg, int64_t us, li_error *err)
{
	if (us != LI_NEVER && (us < 0 || us > LI_DURATION_MAX_US))
		return li_usage_error(err, "after", "out of range (0 to a week, or never)");
	cfg->after_us = us;
	cfg->after_given = 1;
	return 0;
}

int li_params_set_after_entries(li_params *cfg, long long n, li_error *err)
{
	if (n < 0 || n > 2147483647)
		return li_usage_error(err, "after entries", "out of range (0 to 2147483647)");
	cfg->after_entries = n;
	return 0;
}

int li_params_set_wait(li_params *cfg, int64_t us, li_error *err)
{
	if (us < -1 || us > LI_DURATION_MAX_US)
		return li_usage_error(err, "wait", "out of range (0 to a week)");
	cfg->wait_us = us;
	cfg->wait_given = us >= 0;
	return 0;
}

int li_params_set_interrupt_late(li_params *cfg, int late, li_error *err)
{
	if (late != 0 && late != 1)
		return li_usage_error(err, "interrupt late", "%d is neither 0 nor 1", late);
	cfg->interrupt_late = late;
	return 0;
}

int li_params_set_timeout(li_params *cfg, int64_t us, li_error *err)
{
	if (us != LI_NEVER && (us < 1 || us > LI_DURATION_MAX_US))
		return li_usage_error(err, "timeout", "out of range (1us to a week)");
	cfg->timeout_us = us;
	return 0;
}

/* What only the whole can say; the defaults that hang on the interrupt. */
int li_params_check(li_params *cfg, li_error *err)
{
	if (cfg->op == LI_OP_SEARCH && cfg->filter == NULL &&
	    li_params_str(&cfg->filter, DEFAULT_FILTER, "filter", err) < 0)
		return -1;
	if (cfg->op != LI_OP_SEARCH) {
		int i;

		for (i = 0; i < cfg->nctrls; i++)
			if (cfg->ctrls[i].kind >= LI_CTRL_SYNC && cfg->ctrls[i].kind != LI_CTRL_PAGED)
				return li_usage_error(err, "controls", "search controls (-E) apply to searches only");
		if (li_paging_size(cfg))
			return li_usage_error(err, "controls", "paged results apply to searches only");
		if (cfg->after_entries >= 0)
			return li_usage_error(err, "after entries", "counts search entries: use it with a search");
	}
	if (cfg->interrupt == LI_INTERRUPT_NONE) {
		if (cfg->after_given || cfg->after_entries >= 0 || cfg->wait_given || cfg->interrupt_late)
			return li_usage_error(err, "interrupt", "a trigger and a wait need an interrupt");
		if (cfg->op == LI_OP_NONE)
			return li_usage_error(err, "interrupt", "no operation needs an interrupt");
		return li_encoding_check(cfg, err);
	}
	if (cfg->op == LI_OP_NONE && (cfg->after_given || cfg->after_entries >= 0 || cfg->interrupt_late))
		return li_usage_error(err, "trigger", "with no operation the interrupt is sent at once");
	/* Defaults, again on every check: a setter called since may change them. */
	if (!cfg->wait_given)
		cfg->wait_us = cfg->interrupt == LI_INTERRUPT_ABANDON ? LI_WAIT_ABANDON_US : LI_WAIT_CANCEL_US;
	/* after entries alone waits for the entries, not for a timer */
	if (!cfg->after_given)
		cfg->after_us = cfg->after_entries >= 0 ? LI_NEVER : 0;
	return li_encoding_check(cfg, err);
}

/* The bind of src, with the password given (src's own is wiped after
 * each bind), through the setters that took it. */
static int copy_bind(li_params *dst, const li_params *src, const char *pw, size_t len, li_error *err)
{
	li_sasl sasl = {
		.dn = src->binddn, .mech = src->sasl_mech, .authcid = src->sasl_authcid, .authzid = src->sasl_authzid,
		.realm = src->sasl_realm, .secprops = src->sasl_secprops, .password = pw, .password_len = len,
		.quiet = src->sasl_flags == LDAP_SASL_QUIET, .interactive = src->sasl_flags == LDAP_SASL_INTERACTIVE,
		.nocanon = src->sasl_nocanon,
	};

	if (src->auth_sasl)
		return li_params_set_bind_sasl(dst, &sasl, err);
	if (src->auth_simple)
		return li_params_set_bind_simple(dst, src->binddn, pw, len, err);
	return 0;
}

int li_params_copy_connection(li_params *dst, const li_params *src, const char *pw, size_t len, li_error *err)
{
	int i;

	dst->starttls = src->starttls;
	dst->debug = src->debug;
	dst->nettimeout_set = src->nettimeout_set;
	dst->nettimeout = src->nettimeout;
	dst->timeout_us = src->timeout_us;
	dst->prompt = src->prompt;
	dst->sasl_prompt = src->sasl_prompt;
	dst->prompt_arg = src->prompt_arg;
	if (li_params_str(&dst->name, src->name, "name", err) < 0 || li_params_str(&dst->uri, src->uri, "URI", err) < 0 ||
	    copy_bind(dst, src, pw, len, err) < 0)
		return -1;
	for (i = 0; i < src->nldapopts; i++)
		if (li_params_set_ldap_option(dst, src->ldapopts[i].name, src->ldapopts[i].value, err) < 0)
			return -1;
	return 0;
}
