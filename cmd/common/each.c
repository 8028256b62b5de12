/* SPDX-License-Identifier: BSD-2-Clause */
/* --each: one process per server, at most --jobs at a time.
 *
 * Why processes and not threads: a run is written for a process of its
 * own. tool.c keeps the run that signals reach in a global, the output
 * queue writes to file descriptor 1, libldap's TLS and SASL defaults are
 * global (options set on a NULL handle, one TLS context per process),
 * the watchdog is a thread per run that shuts sockets down, and -W and
 * the -y file set the password once. A forked child inherits all of that
 * parsed and checked, runs exactly the code a single server runs
 * (tool_dispatch), and its report is by construction the single-server
 * report. Its standard output, standard error and a third pipe carrying
 * the JSON object --json would print come back here; this process keeps
 * them, prints each server's output in the order given once it and every
 * server before it are done, and builds the matrix from the JSON. A
 * server that crashes its process, or hangs until its own --timeout,
 * costs one row and one slot, never the others.
 *
 * Each child gets a process group of its own so that Ctrl-C on the
 * terminal reaches this process only: it forwards each SIGINT and SIGTERM
 * once to every running child (for a run, a second SIGINT means "stop
 * listening", so a child must not get the terminal's and ours), starts
 * no more servers, and waits for the running ones to write their reports.
 * A child asks the kernel for SIGTERM should this process die, so none
 * outlives it. */
#include "each.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exit.h"
#include "matrix.h"
#include "servers.h"
#include "tool.h"

enum { OUT, ERR, ROW, STREAMS };

typedef struct chunk {
	char *p;
	size_t len, cap;
} chunk;

typedef struct server {
	const char *uri;
	pid_t pid;           /* 0: not started */
	int fd[STREAMS];     /* our ends of its pipes; -1 once closed */
	chunk data[STREAMS]; /* what came through them */
	int status, signal;  /* its exit status; the signal that killed it */
	int done;
} server;

typedef struct pool {
	tool_ctx *ctx;
	server *s;
	size_t n, next, printed, running;
	int write_errno;
	int gone[3];         /* stdout (1) or stderr (2) is written no more */
	int abandoned;       /* ... because of a signal while it was not read */
	sigset_t unblocked;  /* the signal mask ppoll sleeps with */
	int sigint_seen, sigterm_seen;
	int worst;           /* the highest exit status of the servers printed */
	matrix m;
} pool;

static volatile sig_atomic_t sigints, sigterms;

static void on_signal(int signo)
{
	if (signo == SIGINT)
		sigints++;
	else
		sigterms++;
}

static int add(chunk *c, const char *p, size_t n)
{
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		char *q;

		while (cap < c->len + n + 1)
			cap *= 2;
		if ((q = realloc(c->p, cap)) == NULL)
			return -1;
		c->p = q;
		c->cap = cap;
	}
	memcpy(c->p + c->len, p, n);
	c->len += n;
	c->p[c->len] = '\0'; /* the JSON parser reads a string */
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void free_server(server *s)
{
	int k;

	for (k = 0; k < STREAMS; k++) {
		close_fd(&s->fd[k]);
		free(s->data[k].p);
		s->data[k].p = NULL;
		s->data[k].len = s->data[k].cap = 0;
	}
}

static void free_pool(pool *pl)
{
	size_t i;

	for (i = 0; i < pl->n; i++)
		free_server(&pl->s[i]);
	free(pl->s);
	matrix_free(&pl->m);
}

/* In the child: this one server, as if it had been given with -H. */
static int child(pool *pl, size_t i, int pipes[STREAMS][2], pid_t parent)
{
	tool_ctx *ctx = pl->ctx;
	const char *uri = pl->s[i].uri;
	sigset_t none;
	li_error err;
	int k, status;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent) /* it died before the line above */
		_exit(EXIT_SIGTERM);
	dup2(pipes[OUT][1], STDOUT_FILENO);
	dup2(pipes[ERR][1], STDERR_FILENO);
	for (k = 0; k < STREAMS; k++) {
		close(pipes[k][0]);
		if (k != ROW)
			close(pipes[k][1]);
	}
	free_pool(pl); /* the other servers' pipes and output are the parent's */
	ctx->row = fdopen(pipes[ROW][1], "w");
	free(ctx->cl->uri);
	ctx->cl->uri = strdup(uri);
	if (ctx->row == NULL || ctx->cl->uri == NULL) {
		fprintf(stderr, "%s: out of memory\n", ctx->spec->name);
		return EXIT_USAGE;
	}
	if (li_params_set_uri(ctx->cl->params, uri, &err) < 0) {
		char line[2048];

		li_error_format(&err, ctx->spec->name, line, sizeof(line));
		fputs(line, stderr);
		status = exit_for_error(&err);
	} else {
		status = tool_dispatch(ctx);
	}
	fclose(ctx->row);
	ctx->row = NULL;
	return status;
}

