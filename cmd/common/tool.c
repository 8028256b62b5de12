/* SPDX-License-Identifier: BSD-2-Clause */
#include "tool.h"

#include "argv.h"
#include "count.h"
#include "each.h"
#include "exit.h"
#include "prompt.h"
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <ldap.h>

static li_run *signal_run;
static volatile sig_atomic_t got_sigterm, got_signal;
/* --audit: the first signal, by number; a signal stops signal_run. */
static volatile sig_atomic_t stop_signo;
static int signals_stop;

static void on_signal(int signo)
{
	/* --audit: a check's connection or bind may not end before its
	 * timeout; a second signal is the way out, as during a run's. */
	if (signals_stop && stop_signo) {
		signal(signo, SIG_DFL);
		raise(signo);
		return;
	}
	if (signo == SIGTERM)
		got_sigterm = 1;
	got_signal = 1;
	if (!stop_signo)
		stop_signo = signo;
	if (signal_run)
		li_run_signal(signal_run, signals_stop ? SIGTERM : signo);
}

static void print_error(const char *prog, const li_error *err)
{
	char line[2048];

	li_error_format(err, prog, line, sizeof(line));
	fputs(line, stderr);
}

static void print_version(const char *prog)
{
	LDAPAPIInfo api = { .ldapai_info_version = LDAP_API_INFO_VERSION };

	printf("%s (ldap-interrupt) %s\n", prog, LI_VERSION);
	if (ldap_get_option(NULL, LDAP_OPT_API_INFO, &api) == LDAP_OPT_SUCCESS) {
		printf("built on libldap %s %d.%d.%d\n", api.ldapai_vendor_name, api.ldapai_vendor_version / 10000,
		       api.ldapai_vendor_version / 100 % 100, api.ldapai_vendor_version % 100);
		ldap_memfree(api.ldapai_vendor_name);
		ber_memvfree((void **)api.ldapai_extensions);
	}
}

static void on_log(void *arg, int warning, const char *line)
{
	const tool_ctx *ctx = arg;
	size_t n = strlen(line);
	char out[1280];

	if (!warning && !ctx->cl->verbose)
		return;
	snprintf(out, sizeof(out), "%s: %s%s", ctx->spec->name, line, n && line[n - 1] == '\n' ? "" : "\n");
	status_line(ctx->status, out);
}

/* A closed pipe ends the output quietly; any other failure (a full disk)
 * is an error the user must hear about. */
static void write_failed(tool_ctx *ctx, int e)
{
	if (e != EPIPE && ctx->write_errno == 0)
		ctx->write_errno = e;
	ctx->out_len = ctx->out_off = 0;
	li_run_stop_output(ctx->run);
}

/* Writes queued output while stdout takes it without blocking: after POLLOUT
 * a pipe accepts PIPE_BUF bytes. stdout stays blocking (its file description
 * is shared with other processes). Unless all, a short tail waits for more.
 * 1 when something is left that the reader has not taken. */
static int write_ready(tool_ctx *ctx, int all)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = POLLOUT };

	while (ctx->out_len - ctx->out_off >= (all ? 1 : PIPE_BUF)) {
		size_t n = ctx->out_len - ctx->out_off;
		ssize_t w;

		/* A poll that a signal cut short (EINTR) says nothing: a write
		 * to a full pipe would block, restarted by SA_RESTART, for good. */
		if (poll(&p, 1, 0) <= 0)
			return 1;
		if (p.revents & POLLNVAL) {
			write_failed(ctx, EBADF);
			return 0;
		}
		status_erase(ctx->status); /* stdout may be the same terminal */
		w = write(STDOUT_FILENO, ctx->out + ctx->out_off, n > PIPE_BUF ? PIPE_BUF : n);
		if (w < 0 && errno != EINTR && errno != EAGAIN) {
			write_failed(ctx, errno);
			return 0;
		}
		if (w > 0)
			ctx->out_off += (size_t)w;
	}
	if (ctx->out_off == ctx->out_len)
		ctx->out_off = ctx->out_len = 0;
	return ctx->out_len > 0;
}

/* How much output a stalled reader may leave queued before the run stops
 * reading the network for it. */
#define OUT_BACKLOG (256 * 1024)

static void hold_back(tool_ctx *ctx)
{
	li_run_output_blocked(ctx->run, ctx->out_len - ctx->out_off >= OUT_BACKLOG);
}

