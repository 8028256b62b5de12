/* SPDX-License-Identifier: BSD-2-Clause */
/* Every word the reports say about a run, in one place. */
#include "words.h"

#include <stdarg.h>
#include <stdio.h>

#include "buf.h"
#include "names.h"

#define NS_PER_MS 1e6
#define NS_PER_S 1e9

static const char *const outcome_names[] = {
	[LI_OUTCOME_UNDECIDED] = "undecided",
	[LI_OUTCOME_CANCELED] = "canceled",
	[LI_OUTCOME_ABANDONED] = "abandoned",
	[LI_OUTCOME_TOO_LATE] = "too-late",
	[LI_OUTCOME_NO_SUCH_OPERATION] = "no-such-operation",
	[LI_OUTCOME_CANNOT_CANCEL] = "cannot-cancel",
	[LI_OUTCOME_UNSUPPORTED] = "unsupported",
	[LI_OUTCOME_NO_RESPONSE] = "no-response",
	[LI_OUTCOME_CONNECTION_LOST] = "connection-lost",
	[LI_OUTCOME_COMPLETED] = "completed",
	[LI_OUTCOME_STOPPED] = "stopped",
	[LI_OUTCOME_SELF_TARGET] = "self-target",
	[LI_OUTCOME_FAILED] = "failed",
};

const char *li_outcome_name(li_outcome o)
{
	if ((unsigned)o >= sizeof(outcome_names) / sizeof(outcome_names[0]))
		return "undecided";
	return outcome_names[o];
}

static const char *const trigger_names[] = {
	[LI_TRIGGER_NONE] = NULL,
	[LI_TRIGGER_AFTER] = "after",
	[LI_TRIGGER_AFTER_ENTRIES] = "after-entries",
	[LI_TRIGGER_SIGNAL] = "signal",
	[LI_TRIGGER_MSGID] = "msgid",
	[LI_TRIGGER_TIMEOUT] = "timeout",
	[LI_TRIGGER_RESULT] = "result",
};

const char *li_trigger_name(li_trigger t)
{
	if ((unsigned)t >= sizeof(trigger_names) / sizeof(trigger_names[0]))
		return NULL;
	return trigger_names[t];
}

const char *li_stage_name(li_stage stage)
{
	switch (stage) {
	case LI_STAGE_CONNECT:
		return "connect";
	case LI_STAGE_TLS:
		return "tls";
	case LI_STAGE_BIND:
		return "bind";
	case LI_STAGE_OPERATION:
		return "operation";
	case LI_STAGE_NONE:
	default:
		return NULL;
	}
}

const char *li_result_word(int code)
{
	const char *n = li_result_name(code);

	return n ? n : "unknown";
}

const char *li_interrupt_word(li_interrupt i)
{
	static const char *const words[] = { "operation", "abandon", "cancel" };

	return (unsigned)i < sizeof(words) / sizeof(words[0]) ? words[i] : "operation";
}

static void put(char *s, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void put(char *s, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s, size, fmt, ap);
	va_end(ap);
}

/* A note is at most 255 bytes, as it always was: a long diagnostic message
 * in a Notice of Disconnection is cut there. */
static void note_words(const li_result *res, const li_note_fact *n, char *s, size_t size)
{
	switch (n->note) {
	case LI_NOTE_DONE_BEFORE_DUE:
		put(s, size, "the operation completed before the interrupt was due: nothing was sent");
		break;
	case LI_NOTE_CANCEL_CODE_NOT_ALLOWED:
		put(s, size, "the server answered the Cancel with %s (%d), which RFC 3909 does not allow",
			 li_result_word(n->code), n->code);
		break;
	case LI_NOTE_CANCEL_CONTRADICTED:
		put(s, size, "the server contradicts itself: the operation ended canceled (118) but the "
			 "Cancel was answered %s (%d)", li_result_word(n->code), n->code);
		break;
	case LI_NOTE_NO_CANCEL_RESPONSE:
		put(s, size, "no response to the Cancel arrived%s", n->flag == 1 ? " before the connection closed"
			 : n->flag == 2 ? " before the --timeout deadline" : " within --wait");
		break;
	case LI_NOTE_CANCEL_SUCCESS_YET_DONE:
		put(s, size, "the server answered success to the Cancel, yet the operation completed with "
			 "%s (%d)", li_result_word(n->code), n->code);
		break;
	case LI_NOTE_TOO_LATE_BEFORE_RESULT:
		put(s, size, "the operation's own result had not arrived when tooLate (120) did");
		break;
	case LI_NOTE_CANCEL_ANSWERED_NO_END:
		put(s, size, "the Cancel was answered %s (%d) but the operation did not end within --wait",
			 li_result_word(n->code), n->code);
		break;
	case LI_NOTE_ABANDON_NOT_HONOURED:
		put(s, size, "the server sent the operation's result %.3f ms after the abandon: it did not "
			 "honour the abandon", (double)n->ns / NS_PER_MS);
		break;
	case LI_NOTE_STILL_SENDING:
		put(s, size, "messages for the abandoned operation were still arriving %.1f s after the abandon",
			 (double)n->ns / NS_PER_S);
		break;
	case LI_NOTE_ABANDON_NOT_SENT:
		put(s, size, "libldap did not send the AbandonRequest");
		break;
	case LI_NOTE_SELF_TARGET:
		put(s, size, "libldap numbers a new connection's requests from 1%s: message ID %lld was "
			 "the %s's own, so the server saw it name itself", n->flag ? " (StartTLS, the bind, ...)"
			 : " (the bind, ...)", (long long)n->msgid,
			 res->interrupt == LI_INTERRUPT_CANCEL ? "Cancel" : "AbandonRequest");
		break;
	case LI_NOTE_FOREIGN_MSGID:
		put(s, size, "message ID %lld belongs to no operation of this new connection",
			 (long long)n->msgid);
		break;
	case LI_NOTE_NOTICE_OF_DISCONNECTION:
		put(s, size, "Notice of Disconnection: %s (%d)%s%s", li_result_word(n->code), n->code,
			 res->nod.diag[0] ? ": " : "", res->nod.diag);
		break;
	case LI_NOTE_MALFORMED:
		put(s, size, "%s", res->lost_why);
		break;
	case LI_NOTE_STRAYS:
		put(s, size, "%llu response%s carried a message ID nobody asked for (ignored)",
			 (unsigned long long)n->count, n->count == 1 ? "" : "s");
		break;
	default:
		put(s, size, "note %d", (int)n->note);
		break;
	}
}

int li_note_text(const li_result *res, const li_note_fact *n, li_buf *out)
{
	char s[256];

	note_words(res, n, s, sizeof(s));
	li_buf_adds(out, s);
	return out->failed ? -1 : 0;
}
