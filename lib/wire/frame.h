/* SPDX-License-Identifier: BSD-2-Clause */
/* Cuts a byte stream into LDAPMessages by their outer BER header, without
 * trusting it: indefinite, over-long and oversized lengths and wrong tags
 * end the framing with a "malformed" frame. */
#ifndef LI_FRAME_H
#define LI_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define LI_PDU_MAX (64u << 20) /* also given to libldap as its incoming limit */

typedef struct li_framer {
	unsigned char *buf;
	size_t len, cap;
	size_t need;      /* total length of the current message, 0 = header incomplete */
	size_t max;
	int broken;       /* framing lost: later bytes are only counted */
	uint64_t dropped; /* bytes seen after the framing was lost */
} li_framer;

/* why == NULL: a complete message; else the bytes could not be framed. */
typedef void (*li_frame_fn)(void *arg, const unsigned char *p, size_t n, const char *why);

void li_framer_init(li_framer *f, size_t max);
void li_framer_free(li_framer *f);
void li_framer_feed(li_framer *f, const unsigned char *p, size_t n, li_frame_fn fn, void *arg);
/* The stream ended: report a partial message, if any, as truncated. */
void li_framer_eof(li_framer *f, li_frame_fn fn, void *arg);
/* A message has been started but not finished (a write in progress). */
int li_framer_partial(const li_framer *f);

/* Parses an outer header "30 len": 0 = complete (*hdr, *total set),
 * 1 = need more bytes, -1 = malformed (*why set). */
int li_frame_header(const unsigned char *p, size_t n, size_t max, size_t *hdr, size_t *total, const char **why);

#endif