/* A server that could not be started: one row with why. */
static void not_started(pool *pl, server *s, const char *what)
{
	char line[512];

	snprintf(line, sizeof(line), "%s: --each: %s: %s\n", pl->ctx->spec->name, what, strerror(errno));
	add(&s->data[ERR], line, strlen(line));
	s->status = EXIT_USAGE;
	s->done = 1;
}

/* 1 in the child (*status its exit status), else 0. */
static int start(pool *pl, size_t i, int *status)
{
	server *s = &pl->s[i];
	int pipes[STREAMS][2], k, made = 0;
	pid_t parent = getpid();

	for (k = 0; k < STREAMS; k++, made++)
		if (pipe2(pipes[k], O_CLOEXEC) < 0)
			break;
	if (made < STREAMS) {
		not_started(pl, s, "cannot make a pipe");
		goto fail;
	}
	/* Whatever stdio holds would be written twice, once by the child. */
	fflush(stdout);
	fflush(stderr);
	s->pid = fork();
	if (s->pid < 0) {
		not_started(pl, s, "cannot start a process");
		goto fail;
	}
	if (s->pid == 0) {
		*status = child(pl, i, pipes, parent);
		return 1;
	}
	setpgid(s->pid, s->pid);
	for (k = 0; k < STREAMS; k++) {
		close(pipes[k][1]);
		s->fd[k] = pipes[k][0];
	}
	pl->running++;
	return 0;
fail:
	for (k = 0; k < made; k++) {
		close(pipes[k][0]);
		close(pipes[k][1]);
	}
	return 0;
}

/* A signal that arrived since the last pass: once to every running child. */
static void forward_signals(pool *pl)
{
	int sig = 0;
	size_t i;

	if (sigterms != pl->sigterm_seen) {
		pl->sigterm_seen = sigterms;
		sig = SIGTERM;
	} else if (sigints != pl->sigint_seen) {
		pl->sigint_seen = sigints;
		sig = SIGINT;
	}
	if (sig == 0)
		return;
	pl->m.stopped = 1;
	for (i = 0; i < pl->next; i++)
		if (pl->s[i].pid > 0 && !pl->s[i].done)
			kill(pl->s[i].pid, sig);
}

static void reap(pool *pl, server *s)
{
	int st = 0, rc;

	while ((rc = waitpid(s->pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (rc < 0) {
		s->status = EXIT_USAGE; /* no status to be had (ECHILD) */
	} else if (WIFSIGNALED(st)) {
		s->signal = WTERMSIG(st);
		s->status = 128 + s->signal;
	} else {
		s->status = WEXITSTATUS(st);
	}
	s->done = 1;
	pl->running--;
}

static void drain(pool *pl, server *s, int k)
{
	char buf[65536];
	ssize_t n = read(s->fd[k], buf, sizeof(buf));

	if (n > 0 && add(&s->data[k], buf, (size_t)n) == 0)
		return;
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	close_fd(&s->fd[k]); /* the end, or no memory to keep more */
	if (s->fd[OUT] < 0 && s->fd[ERR] < 0 && s->fd[ROW] < 0)
		reap(pl, s);
}

/* Sleeps until a pipe has something or a signal came, then reads. */
static void wait_some(pool *pl, const sigset_t *unblocked)
{
	struct pollfd fds[SERVERS_JOBS_MAX * STREAMS];
	size_t who[SERVERS_JOBS_MAX * STREAMS], i, n = 0;
	int k;

	for (i = pl->printed; i < pl->next; i++)
		for (k = 0; k < STREAMS; k++)
			if (pl->s[i].fd[k] >= 0 && n < SERVERS_JOBS_MAX * STREAMS) {
				fds[n] = (struct pollfd){ .fd = pl->s[i].fd[k], .events = POLLIN };
				who[n++] = i * STREAMS + (size_t)k;
			}
	if (ppoll(fds, n, NULL, unblocked) <= 0)
		return;
	for (i = 0; i < n; i++)
		if (fds[i].revents)
			drain(pl, &pl->s[who[i] / STREAMS], (int)(who[i] % STREAMS));
}

/* Writes to fd (1 or 2) what its reader takes. A signal while the reader
 * does not take anything gives that output up, as tool.c does for one
 * server: a reader that never reads must not hold Ctrl-C back. */
static void out(pool *pl, int fd, const chunk *c)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	size_t off = 0;

	while (off < c->len && !pl->gone[fd]) {
		size_t n = c->len - off;
		ssize_t w;

		if (ppoll(&p, 1, NULL, &pl->unblocked) < 0 && errno == EINTR) {
			forward_signals(pl);
			if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLOUT)) {
				pl->gone[fd] = 1;
				pl->abandoned |= fd == STDOUT_FILENO;
				break;
			}
		}
		w = write(fd, c->p + off, n > PIPE_BUF ? PIPE_BUF : n);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w < 0) {
			if (fd == STDOUT_FILENO && errno != EPIPE)
				pl->write_errno = errno;
			pl->gone[fd] = 1;
			break;
		}
		off += (size_t)w;
	}
}

