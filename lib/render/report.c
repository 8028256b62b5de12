/* SPDX-License-Identifier: BSD-2-Clause */
/* The outcome report: a few lines an admin can paste into a ticket, or one
 * JSON object with the keys man/output-json.man documents. Everything comes
 * from the result value: a report can be rendered for a run that is gone,
 * or for one built by hand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "json.h"
#include "report.h"
#include "words.h"

#define NS_PER_MS 1e6

/* Reports count from the operation's request (or the interrupt's, with
 * --msgid). */
static double ms_of(const li_result *res, int64_t t_ns)
{
	int64_t zero = res->t_op_ns ? res->t_op_ns : res->t_intr_ns;

	return (double)(t_ns - zero) / NS_PER_MS;
}

static double since_intr_ms(const li_result *res, int64_t t_ns)
{
	return (double)(t_ns - res->t_intr_ns) / NS_PER_MS;
}

/* ---- text ---- */

static void text_counts(const li_result *res, li_buf *b, int after)
{
	li_buf_addf(b, "%llu entr%s", (unsigned long long)res->entries[after], res->entries[after] == 1 ? "y" : "ies");
	if (res->refs[after])
		li_buf_addf(b, ", %llu reference%s", (unsigned long long)res->refs[after],
			    res->refs[after] == 1 ? "" : "s");
	if (res->intermediates[after])
		li_buf_addf(b, ", %llu intermediate response%s", (unsigned long long)res->intermediates[after],
			    res->intermediates[after] == 1 ? "" : "s");
}

/* A paged search: the message ID above is the last page's. */
static void text_pages(const li_result *res, li_buf *b)
{
	if (res->page_size == 0)
		return;
	li_buf_addf(b, "    pages: %llu of at most %d entr%s, the last sent as message %lld\n",
		    (unsigned long long)res->pages, res->page_size, res->page_size == 1 ? "y" : "ies",
		    (long long)res->op_msgid);
}

static void text_response(const li_result *res, li_buf *b, const char *label, const li_reply *r)
{
	li_buf_addf(b, "  %s: ", label);
	if (!r->seen) {
		li_buf_adds(b, "none\n");
		return;
	}
	li_buf_addf(b, "%s (%d) at ", li_result_word(r->code), r->code);
	li_buf_add_ms(b, ms_of(res, r->t_ns));
	if (res->intr_sent && r->t_ns >= res->t_intr_ns) {
		li_buf_adds(b, ", ");
		li_buf_add_ms(b, since_intr_ms(res, r->t_ns));
		li_buf_addf(b, " after the %s", li_interrupt_word(res->interrupt));
	}
	if (r->diag[0]) {
		li_buf_adds(b, ": ");
		li_buf_add_printable(b, r->diag, strlen(r->diag));
	}
	li_buf_addc(b, '\n');
}

static void text_trigger(const li_result *res, li_buf *b)
{
	switch (res->trigger) {
	case LI_TRIGGER_AFTER_ENTRIES:
		li_buf_addf(b, " (trigger: %lld entr%s", res->after_entries, res->after_entries == 1 ? "y" : "ies");
		break;
	case LI_TRIGGER_AFTER:
		if (res->after_us == 0) {
			li_buf_adds(b, " (trigger: right after the request");
			break;
		}
		li_buf_adds(b, " (trigger: --after ");
		li_buf_add_duration(b, res->after_us);
		break;
	case LI_TRIGGER_SIGNAL:
		li_buf_adds(b, " (trigger: Ctrl-C");
		break;
	case LI_TRIGGER_TIMEOUT:
		li_buf_adds(b, " (trigger: --timeout ");
		li_buf_add_duration(b, res->timeout_us);
		break;
	case LI_TRIGGER_RESULT:
		li_buf_adds(b, " (trigger: the operation's result");
		break;
	default:
		li_buf_adds(b, " (trigger: --msgid");
		break;
	}
}

