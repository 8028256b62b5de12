/* SPDX-License-Identifier: BSD-2-Clause */
/* Connect, StartTLS, bind: what ldapsearch(1) does before its search, with
 * a deadline on every step and the password wiped once it has been sent. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sasl/sasl.h>

#include "conn.h"
#include "controls.h"

#define LI_DEFAULT_NETTIMEOUT 30

struct li_conn {
	li_params *cfg;
	LDAP *ld;
	li_tap *tap;
	li_conn_hooks hooks;
	char *uri;
	char *defbase;
};

static void conn_log(li_conn *c, int warning, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void conn_log(li_conn *c, int warning, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (c->hooks.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	c->hooks.log(c->hooks.arg, warning, line);
}

static int set_opt(li_conn *c, int opt, const void *value, const char *name, li_error *err)
{
	if (ldap_set_option(c->ld, opt, value) == LDAP_OPT_SUCCESS)
		return 0;
	return li_usage_error(err, name, "could not be set");
}

static int options(li_conn *c, li_error *err)
{
	const li_params *cfg = c->cfg;
	int version = LDAP_VERSION3;
	struct timeval tv;

	if (set_opt(c, LDAP_OPT_PROTOCOL_VERSION, &version, "LDAP_OPT_PROTOCOL_VERSION", err) < 0 ||
	    set_opt(c, LDAP_OPT_REFERRALS, LDAP_OPT_OFF, "LDAP_OPT_REFERRALS", err) < 0 ||
	    set_opt(c, LDAP_OPT_RESTART, LDAP_OPT_ON, "LDAP_OPT_RESTART", err) < 0)
		return -1;
	if (cfg->sasl_nocanon && set_opt(c, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON, "-N", err) < 0)
		return -1;
	if (cfg->sasl_secprops && li_secprops_set(c->ld, cfg->sasl_secprops, err) < 0)
		return -1;
	/* An unreachable server must fail fast, not hang: a default deadline
	 * unless -o nettimeout or ldap.conf's NETWORK_TIMEOUT says otherwise. */
	if (cfg->nettimeout_set) {
		tv = cfg->nettimeout;
	} else {
		struct timeval *conf = NULL;

		ldap_get_option(c->ld, LDAP_OPT_NETWORK_TIMEOUT, &conf);
		tv.tv_sec = conf && conf->tv_sec > 0 ? conf->tv_sec : LI_DEFAULT_NETTIMEOUT;
		tv.tv_usec = 0;
		ldap_memfree(conf);
	}
	if (tv.tv_sec > 0) {
		if (set_opt(c, LDAP_OPT_NETWORK_TIMEOUT, &tv, "LDAP_OPT_NETWORK_TIMEOUT", err) < 0 ||
		    set_opt(c, LDAP_OPT_TIMEOUT, &tv, "LDAP_OPT_TIMEOUT", err) < 0)
			return -1;
	}
	return 0;
}

static int ldap_failure(li_conn *c, const char *what, int rc, li_error *err)
{
	/* The tap kept a malformed message from libldap, which then only saw
	 * a failed read: say what the server sent instead. */
	const char *why = c->hooks.malformed ? c->hooks.malformed(c->hooks.arg) : NULL;
	char *info = NULL;

	if (why && rc < 0)
		return li_ldap_error(err, what, LDAP_DECODING_ERROR, why, NULL);
	ldap_get_option(c->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &info);
	li_ldap_error(err, what, rc, info, NULL);
	ldap_memfree(info);
	return -1;
}

static int start_tls(li_conn *c, li_error *err)
{
	int rc = ldap_start_tls_s(c->ld, NULL, NULL);
	li_error warn;
	char line[1024];

	if (rc == LDAP_SUCCESS) {
		conn_log(c, 0, "StartTLS: TLS established");
		return 0;
	}
	ldap_failure(c, "ldap_start_tls", rc, err);
	/* -Z goes on without TLS after a refusal, as ldapsearch does; -ZZ and
	 * client-side failures (connection state unknown) stop. */
	if (c->cfg->starttls > 1 || rc < 0)
		return -1;
	warn = *err;
	li_error_format(&warn, "warning", line, sizeof(line));
	conn_log(c, 1, "%s", line);
	memset(err, 0, sizeof(*err));
	return 0;
}

/* ---- SASL ---- */

