/* SPDX-License-Identifier: BSD-2-Clause */
/* The relay's interrupts (lib/relay/inject.c) on byte vectors: which client
 * requests it takes, the Abandon and Cancel it writes (byte for byte, under
 * its own message IDs), which server messages it keeps from the client,
 * and the outcome it decides. */
#include <ldap.h>

#include "hex.h"
#include "inject.h"
#include "params.h"
#include "pdu.h"
#include "tapcheck.h"

#define MS 1000000LL

/* Decodes hex into a pdu; the bytes stay in buf (with the spare byte
 * liblber peeks at). */
static li_pdu pdu_of(const char *hex, unsigned char *buf, size_t cap)
{
	li_pdu p;
	size_t n = hex_decode(hex, buf, cap - 1);

	buf[n] = 0;
	li_pdu_decode(NULL, buf, n, &p);
	return p;
}

static void request(li_inject *in, const char *hex, int64_t t)
{
	unsigned char buf[256];
	li_pdu p = pdu_of(hex, buf, sizeof(buf));

	li_inject_request(in, &p, t);
}

static int response(li_inject *in, const char *hex, int64_t t)
{
	unsigned char buf[256];
	li_pdu p = pdu_of(hex, buf, sizeof(buf));

	return li_inject_response(in, &p, t);
}

static void expect_bytes(const unsigned char *got, size_t len, const char *want_hex, const char *what)
{
	unsigned char want[64];
	size_t n = hex_decode(want_hex, want, sizeof(want));

	if (!ok(len == n && memcmp(got, want, n) == 0, "%s", what)) {
		size_t i;

		printf("# got");
		for (i = 0; i < len; i++)
			printf(" %02x", got[i]);
		printf("\n");
	}
}

static li_params *params(li_interrupt type, long long after_entries, int64_t wait_us)
{
	li_params *p = li_params_new();
	li_error err;

	li_params_set_interrupt(p, type, &err);
	if (after_entries >= 0)
		li_params_set_after_entries(p, after_entries, &err);
	if (wait_us >= 0)
		li_params_set_wait(p, wait_us, &err);
	li_params_check(p, &err);
	return p;
}

/* A search of "dc=x" as message id (two digits of hex), and its answers. */
#define SEARCH(id) "30 20 02 01 " id " 63 1b 04 04 64 63 3d 78 0a 01 02 0a 01 00 02 01 00 02 01 00 01 01 00 87 02 63 6e 30 00"
#define ENTRY(id) "30 0d 02 01 " id " 64 08 04 04 64 63 3d 78 30 00"
#define DONE(id, code) "30 0c 02 01 " id " 65 07 0a 01 " code " 04 00 04 00"
#define CANCEL_DONE_TOP "30 0f 02 04 7f ff ff ff 78 07 0a 01 00 04 00 04 00"

static void cancel_after_two_entries(void)
{
	li_params *p = params(LI_INTERRUPT_CANCEL, 2, -1);
	li_inject *in = li_inject_new(p, LI_OP_SEARCH, "ldap://x");
	const unsigned char *req;
	const li_result *res;
	size_t len;

	request(in, SEARCH("02"), 1 * MS);
	ok(!li_inject_awaiting(in), "no Cancel sent, none awaited");
	ok(!li_inject_next(in, 2 * MS, &req, &len), "nothing due before the entries");
	is_int(li_inject_due(in), 0, "no timer: --after-entries alone waits for the entries");
	ok(!response(in, ENTRY("02"), 3 * MS), "an entry of the client's search reaches it");
	ok(!response(in, ENTRY("02"), 4 * MS), "the second too");
	is_int(li_inject_due(in), 4 * MS, "the trigger fired with the second entry");
	ok(li_inject_next(in, 5 * MS, &req, &len), "a Cancel is due");
	/* ExtendedRequest 1.3.6.1.1.8, value SEQUENCE { 2 }, as message 2147483647 */
	expect_bytes(req, len, "30 1c 02 04 7f ff ff ff 77 14 80 0b 31 2e 33 2e 36 2e 31 2e 31 2e 38 81 05 30 03 02 01 02",
		     "the Cancel of message 2 under the relay's top message ID");
	li_inject_sent(in, 5 * MS);
	ok(li_inject_awaiting(in), "the Cancel awaits its answer: a client's Unbind would be held");
	ok(!li_inject_next(in, 6 * MS, &req, &len), "one Cancel only");
	ok(!response(in, ENTRY("02"), 6 * MS), "an entry after the Cancel still reaches the client");
	ok(li_inject_decided(in, 6 * MS, NULL) == NULL, "undecided while the search runs");
	ok(!response(in, DONE("02", "76"), 7 * MS), "the search's canceled (118) reaches the client");
	ok(li_inject_awaiting(in), "still awaited after the search's result");
	ok(response(in, CANCEL_DONE_TOP, 8 * MS), "the Cancel's answer does not");
	ok(!li_inject_awaiting(in), "answered: nothing awaited");
	res = li_inject_decided(in, 8 * MS, NULL);
	ok(res != NULL, "decided");
	if (res) {
		is_str(li_outcome_name(res->outcome), "canceled", "outcome");
		is_int(res->op_msgid, 2, "the client's message ID");
		is_int(res->intr_msgid, 2147483647, "the relay's");
		is_int(res->entries[0], 2, "entries before");
		is_int(res->entries[1], 1, "entries after");
		is_int(res->trigger, LI_TRIGGER_AFTER_ENTRIES, "trigger");
		is_int(res->t_intr_ns - res->t_op_ns, 4 * MS, "the Cancel 4 ms after the request");
		is_str(res->op_text, "the client's search", "the operation in words");
	}
	ok(li_inject_decided(in, 9 * MS, NULL) == NULL, "once");
	li_inject_free(in);
	li_params_free(p);
}

