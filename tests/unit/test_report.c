/* SPDX-License-Identifier: BSD-2-Clause */
/* The renderers on results built by hand, no server: the report's text and
 * JSON (lib/render/report.c), ldaptrace's summary, and every note's words
 * (lib/render/words.c), byte for byte. */
#include <stdlib.h>
#include <string.h>

#include "ldapinterrupt.h"
#include "tapcheck.h"

#define MS(x) ((int64_t)((x) * 1000000.0 + 0.5))
#define T0 1000000000LL /* the operation's request, 1 s after boot */

static void is_render(int (*fn)(const li_result *, li_buf *), const li_result *res, const char *want,
		      const char *what)
{
	li_buf *b = li_buf_new();

	is_int(fn(res, b), 0, "%s: rendered", what);
	is_str(li_buf_data(b), want, "%s", what);
	li_buf_free(b);
}

/* The exit status the JSON report states: the tool's to choose. */
static int json_exit;

static int report_json(const li_result *res, li_buf *b)
{
	return li_report_json(res, json_exit, b);
}

static void base(li_result *r, const char *tool, li_interrupt intr)
{
	memset(r, 0, sizeof(*r));
	r->name = tool;
	r->traced = strcmp(tool, "ldaptrace") == 0;
	json_exit = 0;
	r->interrupt = intr;
	r->uri = "ldap://127.0.0.1:3890";
	r->has_op = 1;
	r->search = 1;
	r->op_type = "search";
	r->op_text = "search base \"dc=example,dc=com\" scope sub filter \"(objectClass=*)\"";
	r->op_msgid = 2;
	r->target = 2;
	r->intr_msgid = -1;
	r->wait_us = 2000000;
	r->after_entries = -1;
	r->t_op_ns = T0;
}

static void test_cancel(void)
{
	li_result r;

	base(&r, "ldapcancel", LI_INTERRUPT_CANCEL);
	r.intr_msgid = 3;
	r.intr_sent = 1;
	r.trigger = LI_TRIGGER_AFTER;
	r.after_us = 5000;
	r.t_trigger_ns = T0 + MS(5);
	r.t_intr_ns = T0 + MS(5.04);
	r.entries[0] = 3;
	r.entries[1] = 1;
	r.op = (li_reply){ .seen = 1, .code = 118, .t_ns = T0 + MS(7.5) };
	r.intr = (li_reply){ .seen = 1, .code = 120, .t_ns = T0 + MS(8), .diag = "too late" };
	r.t_first_ns = T0 + MS(1);
	r.t_last_ns = r.t_last_late_ns = T0 + MS(7.5);
	r.strays = 2;
	r.outcome = LI_OUTCOME_CANCELED;
	r.notes[0] = (li_note_fact){ .note = LI_NOTE_CANCEL_CONTRADICTED, .code = 120 };
	r.notes[1] = (li_note_fact){ .note = LI_NOTE_STRAYS, .count = 2 };
	r.nnotes = 2;
	is_render(li_report_text, &r,
		  "ldap://127.0.0.1:3890\n"
		  "  search base \"dc=example,dc=com\" scope sub filter \"(objectClass=*)\"\n"
		  "    sent as message 2\n"
		  "  cancel of message 2 sent as message 3 at 5.040 ms (trigger: --after 5 ms; on the wire 40 us later)\n"
		  "  before the cancel: 3 entries\n"
		  "  after the cancel:  1 entry\n"
		  "  result: canceled (118) at 7.500 ms, 2.460 ms after the cancel\n"
		  "  cancel result: tooLate (120) at 8.000 ms, 2.960 ms after the cancel: too late\n"
		  "  note: the server contradicts itself: the operation ended canceled (118) but the Cancel was "
		  "answered tooLate (120)\n"
		  "  note: 2 responses carried a message ID nobody asked for (ignored)\n"
		  "canceled: the server stopped the search 2.460 ms after the cancel\n",
		  "ldapcancel: text");
	is_render(report_json, &r,
		  "{\"format\":1,\"tool\":\"ldapcancel\",\"uri\":\"ldap://127.0.0.1:3890\",\"operation\":{\"type\":\"search\","
		  "\"msgid\":2},\"interrupt\":{\"type\":\"cancel\",\"msgid\":3,\"target\":2,\"trigger\":\"after\","
		  "\"sent_ms\":5.040,\"trigger_ms\":5.000,\"latency_us\":40.000},\"entries_before\":3,"
		  "\"entries_after\":1,\"references_before\":0,\"references_after\":0,\"intermediates_before\":0,"
		  "\"intermediates_after\":0,\"last_after_ms\":7.500,\"op_result\":{\"code\":118,\"name\":\"canceled\","
		  "\"at_ms\":7.500},\"cancel_result\":{\"code\":120,\"name\":\"tooLate\",\"at_ms\":8.000,"
		  "\"message\":\"too late\"},\"connection\":{\"lost\":false,\"strays\":2,\"malformed\":0},"
		  "\"notes\":[\"the server contradicts itself: the operation ended canceled (118) but the Cancel was "
		  "answered tooLate (120)\",\"2 responses carried a message ID nobody asked for (ignored)\"],"
		  "\"outcome\":\"canceled\",\"exit\":0}\n",
		  "ldapcancel: JSON");
}

