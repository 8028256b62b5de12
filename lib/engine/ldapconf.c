/* SPDX-License-Identifier: BSD-2-Clause */
/* ldap.conf(5)'s options by name, as ldapsearch -o takes them (OpenLDAP's
 * clients/tools hand them to libldap's private ldap.conf parser, which sets
 * them process-wide and ignores a bad value).  Here each is checked when
 * given and set on the run's own handle with the public ldap_set_option,
 * so a bad value is refused before anything is sent. */
#include "ldapconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

typedef enum kind {
	K_STRING,   /* a string option (a file name, a list) */
	K_SECONDS,  /* a positive number of seconds: a struct timeval */
	K_INT,      /* a number, 0 or more */
	K_WORD,     /* one of the words */
	K_PROTOCOL, /* a TLS version: "3.3", or "3" */
	K_ONLY,     /* only the value the tools need; why says so */
	K_REFUSED,  /* why says which option does it */
} kind;

struct word {
	const char *word;
	int value;
};

static const struct word reqcert[] = {
	{ "never", LDAP_OPT_X_TLS_NEVER }, { "allow", LDAP_OPT_X_TLS_ALLOW }, { "try", LDAP_OPT_X_TLS_TRY },
	{ "demand", LDAP_OPT_X_TLS_DEMAND }, { "hard", LDAP_OPT_X_TLS_HARD }, { "on", LDAP_OPT_X_TLS_HARD },
	{ "yes", LDAP_OPT_X_TLS_HARD }, { "true", LDAP_OPT_X_TLS_HARD }, { NULL, 0 },
};
static const struct word crlcheck[] = {
	{ "none", LDAP_OPT_X_TLS_CRL_NONE }, { "peer", LDAP_OPT_X_TLS_CRL_PEER }, { "all", LDAP_OPT_X_TLS_CRL_ALL },
	{ NULL, 0 },
};
static const struct word cbinding[] = {
	{ "none", LDAP_OPT_X_SASL_CBINDING_NONE }, { "tls-unique", LDAP_OPT_X_SASL_CBINDING_TLS_UNIQUE },
	{ "tls-endpoint", LDAP_OPT_X_SASL_CBINDING_TLS_ENDPOINT }, { NULL, 0 },
};
static const struct word onoff[] = {
	{ "on", 1 }, { "yes", 1 }, { "true", 1 }, { "off", 0 }, { "no", 0 }, { "false", 0 }, { NULL, 0 },
};

