/* SPDX-License-Identifier: BSD-2-Clause */
/* Every rule of the verdict (lib/engine/outcome.c, and the OUTCOMES section
 * of the man pages), one fact pattern at a time; then the notes, as codes
 * with their numbers. */
#include <ldap.h>

#include "outcome.h"
#include "tapcheck.h"

#define CANCEL(...) ((li_facts){ .type = LI_INTERRUPT_CANCEL, .intr_sent = 1, __VA_ARGS__ })
#define ABANDON(...) ((li_facts){ .type = LI_INTERRUPT_ABANDON, .intr_sent = 1, __VA_ARGS__ })

static void expect(li_facts f, li_outcome want, const char *what)
{
	li_outcome got = li_classify(&f);

	ok(got == want, "%s -> %s", what, li_outcome_name(want));
	if (got != want)
		printf("# got %s\n", li_outcome_name(got));
}

/* The notes li_notes gives for f and outcome o, as "kind:code:flag:msgid:ns:count" lines. */
static void expect_notes(li_facts f, li_outcome o, const char *want, const char *what)
{
	li_note_fact notes[LI_RESULT_MAX_NOTES];
	char got[512] = "";
	size_t len = 0;
	int i, n = 0;

	li_notes(&f, o, notes, &n, LI_RESULT_MAX_NOTES);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%d:%d:%d:%lld:%lld:%llu", i ? " " : "",
					(int)notes[i].note, notes[i].code, notes[i].flag, (long long)notes[i].msgid,
					(long long)notes[i].ns, (unsigned long long)notes[i].count);
	is_str(got, want, "notes: %s", what);
}

#define N(kind) LI_NOTE_##kind

