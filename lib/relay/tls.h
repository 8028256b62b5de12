/* SPDX-License-Identifier: BSD-2-Clause */
/* The relay's TLS toward its clients, as a server: libldap has no server
 * side, so GnuTLS directly (the library Debian's libldap uses too). Every
 * call is non-blocking; the session polls. */
#ifndef LI_TLS_H
#define LI_TLS_H

#include <stddef.h>
#include <sys/types.h>

#include "ldapinterrupt.h"

typedef struct li_tls_creds li_tls_creds;
typedef struct li_tls_link li_tls_link;

/* The certificate (chain) and key, PEM files. NULL with err filled. */
li_tls_creds *li_tls_creds_new(const char *cert, const char *key, li_error *err);
void li_tls_creds_free(li_tls_creds *c);

/* A server session on the connected socket fd (non-blocking); NULL when
 * out of memory. creds must outlive it. */
li_tls_link *li_tls_new(li_tls_creds *creds, int fd);
/* Closes TLS (a close_notify, not waited for); not the socket. */
void li_tls_free(li_tls_link *t);
/* 0 done, 1 call again once the socket is ready (li_tls_wants_write says
 * for what), -1 failed (li_tls_error says why). */
int li_tls_handshake(li_tls_link *t);
int li_tls_wants_write(const li_tls_link *t);
const char *li_tls_error(const li_tls_link *t);
/* As li_upstream_read and li_upstream_write (upstream.h). */
ssize_t li_tls_read(li_tls_link *t, void *buf, size_t len);
ssize_t li_tls_write(li_tls_link *t, const void *buf, size_t len);
/* Decrypted bytes held already: read before polling. */
int li_tls_pending(const li_tls_link *t);

#endif