static void text_interrupt(const li_result *res, li_buf *b)
{
	const char *w = li_interrupt_word(res->interrupt);

	if (!res->intr_sent) {
		li_buf_addf(b, "  %s: not sent\n", w);
		return;
	}
	li_buf_addf(b, "  %s of message %lld sent as message %lld at ", w, (long long)res->target,
		    (long long)res->intr_msgid);
	li_buf_add_ms(b, ms_of(res, res->t_intr_ns));
	text_trigger(res, b);
	if (res->t_trigger_ns && res->t_intr_ns >= res->t_trigger_ns)
		li_buf_addf(b, "; on the wire %.0f us later", (double)(res->t_intr_ns - res->t_trigger_ns) / 1e3);
	li_buf_adds(b, ")\n");
}

static void verdict_too_late(const li_result *res, li_buf *b, const char *op, const char *w)
{
	const li_reply *r = &res->op;

	if (r->seen && res->op_done_before_interrupt)
		li_buf_addf(b, "the %s completed with %s (%d) before the %s was sent", op, li_result_word(r->code),
			    r->code, w);
	else if (r->seen)
		li_buf_addf(b, "the %s completed with %s (%d) %.3f ms after the %s", op, li_result_word(r->code),
			    r->code, since_intr_ms(res, r->t_ns), w);
	else
		li_buf_addf(b, "the server answered tooLate (120): the %s could no longer be cancelled", op);
}

static void verdict_abandoned(const li_result *res, li_buf *b, const char *op)
{
	if (res->t_window_cut_ns)
		li_buf_addf(b, "no result for the %s in the %.3f ms between the abandon and Ctrl-C", op,
			    since_intr_ms(res, res->t_window_cut_ns));
	else if (res->timed_out && res->t_deadline_ns)
		li_buf_addf(b, "no result for the %s in the %.3f ms between the abandon and the --timeout deadline",
			    op, since_intr_ms(res, res->t_deadline_ns));
	else if (res->wait_us == 0)
		li_buf_addf(b, "no result for the %s when the abandon was sent (--wait 0 decides at once)", op);
	else
		li_buf_addf(b, "no result for the %s in the ", op), li_buf_add_duration(b, res->wait_us),
			li_buf_adds(b, " of silence after the abandon");
	if (res->entries[1] + res->refs[1])
		li_buf_addf(b, "; %llu arrived after it, the last %.3f ms after it",
			    (unsigned long long)(res->entries[1] + res->refs[1]),
			    since_intr_ms(res, res->t_last_late_ns));
}

static void verdict_no_response(const li_result *res, li_buf *b, const char *op, const char *w)
{
	if (res->still_sending) {
		li_buf_addf(b, "the server kept sending for the abandoned %s%s", op,
			    res->timed_out ? " until the --timeout deadline" : "");
		return;
	}
	if (res->interrupt == LI_INTERRUPT_NONE) {
		li_buf_addf(b, "no end of the %s within --timeout ", op);
		li_buf_add_duration(b, res->timeout_us);
		return;
	}
	li_buf_addf(b, "no %s ", res->interrupt == LI_INTERRUPT_CANCEL && !res->intr.seen ? "answer to the Cancel"
		    : "end of the operation");
	if (res->timed_out && res->t_deadline_ns)
		li_buf_addf(b, "before the --timeout deadline, %.3f ms after the %s", since_intr_ms(res,
			    res->t_deadline_ns), w);
	else if (res->t_window_cut_ns)
		li_buf_addf(b, "before Ctrl-C ended the wait, %.3f ms after the %s", since_intr_ms(res,
			    res->t_window_cut_ns), w);
	else if (res->wait_us == 0)
		li_buf_addf(b, "when the %s was sent (--wait 0 decides at once)", w);
	else
		li_buf_adds(b, "within "), li_buf_add_duration(b, res->wait_us), li_buf_addf(b, " after the %s", w);
}