static void test_notes(void)
{
	char want[256];

	expect_notes(CANCEL(.op_done = 1, .op_code = 118, .intr_done = 1, .intr_code = 0), LI_OUTCOME_CANCELED, "",
		     "a clean cancel has none");
	snprintf(want, sizeof(want), "%d:120:0:0:0:0", N(CANCEL_CONTRADICTED));
	expect_notes(CANCEL(.op_done = 1, .op_code = 118, .intr_done = 1, .intr_code = 120), LI_OUTCOME_CANCELED,
		     want, "canceled, yet the Cancel answered tooLate");
	snprintf(want, sizeof(want), "%d:0:1:0:0:0", N(NO_CANCEL_RESPONSE));
	expect_notes(CANCEL(.op_done = 1, .op_code = 118, .lost = 1), LI_OUTCOME_CANCELED, want,
		     "no Cancel response before the close (flag 1)");
	snprintf(want, sizeof(want), "%d:0:0:0:0:0", N(NO_CANCEL_RESPONSE));
	expect_notes(CANCEL(.op_done = 1, .op_code = 118, .window_over = 1), LI_OUTCOME_CANCELED, want,
		     "no Cancel response within --wait (flag 0)");
	snprintf(want, sizeof(want), "%d:68:0:0:0:0 %d:68:0:0:0:0", N(CANCEL_CODE_NOT_ALLOWED),
		 N(CANCEL_ANSWERED_NO_END));
	expect_notes(CANCEL(.intr_done = 1, .intr_code = 68, .window_over = 1), LI_OUTCOME_NO_RESPONSE, want,
		     "an answer RFC 3909 does not allow, and no end");
	snprintf(want, sizeof(want), "%d:32:0:0:0:0", N(CANCEL_SUCCESS_YET_DONE));
	expect_notes(CANCEL(.op_done = 1, .op_code = 32, .intr_done = 1, .intr_code = 0), LI_OUTCOME_FAILED, want,
		     "Cancel success, yet the operation ended with its own code");
	snprintf(want, sizeof(want), "%d:0:0:0:0:0", N(TOO_LATE_BEFORE_RESULT));
	expect_notes(CANCEL(.intr_done = 1, .intr_code = 120), LI_OUTCOME_TOO_LATE, want, "tooLate before the result");
	snprintf(want, sizeof(want), "%d:0:0:0:0:0", N(DONE_BEFORE_DUE));
	expect_notes(((li_facts){ .type = LI_INTERRUPT_CANCEL, .op_done = 1, .op_done_before_interrupt = 1 }),
		     LI_OUTCOME_TOO_LATE, want, "done before the trigger");
	snprintf(want, sizeof(want), "%d:0:0:0:1500000:0", N(ABANDON_NOT_HONOURED));
	expect_notes(ABANDON(.op_done = 1, .op_after_intr_ns = 1500000), LI_OUTCOME_TOO_LATE, want,
		     "abandon not honoured, with the delay in ns");
	snprintf(want, sizeof(want), "%d:0:0:0:12000000000:0", N(STILL_SENDING));
	expect_notes(ABANDON(.window_over = 1, .still_sending = 1, .late_after_intr_ns = 12000000000LL),
		     LI_OUTCOME_NO_RESPONSE, want, "still sending at the cap");
	snprintf(want, sizeof(want), "%d:0:1:3:0:0", N(SELF_TARGET));
	expect_notes(CANCEL(.no_operation = 1, .target_msgid = 3, .starttls = 1), LI_OUTCOME_SELF_TARGET, want,
		     "self-target after StartTLS, not also foreign");
	snprintf(want, sizeof(want), "%d:0:0:7:0:0", N(FOREIGN_MSGID));
	expect_notes(ABANDON(.no_operation = 1, .target_msgid = 7, .window_over = 1), LI_OUTCOME_ABANDONED, want,
		     "--msgid names no operation of the connection");
	snprintf(want, sizeof(want), "%d:52:0:0:0:0 %d:0:0:0:0:0 %d:0:0:0:0:2", N(NOTICE_OF_DISCONNECTION),
		 N(MALFORMED), N(STRAYS));
	expect_notes(ABANDON(.lost = 1, .nod = 1, .nod_code = 52, .malformed = 1, .strays = 2),
		     LI_OUTCOME_CONNECTION_LOST, want, "connection facts, in order");

	{
		li_facts f = CANCEL(.intr_done = 1, .intr_code = 68, .window_over = 1, .nod = 1, .malformed = 1,
				    .strays = 1, .no_operation = 1);
		li_note_fact notes[3];
		int n = 1;

		li_notes(&f, LI_OUTCOME_NO_RESPONSE, notes, &n, 3);
		is_int(n, 3, "notes stop at max, after those already there");
		is_int(notes[1].note, N(CANCEL_CODE_NOT_ALLOWED), "the first new note goes after them");
	}
}

/* An operation that ends on its own with an error failed, whichever tool
 * ran it; only the codes of an operation that did its job stay too-late
 * (or completed). */