void tool_write_some(tool_ctx *ctx)
{
	if (li_run_output_stopped(ctx->run))
		return;
	write_ready(ctx, 1);
	hold_back(ctx);
}

static int queue(tool_ctx *ctx, const char *p, size_t n)
{
	size_t need = ctx->out_len + n;

	if (n == 0) /* -LLL writes nothing first: no buffer yet */
		return 0;

	if (ctx->out_off > 0 && need > ctx->out_cap) {
		memmove(ctx->out, ctx->out + ctx->out_off, ctx->out_len - ctx->out_off);
		ctx->out_len -= ctx->out_off;
		ctx->out_off = 0;
		need = ctx->out_len + n;
	}
	if (need > ctx->out_cap) {
		size_t cap = ctx->out_cap ? ctx->out_cap : 8192;
		char *q;

		while (cap < need)
			cap *= 2;
		q = realloc(ctx->out, cap);
		if (q == NULL)
			return -1;
		ctx->out = q;
		ctx->out_cap = cap;
	}
	memcpy(ctx->out + ctx->out_len, p, n);
	ctx->out_len += n;
	return 0;
}

void tool_write(tool_ctx *ctx, const li_buf *buf)
{
	if (li_run_output_stopped(ctx->run))
		return;
	if (queue(ctx, li_buf_data(buf), li_buf_len(buf)) < 0) {
		write_failed(ctx, ENOMEM);
		return;
	}
	write_ready(ctx, 0);
	hold_back(ctx);
}

void tool_write_report(tool_ctx *ctx, const li_buf *buf)
{
	if (!ctx->cl->ldif) {
		tool_write(ctx, buf);
		return;
	}
	/* stderr is unbuffered: this is the write itself. */
	fwrite(li_buf_data(buf), 1, li_buf_len(buf), stderr);
}

/* -L: each response to the search as LDIF, through the output queue. */
static void on_entry(void *arg, const li_event *ev)
{
	tool_ctx *ctx = arg;

	if (ev == NULL) {
		tool_write_some(ctx);
		return;
	}
	li_buf_reset(ctx->ldif);
	if (li_ldif_event(ctx->cl->ldif_out, ev, ctx->ldif) == 0)
		tool_write(ctx, ctx->ldif);
}

/* -L: what comes before the first entry, once connected (as ldapsearch,
 * nothing on standard output when the connection or the bind fails). */
static void ldif_begin(tool_ctx *ctx)
{
	if (ctx->cl->ldif)
		tool_write(ctx, ctx->cl->ldif_head);
}

static void ldif_end(tool_ctx *ctx)
{
	if (!ctx->cl->ldif)
		return;
	li_buf_reset(ctx->ldif);
	li_ldif_end(ctx->cl->ldif_out, li_run_result(ctx->run)->op.seen, ctx->ldif);
	tool_write(ctx, ctx->ldif);
}

/* Waits until stdout takes everything, unless a signal comes first (a
 * reader that never reads must not hold Ctrl-C or SIGTERM back). 0 when
 * all is written or the output failed; the signal otherwise. */
static int write_all(tool_ctx *ctx)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = POLLOUT };
	sigset_t sigs, old;
	int pending = 0;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	while (!li_run_output_stopped(ctx->run) && write_ready(ctx, 1)) {
		sigprocmask(SIG_BLOCK, &sigs, &old);
		pending = li_run_signal_pending(ctx->run);
		if (!pending)
			ppoll(&p, 1, NULL, &old);
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (pending)
			return got_sigterm ? SIGTERM : SIGINT;
	}
	return 0;
}

