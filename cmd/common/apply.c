/* SPDX-License-Identifier: BSD-2-Clause */
/* The one switch that takes each option's value (cmdline_apply checks
 * every value in one place, curl's way, and never leaks a repeated option),
 * and cmdline_finish: the operands, the checks across options, the files
 * (-y, -f), then the library's typed setters.
 *
 * The options themselves (names, arguments, --help lines, man text) are
 * described once, in cmd/common/options.txt; cmd/common/optgen.py makes
 * the popt tables and the man pages' OPTIONS section from it.  Adding an
 * option: its record in cmd/common/options.txt, for a long-only option its
 * LI_OPT_ code in cmd/common/apply.h, and its case here (in apply_string
 * when it takes an argument). */
#include "apply.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ldap.h>

#include "exit.h"
#include "ldiffile.h"
#include "numbers.h"
#include "secret.h"
#include "servers.h"

/* A setter's complaint names the value ("URI"); the user gave an option. */
static int as_opt(li_error *err, const char *from, const char *opt)
{
	if (from == NULL || strcmp(err->what, from) == 0)
		snprintf(err->what, sizeof(err->what), "%s", opt);
	return -1;
}

static void secret_free(char *s, size_t len)
{
	if (s == NULL)
		return;
	explicit_bzero(s, len);
	free(s);
}

cmdline *cmdline_new(const char *prog, li_interrupt interrupt)
{
	cmdline *cl = calloc(1, sizeof(*cl));

	if (cl == NULL)
		return NULL;
	cl->params = li_params_new();
	if (cl->params == NULL) {
		free(cl);
		return NULL;
	}
	cl->prog = prog;
	cl->interrupt = interrupt;
	cl->scope = LDAP_SCOPE_SUBTREE;
	cl->deref = LDAP_DEREF_NEVER;
	cl->after_entries = -1;
	cl->wait_us = -1;
	cl->timeout_us = -1;
	return cl;
}

void cmdline_free(cmdline *cl)
{
	if (cl == NULL)
		return;
	li_params_free(cl->params);
	secret_free(cl->passwd, cl->passwd_len);
	free(cl->uri);
	free(cl->binddn);
	free(cl->passwd_file);
	free(cl->sasl_mech);
	free(cl->sasl_authcid);
	free(cl->sasl_authzid);
	free(cl->sasl_realm);
	free(cl->sasl_secprops);
	free(cl->op_name);
	free(cl->base);
	free(cl->ldif_file);
	servers_free(cl);
	free(cl->listen);
	free(cl->listen_cert);
	free(cl->listen_key);
	li_ldif_free(cl->ldif_out);
	li_buf_free(cl->ldif_head);
	free(cl);
}

static void set_str(char **field, char **arg)
{
	free(*field);
	*field = *arg;
	*arg = NULL;
}

static int bad(li_error *err, const char *opt, const char *value, const char *why)
{
	return li_usage_error(err, opt, "'%s' %s", value ? value : "", why);
}

static int parse_limit(const char *opt, const char *s, int *out, li_error *err)
{
	long long v;
	const char *why;

	if (strcasecmp(s, "none") == 0 || strcasecmp(s, "unlimited") == 0 || strcasecmp(s, "max") == 0) {
		*out = 0; /* 0 asks the server for no limit */
		return 0;
	}
	if (li_parse_int(s, 0, 2147483647, &v, &why) < 0)
		return bad(err, opt, s, why);
	*out = (int)v;
	return 0;
}

enum { OP_SEARCH, OP_COMPARE, OP_DELETE, OP_MODRDN, OP_ADD, OP_MODIFY, OP_EXOP, OP_NONE = -1 };
static const char *const ops[] = { "search", "compare", "delete", "modrdn", "add", "modify", "exop", NULL };

static int lookup(const char *const *names, const char *s)
{
	int i;

	for (i = 0; names[i]; i++)
		if (strcasecmp(names[i], s) == 0)
			return i;
	if (names == ops && strcasecmp(s, "moddn") == 0)
		return 3;
	return -1;
}

/* -o ldif_wrap[=N|no], as ldapsearch takes it; 1 would make libldap's
 * LDIF writer divide by zero. */
