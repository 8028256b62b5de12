/* SPDX-License-Identifier: BSD-2-Clause */
/* One client's session: its connection, the server's, and the loop that
 * relays bytes between them, in a thread of its own (relay.c starts it).
 * The public accessors are in ldapinterrupt.h. */
#ifndef LI_SESSION_H
#define LI_SESSION_H

#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ldapinterrupt.h"
#include "tls.h"

/* What every session of a relay shares, owned by the relay. */
typedef struct li_session_env {
	li_params *params;
	li_tls_creds *creds;     /* NULL: no certificate */
	int listen_tls;          /* ldaps://: TLS before the first byte */
	li_session_event_fn fn;
	void *arg;
	li_session_result_fn outcome_fn; /* an interrupted operation's outcome */
	void *outcome_arg;
	int op;                  /* the client requests to interrupt (li_optype) */
	const char *uri;         /* the server, for the outcomes' reports */
	int wake_fd;             /* readable once the relay stops */
	int64_t drain_deadline;  /* 0, or when stopped sessions close (atomic) */
	int64_t handshake_ns;    /* how long a TLS handshake may take */
} li_session_env;

/* Takes the connected socket fd. NULL when out of memory (fd closed). */
li_session *li_session_new(const li_session_env *env, uint64_t number, int fd, const struct sockaddr *addr,
			   socklen_t len);
void li_session_free(li_session *s);
/* The session, from accept to close: returns when it has ended. */
void li_session_run(li_session *s);
/* From another thread: end the session now (shuts its sockets down). */
void li_session_shutdown(li_session *s);

#endif