/* A paged search: the pages line under the operation, the JSON key after it. */
static void test_paged(void)
{
	li_result r;

	base(&r, "ldapabandon", LI_INTERRUPT_ABANDON);
	r.op_msgid = r.target = 4;
	r.page_size = 10;
	r.pages = 3;
	r.intr_msgid = 5;
	r.intr_sent = 1;
	r.trigger = LI_TRIGGER_AFTER_ENTRIES;
	r.after_entries = 25;
	r.t_trigger_ns = T0 + MS(2);
	r.t_intr_ns = T0 + MS(2.01);
	r.entries[0] = 25;
	r.outcome = LI_OUTCOME_ABANDONED;
	is_render(li_report_text, &r,
		  "ldap://127.0.0.1:3890\n"
		  "  search base \"dc=example,dc=com\" scope sub filter \"(objectClass=*)\"\n"
		  "    sent as message 4\n"
		  "    pages: 3 of at most 10 entries, the last sent as message 4\n"
		  "  abandon of message 4 sent as message 5 at 2.010 ms (trigger: 25 entries; on the wire 10 us later)\n"
		  "  before the abandon: 25 entries\n"
		  "  after the abandon:  0 entries\n"
		  "  result: none\n"
		  "abandoned: no result for the search in the 2 s of silence after the abandon\n",
		  "paged: text");
	is_render(report_json, &r,
		  "{\"format\":1,\"tool\":\"ldapabandon\",\"uri\":\"ldap://127.0.0.1:3890\",\"operation\":{\"type\":\"search\","
		  "\"msgid\":4},\"pages\":3,\"interrupt\":{\"type\":\"abandon\",\"msgid\":5,\"target\":4,"
		  "\"trigger\":\"after-entries\",\"sent_ms\":2.010,\"trigger_ms\":2.000,\"latency_us\":10.000},"
		  "\"entries_before\":25,\"entries_after\":0,\"references_before\":0,\"references_after\":0,"
		  "\"intermediates_before\":0,\"intermediates_after\":0,\"op_result\":null,\"connection\":"
		  "{\"lost\":false,\"strays\":0,\"malformed\":0},\"notes\":[],\"outcome\":\"abandoned\",\"exit\":0}\n",
		  "paged: JSON");
}

