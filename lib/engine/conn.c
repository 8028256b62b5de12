/* Connect, StartTLS, bind: what ldapsearch(1) does before its search, with
 * a deadline on every step and the password wiped once it has been sent. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sasl/sasl.h>

#include "controls.h"
#include "run.h"

#define LI_DEFAULT_NETTIMEOUT 30

static int set_opt(li_run *run, int opt, const void *value, const char *name, li_error *err)
{
	if (ldap_set_option(run->ld, opt, value) == LDAP_OPT_SUCCESS)
		return 0;
	return li_usage_error(err, name, "could not be set");
}

static int options(li_run *run, li_error *err)
{
	const li_params *cfg = run->cfg;
	int version = LDAP_VERSION3;
	struct timeval tv;

	if (set_opt(run, LDAP_OPT_PROTOCOL_VERSION, &version, "LDAP_OPT_PROTOCOL_VERSION", err) < 0 ||
	    set_opt(run, LDAP_OPT_REFERRALS, LDAP_OPT_OFF, "LDAP_OPT_REFERRALS", err) < 0 ||
	    set_opt(run, LDAP_OPT_RESTART, LDAP_OPT_ON, "LDAP_OPT_RESTART", err) < 0)
		return -1;
	if (cfg->sasl_nocanon && set_opt(run, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON, "-N", err) < 0)
		return -1;
	if (cfg->sasl_secprops && li_secprops_set(run->ld, cfg->sasl_secprops, err) < 0)
		return -1;
	/* An unreachable server must fail fast, not hang: a default deadline
	 * unless -o nettimeout or ldap.conf's NETWORK_TIMEOUT says otherwise. */
	if (cfg->nettimeout_set) {
		tv = cfg->nettimeout;
	} else {
		struct timeval *conf = NULL;

		ldap_get_option(run->ld, LDAP_OPT_NETWORK_TIMEOUT, &conf);
		tv.tv_sec = conf && conf->tv_sec > 0 ? conf->tv_sec : LI_DEFAULT_NETTIMEOUT;
		tv.tv_usec = 0;
		ldap_memfree(conf);
	}
	if (tv.tv_sec > 0) {
		if (set_opt(run, LDAP_OPT_NETWORK_TIMEOUT, &tv, "LDAP_OPT_NETWORK_TIMEOUT", err) < 0 ||
		    set_opt(run, LDAP_OPT_TIMEOUT, &tv, "LDAP_OPT_TIMEOUT", err) < 0)
			return -1;
	}
	return 0;
}

static int ldap_failure(li_run *run, const char *what, int rc, li_error *err)
{
	char *info = NULL;

	/* The tap kept a malformed message from libldap, which then only saw
	 * a failed read: say what the server sent instead. */
	if (run->malformed && rc < 0)
		return li_ldap_error(err, what, LDAP_DECODING_ERROR, run->lost_why, NULL);
	ldap_get_option(run->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &info);
	li_ldap_error(err, what, rc, info, NULL);
	ldap_memfree(info);
	return -1;
}

static int start_tls(li_run *run, li_error *err)
{
	int rc = ldap_start_tls_s(run->ld, NULL, NULL);
	li_error warn;
	char line[1024];

	if (rc == LDAP_SUCCESS) {
		li_run_log(run, 0, "StartTLS: TLS established");
		return 0;
	}
	ldap_failure(run, "ldap_start_tls", rc, err);
	/* -Z goes on without TLS after a refusal, as ldapsearch does; -ZZ and
	 * client-side failures (connection state unknown) stop. */
	if (run->cfg->starttls > 1 || rc < 0)
		return -1;
	warn = *err;
	li_error_format(&warn, "warning", line, sizeof(line));
	li_run_log(run, 1, "%s", line);
	memset(err, 0, sizeof(*err));
	return 0;
}

/* ---- SASL ---- */

typedef struct sasl_defaults {
	li_run *run;
	char *mech, *realm, *authcid, *authzid;
	char *answers[8];
	int nanswers;
} sasl_defaults;

