/* SPDX-License-Identifier: BSD-2-Clause */
/* The verdict from facts seen on the wire, as a pure
 * function so that every rule has a unit test. */
#ifndef LI_OUTCOME_H
#define LI_OUTCOME_H

#include <stdint.h>

#include "ldapinterrupt.h"

typedef struct li_facts {
	li_interrupt type;
	int no_operation;             /* --msgid: no operation of ours */
	int intr_sent;
	int op_done, op_code;         /* the operation's final result */
	int op_done_before_interrupt; /* ... arrived before the interrupt was sent */
	int intr_done, intr_code;     /* the Cancel response */
	int lost;                     /* connection closed or Notice of Disconnection */
	int window_over;              /* --wait has run out (or was cut short) */
	int stopped;                  /* ldaptrace without an interrupt: Ctrl-C */
	int still_sending;            /* abandon: messages kept coming until the cap */
	int timed_out;                /* the run's deadline fired the trigger or cut the listening */
	int late;                     /* li_params_set_interrupt_late: a result before the
				       * interrupt does not end the listening */

	/* only for the notes */
	int64_t op_after_intr_ns;     /* the operation's result, this long after the interrupt */
	int64_t late_after_intr_ns;   /* the last message after the interrupt */
	int64_t target_msgid;         /* --msgid */
	int starttls;
	int nod, nod_code;            /* a Notice of Disconnection */
	uint64_t malformed, strays;
} li_facts;

/* LI_OUTCOME_UNDECIDED while listening longer could change the verdict. */
li_outcome li_classify(const li_facts *f);

/* Appends to notes[*n] (up to max) what the facts show beyond the outcome
 * o, as codes: render/words.c has the words. */
void li_notes(const li_facts *f, li_outcome o, li_note_fact *notes, int *n, int max);

/* When the listening after an interrupt written at t_intr_ns ends: for a
 * Cancel, wait_ns after it; for an Abandon, wait_ns of silence after the
 * last late message (t_last_late_ns, 0: none), up to a cap of
 * max(10 x wait_ns, 10 s) after it, so that a server that never stops
 * cannot hold the listener forever: *capped says the cap was reached. */
int64_t li_window_end(li_interrupt type, int64_t t_intr_ns, int64_t t_last_late_ns, int64_t wait_ns, int *capped);

/* An error result: the operation failed, not merely ended. */
int li_op_failed(int code);

/* A Cancel answer that means "I do not implement Cancel". */
int li_cancel_unsupported(int code);
/* A code RFC 3909 (or a server without Cancel) answers with. Anything else
 * is noted, and the operation's own result decides. */
int li_cancel_expected(int code);

#endif
