/* SPDX-License-Identifier: BSD-2-Clause */
/* A thread that watches li_conn_connect from outside libldap, which blocks
 * in it: libldap 2.5 gives its TLS handshake no deadline (a network timeout
 * makes the socket nonblocking and the handshake loops on it, unless the
 * connect is async), and a SASL bind waits as long as the server lets it.
 * At the deadline (or the step's own, see li_watchdog_set_step_deadline)
 * the watchdog shuts the socket down both ways, which ends
 * whatever libldap waits for; until then it ticks, so that the caller's
 * progress hook can tell what is being waited for. */
#ifndef LI_WATCHDOG_H
#define LI_WATCHDOG_H

#include <stdint.h>

typedef struct li_watchdog li_watchdog;

/* Called from the watchdog's thread every tick_ns. */
typedef void (*li_watchdog_tick)(void *arg);

/* deadline_ns (CLOCK_MONOTONIC, 0: none); tick NULL: no ticks. NULL when
 * the thread cannot start (then the caller goes on unwatched). */
li_watchdog *li_watchdog_start(int64_t deadline_ns, int64_t tick_ns, li_watchdog_tick tick, void *arg);
/* The socket to shut down at the deadline; -1: none (libldap closed it). */
void li_watchdog_set_fd(li_watchdog *w, int fd);
/* A second, movable deadline for the step under way (CLOCK_MONOTONIC, 0:
 * none): the network timeout of one step, which libldap does not enforce
 * on a TLS handshake. Reaching it counts as reaching the deadline. */
void li_watchdog_set_step_deadline(li_watchdog *w, int64_t step_deadline_ns);
/* Stops and joins the thread: 1 if it reached the deadline. NULL: 0. */
int li_watchdog_stop(li_watchdog *w);

#endif