/* The last line: the outcome's name, then what it rests on. */
static void verdict(const li_result *res, li_buf *b)
{
	const char *op = res->has_op ? res->op_type : "operation";
	const char *w = li_interrupt_word(res->interrupt);
	const li_reply *c = &res->intr;

	li_buf_addf(b, "%s: ", li_outcome_name(res->outcome));
	switch (res->outcome) {
	case LI_OUTCOME_CANCELED:
		if (res->op.seen)
			li_buf_addf(b, "the server stopped the %s %.3f ms after the cancel", op,
				    since_intr_ms(res, res->op.t_ns));
		else
			li_buf_addf(b, "the server cancelled message %lld", (long long)res->target);
		break;
	case LI_OUTCOME_ABANDONED:
		verdict_abandoned(res, b, op);
		break;
	case LI_OUTCOME_TOO_LATE:
		verdict_too_late(res, b, op, w);
		break;
	case LI_OUTCOME_NO_SUCH_OPERATION:
		li_buf_addf(b, "the server has no operation with message ID %lld (noSuchOperation, 119)",
			    (long long)res->target);
		break;
	case LI_OUTCOME_CANNOT_CANCEL:
		li_buf_addf(b, "the server refused to cancel the %s (cannotCancel, 121); connection closed", op);
		break;
	case LI_OUTCOME_UNSUPPORTED:
		li_buf_addf(b, "the server does not implement Cancel: it answered %s (%d); connection closed "
			    "without waiting for the %s", li_result_word(c->code), c->code, op);
		break;
	case LI_OUTCOME_NO_RESPONSE:
		verdict_no_response(res, b, op, w);
		break;
	case LI_OUTCOME_CONNECTION_LOST:
		li_buf_add_safe(b, res->lost_why);
		li_buf_addf(b, " at %.3f ms, before the outcome was decided", ms_of(res, res->t_lost_ns));
		break;
	case LI_OUTCOME_FAILED:
		if (res->interrupt != LI_INTERRUPT_NONE) {
			verdict_too_late(res, b, op, w);
			break;
		}
		/* fall through */
	case LI_OUTCOME_COMPLETED:
		li_buf_addf(b, "the %s ended with %s (%d) at %.3f ms", op, li_result_word(res->op.code), res->op.code,
			    ms_of(res, res->op.t_ns));
		break;
	case LI_OUTCOME_STOPPED:
		li_buf_addf(b, "Ctrl-C before the %s ended", op);
		break;
	case LI_OUTCOME_SELF_TARGET:
		li_buf_addf(b, "the %s was sent as message %lld, the message ID it names: it could only %s itself, "
			    "no operation", w, (long long)res->intr_msgid, w);
		break;
	default:
		li_buf_adds(b, "no outcome");
		break;
	}
	li_buf_addc(b, '\n');
}

static void text_notes(const li_result *res, li_buf *out)
{
	li_buf note = { 0 };
	int i;

	for (i = 0; i < res->nnotes; i++) {
		li_buf_reset(&note);
		li_note_text(res, &res->notes[i], &note);
		li_buf_adds(out, "  note: ");
		li_buf_add_safe(out, li_buf_data(&note));
		li_buf_addc(out, '\n');
		if (note.failed)
			out->failed = 1;
	}
	free(note.data);
}

int li_report_text(const li_result *res, li_buf *out)
{
	const char *w = li_interrupt_word(res->interrupt);

	li_buf_add_safe(out, res->uri ? res->uri : "");
	li_buf_addc(out, '\n');
	if (res->has_op) {
		li_buf_adds(out, "  ");
		li_buf_adds(out, res->op_text ? res->op_text : "");
		if (res->op_msgid >= 0)
			li_buf_addf(out, "\n    sent as message %lld", (long long)res->op_msgid);
		li_buf_addc(out, '\n');
		text_pages(res, out);
	}
	if (res->interrupt != LI_INTERRUPT_NONE)
		text_interrupt(res, out);
	if (res->search) {
		li_buf_addf(out, "  %s the %s: ", res->interrupt != LI_INTERRUPT_NONE ? "before" : "during", w);
		text_counts(res, out, 0);
		li_buf_addc(out, '\n');
		if (res->intr_sent) {
			li_buf_addf(out, "  after the %s:  ", w);
			text_counts(res, out, 1);
			li_buf_addc(out, '\n');
		}
	}
	if (res->has_op)
		text_response(res, out, "result", &res->op);
	if (res->interrupt == LI_INTERRUPT_CANCEL)
		text_response(res, out, "cancel result", &res->intr);
	text_notes(res, out);
	verdict(res, out);
	return out->failed ? -1 : 0;
}

