/* SPDX-License-Identifier: BSD-2-Clause */
/* Internal side of li_buf: appending text. */
#ifndef LI_BUF_H
#define LI_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "ldapinterrupt.h"

struct li_buf {
	char *data;
	size_t len;
	size_t cap;
	int failed; /* an allocation failed: the contents are incomplete */
};

void li_buf_add(li_buf *b, const void *p, size_t n);
void li_buf_adds(li_buf *b, const char *s);
void li_buf_addc(li_buf *b, char c);
void li_buf_addf(li_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void li_buf_vaddf(li_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Room for n more bytes after the contents, for a writer that fills them
 * itself (libldap's ldif_sput_wrap), then li_buf_grew with where it
 * stopped (at most n bytes on). NULL when out of memory. */
char *li_buf_room(li_buf *b, size_t n);
void li_buf_grew(li_buf *b, const char *end);
/* UTF-8 checks (RFC 3629). */
size_t li_utf8_char(const unsigned char *s, size_t n);
int li_utf8_valid(const void *p, size_t n);
/* Bytes as printable text: \" and \\ escaped, \xNN for control bytes (C1
 * included) and anything that is not well-formed UTF-8. */
void li_buf_add_printable(li_buf *b, const void *p, size_t n);
/* Text for a terminal (notes, reasons, a server's message on stderr):
 * control characters, C1 included, and bytes that are not UTF-8 as \xNN;
 * everything else, quotes too, as it is. */
void li_buf_add_safe(li_buf *b, const char *s);
/* Valid UTF-8 for JSON: each byte that does not begin a well-formed
 * sequence (RFC 3629) becomes U+FFFD; the rest is copied. */
void li_buf_add_utf8(li_buf *b, const void *p, size_t n);
/* A duration as the user would write it: "250 ms", "2 s", "1 min". */
void li_buf_add_duration(li_buf *b, int64_t us);
/* Milliseconds with three decimals, as the reports print them. */
void li_buf_add_ms(li_buf *b, double ms);

#endif