/* 0 to go on; otherwise the exit status (already reported). */
static int parse(const tool_spec *spec, cmdline *cl, int argc, char **argv)
{
	const struct poptOption *table = tool_options(spec->name);
	poptContext pc;
	li_error err;
	int c, status = 0;

	if (table == NULL) {
		fprintf(stderr, "%s: internal: cmd/common/options.txt does not list this tool\n", spec->name);
		return EXIT_USAGE;
	}
	if (argv_check(table, argc, argv, spec->name) < 0) {
		argv_hide_passwords(table, argc, argv);
		return EXIT_USAGE;
	}
	pc = poptGetContext(spec->name, argc, (const char **)argv, table, 0);
	poptSetOtherOptionHelp(pc, "[options] [filter [attributes...]] | --op TYPE OPERANDS | --msgid N");
	while ((c = poptGetNextOpt(pc)) > 0) {
		char *arg = poptGetOptArg(pc);

		if (c == 'V') {
			free(arg);
			print_version(spec->name);
			status = -1;
			break;
		}
		if (cmdline_apply(cl, c, arg, &err) < 0) {
			print_error(spec->name, &err);
			status = exit_for_error(&err);
			break;
		}
	}
	if (status == 0 && c < -1) {
		fprintf(stderr, "%s: %s: %s\n", spec->name, poptBadOption(pc, POPT_BADOPTION_NOALIAS),
			poptStrerror(c));
		fprintf(stderr, "Try '%s --help' for more information.\n", spec->name);
		status = EXIT_USAGE;
	}
	argv_hide_passwords(table, argc, argv);
	if (status == 0 && cmdline_finish(cl, poptGetArgs(pc), &err) < 0) {
		print_error(spec->name, &err);
		status = exit_for_error(&err);
	}
	if (status == 0 && spec->trace && cl->count) {
		fprintf(stderr, "%s: --count: a trace follows one run; run ldapcancel or ldapabandon --count "
			"for statistics\n", spec->name);
		status = EXIT_USAGE;
	}
	poptFreeContext(pc);
	return status; /* -1: done (--version), exit 0 */
}

static int ask_password(const tool_spec *spec, cmdline *cl)
{
	li_error err;
	const char *why;
	char *pw = NULL;
	int rc;

	if (prompt_read_tty("Enter LDAP Password: ", 0, &pw, &why) < 0) {
		if (why)
			fprintf(stderr, "%s: -W: the password typed %s\n", spec->name, why);
		else
			fprintf(stderr, "%s: -W: cannot read a password from the terminal\n", spec->name);
		return EXIT_USAGE;
	}
	rc = cmdline_set_password(cl, pw, &err);
	explicit_bzero(pw, strlen(pw));
	free(pw);
	if (rc < 0) {
		print_error(spec->name, &err);
		return exit_for_error(&err);
	}
	return 0;
}

