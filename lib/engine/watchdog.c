/* SPDX-License-Identifier: BSD-2-Clause */
#include "watchdog.h"

#include "sockbuf.h" /* li_now_ns */

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

struct li_watchdog {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int64_t deadline_ns, step_ns, tick_ns;
	li_watchdog_tick tick;
	void *arg;
	int fd, stop, fired;
};

/* The deadline that comes first, the run's or the step's (0: none). */
static int64_t first_deadline(const li_watchdog *w)
{
	if (w->step_ns && (w->deadline_ns == 0 || w->step_ns < w->deadline_ns))
		return w->step_ns;
	return w->deadline_ns;
}

/* The next moment to wake: the next tick or a deadline, whichever first. */
static int64_t next_wake(const li_watchdog *w, int64_t now)
{
	int64_t t = w->tick ? now + w->tick_ns : 0, d = first_deadline(w);

	if (d && !w->fired && (t == 0 || d < t))
		t = d;
	return t;
}

static void *watch(void *arg)
{
	li_watchdog *w = arg;

	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		int64_t now = li_now_ns(), wake = next_wake(w, now);
		struct timespec ts = { (time_t)(wake / 1000000000), (long)(wake % 1000000000) };

		if (wake == 0) {
			pthread_cond_wait(&w->cond, &w->lock);
			continue;
		}
		if (pthread_cond_timedwait(&w->cond, &w->lock, &ts) == 0 || w->stop)
			continue;
		if (first_deadline(w) && !w->fired && li_now_ns() >= first_deadline(w)) {
			/* The descriptor stays open (libldap owns it): no other
			 * thread's new descriptor can be hit by mistake. */
			w->fired = 1;
			if (w->fd >= 0)
				shutdown(w->fd, SHUT_RDWR);
		} else if (w->tick) {
			/* Unlocked: the hook may take its own locks. */
			pthread_mutex_unlock(&w->lock);
			w->tick(w->arg);
			pthread_mutex_lock(&w->lock);
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

li_watchdog *li_watchdog_start(int64_t deadline_ns, int64_t tick_ns, li_watchdog_tick tick, void *arg)
{
	pthread_condattr_t attr;
	sigset_t all, old;
	li_watchdog *w;
	int rc;

	/* Always a thread, even with nothing to watch yet: a step deadline may
	 * come later (li_watchdog_set_step_deadline). */
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->deadline_ns = deadline_ns;
	w->tick_ns = tick_ns;
	w->tick = tick;
	w->arg = arg;
	w->fd = -1;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &attr);
	pthread_condattr_destroy(&attr);
	/* Signals stay the caller's thread's business: the watchdog's own
	 * thread starts with all of them blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w->thread, NULL, watch, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&w->cond);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return NULL;
	}
	return w;
}

void li_watchdog_set_fd(li_watchdog *w, int fd)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->fd = fd;
	/* A socket that arrives after the deadline is shut down at once. */
	if (w->fired && fd >= 0)
		shutdown(fd, SHUT_RDWR);
	pthread_mutex_unlock(&w->lock);
}

void li_watchdog_set_step_deadline(li_watchdog *w, int64_t step_deadline_ns)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->step_ns = step_deadline_ns;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

int li_watchdog_stop(li_watchdog *w)
{
	int fired;

	if (w == NULL)
		return 0;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	fired = w->fired;
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
	return fired;
}
