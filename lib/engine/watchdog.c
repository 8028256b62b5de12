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
	int64_t deadline_ns, tick_ns;
	li_watchdog_tick tick;
	void *arg;
	int fd, stop, fired;
};

/* The next moment to wake: the next tick or the deadline, whichever first. */
static int64_t next_wake(const li_watchdog *w, int64_t now)
{
	int64_t t = w->tick ? now + w->tick_ns : 0;

	if (w->deadline_ns && !w->fired && (t == 0 || w->deadline_ns < t))
		t = w->deadline_ns;
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
		if (w->deadline_ns && !w->fired && li_now_ns() >= w->deadline_ns) {
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

	if (deadline_ns == 0 && tick == NULL)
		return NULL;
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
