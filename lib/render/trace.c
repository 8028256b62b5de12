/* SPDX-License-Identifier: BSD-2-Clause */
/* ldaptrace's renderers: one line (or one JSON object) per message, from
 * the decoded field tree. Secrets were replaced by the decoder; --hex masks
 * their bytes here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "redact.h"
#include "wire.h"
#include "trace.h"

#define MALFORMED_HEX_MAX 64

/* ---- hex with secrets masked ---- */

/* full: the event's decoded tree, NULL for bytes that did not frame. */
static int masked(const li_decoded *full, size_t i)
{
	int k;

	if (full == NULL)
		return 0;
	if (full->secrets_overflow)
		return 1;
	for (k = 0; k < full->nsecrets; k++)
		if (i >= full->secrets[k].off && i - full->secrets[k].off < full->secrets[k].len)
			return 1;
	return 0;
}

static void add_hex(li_buf *b, const li_event *ev, size_t n, const char *indent, const char *sep)
{
	static const char digits[] = "0123456789abcdef";
	const li_decoded *full = li_event_full(ev);
	size_t i;

	for (i = 0; i < n; i++) {
		char cell[2];

		if (indent && i % 16 == 0) {
			if (i)
				li_buf_addc(b, '\n');
			li_buf_adds(b, indent);
		} else if (i) {
			li_buf_adds(b, sep);
		}
		if (masked(full, i)) {
			li_buf_add(b, "**", 2);
			continue;
		}
		cell[0] = digits[ev->bytes[i] >> 4];
		cell[1] = digits[ev->bytes[i] & 0xf];
		li_buf_add(b, cell, 2);
	}
	if (indent && n)
		li_buf_addc(b, '\n');
}

/* ---- text ---- */

static void text_node(li_buf *b, const li_node *n, unsigned flags);
static const li_node *text_named_oid(li_buf *b, const li_node *c);

static void text_secret(li_buf *b, long long len)
{
	li_buf_add_redacted(b, (size_t)len);
}

static void text_scalar(li_buf *b, const li_node *n)
{
	switch (n->kind) {
	case LI_K_STR:
		li_buf_addc(b, '"');
		li_buf_add_printable(b, n->s, n->n);
		li_buf_addc(b, '"');
		break;
	case LI_K_WORD:
		li_buf_add_printable(b, n->s, n->n);
		break;
	case LI_K_INT:
		li_buf_addf(b, "%lld", n->i);
		break;
	case LI_K_BOOL:
		li_buf_adds(b, n->i ? "true" : "false");
		break;
	case LI_K_SECRET:
		text_secret(b, n->i);
		break;
	default:
		break;
	}
}

/* "oid=1.3.6.1.1.8 (Cancel)": the known name follows its OID. */
static const li_node *text_named_oid(li_buf *b, const li_node *c)
{
	if (c->key == NULL || strcmp(c->key, "oid") != 0 || c->next == NULL || c->next->key == NULL ||
	    strcmp(c->next->key, "oid_name") != 0)
		return NULL;
	li_buf_adds(b, "oid=");
	li_buf_add_printable(b, c->s, c->n);
	li_buf_adds(b, " (");
	li_buf_add_printable(b, c->next->s, c->next->n);
	li_buf_addc(b, ')');
	return c->next;
}

static void text_children(li_buf *b, const li_node *n, unsigned flags, const char *sep)
{
	const li_node *c, *skip;

	for (c = n->first; c; c = c->next) {
		if ((c->flags & LI_NF_VALUES) && !(flags & LI_RENDER_VALUES) && !(n->flags & LI_NF_ATTRS))
			continue;
		if (c != n->first)
			li_buf_adds(b, sep);
		if ((skip = text_named_oid(b, c)) != NULL)
			c = skip;
		else
			text_node(b, c, flags);
	}
}