static void test_failed(void)
{
	static const int exempt[] = { LDAP_SUCCESS, LDAP_COMPARE_FALSE, LDAP_COMPARE_TRUE, LDAP_CANCELLED,
				      LDAP_SIZELIMIT_EXCEEDED, LDAP_TIMELIMIT_EXCEEDED, LDAP_REFERRAL };
	static const int errors[] = { LDAP_OPERATIONS_ERROR, LDAP_UNAVAILABLE_CRITICAL_EXTENSION, LDAP_NO_SUCH_OBJECT,
				      LDAP_INSUFFICIENT_ACCESS, LDAP_ALREADY_EXISTS, LDAP_TOO_LATE, LDAP_OTHER };
	char what[96];
	size_t i;

	for (i = 0; i < sizeof(exempt) / sizeof(exempt[0]); i++) {
		ok(!li_op_failed(exempt[i]), "code %d is not a failure", exempt[i]);
		snprintf(what, sizeof(what), "cancel: op %d before the cancel", exempt[i]);
		expect(((li_facts){ .type = LI_INTERRUPT_CANCEL, .op_done = 1, .op_code = exempt[i],
				    .op_done_before_interrupt = 1 }), LI_OUTCOME_TOO_LATE, what);
		snprintf(what, sizeof(what), "abandon: op %d after the abandon", exempt[i]);
		expect(ABANDON(.op_done = 1, .op_code = exempt[i]), LI_OUTCOME_TOO_LATE, what);
		snprintf(what, sizeof(what), "trace: op %d", exempt[i]);
		expect(((li_facts){ .type = LI_INTERRUPT_NONE, .op_done = 1, .op_code = exempt[i] }),
		       LI_OUTCOME_COMPLETED, what);
	}
	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		ok(li_op_failed(errors[i]), "code %d is a failure", errors[i]);
		snprintf(what, sizeof(what), "cancel: op %d before the cancel", errors[i]);
		expect(((li_facts){ .type = LI_INTERRUPT_CANCEL, .op_done = 1, .op_code = errors[i],
				    .op_done_before_interrupt = 1 }), LI_OUTCOME_FAILED, what);
		snprintf(what, sizeof(what), "cancel: op %d, then tooLate", errors[i]);
		expect(CANCEL(.op_done = 1, .op_code = errors[i], .intr_done = 1, .intr_code = 120),
		       LI_OUTCOME_FAILED, what);
		snprintf(what, sizeof(what), "abandon: op %d after the abandon", errors[i]);
		expect(ABANDON(.op_done = 1, .op_code = errors[i]), LI_OUTCOME_FAILED, what);
		snprintf(what, sizeof(what), "trace: op %d", errors[i]);
		expect(((li_facts){ .type = LI_INTERRUPT_NONE, .op_done = 1, .op_code = errors[i] }),
		       LI_OUTCOME_FAILED, what);
	}
	expect(CANCEL(.op_done = 1, .op_code = 32, .intr_done = 1, .intr_code = 0), LI_OUTCOME_FAILED,
	       "cancel success, yet the op ended with an error");
	expect(CANCEL(.op_done = 1, .op_code = 32), LI_OUTCOME_UNDECIDED, "op 32, cancel response not yet");
	expect(CANCEL(.op_done = 1, .op_code = 32, .intr_done = 1, .intr_code = 2), LI_OUTCOME_UNSUPPORTED,
	       "unsupported still takes precedence over a failed op");
	expect(CANCEL(.op_done = 1, .op_code = 32, .intr_done = 1, .intr_code = 121), LI_OUTCOME_CANNOT_CANCEL,
	       "cannotCancel still takes precedence over a failed op");
	expect(CANCEL(.intr_done = 1, .intr_code = 120), LI_OUTCOME_TOO_LATE, "tooLate alone is no failure");
	is_str(li_outcome_name(LI_OUTCOME_FAILED), "failed", "name of failed");
	expect_notes(((li_facts){ .type = LI_INTERRUPT_NONE, .op_done = 1, .op_code = 32 }), LI_OUTCOME_FAILED, "",
		     "trace: a failure has no notes");
}

/* When the listening ends (li_window_end): a Cancel's --wait after it; an
 * Abandon's --wait of silence, restarted by late messages, capped at
 * max(10 x --wait, 10 s). */
static void test_window(void)
{
	const int64_t s = 1000000000LL;
	int capped;

	is_int(li_window_end(LI_INTERRUPT_CANCEL, 5 * s, 9 * s, 30 * s, &capped), 35 * s, "cancel: --wait after it");
	ok(!capped, "cancel: never capped");
	is_int(li_window_end(LI_INTERRUPT_ABANDON, 5 * s, 0, s, &capped), 6 * s, "abandon: silence after it");
	is_int(li_window_end(LI_INTERRUPT_ABANDON, 5 * s, 8 * s, s, &capped), 9 * s, "abandon: restarted by a late one");
	ok(!capped, "abandon: not capped yet");
	is_int(li_window_end(LI_INTERRUPT_ABANDON, 5 * s, 15 * s, s, &capped), 15 * s, "abandon: capped at 10 s");
	ok(capped, "abandon: capped");
	is_int(li_window_end(LI_INTERRUPT_ABANDON, 0, 39 * s, 3 * s, &capped), 30 * s, "abandon: capped at 10 x --wait");
}

