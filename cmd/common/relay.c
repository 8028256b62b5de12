/* SPDX-License-Identifier: BSD-2-Clause */
/* ldaptrace --listen: the relay's command-line side. The library runs the
 * sessions, each in a thread of its own; here each session's lines are
 * rendered into a buffer of its thread and written whole, under one lock,
 * so that lines of concurrent sessions never mix, and the relay's own
 * lines (listening, a session that failed, the last line) go to standard
 * error. */
#include "tool.h"

#include "exit.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A session's lines wait in its thread's buffer until the session is
 * about to wait for the network, or until there are this many bytes. */
#define FLUSH_AT (64 * 1024)

typedef struct relay_out {
	tool_ctx *ctx;
	li_relay *relay;
	unsigned flags;
	pthread_mutex_t lock; /* standard output, write_errno, stopped */
	pthread_key_t key;    /* each session thread's buffer */
	int stopped;          /* standard output is closed or failed */
	int write_errno;
} relay_out;

static li_relay *signal_relay;

static void on_signal(int signo)
{
	if (signal_relay)
		li_relay_stop(signal_relay, signo);
}

static void catch_signals(li_relay *r)
{
	signal_relay = r;
	tool_catch_signals_with(on_signal);
}

/* Writes b whole to standard output; a closed pipe or a failed write
 * stops the relay (exit 141, or 74 with the error). */
static void write_out(relay_out *o, li_buf *b)
{
	const char *p = li_buf_data(b);
	size_t n = li_buf_len(b);

	pthread_mutex_lock(&o->lock);
	while (n > 0 && !o->stopped) {
		ssize_t w = write(STDOUT_FILENO, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			o->stopped = 1;
			if (errno != EPIPE)
				o->write_errno = errno ? errno : EIO;
			li_relay_stop(o->relay, SIGPIPE);
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	pthread_mutex_unlock(&o->lock);
	li_buf_reset(b);
}

static li_buf *thread_buf(relay_out *o)
{
	li_buf *b = pthread_getspecific(o->key);

	if (b == NULL && (b = li_buf_new()) != NULL)
		pthread_setspecific(o->key, b);
	return b;
}

static void free_buf(void *b)
{
	li_buf_free(b);
}

static void on_event(void *arg, const li_session *s, const li_event *ev)
{
	relay_out *o = arg;
	li_buf *b = thread_buf(o);

	if (b == NULL)
		return;
	if (ev == NULL || li_buf_len(b) >= FLUSH_AT) {
		if (li_buf_len(b))
			write_out(o, b);
		if (ev == NULL)
			return;
	}
	if (o->ctx->cl->json)
		li_trace_session_json(s, ev, o->flags, b);
	else
		li_trace_session_text(s, ev, o->flags, b);
}

/* An operation the relay interrupted: its report, as ldapcancel's or
 * ldapabandon's, among the session's lines. */
static void on_outcome(void *arg, const li_session *s, const li_result *res)
{
	relay_out *o = arg;
	li_buf *b = thread_buf(o);

	if (b == NULL)
		return;
	if (o->ctx->cl->json)
		li_session_report_json(s, res, exit_for_outcome(res->outcome, res->op.code), b);
	else
		li_session_report_text(s, res, b);
}

/* A session that failed says why on standard error, with its number. */
static void session_failed(const relay_out *o, const li_error *err)
{
	const char *prog = o->ctx->spec->name;

	if (err->stage != LI_STAGE_NONE)
		fprintf(stderr, "%s: %s: %s (%d)\n", prog, err->what, err->text, err->code);
	else
		fprintf(stderr, "%s: %s: %s\n", prog, err->what, err->text);
	if (err->info[0])
		fprintf(stderr, "\tadditional info: %s\n", err->info);
}

static void on_session_end(void *arg, const li_session *s)
{
	relay_out *o = arg;
	const li_error *err = li_session_error(s);

	if (err)
		session_failed(o, err);
	if (o->ctx->cl->quiet)
		return;
	li_buf_reset(o->ctx->buf);
	if (o->ctx->cl->json)
		li_session_summary_json(s, o->ctx->buf);
	else
		li_session_summary_text(s, o->ctx->buf);
	write_out(o, o->ctx->buf);
}

static int setup(relay_out *o, li_error *err)
{
	cmdline *cl = o->ctx->cl;
	li_relay *r = o->relay;

	if (li_relay_set_listen(r, cl->listen, err) < 0 ||
	    (cl->listen_cert && li_relay_set_certificate(r, cl->listen_cert, cl->listen_key, err) < 0) ||
	    (cl->sessions && li_relay_set_sessions(r, cl->sessions, err) < 0))
		return -1;
	if (cl->op_name && li_relay_set_op(r, cl->op_name, err) < 0)
		return -1;
	if (cl->wait_us >= 0 && li_relay_set_wait(r, cl->wait_us, err) < 0)
		return -1;
	if (!cl->quiet) {
		li_relay_set_observer(r, on_event, o);
		li_relay_set_outcome(r, on_outcome, o);
	}
	li_relay_set_session_end(r, on_session_end, o);
	return li_relay_open(r, err);
}

static int last_line(relay_out *o)
{
	const char *prog = o->ctx->spec->name;
	li_relay_totals t;
	int signo = li_relay_signal(o->relay);

	if (o->write_errno) {
		fprintf(stderr, "%s: write error: %s\n", prog, strerror(o->write_errno));
		return EXIT_WRITE_ERROR;
	}
	if (o->stopped)
		return EXIT_SIGPIPE;
	li_relay_get_totals(o->relay, &t);
	li_buf_reset(o->ctx->buf);
	li_relay_summary_text(&t, o->ctx->buf);
	fprintf(stderr, "%s: %s", prog, li_buf_data(o->ctx->buf));
	/* As ldaptrace's trace without an interrupt: Ctrl-C 130, SIGTERM 143. */
	if (signo == SIGINT)
		return EXIT_SIGINT;
	if (signo == SIGTERM)
		return EXIT_SIGTERM;
	return EXIT_OK;
}

int tool_relay(tool_ctx *ctx)
{
	relay_out o = { .ctx = ctx };
	li_error err;
	char line[2048];
	int status;

	if (ctx->cl->verbose)
		o.flags |= LI_RENDER_VALUES;
	if (ctx->cl->hex)
		o.flags |= LI_RENDER_HEX;
	o.relay = li_relay_new(ctx->cl->params);
	if (o.relay == NULL || pthread_key_create(&o.key, free_buf) != 0) {
		fprintf(stderr, "%s: out of memory\n", ctx->spec->name);
		li_relay_free(o.relay);
		return EXIT_USAGE;
	}
	pthread_mutex_init(&o.lock, NULL);
	if (setup(&o, &err) < 0) {
		li_error_format(&err, ctx->spec->name, line, sizeof(line));
		fputs(line, stderr);
		status = exit_for_error(&err);
		goto out;
	}
	catch_signals(o.relay);
	fprintf(stderr, "%s: listening on %s, relaying to %s\n", ctx->spec->name, li_relay_address(o.relay),
		li_relay_upstream(o.relay));
	if (li_relay_serve(o.relay, &err) < 0) {
		li_error_format(&err, ctx->spec->name, line, sizeof(line));
		fputs(line, stderr);
	}
	status = last_line(&o);
out:
	signal_relay = NULL;
	li_relay_free(o.relay);
	/* The main thread's own buffer (sessions' are freed as they end). */
	free_buf(pthread_getspecific(o.key));
	pthread_key_delete(o.key);
	pthread_mutex_destroy(&o.lock);
	return status;
}
