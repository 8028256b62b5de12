/* SPDX-License-Identifier: BSD-2-Clause */
#include "replay.h"

#include <string.h>

#include "buf.h"
#include "wire.h"

/* direction (1), time (8), length (4): fixed widths in network order, so
 * that a capture reads the same on any machine. */
#define HEAD 13
#define MAX_RECORD 0xffffffffu

static void put_be(unsigned char *p, uint64_t v, int n)
{
	while (n-- > 0) {
		p[n] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

static uint64_t get_be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

int li_replay_add(li_buf *capture, li_dir dir, int64_t t_ns, const unsigned char *bytes, size_t len)
{
	unsigned char head[HEAD];

	if (len > MAX_RECORD)
		return -1;
	head[0] = (unsigned char)dir;
	put_be(head + 1, (uint64_t)t_ns, 8);
	put_be(head + 9, len, 4);
	li_buf_add(capture, head, sizeof(head));
	li_buf_add(capture, bytes, len);
	return capture->failed ? -1 : 0;
}

int li_replay_feed(li_wire *w, const unsigned char *capture, size_t len, const char **why)
{
	const char *ignored;
	size_t n;

	if (why == NULL)
		why = &ignored;
	*why = NULL;
	while (len > 0) {
		if (len < HEAD) {
			*why = "a record's head is cut short";
			return -1;
		}
		if (capture[0] != LI_DIR_SEND && capture[0] != LI_DIR_RECV) {
			*why = "a record's direction is neither 0 (send) nor 1 (recv)";
			return -1;
		}
		n = (size_t)get_be(capture + 9, 4);
		if (n > len - HEAD) {
			*why = "a record's bytes are cut short";
			return -1;
		}
		li_wire_feed(w, (li_dir)capture[0], capture + HEAD, n, (int64_t)get_be(capture + 1, 8));
		capture += HEAD + n;
		len -= HEAD + n;
	}
	return 0;
}