void tool_catch_signals_with(void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	/* One handler at a time: the other signal waits for this one. */
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	/* Unblocked, so that the run sees them on every pass of its loops;
	 * SA_RESTART (and LDAP_OPT_RESTART) keep EINTR away from libldap, for
	 * which an interrupted poll would be a lost connection. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void tool_catch_signals(void)
{
	tool_catch_signals_with(on_signal);
}

static void catch_signals(li_run *run)
{
	static const int sigs[] = { SIGINT, SIGTERM };

	signal_run = run;
	li_run_set_signals(run, sigs, sizeof(sigs) / sizeof(sigs[0]));
	tool_catch_signals();
}

volatile sig_atomic_t *tool_stop_on_signal(void)
{
	signals_stop = 1;
	tool_catch_signals();
	return &stop_signo;
}

void tool_signal_run(li_run *run)
{
	if (run)
		catch_signals(run);
	else
		signal_run = NULL;
}

/* The outcome is decided but stdout is not being read: a signal gives up. */
static int output_abandoned(const tool_ctx *ctx, int signo)
{
	fprintf(stderr, "%s: stopped: %s while standard output was not being read\n", ctx->spec->name,
		signo == SIGTERM ? "terminated by SIGTERM" : "interrupted");
	return signo == SIGTERM ? EXIT_SIGTERM : EXIT_SIGINT;
}

static int write_error(const tool_ctx *ctx)
{
	fprintf(stderr, "%s: write error: %s\n", ctx->spec->name, strerror(ctx->write_errno));
	return EXIT_WRITE_ERROR;
}

static int exit_for_run(const tool_ctx *ctx)
{
	if (ctx->cl->ldif)
		return exit_for_ldif(li_run_result(ctx->run));
	return exit_for_outcome(li_run_outcome(ctx->run), li_run_result_code(ctx->run));
}

/* The operation's error, as OpenLDAP's tools print one, whatever -q or
 * --json say: stdout has the report, stderr why the exit status is not 0. */
static void print_failure(const tool_ctx *ctx)
{
	const li_result *res = li_run_result(ctx->run);
	li_error err;

	if (res->outcome != LI_OUTCOME_FAILED)
		return;
	memset(&err, 0, sizeof(err));
	err.code = res->op.code;
	snprintf(err.what, sizeof(err.what), "%s", res->op_type ? res->op_type : "operation");
	snprintf(err.text, sizeof(err.text), "%s", ldap_err2string(res->op.code));
	snprintf(err.matched, sizeof(err.matched), "%s", res->op.matched);
	snprintf(err.info, sizeof(err.info), "%s", res->op.diag);
	print_error(ctx->spec->name, &err);
}

void tool_row(tool_ctx *ctx, const li_buf *buf)
{
	if (ctx->row)
		fwrite(li_buf_data(buf), 1, li_buf_len(buf), ctx->row);
}

static int report(tool_ctx *ctx)
{
	const li_result *res = li_run_result(ctx->run);

	li_buf_reset(ctx->buf);
	if (ctx->row && !ctx->cl->count) {
		li_report_json(res, exit_for_run(ctx), ctx->buf);
		tool_row(ctx, ctx->buf);
		li_buf_reset(ctx->buf);
	}
	if (ctx->cl->quiet || ctx->cl->count)
		return 0;
	if (ctx->cl->json)
		li_report_json(res, exit_for_run(ctx), ctx->buf);
	else if (ctx->spec->trace && li_trace_summary_text(res, ctx->buf) == 0)
		li_report_text(res, ctx->buf);
	else
		li_report_text(res, ctx->buf);
	tool_write_report(ctx, ctx->buf);
	return 0;
}

/* Writes what is queued; 0, or the exit status when that failed (or a
 * signal gave up on a reader that does not read, unless already
 * terminated). */
static int flush_output(tool_ctx *ctx, const li_error *err)
{
	int signo = write_all(ctx);

	if (ctx->write_errno)
		return write_error(ctx);
	if (signo && err->signo != SIGTERM)
		return output_abandoned(ctx, signo);
	return 0;
}

/* Under --json, a failure is an object too, where the report would have
 * gone: for a script, every ending but bad input (exit 1) is one object. */
static void report_error(tool_ctx *ctx, const li_error *err)
{
	li_buf_reset(ctx->buf);
	if (ctx->cl->count || (err->code == 0 && err->signo != SIGTERM))
		return;
	li_error_json(li_run_result(ctx->run), err, exit_for_error(err), ctx->buf);
	tool_row(ctx, ctx->buf);
	if (!ctx->cl->quiet && ctx->cl->json)
		tool_write_report(ctx, ctx->buf);
}

/* The run failed before its outcome: the trace so far, then why. */
static int run_failed(tool_ctx *ctx, const li_error *err)
{
	int status = flush_output(ctx, err);

	if (status != 0 || li_run_output_stopped(ctx->run))
		return status ? status : exit_for_error(err);
	print_error(ctx->spec->name, err);
	report_error(ctx, err);
	status = flush_output(ctx, err);
	return status ? status : exit_for_error(err);
}

static int run_tool(tool_ctx *ctx)
{
	li_error err;
	int signo, rc;

	rc = li_run_connect(ctx->run, &err);
	status_erase(ctx->status);
	if (rc < 0) {
		/* The terminal's reason beats the library's "no answer": bad
		 * input, exit 1, no JSON. */
		if (ctx->prompt.failure[0]) {
			fprintf(stderr, "%s: SASL: %s\n", ctx->spec->name, ctx->prompt.failure);
			return EXIT_USAGE;
		}
		return run_failed(ctx, &err);
	}
	catch_signals(ctx->run);
	/* --count: a signal while this run connected, when no run listened. */
	if (got_signal)
		li_run_signal(ctx->run, got_sigterm ? SIGTERM : SIGINT);
	ldif_begin(ctx);
	rc = li_run_execute(ctx->run, &err);
	/* No more progress once the run is over: the report comes next. */
	status_erase(ctx->status);
	if (rc < 0)
		return run_failed(ctx, &err);
	li_run_close(ctx->run);
	ldif_end(ctx);
	print_failure(ctx);
	report(ctx);
	signo = write_all(ctx);
	if (ctx->write_errno)
		return write_error(ctx);
	if (signo)
		return output_abandoned(ctx, signo);
	return exit_for_run(ctx);
}

/* A new run of the parameters, its callbacks set; the previous one freed. */
static int new_run(tool_ctx *ctx)
{
	const tool_spec *spec = ctx->spec;

	signal_run = NULL;
	li_run_free(ctx->run);
	ctx->run = li_run_new(ctx->cl->params);
	if (ctx->run == NULL) {
		fprintf(stderr, "%s: out of memory\n", spec->name);
		return -1;
	}
	li_run_set_log(ctx->run, on_log, ctx);
	if (ctx->status)
		li_run_set_progress(ctx->run, status_progress, ctx->status);
	/* A trace or LDIF streams: once nobody reads it, stop. The other tools
	 * print once at the end, and their exit status is worth having anyway. */
	if ((spec->trace && !ctx->cl->quiet) || ctx->cl->ldif)
		li_run_watch_output(ctx->run, fileno(stdout));
	if (ctx->cl->ldif)
		li_run_set_entry_fn(ctx->run, on_entry, ctx);
	if (spec->observer && !ctx->cl->quiet)
		li_run_set_observer(ctx->run, spec->observer, ctx);
	return 0;
}

int tool_run_once(tool_ctx *ctx)
{
	if (new_run(ctx) < 0)
		return EXIT_USAGE;
	return run_tool(ctx);
}

int tool_signalled(void)
{
	return got_signal;
}

/* A closed 0, 1 or 2 would be handed out again by the next open(), the
 * LDAP socket's: what is printed would go to the server. /dev/null takes
 * each closed one (lowest first), so a closed stdout or stderr discards
 * what is written to it. */
static int open_std_fds(void)
{
	int fd;

	do {
		fd = open("/dev/null", O_RDWR);
		if (fd < 0)
			return -1;
	} while (fd <= 2);
	close(fd);
	return 0;
}

int tool_print(tool_ctx *ctx)
{
	if ((fputs(li_buf_data(ctx->buf), stdout) == EOF || fflush(stdout) == EOF) && errno != EPIPE) {
		ctx->write_errno = errno;
		return write_error(ctx);
	}
	return 0;
}

/* -n: the plan, as text or JSON; nothing with -q. */
static int dry_run(tool_ctx *ctx)
{
	if (ctx->cl->quiet)
		return 0;
	if (ctx->cl->json)
		li_params_describe_json(ctx->cl->params, ctx->buf);
	else
		li_params_describe(ctx->cl->params, ctx->buf);
	return tool_print(ctx);
}

int tool_dispatch(tool_ctx *ctx)
{
	/* A status line only where someone watches, and never in the way of
	 * -q's silence or --json's one object. */
	if (!ctx->cl->quiet && !ctx->cl->json)
		ctx->status = status_new(ctx->spec->name);
	ctx->prompt.status = ctx->status;
	if (ctx->cl->audit)
		return tool_audit(ctx);
	return ctx->cl->count ? count_main(ctx) : tool_run_once(ctx);
}

int tool_main(const tool_spec *spec, int argc, char **argv)
{
	tool_ctx ctx = { .spec = spec };
	int status;

	if (open_std_fds() < 0) {
		fprintf(stderr, "%s: cannot open /dev/null: %s\n", spec->name, strerror(errno));
		return EXIT_USAGE;
	}
	/* No core file and no same-user ptrace or /proc/PID/mem: from here on
	 * the process may hold a password, and libldap's freed copies of the
	 * BindRequest (and the entries a trace read) outlive the bind, so it is
	 * never made dumpable again. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* A closed pipe or socket is an error to handle, not a reason to die. */
	signal(SIGPIPE, SIG_IGN);
	ctx.cl = cmdline_new(spec->name, spec->interrupt);
	ctx.buf = li_buf_new();
	ctx.ldif = li_buf_new();
	if (ctx.cl == NULL || ctx.buf == NULL || ctx.ldif == NULL) {
		fprintf(stderr, "%s: out of memory\n", spec->name);
		status = EXIT_USAGE;
		goto out;
	}
	li_params_set_sasl_prompt(ctx.cl->params, prompt_sasl, &ctx.prompt);
	status = parse(spec, ctx.cl, argc, argv);
	if (status != 0) {
		status = status < 0 ? 0 : status;
		goto out;
	}
	if (ctx.cl->prompt_passwd && (status = ask_password(spec, ctx.cl)) != 0)
		goto out;
	if (ctx.cl->dry_run) {
		status = dry_run(&ctx);
		goto out;
	}
	if (ctx.cl->listen) {
		status = tool_relay(&ctx);
		goto out;
	}
	status = ctx.cl->neach ? each_main(&ctx) : tool_dispatch(&ctx);
out:
	signal_run = NULL;
	li_run_free(ctx.run);
	status_free(ctx.status);
	free(ctx.out);
	li_buf_free(ctx.buf);
	li_buf_free(ctx.ldif);
	cmdline_free(ctx.cl);
	return status;
}