static int apply_ldif_wrap(cmdline *cl, const char *v, li_error *err)
{
	long long w;
	const char *why;

	if (*v == '\0') {
		cl->ldif_wrap = 0;
	} else if (*v++ != '=') {
		return li_usage_error(err, "-o", "'ldif_wrap%s' is not a known option (ldif_wrap=<width>|no)", v - 1);
	} else if (strcasecmp(v, "no") == 0) {
		cl->ldif_wrap = LI_LDIF_NO_WRAP;
	} else if (li_parse_int(v, 0, 2147483647, &w, &why) < 0 || w == 1) {
		return li_usage_error(err, "-o", "ldif_wrap '%s' %s (a width of 2 columns or more, 0 for the "
				 "default, or no)", v, w == 1 ? "too narrow" : why);
	} else {
		cl->ldif_wrap = (size_t)w;
	}
	return 0;
}

/* -o: the tools' own nettimeout (and ldif_wrap), else an ldap.conf option
 * the library checks and sets on the connection, as ldapsearch -o. */
static int apply_o(cmdline *cl, const char *arg, li_error *err)
{
	const char *v, *eq = strchr(arg, '=');
	long long secs;
	const char *why;
	char *name;
	int rc;

	if (strncasecmp(arg, "ldif_wrap", 9) == 0)
		return apply_ldif_wrap(cl, arg + 9, err);
	if (strncasecmp(arg, "nettimeout=", 11) != 0) {
		name = eq ? strndup(arg, (size_t)(eq - arg)) : strdup(arg);
		if (name == NULL)
			return li_ldap_error(err, "-o", LDAP_NO_MEMORY, NULL, NULL);
		rc = li_params_set_ldap_option(cl->params, name, eq ? eq + 1 : NULL, err);
		free(name);
		return rc;
	}
	v = arg + 11;
	if (strcasecmp(v, "none") == 0) {
		secs = -1;
	} else if (strcasecmp(v, "max") == 0) {
		secs = 2147483647;
	} else if (li_parse_int(v, 1, 2147483647, &secs, &why) < 0) {
		return li_usage_error(err, "-o", "nettimeout '%s' %s (seconds, none or max)", v, why);
	}
	cl->nettimeout_set = 1;
	cl->nettimeout = secs;
	return 0;
}

static int want_sasl(cmdline *cl, const char *opt, li_error *err)
{
	if (cl->auth_simple)
		return li_usage_error(err, opt, "incompatible with -x (simple authentication)");
	cl->auth_sasl = 1;
	return 0;
}

static int apply_control(cmdline *cl, const char *spec, int search_ext, li_error *err)
{
	if (li_params_add_control_text(cl->params, spec, search_ext, err) < 0)
		return -1;
	cl->search_ext |= search_ext;
	return 0;
}

/* ldapsearch's options that act on a search's complete results or on
 * many searches: one interrupted operation has neither. */
static int refused(int val, li_error *err)
{
	switch (val) {
	case 'S':
		return li_usage_error(err, "-S", "ldapsearch sorts the entries once the search has ended, and an "
				      "interrupted search does not end with its entries (server-side sorting: -E sss=attr)");
	case 't':
		return li_usage_error(err, "-t", "ldapsearch writes values to temporary files; these tools do not "
				      "keep the entries' values, they count the entries");
	case 'T':
		return li_usage_error(err, "-T", "names the directory of -t's files, and these tools write no "
				      "values to files");
	case 'F':
		return li_usage_error(err, "-F", "is the URL prefix of -t's files, and these tools write no "
				      "values to files");
	default:
		return li_usage_error(err, "-c", "ldapsearch continues with the next search of its -f file after "
				      "an error; these tools issue exactly one operation");
	}
}

