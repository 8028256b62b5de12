/* SPDX-License-Identifier: BSD-2-Clause */
/* The relay's leg to the server: a connection libldap makes as for the
 * other tools (-H, -Z, ldaps://, -o tls_*, ldap.conf), no bind, then a
 * Sockbuf_IO layer of ours on top of libldap's (above TLS) through which
 * the session reads and writes plaintext bytes as they come, unframed. */
#ifndef LI_UPSTREAM_H
#define LI_UPSTREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ldapinterrupt.h"

typedef struct li_upstream li_upstream;

/* With p's connection settings (no bind: the client's pass through);
 * nothing is sent yet. NULL with err filled. */
li_upstream *li_upstream_new(li_params *p, li_error *err);
/* Connects (and StartTLS, as p says): 0, or -1 with err. */
int li_upstream_connect(li_upstream *u, li_error *err);
/* From another thread: shut the socket down, which ends a connect or a
 * handshake under way (li_upstream_connect then fails). */
void li_upstream_shutdown(li_upstream *u);
/* Closes the connection without a message of its own (libldap's
 * UnbindRequest is swallowed: only the client's Unbind is relayed). */
void li_upstream_free(li_upstream *u);
/* The socket, once there is one; -1 before. */
int li_upstream_fd(const li_upstream *u);
/* What libldap connected to, as it formats URIs. */
const char *li_upstream_uri(const li_upstream *u);
/* TLS is in place (ldaps://, or StartTLS done). */
int li_upstream_secured(const li_upstream *u);
/* Plaintext bytes the TLS layer holds already: read before polling. */
int li_upstream_pending(const li_upstream *u);
/* >0 bytes read, 0 the server closed, -1 an error (errno), -2 nothing yet. */
ssize_t li_upstream_read(li_upstream *u, void *buf, size_t len);
/* Writes what the layer below takes without blocking: >= 0 bytes written
 * (0: try again once the socket is writable), -1 an error (errno). A write
 * that took 0 must be repeated with the same bytes (TLS). */
ssize_t li_upstream_write(li_upstream *u, const void *buf, size_t len);
/* StartTLS with libldap on the open connection (no operation may be
 * outstanding). 0, or -1 with err: err->code > 0 is the server's refusal,
 * after which the connection is still usable in plaintext. */
int li_upstream_starttls(li_upstream *u, li_error *err);

#endif
