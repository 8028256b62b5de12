/* The configuration's life: defaults, operands, cross-option checks. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ldap.h>

#include "buf.h"
#include "config.h"
#include "controls.h"
#include "ldifrecord.h"
#include "parse.h"

#define LI_WAIT_ABANDON_US 1000000LL
#define LI_WAIT_CANCEL_US 30000000LL

li_config *li_config_new(li_tool tool)
{
	li_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	cfg->tool = tool;
	cfg->interrupt = tool == LI_TOOL_ABANDON ? LI_INTERRUPT_ABANDON
			 : tool == LI_TOOL_CANCEL ? LI_INTERRUPT_CANCEL : LI_INTERRUPT_NONE;
	cfg->op = LI_OP_SEARCH;
	cfg->scope = LDAP_SCOPE_SUBTREE;
	cfg->deref = LDAP_DEREF_NEVER;
	cfg->sasl_flags = LDAP_SASL_AUTOMATIC;
	cfg->after_entries = -1;
	cfg->wait_us = -1;
	return cfg;
}

void li_secret_free(char *s, size_t len)
{
	if (s == NULL)
		return;
	explicit_bzero(s, len);
	free(s);
}

void li_config_free(li_config *cfg)
{
	int i;

	if (cfg == NULL)
		return;
	li_secret_free(cfg->passwd, cfg->passwd_len);
	free(cfg->uri);
	free(cfg->binddn);
	free(cfg->passwd_file);
	free(cfg->sasl_mech);
	free(cfg->sasl_authcid);
	free(cfg->sasl_authzid);
	free(cfg->sasl_realm);
	free(cfg->sasl_secprops);
	free(cfg->op_name);
	free(cfg->base);
	free(cfg->filter);
	if (cfg->attrs)
		for (i = 0; cfg->attrs[i]; i++)
			free(cfg->attrs[i]);
	free(cfg->attrs);
	free(cfg->dn);
	free(cfg->newrdn);
	free(cfg->newsup);
	free(cfg->cmp_attr);
	free(cfg->cmp_value.bv_val);
	free(cfg->ldif_file);
	free(cfg->ldif_text);
	free(cfg->exop_oid);
	free(cfg->exop_value.bv_val);
	for (i = 0; i < cfg->nctrls; i++)
		li_ctrl_free(&cfg->ctrls[i]);
	free(cfg);
}

static int check_password(const char *opt, size_t len, li_error *err)
{
	if (len == 0)
		return li_usage_error(err, opt, "the password is empty (with a bind DN, an unauthenticated bind, "
				      "which a server may take as anonymous; for an anonymous bind give no password)");
	if (len > LI_SECRET_MAX)
		return li_usage_error(err, opt, "the password is longer than %d bytes", LI_SECRET_MAX);
	return 0;
}

/* An exact copy: the length and the bytes of a secret always agree. */
static char *secret_copy(const char *s, size_t len)
{
	char *copy = malloc(len + 1);

	if (copy == NULL)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

int li_config_set_password(li_config *cfg, const char *pw, li_error *err)
{
	size_t len = strlen(pw);
	char *copy;

	if (check_password("-W", len, err) < 0)
		return -1;
	copy = secret_copy(pw, len);
	if (copy == NULL)
		return li_ldap_error(err, "-W", LDAP_NO_MEMORY, NULL, NULL);
	li_secret_free(cfg->passwd, cfg->passwd_len);
	cfg->passwd = copy;
	cfg->passwd_len = len;
	return 0;
}

void li_config_set_prompt(li_config *cfg, li_prompt_fn fn, void *arg)
{
	cfg->prompt = fn;
	cfg->prompt_arg = arg;
}

int li_config_wants_password(const li_config *cfg) { return cfg->prompt_passwd; }
int li_config_json(const li_config *cfg) { return cfg->json; }
int li_config_quiet(const li_config *cfg) { return cfg->quiet; }
int li_config_verbose(const li_config *cfg) { return cfg->verbose; }
int li_config_dry_run(const li_config *cfg) { return cfg->dry_run; }
int li_config_hex(const li_config *cfg) { return cfg->hex; }
li_tool li_config_tool(const li_config *cfg) { return cfg->tool; }

int li_secret_read_line(int fd, char **line, size_t *len, const char **why)
{
	/* Room for the longest line and its CR LF, allocated once: a buffer
	 * grown by realloc would leave copies of the secret behind. */
	size_t cap = LI_SECRET_MAX + 2, have = 0, n;
	char *buf = malloc(cap + 1), *nl = NULL;
	ssize_t got;
	int e;

	*line = NULL;
	*len = 0;
	*why = NULL;
	if (buf == NULL) {
		errno = ENOMEM;
		return -1;
	}
	while (nl == NULL && have < cap) {
		got = read(fd, buf + have, cap - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			e = errno;
			li_secret_free(buf, cap + 1);
			errno = e;
			return -1;
		}
		if (got == 0)
			break;
		nl = memchr(buf + have, '\n', (size_t)got);
		have += (size_t)got;
	}
	if (have == 0) {
		free(buf);
		return 1;
	}
	n = nl ? (size_t)(nl - buf) : have;
	while (n > 0 && buf[n - 1] == '\r')
		n--;
	if ((nl == NULL && have == cap) || n > LI_SECRET_MAX)
		*why = "is longer than " LI_STR(LI_SECRET_MAX) " bytes";
	else if (memchr(buf, '\0', n))
		*why = "holds a NUL byte (a password cannot contain one)";
	/* what was read past the line may be the next line of a secrets file */
	explicit_bzero(buf + n, cap + 1 - n);
	if (*why) {
		li_secret_free(buf, n);
		return -1;
	}
	*line = buf;
	*len = n;
	return 0;
}

/* -y: the first line of the file, without its line ending. */
static int read_password_file(li_config *cfg, li_error *err)
{
	const char *file = cfg->passwd_file, *why;
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	char *line;
	size_t len;
	int rc, e;

	if (fd < 0)
		return li_usage_error(err, "-y", "cannot read '%s': %s", file, strerror(errno));
	rc = li_secret_read_line(fd, &line, &len, &why);
	e = errno;
	close(fd);
	if (rc > 0)
		return li_usage_error(err, "-y", "'%s' is empty", file);
	if (rc < 0 && why)
		return li_usage_error(err, "-y", "the first line of '%s' %s", file, why);
	if (rc < 0)
		return li_usage_error(err, "-y", "cannot read '%s': %s", file, strerror(e));
	if (len == 0) {
		free(line);
		return li_usage_error(err, "-y", "the first line of '%s' is empty (an empty password is an "
				      "unauthenticated bind, which a server may take as anonymous)", file);
	}
	li_secret_free(cfg->passwd, cfg->passwd_len);
	cfg->passwd = line;
	cfg->passwd_len = len;
	return 0;
}

static int count(const char **args)
{
	int n = 0;

	while (args && args[n])
		n++;
	return n;
}

static int dup_to(char **dst, const char *src, li_error *err)
{
	*dst = strdup(src);
	return *dst ? 0 : li_ldap_error(err, "arguments", LDAP_NO_MEMORY, NULL, NULL);
}

static int check_dn(const char *what, const char *dn, li_error *err)
{
	LDAPDN parsed = NULL;

	if (ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		return li_usage_error(err, what, "'%s' is not a valid DN", dn);
	ldap_dnfree(parsed);
	return 0;
}

static int search_operands(li_config *cfg, const char **args, int n, li_error *err)
{
	int i;

	if (dup_to(&cfg->filter, n > 0 ? args[0] : "(objectClass=*)", err) < 0)
		return -1;
	if (n > 1) {
		cfg->attrs = calloc((size_t)n, sizeof(char *));
		if (cfg->attrs == NULL)
			return li_ldap_error(err, "arguments", LDAP_NO_MEMORY, NULL, NULL);
		for (i = 1; i < n; i++)
			if (dup_to(&cfg->attrs[i - 1], args[i], err) < 0)
				return -1;
	}
	if (cfg->base && check_dn("-b", cfg->base, err) < 0)
		return -1;
	return 0;
}

static int exop_operand(li_config *cfg, const char *arg, li_error *err)
{
	const char *colon;
	char *attr = NULL;

	if (strcasecmp(arg, "whoami") == 0)
		return dup_to(&cfg->exop_oid, LDAP_EXOP_WHO_AM_I, err);
	colon = strchr(arg, ':');
	if (colon == NULL)
		return dup_to(&cfg->exop_oid, arg, err);
	if (li_parse_attr_value("--op exop", arg, &attr, &cfg->exop_value, err) < 0)
		return -1;
	cfg->exop_oid = attr;
	cfg->exop_has_value = 1;
	return 0;
}

static int valid_oid(const char *s)
{
	int digit = 0, dots = 0;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digit = 1;
		else if (*s == '.' && digit)
			digit = 0, dots++;
		else
			return 0;
	}
	return digit && dots > 0;
}

static const struct {
	li_optype op;
	int min, max;
	const char *usage;
} arity[] = {
	{ LI_OP_COMPARE, 2, 2, "--op compare DN attr:value (or attr::base64)" },
	{ LI_OP_DELETE, 1, 1, "--op delete DN" },
	{ LI_OP_MODRDN, 2, 3, "--op modrdn DN NEWRDN [NEWSUPERIOR]" },
	{ LI_OP_ADD, 0, 0, "--op add -f entry.ldif" },
	{ LI_OP_MODIFY, 0, 0, "--op modify -f change.ldif" },
	{ LI_OP_EXOP, 1, 1, "--op exop OID[:value|::base64] or --op exop whoami" },
	{ LI_OP_NONE, 0, 0, "--msgid N (no operation, no operands)" },
};

static int operands(li_config *cfg, const char **args, li_error *err)
{
	int n = count(args);
	size_t i;

	if (cfg->op == LI_OP_SEARCH)
		return search_operands(cfg, args, n, err);
	for (i = 0; i < sizeof(arity) / sizeof(arity[0]); i++) {
		if (arity[i].op != cfg->op)
			continue;
		if (n < arity[i].min)
			return li_usage_error(err, "arguments", "missing operand; usage: %s", arity[i].usage);
		if (n > arity[i].max)
			return li_usage_error(err, "arguments", "unexpected operand '%s'; usage: %s",
					      args[arity[i].max], arity[i].usage);
	}
	switch (cfg->op) {
	case LI_OP_COMPARE:
		if (dup_to(&cfg->dn, args[0], err) < 0 || check_dn("DN", args[0], err) < 0)
			return -1;
		return li_parse_attr_value("--op compare", args[1], &cfg->cmp_attr, &cfg->cmp_value, err);
	case LI_OP_DELETE:
		if (dup_to(&cfg->dn, args[0], err) < 0)
			return -1;
		return check_dn("DN", args[0], err);
	case LI_OP_MODRDN:
		if (dup_to(&cfg->dn, args[0], err) < 0 || check_dn("DN", args[0], err) < 0 ||
		    dup_to(&cfg->newrdn, args[1], err) < 0 || check_dn("NEWRDN", args[1], err) < 0)
			return -1;
		if (n == 3 && (dup_to(&cfg->newsup, args[2], err) < 0 || check_dn("NEWSUPERIOR", args[2], err) < 0))
			return -1;
		return 0;
	case LI_OP_ADD:
	case LI_OP_MODIFY:
		return li_ldif_load(cfg, err);
	case LI_OP_EXOP:
		if (exop_operand(cfg, args[0], err) < 0)
			return -1;
		if (!valid_oid(cfg->exop_oid))
			return li_usage_error(err, "--op exop", "'%s' is not an OID (or whoami)", cfg->exop_oid);
		return 0;
	default:
		return 0;
	}
}

static int search_only(const li_config *cfg, li_error *err)
{
	int i;

	if (cfg->op == LI_OP_SEARCH)
		return 0;
	if (cfg->base || cfg->attrsonly || cfg->sizelimit || cfg->timelimit ||
	    cfg->scope != LDAP_SCOPE_SUBTREE || cfg->deref != LDAP_DEREF_NEVER)
		return li_usage_error(err, "arguments", "-b, -s, -a, -z, -l and -A apply to searches only");
	for (i = 0; i < cfg->nctrls; i++)
		if (cfg->ctrls[i].kind == LI_CTRL_SYNC || cfg->ctrls[i].kind == LI_CTRL_BOOL)
			return li_usage_error(err, "-E", "search extensions apply to searches only");
	if (cfg->after_entries >= 0)
		return li_usage_error(err, "--after-entries", "counts search entries: use it with a search");
	return 0;
}

static int trigger_checks(li_config *cfg, li_error *err)
{
	if (cfg->interrupt == LI_INTERRUPT_NONE) {
		if (cfg->after_given || cfg->after_entries >= 0 || cfg->wait_us >= 0)
			return li_usage_error(err, "arguments",
					      "--after, --after-entries and --wait need --abandon or --cancel");
		if (cfg->msgid_given)
			return li_usage_error(err, "--msgid", "needs --abandon or --cancel");
		return 0;
	}
	if (cfg->wait_us < 0)
		cfg->wait_us = cfg->interrupt == LI_INTERRUPT_ABANDON ? LI_WAIT_ABANDON_US : LI_WAIT_CANCEL_US;
	if (cfg->msgid_given && (cfg->after_given || cfg->after_entries >= 0))
		return li_usage_error(err, "--msgid", "sends the interrupt at once: --after and --after-entries "
				      "do not apply");
	/* --after-entries alone waits for the entries, not for a timer. */
	if (!cfg->after_given && cfg->after_entries >= 0)
		cfg->after_us = LI_DURATION_NEVER;
	return 0;
}

static int auth_checks(li_config *cfg, li_error *err)
{
	if (cfg->passwd_file && cfg->passwd_from_w)
		return li_usage_error(err, "-y", "incompatible with -w");
	if (cfg->prompt_passwd && (cfg->passwd_from_w || cfg->passwd_file))
		return li_usage_error(err, "-W", "incompatible with %s", cfg->passwd_from_w ? "-w" : "-y");
	if (cfg->passwd_from_w && check_password("-w", cfg->passwd_len, err) < 0)
		return -1;
	if (cfg->passwd_file && read_password_file(cfg, err) < 0)
		return -1;
	if (cfg->binddn && check_dn("-D", cfg->binddn, err) < 0)
		return -1;
	/* As OpenLDAP's tools: SASL unless -x, or unless a bind DN was given. */
	if (!cfg->auth_simple && !cfg->auth_sasl && cfg->binddn)
		cfg->auth_simple = 1;
	return 0;
}

static int uri_check(const li_config *cfg, li_error *err)
{
	char *list, *save = NULL, *one;
	int rc = 0, n = 0;

	if (cfg->uri == NULL)
		return 0;
	list = strdup(cfg->uri);
	if (list == NULL)
		return li_ldap_error(err, "-H", LDAP_NO_MEMORY, NULL, NULL);
	/* -H takes a list, as ldapsearch: "ldap://a ldap://b" or with commas. */
	for (one = strtok_r(list, ", \t", &save); one && rc == 0; one = strtok_r(NULL, ", \t", &save)) {
		LDAPURLDesc *ludp = NULL;
		int urc = ldap_url_parse(one, &ludp);

		n++;
		if (urc == LDAP_URL_ERR_BADSCHEME)
			rc = li_usage_error(err, "-H", "'%s': unknown scheme (use ldap://, ldaps:// or ldapi://)", one);
		else if (urc != LDAP_URL_SUCCESS)
			rc = li_usage_error(err, "-H", "'%s' is not an LDAP URI", one);
		ldap_free_urldesc(ludp);
	}
	free(list);
	if (rc == 0 && n == 0)
		rc = li_usage_error(err, "-H", "empty URI");
	return rc;
}

int li_config_finish(li_config *cfg, const char **args, li_error *err)
{
	if (cfg->finished)
		return li_usage_error(err, "arguments", "internal: li_config_finish called twice");
	cfg->finished = 1;
	if (cfg->json && cfg->quiet)
		return li_usage_error(err, "-q", "give only one of --json and -q");
	if (cfg->msgid_given) {
		if (cfg->op_name)
			return li_usage_error(err, "--msgid", "sends no operation: do not give --op with it");
		cfg->op = LI_OP_NONE;
	}
	if (cfg->op != LI_OP_ADD && cfg->op != LI_OP_MODIFY && cfg->ldif_file)
		return li_usage_error(err, "-f", "reads an LDIF record for --op add or --op modify only");
	if (uri_check(cfg, err) < 0 || search_only(cfg, err) < 0 || trigger_checks(cfg, err) < 0 ||
	    auth_checks(cfg, err) < 0)
		return -1;
	if (operands(cfg, args, err) < 0)
		return -1;
	return li_encoding_check(cfg, err);
}