/* ---- JSON ---- */

static json_object *json_response(const li_result *res, const li_reply *r)
{
	json_object *o;

	if (!r->seen)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "code", json_object_new_int(r->code));
	json_object_object_add(o, "name", json_object_new_string(li_result_word(r->code)));
	json_object_object_add(o, "at_ms", li_json_ms(ms_of(res, r->t_ns)));
	if (r->diag[0])
		json_object_object_add(o, "message", li_json_str(r->diag));
	if (r->matched[0])
		json_object_object_add(o, "matched", li_json_str(r->matched));
	return o;
}

static json_object *json_interrupt(const li_result *res)
{
	const char *trigger = li_trigger_name(res->trigger);
	json_object *o;

	if (res->interrupt == LI_INTERRUPT_NONE)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string(li_interrupt_word(res->interrupt)));
	json_object_object_add(o, "msgid", res->intr_sent ? json_object_new_int64(res->intr_msgid) : NULL);
	json_object_object_add(o, "target", json_object_new_int64(res->target));
	json_object_object_add(o, "trigger", trigger ? json_object_new_string(trigger) : NULL);
	json_object_object_add(o, "sent_ms", res->intr_sent ? li_json_ms(ms_of(res, res->t_intr_ns)) : NULL);
	if (res->intr_sent && res->t_trigger_ns) {
		json_object_object_add(o, "trigger_ms", li_json_ms(ms_of(res, res->t_trigger_ns)));
		json_object_object_add(o, "latency_us",
				       li_json_ms((double)(res->t_intr_ns - res->t_trigger_ns) / 1e3));
	}
	return o;
}

static json_object *json_connection(const li_result *res)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "lost", json_object_new_boolean(res->lost));
	if (res->lost) {
		json_object_object_add(o, "reason", li_json_str(res->lost_why));
		json_object_object_add(o, "at_ms", li_json_ms(ms_of(res, res->t_lost_ns)));
	}
	if (res->nod_seen)
		json_object_object_add(o, "notice_of_disconnection", json_response(res, &res->nod));
	json_object_object_add(o, "strays", json_object_new_int64((int64_t)res->strays));
	json_object_object_add(o, "malformed", json_object_new_int64((int64_t)res->malformed));
	return o;
}

/* --timeout: how long, and whether the deadline decided anything. */
static json_object *json_timeout(const li_result *res)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "ms", li_json_ms((double)res->timeout_us / 1e3));
	json_object_object_add(o, "reached", json_object_new_boolean(res->timed_out));
	return o;
}

static json_object *json_notes(const li_result *res)
{
	json_object *notes = json_object_new_array();
	li_buf note = { 0 };
	int i;

	for (i = 0; i < res->nnotes; i++) {
		li_buf_reset(&note);
		li_note_text(res, &res->notes[i], &note);
		json_object_array_add(notes, li_json_str(li_buf_data(&note)));
	}
	free(note.data);
	return notes;
}

