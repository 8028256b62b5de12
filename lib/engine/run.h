/* SPDX-License-Identifier: BSD-2-Clause */
/* The run's state: what the wire has seen, in the order it crossed. */
#ifndef LI_RUN_H
#define LI_RUN_H

#include <signal.h>
#include <stdint.h>

#include <ldap.h>

#include "buf.h"
#include "config.h"
#include "conn.h"
#include "outcome.h"
#include "sockbuf.h"
#include "wire.h"

/* What an operation or interrupt got back as its final response. */
typedef li_reply li_response;

typedef enum li_expect { LI_EXPECT_NONE, LI_EXPECT_OP, LI_EXPECT_INTERRUPT } li_expect;

#define LI_MAX_SENT 64
#define LI_MAX_NOTES LI_RESULT_MAX_NOTES

struct li_run {
	li_params *cfg;
	li_conn *conn;
	LDAP *ld;            /* the connection's, NULL once closed */
	li_wire *wire;       /* events in the order the bytes crossed */
	li_tap *tap;         /* feeds the wire from libldap's Sockbuf */
	BerElement *scratch;
	LDAPControl **ctrls;
	li_event_fn observer;
	void *observer_arg;
	li_event_fn entry_fn;  /* the operation's entries, references, intermediates */
	void *entry_arg;
	sigset_t sigs;       /* the signals whose handler calls li_run_signal */
	int have_sigs;
	volatile sig_atomic_t sigint, sigterm, output_stopped;
	volatile int64_t t_sigint_ns; /* when the last SIGINT arrived */
	sig_atomic_t sigint_seen;     /* SIGINTs the run has acted upon */
	int output_blocked;  /* the observer's output is backed up: stop reading */
	int output_fd;       /* -1, or the output to watch for a closed reader */
	int connected, unbound;

	/* requests we wrote, to tell strays from answers */
	int64_t sent[LI_MAX_SENT];
	int nsent;
	li_expect expect;

	/* the operation */
	int64_t op_msgid;    /* -1 none */
	int64_t t_op_ns;     /* its request written; 0 = not yet */
	uint64_t entries[2], refs[2], intermediates[2]; /* [0] before, [1] after the interrupt */
	int64_t t_first_ns, t_last_ns, t_last_late_ns;
	int64_t t_nth_ns;    /* when --after-entries' Nth entry arrived */
	li_response op_res;
	int op_done_before_interrupt;

	/* the interrupt */
	int64_t intr_msgid;
	int intr_sent;
	int64_t t_trigger_ns, t_intr_ns;
	li_trigger trigger;
	struct berval *cancel_value; /* the Cancel's requestValue, encoded before the trigger */
	int warmed;          /* warm_encoder() ran near the trigger */
	li_response intr_res;

	/* the connection */
	int lost;
	int64_t t_lost_ns;
	char lost_why[256];
	int nod;             /* a Notice of Disconnection arrived */
	li_response nod_res;
	uint64_t malformed, strays;
	uint64_t msgs[2];
	int64_t t_first_recv_ns, t_last_recv_ns;
	int ldap_failed;     /* ldap_result said the connection is gone */

	/* listening */
	int window_over;
	int64_t window_cut_ns;  /* Ctrl-C ended the listening here */

	/* the verdict */
	li_outcome outcome;
	li_note_fact notes[LI_MAX_NOTES];
	int nnotes;
	li_result result;    /* li_run_result's copy */
	li_buf op_text;      /* ... and its description of the operation */

	int still_sending;      /* abandon: entries kept coming until the cap */

	/* a paged search: each page a search request of its own */
	struct {
		int size;            /* 0: not paged */
		uint64_t sent;       /* page requests sent */
		li_response end;     /* a page ended with success before the interrupt ... */
		LDAPMessage *done;   /* ... and its SearchResultDone, for the cookie */
	} page;

	/* the deadline (li_params_set_timeout) and the progress hook */
	int64_t t_start_ns;     /* li_run_connect began */
	int64_t deadline_ns;    /* 0: none */
	int timed_out;          /* the deadline fired the trigger or cut the listening */
	li_progress_fn progress;
	void *progress_arg;
	li_phase phase;
	int64_t t_phase_ns, next_tick_ns;

	li_log_fn log;
	void *log_arg;

	/* li_run_probe: a search on the same connection once the outcome is in */
	int64_t probe_msgid; /* 0: none sent */
	li_response probe_res;
};

void li_run_log(li_run *run, int warning, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Once li_run_execute has decided: a search of the root DSE (base scope, no
 * attributes) on the same connection, to see that the server still serves
 * it, answered within wait_us and before the run's deadline
 * (li_params_set_timeout). 0 with *reply its result (seen 0: no answer in
 * time, or the connection was lost: li_result's lost), or -1 with err when
 * it could not be sent for another reason than a lost connection. */
int li_run_probe(li_run *run, int64_t wait_us, li_reply *reply, li_error *err);
double li_run_ms(const li_run *run, int64_t t_ns); /* since the operation was written */

#endif
