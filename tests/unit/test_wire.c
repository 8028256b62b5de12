/* SPDX-License-Identifier: BSD-2-Clause */
/* The wire on captured bytes, no slapd: the messages slapd sent and
 * received (tests/fuzz/corpus) and the hand-built vectors, replayed in
 * every chunking a socket could deliver (whole, byte by byte, random
 * splits, random cuts across messages), give the same events. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hex.h"
#include "tapcheck.h"
#include "vectors.h"
#include "wire.h"

#define MAX_MSGS 128

typedef struct msg {
	li_dir dir;
	unsigned char *p;
	size_t n;
	char op[64]; /* from the file name; "" for a vector */
} msg;

/* The events, as text: one line each, per direction and all together. */
typedef struct seen {
	li_buf *all, *dir[2];
	int count;
} seen;

static void on_event(void *arg, const li_event *ev)
{
	seen *s = arg;
	const char *error = li_event_error(ev);
	char line[512];
	/* Bytes that do not frame come with the rest of the chunk they arrived
	 * in (the trace shows what was seen): their length is the chunking's. */
	size_t len = li_event_kind(ev) == LI_EVENT_MESSAGE ? li_event_len(ev) : 0;

	snprintf(line, sizeof(line), "%s %d #%lld %s code=%d len=%zu error=%s\n",
		 li_event_dir(ev) == LI_DIR_SEND ? "send" : "recv", (int)li_event_kind(ev),
		 (long long)li_event_msgid(ev), li_event_op(ev), li_event_result_code(ev), len, error ? error : "-");
	li_buf_adds(s->all, line);
	li_buf_adds(s->dir[li_event_dir(ev)], line);
	s->count++;
}

/* A fixed generator: the same splits on every run and machine. */
static uint32_t rng;

static size_t roll(size_t n)
{
	rng = rng * 1103515245u + 12345u;
	return n ? (size_t)(rng >> 8) % n : 0;
}

enum mode { WHOLE, BYTES, SPLIT, STREAM };

static const char *const mode_names[] = { "whole", "byte by byte", "random splits", "random cuts across messages" };

/* The capture of msgs as a socket might have delivered them. */
static void capture(li_buf *cap, const msg *m, int n, enum mode mode)
{
	int i;

	li_buf_reset(cap);
	if (mode == STREAM) {
		/* Each direction's bytes as one stream, cut anywhere, the
		 * directions taking turns: only the order within one survives. */
		li_buf *stream[2] = { li_buf_new(), li_buf_new() };
		size_t at[2] = { 0, 0 };
		int d;

		for (i = 0; i < n; i++)
			li_buf_add(stream[m[i].dir], m[i].p, m[i].n);
		while (at[0] < li_buf_len(stream[0]) || at[1] < li_buf_len(stream[1]))
			for (d = 0; d < 2; d++) {
				size_t left = li_buf_len(stream[d]) - at[d], k = left ? 1 + roll(left < 300 ? left : 300) : 0;

				if (k)
					li_replay_add(cap, (li_dir)d, (int64_t)at[d],
						      (const unsigned char *)li_buf_data(stream[d]) + at[d], k);
				at[d] += k;
			}
		li_buf_free(stream[0]);
		li_buf_free(stream[1]);
		return;
	}
	for (i = 0; i < n; i++) {
		size_t off = 0, k;

		while (off < m[i].n) {
			k = mode == WHOLE ? m[i].n : mode == BYTES ? 1 : 1 + roll(m[i].n - off);
			li_replay_add(cap, m[i].dir, (int64_t)i, m[i].p + off, k);
			off += k;
		}
	}
}

static void replay(seen *s, const li_buf *cap)
{
	li_wire *w = li_wire_new(on_event, s);
	const char *why = "";

	li_buf_reset(s->all);
	li_buf_reset(s->dir[0]);
	li_buf_reset(s->dir[1]);
	s->count = 0;
	ok(li_replay_feed(w, (const unsigned char *)li_buf_data(cap), li_buf_len(cap), &why) == 0 && why == NULL,
	   "the capture replays");
	li_wire_end(w, LI_DIR_SEND, 1000);
	li_wire_end(w, LI_DIR_RECV, 1000);
	li_wire_close(w, LI_DIR_RECV, "end of the capture", 1000);
	li_wire_free(w);
}