typedef struct sasl_defaults {
	li_conn *c;
	char *mech, *realm, *authcid, *authzid;
	char *answers[8];
	int nanswers;
} sasl_defaults;

static char *conf_default(li_conn *c, int opt, const char *given)
{
	char *v = NULL;

	if (given)
		return strdup(given);
	ldap_get_option(c->ld, opt, &v);
	if (v == NULL)
		return NULL;
	given = v;
	v = strdup(given);
	ldap_memfree((void *)given);
	return v;
}

static const char *interact_default(const sasl_defaults *d, unsigned long id, int *echo)
{
	*echo = 1;
	switch (id) {
	case SASL_CB_GETREALM: return d->realm;
	case SASL_CB_AUTHNAME: return d->authcid;
	case SASL_CB_USER: return d->authzid;
	case SASL_CB_PASS: *echo = 0; return d->c->cfg->passwd;
	case SASL_CB_NOECHOPROMPT: *echo = 0; return NULL;
	default: return NULL;
	}
}

/* The same rules as OpenLDAP's lutil_sasl_interact: use what was given;
 * prompt (through the caller) only when allowed and needed. */
static int interact(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	sasl_defaults *d = defaults;
	sasl_interact_t *i;
	const li_params *cfg = d->c->cfg;

	(void)ld;
	for (i = in; i->id != SASL_CB_LIST_END; i++) {
		int echo;
		const char *dflt = interact_default(d, i->id, &echo);
		char *answer = NULL;

		if (dflt && !*dflt)
			dflt = NULL;
		if (flags != LDAP_SASL_INTERACTIVE && (dflt || i->id == SASL_CB_USER)) {
			i->result = dflt ? dflt : "";
			i->len = (unsigned)strlen(i->result);
			continue;
		}
		if (flags == LDAP_SASL_QUIET || cfg->prompt == NULL || d->nanswers == 8)
			return LDAP_OTHER;
		if (cfg->prompt(cfg->prompt_arg, i->prompt ? i->prompt : i->challenge ? i->challenge : "SASL",
				echo, &answer) < 0 || answer == NULL)
			return LDAP_OTHER;
		d->answers[d->nanswers++] = answer;
		i->result = answer;
		i->len = (unsigned)strlen(answer);
	}
	return LDAP_SUCCESS;
}

static int bind_sasl(li_conn *c, li_error *err)
{
	const li_params *cfg = c->cfg;
	sasl_defaults d = { .c = c };
	int rc, i;

	d.mech = conf_default(c, LDAP_OPT_X_SASL_MECH, cfg->sasl_mech);
	d.realm = conf_default(c, LDAP_OPT_X_SASL_REALM, cfg->sasl_realm);
	d.authcid = conf_default(c, LDAP_OPT_X_SASL_AUTHCID, cfg->sasl_authcid);
	d.authzid = conf_default(c, LDAP_OPT_X_SASL_AUTHZID, cfg->sasl_authzid);
	rc = ldap_sasl_interactive_bind_s(c->ld, cfg->binddn, d.mech, NULL, NULL, cfg->sasl_flags, interact, &d);
	for (i = 0; i < d.nanswers; i++) {
		explicit_bzero(d.answers[i], strlen(d.answers[i]));
		free(d.answers[i]);
	}
	free(d.mech);
	free(d.realm);
	free(d.authcid);
	free(d.authzid);
	if (rc != LDAP_SUCCESS)
		return ldap_failure(c, "ldap_sasl_interactive_bind", rc, err);
	return 0;
}

static int bind_simple(li_conn *c, li_error *err)
{
	const li_params *cfg = c->cfg;
	struct berval cred = { cfg->passwd_len, cfg->passwd };
	LDAPMessage *res = NULL;
	char *matched = NULL, *info = NULL;
	int rc, msgid, code;

	rc = ldap_sasl_bind(c->ld, cfg->binddn ? cfg->binddn : "", LDAP_SASL_SIMPLE, &cred, NULL, NULL, &msgid);
	if (rc != LDAP_SUCCESS)
		return ldap_failure(c, "ldap_sasl_bind(SIMPLE)", rc, err);
	/* LDAP_OPT_TIMEOUT (the network timeout) bounds the wait. */
	rc = ldap_result(c->ld, msgid, LDAP_MSG_ALL, NULL, &res);
	if (rc == 0)
		return li_ldap_error(err, "ldap_result", LDAP_TIMEOUT, NULL, NULL);
	if (rc < 0)
		return ldap_failure(c, "ldap_result", -1, err);
	rc = ldap_parse_result(c->ld, res, &code, &matched, &info, NULL, NULL, 1);
	if (rc == LDAP_SUCCESS && code != LDAP_SUCCESS)
		rc = code;
	if (rc != LDAP_SUCCESS)
		li_ldap_error(err, "ldap_bind", rc, info, matched);
	ldap_memfree(matched);
	ldap_memfree(info);
	return rc == LDAP_SUCCESS ? 0 : -1;
}