static void text_value(li_buf *b, const li_node *n, unsigned flags)
{
	const li_node *c;

	if (n->kind == LI_K_OBJ && (n->flags & LI_NF_ATTRS) && !(flags & LI_RENDER_VALUES)) {
		/* Entries without -v: the attribute names. */
		li_buf_addc(b, '[');
		for (c = n->first; c; c = c->next) {
			if (c != n->first)
				li_buf_addc(b, ',');
			li_buf_add_printable(b, c->key, strlen(c->key));
		}
		li_buf_addc(b, ']');
	} else if (n->kind == LI_K_OBJ) {
		li_buf_addc(b, '{');
		text_children(b, n, flags, " ");
		li_buf_addc(b, '}');
	} else if (n->kind == LI_K_LIST) {
		li_buf_addc(b, '[');
		text_children(b, n, flags, ",");
		li_buf_addc(b, ']');
	} else {
		text_scalar(b, n);
	}
}

static void text_node(li_buf *b, const li_node *n, unsigned flags)
{
	if (n->key) {
		li_buf_add_printable(b, n->key, strlen(n->key));
		li_buf_addc(b, '=');
	}
	text_value(b, n, flags);
}

/* The fields after the operation's name. A result reads "canceled (118)". */
static void text_fields(li_buf *b, const li_node *root, unsigned flags)
{
	const li_node *c, *skip;

	for (c = root->first; c; c = c->next) {
		if ((c->flags & LI_NF_VALUES) && !(flags & LI_RENDER_VALUES))
			continue;
		li_buf_addc(b, ' ');
		if ((skip = text_named_oid(b, c)) != NULL) {
			c = skip;
			continue;
		}
		if (c->kind == LI_K_INT && strcmp(c->key, "code") == 0 && c->next && strcmp(c->next->key, "name") == 0) {
			li_buf_add_printable(b, c->next->s, c->next->n);
			li_buf_addf(b, " (%lld)", c->i);
			c = c->next;
			continue;
		}
		text_node(b, c, flags);
	}
}

static const char *arrow(li_dir d)
{
	return d == LI_DIR_SEND ? "->" : "<-";
}

/* Why a framed message is malformed, or NULL. The head decoder's verdict
 * comes first: it is what the run counted (connection.malformed). */
static const char *event_error(const li_event *ev)
{
	const li_decoded *full;

	if (ev->pdu.error)
		return ev->pdu.error;
	full = li_event_full(ev);
	return full ? full->error : NULL;
}

int li_trace_text(const li_event *ev, unsigned flags, li_buf *out)
{
	const char *error;
	size_t n;

	li_buf_addf(out, "%12.6f %s ", ev->ms / 1000.0, arrow(ev->dir));
	if (ev->kind == LI_EVENT_CLOSED) {
		li_buf_addf(out, "%s%s\n", strncmp(ev->why, "connection ", 11) ? "connection " : "", ev->why);
		return out->failed ? -1 : 0;
	}
	if (ev->kind == LI_EVENT_MALFORMED) {
		n = ev->len < MALFORMED_HEX_MAX ? ev->len : MALFORMED_HEX_MAX;
		li_buf_addf(out, "malformed: %s (%zu bytes%s)\n", ev->why, ev->len, n < ev->len ? ", the first shown" : "");
		add_hex(out, ev, n, "    ", " ");
		return out->failed ? -1 : 0;
	}
	if (ev->pdu.msgid >= 0)
		li_buf_addf(out, "#%lld ", (long long)ev->pdu.msgid);
	error = event_error(ev);
	if (strcmp(li_event_op(ev), "malformed") == 0) {
		/* No protocolOp to name: the same line as for bytes that do not frame. */
		li_buf_addf(out, "malformed: %s (%zu bytes)\n", error, ev->len);
		add_hex(out, ev, ev->len, "    ", " ");
		return out->failed ? -1 : 0;
	}
	li_buf_adds(out, li_event_op(ev));
	if (li_event_full(ev))
		text_fields(out, li_event_full(ev)->root, flags);
	if (error)
		li_buf_addf(out, " malformed: %s", error);
	li_buf_addc(out, '\n');
	/* A message that did not decode shows its bytes, --hex or not. */
	if ((flags & LI_RENDER_HEX) || error)
		add_hex(out, ev, ev->len, "    ", " ");
	return out->failed ? -1 : 0;
}

/* ---- JSON ---- */

