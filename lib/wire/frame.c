/* SPDX-License-Identifier: BSD-2-Clause */
#include "frame.h"

#include <stdlib.h>
#include <string.h>

void li_framer_init(li_framer *f, size_t max)
{
	memset(f, 0, sizeof(*f));
	f->max = max;
}

void li_framer_free(li_framer *f)
{
	free(f->buf);
	memset(f, 0, sizeof(*f));
}

int li_frame_header(const unsigned char *p, size_t n, size_t max, size_t *hdr, size_t *total, const char **why)
{
	size_t i, octets, len = 0;

	if (n < 1)
		return 1;
	if (p[0] != 0x30) {
		*why = "not an LDAPMessage (expected a SEQUENCE, tag 0x30)";
		return -1;
	}
	if (n < 2)
		return 1;
	if (p[1] < 0x80) {
		len = p[1];
		*hdr = 2;
	} else if (p[1] == 0x80) {
		*why = "indefinite length (not allowed in LDAP)";
		return -1;
	} else {
		octets = p[1] & 0x7fu;
		if (octets > 4) {
			*why = "length of more than 4 octets";
			return -1;
		}
		if (n < 2 + octets)
			return 1;
		for (i = 0; i < octets; i++)
			len = (len << 8) | p[2 + i];
		*hdr = 2 + octets;
	}
	if (len == 0) {
		*why = "empty LDAPMessage";
		return -1;
	}
	if (len > max - *hdr) {
		*why = "length beyond the limit for one message";
		return -1;
	}
	*total = *hdr + len;
	return 0;
}

static int grow(li_framer *f, size_t want)
{
	unsigned char *p;
	size_t cap = f->cap ? f->cap : 512;

	if (want <= f->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	p = realloc(f->buf, cap);
	if (p == NULL)
		return -1;
	f->buf = p;
	f->cap = cap;
	return 0;
}

static void lose(li_framer *f, const unsigned char *p, size_t n, const char *why, li_frame_fn fn, void *arg)
{
	f->broken = 1;
	fn(arg, p, n, why);
	f->len = 0;
	f->need = 0;
}

void li_framer_feed(li_framer *f, const unsigned char *p, size_t n, li_frame_fn fn, void *arg)
{
	while (n > 0) {
		size_t take, hdr = 0, total = 0;
		const char *why = NULL;
		int rc;

		if (f->broken) {
			f->dropped += n;
			return;
		}
		if (f->need == 0) {
			/* Header: at most 6 bytes matter; gather them. */
			/* While the header is incomplete f->len < 6, its longest form. */
			take = n < 6 - f->len ? n : 6 - f->len;
			if (grow(f, f->len + take) < 0) {
				lose(f, p, n, "out of memory", fn, arg);
				return;
			}
			memcpy(f->buf + f->len, p, take);
			f->len += take;
			p += take;
			n -= take;
			rc = li_frame_header(f->buf, f->len, f->max, &hdr, &total, &why);
			if (rc == 1)
				continue;
			if (rc < 0) {
				/* Show what was seen: the header bytes and the rest of this chunk. */
				if (grow(f, f->len + n) == 0) {
					memcpy(f->buf + f->len, p, n);
					f->len += n;
					n = 0;
				}
				lose(f, f->buf, f->len, why, fn, arg);
				f->dropped += n;
				return;
			}
			f->need = total;
			/* One spare byte: liblber peeks past an element's end. */
			if (grow(f, total + 1) < 0) {
				lose(f, f->buf, f->len, "out of memory", fn, arg);
				return;
			}
			/* We may have taken bytes beyond a tiny message: give them back. */
			if (f->len > total) {
				size_t extra = f->len - total;

				p -= extra;
				n += extra;
				f->len = total;
			}
		}
		take = f->need - f->len;
		if (take > n)
			take = n;
		memcpy(f->buf + f->len, p, take);
		f->len += take;
		p += take;
		n -= take;
		if (f->len == f->need) {
			fn(arg, f->buf, f->len, NULL);
			f->len = 0;
			f->need = 0;
		}
	}
}

void li_framer_eof(li_framer *f, li_frame_fn fn, void *arg)
{
	if (f->broken || f->len == 0)
		return;
	lose(f, f->buf, f->len, "truncated: the stream ended inside a message", fn, arg);
}

int li_framer_partial(const li_framer *f)
{
	return !f->broken && f->len > 0;
}