/* Every server done whose predecessors are printed: its output, its row. */
static void print_ready(pool *pl)
{
	while (pl->printed < pl->next && pl->s[pl->printed].done) {
		server *s = &pl->s[pl->printed++];

		out(pl, STDERR_FILENO, &s->data[ERR]);
		out(pl, STDOUT_FILENO, &s->data[OUT]);
		if (s->status > pl->worst)
			pl->worst = s->status;
		if (matrix_add(&pl->m, s->uri, s->status, s->signal, s->data[ROW].p, s->data[ROW].len) < 0 &&
		    pl->write_errno == 0)
			pl->write_errno = ENOMEM;
		free_server(s);
	}
}

static int worst(const pool *pl)
{
	if (pl->write_errno)
		return EXIT_WRITE_ERROR;
	if (pl->sigterm_seen)
		return EXIT_SIGTERM;
	if (pl->sigint_seen)
		return EXIT_SIGINT;
	return pl->worst;
}

static matrix_mode mode_of(const cmdline *cl)
{
	return cl->audit ? MATRIX_AUDIT : cl->count ? MATRIX_COUNT : MATRIX_PROBE;
}

static int finish(pool *pl)
{
	tool_ctx *ctx = pl->ctx;
	int status;

	print_ready(pl);
	status = worst(pl);
	if (pl->abandoned) {
		fprintf(stderr, "%s: stopped: %s while standard output was not being read\n", ctx->spec->name,
			pl->sigterm_seen ? "terminated by SIGTERM" : "interrupted");
		return status;
	}
	if (!ctx->cl->quiet && pl->write_errno == 0) {
		if (ctx->cl->json)
			matrix_json(&pl->m, status, stdout);
		else
			matrix_text(&pl->m, status, stdout);
		if ((ferror(stdout) || fflush(stdout) == EOF) && errno != EPIPE)
			pl->write_errno = errno;
	}
	if (pl->write_errno) {
		fprintf(stderr, "%s: write error: %s\n", ctx->spec->name, strerror(pl->write_errno));
		status = EXIT_WRITE_ERROR;
	}
	return status;
}

/* The servers, --jobs at a time; 1 in a child, with *status its own. */
static int run_all(pool *pl, int *status)
{
	sigset_t block;
	struct sigaction sa, old_int, old_term;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	/* Signals wait, blocked, for the one place that sleeps: ppoll. */
	sigprocmask(SIG_BLOCK, &block, &pl->unblocked);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	for (;;) {
		forward_signals(pl);
		while (!pl->m.stopped && pl->running < (size_t)pl->ctx->cl->jobs && pl->next < pl->n)
			if (start(pl, pl->next++, status))
				return 1;
		print_ready(pl);
		if (pl->running == 0 && (pl->m.stopped || pl->next == pl->n))
			break;
		wait_some(pl, &pl->unblocked);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigprocmask(SIG_SETMASK, &pl->unblocked, NULL);
	return 0;
}

int each_main(tool_ctx *ctx)
{
	pool pl = { .ctx = ctx, .n = ctx->cl->neach };
	size_t i;
	int status = 0;

	pl.s = calloc(pl.n, sizeof(*pl.s));
	if (pl.s == NULL) {
		fprintf(stderr, "%s: out of memory\n", ctx->spec->name);
		return EXIT_USAGE;
	}
	for (i = 0; i < pl.n; i++) {
		pl.s[i].uri = ctx->cl->each[i];
		pl.s[i].fd[OUT] = pl.s[i].fd[ERR] = pl.s[i].fd[ROW] = -1;
	}
	matrix_init(&pl.m, ctx->spec->name, mode_of(ctx->cl), ctx->cl->interrupt);
	if (run_all(&pl, &status))
		return status; /* the child: its pool is already freed */
	status = finish(&pl);
	free_pool(&pl);
	return status;
}
