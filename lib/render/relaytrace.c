/* SPDX-License-Identifier: BSD-2-Clause */
#include "relaytrace.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "report.h"
#include "trace.h"

static void prefix(const li_session *s, li_buf *out)
{
	li_buf_addf(out, "[%llu %s] ", (unsigned long long)li_session_number(s), li_session_client(s));
}

/* Every line from start on gets the session's prefix. */
static int prefix_lines(const li_session *s, li_buf *out, size_t start)
{
	li_buf lines = { 0 };
	size_t i, from = start;
	int rc;

	if (out->failed || out->len == start)
		return out->failed ? -1 : 0;
	li_buf_add(&lines, out->data + start, out->len - start);
	out->len = start;
	for (i = 0; i < lines.len; i++) {
		if (lines.data[i] != '\n' && i + 1 < lines.len)
			continue;
		prefix(s, out);
		li_buf_add(out, lines.data + (from - start), i + 1 - (from - start));
		from = start + i + 1;
	}
	rc = lines.failed || out->failed ? -1 : 0;
	free(lines.data);
	return rc;
}

int li_trace_session_text(const li_session *s, const li_event *ev, unsigned flags, li_buf *out)
{
	size_t start = out->len;

	if (li_trace_text(ev, flags, out) < 0)
		return -1;
	return prefix_lines(s, out, start);
}

static json_object *session_object(const li_session *s)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "format", json_object_new_int(LI_JSON_FORMAT));
	json_object_object_add(o, "session", json_object_new_int64((int64_t)li_session_number(s)));
	json_object_object_add(o, "client", li_json_str(li_session_client(s)));
	return o;
}

/* The session's keys first, then the object's own. */
static int append_with_session(const li_session *s, json_object *inner, li_buf *out)
{
	json_object *o = session_object(s);

	json_object_object_foreach(inner, key, val)
	{
		if (strcmp(key, "format") != 0)
			json_object_object_add(o, key, json_object_get(val));
	}
	json_object_put(inner);
	return li_json_append(out, o);
}

int li_trace_session_json(const li_session *s, const li_event *ev, unsigned flags, li_buf *out)
{
	return append_with_session(s, li_trace_json_object(ev, flags), out);
}

int li_session_report_text(const li_session *s, const li_result *res, li_buf *out)
{
	size_t start = out->len;

	if (li_report_text(res, out) < 0)
		return -1;
	return prefix_lines(s, out, start);
}

int li_session_report_json(const li_session *s, const li_result *res, int exit_status, li_buf *out)
{
	return append_with_session(s, li_report_object(res, exit_status), out);
}

/* "; interrupted: 2 canceled, 1 too-late" when the relay interrupted any. */
static void outcome_words(const li_session *s, li_buf *out)
{
	const char *sep = "; interrupted: ";
	int i;

	for (i = LI_OUTCOME_CANCELED; i <= LI_OUTCOME_FAILED; i++) {
		uint64_t n = li_session_outcomes(s, (li_outcome)i);

		if (n == 0)
			continue;
		li_buf_addf(out, "%s%llu %s", sep, (unsigned long long)n, li_outcome_name((li_outcome)i));
		sep = ", ";
	}
}

int li_session_summary_text(const li_session *s, li_buf *out)
{
	size_t start = out->len;

	if (li_trace_summary_text(li_session_result(s), out) < 0)
		return -1;
	if (out->len > start && out->data[out->len - 1] == '\n') {
		out->len--;
		outcome_words(s, out);
		li_buf_addc(out, '\n');
	}
	return prefix_lines(s, out, start);
}

static const char *end_name(li_session_end e)
{
	switch (e) {
	case LI_SESSION_CLIENT_CLOSED: return "client-closed";
	case LI_SESSION_SERVER_CLOSED: return "server-closed";
	case LI_SESSION_STOPPED: return "stopped";
	case LI_SESSION_FAILED: return "failed";
	case LI_SESSION_OPEN:
	default: return "open";
	}
}

static json_object *pair(uint64_t sent, uint64_t received)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "sent", json_object_new_int64((int64_t)sent));
	json_object_object_add(o, "received", json_object_new_int64((int64_t)received));
	return o;
}

/* The outcomes of the operations the relay interrupted, those that occurred. */
static json_object *outcome_counts(const li_session *s)
{
	json_object *o = json_object_new_object();
	int i;

	for (i = LI_OUTCOME_CANCELED; i <= LI_OUTCOME_FAILED; i++)
		if (li_session_outcomes(s, (li_outcome)i))
			json_object_object_add(o, li_outcome_name((li_outcome)i),
					       json_object_new_int64((int64_t)li_session_outcomes(s, (li_outcome)i)));
	return o;
}

int li_session_summary_json(const li_session *s, li_buf *out)
{
	const li_result *res = li_session_result(s);
	const li_error *err = li_session_error(s);
	json_object *o = session_object(s);

	json_object_object_add(o, "messages", pair(res->messages[LI_DIR_SEND], res->messages[LI_DIR_RECV]));
	json_object_object_add(o, "bytes", pair(res->bytes[LI_DIR_SEND], res->bytes[LI_DIR_RECV]));
	json_object_object_add(o, "entries", json_object_new_int64((int64_t)(res->entries[0] + res->entries[1])));
	json_object_object_add(o, "references", json_object_new_int64((int64_t)(res->refs[0] + res->refs[1])));
	json_object_object_add(o, "end", json_object_new_string(end_name(li_session_ended(s))));
	json_object_object_add(o, "outcomes", outcome_counts(s));
	if (err) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "code", json_object_new_int(err->code));
		json_object_object_add(e, "text", li_json_str(err->text));
		if (err->info[0])
			json_object_object_add(e, "info", li_json_str(err->info));
		json_object_object_add(o, "error", e);
	}
	return li_json_append(out, o);
}

int li_relay_summary_text(const li_relay_totals *t, li_buf *out)
{
	li_buf_addf(out, "%llu session%s", (unsigned long long)t->sessions, t->sessions == 1 ? "" : "s");
	if (t->failed)
		li_buf_addf(out, " (%llu failed)", (unsigned long long)t->failed);
	li_buf_addf(out, ", %llu messages from the clients (%llu bytes), %llu to them (%llu bytes)\n",
		    (unsigned long long)t->messages[LI_DIR_SEND], (unsigned long long)t->bytes[LI_DIR_SEND],
		    (unsigned long long)t->messages[LI_DIR_RECV], (unsigned long long)t->bytes[LI_DIR_RECV]);
	return out->failed ? -1 : 0;
}
