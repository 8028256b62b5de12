/* SPDX-License-Identifier: BSD-2-Clause */
/* The relay's own interrupts (--abandon, --cancel): for each client
 * operation of the chosen type, when its trigger fires, an Abandon or a
 * Cancel under a message ID the relay takes from the top of the range
 * (2147483647 down, skipping any the client has used), whose answers the
 * client never sees; then the same listening and the same verdict as a
 * run's (lib/engine/outcome.c), one result per operation. */
#ifndef LI_INJECT_H
#define LI_INJECT_H

#include <stddef.h>
#include <stdint.h>

#include "ldapinterrupt.h"
#include "pdu.h"

typedef struct li_inject li_inject;

/* p's interrupt, triggers and --wait; op: the client requests to
 * interrupt (LI_OP_SEARCH ...); uri: the server, for the reports. NULL
 * when p has no interrupt, or out of memory. */
li_inject *li_inject_new(const li_params *p, int op, const char *uri);
void li_inject_free(li_inject *in);
/* Every message of the session, as it was framed, with the time it was
 * read: the client's before they are forwarded; the server's before they
 * are relayed, 1 for one that answers the relay's own request and must
 * not reach the client. */
void li_inject_request(li_inject *in, const li_pdu *p, int64_t t_ns);
int li_inject_response(li_inject *in, const li_pdu *p, int64_t t_ns);
/* 1 while a Cancel the relay sent still awaits its answer within its
 * listening: the session holds the client's Unbind until then, since a
 * server that reads the Unbind first may never send that answer. */
int li_inject_awaiting(const li_inject *in);
/* When something is next due (a trigger, the end of a listening), 0: none. */
int64_t li_inject_due(const li_inject *in);
/* The interrupt of one operation whose trigger has fired by now: its
 * request's BER in *bytes (valid until the next call), or 0 when none is
 * due. The caller writes it to the server, then calls li_inject_sent. */
int li_inject_next(li_inject *in, int64_t now, const unsigned char **bytes, size_t *len);
void li_inject_sent(li_inject *in, int64_t t_written);
/* The next operation whose outcome is decided by now, or NULL. lost: the
 * session has ended (its why), every outcome is decided now. The result
 * is valid until the next call. */
const li_result *li_inject_decided(li_inject *in, int64_t now, const char *lost);

#endif
