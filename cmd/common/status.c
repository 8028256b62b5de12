/* SPDX-License-Identifier: BSD-2-Clause */
#include "status.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* A wait shorter than this shows nothing. */
#define SHOW_AFTER_NS 2000000000LL
#define ERASE "\r\033[K"

struct statusline {
	const char *prog;
	pthread_mutex_t lock; /* the hook may run in the library's thread */
	int shown;
	int held;             /* status_hold */
	int64_t t_released_ns; /* the last hold ended: a wait counts from here */
	char check[96];       /* --audit: "3/6 unknown-msgid"; "" otherwise */
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

statusline *status_new(const char *prog)
{
	statusline *s;

	if (!isatty(STDERR_FILENO) || (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->prog = prog;
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

void status_free(statusline *s)
{
	if (s == NULL)
		return;
	status_erase(s);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static void put(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, p, n);

		if (w <= 0)
			return; /* a status is not worth an error */
		p += w;
		n -= (size_t)w;
	}
}

static void erase_locked(statusline *s)
{
	if (s->shown)
		put(ERASE, strlen(ERASE));
	s->shown = 0;
}

void status_erase(statusline *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	erase_locked(s);
	pthread_mutex_unlock(&s->lock);
}

void status_hold(statusline *s, int hold)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	erase_locked(s);
	s->held = hold;
	/* The time a question waited for the person is not the server's. */
	if (!hold)
		s->t_released_ns = now_ns();
	pthread_mutex_unlock(&s->lock);
}

void status_line(statusline *s, const char *line)
{
	if (s == NULL) {
		fputs(line, stderr);
		return;
	}
	pthread_mutex_lock(&s->lock);
	erase_locked(s);
	put(line, strlen(line));
	pthread_mutex_unlock(&s->lock);
}

static double secs(int64_t ns)
{
	return (double)ns / 1e9;
}

static size_t add(char *buf, size_t size, size_t n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static size_t add(char *buf, size_t size, size_t n, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (n >= size)
		return n;
	va_start(ap, fmt);
	w = vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
	return w < 0 ? n : n + (size_t)w;
}

static unsigned long long count(uint64_t n)
{
	return (unsigned long long)n;
}

/* What the run waits for, in words. */
static size_t what(char *buf, size_t size, size_t n, const li_progress *p)
{
	switch (p->phase) {
	case LI_PHASE_CONNECT:
		return add(buf, size, n, "the connection");
	case LI_PHASE_STARTTLS:
		return add(buf, size, n, "StartTLS");
	case LI_PHASE_BIND:
		return add(buf, size, n, "the bind's answer");
	case LI_PHASE_TRIGGER:
		n = add(buf, size, n, "the trigger (");
		if (p->after_entries >= 0)
			n = add(buf, size, n, "--after-entries %lld: %llu entries%s", p->after_entries,
				count(p->entries[0]), p->after_us >= 0 ? ", or " : "");
		if (p->after_us >= 0)
			n = add(buf, size, n, "--after %gs", (double)p->after_us / 1e6);
		else if (p->after_entries < 0)
			n = add(buf, size, n, "Ctrl-C");
		return add(buf, size, n, ")");
	case LI_PHASE_RESULT:
		return add(buf, size, n, "the end of the operation (%llu entries)", count(p->entries[0]));
	case LI_PHASE_LISTEN:
	default:
		return add(buf, size, n, "%s (%llu entries after it)", p->interrupt == LI_INTERRUPT_CANCEL ?
			   "the cancel's answer" : "silence after the abandon", count(p->entries[1]));
	}
}

void status_audit_check(statusline *s, int index, int n, const char *id)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	snprintf(s->check, sizeof(s->check), "%d/%d %s", index + 1, n, id);
	pthread_mutex_unlock(&s->lock);
}

/* --audit: what a check's run does, in a word or two. */
static const char *doing(const li_progress *p)
{
	switch (p->phase) {
	case LI_PHASE_CONNECT:
		return "connecting";
	case LI_PHASE_STARTTLS:
		return "StartTLS";
	case LI_PHASE_BIND:
		return "binding";
	case LI_PHASE_TRIGGER:
		return "running";
	case LI_PHASE_RESULT:
		return "waiting for the result";
	case LI_PHASE_LISTEN:
	default:
		return "listening";
	}
}

static size_t columns(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		return ws.ws_col;
	return 80;
}

void status_progress(void *arg, const li_progress *p)
{
	statusline *s = arg;
	char line[512];
	size_t n, width;
	int64_t waited = p->phase_ns, since;

	char check[sizeof(s->check)];

	pthread_mutex_lock(&s->lock);
	since = s->t_released_ns ? now_ns() - s->t_released_ns : waited;
	memcpy(check, s->check, sizeof(check));
	pthread_mutex_unlock(&s->lock);
	if (since < waited)
		waited = since;
	/* An audit's check is short, and the audit long: shown at once. */
	if (check[0]) {
		n = add(line, sizeof(line), 0, ERASE "%s: audit %s: %s %.1fs", s->prog, check, doing(p), secs(waited));
	} else if (waited < SHOW_AFTER_NS) {
		status_erase(s);
		return;
	} else {
		n = add(line, sizeof(line), 0, ERASE "%s: waiting %.1fs for ", s->prog, secs(waited));
		n = what(line, sizeof(line), n, p);
	}
	if (p->left_ns >= 0)
		n = add(line, sizeof(line), n, "; --timeout in %.1fs", secs(p->left_ns));
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	/* One row: a line that wraps would leave its first rows behind. */
	width = strlen(ERASE) + columns() - 1;
	if (n > width)
		n = width;
	pthread_mutex_lock(&s->lock);
	if (!s->held) {
		put(line, n);
		s->shown = 1;
	}
	pthread_mutex_unlock(&s->lock);
}