json_object *li_trace_summary_object(const li_result *res)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "sent_messages", json_object_new_int64((int64_t)res->messages[LI_DIR_SEND]));
	json_object_object_add(o, "sent_bytes", json_object_new_int64((int64_t)res->bytes[LI_DIR_SEND]));
	json_object_object_add(o, "received_messages", json_object_new_int64((int64_t)res->messages[LI_DIR_RECV]));
	json_object_object_add(o, "received_bytes", json_object_new_int64((int64_t)res->bytes[LI_DIR_RECV]));
	json_object_object_add(o, "entries", json_object_new_int64((int64_t)(res->entries[0] + res->entries[1])));
	json_object_object_add(o, "first_response_ms", res->t_first_ns ? li_json_ms(ms_of(res, res->t_first_ns))
									: NULL);
	json_object_object_add(o, "last_response_ms", res->t_last_ns ? li_json_ms(ms_of(res, res->t_last_ns))
								      : NULL);
	return o;
}

json_object *li_report_object(const li_result *res, int exit_status)
{
	json_object *o = json_object_new_object(), *op;

	json_object_object_add(o, "format", json_object_new_int(LI_JSON_FORMAT));
	json_object_object_add(o, "tool", li_json_str(res->name ? res->name : ""));
	json_object_object_add(o, "uri", li_json_str(res->uri ? res->uri : ""));
	op = json_object_new_object();
	json_object_object_add(op, "type", json_object_new_string(res->op_type ? res->op_type : ""));
	json_object_object_add(op, "msgid", res->op_msgid >= 0 ? json_object_new_int64(res->op_msgid) : NULL);
	json_object_object_add(o, "operation", op);
	if (res->page_size)
		json_object_object_add(o, "pages", json_object_new_int64((int64_t)res->pages));
	json_object_object_add(o, "interrupt", json_interrupt(res));
	json_object_object_add(o, "entries_before", json_object_new_int64((int64_t)res->entries[0]));
	json_object_object_add(o, "entries_after", json_object_new_int64((int64_t)res->entries[1]));
	json_object_object_add(o, "references_before", json_object_new_int64((int64_t)res->refs[0]));
	json_object_object_add(o, "references_after", json_object_new_int64((int64_t)res->refs[1]));
	json_object_object_add(o, "intermediates_before", json_object_new_int64((int64_t)res->intermediates[0]));
	json_object_object_add(o, "intermediates_after", json_object_new_int64((int64_t)res->intermediates[1]));
	if (res->t_last_late_ns)
		json_object_object_add(o, "last_after_ms", li_json_ms(ms_of(res, res->t_last_late_ns)));
	json_object_object_add(o, "op_result", json_response(res, &res->op));
	if (res->interrupt == LI_INTERRUPT_CANCEL)
		json_object_object_add(o, "cancel_result", json_response(res, &res->intr));
	json_object_object_add(o, "connection", json_connection(res));
	json_object_object_add(o, "notes", json_notes(res));
	if (res->timeout_us > 0)
		json_object_object_add(o, "timeout", json_timeout(res));
	if (res->traced)
		json_object_object_add(o, "summary", li_trace_summary_object(res));
	json_object_object_add(o, "outcome", json_object_new_string(li_outcome_name(res->outcome)));
	json_object_object_add(o, "exit", json_object_new_int(exit_status));
	return o;
}

int li_report_json(const li_result *res, int exit_status, li_buf *out)
{
	return li_json_append(out, li_report_object(res, exit_status));
}

/* ---- ldaptrace's closing summary ---- */

int li_trace_summary_text(const li_result *res, li_buf *out)
{
	unsigned long long entries = res->entries[0] + res->entries[1];

	li_buf_addf(out, "summary: sent %llu messages (%llu bytes), received %llu (%llu bytes), %llu entr%s",
		    (unsigned long long)res->messages[LI_DIR_SEND], (unsigned long long)res->bytes[LI_DIR_SEND],
		    (unsigned long long)res->messages[LI_DIR_RECV], (unsigned long long)res->bytes[LI_DIR_RECV],
		    entries, entries == 1 ? "y" : "ies");
	if (res->t_first_ns)
		li_buf_addf(out, "; first response %.3f ms, last %.3f ms after the request",
			    ms_of(res, res->t_first_ns), ms_of(res, res->t_last_ns));
	li_buf_addc(out, '\n');
	return out->failed ? -1 : 0;
}
