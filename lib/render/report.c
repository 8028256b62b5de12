/* The outcome report: a few lines an admin can paste into a ticket, or one
 * JSON object with the keys DESIGN.md §3 promises. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "names.h"
#include "report.h"
#include "run.h"

static const char *const intr_word[] = { "operation", "abandon", "cancel" };

static const char *rname(int code)
{
	const char *n = li_result_name(code);

	return n ? n : "unknown";
}

static double since_intr_ms(const li_run *run, int64_t t_ns)
{
	return (double)(t_ns - run->t_intr_ns) / 1e6;
}

/* The server that answered: -H may list several, libldap connects to the
 * first that accepts. */
static const char *uri_of(const li_run *run)
{
	const char *url = li_tap_url(run->tap);

	if (url)
		return url;
	return run->cfg->uri ? run->cfg->uri : run->uri ? run->uri : "";
}

/* ---- text ---- */

static void text_counts(const li_run *run, li_buf *b, int after)
{
	li_buf_addf(b, "%llu entr%s", (unsigned long long)run->entries[after], run->entries[after] == 1 ? "y" : "ies");
	if (run->refs[after])
		li_buf_addf(b, ", %llu reference%s", (unsigned long long)run->refs[after],
			    run->refs[after] == 1 ? "" : "s");
	if (run->intermediates[after])
		li_buf_addf(b, ", %llu intermediate response%s", (unsigned long long)run->intermediates[after],
			    run->intermediates[after] == 1 ? "" : "s");
}

static void text_response(const li_run *run, li_buf *b, const char *label, const li_response *r)
{
	li_buf_addf(b, "  %s: ", label);
	if (!r->seen) {
		li_buf_adds(b, "none\n");
		return;
	}
	li_buf_addf(b, "%s (%d) at ", rname(r->code), r->code);
	li_buf_add_ms(b, li_run_ms(run, r->t_ns));
	if (run->intr_sent && r->t_ns >= run->t_intr_ns) {
		li_buf_adds(b, ", ");
		li_buf_add_ms(b, since_intr_ms(run, r->t_ns));
		li_buf_addf(b, " after the %s", intr_word[run->cfg->interrupt]);
	}
	if (r->diag[0]) {
		li_buf_adds(b, ": ");
		li_buf_add_printable(b, r->diag, strlen(r->diag));
	}
	li_buf_addc(b, '\n');
}

static void text_interrupt(const li_run *run, li_buf *b)
{
	const li_params *cfg = run->cfg;
	const char *w = intr_word[cfg->interrupt];

	if (!run->intr_sent) {
		li_buf_addf(b, "  %s: not sent\n", w);
		return;
	}
	li_buf_addf(b, "  %s of message %lld sent as message %lld at ", w,
		    cfg->op == LI_OP_NONE ? cfg->target_msgid : (long long)run->op_msgid, (long long)run->intr_msgid);
	li_buf_add_ms(b, li_run_ms(run, run->t_intr_ns));
	if (run->trigger && strcmp(run->trigger, "after-entries") == 0)
		li_buf_addf(b, " (trigger: %lld entr%s", cfg->after_entries, cfg->after_entries == 1 ? "y" : "ies");
	else if (run->trigger && strcmp(run->trigger, "after") == 0)
		li_buf_adds(b, " (trigger: --after"), li_buf_addc(b, ' '), li_buf_add_duration(b, cfg->after_us);
	else if (run->trigger && strcmp(run->trigger, "signal") == 0)
		li_buf_adds(b, " (trigger: Ctrl-C");
	else
		li_buf_adds(b, " (trigger: --msgid");
	if (run->t_trigger_ns && run->t_intr_ns >= run->t_trigger_ns)
		li_buf_addf(b, "; on the wire %.0f us later", (double)(run->t_intr_ns - run->t_trigger_ns) / 1e3);
	li_buf_adds(b, ")\n");
}

