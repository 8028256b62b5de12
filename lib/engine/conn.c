/* SPDX-License-Identifier: BSD-2-Clause */
/* Connect, StartTLS, bind: what ldapsearch(1) does before its search, with
 * a deadline on every step and the password wiped once it has been sent. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sasl/sasl.h>

#include "buf.h"
#include "conn.h"
#include "controls.h"
#include "error.h"
#include "ldapconf.h"
#include "watchdog.h"

#define LI_DEFAULT_NETTIMEOUT 30
#define NS_PER_US 1000LL
#define TICK_NS (200 * 1000 * NS_PER_US)

struct li_conn {
	li_params *cfg;
	LDAP *ld;
	li_tap *tap;
	li_conn_hooks hooks;
	char *uri;
	char *defbase;
	int64_t deadline_ns;      /* 0: none */
	int64_t step_limit_ns;    /* the network timeout of one step (0: none) */
	li_watchdog *watchdog;    /* while li_conn_connect runs */
	struct ldap_conncb fd_cb; /* hands the socket to the watchdog */
	int phase;                /* li_phase; read by the watchdog's thread */
	int64_t t_phase_ns;
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

/* What li_conn_connect waits for now: the watchdog's ticks report it.
 * Connecting (with ldaps' TLS handshake) and StartTLS each get the network
 * timeout, which libldap does not apply to a handshake; the bind has
 * libldap's own (LDAP_OPT_TIMEOUT), and a SASL question may wait for a
 * person. */
static void enter(li_conn *c, li_phase phase)
{
	int64_t now = li_now_ns();
	int step = c->step_limit_ns && (phase == LI_PHASE_CONNECT || phase == LI_PHASE_STARTTLS);

	__atomic_store_n(&c->t_phase_ns, now, __ATOMIC_RELAXED);
	__atomic_store_n(&c->phase, (int)phase, __ATOMIC_RELEASE);
	li_watchdog_set_step_deadline(c->watchdog, step ? now + c->step_limit_ns : 0);
}

static void tick(void *arg)
{
	li_conn *c = arg;
	int phase = __atomic_load_n(&c->phase, __ATOMIC_ACQUIRE);

	c->hooks.tick(c->hooks.arg, (li_phase)phase, __atomic_load_n(&c->t_phase_ns, __ATOMIC_RELAXED));
}

static int on_socket(LDAP *ld, Sockbuf *sb, LDAPURLDesc *srv, struct sockaddr *addr, struct ldap_conncb *ctx)
{
	li_conn *c = ctx->lc_arg;
	ber_socket_t fd = -1;

	(void)ld;
	(void)srv;
	(void)addr;
	ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd);
	li_watchdog_set_fd(c->watchdog, fd);
	return 0;
}

static void on_socket_gone(LDAP *ld, Sockbuf *sb, struct ldap_conncb *ctx)
{
	li_conn *c = ctx->lc_arg;

	(void)ld;
	(void)sb;
	li_watchdog_set_fd(c->watchdog, -1);
}

static int set_opt(li_conn *c, int opt, const void *value, const char *name, li_error *err)
{
	if (ldap_set_option(c->ld, opt, value) == LDAP_OPT_SUCCESS)
		return 0;
	return li_usage_error(err, name, "could not be set");
}

/* -o's ldap.conf options, before the tools' own settings (which read
 * NETWORK_TIMEOUT from them); a TLS option needs a new TLS context. */
static int ldap_conf_options(li_conn *c, int *own_timeout, li_error *err)
{
	const li_params *cfg = c->cfg;
	int i, tls = 0, server = 0;

	*own_timeout = 0;
	for (i = 0; i < cfg->nldapopts; i++) {
		if (li_ldapconf_apply(c->ld, cfg->ldapopts[i].name, cfg->ldapopts[i].value, &tls, err) < 0)
			return -1;
		*own_timeout |= strcmp(cfg->ldapopts[i].name, "timeout") == 0;
	}
	if (tls && ldap_set_option(c->ld, LDAP_OPT_X_TLS_NEWCTX, &server) != LDAP_OPT_SUCCESS)
		return li_usage_error(err, "-o", "libldap could not make a TLS context of the tls_* options (is a "
				      "certificate, key or CA file missing or unreadable?)");
	return 0;
}

