/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libldapinterrupt: issue one LDAP operation, abandon or cancel it, and
 * decide from the bytes on the wire what really happened.
 *
 * The library is silent: it never prints, prompts or exits. It returns
 * codes, fills li_error, hands decoded messages to a callback and renders
 * reports into buffers the caller writes wherever it likes.
 *
 * Every type is opaque with a _new/_free pair; _free(NULL) is a no-op.
 * Two are plain values instead: li_error, and li_result, what a run found,
 * which the renderers turn into text or JSON.
 */
#ifndef LDAPINTERRUPT_H
#define LDAPINTERRUPT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LI_VERSION "1.0.0"

/* The largest message ID (RFC 4511 maxInt), and the longest duration any
 * setter takes (a week, in microseconds). */
#define LI_MSGID_MAX 2147483647LL
#define LI_DURATION_MAX_US (7LL * 24 * 3600 * 1000000)

typedef enum li_outcome {
	LI_OUTCOME_UNDECIDED,
	LI_OUTCOME_CANCELED,
	LI_OUTCOME_ABANDONED,
	LI_OUTCOME_TOO_LATE,
	LI_OUTCOME_NO_SUCH_OPERATION,
	LI_OUTCOME_CANNOT_CANCEL,
	LI_OUTCOME_UNSUPPORTED,
	LI_OUTCOME_NO_RESPONSE,
	LI_OUTCOME_CONNECTION_LOST,
	LI_OUTCOME_COMPLETED, /* no interrupt: the operation ran to its end */
	LI_OUTCOME_STOPPED,   /* no interrupt: stopped by SIGINT (li_run_signal) */
	LI_OUTCOME_SELF_TARGET, /* no operation, and the interrupt went out as the message it names */
	LI_OUTCOME_FAILED,      /* the operation ended on its own with an error (li_op_failed) */
} li_outcome;

/* Where a run failed: set by the library where the error is made. */
typedef enum li_stage {
	LI_STAGE_NONE,      /* not a run's failure: bad input (code 0) */
	LI_STAGE_CONNECT,   /* ldap_initialize, the connection itself */
	LI_STAGE_TLS,       /* StartTLS */
	LI_STAGE_BIND,      /* simple or SASL bind */
	LI_STAGE_OPERATION, /* sending the operation or the interrupt, or
			     * stopped (SIGTERM) before the outcome */
} li_stage;

/* "connect", "tls", "bind", "operation"; NULL for LI_STAGE_NONE. */
const char *li_stage_name(li_stage stage);

/* A failure before the outcome could be decided, ready for one stderr line
 * "tool: what: text (code)" and optional "\tadditional info: ..." lines. */
typedef struct li_error {
	int code;        /* LDAP result code; 0 for a usage error (bad input) */
	int signo;       /* the run stopped for SIGTERM (li_run_signal), or
			  * SIGPIPE when its output was stopped; else 0 */
	char what[160];  /* "ldap_sasl_bind(SIMPLE)", "URI" ... */
	char text[512];  /* "Invalid credentials", "'2x' is not a duration" */
	char matched[256];
	char info[512]; /* the server's diagnostic message */
	int reported;   /* libldap has already written the message to stderr */
	li_stage stage; /* where the run failed */
} li_error;

/* Formats err as the lines a tool prints: "prog: what: text (code)", then
 * "\tadditional info: ..." lines. Nothing when err->reported. */
size_t li_error_format(const li_error *err, const char *prog, char *buf, size_t size);
/* Fill err as the library does, for a caller that checks its own input:
 * a usage error (code 0, text from fmt), or an LDAP result code with
 * libldap's text and the server's info and matched DN (either may be
 * NULL). Both return -1. */