/* Every chunking gives the events of the whole messages, line for line. */
static void every_chunking(const char *name, const msg *m, int n, seen *whole)
{
	li_buf *cap = li_buf_new();
	seen s = { li_buf_new(), { li_buf_new(), li_buf_new() }, 0 };
	int mode, round;

	capture(cap, m, n, WHOLE);
	replay(whole, cap);
	for (mode = BYTES; mode <= STREAM; mode++)
		for (round = 0; round < (mode == BYTES ? 1 : 20); round++) {
			capture(cap, m, n, (enum mode)mode);
			replay(&s, cap);
			if (mode == STREAM) {
				is_str(li_buf_data(s.dir[0]), li_buf_data(whole->dir[0]), "%s, %s (%d): sent the same",
				       name, mode_names[mode], round);
				is_str(li_buf_data(s.dir[1]), li_buf_data(whole->dir[1]),
				       "%s, %s (%d): received the same", name, mode_names[mode], round);
			} else {
				is_str(li_buf_data(s.all), li_buf_data(whole->all), "%s, %s (%d): the same events",
				       name, mode_names[mode], round);
			}
		}
	li_buf_free(s.all);
	li_buf_free(s.dir[0]);
	li_buf_free(s.dir[1]);
	li_buf_free(cap);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The slapd captures, in name order: recv-SearchResultEntry-1 and so on. */
static int load_corpus(const char *dir, msg *m)
{
	char *names[256], path[4096];
	struct dirent *e;
	int i, n = 0, count = 0;
	DIR *d = opendir(dir);

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL && n < 256)
		if (strncmp(e->d_name, "send-", 5) == 0 || strncmp(e->d_name, "recv-", 5) == 0)
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	for (i = 0; i < n && count < MAX_MSGS; i++) {
		FILE *f;
		const char *dash;
		long len;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		f = fopen(path, "rb");
		if (f == NULL || fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) <= 0) {
			if (f)
				fclose(f);
			continue;
		}
		rewind(f);
		m[count].p = malloc((size_t)len);
		m[count].n = fread(m[count].p, 1, (size_t)len, f);
		fclose(f);
		m[count].dir = names[i][0] == 's' ? LI_DIR_SEND : LI_DIR_RECV;
		dash = strrchr(names[i], '-');
		snprintf(m[count].op, sizeof(m[count].op), "%.*s", (int)(dash - names[i] - 5), names[i] + 5);
		count++;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	return count;
}

