/* SPDX-License-Identifier: BSD-2-Clause */
#include "wire.h"

#include <stdlib.h>
#include <string.h>

#include <lber.h>
#include <ldap.h>

#include "frame.h"
#include "names.h"

struct li_wire {
	li_event_fn fn;
	void *arg;
	li_framer framer[2];
	uint64_t bytes[2];
	int64_t origin_ns;
	BerElement *scratch;
	/* The full decode costs more than the head: only an observer that
	 * looks at the fields pays for it, once per message. */
	li_decoder *decoder;
	li_decoded full;
	const li_event *full_for; /* the event whose tree `full` holds */
	li_dir cur;               /* the direction being framed, for on_frame */
	int64_t t_cur;
};

li_wire *li_wire_new(li_event_fn fn, void *arg)
{
	li_wire *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->fn = fn;
	w->arg = arg;
	li_framer_init(&w->framer[LI_DIR_SEND], LI_PDU_MAX);
	li_framer_init(&w->framer[LI_DIR_RECV], LI_PDU_MAX);
	w->scratch = ber_alloc_t(0);
	if (w->scratch == NULL) {
		li_wire_free(w);
		return NULL;
	}
	return w;
}

void li_wire_free(li_wire *w)
{
	if (w == NULL)
		return;
	li_framer_free(&w->framer[LI_DIR_SEND]);
	li_framer_free(&w->framer[LI_DIR_RECV]);
	ber_free(w->scratch, 0);
	li_decoder_free(w->decoder);
	free(w);
}

void li_wire_set_origin(li_wire *w, int64_t t_ns)
{
	w->origin_ns = t_ns;
}

static void fill(li_wire *w, li_event *ev, li_event_type kind, li_dir dir, const unsigned char *p, size_t n,
		 const char *why, int64_t t_ns)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->dir = dir;
	ev->t_ns = t_ns;
	ev->ms = (double)(t_ns - w->origin_ns) / 1e6;
	ev->bytes = p;
	ev->len = n;
	ev->why = why;
	ev->wire = w;
	ev->pdu.msgid = -1;
	ev->pdu.target = -1;
	if (kind == LI_EVENT_MESSAGE)
		ev->decoded = li_pdu_decode(w->scratch, p, n, &ev->pdu) == 0;
	else
		ev->pdu.op = kind == LI_EVENT_MALFORMED ? "malformed" : "closed";
	/* A new event, perhaps at the address of an old one: its tree is not
	 * decoded yet. */
	w->full_for = NULL;
}

static void emit(li_wire *w, li_event_type kind, li_dir dir, const unsigned char *p, size_t n, const char *why,
		 int64_t t_ns)
{
	li_event ev;

	fill(w, &ev, kind, dir, p, n, why, t_ns);
	w->fn(w->arg, &ev);
	w->full_for = NULL;
}

void li_wire_message(li_wire *w, li_event *ev, const unsigned char *p, size_t n)
{
	fill(w, ev, LI_EVENT_MESSAGE, LI_DIR_RECV, p, n, NULL, w->origin_ns);
}

static void on_frame(void *arg, const unsigned char *p, size_t n, const char *why)
{
	li_wire *w = arg;

	emit(w, why ? LI_EVENT_MALFORMED : LI_EVENT_MESSAGE, w->cur, p, n, why, w->t_cur);
}

/* li_dir comes from callers outside the library: an index must be checked. */
static int bad_dir(li_dir dir)
{
	return dir != LI_DIR_SEND && dir != LI_DIR_RECV;
}

void li_wire_feed(li_wire *w, li_dir dir, const unsigned char *bytes, size_t len, int64_t t_ns)
{
	if (bad_dir(dir))
		return;
	w->bytes[dir] += len;
	w->cur = dir;
	w->t_cur = t_ns;
	li_framer_feed(&w->framer[dir], bytes, len, on_frame, w);
}

void li_wire_end(li_wire *w, li_dir dir, int64_t t_ns)
{
	if (bad_dir(dir))
		return;
	w->cur = dir;
	w->t_cur = t_ns;
	li_framer_eof(&w->framer[dir], on_frame, w);
}

void li_wire_close(li_wire *w, li_dir dir, const char *why, int64_t t_ns)
{
	emit(w, LI_EVENT_CLOSED, dir, NULL, 0, why, t_ns);
}

int li_wire_partial(const li_wire *w, li_dir dir)
{
	return bad_dir(dir) ? 0 : li_framer_partial(&w->framer[dir]);
}

uint64_t li_wire_bytes(const li_wire *w, li_dir dir)
{
	return bad_dir(dir) ? 0 : w->bytes[dir];
}

static void copy_bv(char *dst, size_t size, const struct berval *bv)
{
	size_t n = bv->bv_len < size - 1 ? bv->bv_len : size - 1;

	if (n)
		memcpy(dst, bv->bv_val, n);
	dst[n] = '\0';
}

void li_reply_record(li_reply *r, const li_pdu *p, int64_t t_ns)
{
	r->seen = 1;
	r->code = p->result_code;
	r->t_ns = t_ns;
	copy_bv(r->diag, sizeof(r->diag), &p->diag);
	copy_bv(r->matched, sizeof(r->matched), &p->matched);
}

int li_pdu_is_notice_of_disconnection(const li_pdu *p)
{
	return p->msgid == 0 && p->tag == LDAP_RES_EXTENDED && p->has_oid &&
	       p->oid.bv_len == strlen(LI_OID_NOTICE_OF_DISCONNECTION) &&
	       memcmp(p->oid.bv_val, LI_OID_NOTICE_OF_DISCONNECTION, p->oid.bv_len) == 0;
}

const li_decoded *li_event_full(const li_event *ev)
{
	li_wire *w = ev->wire;

	if (ev->kind != LI_EVENT_MESSAGE || w == NULL)
		return NULL;
	if (w->full_for == ev)
		return &w->full;
	if (w->decoder == NULL && (w->decoder = li_decoder_new()) == NULL)
		return NULL;
	li_decode(w->decoder, ev->bytes, ev->len, &w->full);
	w->full_for = ev;
	return &w->full;
}

const li_field *li_event_fields(const li_event *ev)
{
	const li_decoded *full = li_event_full(ev);

	return full ? full->root : NULL;
}

li_event_type li_event_kind(const li_event *ev) { return ev->kind; }
li_dir li_event_dir(const li_event *ev) { return ev->dir; }
int64_t li_event_msgid(const li_event *ev) { return ev->pdu.msgid; }
double li_event_ms(const li_event *ev) { return ev->ms; }
int64_t li_event_time_ns(const li_event *ev) { return ev->t_ns; }
size_t li_event_len(const li_event *ev) { return ev->len; }

const char *li_event_op(const li_event *ev)
{
	return ev->pdu.op ? ev->pdu.op : "unknown";
}

const unsigned char *li_event_bytes(const li_event *ev, size_t *len)
{
	if (len)
		*len = ev->len;
	return ev->bytes;
}

const char *li_event_error(const li_event *ev)
{
	return ev->kind == LI_EVENT_MESSAGE ? ev->pdu.error : ev->why;
}

int li_event_result_code(const li_event *ev)
{
	return ev->pdu.has_result ? ev->pdu.result_code : -1;
}
