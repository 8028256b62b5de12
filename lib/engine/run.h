/* The run's state: what the tap has seen, in the order it crossed the wire. */
#ifndef LI_RUN_H
#define LI_RUN_H

#include <signal.h>
#include <stdint.h>

#include <ldap.h>

#include "buf.h"
#include "config.h"
#include "decode.h"
#include "outcome.h"
#include "pdu.h"
#include "tap.h"

struct li_event {
	li_tap_kind kind;
	li_dir dir;
	int64_t t_ns;        /* monotonic */
	double ms;           /* since the connection opened */
	const unsigned char *bytes;
	size_t len;
	const char *why;     /* malformed or closed: how */
	li_pdu pdu;
	int decoded;         /* pdu is complete and well-formed */
	li_decoded full;     /* every field, when an observer wants them */
	int has_full;
};

/* What an operation or interrupt got back as its final response. */
typedef struct li_response {
	int seen;
	int code;
	int64_t t_ns;
	char diag[512];
	char matched[256];
} li_response;

typedef enum li_expect { LI_EXPECT_NONE, LI_EXPECT_OP, LI_EXPECT_INTERRUPT } li_expect;

#define LI_MAX_SENT 64
#define LI_MAX_NOTES 6

struct li_run {
	li_params *cfg;
	LDAP *ld;
	li_tap *tap;
	BerElement *scratch;
	LDAPControl **ctrls;
	li_event_fn observer;
	void *observer_arg;
	li_decoder *decoder; /* only for an observer: the tools need the head only */
	sigset_t sigs;       /* the signals whose handler calls li_run_signal */
	int have_sigs;
	volatile sig_atomic_t sigint, sigterm, output_stopped;
	volatile int64_t t_sigint_ns; /* when the last SIGINT arrived */
	sig_atomic_t sigint_seen;     /* SIGINTs the run has acted upon */
	int output_blocked;  /* the observer's output is backed up: stop reading */
	int output_fd;       /* -1, or the output to watch for a closed reader */
	int connected, unbound;
	char *uri;           /* as libldap resolved it (from -H or ldap.conf) */
	char *defbase;       /* ldap.conf's BASE, for a search without -b */

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
	const char *trigger; /* after, after-entries, signal, msgid */
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
	char notes[LI_MAX_NOTES][256];
	int nnotes;

	int still_sending;      /* abandon: entries kept coming until the cap */

	li_log_fn log;
	void *log_arg;
};

void li_run_note(li_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void li_run_log(li_run *run, int warning, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
double li_run_ms(const li_run *run, int64_t t_ns); /* since the operation was written */

/* conn.c */
int li_conn_open(li_run *run, li_error *err);
void li_conn_close(li_run *run);
/* op.c */
int li_op_prepare(li_run *run, li_error *err);
int li_op_send(li_run *run, int *msgid, li_error *err);
void li_op_describe(const li_params *cfg, const char *defbase, li_buf *out);
const char *li_op_type(const li_params *cfg);

#endif
