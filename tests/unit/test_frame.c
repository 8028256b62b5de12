/* SPDX-License-Identifier: BSD-2-Clause */
/* Framing the byte stream into LDAPMessages, however the bytes are split. */
#include <stdlib.h>

#include "frame.h"
#include "tapcheck.h"

typedef struct seen {
	int frames, malformed;
	size_t lens[16];
	const char *why;
} seen;

static void collect(void *arg, const unsigned char *p, size_t n, const char *why)
{
	seen *s = arg;

	(void)p;
	if (why) {
		s->malformed++;
		s->why = why;
		return;
	}
	if (s->frames < 16)
		s->lens[s->frames] = n;
	s->frames++;
}

/* Feeds v in chunks of `step` bytes. */
static seen feed(const unsigned char *v, size_t n, size_t step, size_t max)
{
	li_framer f;
	seen s = { 0 };
	size_t i;

	li_framer_init(&f, max);
	for (i = 0; i < n; i += step)
		li_framer_feed(&f, v + i, n - i < step ? n - i : step, collect, &s);
	li_framer_eof(&f, collect, &s);
	li_framer_free(&f);
	return s;
}

static const unsigned char abandon[] = { 0x30, 0x06, 0x02, 0x01, 0x06, 0x50, 0x01, 0x05 };

int main(void)
{
	unsigned char two[16], big[300];
	size_t step;
	seen s;

	/* the seed vector, whole and byte by byte */
	for (step = 1; step <= sizeof(abandon); step++) {
		s = feed(abandon, sizeof(abandon), step, LI_PDU_MAX);
		ok(s.frames == 1 && s.lens[0] == 8 && s.malformed == 0, "abandon vector framed in chunks of %zu", step);
	}
	/* two messages in one read, and split anywhere */
	memcpy(two, abandon, 8);
	memcpy(two + 8, abandon, 8);
	for (step = 1; step <= 16; step += 5) {
		s = feed(two, 16, step, LI_PDU_MAX);
		ok(s.frames == 2 && s.lens[1] == 8 && !s.malformed, "two messages, chunks of %zu", step);
	}
	/* long-form lengths: 0x81 and 0x82 with a 300-byte message */
	memset(big, 0x04, sizeof(big));
	big[0] = 0x30, big[1] = 0x82, big[2] = 0x01, big[3] = 0x28; /* 296 + 4 = 300 */
	s = feed(big, 300, 7, LI_PDU_MAX);
	ok(s.frames == 1 && s.lens[0] == 300, "0x82 long form, 300 bytes");
	{
		const unsigned char v[] = { 0x30, 0x84, 0x00, 0x00, 0x00, 0x03, 0x02, 0x01, 0x01 };

		s = feed(v, sizeof(v), 1, LI_PDU_MAX);
		ok(s.frames == 1 && s.lens[0] == 9, "0x84 with leading zero octets is BER and accepted");
	}
	{
		const unsigned char v[] = { 0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00 };

		s = feed(v, sizeof(v), 3, LI_PDU_MAX);
		ok(s.frames == 0 && s.malformed == 1 && strstr(s.why, "indefinite"), "indefinite length refused");
	}
	{
		const unsigned char v[] = { 0x30, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02 };

		s = feed(v, sizeof(v), 2, LI_PDU_MAX);
		ok(s.frames == 0 && s.malformed == 1 && strstr(s.why, "more than 4"), "over-long length octets refused");
	}
	{
		const unsigned char v[] = { 0x30, 0x84, 0xc0, 0x00, 0x00, 0x00, 0x02, 0x01, 0x02 };

		s = feed(v, sizeof(v), 4, LI_PDU_MAX);
		ok(s.frames == 0 && s.malformed == 1 && strstr(s.why, "limit"), "a 3 GiB claim is refused at once");
	}
	{
		const unsigned char v[] = "HTTP/1.1 400 Bad Request\r\n";

		s = feed(v, sizeof(v) - 1, 5, LI_PDU_MAX);
		ok(s.frames == 0 && s.malformed == 1 && strstr(s.why, "SEQUENCE"), "non-BER bytes refused");
	}
	{
		const unsigned char v[] = { 0x30, 0x06, 0x02, 0x01, 0x06, 0x50, 0x01, 0x05, 0x48, 0x54 };

		s = feed(v, sizeof(v), 10, LI_PDU_MAX);
		ok(s.frames == 1 && s.malformed == 1, "a good message, then garbage: the good one is kept");
	}
	s = feed(abandon, 5, 2, LI_PDU_MAX);
	ok(s.frames == 0 && s.malformed == 1 && strstr(s.why, "truncated"), "stream ends inside a message");
	s = feed(abandon, 1, 1, LI_PDU_MAX);
	ok(s.frames == 0 && s.malformed == 1, "stream ends inside a header");
	s = feed(big, 300, 300, 100);
	ok(s.frames == 0 && s.malformed == 1, "a message above the configured limit is refused");
	{
		const unsigned char v[] = { 0x30, 0x00 };

		s = feed(v, 2, 1, LI_PDU_MAX);
		ok(s.malformed == 1 && s.frames == 0, "empty LDAPMessage refused");
	}
	{
		size_t hdr = 0, total = 0;
		const char *why = NULL;

		is_int(li_frame_header(abandon, 1, LI_PDU_MAX, &hdr, &total, &why), 1, "one byte: need more");
		is_int(li_frame_header(abandon, 2, LI_PDU_MAX, &hdr, &total, &why), 0, "two bytes: short form done");
		is_int(total, 8, "total length of the seed vector");
	}
	return done_testing();
}
