/* SPDX-License-Identifier: BSD-2-Clause */
/* Decodes a whole LDAPMessage (RFC 4511, with the controls and extended
 * operations the tools meet) into a small tree of named fields that the
 * trace renderers print as text or JSON. liblber parses every element,
 * each inside the bounds of its parent; secrets become length markers and
 * their byte ranges are recorded so that --hex can mask them too. */
#ifndef LI_DECODE_H
#define LI_DECODE_H

#include <stddef.h>

#include <lber.h>

#include "arena.h"
#include "ldapinterrupt.h"

/* The public li_field_type, by the short names the decoder and renderers use. */
typedef enum li_kind {
	LI_K_OBJ = LI_FIELD_OBJECT,
	LI_K_LIST = LI_FIELD_LIST,
	LI_K_STR = LI_FIELD_STRING,  /* bytes from the message, shown quoted */
	LI_K_WORD = LI_FIELD_WORD,   /* text shown bare: scope=sub, OIDs, attribute names */
	LI_K_INT = LI_FIELD_INT,
	LI_K_BOOL = LI_FIELD_BOOL,
	LI_K_SECRET = LI_FIELD_SECRET, /* a redacted value: i holds its length */
} li_kind;

#define LI_NF_VALUES 0x1u /* attribute values: shown with -v only */
#define LI_NF_ATTRS 0x2u  /* an OBJ of attribute -> values */

/* The public li_field is this node: the accessors in decode.c walk it. */
typedef struct li_field {
	li_kind kind;
	unsigned flags;
	const char *key;
	const char *s; /* STR, WORD */
	size_t n;
	long long i;   /* INT, BOOL, SECRET length */
	struct li_field *first, *last, *next;
} li_node;

#define LI_MAX_SECRETS 16

typedef struct li_decoded {
	li_node *root;           /* the protocolOp's fields */
	const char *error;       /* NULL, or why decoding stopped */
	struct { size_t off, len; } secrets[LI_MAX_SECRETS];
	int nsecrets;
	int secrets_overflow;    /* more secrets than slots: mask everything */
} li_decoded;

typedef struct li_decoder li_decoder;

li_decoder *li_decoder_new(void);
void li_decoder_free(li_decoder *d);

/* Decodes p[0..n) (p[n] must be readable: liblber peeks one byte past an
 * element). The tree lives until the next call. 0, or -1 with out->error
 * set and out->root holding what was decoded before the error. */
int li_decode(li_decoder *d, const unsigned char *p, size_t n, li_decoded *out);

#endif