static int options(li_conn *c, li_error *err)
{
	const li_params *cfg = c->cfg;
	int version = LDAP_VERSION3, own_timeout;
	struct timeval tv;

	if (ldap_conf_options(c, &own_timeout, err) < 0)
		return -1;
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
		/* libldap bounds the TCP connect and a simple bind's answer with
		 * it, never a TLS handshake: the watchdog does (step()). */
		c->step_limit_ns = (int64_t)tv.tv_sec * 1000000000LL + (int64_t)tv.tv_usec * 1000;
		if (set_opt(c, LDAP_OPT_NETWORK_TIMEOUT, &tv, "LDAP_OPT_NETWORK_TIMEOUT", err) < 0 ||
		    (!own_timeout && set_opt(c, LDAP_OPT_TIMEOUT, &tv, "LDAP_OPT_TIMEOUT", err) < 0))
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
	char unanswered[128]; /* the question nobody answered */
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

/* A challenge comes from the server: the caller gets it escaped, fit for
 * a terminal. 0 with *answer, or -1. */
static int ask_safe(const li_params *cfg, li_prompt *p, const sasl_interact_t *i, char **answer)
{
	li_buf challenge = { 0 };
	int rc = -1;

	if (i->challenge && (i->id == SASL_CB_ECHOPROMPT || i->id == SASL_CB_NOECHOPROMPT)) {
		li_buf_add_safe(&challenge, i->challenge);
		if (challenge.failed)
			goto out;
		p->challenge = challenge.data;
	}
	if (cfg->sasl_prompt)
		rc = cfg->sasl_prompt(cfg->prompt_arg, p, answer);
	else if (cfg->prompt)
		rc = cfg->prompt(cfg->prompt_arg, p->text, p->echo, answer);
	if (rc == 0 && *answer == NULL)
		rc = -1;
out:
	free(challenge.data);
	return rc;
}

/* The same rules as OpenLDAP's lutil_sasl_interact: use what was given;
 * prompt (through the caller) only when allowed and needed; an empty
 * answer takes what was given. */
static int interact(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	sasl_defaults *d = defaults;
	sasl_interact_t *i;
	const li_params *cfg = d->c->cfg;
	int first = flags == LDAP_SASL_INTERACTIVE;

	(void)ld;
	for (i = in; i->id != SASL_CB_LIST_END; i++) {
		li_prompt p = { .text = i->prompt ? i->prompt : "Interact", .first = first };
		char *answer = NULL;

		p.dflt = interact_default(d, i->id, &p.echo);
		if (p.dflt && !*p.dflt)
			p.dflt = NULL;
		if (flags != LDAP_SASL_INTERACTIVE && (p.dflt || i->id == SASL_CB_USER)) {
			i->result = p.dflt ? p.dflt : "";
			i->len = (unsigned)strlen(i->result);
			continue;
		}
		if (flags == LDAP_SASL_QUIET || d->nanswers == 8 || ask_safe(cfg, &p, i, &answer) < 0) {
			snprintf(d->unanswered, sizeof(d->unanswered), "%s", p.text);
			return LDAP_OTHER;
		}
		first = 0;
		d->answers[d->nanswers++] = answer;
		i->result = *answer || p.dflt == NULL ? answer : p.dflt;
		i->len = (unsigned)strlen(i->result);
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
	if (rc != LDAP_SUCCESS && d.unanswered[0])
		return li_usage_error(err, "SASL", "no answer to \"%s\"", d.unanswered);
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
		li_error_at(err, LI_STAGE_CONNECT);
		return NULL;
	}
	c->cfg = cfg;
	c->tap = tap;
	if (hooks)
		c->hooks = *hooks;
	rc = ldap_initialize(&c->ld, cfg->uri);
	if (rc != LDAP_SUCCESS) {
		li_ldap_error(err, "ldap_initialize", rc, NULL, NULL);
		li_error_at(err, LI_STAGE_CONNECT);
		goto fail;
	}
	conn_log(c, 0, "ldap_initialize( %s )", cfg->uri ? cfg->uri : "<DEFAULT>");
	c->fd_cb.lc_add = on_socket;
	c->fd_cb.lc_del = on_socket_gone;
	c->fd_cb.lc_arg = c;
	if (options(c, err) < 0)
		goto fail;
	/* After -o, which may set the base. */
	ldap_get_option(c->ld, LDAP_OPT_URI, &c->uri);
	ldap_get_option(c->ld, LDAP_OPT_DEFBASE, &c->defbase);
	if ((c->tap && li_tap_attach(c->tap, c->ld) != LDAP_OPT_SUCCESS) ||
	    ldap_set_option(c->ld, LDAP_OPT_CONNECT_CB, &c->fd_cb) != LDAP_OPT_SUCCESS) {
		li_ldap_error(err, "LDAP_OPT_CONNECT_CB", LDAP_LOCAL_ERROR, NULL, NULL);
		li_error_at(err, LI_STAGE_CONNECT);
		goto fail;
	}
	return c;
fail:
	li_conn_free(c);
	return NULL;
}

static int steps(li_conn *c, li_error *err)
{
	li_params *cfg = c->cfg;
	struct timeval forever = { -1, 0 };
	int rc;

	enter(c, LI_PHASE_CONNECT);
	rc = ldap_connect(c->ld);
	if (rc != LDAP_SUCCESS) {
		ldap_failure(c, "ldap_connect", rc, err);
		return li_error_at(err, LI_STAGE_CONNECT);
	}
	if (c->tap && li_tap_url(c->tap))
		conn_log(c, 0, "connected to %s", li_tap_url(c->tap));
	enter(c, LI_PHASE_STARTTLS);
	if (cfg->starttls && start_tls(c, err) < 0)
		return li_error_at(err, LI_STAGE_TLS);
	nonblocking(c);
	enter(c, LI_PHASE_BIND);
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
		return li_error_at(err, LI_STAGE_BIND);
	if (cfg->auth_simple || cfg->auth_sasl)
		conn_log(c, 0, "bound");
	ldap_set_option(c->ld, LDAP_OPT_TIMEOUT, &forever);
	return 0;
}

/* libldap's own limits (the network timeout for the TCP connect, where the
 * watchdog has no socket yet; the result timeout for a simple bind) end no
 * later than the deadline. */
static void bound_waits(li_conn *c)
{
	struct timeval *net = NULL, tv;
	int64_t left_us = (c->deadline_ns - li_now_ns()) / NS_PER_US;

	if (left_us < 1)
		left_us = 1;
	ldap_get_option(c->ld, LDAP_OPT_NETWORK_TIMEOUT, &net);
	if (net == NULL || net->tv_sec < 0 || (int64_t)net->tv_sec * 1000000 + net->tv_usec > left_us) {
		tv.tv_sec = (time_t)(left_us / 1000000);
		tv.tv_usec = (suseconds_t)(left_us % 1000000);
		ldap_set_option(c->ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
		ldap_set_option(c->ld, LDAP_OPT_TIMEOUT, &tv);
	}
	ldap_memfree(net);
}

/* Whatever libldap made of a connection the deadline ended (a closed
 * socket, a failed handshake), the reason is the deadline; the stage is
 * the step it ended. */
static int timed_out(const li_conn *c, li_error *err)
{
	static const li_stage stages[] = {
		[LI_PHASE_CONNECT] = LI_STAGE_CONNECT,
		[LI_PHASE_STARTTLS] = LI_STAGE_TLS,
		[LI_PHASE_BIND] = LI_STAGE_BIND,
	};
	char what[sizeof(err->what)];
	int phase = __atomic_load_n(&c->phase, __ATOMIC_ACQUIRE);

	memcpy(what, err->what, sizeof(what));
	li_ldap_error(err, what[0] ? what : "ldap_connect", LDAP_TIMEOUT, NULL, NULL);
	if (phase >= 0 && (size_t)phase < sizeof(stages) / sizeof(stages[0]) && stages[phase])
		return li_error_at(err, stages[phase]);
	return li_error_at(err, LI_STAGE_CONNECT);
}

void li_conn_set_deadline(li_conn *c, int64_t deadline_ns)
{
	c->deadline_ns = deadline_ns;
}

int li_conn_connect(li_conn *c, li_error *err)
{
	int rc, fired;

	memset(err, 0, sizeof(*err));
	if (c->deadline_ns)
		bound_waits(c);
	c->watchdog = li_watchdog_start(c->deadline_ns, TICK_NS, c->hooks.tick ? tick : NULL, c);
	rc = steps(c, err);
	fired = li_watchdog_stop(c->watchdog);
	c->watchdog = NULL;
	if (fired || (c->deadline_ns && rc < 0 && li_now_ns() >= c->deadline_ns))
		return timed_out(c, err);
	return rc;
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