static void test_trace(void)
{
	li_result r;

	base(&r, "ldaptrace", LI_INTERRUPT_NONE);
	r.uri = "ldapi://%2Ftmp%2Fs";
	r.op_text = "search base \"\" scope base filter \"(objectClass=*)\"";
	r.entries[0] = 2;
	r.op = (li_reply){ .seen = 1, .code = 0, .t_ns = T0 + MS(3.25) };
	r.t_first_ns = T0 + MS(1);
	r.t_last_ns = T0 + MS(3.25);
	r.messages[LI_DIR_SEND] = 4;
	r.messages[LI_DIR_RECV] = 3;
	r.bytes[LI_DIR_SEND] = 120;
	r.bytes[LI_DIR_RECV] = 250;
	r.outcome = LI_OUTCOME_COMPLETED;
	is_render(li_trace_summary_text, &r,
		  "summary: sent 4 messages (120 bytes), received 3 (250 bytes), 2 entries; first response 1.000 ms, "
		  "last 3.250 ms after the request\n",
		  "ldaptrace: summary");
	is_render(li_report_text, &r,
		  "ldapi://%2Ftmp%2Fs\n"
		  "  search base \"\" scope base filter \"(objectClass=*)\"\n"
		  "    sent as message 2\n"
		  "  during the operation: 2 entries\n"
		  "  result: success (0) at 3.250 ms\n"
		  "completed: the search ended with success (0) at 3.250 ms\n",
		  "ldaptrace: text");
	is_render(report_json, &r,
		  "{\"format\":1,\"tool\":\"ldaptrace\",\"uri\":\"ldapi://%2Ftmp%2Fs\",\"operation\":{\"type\":\"search\",\"msgid\":2},"
		  "\"interrupt\":null,\"entries_before\":2,\"entries_after\":0,\"references_before\":0,"
		  "\"references_after\":0,\"intermediates_before\":0,\"intermediates_after\":0,"
		  "\"op_result\":{\"code\":0,\"name\":\"success\",\"at_ms\":3.250},\"connection\":{\"lost\":false,"
		  "\"strays\":0,\"malformed\":0},\"notes\":[],\"summary\":{\"sent_messages\":4,\"sent_bytes\":120,"
		  "\"received_messages\":3,\"received_bytes\":250,\"entries\":2,\"first_response_ms\":1.000,"
		  "\"last_response_ms\":3.250},\"outcome\":\"completed\",\"exit\":0}\n",
		  "ldaptrace: JSON");
	r.op = (li_reply){ .seen = 1, .code = 32, .t_ns = T0 + MS(3.25), .matched = "dc=example,dc=com" };
	r.outcome = LI_OUTCOME_FAILED;
	is_render(li_report_text, &r,
		  "ldapi://%2Ftmp%2Fs\n"
		  "  search base \"\" scope base filter \"(objectClass=*)\"\n"
		  "    sent as message 2\n"
		  "  during the operation: 2 entries\n"
		  "  result: noSuchObject (32) at 3.250 ms\n"
		  "failed: the search ended with noSuchObject (32) at 3.250 ms\n",
		  "ldaptrace: a failed search");
}

/* A server's words are shown safely: control bytes escaped in text,
 * bytes that are not UTF-8 replaced in JSON. */
static void test_lost(void)
{
	li_result r;

	base(&r, "ldapabandon", LI_INTERRUPT_ABANDON);
	r.search = 0;
	r.op_type = "delete";
	r.op_text = "delete \"cn=x\"";
	r.intr_sent = 1;
	r.intr_msgid = 3;
	r.trigger = LI_TRIGGER_SIGNAL;
	r.t_trigger_ns = T0 + MS(2);
	r.t_intr_ns = T0 + MS(2.1);
	r.lost = 1;
	r.t_lost_ns = T0 + MS(4);
	strcpy(r.lost_why, "Notice of Disconnection");
	r.nod_seen = 1;
	r.nod = (li_reply){ .seen = 1, .code = 52, .t_ns = T0 + MS(4), .diag = "bye\001\377" };
	r.outcome = LI_OUTCOME_CONNECTION_LOST;
	json_exit = 81;
	r.notes[0] = (li_note_fact){ .note = LI_NOTE_NOTICE_OF_DISCONNECTION, .code = 52 };
	r.nnotes = 1;
	is_render(li_report_text, &r,
		  "ldap://127.0.0.1:3890\n"
		  "  delete \"cn=x\"\n"
		  "    sent as message 2\n"
		  "  abandon of message 2 sent as message 3 at 2.100 ms (trigger: Ctrl-C; on the wire 100 us later)\n"
		  "  result: none\n"
		  "  note: Notice of Disconnection: unavailable (52): bye\\x01\\xff\n"
		  "connection-lost: Notice of Disconnection at 4.000 ms, before the outcome was decided\n",
		  "ldapabandon: text");
	is_render(report_json, &r,
		  "{\"format\":1,\"tool\":\"ldapabandon\",\"uri\":\"ldap://127.0.0.1:3890\",\"operation\":{\"type\":\"delete\","
		  "\"msgid\":2},\"interrupt\":{\"type\":\"abandon\",\"msgid\":3,\"target\":2,\"trigger\":\"signal\","
		  "\"sent_ms\":2.100,\"trigger_ms\":2.000,\"latency_us\":100.000},\"entries_before\":0,"
		  "\"entries_after\":0,\"references_before\":0,\"references_after\":0,\"intermediates_before\":0,"
		  "\"intermediates_after\":0,\"op_result\":null,\"connection\":{\"lost\":true,\"reason\":\"Notice of "
		  "Disconnection\",\"at_ms\":4.000,\"notice_of_disconnection\":{\"code\":52,\"name\":\"unavailable\","
		  "\"at_ms\":4.000,\"message\":\"bye\\u0001\xef\xbf\xbd\"},\"strays\":0,\"malformed\":0},"
		  "\"notes\":[\"Notice of Disconnection: unavailable (52): bye\\u0001\xef\xbf\xbd\"],"
		  "\"outcome\":\"connection-lost\",\"exit\":81}\n",
		  "ldapabandon: JSON");
}