static int apply_string(cmdline *cl, int val, char **arg, li_error *err)
{
	const char *why;
	long long v;
	int i;

	switch (val) {
	case 'H': set_str(&cl->uri, arg); return 0;
	case 'D': set_str(&cl->binddn, arg); return 0;
	case 'y': set_str(&cl->passwd_file, arg); return 0;
	case 'b': set_str(&cl->base, arg); return 0;
	case 'f': set_str(&cl->ldif_file, arg); return 0;
	case 'Y': set_str(&cl->sasl_mech, arg); return want_sasl(cl, "-Y", err);
	case 'U': set_str(&cl->sasl_authcid, arg); return want_sasl(cl, "-U", err);
	case 'X': set_str(&cl->sasl_authzid, arg); return want_sasl(cl, "-X", err);
	case 'R': set_str(&cl->sasl_realm, arg); return want_sasl(cl, "-R", err);
	case 'O': set_str(&cl->sasl_secprops, arg); return want_sasl(cl, "-O", err);
	case LI_OPT_AUDIT_BASE:
		cl->audit_base_given = 1;
		return li_params_set_audit_base(cl->params, *arg, err) < 0 ? as_opt(err, "audit base", "--audit-base") : 0;
	case 'e': return apply_control(cl, *arg, 0, err);
	case 'E': return apply_control(cl, *arg, 1, err);
	case 'o': return apply_o(cl, *arg, err);
	case 'S':
	case 'T':
	case 'F':
		return refused(val, err);
	case 'z': return parse_limit("-z", *arg, &cl->sizelimit, err);
	case 'l': return parse_limit("-l", *arg, &cl->timelimit, err);
	case 'd':
		if (li_parse_int(*arg, -1, 2147483647, &v, &why) < 0)
			return bad(err, "-d", *arg, why);
		cl->debug = (int)v;
		return 0;
	case 's':
		if ((i = li_scope_code(*arg)) < 0)
			return bad(err, "-s", *arg, "is not a scope (base, one, sub or children)");
		cl->scope = i;
		cl->scope_given = i != LDAP_SCOPE_SUBTREE;
		return 0;
	case 'a':
		if ((i = li_deref_code(*arg)) < 0)
			return bad(err, "-a", *arg, "is not a deref value (never, always, search or find)");
		cl->deref = i;
		cl->deref_given = i != LDAP_DEREF_NEVER;
		return 0;
	case LI_OPT_OP:
		if ((i = lookup(ops, *arg)) < 0)
			return bad(err, "--op", *arg,
				   "is not an operation (search, compare, delete, modrdn, add, modify or exop)");
		cl->op = i;
		set_str(&cl->op_name, arg);
		return 0;
	case LI_OPT_MSGID:
		if (li_parse_int(*arg, 0, LI_MSGID_MAX, &cl->target_msgid, &why) < 0)
			return bad(err, "--msgid", *arg, strcmp(why, "out of range") == 0
				   ? "is out of range (message IDs are 0 to 2147483647)" : why);
		cl->msgid_given = 1;
		return 0;
	case LI_OPT_AFTER:
		if (li_parse_duration(*arg, 1, &cl->after_us, &why) < 0)
			return bad(err, "--after", *arg, why);
		cl->after_given = 1;
		return 0;
	case LI_OPT_AFTER_ENTRIES:
		if (li_parse_int(*arg, 0, 2147483647, &cl->after_entries, &why) < 0)
			return bad(err, "--after-entries", *arg, why);
		return 0;
	case LI_OPT_WAIT:
		if (li_parse_duration(*arg, 0, &cl->wait_us, &why) < 0)
			return bad(err, "--wait", *arg, why);
		return 0;
	case LI_OPT_TIMEOUT:
		if (li_parse_duration(*arg, 0, &cl->timeout_us, &why) < 0)
			return bad(err, "--timeout", *arg, why);
		if (cl->timeout_us == 0)
			return bad(err, "--timeout", *arg, "must be more than 0");
		return 0;
	case LI_OPT_LISTEN: set_str(&cl->listen, arg); return 0;
	case LI_OPT_LISTEN_CERT: set_str(&cl->listen_cert, arg); return 0;
	case LI_OPT_LISTEN_KEY: set_str(&cl->listen_key, arg); return 0;
	case LI_OPT_SESSIONS:
		if (li_parse_int(*arg, 1, 2147483647, &cl->sessions, &why) < 0)
			return bad(err, "--sessions", *arg, strcmp(why, "out of range") == 0
				   ? "is out of range (1 to 2147483647 sessions)" : why);
		return 0;
	case LI_OPT_COUNT:
		if (li_parse_int(*arg, 1, 10000, &v, &why) < 0)
			return bad(err, "--count", *arg, strcmp(why, "out of range") == 0
				   ? "is out of range (1 to 10000 runs)" : why);
		cl->count = (long)v;
		return 0;
	case LI_OPT_EACH:
		return servers_add(cl, arg, err);
	case LI_OPT_EACH_FILE: set_str(&cl->each_file, arg); return 0;
	case LI_OPT_JOBS:
		if (li_parse_int(*arg, 1, SERVERS_JOBS_MAX, &v, &why) < 0)
			return bad(err, "--jobs", *arg, strcmp(why, "out of range") == 0
				   ? "is out of range (1 to 256 servers at once)" : why);
		cl->jobs = (long)v;
		return 0;
	}
	return li_usage_error(err, "option", "internal: unhandled option code %d", val);
}

