/*
 * libldapinterrupt: issue one LDAP operation, abandon or cancel it, and
 * decide from the bytes on the wire what really happened.
 *
 * The library is silent: it never prints, prompts or exits. It returns
 * codes, fills li_error, hands decoded messages to a callback and renders
 * reports into buffers the caller writes wherever it likes.
 *
 * Every type is opaque with a _new/_free pair; _free(NULL) is a no-op.
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

/* Exit statuses that are not LDAP result codes (see ldapcancel(1)). */
#define LI_EXIT_OK 0
#define LI_EXIT_USAGE 1
#define LI_EXIT_UNSUPPORTED 2
/* The classic C API numbers for "timeout" and "server down" (RFC 1823). */
#define LI_EXIT_NO_RESPONSE 85
#define LI_EXIT_CONNECTION_LOST 81
/* ... and for "bad parameter": --msgid named the interrupt itself. */
#define LI_EXIT_SELF_TARGET 89
#define LI_EXIT_SIGINT 130
#define LI_EXIT_SIGTERM 143
#define LI_EXIT_SIGPIPE 141
/* Writing the output failed (a full disk): sysexits' EX_IOERR, which no
 * LDAP result code or libldap code uses. */
#define LI_EXIT_WRITE_ERROR 74

typedef enum li_tool {
	LI_TOOL_ABANDON,
	LI_TOOL_CANCEL,
	LI_TOOL_TRACE,
} li_tool;

typedef enum li_interrupt {
	LI_INTERRUPT_NONE,
	LI_INTERRUPT_ABANDON,
	LI_INTERRUPT_CANCEL,
} li_interrupt;

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
	LI_OUTCOME_COMPLETED, /* ldaptrace without an interrupt: ran to its end */
	LI_OUTCOME_STOPPED,   /* ldaptrace without an interrupt: stopped by Ctrl-C */
	LI_OUTCOME_SELF_TARGET, /* --msgid N, and the interrupt was sent as message N */
} li_outcome;

/* A failure before the outcome could be decided, ready for one stderr line
 * "tool: what: text (code)" and optional "\tadditional info: ..." lines. */
typedef struct li_error {
	int code;        /* LDAP result code; 0 for a usage error (bad input) */
	int exit_status; /* what the tool should exit with */
	char what[160];  /* "ldap_sasl_bind(SIMPLE)", "--after" ... */
	char text[512];  /* "Invalid credentials", "'2x' is not a duration" */
	char matched[256];
	char info[512]; /* the server's diagnostic message */
	int reported;   /* libldap has already written the message to stderr */
} li_error;

/* Formats err as the lines a tool prints: "prog: what: text (code)", then
 * "\tadditional info: ..." lines. Nothing when err->reported. */
size_t li_error_format(const li_error *err, const char *prog, char *buf, size_t size);

/* ---- a growable text buffer for renderers ---- */
typedef struct li_buf li_buf;
li_buf *li_buf_new(void);
void li_buf_free(li_buf *b);
void li_buf_reset(li_buf *b);
const char *li_buf_data(const li_buf *b);
size_t li_buf_len(const li_buf *b);

/* ---- configuration: the command line ---- */
typedef struct li_config li_config;

li_config *li_config_new(li_tool tool);
void li_config_free(li_config *cfg);

/* The codes li_config_apply takes: an option's short letter ('H', 'x',
 * as OpenLDAP's tools have them), or for a long-only option one of these.
 * cmd/common/options.txt describes every option; the popt tables generated from
 * it return these codes (LI_OPT_ and the long name in capitals). */
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
};

/* Applies one option: val is its code, arg its argument (NULL for a flag).
 * Takes ownership of arg; wipes it when it is a secret. */
int li_config_apply(li_config *cfg, int val, char *arg, li_error *err);
/* Positional arguments (filter and attributes, or the operation's operands)
 * and cross-option checks. Call once, after every option. */
int li_config_finish(li_config *cfg, const char **args, li_error *err);

int li_config_wants_password(const li_config *cfg); /* -W given */
/* Sets the bind password (from a -W prompt); copies it. An empty one is
 * refused, as from -w and -y. */
int li_config_set_password(li_config *cfg, const char *pw, li_error *err);