static void verdict_too_late(const li_run *run, li_buf *b, const char *op, const char *w)
{
	const li_response *r = &run->op_res;

	if (r->seen && run->op_done_before_interrupt)
		li_buf_addf(b, "the %s completed with %s (%d) before the %s was sent", op, rname(r->code), r->code, w);
	else if (r->seen)
		li_buf_addf(b, "the %s completed with %s (%d) %.3f ms after the %s", op, rname(r->code), r->code,
			    since_intr_ms(run, r->t_ns), w);
	else
		li_buf_addf(b, "the server answered tooLate (120): the %s could no longer be cancelled", op);
}

static void verdict(const li_run *run, li_buf *b)
{
	const li_params *cfg = run->cfg;
	const char *op = cfg->op == LI_OP_NONE ? "operation" : li_op_type(cfg);
	const char *w = intr_word[cfg->interrupt];
	const li_response *c = &run->intr_res;

	li_buf_addf(b, "%s: ", li_outcome_name(run->outcome));
	switch (run->outcome) {
	case LI_OUTCOME_CANCELED:
		if (run->op_res.seen)
			li_buf_addf(b, "the server stopped the %s %.3f ms after the cancel", op,
				    since_intr_ms(run, run->op_res.t_ns));
		else
			li_buf_addf(b, "the server cancelled message %lld", cfg->target_msgid);
		break;
	case LI_OUTCOME_ABANDONED:
		if (run->window_cut_ns)
			li_buf_addf(b, "no result for the %s in the %.3f ms between the abandon and Ctrl-C", op,
				    since_intr_ms(run, run->window_cut_ns));
		else if (cfg->wait_us == 0)
			li_buf_addf(b, "no result for the %s when the abandon was sent (--wait 0 decides at once)", op);
		else
			li_buf_addf(b, "no result for the %s in the ", op), li_buf_add_duration(b, cfg->wait_us),
				li_buf_adds(b, " of silence after the abandon");
		if (run->entries[1] + run->refs[1])
			li_buf_addf(b, "; %llu arrived after it, the last %.3f ms after it",
				    (unsigned long long)(run->entries[1] + run->refs[1]),
				    since_intr_ms(run, run->t_last_late_ns));
		break;
	case LI_OUTCOME_TOO_LATE:
		verdict_too_late(run, b, op, w);
		break;
	case LI_OUTCOME_NO_SUCH_OPERATION:
		li_buf_addf(b, "the server has no operation with message ID %lld (noSuchOperation, 119)",
			    cfg->op == LI_OP_NONE ? cfg->target_msgid : (long long)run->op_msgid);
		break;
	case LI_OUTCOME_CANNOT_CANCEL:
		li_buf_addf(b, "the server refused to cancel the %s (cannotCancel, 121); connection closed", op);
		break;
	case LI_OUTCOME_UNSUPPORTED:
		li_buf_addf(b, "the server does not implement Cancel: it answered %s (%d); connection closed "
			    "without waiting for the %s", rname(c->code), c->code, op);
		break;
	case LI_OUTCOME_NO_RESPONSE:
		if (run->still_sending) {
			li_buf_addf(b, "the server kept sending for the abandoned %s", op);
			break;
		}
		li_buf_addf(b, "no %s ", cfg->interrupt == LI_INTERRUPT_CANCEL && !c->seen ? "answer to the Cancel"
			    : "end of the operation");
		if (run->window_cut_ns)
			li_buf_addf(b, "before Ctrl-C ended the wait, %.3f ms after the %s", since_intr_ms(run,
				    run->window_cut_ns), w);
		else
			li_buf_adds(b, "within "), li_buf_add_duration(b, cfg->wait_us), li_buf_addf(b, " after the %s", w);
		break;
	case LI_OUTCOME_CONNECTION_LOST:
		li_buf_add_safe(b, run->lost_why);
		li_buf_addf(b, " at %.3f ms, before the outcome was decided", li_run_ms(run, run->t_lost_ns));
		break;
	case LI_OUTCOME_COMPLETED:
		li_buf_addf(b, "the %s ended with %s (%d) at %.3f ms", op, rname(run->op_res.code), run->op_res.code,
			    li_run_ms(run, run->op_res.t_ns));
		break;
	case LI_OUTCOME_STOPPED:
		li_buf_addf(b, "Ctrl-C before the %s ended", op);
		break;
	case LI_OUTCOME_SELF_TARGET:
		li_buf_addf(b, "the %s was sent as message %lld, the message ID it names: it could only %s itself, "
			    "no operation", w, (long long)run->intr_msgid, w);
		break;
	default:
		li_buf_adds(b, "no outcome");
		break;
	}
	li_buf_addc(b, '\n');
}