static void abandon_at_once_and_own_ids(void)
{
	li_params *p = params(LI_INTERRUPT_ABANDON, -1, 0);
	li_inject *in = li_inject_new(p, LI_OP_SEARCH, "ldap://x");
	const unsigned char *req;
	const li_result *res;
	size_t len;

	/* The client takes the relay's first choice itself. */
	request(in, "30 23 02 04 7f ff ff ff 63 1b 04 04 64 63 3d 78 0a 01 02 0a 01 00 02 01 00 02 01 00 01 01 00 87 02 "
		    "63 6e 30 00", 1 * MS);
	ok(li_inject_next(in, 1 * MS, &req, &len), "--after 0: due at once");
	expect_bytes(req, len, "30 0c 02 04 7f ff ff fe 50 04 7f ff ff ff",
		     "an Abandon of message 2147483647, under 2147483646");
	li_inject_sent(in, 1 * MS);
	ok(!li_inject_awaiting(in), "an Abandon has no answer to await");
	ok(!response(in, "30 10 02 04 7f ff ff ff 64 08 04 04 64 63 3d 78 30 00", 2 * MS),
	   "the client's own 2147483647 is the client's");
	res = li_inject_decided(in, 2 * MS, NULL);
	ok(res != NULL && res->outcome == LI_OUTCOME_ABANDONED, "--wait 0 decides at once: abandoned");
	li_inject_free(in);
	li_params_free(p);
}

static void what_is_not_interrupted(void)
{
	li_params *p = params(LI_INTERRUPT_CANCEL, 5, -1);
	li_inject *in = li_inject_new(p, LI_OP_SEARCH, "ldap://x");
	const unsigned char *req;
	const li_result *res;
	size_t len;

	request(in, "30 0c 02 01 01 60 07 02 01 03 04 00 80 00", 1 * MS);
	ok(li_inject_decided(in, 1 * MS, "gone") == NULL, "a bind is not the operation to interrupt");
	request(in, SEARCH("03"), 1 * MS);
	request(in, "30 06 02 01 04 50 01 03", 2 * MS);
	ok(li_inject_decided(in, 2 * MS, "gone") == NULL, "a search the client abandoned itself is left alone");
	request(in, SEARCH("05"), 3 * MS);
	ok(!response(in, DONE("05", "00"), 4 * MS), "its result reaches the client");
	ok(!li_inject_next(in, 5 * MS, &req, &len), "nothing to send for a search that ended");
	res = li_inject_decided(in, 5 * MS, NULL);
	ok(res && res->outcome == LI_OUTCOME_TOO_LATE && res->op_done_before_interrupt,
	   "a search done before its trigger: too-late");
	request(in, SEARCH("06"), 6 * MS);
	res = li_inject_decided(in, 7 * MS, "the client closed its connection");
	ok(res && res->outcome == LI_OUTCOME_CONNECTION_LOST, "the session ended first: connection-lost");
	if (res)
		is_str(res->lost_why, "the client closed its connection", "why");
	ok(li_inject_new(p, 42, "ldap://x") == NULL, "an unknown operation type");
	li_inject_free(in);
	li_params_free(p);
}

int main(void)
{
	cancel_after_two_entries();
	abandon_at_once_and_own_ids();
	what_is_not_interrupted();
	return done_testing();
}