static void nonblocking(li_conn *c)
{
	Sockbuf *sb = NULL;

	/* From here on libldap never blocks in read(): a server that stops in
	 * the middle of a message cannot hold the run past its deadline. */
	if (ldap_get_option(c->ld, LDAP_OPT_SOCKBUF, &sb) == LDAP_OPT_SUCCESS && sb)
		ber_sockbuf_ctrl(sb, LBER_SB_OPT_SET_NONBLOCK, (void *)1);
}

li_conn *li_conn_new(li_params *cfg, li_tap *tap, const li_conn_hooks *hooks, li_error *err)
{
	li_conn *c;
	int rc;

	if (li_params_check(cfg, err) < 0)
		return NULL;
	if (cfg->debug) {
		ber_set_option(NULL, LBER_OPT_DEBUG_LEVEL, &cfg->debug);
		ldap_set_option(NULL, LDAP_OPT_DEBUG_LEVEL, &cfg->debug);
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		li_ldap_error(err, "ldap_initialize", LDAP_NO_MEMORY, NULL, NULL);
		return NULL;
	}
	c->cfg = cfg;
	c->tap = tap;
	if (hooks)
		c->hooks = *hooks;
	rc = ldap_initialize(&c->ld, cfg->uri);
	if (rc != LDAP_SUCCESS) {
		li_ldap_error(err, "ldap_initialize", rc, NULL, NULL);
		goto fail;
	}
	conn_log(c, 0, "ldap_initialize( %s )", cfg->uri ? cfg->uri : "<DEFAULT>");
	ldap_get_option(c->ld, LDAP_OPT_URI, &c->uri);
	ldap_get_option(c->ld, LDAP_OPT_DEFBASE, &c->defbase);
	if (options(c, err) < 0 || li_tap_attach(c->tap, c->ld) != LDAP_OPT_SUCCESS)
		goto fail;
	return c;
fail:
	li_conn_free(c);
	return NULL;
}

int li_conn_connect(li_conn *c, li_error *err)
{
	li_params *cfg = c->cfg;
	struct timeval forever = { -1, 0 };
	int rc;

	rc = ldap_connect(c->ld);
	if (rc != LDAP_SUCCESS)
		return ldap_failure(c, "ldap_connect", rc, err);
	if (li_tap_url(c->tap))
		conn_log(c, 0, "connected to %s", li_tap_url(c->tap));
	if (cfg->starttls && start_tls(c, err) < 0)
		return -1;
	nonblocking(c);
	if (cfg->auth_simple)
		rc = bind_simple(c, err);
	else if (cfg->auth_sasl)
		rc = bind_sasl(c, err);
	else
		rc = 0; /* no bind: anonymous, as RFC 4511 4.2 allows */
	/* The password has been sent: it is not needed again. */
	if (cfg->passwd)
		explicit_bzero(cfg->passwd, cfg->passwd_len);
	if (rc < 0)
		return -1;
	if (cfg->auth_simple || cfg->auth_sasl)
		conn_log(c, 0, "bound");
	ldap_set_option(c->ld, LDAP_OPT_TIMEOUT, &forever);
	return 0;
}

LDAP *li_conn_ld(const li_conn *c)
{
	return c ? c->ld : NULL;
}

const char *li_conn_uri(const li_conn *c)
{
	return c ? c->uri : NULL;
}

const char *li_conn_defbase(const li_conn *c)
{
	return c ? c->defbase : NULL;
}

int li_conn_close(li_conn *c)
{
	static LDAPControl *none[] = { NULL };

	if (c == NULL || c->ld == NULL)
		return 0;
	ldap_unbind_ext(c->ld, none, none);
	c->ld = NULL;
	return 1;
}

void li_conn_free(li_conn *c)
{
	if (c == NULL)
		return;
	li_conn_close(c);
	ldap_memfree(c->uri);
	ldap_memfree(c->defbase);
	free(c);
}