int cmdline_apply(cmdline *cl, int val, char *arg, li_error *err)
{
	int rc = 0;

	switch (val) {
	case 'x':
		if (cl->auth_sasl)
			rc = li_usage_error(err, "-x", "incompatible with the SASL options -Y -U -X -R -O -I -Q");
		cl->auth_simple = 1;
		break;
	case 'w':
		secret_free(cl->passwd, cl->passwd_len);
		cl->passwd = arg;
		cl->passwd_len = arg ? strlen(arg) : 0;
		cl->passwd_from_w = 1;
		cl->passwd_opt = "-w";
		return 0;
	case 'W': cl->prompt_passwd = 1; break;
	case 'I': cl->sasl_flags = 'I'; rc = want_sasl(cl, "-I", err); break;
	case 'Q': cl->sasl_flags = 'Q'; rc = want_sasl(cl, "-Q", err); break;
	case 'N': cl->sasl_nocanon = 1; break;
	case 'Z': cl->starttls++; break;
	case 'M': cl->manage_dsait++; break;
	case 't':
	case 'c':
		rc = refused(val, err);
		break;
	case 'v': cl->verbose++; break;
	case 'n': cl->dry_run = 1; break;
	case 'A': cl->attrsonly = 1; break;
	case 'q': cl->quiet = 1; break;
	case 'L': cl->ldif += cl->ldif < 3; break;
	case LI_OPT_JSON: cl->json = 1; break;
	case LI_OPT_HEX: cl->hex = 1; break;
	case LI_OPT_AUDIT: cl->audit = 1; break;
	case LI_OPT_ABANDON:
	case LI_OPT_CANCEL:
		if (cl->interrupt_given)
			rc = li_usage_error(err, val == LI_OPT_ABANDON ? "--abandon" : "--cancel",
				       "give only one of --abandon and --cancel");
		cl->interrupt = val == LI_OPT_ABANDON ? LI_INTERRUPT_ABANDON : LI_INTERRUPT_CANCEL;
		cl->interrupt_given = 1;
		break;
	default:
		if (arg == NULL)
			return li_usage_error(err, "option", "internal: option code %d needs a value", val);
		rc = apply_string(cl, val, &arg, err);
		break;
	}
	free(arg);
	return rc;
}

/* ---- after every option ---- */

static int check_password(const char *opt, size_t len, li_error *err)
{
	if (len == 0)
		return li_usage_error(err, opt, "the password is empty (with a bind DN, an unauthenticated bind, "
				 "which a server may take as anonymous; for an anonymous bind give no password)");
	if (len > LI_SECRET_MAX)
		return li_usage_error(err, opt, "the password is longer than %d bytes", LI_SECRET_MAX);
	return 0;
}

/* -y: the first line of the file, without its line ending. */
static int read_password_file(cmdline *cl, li_error *err)
{
	const char *file = cl->passwd_file, *why;
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	char *line;
	size_t len;
	int rc, e;

	if (fd < 0)
		return li_usage_error(err, "-y", "cannot read '%s': %s", file, strerror(errno));
	rc = cmd_secret_read_line(fd, &line, &len, &why);
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
	secret_free(cl->passwd, cl->passwd_len);
	cl->passwd = line;
	cl->passwd_len = len;
	cl->passwd_opt = "-y";
	return 0;
}

static int count(const char **args)
{
	int n = 0;

	while (args && args[n])
		n++;
	return n;
}

