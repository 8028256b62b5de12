/* The one switch that applies each option's value: li_config_apply checks
 * every value in one place (curl's way) and never leaks a repeated option.
 *
 * The options themselves (names, arguments, --help lines, man text) are
 * described once, in cmd/common/options.txt, from which cmd/common/optgen.py generates
 * the tools' popt tables and the man pages' OPTIONS section.  The tools
 * hand each val code popt returns (the short letter, or the LI_OPT_ code
 * of ldapinterrupt.h for a long-only option), with its argument, to
 * li_config_apply (cmd/common/tool.c answers -V itself).  Adding an option: its record in cmd/common/options.txt, for a
 * long-only option its LI_OPT_ code in ldapinterrupt.h, and its case here
 * (in apply_string when it takes an argument). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldap.h>

#include "config.h"
#include "names.h"
#include "parse.h"

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

static int apply_o(li_config *cfg, const char *arg, li_error *err)
{
	const char *v;
	long long secs;
	const char *why;

	if (strncasecmp(arg, "nettimeout=", 11) != 0)
		return li_usage_error(err, "-o", "'%s' is not a known option (known: nettimeout=<seconds>|none|max)",
				      arg);
	v = arg + 11;
	if (strcasecmp(v, "none") == 0) {
		cfg->nettimeout_set = 1;
		cfg->nettimeout.tv_sec = -1;
		return 0;
	}
	if (strcasecmp(v, "max") == 0) {
		secs = 2147483647;
	} else if (li_parse_int(v, 1, 2147483647, &secs, &why) < 0) {
		return li_usage_error(err, "-o", "nettimeout '%s' %s (seconds, none or max)", v, why);
	}
	cfg->nettimeout_set = 1;
	cfg->nettimeout.tv_sec = (time_t)secs;
	cfg->nettimeout.tv_usec = 0;
	return 0;
}

static int want_sasl(li_config *cfg, const char *opt, li_error *err)
{
	if (cfg->auth_simple)
		return li_usage_error(err, opt, "incompatible with -x (simple authentication)");
	cfg->auth_sasl = 1;
	return 0;
}

static int apply_string(li_config *cfg, int val, char **arg, li_error *err)
{
	const char *why;
	long long v;
	int i;

	switch (val) {
	case 'H': set_str(&cfg->uri, arg); return 0;
	case 'D': set_str(&cfg->binddn, arg); return 0;
	case 'y': set_str(&cfg->passwd_file, arg); return 0;
	case 'b': set_str(&cfg->base, arg); return 0;
	case 'f': set_str(&cfg->ldif_file, arg); return 0;
	case 'Y': set_str(&cfg->sasl_mech, arg); return want_sasl(cfg, "-Y", err);
	case 'U': set_str(&cfg->sasl_authcid, arg); return want_sasl(cfg, "-U", err);
	case 'X': set_str(&cfg->sasl_authzid, arg); return want_sasl(cfg, "-X", err);
	case 'R': set_str(&cfg->sasl_realm, arg); return want_sasl(cfg, "-R", err);
	case 'O': set_str(&cfg->sasl_secprops, arg); return want_sasl(cfg, "-O", err);
	case 'e': return li_ctrl_parse(cfg, *arg, 0, err);
	case 'E': return li_ctrl_parse(cfg, *arg, 1, err);
	case 'o': return apply_o(cfg, *arg, err);
	case 'z': return parse_limit("-z", *arg, &cfg->sizelimit, err);
	case 'l': return parse_limit("-l", *arg, &cfg->timelimit, err);
	case 'd':
		if (li_parse_int(*arg, -1, 2147483647, &v, &why) < 0)
			return bad(err, "-d", *arg, why);
		cfg->debug = (int)v;
		return 0;
	case 's':
		if ((i = li_scope_code(*arg)) < 0)
			return bad(err, "-s", *arg, "is not a scope (base, one, sub or children)");
		cfg->scope = i;
		return 0;
	case 'a':
		if ((i = li_deref_code(*arg)) < 0)
			return bad(err, "-a", *arg, "is not a deref value (never, always, search or find)");
		cfg->deref = i;
		return 0;
	case LI_OPT_OP:
		if ((i = lookup(ops, *arg)) < 0)
			return bad(err, "--op", *arg,
				   "is not an operation (search, compare, delete, modrdn, add, modify or exop)");
		cfg->op = (li_optype)i;
		set_str(&cfg->op_name, arg);
		return 0;
	case LI_OPT_MSGID:
		if (li_parse_int(*arg, 0, LI_MSGID_MAX, &cfg->target_msgid, &why) < 0)
			return bad(err, "--msgid", *arg, strcmp(why, "out of range") == 0
				   ? "is out of range (message IDs are 0 to 2147483647)" : why);
		cfg->msgid_given = 1;
		return 0;
	case LI_OPT_AFTER:
		if (li_parse_duration(*arg, 1, &cfg->after_us, &why) < 0)
			return bad(err, "--after", *arg, why);
		cfg->after_given = 1;
		return 0;
	case LI_OPT_AFTER_ENTRIES:
		if (li_parse_int(*arg, 0, 2147483647, &cfg->after_entries, &why) < 0)
			return bad(err, "--after-entries", *arg, why);
		return 0;
	case LI_OPT_WAIT:
		if (li_parse_duration(*arg, 0, &cfg->wait_us, &why) < 0)
			return bad(err, "--wait", *arg, why);
		return 0;
	}
	return li_usage_error(err, "option", "internal: unhandled option code %d", val);
}

int li_config_apply(li_config *cfg, int val, char *arg, li_error *err)
{
	int rc = 0;

	switch (val) {
	case 'x':
		if (cfg->auth_sasl)
			rc = li_usage_error(err, "-x", "incompatible with the SASL options -Y -U -X -R -O -I -Q");
		cfg->auth_simple = 1;
		break;
	case 'w':
		li_secret_free(cfg->passwd, cfg->passwd_len);
		cfg->passwd = arg;
		cfg->passwd_len = arg ? strlen(arg) : 0;
		cfg->passwd_from_w = 1;
		return 0;
	case 'W': cfg->prompt_passwd = 1; break;
	case 'I': cfg->sasl_flags = LDAP_SASL_INTERACTIVE; rc = want_sasl(cfg, "-I", err); break;
	case 'Q': cfg->sasl_flags = LDAP_SASL_QUIET; rc = want_sasl(cfg, "-Q", err); break;
	case 'N': cfg->sasl_nocanon = 1; break;
	case 'Z': cfg->starttls++; break;
	case 'v': cfg->verbose++; break;
	case 'n': cfg->dry_run = 1; break;
	case 'A': cfg->attrsonly = 1; break;
	case 'q': cfg->quiet = 1; break;
	case LI_OPT_JSON: cfg->json = 1; break;
	case LI_OPT_HEX: cfg->hex = 1; break;
	case LI_OPT_ABANDON:
	case LI_OPT_CANCEL:
		if (cfg->interrupt != LI_INTERRUPT_NONE)
			rc = li_usage_error(err, val == LI_OPT_ABANDON ? "--abandon" : "--cancel",
					    "give only one of --abandon and --cancel");
		cfg->interrupt = val == LI_OPT_ABANDON ? LI_INTERRUPT_ABANDON : LI_INTERRUPT_CANCEL;
		break;
	default:
		if (arg == NULL)
			return li_usage_error(err, "option", "internal: option code %d needs a value", val);
		rc = apply_string(cfg, val, &arg, err);
		break;
	}
	free(arg);
	return rc;
}
