/* SPDX-License-Identifier: BSD-2-Clause */
/* The wire: bytes of both directions in, one event per message out. It
 * frames each direction (frame.c), reads each message's head (pdu.c) and,
 * when an observer asks for it, the full field tree (decode.c). Adapters
 * feed it: the tap on libldap's Sockbuf (sockbuf.c), a replay of captured
 * bytes (replay.c). The public half is in ldapinterrupt.h. */
#ifndef LI_WIRE_H
#define LI_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "ldapinterrupt.h"
#include "pdu.h"

struct li_event {
	li_event_type kind;
	li_dir dir;
	int64_t t_ns;
	double ms;           /* since the wire's origin */
	const unsigned char *bytes;
	size_t len;
	const char *why;     /* malformed or closed: how */
	li_pdu pdu;
	int decoded;         /* pdu is complete and well-formed */
	li_wire *wire;       /* decodes the full tree when first asked */
};

/* Fills ev as the wire would for one message framed elsewhere (recv, time
 * 0), without calling the callback: for tests and the fuzzer, which give
 * the decoders bytes the framer would refuse. ev is valid until the next
 * event of w. */
void li_wire_message(li_wire *w, li_event *ev, const unsigned char *p, size_t n);

/* A final response as the reports keep it: its result code, time,
 * diagnosticMessage and matchedDN (cut at the first NUL byte or the size). */
void li_reply_record(li_reply *r, const li_pdu *p, int64_t t_ns);
/* The unsolicited Notice of Disconnection (RFC 4511 section 4.4.1). */
int li_pdu_is_notice_of_disconnection(const li_pdu *p);

/* Every field of a message, decoded on the first call for this event and
 * kept until the next event; NULL for a malformed message or a close, or
 * when the decoder cannot be allocated. out->error says where decoding
 * stopped. */
const li_decoded *li_event_full(const li_event *ev);

#endif