static void is_note(const li_result *res, li_note_fact n, const char *want)
{
	li_buf *b = li_buf_new();

	li_note_text(res, &n, b);
	is_str(li_buf_data(b), want, "note %d", (int)n.note);
	li_buf_free(b);
}

static void test_notes(void)
{
	li_result r;

	base(&r, "ldapcancel", LI_INTERRUPT_CANCEL);
	strcpy(r.lost_why, "the server sent bytes that are not LDAP: bad tag");
	is_note(&r, (li_note_fact){ .note = LI_NOTE_DONE_BEFORE_DUE },
		"the operation completed before the interrupt was due: nothing was sent");
	is_note(&r, (li_note_fact){ .note = LI_NOTE_CANCEL_CODE_NOT_ALLOWED, .code = 68 },
		"the server answered the Cancel with entryAlreadyExists (68), which RFC 3909 does not allow");
	is_note(&r, (li_note_fact){ .note = LI_NOTE_NO_CANCEL_RESPONSE, .flag = 1 },
		"no response to the Cancel arrived before the connection closed");
	is_note(&r, (li_note_fact){ .note = LI_NOTE_NO_CANCEL_RESPONSE },
		"no response to the Cancel arrived within --wait");
	is_note(&r, (li_note_fact){ .note = LI_NOTE_CANCEL_SUCCESS_YET_DONE, .code = 0 },
		"the server answered success to the Cancel, yet the operation completed with success (0)");
	is_note(&r, (li_note_fact){ .note = LI_NOTE_TOO_LATE_BEFORE_RESULT },
		"the operation's own result had not arrived when tooLate (120) did");
	is_note(&r, (li_note_fact){ .note = LI_NOTE_CANCEL_ANSWERED_NO_END, .code = 999 },
		"the Cancel was answered unknown (999) but the operation did not end within --wait");
	is_note(&r, (li_note_fact){ .note = LI_NOTE_ABANDON_NOT_HONOURED, .ns = 1234567 },
		"the server sent the operation's result 1.235 ms after the abandon: it did not honour the abandon");
	is_note(&r, (li_note_fact){ .note = LI_NOTE_STILL_SENDING, .ns = 20049000000LL },
		"messages for the abandoned operation were still arriving 20.0 s after the abandon");
	is_note(&r, (li_note_fact){ .note = LI_NOTE_ABANDON_NOT_SENT }, "libldap did not send the AbandonRequest");
	is_note(&r, (li_note_fact){ .note = LI_NOTE_SELF_TARGET, .msgid = 3, .flag = 1 },
		"libldap numbers a new connection's requests from 1 (StartTLS, the bind, ...): message ID 3 was the "
		"Cancel's own, so the server saw it name itself");
	r.interrupt = LI_INTERRUPT_ABANDON;
	is_note(&r, (li_note_fact){ .note = LI_NOTE_SELF_TARGET, .msgid = 2 },
		"libldap numbers a new connection's requests from 1 (the bind, ...): message ID 2 was the "
		"AbandonRequest's own, so the server saw it name itself");
	is_note(&r, (li_note_fact){ .note = LI_NOTE_FOREIGN_MSGID, .msgid = 9 },
		"message ID 9 belongs to no operation of this new connection");
	is_note(&r, (li_note_fact){ .note = LI_NOTE_NOTICE_OF_DISCONNECTION, .code = 2 },
		"Notice of Disconnection: protocolError (2)");
	is_note(&r, (li_note_fact){ .note = LI_NOTE_MALFORMED }, "the server sent bytes that are not LDAP: bad tag");
	is_note(&r, (li_note_fact){ .note = LI_NOTE_STRAYS, .count = 1 },
		"1 response carried a message ID nobody asked for (ignored)");
	is_str(li_trigger_name(LI_TRIGGER_AFTER_ENTRIES), "after-entries", "trigger name");
	is_str(li_trigger_name(LI_TRIGGER_RESULT), "result", "a late interrupt's trigger name");
	ok(li_trigger_name(LI_TRIGGER_NONE) == NULL, "no trigger, no name");
}

int main(void)
{
	test_cancel();
	test_paged();
	test_trace();
	test_lost();
	test_notes();
	return done_testing();
}