int main(void)
{
	test_window();
	expect(CANCEL(.op_done = 1, .op_code = 118, .intr_done = 1, .intr_code = 0), LI_OUTCOME_CANCELED,
	       "op 118, cancel success");
	expect(CANCEL(.op_done = 1, .op_code = 118), LI_OUTCOME_UNDECIDED, "op 118, cancel response not yet");
	expect(CANCEL(.op_done = 1, .op_code = 118, .window_over = 1), LI_OUTCOME_CANCELED,
	       "op 118, cancel response never came");
	expect(CANCEL(.op_done = 1, .op_code = 118, .intr_done = 1, .intr_code = 120), LI_OUTCOME_CANCELED,
	       "contradiction: op 118, cancel tooLate follows the op");
	expect(CANCEL(.op_done = 1, .op_code = 0, .intr_done = 1, .intr_code = 119), LI_OUTCOME_TOO_LATE,
	       "op completed, cancel 119");
	expect(CANCEL(.op_done = 1, .op_code = 0, .intr_done = 1, .intr_code = 120), LI_OUTCOME_TOO_LATE,
	       "op completed, cancel 120");
	expect(CANCEL(.intr_done = 1, .intr_code = 120), LI_OUTCOME_TOO_LATE, "tooLate alone");
	expect(CANCEL(.intr_done = 1, .intr_code = 119), LI_OUTCOME_NO_SUCH_OPERATION, "noSuchOperation");
	expect(CANCEL(.intr_done = 1, .intr_code = 121), LI_OUTCOME_CANNOT_CANCEL, "cannotCancel");
	expect(CANCEL(.intr_done = 1, .intr_code = 2), LI_OUTCOME_UNSUPPORTED, "protocolError");
	expect(CANCEL(.intr_done = 1, .intr_code = 53), LI_OUTCOME_UNSUPPORTED, "unwillingToPerform");
	expect(CANCEL(.op_done = 1, .op_code = 0, .intr_done = 1, .intr_code = 2), LI_OUTCOME_UNSUPPORTED,
	       "unsupported takes precedence over a completed op");
	expect(CANCEL(.intr_done = 1, .intr_code = 0), LI_OUTCOME_UNDECIDED, "cancel success, op not ended yet");
	expect(CANCEL(.intr_done = 1, .intr_code = 0, .window_over = 1), LI_OUTCOME_NO_RESPONSE,
	       "cancel success, op never ended");
	expect(CANCEL(.window_over = 1), LI_OUTCOME_NO_RESPONSE, "nothing within --wait");
	expect(CANCEL(.lost = 1), LI_OUTCOME_CONNECTION_LOST, "connection lost while waiting");
	expect(CANCEL(.op_done = 1, .op_code = 118, .lost = 1), LI_OUTCOME_CANCELED,
	       "op 118 then connection lost: the op result decides");
	expect(((li_facts){ .type = LI_INTERRUPT_CANCEL, .op_done = 1, .op_code = 0, .op_done_before_interrupt = 1 }),
	       LI_OUTCOME_TOO_LATE, "op completed before the cancel was due");
	expect(((li_facts){ .type = LI_INTERRUPT_CANCEL, .lost = 1 }), LI_OUTCOME_CONNECTION_LOST,
	       "connection lost before the trigger");
	expect(CANCEL(.no_operation = 1, .intr_done = 1, .intr_code = 119), LI_OUTCOME_NO_SUCH_OPERATION,
	       "--msgid: noSuchOperation");

	expect(ABANDON(), LI_OUTCOME_UNDECIDED, "abandon sent, window open");
	expect(ABANDON(.window_over = 1), LI_OUTCOME_ABANDONED, "silence for --wait");
	expect(ABANDON(.op_done = 1, .op_code = 0), LI_OUTCOME_TOO_LATE, "result after the abandon");
	expect(ABANDON(.op_done = 1, .op_code = 0, .window_over = 1), LI_OUTCOME_TOO_LATE, "result, window over");
	expect(ABANDON(.lost = 1), LI_OUTCOME_CONNECTION_LOST, "connection closed after the abandon");
	expect(ABANDON(.lost = 1, .op_done = 1), LI_OUTCOME_TOO_LATE, "result then close");
	expect(ABANDON(.no_operation = 1, .window_over = 1), LI_OUTCOME_ABANDONED, "--msgid: sent, silence");
	expect(ABANDON(.window_over = 1, .still_sending = 1), LI_OUTCOME_NO_RESPONSE,
	       "messages until the cap: no silence, no abandon shown");

	/* A late interrupt of an operation that completed: listened to, then too-late. */
	expect(ABANDON(.late = 1, .op_done = 1, .op_done_before_interrupt = 1), LI_OUTCOME_UNDECIDED,
	       "late abandon: the window is open");
	expect(ABANDON(.late = 1, .op_done = 1, .op_done_before_interrupt = 1, .window_over = 1), LI_OUTCOME_TOO_LATE,
	       "late abandon: silence for --wait");
	expect(ABANDON(.late = 1, .op_done = 1, .op_code = 32, .op_done_before_interrupt = 1, .window_over = 1),
	       LI_OUTCOME_FAILED, "late abandon of a failed operation");
	expect(ABANDON(.late = 1, .op_done = 1, .op_done_before_interrupt = 1, .lost = 1), LI_OUTCOME_TOO_LATE,
	       "late abandon, then the connection closed");
	expect(((li_facts){ .type = LI_INTERRUPT_ABANDON, .late = 1, .op_done = 1, .op_done_before_interrupt = 1 }),
	       LI_OUTCOME_UNDECIDED, "late abandon: not sent yet");
	expect(CANCEL(.late = 1, .op_done = 1, .op_done_before_interrupt = 1), LI_OUTCOME_UNDECIDED,
	       "late cancel: its response not yet");
	expect(CANCEL(.late = 1, .op_done = 1, .op_done_before_interrupt = 1, .intr_done = 1, .intr_code = 119),
	       LI_OUTCOME_TOO_LATE, "late cancel answered noSuchOperation");
	expect(CANCEL(.late = 1, .op_done = 1, .op_done_before_interrupt = 1, .window_over = 1), LI_OUTCOME_TOO_LATE,
	       "late cancel never answered");
	expect(CANCEL(.late = 1, .op_done = 1, .op_code = 0, .intr_done = 1, .intr_code = 0), LI_OUTCOME_TOO_LATE,
	       "late set, the operation completed after the cancel: as without it");
	expect_notes(ABANDON(.late = 1, .op_done = 1, .op_done_before_interrupt = 1, .window_over = 1),
		     LI_OUTCOME_TOO_LATE, "", "late abandon: no note that nothing was sent");

	expect(((li_facts){ .type = LI_INTERRUPT_NONE, .op_done = 1 }), LI_OUTCOME_COMPLETED, "trace: completed");
	expect(((li_facts){ .type = LI_INTERRUPT_NONE, .stopped = 1 }), LI_OUTCOME_STOPPED, "trace: Ctrl-C");
	expect(((li_facts){ .type = LI_INTERRUPT_NONE, .lost = 1 }), LI_OUTCOME_CONNECTION_LOST, "trace: lost");
	expect(((li_facts){ .type = LI_INTERRUPT_NONE }), LI_OUTCOME_UNDECIDED, "trace: running");
	expect(((li_facts){ .type = LI_INTERRUPT_NONE, .timed_out = 1 }), LI_OUTCOME_NO_RESPONSE,
	       "trace: --timeout before the end");
	expect(((li_facts){ .type = LI_INTERRUPT_NONE, .timed_out = 1, .op_done = 1 }), LI_OUTCOME_COMPLETED,
	       "trace: the end arrived before --timeout");

	is_str(li_outcome_name(LI_OUTCOME_NO_SUCH_OPERATION), "no-such-operation", "name");
	is_str(li_outcome_name((li_outcome)99), "undecided", "name out of range");
	test_notes();
	test_failed();
	return done_testing();
}
