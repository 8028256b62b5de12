/* SPDX-License-Identifier: BSD-2-Clause */
/* Decodes the head of one LDAPMessage with liblber: message ID, protocolOp
 * and what decides an outcome (result code, extended OIDs, abandon and
 * cancel targets). Never reads outside [p, p + n). */
#ifndef LI_PDU_H
#define LI_PDU_H

#include <stddef.h>
#include <stdint.h>

#include <lber.h>

typedef struct li_pdu {
	int64_t msgid;       /* -1 when it could not be decoded */
	ber_tag_t tag;       /* protocolOp tag, LBER_DEFAULT when unknown */
	const char *op;      /* RFC 4511 name of the protocolOp */
	const char *error;   /* NULL, or why the message is malformed */
	int has_result;      /* responses with an LDAPResult */
	int result_code;
	struct berval matched, diag; /* point into the message */
	struct berval oid;   /* ExtendedRequest/Response, IntermediateResponse name */
	struct berval value;
	int has_oid, has_value;
	int64_t target;      /* AbandonRequest's ID or Cancel's cancelID, -1 if none */
	int is_final;        /* a response that ends its operation */
	int is_entry;        /* SearchResultEntry or SearchResultReference */
} li_pdu;

/* The wording of the range checks, shared with the full decoder. */
#define LI_PDU_BAD_MSGID "messageID out of range (0..2147483647)"
#define LI_PDU_BAD_RESULT_CODE "resultCode out of range (0..2147483647)"

/* The envelope every reader of a message starts with (RFC 4511 §4.1.1):
 * LDAPMessage ::= SEQUENCE { messageID, protocolOp, controls [0] OPTIONAL }.
 * The framer's outer-header rules, the messageID's range and the
 * protocolOp's bounds are checked here once, so that the head decoder and
 * the full decoder cannot disagree on which messages are malformed. */
typedef struct li_envelope {
	int64_t msgid;            /* -1 until decoded */
	ber_tag_t tag;            /* protocolOp tag, LBER_DEFAULT when missing */
	struct berval op;         /* the protocolOp element, tag and length included */
	struct berval content;    /* its contents */
	struct berval rest;       /* from the protocolOp to the end of the message */
	struct berval controls;   /* the contents of [0] Controls */
	int has_controls;
	int trailing;             /* bytes after the controls: the caller decides */
	const char *error;        /* NULL, or why the envelope is malformed */
} li_envelope;

/* 0, or -1 with env->error set (and env filled as far as it could be).
 * ber is used as scratch; p[n] must be readable, as for li_pdu_decode.
 * An unknown protocolOp is an error; its tag is still set. */
int li_envelope_read(BerElement *ber, const unsigned char *p, size_t n, li_envelope *env);

/* 0 when the message decodes; -1 with out->error set otherwise (out->msgid
 * and out->op are filled as far as they could be). scratch may be NULL.
 * liblber peeks at the byte after each element: p[n] must be readable
 * (it is never written, and never used). */
int li_pdu_decode(BerElement *scratch, const unsigned char *p, size_t n, li_pdu *out);

/* The Cancel request value: SEQUENCE { cancelID MessageID }. */
int li_pdu_cancel_id(BerElement *scratch, const struct berval *value, int64_t *id);

#endif
