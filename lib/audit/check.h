/* SPDX-License-Identifier: BSD-2-Clause */
/* What every audit check shares: the checklist (li_audit) and its rows,
 * verdicts and evidence, and one check's run, an ordinary run of the
 * engine on a fresh connection with an observer that keeps what the
 * checks judge (audit_watch). cancel.c and abandon.c hold the checks. */
#ifndef LI_AUDIT_CHECK_H
#define LI_AUDIT_CHECK_H

#include <stdint.h>

#include "params.h"

#define AUDIT_CANCEL_OID "1.3.6.1.1.8"
#define AUDIT_SYNC_OID "1.3.6.1.4.1.4203.1.9.1.1"
/* A message ID no fresh connection has used: libldap counts from 1. */
#define AUDIT_UNUSED_MSGID 1000000
/* How long the probe of a connection (ctx->probe) waits for its answer: a
 * search of the root DSE takes a working server milliseconds. */
#define AUDIT_PROBE_WAIT_US 10000000LL

/* What the observer and the entry callback of one check's run saw. */
typedef struct audit_watch {
	/* the root DSE */
	int advertised;
	int sync_advertised; /* the Sync control (RFC 4533) in supportedControl */
	char naming_context[256];
	/* the operation's responses after its final one */
	int op_done;
	unsigned long long after_result;
	/* the Cancel's request and the first ExtendedResponse after it */
	int64_t cancel_msgid;
	int response_seen;
	int64_t response_msgid;
	int response_name, response_value;
	/* the check's own look at the operation's messages (audit_ctx's) */
	li_event_fn entry_hook;
	void *entry_hook_arg;
	li_run *run; /* the run, while it runs: for li_run_signal */
	/* the AbandonRequest; what arrived with its own message ID, and what
	 * else arrived after it but for the answers to the probe (the first
	 * request sent after it) */
	int64_t abandon_msgid, probe_msgid;
	unsigned long long to_abandon, after_abandon;
	/* ctx->probe: the answer to a search of the root DSE on the same
	 * connection once the outcome was in (li_run_probe) */
	li_reply probe;
} audit_watch;

typedef struct audit_ctx {
	li_params *p;
	li_audit *a;
	char *passwd; /* the password, put back before each bind (conn.c wipes it) */
	size_t passwd_len;
	char *base;   /* the user's search base, or NULL */
	/* Set by a check around audit_run: it too sees each message of the
	 * operation (an entry's values, say). */
	li_event_fn entry_hook;
	void *entry_hook_arg;
	li_progress_fn progress_hook; /* likewise: the run's progress */
	void *progress_hook_arg;
	int probe;    /* audit_run probes the connection after the outcome */
	/* The caller's (li_params_set_audit_hooks), or NULL. */
	const li_audit_hooks *hooks;
	li_run *run;  /* the run handed to hooks->run, while it runs */
	int current;  /* the check under way (audit_step), -1 before the first */
	unsigned char over[LI_AUDIT_MAX_CHECKS]; /* the checks done before any stop */
	int restoring; /* the run puts back an entry: it runs though the audit is stopped */
} audit_ctx;

/* Copies what each check's run consumes (the password, the base) out of
 * p, and empties out: 0, or -1 with err when out of memory. */
int audit_begin(audit_ctx *ctx, li_params *p, li_audit *out, li_error *err);
/* Counts the verdicts into the audit and wipes the copies; when the
 * audit was stopped, first every check not over becomes skip (stopped). */
void audit_end(audit_ctx *ctx);
/* 1 when the caller asked the audit to stop (li_audit_hooks.stop). */
int audit_stopped(const audit_ctx *ctx);
/* The check under way is over; c (NULL: none) begins, told to the caller.
 * 0 when the audit is stopped: c is not to run. */
int audit_step(audit_ctx *ctx, li_check *c);
/* c's verdict is decided without a run of its own (or by the run of the
 * check under way): it is over unless the audit was stopped. */
void audit_over(audit_ctx *ctx, const li_check *c);

/* A new row, verdict info until one is given. */
li_check *audit_check_new(li_audit *a, const char *id, const char *what, const char *rfc);
/* The verdict, with its reason (printf format; NULL: none). */
void audit_verdict(li_check *c, li_verdict v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void audit_evidence_n(li_check *c, const char *key, long long n);
void audit_evidence_s(li_check *c, const char *key, const char *text);
/* A failure to connect, bind or send as the check's verdict. */
void audit_check_error(li_check *c, const li_error *err);
/* Evidence of the operation's and the Cancel's answers: op_code,
 * cancel_code and, for a result after the Cancel, cancel_to_result_us. */
void audit_evidence_answers(li_check *c, const li_result *res);
/* The verdict on a search cancelled while it ran: pass for canceled (118),
 * the Cancel answered success (0) and nothing after the search's result. */
void audit_judge_canceled(li_check *c, const li_result *res, unsigned long long after_result);
/* Rows from..end skipped, all for one reason, and over (audit_over). */
void audit_skip_rest(audit_ctx *ctx, int from, const char *why);
/* 1 when the field's bytes are s, whatever the case. */
int audit_field_is(const li_field *f, const char *s);
/* A result code's RFC name, "unknown" for one it does not know. */
const char *audit_code_name(int code);

/* Clears the trigger the command line may have set: each check sets its own. */
void audit_reset_trigger(li_params *p);
/* One check's run with ctx->p as the check set it: 0 with *res filled
 * (the outcome decided) and *w what it saw, or -1 with err (connecting,
 * the bind or the operation failed). */
int audit_run(audit_ctx *ctx, audit_watch *w, li_result *res, li_error *err);
/* The root DSE (supportedExtension, namingContexts), read first: 0, or
 * -1 with err when the first connection failed. */
int audit_check_rootdse(audit_ctx *ctx, li_check *c, audit_watch *w, li_error *err);

#endif