int li_report_text(const li_run *run, li_buf *out)
{
	const li_params *cfg = run->cfg;
	const char *w = intr_word[cfg->interrupt];
	int i;

	li_buf_add_safe(out, uri_of(run));
	li_buf_addc(out, '\n');
	if (cfg->op != LI_OP_NONE) {
		li_buf_adds(out, "  ");
		li_op_describe(cfg, run->defbase, out);
		if (run->op_msgid >= 0)
			li_buf_addf(out, "\n    sent as message %lld", (long long)run->op_msgid);
		li_buf_addc(out, '\n');
	}
	if (cfg->interrupt != LI_INTERRUPT_NONE)
		text_interrupt(run, out);
	if (cfg->op == LI_OP_SEARCH) {
		li_buf_addf(out, "  %s the %s: ", cfg->interrupt != LI_INTERRUPT_NONE ? "before" : "during", w);
		text_counts(run, out, 0);
		li_buf_addc(out, '\n');
		if (run->intr_sent) {
			li_buf_addf(out, "  after the %s:  ", w);
			text_counts(run, out, 1);
			li_buf_addc(out, '\n');
		}
	}
	if (cfg->op != LI_OP_NONE)
		text_response(run, out, "result", &run->op_res);
	if (cfg->interrupt == LI_INTERRUPT_CANCEL)
		text_response(run, out, "cancel result", &run->intr_res);
	for (i = 0; i < run->nnotes; i++)
		li_buf_adds(out, "  note: "), li_buf_add_safe(out, run->notes[i]), li_buf_addc(out, '\n');
	verdict(run, out);
	return out->failed ? -1 : 0;
}

/* ---- JSON ---- */

/* json-c writes a string's bytes as they are: bytes from the wire (or the
 * command line) that are not UTF-8 would make the line invalid JSON. Every
 * such string goes through here. */
json_object *li_json_text(const char *s, size_t n)
{
	li_buf b = { 0 };
	json_object *o;

	if (li_utf8_valid(s, n))
		return json_object_new_string_len(s, (int)n);
	li_buf_add_utf8(&b, s, n);
	o = json_object_new_string_len(li_buf_data(&b), (int)b.len);
	free(b.data);
	return o;
}

json_object *li_json_str(const char *s)
{
	return li_json_text(s, strlen(s));
}

void li_json_add_key(json_object *obj, const char *key, json_object *v)
{
	li_buf b = { 0 };

	if (li_utf8_valid(key, strlen(key))) {
		json_object_object_add(obj, key, v);
		return;
	}
	li_buf_add_utf8(&b, key, strlen(key));
	json_object_object_add(obj, li_buf_data(&b), v);
	free(b.data);
}

json_object *li_json_ms(double ms)
{
	char text[64];

	/* Three decimals, printed as such: json-c would print 17 digits. */
	snprintf(text, sizeof(text), "%.3f", ms);
	return json_object_new_double_s(ms, text);
}

static json_object *json_response(const li_run *run, const li_response *r)
{
	json_object *o;

	if (!r->seen)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "code", json_object_new_int(r->code));
	json_object_object_add(o, "name", json_object_new_string(rname(r->code)));
	json_object_object_add(o, "at_ms", li_json_ms(li_run_ms(run, r->t_ns)));
	if (r->diag[0])
		json_object_object_add(o, "message", li_json_str(r->diag));
	if (r->matched[0])
		json_object_object_add(o, "matched", li_json_str(r->matched));
	return o;
}