/* The longest password taken (-w, -y, -W), without its line ending. */
#define LI_SECRET_MAX 4096
#define LI_STR_(x) #x
#define LI_STR(x) LI_STR_(x)
/* Reads the first line of fd (a -y file, a prompt's answer) without its
 * line ending, at most LI_SECRET_MAX bytes, into a buffer that is never
 * reallocated; what was read past the line is wiped. 0 with *line
 * (malloc'ed, wipe it before freeing) and *len; 1 at end of file before any
 * byte; -1 with *why (too long, or a NUL byte), or with *why NULL and errno
 * set when reading failed. */
int li_secret_read_line(int fd, char **line, size_t *len, const char **why);
int li_config_json(const li_config *cfg);
int li_config_quiet(const li_config *cfg);
int li_config_verbose(const li_config *cfg);
int li_config_dry_run(const li_config *cfg);
int li_config_hex(const li_config *cfg);
li_tool li_config_tool(const li_config *cfg);
/* One line per step the run would take, for -n. */
int li_config_describe(const li_config *cfg, li_buf *out);

/* SASL prompts (-Y mechanisms that ask for more than -U/-R/-X give). The
 * library never prompts; the caller may. Return 0 and fill *answer
 * (malloc'ed) or return -1 to refuse. */
typedef int (*li_prompt_fn)(void *arg, const char *prompt, int echo, char **answer);
void li_config_set_prompt(li_config *cfg, li_prompt_fn fn, void *arg);

/* ---- one decoded LDAP message as it crossed the wire ---- */
typedef struct li_event li_event;

typedef enum li_dir { LI_DIR_SEND, LI_DIR_RECV } li_dir;

li_dir li_event_dir(const li_event *ev);
int64_t li_event_msgid(const li_event *ev);    /* -1 when unknown */
const char *li_event_op(const li_event *ev);   /* "SearchResultEntry", "malformed", "closed" ... */
double li_event_ms(const li_event *ev);        /* since the connection opened */
size_t li_event_len(const li_event *ev);

typedef void (*li_event_fn)(void *arg, const li_event *ev);

/* ---- a run: connect, send, trigger, interrupt, listen, decide ---- */
typedef struct li_run li_run;

/* cfg must outlive the run. */
li_run *li_run_new(li_config *cfg);
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
void li_run_set_signals(li_run *run, const sigset_t *set);
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

/* Warnings (warning = 1, always worth showing) and, for -v, the steps of
 * the run as text lines: the library never prints them itself. */
typedef void (*li_log_fn)(void *arg, int warning, const char *line);
void li_run_set_log(li_run *run, li_log_fn fn, void *arg);

/* Connect, StartTLS, bind. 0 or an error ready to print. */
int li_run_connect(li_run *run, li_error *err);
/* Send the operation, wait for the trigger, interrupt, listen, decide.
 * 0 when an outcome was decided (see li_run_outcome), else an error. */
int li_run_execute(li_run *run, li_error *err);

/* Unbinds now (li_run_free does it otherwise), so that a trace shows the
 * UnbindRequest and the close before the outcome is printed. */
void li_run_close(li_run *run);

li_outcome li_run_outcome(const li_run *run);
int li_run_exit_status(const li_run *run);
/* 1 when the output was cut short (closed pipe): print nothing more. */
int li_run_output_stopped(const li_run *run);

const char *li_outcome_name(li_outcome o);
int li_outcome_exit_status(li_outcome o);

/* ---- renderers ---- */
#define LI_RENDER_VALUES 0x1u /* -v: attribute values in traces */
#define LI_RENDER_HEX 0x2u    /* --hex: the BER bytes under each message */

/* The outcome report: human text, or one JSON object (with a newline). */
int li_report_text(const li_run *run, li_buf *out);
int li_report_json(const li_run *run, li_buf *out);

/* One trace line (and hex dump) for an event; one JSON object per line. */
int li_trace_text(const li_run *run, const li_event *ev, unsigned flags, li_buf *out);
int li_trace_json(const li_run *run, const li_event *ev, unsigned flags, li_buf *out);
/* The closing summary of a trace: messages and bytes each way, timings. */
int li_trace_summary_text(const li_run *run, li_buf *out);

#ifdef __cplusplus
}
#endif
#endif