static char *conf_default(li_run *run, int opt, const char *given)
{
	char *v = NULL;

	if (given)
		return strdup(given);
	ldap_get_option(run->ld, opt, &v);
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
	case SASL_CB_PASS: *echo = 0; return d->run->cfg->passwd;
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
	const li_params *cfg = d->run->cfg;

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

static int bind_sasl(li_run *run, li_error *err)
{
	const li_params *cfg = run->cfg;
	sasl_defaults d = { .run = run };
	int rc, i;

	d.mech = conf_default(run, LDAP_OPT_X_SASL_MECH, cfg->sasl_mech);
	d.realm = conf_default(run, LDAP_OPT_X_SASL_REALM, cfg->sasl_realm);
	d.authcid = conf_default(run, LDAP_OPT_X_SASL_AUTHCID, cfg->sasl_authcid);
	d.authzid = conf_default(run, LDAP_OPT_X_SASL_AUTHZID, cfg->sasl_authzid);
	rc = ldap_sasl_interactive_bind_s(run->ld, cfg->binddn, d.mech, NULL, NULL, cfg->sasl_flags, interact, &d);
	for (i = 0; i < d.nanswers; i++) {
		explicit_bzero(d.answers[i], strlen(d.answers[i]));
		free(d.answers[i]);
	}
	free(d.mech);
	free(d.realm);
	free(d.authcid);
	free(d.authzid);
	if (rc != LDAP_SUCCESS)
		return ldap_failure(run, "ldap_sasl_interactive_bind", rc, err);
	return 0;
}

static int bind_simple(li_run *run, li_error *err)
{
	const li_params *cfg = run->cfg;
	struct berval cred = { cfg->passwd_len, cfg->passwd };
	LDAPMessage *res = NULL;
	char *matched = NULL, *info = NULL;
	int rc, msgid, code;

	rc = ldap_sasl_bind(run->ld, cfg->binddn ? cfg->binddn : "", LDAP_SASL_SIMPLE, &cred, NULL, NULL, &msgid);
	if (rc != LDAP_SUCCESS)
		return ldap_failure(run, "ldap_sasl_bind(SIMPLE)", rc, err);
	/* LDAP_OPT_TIMEOUT (the network timeout) bounds the wait. */
	rc = ldap_result(run->ld, msgid, LDAP_MSG_ALL, NULL, &res);
	if (rc == 0)
		return li_ldap_error(err, "ldap_result", LDAP_TIMEOUT, NULL, NULL);
	if (rc < 0)
		return ldap_failure(run, "ldap_result", -1, err);
	rc = ldap_parse_result(run->ld, res, &code, &matched, &info, NULL, NULL, 1);
	if (rc == LDAP_SUCCESS && code != LDAP_SUCCESS)
		rc = code;
	if (rc != LDAP_SUCCESS)
		li_ldap_error(err, "ldap_bind", rc, info, matched);
	ldap_memfree(matched);
	ldap_memfree(info);
	return rc == LDAP_SUCCESS ? 0 : -1;
}

static void nonblocking(li_run *run)
{
	Sockbuf *sb = NULL;

	/* From here on libldap never blocks in read(): a server that stops in
	 * the middle of a message cannot hold the run past its deadline. */
	if (ldap_get_option(run->ld, LDAP_OPT_SOCKBUF, &sb) == LDAP_OPT_SUCCESS && sb)
		ber_sockbuf_ctrl(sb, LBER_SB_OPT_SET_NONBLOCK, (void *)1);
}

int li_conn_open(li_run *run, li_error *err)
{
	li_params *cfg = run->cfg;
	struct timeval forever = { -1, 0 };
	int rc;

	if (li_params_check(cfg, err) < 0)
		return -1;
	if (cfg->debug) {
		ber_set_option(NULL, LBER_OPT_DEBUG_LEVEL, &cfg->debug);
		ldap_set_option(NULL, LDAP_OPT_DEBUG_LEVEL, &cfg->debug);
	}
	rc = ldap_initialize(&run->ld, cfg->uri);
	if (rc != LDAP_SUCCESS)
		return li_ldap_error(err, "ldap_initialize", rc, NULL, NULL);
	li_run_log(run, 0, "ldap_initialize( %s )", cfg->uri ? cfg->uri : "<DEFAULT>");
	ldap_get_option(run->ld, LDAP_OPT_URI, &run->uri);
	ldap_get_option(run->ld, LDAP_OPT_DEFBASE, &run->defbase);
	if (options(run, err) < 0 || li_tap_attach(run->tap, run->ld) != LDAP_OPT_SUCCESS)
		return -1;
	if (li_ctrls_build(run->ld, cfg, &run->ctrls, err) < 0 || li_op_prepare(run, err) < 0)
		return -1;
	rc = ldap_connect(run->ld);
	if (rc != LDAP_SUCCESS)
		return ldap_failure(run, "ldap_connect", rc, err);
	if (li_tap_url(run->tap))
		li_run_log(run, 0, "connected to %s", li_tap_url(run->tap));
	if (cfg->starttls && start_tls(run, err) < 0)
		return -1;
	nonblocking(run);
	if (cfg->auth_simple)
		rc = bind_simple(run, err);
	else if (cfg->auth_sasl)
		rc = bind_sasl(run, err);
	else
		rc = 0; /* no bind: anonymous, as RFC 4511 4.2 allows */
	/* The password has been sent: it is not needed again. */
	if (cfg->passwd)
		explicit_bzero(cfg->passwd, cfg->passwd_len);
	if (rc < 0)
		return -1;
	if (cfg->auth_simple || cfg->auth_sasl)
		li_run_log(run, 0, "bound");
	ldap_set_option(run->ld, LDAP_OPT_TIMEOUT, &forever);
	return 0;
}

void li_conn_close(li_run *run)
{
	static LDAPControl *none[] = { NULL };

	if (run->ld == NULL)
		return;
	run->unbound = 1;
	ldap_unbind_ext(run->ld, none, none);
	run->ld = NULL;
}