static int check_dn(const char *what, const char *dn, li_error *err)
{
	LDAPDN parsed = NULL;

	if (ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		return li_usage_error(err, what, "'%s' is not a valid DN", dn);
	ldap_dnfree(parsed);
	return 0;
}

/* As ldapsearch: the first operand is the filter only when it starts with
 * '(' or holds '='; otherwise every operand is an attribute. */
static int is_filter(const char *arg)
{
	return arg[0] == '(' || strchr(arg, '=') != NULL;
}

/* -L's writer, and what it writes first: the search as ldapsearch's -L
 * comments describe it, with ldap.conf's base when -b is not given. */
static int ldif_writer(cmdline *cl, const li_search *s, li_error *err)
{
	li_ldif_search ls = { .base = s->base, .scope = s->scope, .filter = s->filter, .attrs = s->attrs };
	char *defbase = NULL;
	int rc;

	cl->ldif_out = li_ldif_new(cl->ldif, cl->ldif_wrap, s->attrsonly);
	cl->ldif_head = li_buf_new();
	if (cl->ldif_out == NULL || cl->ldif_head == NULL)
		return li_ldap_error(err, "-L", LDAP_NO_MEMORY, NULL, NULL);
	if (ls.base == NULL) {
		ldap_get_option(NULL, LDAP_OPT_DEFBASE, &defbase);
		ls.base = defbase;
		ls.base_is_default = 1;
	}
	rc = li_ldif_begin(cl->ldif_out, &ls, cl->ldif_head);
	ldap_memfree(defbase);
	return rc < 0 ? li_ldap_error(err, "-L", LDAP_NO_MEMORY, NULL, NULL) : 0;
}

static int search_operands(cmdline *cl, const char **args, int n, li_error *err)
{
	int f = n > 0 && is_filter(args[0]);
	li_search s = {
		.base = cl->base, .scope = cl->scope, .deref = cl->deref, .sizelimit = cl->sizelimit,
		.timelimit = cl->timelimit, .attrsonly = cl->attrsonly, .filter = f ? args[0] : NULL,
		.attrs = n > f ? args + f : NULL,
	};

	if (li_params_set_search(cl->params, &s, err) < 0)
		return as_opt(err, "base", "-b");
	return cl->ldif ? ldif_writer(cl, &s, err) : 0;
}

/* The setter refuses a bad OID; the operand also takes whoami. */
static int set_exop(cmdline *cl, const char *oid, const char *value, size_t len, li_error *err)
{
	if (li_params_set_exop(cl->params, oid, value, len, err) == 0)
		return 0;
	if (err->code == 0 && strcmp(err->what, "OID") == 0)
		return li_usage_error(err, "--op exop", "'%s' is not an OID (or whoami)", oid);
	return -1;
}

static int exop_operand(cmdline *cl, const char *arg, li_error *err)
{
	char *oid, *value;
	size_t len;
	int rc;

	if (strcasecmp(arg, "whoami") == 0)
		return li_params_set_exop(cl->params, LDAP_EXOP_WHO_AM_I, NULL, 0, err);
	if (strchr(arg, ':') == NULL)
		return set_exop(cl, arg, NULL, 0, err);
	if (li_parse_attr_value("--op exop", arg, &oid, &value, &len, err) < 0)
		return -1;
	rc = set_exop(cl, oid, value, len, err);
	free(oid);
	free(value);
	return rc;
}

static int compare_operands(cmdline *cl, const char **args, li_error *err)
{
	char *attr, *value;
	size_t len;
	int rc;

	if (check_dn("DN", args[0], err) < 0 ||
	    li_parse_attr_value("--op compare", args[1], &attr, &value, &len, err) < 0)
		return -1;
	rc = li_params_set_compare(cl->params, args[0], attr, value, len, err);
	free(attr);
	free(value);
	return rc;
}

static int ldif_operand(cmdline *cl, li_error *err)
{
	char *text = NULL;
	int rc;

	if (cl->ldif_file == NULL)
		return li_usage_error(err, "-f", "--op %s needs an LDIF record: -f file (- for standard input)",
				 ops[cl->op]);
	if (cmd_ldif_read(cl->ldif_file, &text, err) < 0)
		return -1;
	if (cl->op == OP_ADD)
		rc = li_params_set_add(cl->params, text, cl->ldif_file, err);
	else
		rc = li_params_set_modify(cl->params, text, cl->ldif_file, err);
	free(text);
	return rc < 0 ? as_opt(err, "LDIF", "-f") : 0;
}

static const struct {
	int op;
	int min, max;
	const char *usage;
} arity[] = {
	{ OP_COMPARE, 2, 2, "--op compare DN attr:value (or attr::base64)" },
	{ OP_DELETE, 1, 1, "--op delete DN" },
	{ OP_MODRDN, 2, 3, "--op modrdn DN NEWRDN [NEWSUPERIOR]" },
	{ OP_ADD, 0, 0, "--op add -f entry.ldif" },
	{ OP_MODIFY, 0, 0, "--op modify -f change.ldif" },
	{ OP_EXOP, 1, 1, "--op exop OID[:value|::base64] or --op exop whoami" },
	{ OP_NONE, 0, 0, "--msgid N (no operation, no operands)" },
};

static int operands(cmdline *cl, const char **args, li_error *err)
{
	int n = count(args);
	size_t i;

	if (cl->op == OP_SEARCH)
		return search_operands(cl, args, n, err);
	for (i = 0; i < sizeof(arity) / sizeof(arity[0]); i++) {
		if (arity[i].op != cl->op)
			continue;
		if (n < arity[i].min)
			return li_usage_error(err, "arguments", "missing operand; usage: %s", arity[i].usage);
		if (n > arity[i].max)
			return li_usage_error(err, "arguments", "unexpected operand '%s'; usage: %s", args[arity[i].max],
					 arity[i].usage);
	}
	switch (cl->op) {
	case OP_COMPARE:
		return compare_operands(cl, args, err);
	case OP_DELETE:
		return li_params_set_delete(cl->params, args[0], err);
	case OP_MODRDN:
		return li_params_set_modrdn(cl->params, args[0], args[1], n == 3 ? args[2] : NULL, err);
	case OP_ADD:
	case OP_MODIFY:
		return ldif_operand(cl, err);
	case OP_EXOP:
		return exop_operand(cl, args[0], err);
	default:
		return li_params_set_no_operation(cl->params, cl->target_msgid, err);
	}
}

static int search_only(const cmdline *cl, li_error *err)
{
	if (cl->op == OP_SEARCH)
		return 0;
	if (cl->base || cl->attrsonly || cl->sizelimit || cl->timelimit || cl->scope_given || cl->deref_given)
		return li_usage_error(err, "arguments", "-b, -s, -a, -z, -l and -A apply to searches only");
	if (cl->search_ext)
		return li_usage_error(err, "-E", "search extensions apply to searches only");
	if (cl->after_entries >= 0)
		return li_usage_error(err, "--after-entries", "counts search entries: use it with a search");
	if (cl->ldif)
		return li_usage_error(err, "-L", "writes a search's entries: use it with a search");
	return 0;
}

static int trigger_checks(cmdline *cl, li_error *err)
{
	li_params *p = cl->params;

	if (cl->timeout_us > 0 && li_params_set_timeout(p, cl->timeout_us, err) < 0)
		return as_opt(err, "timeout", "--timeout");
	if (cl->interrupt == LI_INTERRUPT_NONE) {
		if (cl->after_given || cl->after_entries >= 0 || cl->wait_us >= 0)
			return li_usage_error(err, "arguments", "--after, --after-entries and --wait need --abandon or --cancel");
		if (cl->msgid_given)
			return li_usage_error(err, "--msgid", "needs --abandon or --cancel");
		return 0;
	}
	if (cl->msgid_given && (cl->after_given || cl->after_entries >= 0))
		return li_usage_error(err, "--msgid", "sends the interrupt at once: --after and --after-entries "
				 "do not apply");
	if (li_params_set_interrupt(p, cl->interrupt, err) < 0 ||
	    (cl->after_given && li_params_set_after(p, cl->after_us,
						    err) < 0) ||
	    (cl->after_entries >= 0 && li_params_set_after_entries(p, cl->after_entries, err) < 0) ||
	    li_params_set_wait(p, cl->wait_us, err) < 0)
		return -1;
	return 0;
}

/* The bind as the options ask; again after the -W prompt. */
static int bind_params(cmdline *cl, li_error *err)
{
	const char *opt = cl->passwd_opt ? cl->passwd_opt : "-W";

	if (cl->auth_simple) {
		if (li_params_set_bind_simple(cl->params, cl->binddn, cl->passwd, cl->passwd_len, err) < 0)
			return as_opt(err, "bind DN", "-D"), as_opt(err, "password", opt);
		return 0;
	}
	li_sasl s = {
		.dn = cl->binddn, .mech = cl->sasl_mech, .authcid = cl->sasl_authcid, .authzid = cl->sasl_authzid,
		.realm = cl->sasl_realm, .secprops = cl->sasl_secprops, .quiet = cl->sasl_flags == 'Q',
		.interactive = cl->sasl_flags == 'I', .nocanon = cl->sasl_nocanon, .password = cl->passwd,
		.password_len = cl->passwd_len,
	};
	if (li_params_set_bind_sasl(cl->params, &s, err) < 0)
		return as_opt(err, "bind DN", "-D"), as_opt(err, "SASL security properties", "-O"),
		       as_opt(err, "password", opt);
	return 0;
}

static int auth_checks(cmdline *cl, li_error *err)
{
	if (cl->passwd_file && cl->passwd_from_w)
		return li_usage_error(err, "-y", "incompatible with -w");
	if (cl->prompt_passwd && (cl->passwd_from_w || cl->passwd_file))
		return li_usage_error(err, "-W", "incompatible with %s", cl->passwd_from_w ? "-w" : "-y");
	if (cl->passwd_from_w && check_password("-w", cl->passwd_len, err) < 0)
		return -1;
	if (cl->passwd_file && read_password_file(cl, err) < 0)
		return -1;
	/* As OpenLDAP's tools: SASL unless -x, or unless a bind DN was given. */
	if (!cl->auth_simple && !cl->auth_sasl && cl->binddn)
		cl->auth_simple = 1;
	return bind_params(cl, err);
}

static int connection(cmdline *cl, li_error *err)
{
	li_params *p = cl->params;

	if (li_params_set_name(p, cl->prog, err) < 0 || (cl->uri && li_params_set_uri(p, cl->uri, err) < 0))
		return as_opt(err, "URI", "-H");
	if (li_params_set_tls(p, cl->starttls > 1 ? LI_TLS_REQUIRE : cl->starttls ? LI_TLS_TRY : LI_TLS_NONE,
			      err) < 0 ||
	    li_params_set_debug(p, cl->debug, err) < 0 ||
	    (cl->nettimeout_set && li_params_set_network_timeout(p, cl->nettimeout, err) < 0))
		return -1;
	return 0;
}

/* --audit picks each check's operation and trigger itself. */
static int audit_checks(const cmdline *cl, const char **args, li_error *err)
{
	if (cl->msgid_given || cl->op_name || cl->after_given || cl->after_entries >= 0 || cl->ldif || cl->dry_run ||
	    count(args) > 0)
		return li_usage_error(err, "--audit", "runs its own operations: give no --op, --msgid, --after, "
				      "--after-entries, -L, -n, filter or attributes with it");
	return 0;
}

/* --listen relays its clients' operations: what shapes an operation of
 * the tool's own, or its bind, has nothing to apply to. */
static int relay_checks(cmdline *cl, const char **args, li_error *err)
{
	if (cl->listen == NULL) {
		if (cl->listen_cert || cl->listen_key || cl->sessions)
			return li_usage_error(err, cl->sessions ? "--sessions" : "--listen-cert",
					      "applies to the relay: give --listen too");
		return 0;
	}
	if (cl->binddn || cl->passwd || cl->prompt_passwd || cl->passwd_file || cl->auth_sasl)
		return li_usage_error(err, "--listen", "the relay never binds: its clients' binds pass through "
				      "(give no -D, -w, -W, -y or SASL option)");
	if (count(args) > 0 || cl->base || cl->scope_given || cl->deref_given || cl->sizelimit || cl->timelimit ||
	    cl->attrsonly || cl->search_ext || cl->ldif_file || cl->msgid_given)
		return li_usage_error(err, "--listen", "relays its clients' operations: give no filter, attributes, "
				      "-b, -s, -a, -z, -l, -A, -E, -f or --msgid");
	if (cl->ldif || cl->count || cl->audit || cl->dry_run || cl->timeout_us > 0)
		return li_usage_error(err, "--listen", "traces sessions until stopped: -L, --count, --audit, -n and "
				      "--timeout do not apply");
	if (cl->op_name && cl->interrupt == LI_INTERRUPT_NONE)
		return li_usage_error(err, "--op", "with --listen, names the client operations to interrupt: give "
				      "--abandon or --cancel");
	if (cl->op_name && cl->op != OP_SEARCH && cl->after_entries >= 0)
		return li_usage_error(err, "--after-entries", "counts search entries: use it with --op search");
	if ((cl->listen_cert == NULL) != (cl->listen_key == NULL))
		return li_usage_error(err, cl->listen_cert ? "--listen-cert" : "--listen-key",
				      "give both --listen-cert and --listen-key");
	return 0;
}

int cmdline_finish(cmdline *cl, const char **args, li_error *err)
{
	if (cl->json && cl->quiet)
		return li_usage_error(err, "-q", "give only one of --json and -q");
	if (relay_checks(cl, args, err) < 0)
		return -1;
	if (cl->listen) {
		/* Without an interrupt, --wait is how long open sessions may go
		 * on after Ctrl-C (cmd/common/relay.c hands it to the relay). */
		if (cl->interrupt == LI_INTERRUPT_NONE && (cl->after_given || cl->after_entries >= 0))
			return li_usage_error(err, "arguments", "--after and --after-entries need --abandon or --cancel");
		if (connection(cl, err) < 0 || (cl->interrupt != LI_INTERRUPT_NONE && trigger_checks(cl, err) < 0))
			return -1;
		return li_params_check(cl->params, err);
	}
	if (cl->audit && audit_checks(cl, args, err) < 0)
		return -1;
	if (cl->audit_base_given && !cl->audit)
		return li_usage_error(err, "--audit-base", "names the entry --audit's write checks modify: give it with --audit");
	if (cl->count && cl->ldif)
		return li_usage_error(err, "--count", "reports statistics of many runs, -L the entries of one "
				      "search: give only one of them");
	if (servers_finish(cl, err) < 0)
		return -1;
	if (cl->msgid_given) {
		if (cl->op_name)
			return li_usage_error(err, "--msgid", "sends no operation: do not give --op with it");
		cl->op = OP_NONE;
	}
	if (cl->op != OP_ADD && cl->op != OP_MODIFY && cl->ldif_file)
		return li_usage_error(err, "-f", "reads one LDIF record for --op add or --op modify only (not "
				      "ldapsearch's file of filters: these tools issue exactly one operation)");
	if (cl->manage_dsait && li_params_add_control_text(cl->params, cl->manage_dsait > 1 ? "!manageDSAit" :
							   "manageDSAit", 0, err) < 0)
		return strstr(err->text, "given twice") ? li_usage_error(err, "-M", "the ManageDsaIT control was "
									  "given with -e too") : -1;
	if (connection(cl, err) < 0 || search_only(cl, err) < 0 || trigger_checks(cl, err) < 0 ||
	    auth_checks(cl, err) < 0 || operands(cl, args, err) < 0)
		return -1;
	return li_params_check(cl->params, err);
}

int cmdline_audit_again(cmdline *cl, li_error *err)
{
	if (bind_params(cl, err) < 0)
		return -1;
	return search_operands(cl, NULL, 0, err);
}

int cmdline_set_password(cmdline *cl, const char *pw, li_error *err)
{
	size_t len = strlen(pw);
	char *copy;

	if (check_password("-W", len, err) < 0)
		return -1;
	copy = strdup(pw);
	if (copy == NULL)
		return li_ldap_error(err, "-W", LDAP_NO_MEMORY, NULL, NULL);
	secret_free(cl->passwd, cl->passwd_len);
	cl->passwd = copy;
	cl->passwd_len = len;
	cl->passwd_opt = "-W";
	return bind_params(cl, err);
}
