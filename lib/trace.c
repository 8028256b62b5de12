/* ldaptrace's renderers: one line (or JSON object) per message. */
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "report.h"
#include "run.h"

static const char *dir_word(li_dir d)
{
	return d == LI_DIR_SEND ? "send" : "recv";
}

static void text_oid(li_buf *b, const char *label, const struct berval *oid)
{
	const char *name = li_oid_name(oid->bv_val, oid->bv_len);

	li_buf_addf(b, " %s=", label);
	li_buf_add_printable(b, oid->bv_val, oid->bv_len);
	if (name)
		li_buf_addf(b, " (%s)", name);
}

static void text_fields(li_buf *b, const li_event *ev)
{
	const li_pdu *p = &ev->pdu;
	const char *rn;

	if (p->has_result) {
		rn = li_result_name(p->result_code);
		li_buf_addf(b, " %s (%d)", rn ? rn : "unknown", p->result_code);
		if (p->matched.bv_len) {
			li_buf_adds(b, " matched=\"");
			li_buf_add_printable(b, p->matched.bv_val, p->matched.bv_len);
			li_buf_addc(b, '"');
		}
		if (p->diag.bv_len) {
			li_buf_adds(b, " message=\"");
			li_buf_add_printable(b, p->diag.bv_val, p->diag.bv_len);
			li_buf_addc(b, '"');
		}
	}
	if (p->has_oid)
		text_oid(b, p->tag == LDAP_REQ_EXTENDED ? "request" : "response", &p->oid);
	if (p->tag == LDAP_REQ_ABANDON && p->target >= 0)
		li_buf_addf(b, " abandon=#%lld", (long long)p->target);
	else if (p->target >= 0)
		li_buf_addf(b, " cancelID=#%lld", (long long)p->target);
}

int li_trace_text(const li_run *run, const li_event *ev, unsigned flags, li_buf *out)
{
	(void)run;
	li_buf_addf(out, "+%.6fs %s ", ev->ms / 1000.0, dir_word(ev->dir));
	if (ev->kind == LI_TAP_CLOSED) {
		li_buf_addf(out, "connection %s\n", ev->why);
		return out->failed ? -1 : 0;
	}
	if (ev->pdu.msgid >= 0)
		li_buf_addf(out, "#%lld ", (long long)ev->pdu.msgid);
	li_buf_adds(out, ev->pdu.op ? ev->pdu.op : "unknown");
	if (ev->kind == LI_TAP_MALFORMED || ev->pdu.error)
		li_buf_addf(out, " malformed: %s (%zu bytes)", ev->why ? ev->why : ev->pdu.error, ev->len);
	else
		text_fields(out, ev);
	li_buf_addc(out, '\n');
	if (flags & LI_RENDER_HEX)
		li_buf_add_hex(out, ev->bytes, ev->len, "    ");
	return out->failed ? -1 : 0;
}

static json_object *bv_string(const struct berval *bv)
{
	return json_object_new_string_len(bv->bv_val ? bv->bv_val : "", (int)bv->bv_len);
}

int li_trace_json(const li_run *run, const li_event *ev, unsigned flags, li_buf *out)
{
	json_object *o = json_object_new_object();
	const li_pdu *p = &ev->pdu;

	(void)run;
	json_object_object_add(o, "t_ms", li_json_ms(ev->ms));
	json_object_object_add(o, "dir", json_object_new_string(dir_word(ev->dir)));
	json_object_object_add(o, "msgid", p->msgid >= 0 ? json_object_new_int64(p->msgid) : NULL);
	json_object_object_add(o, "op", json_object_new_string(ev->kind == LI_TAP_CLOSED ? "closed"
								    : p->op ? p->op : "unknown"));
	json_object_object_add(o, "len", json_object_new_int64((int64_t)ev->len));
	if (ev->kind != LI_TAP_MESSAGE || p->error)
		json_object_object_add(o, "error", json_object_new_string(ev->why ? ev->why : p->error));
	if (p->has_result) {
		const char *rn = li_result_name(p->result_code);

		json_object_object_add(o, "code", json_object_new_int(p->result_code));
		json_object_object_add(o, "name", json_object_new_string(rn ? rn : "unknown"));
		if (p->diag.bv_len)
			json_object_object_add(o, "message", bv_string(&p->diag));
		if (p->matched.bv_len)
			json_object_object_add(o, "matched", bv_string(&p->matched));
	}
	if (p->has_oid)
		json_object_object_add(o, "oid", bv_string(&p->oid));
	if (p->target >= 0)
		json_object_object_add(o, p->tag == LDAP_REQ_ABANDON ? "abandon_id" : "cancel_id",
				       json_object_new_int64(p->target));
	if (flags & LI_RENDER_HEX) {
		li_buf hex = { 0 };

		li_buf_add_hex(&hex, ev->bytes, ev->len, "");
		json_object_object_add(o, "hex", json_object_new_string(li_buf_data(&hex)));
		free(hex.data);
	}
	return li_json_append(out, o);
}

int li_trace_summary_text(const li_run *run, li_buf *out)
{
	li_buf_addf(out, "summary: sent %llu messages (%llu bytes), received %llu (%llu bytes), %llu entries",
		    (unsigned long long)run->msgs[LI_DIR_SEND], (unsigned long long)li_tap_bytes(run->tap, LI_DIR_SEND),
		    (unsigned long long)run->msgs[LI_DIR_RECV], (unsigned long long)li_tap_bytes(run->tap, LI_DIR_RECV),
		    (unsigned long long)(run->entries[0] + run->entries[1]));
	if (run->t_first_ns)
		li_buf_addf(out, "; first response %.3f ms, last %.3f ms after the request",
			    li_run_ms(run, run->t_first_ns), li_run_ms(run, run->t_last_ns));
	li_buf_addc(out, '\n');
	return out->failed ? -1 : 0;
}