static json_object *json_interrupt(const li_run *run)
{
	const li_params *cfg = run->cfg;
	json_object *o;

	if (cfg->interrupt == LI_INTERRUPT_NONE)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string(intr_word[cfg->interrupt]));
	json_object_object_add(o, "msgid", run->intr_sent ? json_object_new_int64(run->intr_msgid) : NULL);
	json_object_object_add(o, "target", json_object_new_int64(cfg->op == LI_OP_NONE ? cfg->target_msgid
								 : run->op_msgid));
	json_object_object_add(o, "trigger", run->trigger ? json_object_new_string(run->trigger) : NULL);
	json_object_object_add(o, "sent_ms", run->intr_sent ? li_json_ms(li_run_ms(run, run->t_intr_ns)) : NULL);
	if (run->intr_sent && run->t_trigger_ns) {
		json_object_object_add(o, "trigger_ms", li_json_ms(li_run_ms(run, run->t_trigger_ns)));
		json_object_object_add(o, "latency_us",
				       li_json_ms((double)(run->t_intr_ns - run->t_trigger_ns) / 1e3));
	}
	return o;
}

static json_object *json_connection(const li_run *run)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "lost", json_object_new_boolean(run->lost));
	if (run->lost) {
		json_object_object_add(o, "reason", li_json_str(run->lost_why));
		json_object_object_add(o, "at_ms", li_json_ms(li_run_ms(run, run->t_lost_ns)));
	}
	if (run->nod)
		json_object_object_add(o, "notice_of_disconnection", json_response(run, &run->nod_res));
	json_object_object_add(o, "strays", json_object_new_int64((int64_t)run->strays));
	json_object_object_add(o, "malformed", json_object_new_int64((int64_t)run->malformed));
	return o;
}

json_object *li_report_object(const li_run *run, int exit_status)
{
	const li_params *cfg = run->cfg;
	json_object *o = json_object_new_object(), *op, *notes;
	int i;

	json_object_object_add(o, "tool", li_json_str(cfg->name ? cfg->name : ""));
	json_object_object_add(o, "uri", li_json_str(uri_of(run)));
	op = json_object_new_object();
	json_object_object_add(op, "type", json_object_new_string(li_op_type(cfg)));
	json_object_object_add(op, "msgid", run->op_msgid >= 0 ? json_object_new_int64(run->op_msgid) : NULL);
	json_object_object_add(o, "operation", op);
	json_object_object_add(o, "interrupt", json_interrupt(run));
	json_object_object_add(o, "entries_before", json_object_new_int64((int64_t)run->entries[0]));
	json_object_object_add(o, "entries_after", json_object_new_int64((int64_t)run->entries[1]));
	json_object_object_add(o, "references_before", json_object_new_int64((int64_t)run->refs[0]));
	json_object_object_add(o, "references_after", json_object_new_int64((int64_t)run->refs[1]));
	json_object_object_add(o, "intermediates_before", json_object_new_int64((int64_t)run->intermediates[0]));
	json_object_object_add(o, "intermediates_after", json_object_new_int64((int64_t)run->intermediates[1]));
	if (run->t_last_late_ns)
		json_object_object_add(o, "last_after_ms", li_json_ms(li_run_ms(run, run->t_last_late_ns)));
	json_object_object_add(o, "op_result", json_response(run, &run->op_res));
	if (cfg->interrupt == LI_INTERRUPT_CANCEL)
		json_object_object_add(o, "cancel_result", json_response(run, &run->intr_res));
	json_object_object_add(o, "connection", json_connection(run));
	notes = json_object_new_array();
	for (i = 0; i < run->nnotes; i++)
		json_object_array_add(notes, li_json_str(run->notes[i]));
	json_object_object_add(o, "notes", notes);
	/* A traced run: the trace's summary belongs to its report. */
	if (run->observer)
		json_object_object_add(o, "summary", li_trace_summary_object(run));
	json_object_object_add(o, "outcome", json_object_new_string(li_outcome_name(run->outcome)));
	json_object_object_add(o, "exit", json_object_new_int(exit_status));
	return o;
}

int li_json_append(li_buf *out, json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	li_buf_adds(out, s);
	li_buf_addc(out, '\n');
	json_object_put(o);
	return out->failed ? -1 : 0;
}

int li_report_json(const li_run *run, int exit_status, li_buf *out)
{
	return li_json_append(out, li_report_object(run, exit_status));
}
