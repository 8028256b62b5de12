/* SPDX-License-Identifier: BSD-2-Clause */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

li_buf *li_buf_new(void)
{
	return calloc(1, sizeof(li_buf));
}

void li_buf_free(li_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	free(b);
}

void li_buf_reset(li_buf *b)
{
	b->len = 0;
	b->failed = 0;
	if (b->data)
		b->data[0] = '\0';
}

const char *li_buf_data(const li_buf *b)
{
	return b->data ? b->data : "";
}

size_t li_buf_len(const li_buf *b)
{
	return b->len;
}

static int reserve(li_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->failed)
		return -1;
	if (extra >= SIZE_MAX - b->len - 1)
		goto fail;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (p == NULL)
		goto fail;
	b->data = p;
	b->cap = cap;
	return 0;
fail:
	b->failed = 1;
	return -1;
}

char *li_buf_room(li_buf *b, size_t n)
{
	if (reserve(b, n) < 0)
		return NULL;
	return b->data + b->len;
}

void li_buf_grew(li_buf *b, const char *end)
{
	b->len = (size_t)(end - b->data);
	b->data[b->len] = '\0';
}

void li_buf_add(li_buf *b, const void *p, size_t n)
{
	if (n == 0 || reserve(b, n) < 0)
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void li_buf_adds(li_buf *b, const char *s)
{
	li_buf_add(b, s, strlen(s));
}

void li_buf_addc(li_buf *b, char c)
{
	li_buf_add(b, &c, 1);
}

void li_buf_vaddf(li_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || reserve(b, (size_t)n) < 0)
		return;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void li_buf_addf(li_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	li_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

/* The length of the well-formed UTF-8 sequence at s (RFC 3629: no
 * overlongs, no surrogates, nothing above U+10FFFF), or 0. */
size_t li_utf8_char(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

int li_utf8_valid(const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i = 0, len;

	while (i < n) {
		len = li_utf8_char(s + i, n - i);
		if (len == 0)
			return 0;
		i += len;
	}
	return 1;
}

/* The length of the printable UTF-8 character at s, or 0 for a control
 * character (C0, DEL, and C1: U+0080..U+009F, which terminals obey as
 * escapes too) or a byte that does not start a well-formed sequence. */
static size_t printable_char(const unsigned char *s, size_t n)
{
	size_t len;

	if (s[0] < 0x20 || s[0] == 0x7f)
		return 0;
	len = li_utf8_char(s, n);
	if (len == 2 && s[0] == 0xc2 && s[1] < 0xa0)
		return 0;
	return len;
}

/* Escapes what printable_char refuses as \xNN, and with quotes, \" and \\. */
static void add_escaped(li_buf *b, const void *p, size_t n, int quotes)
{
	const unsigned char *s = p;
	size_t i = 0, run = 0, len;

	/* Copy runs of printable UTF-8 at once; escape everything else. */
	while (i < n) {
		len = !quotes || (s[i] != '\\' && s[i] != '"') ? printable_char(s + i, n - i) : 0;
		if (len) {
			i += len;
			continue;
		}
		li_buf_add(b, s + run, i - run);
		if (s[i] == '\\' || s[i] == '"')
			li_buf_addc(b, '\\'), li_buf_addc(b, (char)s[i]);
		else
			li_buf_addf(b, "\\x%02x", s[i]);
		run = ++i;
	}
	li_buf_add(b, s + run, n - run);
}

void li_buf_add_printable(li_buf *b, const void *p, size_t n)
{
	add_escaped(b, p, n, 1);
}

void li_buf_add_safe(li_buf *b, const char *s)
{
	add_escaped(b, s, strlen(s), 0);
}

void li_buf_add_utf8(li_buf *b, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i = 0, run = 0, len;

	while (i < n) {
		len = li_utf8_char(s + i, n - i);
		if (len) {
			i += len;
			continue;
		}
		li_buf_add(b, s + run, i - run);
		li_buf_adds(b, "\xef\xbf\xbd"); /* U+FFFD REPLACEMENT CHARACTER */
		run = ++i;
	}
	li_buf_add(b, s + run, n - run);
}

void li_buf_add_duration(li_buf *b, int64_t us)
{
	if (us == 0)
		li_buf_adds(b, "0 s");
	else if (us % 3600000000LL == 0)
		li_buf_addf(b, "%lld h", (long long)(us / 3600000000LL));
	else if (us % 60000000 == 0)
		li_buf_addf(b, "%lld min", (long long)(us / 60000000));
	else if (us % 1000000 == 0)
		li_buf_addf(b, "%lld s", (long long)(us / 1000000));
	else if (us % 1000 == 0)
		li_buf_addf(b, "%lld ms", (long long)(us / 1000));
	else
		li_buf_addf(b, "%lld us", (long long)us);
}

void li_buf_add_ms(li_buf *b, double ms)
{
	li_buf_addf(b, "%.3f ms", ms);
}