static json_object *json_bytes(const char *s, size_t n)
{
	json_object *o;
	li_buf hex = { 0 };
	size_t i;

	if (li_utf8_valid(s, n))
		return json_object_new_string_len(s, (int)n);
	/* Not text: the bytes in hex, so that the line stays valid JSON. */
	for (i = 0; i < n; i++)
		li_buf_addf(&hex, "%02x", (unsigned char)s[i]);
	o = json_object_new_object();
	json_object_object_add(o, "hex", json_object_new_string(li_buf_data(&hex)));
	free(hex.data);
	return o;
}

static json_object *json_node(const li_node *n, unsigned flags);

static json_object *json_secret(long long len)
{
	li_buf text = { 0 };
	json_object *o;

	li_buf_add_redacted(&text, (size_t)len);
	o = json_object_new_string(li_buf_data(&text));
	free(text.data);
	return o;
}

static void json_fill(json_object *obj, const li_node *n, unsigned flags)
{
	const li_node *c;

	for (c = n->first; c; c = c->next) {
		if ((c->flags & LI_NF_VALUES) && !(flags & LI_RENDER_VALUES) && !(n->flags & LI_NF_ATTRS))
			continue;
		if (json_object_is_type(obj, json_type_array))
			json_object_array_add(obj, json_node(c, flags));
		else
			li_json_add_key(obj, c->key, json_node(c, flags));
	}
}

static json_object *json_node(const li_node *n, unsigned flags)
{
	json_object *o;
	const li_node *c;

	switch (n->kind) {
	case LI_K_OBJ:
		if ((n->flags & LI_NF_ATTRS) && !(flags & LI_RENDER_VALUES)) {
			o = json_object_new_array();
			for (c = n->first; c; c = c->next)
				json_object_array_add(o, li_json_str(c->key));
			return o;
		}
		o = json_object_new_object();
		json_fill(o, n, flags);
		return o;
	case LI_K_LIST:
		o = json_object_new_array();
		json_fill(o, n, flags);
		return o;
	case LI_K_STR:
	case LI_K_WORD:
		return json_bytes(n->s, n->n);
	case LI_K_INT:
		return json_object_new_int64(n->i);
	case LI_K_BOOL:
		return json_object_new_boolean((json_bool)n->i);
	case LI_K_SECRET:
		return json_secret(n->i);
	}
	return NULL;
}

json_object *li_trace_json_object(const li_event *ev, unsigned flags)
{
	json_object *o = json_object_new_object();
	const li_pdu *p = &ev->pdu;
	const char *error = NULL;
	size_t n = ev->len;

	json_object_object_add(o, "format", json_object_new_int(LI_JSON_FORMAT));
	json_object_object_add(o, "t_ms", li_json_ms(ev->ms));
	json_object_object_add(o, "dir", json_object_new_string(ev->dir == LI_DIR_SEND ? "send" : "recv"));
	json_object_object_add(o, "msgid", p->msgid >= 0 ? json_object_new_int64(p->msgid) : NULL);
	json_object_object_add(o, "op", json_object_new_string(ev->kind == LI_EVENT_CLOSED ? "closed"
								    : ev->kind == LI_EVENT_MALFORMED ? "malformed"
								    : p->op ? p->op : "unknown"));
	json_object_object_add(o, "len", json_object_new_int64((int64_t)ev->len));
	if (li_event_full(ev))
		json_fill(o, li_event_full(ev)->root, flags);
	if (ev->kind != LI_EVENT_MESSAGE)
		error = ev->why;
	else
		error = event_error(ev);
	if (error)
		json_object_object_add(o, ev->kind == LI_EVENT_CLOSED ? "reason" : "error", li_json_str(error));
	if (ev->kind == LI_EVENT_MALFORMED && n > MALFORMED_HEX_MAX)
		n = MALFORMED_HEX_MAX;
	if (ev->kind != LI_EVENT_CLOSED && ((flags & LI_RENDER_HEX) || error)) {
		li_buf hex = { 0 };

		add_hex(&hex, ev, n, NULL, " ");
		json_object_object_add(o, "hex", json_object_new_string(li_buf_data(&hex)));
		free(hex.data);
	}
	return o;
}

int li_trace_json(const li_event *ev, unsigned flags, li_buf *out)
{
	return li_json_append(out, li_trace_json_object(ev, flags));
}