static void corpus(const char *dir)
{
	seen whole = { li_buf_new(), { li_buf_new(), li_buf_new() }, 0 };
	msg m[MAX_MSGS];
	char want[512];
	const char *line;
	int i, n = load_corpus(dir, m);

	ok(n >= 30, "the corpus holds slapd's messages (%d)", n);
	if (n <= 0)
		return;
	every_chunking("slapd's messages", m, n, &whole);
	is_int(whole.count, n + 1, "one event per message, and the close");
	/* Each message is what its file is named for, and decodes. */
	line = li_buf_data(whole.all);
	for (i = 0; i < n && line; i++) {
		snprintf(want, sizeof(want), "%s 0 #", m[i].dir == LI_DIR_SEND ? "send" : "recv");
		ok(strncmp(line, want, strlen(want)) == 0 && strstr(line, m[i].op) != NULL &&
		   strstr(line, "error=-\n") != NULL && strchr(line, '\n') == strstr(line, "error=-\n") + 7,
		   "event %d: %s, well-formed", i, m[i].op);
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	is_str(line, "recv 2 #-1 closed code=-1 len=0 error=end of the capture\n", "then the close");
	for (i = 0; i < n; i++)
		free(m[i].p);
	li_buf_free(whole.all);
	li_buf_free(whole.dir[0]);
	li_buf_free(whole.dir[1]);
}

/* Events with a reason, the close's included. */
static int reasons(const char *text)
{
	int n = 0;

	while ((text = strstr(text, "error=")) != NULL) {
		n += strncmp(text, "error=-\n", 8) != 0;
		text += 6;
	}
	return n;
}

/* Each vector alone: a well-formed one gives exactly its event; a
 * malformed one its reason, the same in every chunking. Then all of them
 * as one stream. */
static void vector_streams(void)
{
	seen whole = { li_buf_new(), { li_buf_new(), li_buf_new() }, 0 };
	static unsigned char bufs[sizeof(vectors) / sizeof(vectors[0])][512];
	msg all[sizeof(vectors) / sizeof(vectors[0])];
	char want[512];
	size_t i, n = sizeof(vectors) / sizeof(vectors[0]);

	for (i = 0; i < n; i++) {
		const vector *v = &vectors[i];

		all[i].dir = LI_DIR_RECV;
		all[i].p = bufs[i];
		all[i].n = hex_decode(v->hex, bufs[i], sizeof(bufs[i]));
		all[i].op[0] = 0;
		every_chunking(v->name, &all[i], 1, &whole);
		if (v->error == NULL) {
			snprintf(want, sizeof(want),
				 "recv 0 #%lld %s code=%d len=%zu error=-\n"
				 "recv 2 #-1 closed code=-1 len=0 error=end of the capture\n",
				 v->msgid, v->op, v->code, all[i].n);
			is_str(li_buf_data(whole.all), want, "%s: its event", v->name);
		} else {
			ok(reasons(li_buf_data(whole.all)) >= 2, "%s: malformed, with a reason", v->name);
		}
	}
	every_chunking("every vector in one stream", all, (int)n, &whole);
	li_buf_free(whole.all);
	li_buf_free(whole.dir[0]);
	li_buf_free(whole.dir[1]);
}

/* A capture that is cut short says so, after feeding what came before. */
static void bad_captures(void)
{
	seen s = { li_buf_new(), { li_buf_new(), li_buf_new() }, 0 };
	li_wire *w = li_wire_new(on_event, &s);
	li_buf *cap = li_buf_new();
	unsigned char one[] = { 0x30, 0x05, 0x02, 0x01, 0x09, 0x42, 0x00 };
	const char *why = NULL;

	li_replay_add(cap, LI_DIR_SEND, 5, one, sizeof(one));
	li_replay_add(cap, LI_DIR_SEND, 6, one, sizeof(one));
	ok(li_replay_feed(w, (const unsigned char *)li_buf_data(cap), li_buf_len(cap) - 1, &why) == -1,
	   "a record cut short is refused");
	is_str(why, "a record's bytes are cut short", "and named");
	is_str(li_buf_data(s.all), "send 0 #9 UnbindRequest code=-1 len=7 error=-\n", "the record before it was fed");
	((char *)li_buf_data(cap))[0] = 7;
	ok(li_replay_feed(w, (const unsigned char *)li_buf_data(cap), li_buf_len(cap), &why) == -1 &&
	   strcmp(why, "a record's direction is neither 0 (send) nor 1 (recv)") == 0, "an unknown direction is refused");
	ok(li_replay_feed(w, (const unsigned char *)li_buf_data(cap), 12, &why) == -1 &&
	   strcmp(why, "a record's head is cut short") == 0, "a head cut short is refused");
	li_buf_free(cap);
	li_wire_free(w);
	li_buf_free(s.all);
	li_buf_free(s.dir[0]);
	li_buf_free(s.dir[1]);
}

/* Bytes and times: a message completed by a later record carries that
 * record's time; li_wire_partial sees a message begun. */
static void times_and_partials(void)
{
	seen s = { li_buf_new(), { li_buf_new(), li_buf_new() }, 0 };
	li_wire *w = li_wire_new(on_event, &s);
	unsigned char one[] = { 0x30, 0x05, 0x02, 0x01, 0x09, 0x42, 0x00 };

	li_wire_feed(w, LI_DIR_SEND, one, 3, 10);
	ok(li_wire_partial(w, LI_DIR_SEND) && !li_wire_partial(w, LI_DIR_RECV), "a message begun is partial");
	li_wire_feed(w, LI_DIR_SEND, one + 3, 2, 20);
	li_wire_end(w, LI_DIR_SEND, 30);
	is_str(li_buf_data(s.all), "send 1 #-1 malformed code=-1 len=0 error=truncated: the stream ended inside a message\n",
	       "the end of the stream inside a message: truncated");
	is_int(li_wire_bytes(w, LI_DIR_SEND), 5, "every byte counted");
	li_wire_feed(w, (li_dir)2, one, sizeof(one), 40);
	li_wire_end(w, (li_dir)-1, 40);
	ok(s.count == 1 && li_wire_bytes(w, (li_dir)2) == 0 && !li_wire_partial(w, (li_dir)2),
	   "a direction that is neither send nor recv is ignored");
	li_wire_free(w);
	li_wire_free(NULL);
	li_buf_free(s.all);
	li_buf_free(s.dir[0]);
	li_buf_free(s.dir[1]);
}

int main(int argc, char **argv)
{
	rng = 20261202u;
	corpus(argc > 1 ? argv[1] : "tests/fuzz/corpus");
	vector_streams();
	bad_captures();
	times_and_partials();
	return done_testing();
}