int li_usage_error(li_error *err, const char *what, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
int li_ldap_error(li_error *err, const char *what, int code, const char *info, const char *matched);
/* Sets err->stage; returns -1, so that "return li_error_at(err, ...)" fails. */
int li_error_at(li_error *err, li_stage stage);

/* ---- a growable text buffer for renderers ---- */
typedef struct li_buf li_buf;
li_buf *li_buf_new(void);
void li_buf_free(li_buf *b);
void li_buf_reset(li_buf *b);
const char *li_buf_data(const li_buf *b);
size_t li_buf_len(const li_buf *b);

/* ---- the parameters of a run ---- */
typedef struct li_params li_params;

li_params *li_params_new(void);
void li_params_free(li_params *p);

/* Every setter checks its value: 0, or -1 with err filled (err->code 0:
 * the value is wrong). A setter called again replaces what it set. */

/* The program's name: the JSON report's "tool", and the prefix of the
 * complaint libldap's LDIF parser writes to stderr itself. */
int li_params_set_name(li_params *p, const char *name, li_error *err);
/* One URI or a list ("ldap://a ldap://b", or with commas); NULL: ldap.conf's.
 * ldaps:// gives TLS from the start. */
int li_params_set_uri(li_params *p, const char *uris, li_error *err);

typedef enum li_tls {
	LI_TLS_NONE,
	LI_TLS_TRY,     /* StartTLS, going on without it when it fails */
	LI_TLS_REQUIRE, /* StartTLS or fail */
} li_tls;
int li_params_set_tls(li_params *p, li_tls mode, li_error *err);

/* No bind is the default. A simple bind: dn may be NULL (anonymous), the
 * password (len bytes, no NUL among them, not empty) is copied and the copy
 * wiped once sent; NULL: none. */
#define LI_SECRET_MAX 4096
int li_params_set_bind_simple(li_params *p, const char *dn, const char *password, size_t len, li_error *err);
/* SASL: every field may be NULL (ldap.conf's, or the mechanism's default). */
typedef struct li_sasl {
	const char *dn, *mech, *authcid, *authzid, *realm, *secprops;
	const char *password; /* for mechanisms that ask for one; copied */
	size_t password_len;
	int quiet;       /* never prompt (-Q) */
	int interactive; /* prompt for everything (-I) */
	int nocanon;     /* do not canonicalize the host name (-N) */
} li_sasl;
int li_params_set_bind_sasl(li_params *p, const li_sasl *sasl, li_error *err);
/* SASL prompts (mechanisms that ask for more than li_sasl gives). The
 * library never prompts; the caller may. Return 0 and fill *answer
 * (malloc'ed) or return -1 to refuse. An empty answer takes the value
 * already given for it (li_sasl's, else ldap.conf's), as ldapsearch does. */
typedef int (*li_prompt_fn)(void *arg, const char *prompt, int echo, char **answer);
void li_params_set_prompt(li_params *p, li_prompt_fn fn, void *arg);
/* The same, with what a prompt needs to show (ldapsearch's "Challenge:" and
 * "Default:" lines); replaces li_params_set_prompt's callback. */
typedef struct li_prompt {
	const char *text;      /* the mechanism's question, e.g. "Please enter your authentication name" */
	const char *challenge; /* the server's challenge to show first, or NULL */
	const char *dflt;      /* what an empty answer takes, or NULL; a secret when !echo: never show it */
	int echo;              /* 0: a secret (a password), read without echo */
	int first;             /* the first question of an interactive (li_sasl.interactive) round */
} li_prompt;
typedef int (*li_sasl_prompt_fn)(void *arg, const li_prompt *prompt, char **answer);
void li_params_set_sasl_prompt(li_params *p, li_sasl_prompt_fn fn, void *arg);

/* Seconds; -1: none; unset: ldap.conf's NETWORK_TIMEOUT, else 30. */
int li_params_set_network_timeout(li_params *p, long long seconds, li_error *err);
/* An option of ldap.conf(5) by name, as ldapsearch -o takes it
 * ("tls_reqcert", "tls_cacert", "network_timeout", "sasl_secprops", ...,
 * in any case, '-' for '_'), set on this run's connection only: an unknown
 * name or a bad value is refused. Options that the parameters set already
 * (uri, binddn, deref, ...) are refused, saying which. */
int li_params_set_ldap_option(li_params *p, const char *name, const char *value, li_error *err);
/* libldap's and liblber's debug level (-1: everything). */
int li_params_set_debug(li_params *p, int level, li_error *err);

/* ---- the operation (a search of everything under the default base, unless set) ---- */
typedef struct li_search {
	const char *base;         /* NULL: ldap.conf's BASE */
	int scope;                /* LDAP_SCOPE_BASE, _ONELEVEL, _SUBTREE, _CHILDREN */
	int deref;                /* LDAP_DEREF_NEVER ... _ALWAYS */
	int sizelimit, timelimit; /* 0: none */
	int attrsonly;
	const char *filter;       /* NULL: (objectClass=*) */
	const char *const *attrs; /* NULL-terminated; NULL: all user attributes */
} li_search;
int li_params_set_search(li_params *p, const li_search *s, li_error *err);
int li_params_set_compare(li_params *p, const char *dn, const char *attr, const void *value, size_t len,
			  li_error *err);
int li_params_set_delete(li_params *p, const char *dn, li_error *err);
int li_params_set_modrdn(li_params *p, const char *dn, const char *newrdn, const char *newsuperior,
			 li_error *err);
/* Add or modify: one LDIF record (RFC 2849) of that kind, parsed by
 * libldap's ldap_parse_ldif_record; name names it in messages. */
int li_params_set_add(li_params *p, const char *ldif, const char *name, li_error *err);
int li_params_set_modify(li_params *p, const char *ldif, const char *name, li_error *err);
/* value NULL: a request without a value. */
int li_params_set_exop(li_params *p, const char *oid, const void *value, size_t len, li_error *err);
/* No operation: the interrupt names this message ID (0 to 2^31-1). */
int li_params_set_no_operation(li_params *p, long long msgid, li_error *err);

/* ---- request controls (at most 16, each OID once) ---- */
/* value NULL: a control without a value. */
int li_params_add_control(li_params *p, const char *oid, int critical, const void *value, size_t len,
			  li_error *err);
/* One control as ldapsearch(1)'s -e (search_ext 0) or -E (search_ext 1)
 * takes it: [!]name[=value] or [!]oid[=:value|=::base64]; the named ones
 * (assert=<filter>, preread=<attrs>, sync=ro|rp[/<cookie>], ...) are
 * encoded with libldap's encoders once a session exists; -E's
 * pr=<size>[/noprompt] is read and handed to li_params_add_paged. */
int li_params_add_control_text(li_params *p, const char *spec, int search_ext, li_error *err);
/* Paged results (RFC 2696; ldapsearch's -E [!]pr=size): the search is
 * asked for in pages of at most size (1 to 2^31-1) entries, each page a
 * search request of its own with the cookie of the page before; the
 * trigger counts entries across pages, the interrupt names the page in
 * flight. At most once; li_params_add_control_text reads the text form. */
int li_params_add_paged(li_params *p, int size, int critical, li_error *err);

/* ---- the interrupt and its moment ---- */
typedef enum li_interrupt {
	LI_INTERRUPT_NONE,
	LI_INTERRUPT_ABANDON,
	LI_INTERRUPT_CANCEL,
} li_interrupt;
int li_params_set_interrupt(li_params *p, li_interrupt type, li_error *err);
/* Microseconds after the operation's request was written, at most a week;
 * LI_NEVER: only when li_run_signal says so. Default 0, or LI_NEVER when
 * only li_params_set_after_entries is given. */
#define LI_NEVER (-1)
int li_params_set_after(li_params *p, int64_t us, li_error *err);
/* After this many search entries and references (a search only). */
int li_params_set_after_entries(li_params *p, long long n, li_error *err);
/* How long to listen after the interrupt, in microseconds, at most a week;
 * -1: the interrupt's default (abandon 1s, cancel 30s). */
int li_params_set_wait(li_params *p, int64_t us, li_error *err);
/* 1: the operation's final result, arriving before the trigger, does not
 * end the run: it fires the interrupt at once (trigger LI_TRIGGER_RESULT),
 * so that a server's answer to an interrupt of a completed operation can
 * be seen; the run then listens as it would have (an abandon: --wait of
 * silence; a cancel: until its response or --wait), and the outcome is
 * too-late (or failed). 0, the default: the result ends the run. Needs an
 * interrupt and an operation (li_params_check). */
int li_params_set_interrupt_late(li_params *p, int late, li_error *err);
/* A hard bound on the whole run, in microseconds from li_run_connect (1 us
 * to a week; LI_NEVER, the default: none). Connecting, TLS and the bind
 * end by then (an error, LDAP_TIMEOUT); an interrupt not yet sent is sent
 * before it (trigger LI_TRIGGER_TIMEOUT: at nine tenths of it, or the wait
 * before it when the wait is shorter), and the listening ends at it, the
 * outcome decided from what has arrived. Without an interrupt the run
 * stops at it (LI_OUTCOME_NO_RESPONSE). While li_run_connect blocks in
 * libldap, a thread of the library's own shuts the socket down at the
 * deadline; no signal or timer of the program's is used. */
int li_params_set_timeout(li_params *p, int64_t us, li_error *err);
/* Checks what no single setter can (the interrupt's options without an
 * interrupt, the encoders' refusals): 0 or -1 with err. li_run_new expects
 * parameters that passed it. */
int li_params_check(li_params *p, li_error *err);
/* One line per step the run would take (durations with their unit), or
 * one JSON object (durations in microseconds), with a newline. */
int li_params_describe(const li_params *p, li_buf *out);
int li_params_describe_json(const li_params *p, li_buf *out);

/* ---- one decoded LDAP message as it crossed the wire ---- */
typedef struct li_event li_event;

typedef enum li_dir { LI_DIR_SEND, LI_DIR_RECV } li_dir;

/* What an event reports: one whole message; bytes that could not be
 * framed (a broken header, a stream that ended inside a message), after
 * which that direction's later bytes are only counted; or the connection's
 * end. */
typedef enum li_event_type { LI_EVENT_MESSAGE, LI_EVENT_MALFORMED, LI_EVENT_CLOSED } li_event_type;

/* An event, and everything reached from it, lives only for the callback
 * that receives it. */
li_event_type li_event_kind(const li_event *ev);
li_dir li_event_dir(const li_event *ev);
int64_t li_event_msgid(const li_event *ev);    /* -1 when unknown */
const char *li_event_op(const li_event *ev);   /* "SearchResultEntry", "malformed", "closed" ... */
double li_event_ms(const li_event *ev);        /* since the connection opened (li_wire_set_origin) */
int64_t li_event_time_ns(const li_event *ev);  /* the time given with its bytes */
size_t li_event_len(const li_event *ev);
/* The message's bytes as framed (NULL for a close); *len may be NULL. */
const unsigned char *li_event_bytes(const li_event *ev, size_t *len);
/* NULL for a well-formed message; else why it is malformed, or how the
 * connection ended. */
const char *li_event_error(const li_event *ev);
/* The LDAPResult's resultCode of a response, -1 when there is none. */
int li_event_result_code(const li_event *ev);

typedef void (*li_event_fn)(void *arg, const li_event *ev);

/* ---- the decoded fields of a message ----
 * A message decodes into a tree: the protocolOp's fields at the top
 * ("dn", "attrs", "filter", a result's "code" and "name", ...; ldaptrace
 * --json prints the same keys) and its "controls" as a list. Secrets (passwords, SASL credentials) hold only their length. */
typedef struct li_field li_field;

typedef enum li_field_type {
	LI_FIELD_OBJECT, /* named children */
	LI_FIELD_LIST,   /* unnamed children */
	LI_FIELD_STRING, /* bytes from the message */
	LI_FIELD_WORD,   /* a name from the protocol: scope=sub, an OID, an attribute */
	LI_FIELD_INT,
	LI_FIELD_BOOL,
	LI_FIELD_SECRET, /* a redacted value: li_field_int gives its length */
} li_field_type;

/* The root OBJECT of a message's fields, decoded on this first call; NULL
 * for LI_EVENT_MALFORMED and LI_EVENT_CLOSED, or when out of memory. A
 * message that decodes only in part gives the fields before the error. */
const li_field *li_event_fields(const li_event *ev);
/* The accessors take NULL (a field li_field_find did not find) and give
 * NULL or 0 for it, so that a lookup can be chained and checked once. */
const char *li_field_key(const li_field *f); /* NULL inside a LIST */
li_field_type li_field_kind(const li_field *f); /* LI_FIELD_OBJECT for NULL */
const li_field *li_field_first(const li_field *f); /* first child, or NULL */
const li_field *li_field_next(const li_field *f);  /* next sibling, or NULL */
/* The first child named key; NULL if none (or f is NULL, so that calls chain). */
const li_field *li_field_find(const li_field *f, const char *key);
/* INT, BOOL, and a SECRET's length; 0 for the other kinds. */
long long li_field_int(const li_field *f);
/* STRING and WORD: the bytes (not NUL-terminated), NULL for the other kinds. */
const unsigned char *li_field_bytes(const li_field *f, size_t *len);

/* ---- the wire: bytes in, one event per message out ----
 * Feed it the plaintext bytes of an LDAP connection (above TLS and SASL),
 * each direction in order, from wherever they come: libldap's socket (the
 * run does this), a relay, a capture. Chunks may split messages anywhere:
 * the events are the same for any chunking, except the bytes shown with a
 * header that does not frame (the rest of the chunk it came in). A dir
 * other than LI_DIR_SEND or LI_DIR_RECV is ignored. */
typedef struct li_wire li_wire;

/* fn receives every event; NULL when out of memory. */
li_wire *li_wire_new(li_event_fn fn, void *arg);
void li_wire_free(li_wire *w);
/* When the connection opened: li_event_ms counts from here (default 0). */
void li_wire_set_origin(li_wire *w, int64_t t_ns);
/* len bytes that crossed in direction dir at time t_ns (any clock; events
 * carry it). Events for the messages they complete are delivered before
 * this returns. */
void li_wire_feed(li_wire *w, li_dir dir, const unsigned char *bytes, size_t len, int64_t t_ns);
/* No more bytes will come in direction dir: a message begun but not
 * finished is reported as malformed ("truncated: ..."). */
void li_wire_end(li_wire *w, li_dir dir, int64_t t_ns);
/* The connection ended: one LI_EVENT_CLOSED event with why as its error;
 * dir says which side ended it. Call li_wire_end first for the
 * directions whose partial messages should be reported. */
void li_wire_close(li_wire *w, li_dir dir, const char *why, int64_t t_ns);
/* A message in direction dir has begun and not yet ended. */
int li_wire_partial(const li_wire *w, li_dir dir);
/* Every byte fed in direction dir, framed or not. */
uint64_t li_wire_bytes(const li_wire *w, li_dir dir);

/* ---- a replay: captured bytes fed to a wire ----
 * A capture is a sequence of records, each one read or write as it
 * happened: the direction (one byte, 0 send, 1 recv), the time in ns (8
 * bytes) and the length (4 bytes), both big-endian, then the bytes. */

/* Appends one record to capture; -1 when out of memory or len exceeds
 * 4 GiB - 1. */
int li_replay_add(li_buf *capture, li_dir dir, int64_t t_ns, const unsigned char *bytes, size_t len);
/* Feeds each record to w with li_wire_feed, in order; it neither ends the
 * streams nor closes (li_wire_end, li_wire_close: the caller knows whether
 * the capture is whole). 0, or -1 with *why (if why is not NULL) saying
 * which record is bad; the records before it were fed. */
int li_replay_feed(li_wire *w, const unsigned char *capture, size_t len, const char **why);

/* ---- a run: connect, send, trigger, interrupt, listen, decide ---- */
typedef struct li_run li_run;

/* p must outlive the run. */
li_run *li_run_new(li_params *p);
void li_run_free(li_run *run); /* unbinds if still connected */

/* Called for every message in both directions as it crosses the wire,
 * including the bind, and with ev == NULL when the run is about to wait
 * for the network (a good moment to flush). Do not call into the run from
 * the callback, except li_run_stop_output. */
void li_run_set_observer(li_run *run, li_event_fn fn, void *arg);

/* The signals whose handler calls li_run_signal. Leave them unblocked, with
 * SA_RESTART: the run looks at what li_run_signal recorded on every pass of
 * its loops, and blocks them only between that look and its ppoll, which
 * lets them in again, so that none can arrive unnoticed just before a sleep. */
void li_run_set_signals(li_run *run, const int *signos, size_t n);
/* Async-signal-safe: tell the run that SIGINT or SIGTERM arrived (and when). */
void li_run_signal(li_run *run, int signo);
/* The observer failed to write (a closed pipe): end the run quietly. */
void li_run_stop_output(li_run *run);
/* The observer's output is backed up (1: a slow reader) or flowing (0).
 * While it is backed up the run stops reading the network, waits for the
 * watched output descriptor to become writable and calls the observer with
 * ev == NULL to write more; a signal is still acted upon at once. */
void li_run_output_blocked(li_run *run, int blocked);
/* 1 when a signal has arrived that the run has not acted upon yet: an
 * observer waiting for its output should return and let the run act. */
int li_run_signal_pending(const li_run *run);
/* Watch this descriptor while waiting: when it reports an error or a hang-up
 * (the reader of a pipe went away), the output is stopped even if nothing
 * is being written, so that `ldaptrace ... | head` ends promptly. */
void li_run_watch_output(li_run *run, int fd);

/* Called for each response to the operation (entries, references,
 * intermediate responses, each page's result and the final one), before
 * and after the interrupt alike, as it crosses the wire: libldap drops
 * what arrives after an abandon, the run does not. Like the observer, it is
 * also called with ev == NULL when the run is about to wait; independent
 * of it. */
void li_run_set_entry_fn(li_run *run, li_event_fn fn, void *arg);

/* Warnings (warning = 1, always worth showing) and, for -v, the steps of
 * the run as text lines: the library never prints them itself. */
typedef void (*li_log_fn)(void *arg, int warning, const char *line);
void li_run_set_log(li_run *run, li_log_fn fn, void *arg);

/* What the run is waiting for, for a progress display. */
typedef enum li_phase {
	LI_PHASE_CONNECT,  /* the TCP connection (and ldaps:// TLS handshake) */
	LI_PHASE_STARTTLS, /* StartTLS (-Z) */
	LI_PHASE_BIND,     /* the bind's answer */
	LI_PHASE_TRIGGER,  /* the operation runs; the trigger has not fired */
	LI_PHASE_RESULT,   /* no interrupt: the operation's end */
	LI_PHASE_LISTEN,   /* the interrupt was sent: its answers (cancel) or silence (abandon) */
} li_phase;

typedef struct li_progress {
	li_phase phase;
	li_interrupt interrupt;
	int64_t phase_ns;        /* how long it has been in this phase */
	int64_t elapsed_ns;      /* since li_run_connect began */
	int64_t left_ns;         /* until li_params_set_timeout's deadline; -1: none */
	uint64_t entries[2];     /* entries and references before / after the interrupt */
	long long after_entries; /* the trigger's count; -1: none */
	int64_t after_us;        /* the trigger's delay; LI_NEVER: none */
} li_progress;

typedef void (*li_progress_fn)(void *arg, const li_progress *p);
/* Called about every 200 ms while the run waits. While li_run_connect blocks in libldap the calls
 * come from another thread of the library's (with every signal blocked),
 * so the hook must not race the program's own output; later ones come from
 * the thread that runs li_run_execute. Do not call into the run from it. */
void li_run_set_progress(li_run *run, li_progress_fn fn, void *arg);

/* Connect, StartTLS, bind. 0 or an error ready to print. */
int li_run_connect(li_run *run, li_error *err);
/* Send the operation, wait for the trigger, interrupt, listen, decide.
 * 0 when an outcome was decided (see li_run_outcome), else an error. */
int li_run_execute(li_run *run, li_error *err);

/* Unbinds now (li_run_free does it otherwise), so that a trace shows the
 * UnbindRequest and the close before the outcome is printed. */
void li_run_close(li_run *run);

li_outcome li_run_outcome(const li_run *run);
/* The result code of the operation's final response (0 before one). */
int li_run_result_code(const li_run *run);
/* 1 when the output was cut short (closed pipe): print nothing more. */
int li_run_output_stopped(const li_run *run);

const char *li_outcome_name(li_outcome o);

/* A search's scope and alias dereferencing by the names ldapsearch(1) takes:
 * "base", "one", "sub", "children" (also "onelevel", "subtree",
 * "subordinate"); "never", "search", "find", "always"; in any case. The
 * LDAP_SCOPE_ or LDAP_DEREF_ value, or -1 for an unknown name; and back
 * (NULL for a value without a name). */
int li_scope_code(const char *name);
int li_deref_code(const char *name);
const char *li_scope_name(int scope);
const char *li_deref_name(int deref);

/* ---- the texts the parameters take, for a command line that checks them
 * first (the setters check them again) ---- */
/* A decimal integer in [min, max]: no sign unless min < 0 ('+' or '-'),
 * no spaces, no trailing text. 0, or -1 with *why a static reason ("not a
 * number", "out of range", "must not be negative", "empty, expected a
 * number"). */
int li_parse_int(const char *s, long long min, long long max, long long *out, const char **why);
/* Leading spaces, then RFC 4648 base64: groups of four, '=' padding. */
int li_is_base64(const char *s);
/* "attr:value" (the value as given, as ldapcompare(1) takes it) or
 * "attr::base64" (decoded); what names the text in errors. On success
 * *attr and *value (NUL-terminated, *len bytes) are the caller's to free. */
int li_parse_attr_value(const char *what, const char *spec, char **attr, char **value, size_t *len,
			li_error *err);
/* Where the logical LDIF line (RFC 2849 folding) starting at p ends, its
 * line end included: the start of the next one. Adds the physical lines
 * it passes to *lineno. */
const char *li_ldif_line_end(const char *p, unsigned long *lineno);

/* ---- the result of a run, as a value ---- */

/* What fired the interrupt. */
typedef enum li_trigger {
	LI_TRIGGER_NONE,          /* nothing (yet), or no interrupt */
	LI_TRIGGER_AFTER,         /* --after's delay ran out */
	LI_TRIGGER_AFTER_ENTRIES, /* --after-entries' Nth entry or reference arrived */
	LI_TRIGGER_SIGNAL,        /* Ctrl-C */
	LI_TRIGGER_MSGID,         /* --msgid: no operation to wait for */
	LI_TRIGGER_TIMEOUT,       /* li_params_set_timeout's deadline was near */
	LI_TRIGGER_RESULT,        /* the operation's result arrived first (li_params_set_interrupt_late) */
} li_trigger;

/* "after", "after-entries", "signal", "msgid", "timeout", "result"; NULL
 * for LI_TRIGGER_NONE. */
const char *li_trigger_name(li_trigger t);

/* What the run noticed beyond the verdict. The numbers each one needs are
 * in its li_note_fact; li_note_text gives the words. */
typedef enum li_note {
	LI_NOTE_DONE_BEFORE_DUE,          /* the operation ended before the trigger */
	LI_NOTE_CANCEL_CODE_NOT_ALLOWED,  /* code: the Cancel's answer, not one RFC 3909 allows */
	LI_NOTE_CANCEL_CONTRADICTED,      /* code: the Cancel's answer, though the operation ended canceled */
	LI_NOTE_NO_CANCEL_RESPONSE,       /* flag: 1 when the connection closed first, 2 the deadline came (li_params_set_timeout), 0 --wait ran out */
	LI_NOTE_CANCEL_SUCCESS_YET_DONE,  /* code: the operation's result, after a Cancel answered success */
	LI_NOTE_TOO_LATE_BEFORE_RESULT,   /* tooLate arrived before the operation's result */
	LI_NOTE_CANCEL_ANSWERED_NO_END,   /* code: the Cancel's answer; the operation did not end */
	LI_NOTE_ABANDON_NOT_HONOURED,     /* ns: from the abandon to the operation's result */
	LI_NOTE_STILL_SENDING,            /* ns: from the abandon to the last message after it */
	LI_NOTE_ABANDON_NOT_SENT,         /* libldap did not send the AbandonRequest */
	LI_NOTE_SELF_TARGET,              /* msgid: the interrupt's own; flag: StartTLS was used */
	LI_NOTE_FOREIGN_MSGID,            /* msgid: names no operation of the connection */
	LI_NOTE_NOTICE_OF_DISCONNECTION,  /* code; its message is li_result.nod.diag */
	LI_NOTE_MALFORMED,                /* the server sent a malformed message: li_result.lost_why */
	LI_NOTE_STRAYS,                   /* count: responses with a message ID nobody asked for */
} li_note;

typedef struct li_note_fact {
	li_note note;
	int code;       /* an LDAP result code */
	int flag;
	int64_t msgid;
	int64_t ns;     /* a duration in nanoseconds */
	uint64_t count;
} li_note_fact;

/* A final response as it arrived. */
typedef struct li_reply {
	int seen;
	int code;       /* resultCode */
	int64_t t_ns;   /* when it arrived (CLOCK_MONOTONIC) */
	char diag[512]; /* diagnosticMessage, cut at the first NUL byte or the size */
	char matched[256];
} li_reply;

#define LI_RESULT_MAX_NOTES 6

/* Everything a report needs, with no pointer into the run but the three
 * strings (valid while the run lives). Times are CLOCK_MONOTONIC in
 * nanoseconds, 0 for "did not happen"; reports show them relative to
 * t_op_ns (or t_intr_ns when there was no operation). Counts are [0]
 * before and [1] after the interrupt was sent. */
typedef struct li_result {
	/* what was asked */
	const char *name;     /* li_params_set_name: the report's "tool" */
	int traced;           /* an observer saw every message: ldaptrace's summary goes in the report */
	li_interrupt interrupt;
	const char *uri;      /* the server that answered */
	int has_op;           /* 0: --msgid, no operation of ours */
	int search;           /* the operation is a search */
	const char *op_type;  /* "search", "add", ... */
	const char *op_text;  /* the operation in words, NULL without one */
	int64_t target;       /* the message ID the interrupt names */
	int64_t after_us;     /* --after (for LI_TRIGGER_AFTER) */
	long long after_entries;
	int64_t wait_us;      /* --wait */

	/* the operation and the interrupt */
	int64_t op_msgid;     /* -1: none */
	int64_t intr_msgid;   /* -1: not sent */
	int intr_sent;
	li_trigger trigger;
	uint64_t entries[2], refs[2], intermediates[2];
	li_reply op;          /* the operation's final response */
	int op_done_before_interrupt;
	li_reply intr;        /* the Cancel's response */

	/* timings */
	int64_t t_op_ns;      /* the request written */
	int64_t t_trigger_ns; /* the trigger fired */
	int64_t t_intr_ns;    /* the interrupt written */
	int64_t t_first_ns, t_last_ns; /* first and last response to the operation */
	int64_t t_last_late_ns;        /* last message for it after the interrupt */
	int64_t t_window_cut_ns;       /* Ctrl-C ended the listening */
	int still_sending;    /* abandon: messages kept coming until the cap (or the deadline) */

	/* the connection */
	int lost;
	int64_t t_lost_ns;
	char lost_why[256];
	int nod_seen;         /* a Notice of Disconnection arrived ... */
	li_reply nod;         /* ... with this */
	uint64_t malformed, strays;
	uint64_t messages[2], bytes[2]; /* [LI_DIR_SEND], [LI_DIR_RECV] */

	/* the verdict */
	li_outcome outcome;
	li_note_fact notes[LI_RESULT_MAX_NOTES];
	int nnotes;

	/* a paged search (li_params_add_paged); 0 for any other operation */
	int page_size;
	uint64_t pages;       /* page requests sent: op_msgid is the last one's */

	/* li_params_set_timeout */
	int64_t timeout_us;   /* 0: none */
	int timed_out;        /* the deadline fired the trigger, cut the listening or stopped the run */
	int64_t t_deadline_ns; /* the deadline (0: none) */
} li_result;

/* The run's result as it stands (complete once li_run_execute returned 0;
 * the message and byte counts grow until li_run_close). Valid until the
 * next call into the run. */
const li_result *li_run_result(li_run *run);

/* ---- renderers ---- */
/* The "format" key of every JSON object the renderers write: it changes
 * when a key changes meaning or goes away (docs/schema/ describes each
 * kind of object). */
#define LI_JSON_FORMAT 1

#define LI_RENDER_VALUES 0x1u /* -v: attribute values in traces */
#define LI_RENDER_HEX 0x2u    /* --hex: the BER bytes under each message */

/* One note in words (a sentence without a final period), appended to out. */
int li_note_text(const li_result *res, const li_note_fact *n, li_buf *out);

/* The outcome report: human text, or one JSON object (with a newline). */
int li_report_text(const li_result *res, li_buf *out);
/* exit_status: what the caller exits with, the report's "exit". */
int li_report_json(const li_result *res, int exit_status, li_buf *out);
/* A run that failed before its outcome (li_run_connect or li_run_execute
 * returned an error with a stage), as one JSON object with "outcome":
 * "error": the tool and URI from res (NULL: unknown), what failed from
 * err, exit_status as "exit". */
int li_error_json(const li_result *res, const li_error *err, int exit_status, li_buf *out);

/* One trace line (and hex dump) for an event; one JSON object per line.
 * Times are the event's own, since its connection opened. */
int li_trace_text(const li_event *ev, unsigned flags, li_buf *out);
int li_trace_json(const li_event *ev, unsigned flags, li_buf *out);
/* The closing summary of a trace: messages and bytes each way, timings. */
int li_trace_summary_text(const li_result *res, li_buf *out);

/* ---- the relay: clients' sessions traced on their way to a server ----
 * It listens on ldap:// or ldaps://, opens one connection to the server
 * per client with the parameters' connection settings (URI, -Z, TLS
 * options; never a bind: the client's pass through) and relays every
 * message both ways unchanged, handing each one, decoded by a wire of the
 * session's own, to the observer. Each session runs in a thread of its
 * own: the callbacks are called from those threads, concurrently for
 * different sessions, in order for one. */
typedef struct li_relay li_relay;
typedef struct li_session li_session;

/* p (the server's URI and connection settings, and the interrupt, its
 * triggers and --wait) must outlive the relay and have passed
 * li_params_check. NULL when out of memory. */
li_relay *li_relay_new(li_params *p);
void li_relay_free(li_relay *r);
/* Where to listen: ldap://HOST:PORT or ldaps://HOST:PORT (PORT 0: the
 * kernel picks one). A host name must resolve to loopback addresses only;
 * any other address must be spelled out as a numeric IP. */
int li_relay_set_listen(li_relay *r, const char *uri, li_error *err);
/* The certificate (chain) and key the relay shows its clients, PEM files:
 * needed by ldaps://, and to answer a client's StartTLS. */
int li_relay_set_certificate(li_relay *r, const char *cert, const char *key, li_error *err);
/* How long open sessions may go on after li_relay_stop, in microseconds
 * (at most a week); default: the parameters' --wait when they have an
 * interrupt, else 1 s. */
int li_relay_set_wait(li_relay *r, int64_t us, li_error *err);
/* Stop after n sessions have ended (1 to 2^31-1); default: no limit. */
int li_relay_set_sessions(li_relay *r, long long n, li_error *err);

/* Every message of every session (ev == NULL: the session is about to
 * wait for the network, a good moment to write what was rendered). */
typedef void (*li_session_event_fn)(void *arg, const li_session *s, const li_event *ev);
void li_relay_set_observer(li_relay *r, li_session_event_fn fn, void *arg);
/* With an interrupt (li_params_set_interrupt): which client requests the
 * relay interrupts, by the names --op takes: search (the default),
 * compare, delete, modrdn, add, modify, exop. */
int li_relay_set_op(li_relay *r, const char *type, li_error *err);
/* The outcome of each client operation the relay interrupted (or whose
 * trigger it was waiting for), once decided: a run's result, with the
 * client's message ID as the operation's and the relay's own as the
 * interrupt's. Called from the session's thread; res lives for the call. */
typedef void (*li_session_result_fn)(void *arg, const li_session *s, const li_result *res);
void li_relay_set_outcome(li_relay *r, li_session_result_fn fn, void *arg);
/* A session has ended (called from the thread of li_relay_serve, once the
 * session's own thread is done): its summary. */
typedef void (*li_session_fn)(void *arg, const li_session *s);
void li_relay_set_session_end(li_relay *r, li_session_fn fn, void *arg);

/* Binds and listens: 0, or -1 with err (the address in use, refused ...). */
int li_relay_open(li_relay *r, li_error *err);
/* Where it listens, with the port the kernel picked: "ldap://127.0.0.1:41234". */
const char *li_relay_address(const li_relay *r);
/* The server it relays to: -H's URI (li_params_set_uri), else ldap.conf's. */
const char *li_relay_upstream(const li_relay *r);
/* Accepts and relays until li_relay_set_sessions' count of sessions has
 * ended, or li_relay_stop: then it stops listening, lets the open sessions
 * go on for li_relay_set_wait's time (a second li_relay_stop cuts it
 * short) and closes them. 0, or -1 with err. */
int li_relay_serve(li_relay *r, li_error *err);
/* Async-signal-safe: stop (SIGINT, SIGTERM: a signal handler may call it). */
void li_relay_stop(li_relay *r, int signo);
/* The signal li_relay_stop was given first; 0 when never stopped. */
int li_relay_signal(const li_relay *r);

/* How a session ended. */
typedef enum li_session_end {
	LI_SESSION_OPEN,          /* not yet */
	LI_SESSION_CLIENT_CLOSED, /* the client closed its connection */
	LI_SESSION_SERVER_CLOSED, /* the server closed its connection */
	LI_SESSION_STOPPED,       /* the relay was stopped and --wait ran out */
	LI_SESSION_FAILED,        /* li_session_error says why */
} li_session_end;

/* Sessions are numbered from 1 in the order they were accepted. */
uint64_t li_session_number(const li_session *s);
/* The client's address and port: "127.0.0.1:51234", "[::1]:51234". */
const char *li_session_client(const li_session *s);
li_session_end li_session_ended(const li_session *s);
/* Why a session failed (LI_SESSION_FAILED): the upstream connection
 * (err->stage connect or tls), bytes that are not LDAP, a TLS handshake;
 * NULL otherwise. */
const li_error *li_session_error(const li_session *s);
/* Messages, bytes and entries each way so far, as a run's result counts
 * them (li_trace_summary_text renders them). */
const li_result *li_session_result(const li_session *s);

/* How many of the session's operations had outcome o. */
uint64_t li_session_outcomes(const li_session *s, li_outcome o);

/* The relay's totals, for its last line. */
typedef struct li_relay_totals {
	uint64_t sessions, failed;
	uint64_t messages[2], bytes[2]; /* [LI_DIR_SEND] from the clients, [LI_DIR_RECV] to them */
} li_relay_totals;
void li_relay_get_totals(const li_relay *r, li_relay_totals *t);

/* A session's trace line as li_trace_text's, each line after the
 * prefix "[N ADDRESS] "; as li_trace_json's with "session" and "client". */
int li_trace_session_text(const li_session *s, const li_event *ev, unsigned flags, li_buf *out);
int li_trace_session_json(const li_session *s, const li_event *ev, unsigned flags, li_buf *out);
/* A session's summary line (li_trace_summary_text's, prefixed), or one
 * JSON object (its counts and how it ended). */
int li_session_summary_text(const li_session *s, li_buf *out);
int li_session_summary_json(const li_session *s, li_buf *out);
/* An interrupted operation's report (li_report_text's, each line
 * prefixed), or its JSON object (li_report_json's, with session and client). */
int li_session_report_text(const li_session *s, const li_result *res, li_buf *out);
int li_session_report_json(const li_session *s, const li_result *res, int exit_status, li_buf *out);
/* "N sessions, M messages from the clients (B bytes), K to them (B bytes)". */
int li_relay_summary_text(const li_relay_totals *t, li_buf *out);

/* ---- LDIF: the operation's entries as ldapsearch(1) -L, -LL, -LLL writes them ---- */
typedef struct li_ldif li_ldif;

/* No folding of long lines (ldapsearch's -o ldif_wrap=no). */
#define LI_LDIF_NO_WRAP ((size_t)-1)

/* level: 1 (-L: "version: 1" and comments), 2 (-LL: "version: 1", no
 * comments), 3 (-LLL: neither); wrap: fold lines at this width, as
 * ldapsearch's -o ldif_wrap (0: libldap's default, 78; never 1);
 * attrsonly: the search asked for types only (-A). NULL for a bad level
 * or width, or when out of memory. */
li_ldif *li_ldif_new(int level, size_t wrap, int attrsonly);
void li_ldif_free(li_ldif *l);

/* The search as -L's opening comments show it; base_is_default: the base
 * came from ldap.conf. */
typedef struct li_ldif_search {
	const char *base;
	int base_is_default;
	int scope;
	const char *filter;       /* as typed; NULL: none given */
	const char *const *attrs; /* NULL: all */
} li_ldif_search;
/* What comes before the first entry: "version: 1" (levels 1 and 2) and,
 * at level 1, the comments that describe the search; li_ldif_event writes
 * it again after each page of a paged search that another follows, as
 * ldapsearch, which asks for each page as a new search. */
int li_ldif_begin(li_ldif *l, const li_ldif_search *s, li_buf *out);
/* A SearchResultEntry, SearchResultReference or IntermediateResponse
 * received (see li_run_set_entry_fn), appended to out with the blank line
 * that separates it from the response before, and a page's
 * SearchResultDone as ldapsearch writes it ("# pagedresults: cookie=...");
 * other events append nothing. userPassword-like values are never written: each becomes the
 * comment "# attr: <redacted N bytes>". 0, or -1 (nothing appended) for a
 * message that does not decode, or when out of memory. */
int li_ldif_event(li_ldif *l, const li_event *ev, li_buf *out);
/* The end: the blank line after the last response and, at level 1, the
 * comments "# search result" (when the operation's result arrived) and
 * "# numResponses: N" with the counts. */
int li_ldif_end(li_ldif *l, int result_seen, li_buf *out);


/* ---- ldapcancel --audit and ldapabandon --audit: a fixed checklist of
 * RFC 3909 or of RFC 4511 section 4.11 against a server ---- */
typedef enum li_verdict {
	LI_VERDICT_PASS,
	LI_VERDICT_FAIL,
	LI_VERDICT_WARN,
	LI_VERDICT_SKIP, /* not run: li_check.reason says why */
	LI_VERDICT_INFO, /* a fact, neither right nor wrong */
	LI_VERDICT_COUNT
} li_verdict;

/* "pass", "fail", "warn", "skip", "info". */
const char *li_verdict_name(li_verdict v);

#define LI_CHECK_MAX_EVIDENCE 8
/* One number or text a check measured, under a key of its own. */
typedef struct li_evidence {
	const char *key;
	int is_text;
	long long n;
	char text[256];
} li_evidence;

typedef struct li_check {
	const char *id;   /* "rootdse", "running-search", ... */
	const char *what; /* what was checked, in words */
	const char *rfc;  /* the clause: "RFC 3909 section 2" */
	li_verdict verdict;
	char reason[256]; /* a skip's reason, a failure's or a warning's; "" otherwise */
	li_evidence evidence[LI_CHECK_MAX_EVIDENCE];
	int nevidence;
	int stopped;      /* skip: the audit was stopped (li_audit_hooks.stop) before this check was over */
} li_check;

#define LI_AUDIT_MAX_CHECKS 16
typedef struct li_audit {
	char name[64];     /* li_params_set_name */
	char uri[256];     /* the server that answered */
	int unsupported;   /* the server does not implement Cancel: the other checks are skipped */
	li_check checks[LI_AUDIT_MAX_CHECKS];
	int nchecks;
	int count[LI_VERDICT_COUNT]; /* checks per verdict */
	li_interrupt interrupt; /* whose checklist: LI_INTERRUPT_CANCEL or LI_INTERRUPT_ABANDON */
	int stopped;       /* the caller's nonzero *li_audit_hooks.stop: the audit was stopped; else 0 */
} li_audit;

/* Runs the checks, each on a fresh connection made with p's connection
 * and bind settings; p's operation, interrupt and trigger are replaced
 * (its search base, if set, names the subtree to search). 0 when the
 * checks ran (whatever they found); -1 with err when the first connection
 * or bind failed, as li_run_connect. */
int li_audit_cancel(li_params *p, li_audit *out, li_error *err);
/* The entry the audit's write checks may modify (a DN; NULL: none, and
 * those checks are skipped). */
int li_params_set_audit_base(li_params *p, const char *dn, li_error *err);
/* ldapabandon --audit: the checks of RFC 4511 section 4.11, as
 * li_audit_cancel runs its own (a wait of 0 set on p is refused: each
 * check listens after its Abandon). */
int li_audit_abandon(li_params *p, li_audit *out, li_error *err);

/* What the caller of li_audit_cancel or li_audit_abandon sees of the
 * checks while they run, and how it stops them. Every callback is called
 * from the thread that called the audit; any may be NULL. */
typedef struct li_audit_hooks {
	/* Each check's run, before it connects, then NULL once it is over (or
	 * the run it ran inside: a check may run a change of its own while its
	 * search waits). Until then the caller may li_run_set_signals it, and
	 * stop it, from a signal handler too, with li_run_signal(run, SIGTERM):
	 * the run sends nothing more (no interrupt) and ends. Never SIGINT: a
	 * check's run may take that as its trigger, and an interrupt at the
	 * wrong moment can harm a server (a Cancel during a refreshAndPersist
	 * search's refresh). */
	void (*run)(void *arg, li_run *run);
	/* Each check as it begins: a->checks[index], one of a->nchecks. */
	void (*check)(void *arg, const li_audit *a, int index);
	/* Each check's run's progress and log lines (li_run_set_progress,
	 * li_run_set_log: the audit sets them on each run; do not). */
	li_progress_fn progress;
	li_log_fn log;
	void *arg;
	/* Once *stop is nonzero (a signal handler may set it) the audit stops:
	 * no check begins and no run starts but the one that puts back an entry
	 * a write check changed; the check under way and every check not over
	 * become skip with li_check.stopped set, li_audit.stopped is *stop, and
	 * the audit returns 0. Setting it does not stop the run under way: stop
	 * that one as above. NULL: never stopped. */
	volatile sig_atomic_t *stop;
} li_audit_hooks;

/* The hooks of the audits run with p (NULL: none); the caller keeps *h
 * alive until they return. */
void li_params_set_audit_hooks(li_params *p, const li_audit_hooks *h);
/* One row per check and a summary line, or one JSON object (with a
 * newline) whose "exit" is exit_status. */
int li_audit_text(const li_audit *a, li_buf *out);
int li_audit_json(const li_audit *a, int exit_status, li_buf *out);

/* ---- --count N: the values of one measure over many runs ---- */
typedef struct li_series {
	double *v;
	size_t n, cap;
} li_series; /* zeroed: empty */

/* Appends a value: 0, or -1 when out of memory. */
int li_series_add(li_series *s, double v);
/* Sorts the values in increasing order, before the percentiles. */
void li_series_sort(li_series *s);
/* Nearest rank over the sorted values: the smallest value with at least
 * p percent of the values at or below it, the ceil(p * n / 100)th (p 100:
 * the maximum); 0 when there is none. */
double li_series_percentile(const li_series *s, int p);
void li_series_free(li_series *s);

/* ---- --audit --count N: the checklist N times, added up per check ---- */
/* A check's timing evidence (a key ending in "_us": microseconds) over the runs. */
typedef struct li_time_series {
	const char *key;
	li_series values;
} li_time_series;

typedef struct li_check_tally {
	const char *id, *what, *rfc;
	long count[LI_VERDICT_COUNT]; /* runs per verdict */
	li_time_series times[LI_CHECK_MAX_EVIDENCE];
	int ntimes;
} li_check_tally;

typedef struct li_audit_tally {
	char name[64];
	char uri[256];          /* the server of the last checklist that ran */
	long count;             /* N */
	long runs;              /* the checklists begun: fewer than count when stopped */
	long errors;            /* ... whose first connection or bind failed */
	int stopped;            /* a signal stopped them before count */
	li_check_tally checks[LI_AUDIT_MAX_CHECKS]; /* in the order first run */
	int nchecks;
} li_audit_tally; /* zeroed, then count set: empty */

/* Adds one checklist's rows (a->... as li_audit_cancel filled it): 0, or
 * -1 when out of memory. The caller counts runs and errors. */
int li_audit_tally_add(li_audit_tally *t, const li_audit *a);
/* Sorts every time series, before rendering. */
void li_audit_tally_sort(li_audit_tally *t);
void li_audit_tally_free(li_audit_tally *t);
/* One block: the server, the runs, per check its verdict counts and the
 * percentiles of its times; or one JSON object (docs/schema/audit-stats.json,
 * with a newline) whose "exit" is exit_status. */
int li_audit_tally_text(const li_audit_tally *t, int exit_status, li_buf *out);
int li_audit_tally_json(const li_audit_tally *t, int exit_status, li_buf *out);

#ifdef __cplusplus
}
#endif
#endif
