/* SPDX-License-Identifier: BSD-2-Clause */
/* A connection as ldapsearch(1) makes it: connect, StartTLS, bind. It knows
 * the parameters, the tap it attaches and whom to tell; nothing of runs. */
#ifndef LI_CONN_H
#define LI_CONN_H

#include <ldap.h>

#include "config.h"
#include "sockbuf.h"

typedef struct li_conn li_conn;

typedef struct li_conn_hooks {
	li_log_fn log;   /* progress lines; NULL: none */
	/* The tap kept a malformed message from libldap, which then sees only
	 * a failed read: the reason to report instead, or NULL. */
	const char *(*malformed)(void *arg);
	/* From the watchdog's thread, every 200 ms while li_conn_connect
	 * waits: what for, and since when; NULL: no ticks. */
	void (*tick)(void *arg, li_phase phase, int64_t t_phase_ns);
	void *arg;       /* for all three */
} li_conn_hooks;

/* Checks cfg, initializes libldap with its options and attaches tap (which
 * must outlive the handle; NULL: none, for a caller that reads the
 * connection's bytes itself, as the relay does); nothing is sent yet.
 * NULL on failure. */
li_conn *li_conn_new(li_params *cfg, li_tap *tap, const li_conn_hooks *hooks, li_error *err);
/* No step of li_conn_connect outlives this moment (CLOCK_MONOTONIC; 0:
 * none): past it, the error is LDAP_TIMEOUT. */
void li_conn_set_deadline(li_conn *c, int64_t deadline_ns);
/* Connects, StartTLS, binds; the password is wiped once sent. On failure
 * the handle stays for li_conn_close, as a connection may be open. */
int li_conn_connect(li_conn *c, li_error *err);
LDAP *li_conn_ld(const li_conn *c);     /* NULL once closed */
const char *li_conn_uri(const li_conn *c);     /* as libldap resolved it (from -H or ldap.conf) */
const char *li_conn_defbase(const li_conn *c); /* ldap.conf's BASE, or NULL */
/* Unbinds (once): 1 if there was a connection to close. */
int li_conn_close(li_conn *c);
void li_conn_free(li_conn *c);

#endif
