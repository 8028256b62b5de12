/* SPDX-License-Identifier: BSD-2-Clause */
/* "30 06 02 01" -> bytes, for the vector tables; exact-size copies. */
#ifndef LI_HEX_H
#define LI_HEX_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static inline size_t hex_decode(const char *s, unsigned char *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *s && n < cap; s++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0' : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 : -1;

		if (d < 0)
			continue;
		if (hi < 0) {
			hi = d;
		} else {
			out[n++] = (unsigned char)(hi << 4 | d);
			hi = -1;
		}
	}
	return n;
}

/* An exact-size heap copy of n bytes, so that ASan and valgrind see any
 * read further, plus the one byte liblber may peek at (see lib/wire/pdu.h).
 * The caller frees it. */
static inline unsigned char *exact_copy(const unsigned char *p, size_t n)
{
	unsigned char *copy = malloc(n + 1);

	if (copy == NULL)
		abort();
	memcpy(copy, p, n);
	copy[n] = 0xee;
	return copy;
}

#endif
