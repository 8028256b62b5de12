/* Every rule of DESIGN.md §3, one fact pattern at a time. */
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

int main(void)
{
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

	expect(((li_facts){ .type = LI_INTERRUPT_NONE, .op_done = 1 }), LI_OUTCOME_COMPLETED, "trace: completed");
	expect(((li_facts){ .type = LI_INTERRUPT_NONE, .stopped = 1 }), LI_OUTCOME_STOPPED, "trace: Ctrl-C");
	expect(((li_facts){ .type = LI_INTERRUPT_NONE, .lost = 1 }), LI_OUTCOME_CONNECTION_LOST, "trace: lost");
	expect(((li_facts){ .type = LI_INTERRUPT_NONE }), LI_OUTCOME_UNDECIDED, "trace: running");

	is_str(li_outcome_name(LI_OUTCOME_NO_SUCH_OPERATION), "no-such-operation", "name");
	is_str(li_outcome_name((li_outcome)99), "undecided", "name out of range");
	return done_testing();
}
