/* SPDX-License-Identifier: BSD-2-Clause */
/* The command line of the three tools: each option's value checked and
 * kept (cmdline_apply), then the operands and the checks across options
 * (cmdline_finish), which hand everything to the library's typed setters. */
#ifndef CMD_APPLY_H
#define CMD_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include <ldapinterrupt.h>

/* The val codes of the long-only options: LI_OPT_ and the long name in
 * capitals (cmd/common/options.txt's popt tables return them; a short
 * option returns its letter). */
enum {
	LI_OPT_AFTER = 256,
	LI_OPT_AFTER_ENTRIES,
	LI_OPT_WAIT,
	LI_OPT_OP,
	LI_OPT_MSGID,
	LI_OPT_JSON,
	LI_OPT_HEX,
	LI_OPT_ABANDON,
	LI_OPT_CANCEL,
	LI_OPT_TIMEOUT,
	LI_OPT_AUDIT,
	LI_OPT_COUNT,
	LI_OPT_AUDIT_BASE,
	LI_OPT_EACH,
	LI_OPT_EACH_FILE,
	LI_OPT_JOBS,
	LI_OPT_LISTEN,
	LI_OPT_LISTEN_CERT,
	LI_OPT_LISTEN_KEY,
	LI_OPT_SESSIONS,
};

typedef struct cmdline {
	const char *prog;
	li_params *params;
	li_interrupt interrupt; /* the tool's, or --abandon / --cancel */
	int interrupt_given;

	char *uri;
	int auth_simple;     /* -x */
	int auth_sasl;       /* any of -Y -U -X -R -O -I -Q */
	char *binddn;
	char *passwd;        /* from -w, -y or the -W prompt */
	size_t passwd_len;
	int passwd_from_w;
	const char *passwd_opt; /* where it came from, for messages */
	int prompt_passwd;   /* -W */
	char *passwd_file;   /* -y */
	char *sasl_mech, *sasl_authcid, *sasl_authzid, *sasl_realm, *sasl_secprops;
	int sasl_flags;      /* 0, 'I' or 'Q': the last given */
	int sasl_nocanon;    /* -N */
	int starttls;        /* -Z count */
	int manage_dsait;    /* -M count */
	int debug;
	int nettimeout_set;
	long long nettimeout; /* -1: none */

	int op;              /* index into the --op names; -1: --msgid */
	char *op_name;
	long long target_msgid;
	int msgid_given;
	char *base;
	int scope, deref;
	int scope_given, deref_given;
	int sizelimit, timelimit;
	int attrsonly;
	char *ldif_file;
	int search_ext;      /* an -E control was given */

	int64_t after_us;
	int after_given;
	long long after_entries; /* -1: not set */
	int64_t wait_us;         /* -1: the interrupt's default */
	int64_t timeout_us;      /* -1: none */
	long count;              /* --count: 0 when not given */

	int verbose, dry_run, json, quiet, hex;
	int audit;          /* --audit: the checks instead of one operation */
	int audit_base_given; /* --audit-base: the entry its write checks modify */

	char **each;         /* --each and --each-file: the servers, in order */
	size_t neach, each_cap;
	char *each_file;     /* --each-file (- for standard input) */
	long jobs;           /* --jobs: 0 when not given */

	char *listen;        /* --listen: the relay's URI; NULL: no relay */
	char *listen_cert, *listen_key;
	long long sessions;  /* --sessions: 0 when not given */

	int ldif;            /* -L count (at most 3) */
	size_t ldif_wrap;    /* -o ldif_wrap: 0 libldap's default, LI_LDIF_NO_WRAP */
	li_ldif *ldif_out;   /* -L's writer, made by cmdline_finish */
	li_buf *ldif_head;   /* and what it writes before the first entry */
} cmdline;

/* interrupt: the tool's default. NULL when out of memory. */
cmdline *cmdline_new(const char *prog, li_interrupt interrupt);
void cmdline_free(cmdline *cl);
/* One option: val is its code, arg its argument (NULL for a flag). Takes
 * ownership of arg; wipes it when it is a secret. */
int cmdline_apply(cmdline *cl, int val, char *arg, li_error *err);
/* The operands and every check across options; sets the parameters. */
int cmdline_finish(cmdline *cl, const char **args, li_error *err);
/* --audit --count: the bind and the search base as the command line gave
 * them, again, before the next checklist (a checklist sets its own search
 * in the parameters, and the bind wipes the password it used). */
int cmdline_audit_again(cmdline *cl, li_error *err);
/* The -W prompt's answer, held to the rules of -w and -y. */
int cmdline_set_password(cmdline *cl, const char *pw, li_error *err);

#endif