static const struct entry {
	const char *name;
	kind kind;
	int option;
	const struct word *words;
	const char *why;     /* K_ONLY, K_REFUSED: the reason; else the value's form */
	const char *package; /* a TLS option one TLS library only has */
} table[] = {
	{ "timeout", K_SECONDS, LDAP_OPT_TIMEOUT, NULL, "seconds", NULL },
	{ "network_timeout", K_SECONDS, LDAP_OPT_NETWORK_TIMEOUT, NULL, "seconds", NULL },
	{ "keepalive_idle", K_INT, LDAP_OPT_X_KEEPALIVE_IDLE, NULL, "seconds", NULL },
	{ "keepalive_probes", K_INT, LDAP_OPT_X_KEEPALIVE_PROBES, NULL, "a count", NULL },
	{ "keepalive_interval", K_INT, LDAP_OPT_X_KEEPALIVE_INTERVAL, NULL, "seconds", NULL },
	{ "socket_bind_addresses", K_STRING, LDAP_OPT_SOCKET_BIND_ADDRESSES, NULL, "addresses", NULL },
	{ "base", K_STRING, LDAP_OPT_DEFBASE, NULL, "a DN", NULL },
	{ "sasl_mech", K_STRING, LDAP_OPT_X_SASL_MECH, NULL, "a mechanism", NULL },
	{ "sasl_realm", K_STRING, LDAP_OPT_X_SASL_REALM, NULL, "a realm", NULL },
	{ "sasl_authcid", K_STRING, LDAP_OPT_X_SASL_AUTHCID, NULL, "an identity", NULL },
	{ "sasl_authzid", K_STRING, LDAP_OPT_X_SASL_AUTHZID, NULL, "an identity", NULL },
	{ "sasl_secprops", K_STRING, LDAP_OPT_X_SASL_SECPROPS, NULL, "properties", NULL },
	{ "sasl_nocanon", K_WORD, LDAP_OPT_X_SASL_NOCANON, onoff, NULL, NULL },
	{ "sasl_cbinding", K_WORD, LDAP_OPT_X_SASL_CBINDING, cbinding, NULL, NULL },
	{ "tls_cert", K_STRING, LDAP_OPT_X_TLS_CERTFILE, NULL, "a file", NULL },
	{ "tls_key", K_STRING, LDAP_OPT_X_TLS_KEYFILE, NULL, "a file", NULL },
	{ "tls_cacert", K_STRING, LDAP_OPT_X_TLS_CACERTFILE, NULL, "a file", NULL },
	{ "tls_cacertdir", K_STRING, LDAP_OPT_X_TLS_CACERTDIR, NULL, "a directory", NULL },
	{ "tls_reqcert", K_WORD, LDAP_OPT_X_TLS_REQUIRE_CERT, reqcert, NULL, NULL },
	{ "tls_reqsan", K_WORD, LDAP_OPT_X_TLS_REQUIRE_SAN, reqcert, NULL, NULL },
	{ "tls_randfile", K_STRING, LDAP_OPT_X_TLS_RANDOM_FILE, NULL, "a file", NULL },
	{ "tls_cipher_suite", K_STRING, LDAP_OPT_X_TLS_CIPHER_SUITE, NULL, "a cipher list", NULL },
	{ "tls_protocol_min", K_PROTOCOL, LDAP_OPT_X_TLS_PROTOCOL_MIN, NULL, NULL, NULL },
	{ "tls_protocol_max", K_PROTOCOL, LDAP_OPT_X_TLS_PROTOCOL_MAX, NULL, NULL, NULL },
	{ "tls_peerkey_hash", K_STRING, LDAP_OPT_X_TLS_PEERKEY_HASH, NULL, "a hash", NULL },
	{ "tls_ecname", K_STRING, LDAP_OPT_X_TLS_ECNAME, NULL, "curve names", NULL },
	{ "tls_crlcheck", K_WORD, LDAP_OPT_X_TLS_CRLCHECK, crlcheck, NULL, "OpenSSL" },
	{ "tls_crlfile", K_STRING, LDAP_OPT_X_TLS_CRLFILE, NULL, "a file", "GnuTLS" },
	{ "version", K_ONLY, LDAP_OPT_PROTOCOL_VERSION, NULL, "3: these tools speak LDAPv3 only", NULL },
	{ "referrals", K_ONLY, LDAP_OPT_REFERRALS, NULL, "off: these tools never chase referrals (a referral's "
	  "connection would not be watched); they count the references", NULL },
	{ "uri", K_REFUSED, 0, NULL, "give the URI with -H", NULL },
	{ "host", K_REFUSED, 0, NULL, "give the server with -H", NULL },
	{ "port", K_REFUSED, 0, NULL, "give the port in -H's URI", NULL },
	{ "binddn", K_REFUSED, 0, NULL, "give the bind DN with -D", NULL },
	{ "deref", K_REFUSED, 0, NULL, "give alias dereferencing with -a", NULL },
	{ "sizelimit", K_REFUSED, 0, NULL, "give the size limit with -z", NULL },
	{ "timelimit", K_REFUSED, 0, NULL, "give the time limit with -l", NULL },
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

static const struct entry *find(const char *name)
{
	size_t i, j, n = strlen(name);

	for (i = 0; i < NTABLE; i++) {
		if (strlen(table[i].name) != n)
			continue;
		/* ldapsearch -o takes tls-reqcert for tls_reqcert */
		for (j = 0; j < n; j++) {
			char c = name[j] == '-' ? '_' : name[j];

			if ((c | 0x20) != table[i].name[j] && c != table[i].name[j])
				break;
		}
		if (j == n)
			return &table[i];
	}
	return NULL;
}

static int word_value(const struct word *w, const char *s, int *out)
{
	for (; w->word; w++)
		if (strcasecmp(w->word, s) == 0) {
			*out = w->value;
			return 0;
		}
	return -1;
}

static void word_list(const struct word *w, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (; w->word && len < size; w++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", w->word);
}

static int protocol_value(const char *s, int *out)
{
	long maj, min = 0;
	const char *end;

	if (li_number(s, 0, 255, &maj, &end, ".") < 0 ||
	    (*end == '.' && li_number(end + 1, 0, 255, &min, NULL, NULL) < 0))
		return -1;
	*out = (int)((maj << 8) + min);
	return 0;
}

static int tls_package_is(const char *want)
{
	char *pkg = NULL;
	int is;

	if (ldap_get_option(NULL, LDAP_OPT_X_TLS_PACKAGE, &pkg) != LDAP_OPT_SUCCESS || pkg == NULL)
		return 0;
	is = strcasecmp(pkg, want) == 0;
	ldap_memfree(pkg);
	return is;
}

/* The value as ldap_set_option takes it, checked: into *i or *tv. */
static int convert(const struct entry *e, const char *v, int *i, struct timeval *tv, li_error *err)
{
	long n;
	char words[160];

	switch (e->kind) {
	case K_STRING:
		if (*v == '\0')
			return li_usage_error(err, "-o", "%s: the value is empty (%s expected)", e->name, e->why);
		return 0;
	case K_SECONDS:
		if (li_number(v, 1, 2147483647, &n, NULL, NULL) < 0)
			return li_usage_error(err, "-o", "%s '%s' is not a number of seconds (1 to 2147483647)", e->name, v);
		tv->tv_sec = (time_t)n;
		tv->tv_usec = 0;
		return 0;
	case K_INT:
		if (li_number(v, 0, 2147483647, &n, NULL, NULL) < 0)
			return li_usage_error(err, "-o", "%s '%s' is not a number (%s, 0 to 2147483647)", e->name, v,
					      e->why);
		*i = (int)n;
		return 0;
	case K_WORD:
		if (word_value(e->words, v, i) == 0)
			return 0;
		word_list(e->words, words, sizeof(words));
		return li_usage_error(err, "-o", "%s '%s' is not one of: %s", e->name, v, words);
	case K_PROTOCOL:
		if (protocol_value(v, i) == 0)
			return 0;
		return li_usage_error(err, "-o", "%s '%s' is not a TLS protocol version (3.3 is TLS 1.2, 3.4 TLS 1.3)",
				      e->name, v);
	default:
		return li_usage_error(err, "-o", "internal: %s has no value", e->name);
	}
}

int li_ldapconf_check(const char *name, const char *value, li_error *err)
{
	const struct entry *e = find(name);
	struct timeval tv;
	int i, off = 0;

	if (e == NULL)
		return li_usage_error(err, "-o", "'%s%s%s' is not a known option (ldap.conf's options, as "
				      "ldapsearch -o takes them, nettimeout and ldif_wrap)", name, value ? "=" : "", value ? value : "");
	if (e->kind == K_REFUSED)
		return li_usage_error(err, "-o", "%s: %s", e->name, e->why);
	if (value == NULL)
		return li_usage_error(err, "-o", "%s needs a value: -o %s=<value>", e->name, e->name);
	if (e->package && !tls_package_is(e->package))
		return li_usage_error(err, "-o", "%s needs a libldap built with %s", e->name, e->package);
	if (e->kind == K_ONLY) {
		if (e->option == LDAP_OPT_PROTOCOL_VERSION ? strcmp(value, "3") == 0 : word_value(onoff, value, &off) == 0 && !off)
			return 0;
		return li_usage_error(err, "-o", "%s '%s': only %s", e->name, value, e->why);
	}
	/* sasl_secprops: li_params_set_ldap_option checks it as -O's */
	return convert(e, value, &i, &tv, err);
}

const char *li_ldapconf_name(const char *name)
{
	const struct entry *e = find(name);

	return e ? e->name : NULL;
}

int li_ldapconf_apply(LDAP *ld, const char *name, const char *value, int *tls, li_error *err)
{
	const struct entry *e = find(name);
	struct timeval tv;
	const void *arg = value;
	int i = 0;

	if (e == NULL || e->kind == K_REFUSED)
		return li_usage_error(err, "-o", "'%s' is not a known option", name);
	if (e->kind == K_ONLY)
		return 0; /* the value the tools set anyway */
	if (convert(e, value, &i, &tv, err) < 0)
		return -1;
	if (e->kind == K_SECONDS)
		arg = &tv;
	else if (e->kind == K_INT || e->kind == K_PROTOCOL)
		arg = &i;
	else if (e->kind == K_WORD)
		arg = e->option == LDAP_OPT_X_SASL_NOCANON ? (i ? LDAP_OPT_ON : LDAP_OPT_OFF) : (const void *)&i;
	if (ldap_set_option(ld, e->option, arg) != LDAP_OPT_SUCCESS)
		return li_usage_error(err, "-o", "%s '%s' was refused by libldap", e->name, value);
	if (strncmp(e->name, "tls_", 4) == 0)
		*tls = 1;
	return 0;
}
