/* SPDX-License-Identifier: BSD-2-Clause */
/* The driver: send the operation, wait for the trigger, interrupt, listen
 * until the outcome is decided. libldap only reads while ldap_result runs,
 * so the run keeps calling it (never blocking inside it) and waits in its
 * own ppoll; a signal is looked for on every pass. Every fact comes from the
 * tap, never from what libldap chose to deliver. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controls.h"
#include "names.h"
#include "op.h"
#include "paging.h"
#include "parse.h"
#include "run.h"

#define NS_PER_US 1000LL
#define NS_PER_MS 1000000LL
/* Timers on a busy machine (or a VM) fire a few hundred microseconds late:
 * sleep until this close to a deadline, then poll without sleeping. */
#define SPIN_NS (2 * NS_PER_MS)
/* warm_encoder() this many entries before --after-entries fires. */
#define WARM_AHEAD_ENTRIES 8
/* The progress hook's pace. */
#define TICK_NS (200 * NS_PER_MS)

/* A note as a code: render/words.c has the words. */
static li_note_fact *note(li_run *run, li_note n)
{
	li_note_fact *f;

	if (run->nnotes == LI_MAX_NOTES)
		return NULL;
	f = &run->notes[run->nnotes++];
	memset(f, 0, sizeof(*f));
	f->note = n;
	return f;
}

void li_run_log(li_run *run, int warning, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (run->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	run->log(run->log_arg, warning, line);
}

double li_run_ms(const li_run *run, int64_t t_ns)
{
	int64_t zero = run->t_op_ns ? run->t_op_ns : run->t_intr_ns;

	return (double)(t_ns - zero) / (double)NS_PER_MS;
}

static int was_sent(const li_run *run, int64_t msgid)
{
	int i;

	for (i = 0; i < run->nsent; i++)
		if (run->sent[i] == msgid)
			return 1;
	return 0;
}

static void account_send(li_run *run, const li_event *ev)
{
	if (ev->pdu.msgid < 0)
		return;
	if (run->nsent < LI_MAX_SENT)
		run->sent[run->nsent++] = ev->pdu.msgid;
	if (run->expect == LI_EXPECT_OP && !ev->pdu.is_final) {
		run->op_msgid = ev->pdu.msgid;
		if (run->t_op_ns == 0) /* a paged search counts from its first page */
			run->t_op_ns = ev->t_ns;
		run->expect = LI_EXPECT_NONE;
	} else if (run->expect == LI_EXPECT_INTERRUPT && (ev->pdu.tag == LDAP_REQ_ABANDON ||
							  ev->pdu.tag == LDAP_REQ_EXTENDED)) {
		run->intr_msgid = ev->pdu.msgid;
		run->t_intr_ns = ev->t_ns;
		run->intr_sent = 1;
		run->expect = LI_EXPECT_NONE;
	}
}

static void lose(li_run *run, int64_t t_ns, const char *why)
{
	if (run->lost || run->unbound)
		return;
	run->lost = 1;
	run->t_lost_ns = t_ns;
	snprintf(run->lost_why, sizeof(run->lost_why), "%s", why);
}

static void account_op_message(li_run *run, const li_event *ev)
{
	const li_pdu *p = &ev->pdu;
	int after = run->intr_sent;

	if (run->entry_fn && !run->output_stopped)
		run->entry_fn(run->entry_arg, ev);

	if (run->t_first_ns == 0) {
		run->t_first_ns = ev->t_ns;
		li_run_log(run, 0, "first response: %s at %.3f ms", p->op, li_run_ms(run, ev->t_ns));
	}
	run->t_last_ns = ev->t_ns;
	if (p->tag == LDAP_RES_INTERMEDIATE) {
		const char *name = p->has_oid ? li_oid_name(p->oid.bv_val, p->oid.bv_len) : NULL;

		li_run_log(run, 0, "IntermediateResponse (%s) at %.3f ms", name ? name : "unnamed",
			   li_run_ms(run, ev->t_ns));
	}
	if (after)
		run->t_last_late_ns = ev->t_ns;
	if (p->tag == LDAP_RES_SEARCH_ENTRY)
		run->entries[after]++;
	else if (p->tag == LDAP_RES_SEARCH_REFERENCE)
		run->refs[after]++;
	else if (p->tag == LDAP_RES_INTERMEDIATE)
		run->intermediates[after]++;
	else if (p->is_final && run->page.size && !after && p->result_code == LDAP_SUCCESS)
		li_reply_record(&run->page.end, &ev->pdu, ev->t_ns); /* the last page, unless its cookie says otherwise */
	else if (p->is_final && !run->op_res.seen) {
		li_reply_record(&run->op_res, &ev->pdu, ev->t_ns);
		run->op_done_before_interrupt = !after;
	}
	/* The trigger's moment is when the Nth entry arrived, not when the
	 * loop noticed: the latency we report includes our own delay. */
	if (p->is_entry && !after && run->t_nth_ns == 0 && run->cfg->after_entries >= 0 &&
	    run->entries[0] + run->refs[0] >= (unsigned long long)run->cfg->after_entries)
		run->t_nth_ns = ev->t_ns;
}

/* Whatever the server sent that is not a well-formed LDAPMessage ends the
 * connection: counted, named in the reason, and kept from libldap. */
static void account_malformed(li_run *run, const li_event *ev)
{
	char text[256];

	run->malformed++;
	li_tap_poison(run->tap);
	if (ev->kind == LI_EVENT_MESSAGE)
		snprintf(text, sizeof(text), "the server sent a malformed LDAPMessage: %s", ev->pdu.error);
	else if (strncmp(ev->why, "truncated", 9) == 0)
		snprintf(text, sizeof(text), "the connection closed in the middle of a message (%zu bytes of it "
			 "arrived)", ev->len);
	else
		snprintf(text, sizeof(text), "the server sent bytes that are not LDAP: %s", ev->why);
	lose(run, ev->t_ns, text);
}

static void account_recv(li_run *run, const li_event *ev)
{
	const li_pdu *p = &ev->pdu;

	if (run->t_first_recv_ns == 0)
		run->t_first_recv_ns = ev->t_ns;
	run->t_last_recv_ns = ev->t_ns;
	if (!ev->decoded) {
		account_malformed(run, ev);
		return;
	}
	if (li_pdu_is_notice_of_disconnection(p)) {
		run->nod = 1;
		li_reply_record(&run->nod_res, &ev->pdu, ev->t_ns);
		lose(run, ev->t_ns, "Notice of Disconnection");
	} else if (run->op_msgid >= 0 && p->msgid == run->op_msgid) {
		account_op_message(run, ev);
	} else if (run->intr_sent && p->msgid == run->intr_msgid && p->is_final) {
		if (!run->intr_res.seen)
			li_reply_record(&run->intr_res, &ev->pdu, ev->t_ns);
	} else if (run->probe_msgid > 0 && p->msgid == run->probe_msgid) {
		if (p->is_final && !run->probe_res.seen)
			li_reply_record(&run->probe_res, &ev->pdu, ev->t_ns);
	} else if (!was_sent(run, p->msgid)) {
		run->strays++;
	}
}

/* The wire has read the message's head; the full decode waits for an
 * observer to ask (li_event_full), so the tools pay only for the head. */
static void on_event(void *arg, const li_event *ev)
{
	li_run *run = arg;

	if (ev->kind == LI_EVENT_MESSAGE) {
		run->msgs[ev->dir]++;
		if (ev->dir == LI_DIR_SEND)
			account_send(run, ev);
		else
			account_recv(run, ev);
	} else if (ev->kind == LI_EVENT_MALFORMED) {
		if (ev->dir == LI_DIR_RECV)
			account_malformed(run, ev);
	} else {
		lose(run, ev->t_ns, ev->why);
	}
	if (run->observer && !run->output_stopped)
		run->observer(run->observer_arg, ev);
}

/* The unbind may make libldap report the connection closed: that is no
 * loss, so the run knows first. */
static void close_conn(li_run *run)
{
	if (li_conn_ld(run->conn) == NULL)
		return;
	run->unbound = 1;
	li_conn_close(run->conn);
	run->ld = NULL;
}

li_run *li_run_new(li_params *cfg)
{
	li_run *run = calloc(1, sizeof(*run));

	if (run == NULL)
		return NULL;
	run->cfg = cfg;
	run->op_msgid = -1;
	run->intr_msgid = -1;
	run->output_fd = -1;
	run->wire = li_wire_new(on_event, run);
	run->tap = run->wire ? li_tap_new(run->wire) : NULL;
	run->scratch = ber_alloc_t(0);
	if (run->tap == NULL || run->scratch == NULL) {
		li_run_free(run);
		return NULL;
	}
	return run;
}

void li_run_free(li_run *run)
{
	if (run == NULL)
		return;
	close_conn(run);
	li_conn_free(run->conn);
	ldap_controls_free(run->ctrls);
	ldap_msgfree(run->page.done);
	ber_free(run->scratch, 0);
	ber_bvfree(run->cancel_value);
	li_tap_free(run->tap);
	free(run->op_text.data);
	li_wire_free(run->wire);
	free(run);
}

void li_run_set_observer(li_run *run, li_event_fn fn, void *arg)
{
	run->observer = fn;
	run->observer_arg = arg;
}

void li_run_set_entry_fn(li_run *run, li_event_fn fn, void *arg)
{
	run->entry_fn = fn;
	run->entry_arg = arg;
}

void li_run_set_log(li_run *run, li_log_fn fn, void *arg)
{
	run->log = fn;
	run->log_arg = arg;
}

void li_run_set_progress(li_run *run, li_progress_fn fn, void *arg)
{
	run->progress = fn;
	run->progress_arg = arg;
}

static void report_progress(li_run *run, li_phase phase, int64_t t_phase_ns)
{
	int64_t now = li_now_ns();
	li_progress p = {
		.phase = phase,
		.interrupt = run->cfg->interrupt,
		.phase_ns = now - t_phase_ns,
		.elapsed_ns = now - run->t_start_ns,
		.left_ns = run->deadline_ns ? (run->deadline_ns > now ? run->deadline_ns - now : 0) : -1,
		.after_entries = run->cfg->after_entries,
		.after_us = run->cfg->after_us == LI_NEVER ? LI_NEVER : run->cfg->after_us,
	};
	int i;

	for (i = 0; i < 2; i++)
		p.entries[i] = run->entries[i] + run->refs[i];
	run->progress(run->progress_arg, &p);
}

/* From the connection's watchdog thread: nothing of the run changes
 * while li_run_connect waits in libldap. */
static void conn_tick(void *arg, li_phase phase, int64_t t_phase_ns)
{
	report_progress(arg, phase, t_phase_ns);
}

static void enter(li_run *run, li_phase phase)
{
	run->phase = phase;
	run->t_phase_ns = li_now_ns();
	run->next_tick_ns = run->t_phase_ns + TICK_NS;
}

/* On every pass of the waiting loops. */
static void tick(li_run *run)
{
	int64_t now;

	if (run->progress == NULL || (now = li_now_ns()) < run->next_tick_ns)
		return;
	run->next_tick_ns = now + TICK_NS;
	report_progress(run, run->phase, run->t_phase_ns);
}

void li_run_set_signals(li_run *run, const int *signos, size_t n)
{
	size_t i;

	/* Signal numbers rather than a sigset_t, so that the public header
	 * compiles without POSIX feature macros (strict C11). */
	sigemptyset(&run->sigs);
	for (i = 0; i < n; i++)
		sigaddset(&run->sigs, signos[i]);
	run->have_sigs = n > 0;
}

void li_run_signal(li_run *run, int signo)
{
	/* The moment it arrived, not when a loop noticed: that is the trigger's
	 * time, and clock_gettime is async-signal-safe. */
	int64_t now = li_now_ns();

	if (signo == SIGINT) {
		run->t_sigint_ns = now;
		run->sigint = run->sigint + 1;
	} else {
		run->sigterm = 1;
	}
}

int li_run_signal_pending(const li_run *run)
{
	return run->sigterm || run->sigint != run->sigint_seen;
}

void li_run_output_blocked(li_run *run, int blocked)
{
	run->output_blocked = blocked;
}

void li_run_stop_output(li_run *run)
{
	run->output_stopped = 1;
}

void li_run_watch_output(li_run *run, int fd)
{
	run->output_fd = fd;
}

int li_run_output_stopped(const li_run *run)
{
	return run->output_stopped;
}

void li_run_close(li_run *run)
{
	close_conn(run);
}

li_outcome li_run_outcome(const li_run *run)
{
	return run->outcome;
}

int li_run_result_code(const li_run *run)
{
	return run->op_res.code;
}

static void conn_log(void *arg, int warning, const char *line)
{
	li_run *run = arg;

	if (run->log)
		run->log(run->log_arg, warning, line);
}

static const char *conn_malformed(void *arg)
{
	const li_run *run = arg;

	return run->malformed ? run->lost_why : NULL;
}

int li_run_connect(li_run *run, li_error *err)
{
	li_conn_hooks hooks = { conn_log, conn_malformed, run->progress ? conn_tick : NULL, run };

	if (run->conn)
		return li_usage_error(err, "run", "internal: li_run_connect called twice");
	run->t_start_ns = li_now_ns();
	if (run->cfg->timeout_us != LI_NEVER)
		run->deadline_ns = run->t_start_ns + run->cfg->timeout_us * NS_PER_US;
	run->conn = li_conn_new(run->cfg, run->tap, &hooks, err);
	if (run->conn == NULL)
		return -1;
	li_conn_set_deadline(run->conn, run->deadline_ns);
	run->ld = li_conn_ld(run->conn);
	/* Before connecting: what is wrong with the request is found without
	 * a server. */
	if (li_ctrls_build(run->ld, run->cfg, &run->ctrls, err) < 0 || li_op_prepare(run->ld, run->cfg, err) < 0)
		return li_error_at(err, LI_STAGE_OPERATION);
	if (li_conn_connect(run->conn, err) < 0)
		return -1;
	run->connected = 1;
	return 0;
}

/* ---- waiting ---- */

/* Lets libldap read whatever has arrived, one message at a time, without
 * blocking. 1: a message was consumed; 0: nothing more for now; -1: the
 * connection is gone. */
static int pump(li_run *run)
{
	struct timeval zero = { 0, 0 };
	LDAPMessage *msg = NULL;
	int rc;

	if (run->ldap_failed)
		return -1;
	rc = ldap_result(run->ld, LDAP_RES_ANY, LDAP_MSG_ONE, &zero, &msg);
	if (rc > 0) {
		/* A page's end: its cookie decides what comes next (next_page). */
		if (run->page.end.seen && run->page.done == NULL && rc == LDAP_RES_SEARCH_RESULT &&
		    ldap_msgid(msg) == run->op_msgid)
			run->page.done = msg;
		else
			ldap_msgfree(msg);
		return 1;
	}
	if (rc < 0) {
		run->ldap_failed = 1;
		lose(run, li_now_ns(), "the connection failed (libldap: Can't contact LDAP server)");
		return -1;
	}
	return 0;
}

/* Sleeps in ppoll until one of pfd is ready, ts passes or a signal arrives.
 * The signals stay unblocked everywhere else, so every pass of every loop
 * sees them; here they are blocked from the last look at what the handler
 * recorded to the ppoll, which lets them in again while it sleeps: one that
 * arrives in between wakes it instead of waiting for the next message. */
static int sleep_until(li_run *run, struct pollfd *pfd, nfds_t n, const struct timespec *ts)
{
	sigset_t old;
	int rc = 0;

	if (run->have_sigs)
		sigprocmask(SIG_BLOCK, &run->sigs, &old);
	if (!li_run_signal_pending(run))
		rc = ppoll(pfd, n, ts, run->have_sigs ? &old : NULL);
	if (run->have_sigs)
		sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* The observer's output is backed up and can be waited for. */
static int output_backed_up(const li_run *run)
{
	return run->output_blocked && run->output_fd >= 0 && !run->output_stopped;
}

static void wait_io(li_run *run, int64_t deadline_ns)
{
	struct pollfd pfd[2] = { { .fd = -1, .events = POLLIN }, { .fd = run->output_fd, .events = 0 } };
	struct timespec ts, *tsp = NULL;
	Sockbuf *sb = NULL;
	ber_socket_t fd = -1;

	/* About to sleep: the observer may write what it has kept. */
	if (run->observer && !run->output_stopped)
		run->observer(run->observer_arg, NULL);
	if (run->entry_fn && !run->output_stopped)
		run->entry_fn(run->entry_arg, NULL);
	if (!output_backed_up(run) && ldap_get_option(run->ld, LDAP_OPT_SOCKBUF, &sb) == LDAP_OPT_SUCCESS &&
	    sb != NULL && ber_sockbuf_ctrl(sb, LBER_SB_OPT_DATA_READY, NULL))
		return; /* TLS or SASL holds decoded bytes already */
	if (ldap_get_option(run->ld, LDAP_OPT_DESC, &fd) != LDAP_OPT_SUCCESS || fd < 0) {
		lose(run, li_now_ns(), "the connection is closed");
		return;
	}
	/* A plain sleep, no spinning for the next message first: over a 200k
	 * stream the spin cost more CPU than the wakeups it saved (bench §6),
	 * and a loop that does not sleep must still see every signal. */
	pfd[0].fd = fd;
	if (output_backed_up(run)) {
		/* Backpressure: leave the server's messages in the socket until
		 * the reader of our output has caught up (and ignore a hang-up
		 * there, which would wake us at once, until then). */
		pfd[0].events = 0;
		pfd[1].events = POLLOUT;
	}
	if (li_tap_write_pending(run->tap))
		pfd[0].events |= POLLOUT;
	if (pfd[0].events == 0)
		pfd[0].fd = -1;
	if (deadline_ns > 0 || run->progress) {
		int64_t now = li_now_ns(), left = deadline_ns - now - SPIN_NS;

		/* The next tick is no deadline to spin for. */
		if (run->progress && (deadline_ns <= 0 || run->next_tick_ns - now < left))
			left = run->next_tick_ns - now;
		if (left < 0)
			left = 0;
		ts.tv_sec = (time_t)(left / 1000000000);
		ts.tv_nsec = (long)(left % 1000000000);
		tsp = &ts;
	}
	if (sleep_until(run, pfd, run->output_fd >= 0 ? 2 : 1, tsp) > 0 && (pfd[1].revents & (POLLERR | POLLHUP)))
		run->output_stopped = 1;
}

/* Reads what backpressure left in the socket, before a verdict that depends
 * on what has arrived. */
static void drain_input(li_run *run)
{
	if (run->output_blocked)
		while (pump(run) > 0)
			;
}

/* One pass: a message if one has arrived, unless the output is backed up. */
static int pump_unless_blocked(li_run *run)
{
	return output_backed_up(run) ? 0 : pump(run);
}

/* ---- deciding ---- */

static li_facts facts(const li_run *run)
{
	li_facts f;

	memset(&f, 0, sizeof(f));
	f.type = run->cfg->interrupt;
	f.no_operation = run->cfg->op == LI_OP_NONE;
	f.intr_sent = run->intr_sent;
	f.op_done = run->op_res.seen;
	f.op_code = run->op_res.code;
	f.op_done_before_interrupt = run->op_res.seen && run->op_done_before_interrupt;
	f.intr_done = run->intr_res.seen;
	f.intr_code = run->intr_res.code;
	f.lost = run->lost;
	f.window_over = run->window_over;
	f.stopped = run->sigint > 0;
	f.still_sending = run->still_sending;
	f.op_after_intr_ns = run->op_res.t_ns - run->t_intr_ns;
	f.late_after_intr_ns = run->t_last_late_ns - run->t_intr_ns;
	f.target_msgid = run->cfg->target_msgid;
	f.starttls = run->cfg->starttls;
	f.nod = run->nod;
	f.nod_code = run->nod_res.code;
	f.malformed = run->malformed;
	f.strays = run->strays;
	f.timed_out = run->timed_out;
	f.late = run->cfg->interrupt_late;
	return f;
}

static void notes(li_run *run)
{
	li_facts f = facts(run);

	li_notes(&f, run->outcome, run->notes, &run->nnotes, LI_MAX_NOTES);
}

/* 1 once the outcome is decided (and recorded). */
static int decide(li_run *run)
{
	li_facts f = facts(run);
	li_outcome o = li_classify(&f);

	if (o == LI_OUTCOME_UNDECIDED)
		return 0;
	run->outcome = o;
	notes(run);
	return 1;
}

/* ---- phases ---- */

static int64_t trigger_deadline(const li_run *run)
{
	if (run->cfg->after_us == LI_NEVER || run->cfg->interrupt == LI_INTERRUPT_NONE)
		return 0;
	return run->t_op_ns + run->cfg->after_us * NS_PER_US;
}

/* When the deadline is near enough to send the interrupt, so that its
 * answers have time to arrive: a tenth of the timeout before it, or the
 * wait when that is shorter. Without an interrupt, the deadline itself. */
static int64_t timeout_trigger_at(const li_run *run)
{
	int64_t reserve;

	if (run->deadline_ns == 0 || run->cfg->interrupt == LI_INTERRUPT_NONE)
		return run->deadline_ns;
	reserve = run->cfg->timeout_us * NS_PER_US / 10;
	if (run->cfg->wait_us * NS_PER_US < reserve)
		reserve = run->cfg->wait_us * NS_PER_US;
	return run->deadline_ns - reserve;
}

/* The earlier of two moments, 0 meaning none. */
static int64_t earlier(int64_t a, int64_t b)
{
	return a == 0 || (b != 0 && b < a) ? b : a;
}

static li_trigger trigger_due(li_run *run)
{
	const li_params *cfg = run->cfg;
	int64_t deadline, at = timeout_trigger_at(run);

	if (run->sigint != run->sigint_seen)
		return LI_TRIGGER_SIGNAL;
	if (cfg->interrupt == LI_INTERRUPT_NONE)
		return at && li_now_ns() >= at ? LI_TRIGGER_TIMEOUT : LI_TRIGGER_NONE;
	if (cfg->after_entries >= 0 &&
	    run->entries[0] + run->refs[0] >= (unsigned long long)cfg->after_entries)
		return LI_TRIGGER_AFTER_ENTRIES;
	deadline = trigger_deadline(run);
	if (deadline > 0 && li_now_ns() >= deadline && (at == 0 || deadline <= at))
		return LI_TRIGGER_AFTER;
	if (at && li_now_ns() >= at)
		return LI_TRIGGER_TIMEOUT;
	return LI_TRIGGER_NONE;
}

/* The first request encoded after a while of streaming takes 60-90 us here,
 * against 5-10 us warm: liblber takes a fresh 4 KB buffer for it from heap
 * pages never touched (a page fault each, 10-20 us on a VM) and the encoder's
 * code and data have left the caches. Encoding two throwaway requests just
 * before the trigger is due leaves freed buffers for the real ones and the
 * code hot. Nothing is sent. */
static void warm_encoder(li_run *run)
{
	BerElement *a = ber_alloc_t(LBER_USE_DER), *b = ber_alloc_t(LBER_USE_DER);
	struct berval bv;

	if (a && b && ber_printf(a, "{it{i}}", 1, (ber_tag_t)LDAP_REQ_ABANDON, 1) != -1 &&
	    ber_printf(b, "{it{tsN}}", 1, (ber_tag_t)LDAP_REQ_EXTENDED, (ber_tag_t)LDAP_TAG_EXOP_REQ_OID,
		       LDAP_EXOP_CANCEL) != -1)
		(void)ber_flatten2(b, &bv, 0);
	ber_free(a, 1);
	ber_free(b, 1);
	run->warmed = 1;
}

static void warm_if_near(li_run *run)
{
	const li_params *cfg = run->cfg;
	int64_t deadline = earlier(trigger_deadline(run), timeout_trigger_at(run));

	if (run->warmed || cfg->interrupt == LI_INTERRUPT_NONE)
		return;
	if ((cfg->after_entries >= 0 &&
	     run->entries[0] + run->refs[0] + WARM_AHEAD_ENTRIES >= (unsigned long long)cfg->after_entries) ||
	    (deadline > 0 && li_now_ns() >= deadline - SPIN_NS))
		warm_encoder(run);
}

static int64_t trigger_moment(const li_run *run, li_trigger why)
{
	if (why == LI_TRIGGER_AFTER)
		return trigger_deadline(run);
	if (why == LI_TRIGGER_TIMEOUT)
		return timeout_trigger_at(run);
	if (why == LI_TRIGGER_AFTER_ENTRIES && run->t_nth_ns)
		return run->t_nth_ns < run->t_op_ns ? run->t_op_ns : run->t_nth_ns;
	if (why == LI_TRIGGER_SIGNAL && run->t_sigint_ns)
		return run->t_sigint_ns < run->t_op_ns ? run->t_op_ns : run->t_sigint_ns;
	if (why == LI_TRIGGER_RESULT)
		return run->op_res.t_ns;
	return li_now_ns();
}

static int terminated(li_error *err)
{
	li_usage_error(err, "stopped", "terminated by SIGTERM before the outcome was decided");
	err->signo = SIGTERM;
	return li_error_at(err, LI_STAGE_OPERATION);
}

/* Nobody reads our output any more (a closed pipe): end quietly. */
static int output_closed(li_error *err)
{
	li_usage_error(err, "stopped", "standard output was closed");
	err->signo = SIGPIPE;
	return -1;
}

static int next_page(li_run *run, li_error *err);

/* Until the trigger fires (1), the outcome is decided early (0), or SIGTERM. */
static int await_trigger(li_run *run, li_error *err)
{
	for (;;) {
		int rc = pump_unless_blocked(run);
		li_trigger why;

		if (run->sigterm)
			return terminated(err);
		if (run->output_stopped)
			return output_closed(err);
		if (run->page.done && !run->lost && next_page(run, err) < 0)
			return -1;
		/* Each message is a chance for the trigger: check before reading on. */
		if (run->lost || (run->op_res.seen && !run->cfg->interrupt_late))
			return decide(run) ? 0 : 1;
		why = trigger_due(run);
		/* A late interrupt goes out for an operation that has completed. */
		if (why == LI_TRIGGER_NONE && run->op_res.seen)
			why = LI_TRIGGER_RESULT;
		if (why != LI_TRIGGER_NONE) {
			run->sigint_seen = run->sigint;
			run->trigger = why;
			run->t_trigger_ns = trigger_moment(run, why);
			run->timed_out = why == LI_TRIGGER_TIMEOUT;
			return 1;
		}
		warm_if_near(run);
		tick(run);
		if (rc == 0)
			wait_io(run, earlier(trigger_deadline(run), timeout_trigger_at(run)));
	}
}

static int send_interrupt(li_run *run, li_error *err)
{
	static LDAPControl *none[] = { NULL }; /* not NULL: no -e defaults */
	int target = run->cfg->op == LI_OP_NONE ? (int)run->cfg->target_msgid : (int)run->op_msgid;
	int rc, msgid = -1;

	run->expect = LI_EXPECT_INTERRUPT;
	if (run->cfg->interrupt == LI_INTERRUPT_ABANDON) {
		rc = ldap_abandon_ext(run->ld, target, none, none);
		/* libldap sends nothing when a response for target sits in its queue:
		 * it frees that instead. Once drained, a second call does send. */
		if (rc == LDAP_SUCCESS && !run->intr_sent && (!run->op_res.seen || run->cfg->interrupt_late))
			rc = ldap_abandon_ext(run->ld, target, none, none);
		if (rc == LDAP_SUCCESS && !run->intr_sent && (!run->op_res.seen || run->cfg->interrupt_late))
			note(run, LI_NOTE_ABANDON_NOT_SENT);
		if (rc != LDAP_SUCCESS)
			return li_ldap_error(err, "ldap_abandon_ext", rc, NULL, NULL);
	} else {
		/* What ldap_cancel() does, with the value encoded beforehand. */
		rc = ldap_extended_operation(run->ld, LDAP_EXOP_CANCEL, run->cancel_value, none, none, &msgid);
		if (rc != LDAP_SUCCESS)
			return li_ldap_error(err, "ldap_cancel", rc, NULL, NULL);
	}
	run->expect = LI_EXPECT_NONE;
	if (run->cfg->op == LI_OP_NONE && run->trigger == LI_TRIGGER_NONE)
		run->trigger = LI_TRIGGER_MSGID;
	li_run_log(run, 0, "%s of message %d sent as message %lld", run->cfg->interrupt == LI_INTERRUPT_ABANDON
		   ? "abandon" : "cancel", target, (long long)run->intr_msgid);
	return 0;
}

static int64_t window_end(li_run *run)
{
	int64_t start = run->t_intr_ns ? run->t_intr_ns : li_now_ns();
	int capped;
	int64_t end = li_window_end(run->cfg->interrupt, start, run->t_last_late_ns, run->cfg->wait_us * NS_PER_US,
				    &capped);

	if (capped)
		run->still_sending = 1;
	return end;
}

/* The deadline ended the listening: the outcome rests on what arrived.
 * An abandoned operation whose messages kept coming for longer than the
 * silence since the last one was still being sent: not abandoned. */
static void cut_at_deadline(li_run *run)
{
	int64_t sending = run->t_last_late_ns - run->t_intr_ns, silent = run->deadline_ns - run->t_last_late_ns;

	run->timed_out = 1;
	if (run->cfg->interrupt == LI_INTERRUPT_ABANDON && run->t_last_late_ns > run->t_intr_ns && silent < sending)
		run->still_sending = 1;
}

static int listen_for_outcome(li_run *run, li_error *err)
{
	if (run->cfg->wait_us == 0 && run->cfg->interrupt == LI_INTERRUPT_ABANDON)
		run->window_over = 1; /* decide at once, as -e '!abandon' does */
	for (;;) {
		int rc = 0;
		int64_t end;

		if (!run->window_over)
			rc = pump_unless_blocked(run);
		if (run->sigterm)
			return terminated(err);
		if (run->output_stopped)
			return output_closed(err);
		if (run->sigint != run->sigint_seen && !run->window_over) {
			run->sigint_seen = run->sigint;
			drain_input(run);
			run->window_over = 1; /* Ctrl-C while listening: decide now */
			run->window_cut_ns = run->t_sigint_ns;
		}
		end = window_end(run);
		if (run->deadline_ns && end > run->deadline_ns)
			end = run->deadline_ns;
		if (!run->window_over && li_now_ns() >= end) {
			drain_input(run);
			run->window_over = 1;
			if (end == run->deadline_ns)
				cut_at_deadline(run);
		}
		if (!run->window_over)
			run->still_sending = 0;
		if (decide(run))
			return 0;
		if (run->window_over) {
			/* Nothing more can change the verdict. */
			run->outcome = LI_OUTCOME_NO_RESPONSE;
			notes(run);
			return 0;
		}
		tick(run);
		if (rc == 0)
			wait_io(run, end);
	}
}

static int send_operation(li_run *run, li_error *err)
{
	int msgid = -1;

	run->expect = LI_EXPECT_OP;
	if (li_op_send(run->ld, run->cfg, run->ctrls, &msgid, err) < 0)
		return -1;
	run->expect = LI_EXPECT_NONE;
	if (run->op_msgid != msgid) {
		/* The request is still being written (a large add): it is ours. */
		run->op_msgid = msgid;
		if (run->t_op_ns == 0)
			run->t_op_ns = li_now_ns();
	}
	if (run->page.size)
		li_run_log(run, 0, "page %llu of the search sent as message %d",
			   (unsigned long long)++run->page.sent, msgid);
	else
		li_run_log(run, 0, "%s sent as message %d", li_op_type(run->cfg), msgid);
	return 0;
}

/* The Cancel's value (the cancelID) is known once the operation is sent:
 * encode it then, not in the hurry after the trigger. */
static int prepare_cancel(li_run *run, li_error *err)
{
	int target = run->cfg->op == LI_OP_NONE ? (int)run->cfg->target_msgid : (int)run->op_msgid;
	BerElement *ber;
	int bad;

	if (run->cfg->interrupt != LI_INTERRUPT_CANCEL || run->cancel_value)
		return 0;
	ber = ber_alloc_t(LBER_USE_DER);
	if (ber == NULL)
		return li_ldap_error(err, "ldap_cancel", LDAP_NO_MEMORY, NULL, NULL);
	bad = ber_printf(ber, "{i}", target) == -1 || ber_flatten(ber, &run->cancel_value) == -1;
	ber_free(ber, 1);
	if (bad)
		return li_ldap_error(err, "ldap_cancel", LDAP_ENCODING_ERROR, NULL, NULL);
	return 0;
}

/* A page ended with success before the interrupt: the next one is asked
 * for when its cookie says there is one (the Cancel then names the new
 * page), else it was the search's end. */
static int next_page(li_run *run, li_error *err)
{
	LDAPMessage *done = run->page.done;
	int more = 0, rc;

	run->page.done = NULL;
	rc = li_paging_next(run->ld, done, run->ctrls, run->page.size, &more, err);
	ldap_msgfree(done);
	if (rc < 0)
		return -1;
	if (!more) {
		run->op_res = run->page.end;
		run->op_done_before_interrupt = 1;
		return 0;
	}
	memset(&run->page.end, 0, sizeof(run->page.end));
	ber_bvfree(run->cancel_value);
	run->cancel_value = NULL;
	return send_operation(run, err) < 0 || prepare_cancel(run, err) < 0 ? -1 : 0;
}

/* --msgid N on a new connection can name the interrupt's own message ID
 * (which depends on StartTLS, the bind, libldap): the server then sees a
 * request that names itself, and whatever it answers says nothing about
 * any operation. Known for sure only once the request is on the wire, by
 * its message ID there: decided at once, with its own outcome. */
static int self_target(li_run *run)
{
	if (run->cfg->op != LI_OP_NONE || !run->intr_sent || run->intr_msgid != run->cfg->target_msgid)
		return 0;
	run->outcome = LI_OUTCOME_SELF_TARGET;
	notes(run);
	return 1;
}

int li_run_execute(li_run *run, li_error *err)
{
	int rc;

	if (!run->connected)
		return li_usage_error(err, "run", "internal: li_run_execute before li_run_connect");
	if (run->cfg->op != LI_OP_NONE) {
		run->page.size = li_paging_size(run->cfg);
		if (send_operation(run, err) < 0 || prepare_cancel(run, err) < 0)
			return li_error_at(err, LI_STAGE_OPERATION);
		enter(run, run->cfg->interrupt == LI_INTERRUPT_NONE ? LI_PHASE_RESULT : LI_PHASE_TRIGGER);
		rc = await_trigger(run, err);
		if (rc <= 0)
			return rc;
		if (run->cfg->interrupt == LI_INTERRUPT_NONE) {
			/* ldaptrace without an interrupt: Ctrl-C stops the trace. */
			decide(run);
			return 0;
		}
	}
	if (prepare_cancel(run, err) < 0 || send_interrupt(run, err) < 0)
		return li_error_at(err, LI_STAGE_OPERATION);
	if (self_target(run))
		return 0;
	enter(run, LI_PHASE_LISTEN);
	return listen_for_outcome(run, err);
}

/* ---- after the outcome ---- */

int li_run_probe(li_run *run, int64_t wait_us, li_reply *reply, li_error *err)
{
	static char *no_attrs[] = { LDAP_NO_ATTRS, NULL };
	static LDAPControl *none[] = { NULL }; /* not NULL: no -e defaults */
	int64_t end = li_now_ns() + wait_us * NS_PER_US;
	int msgid = -1, rc;

	memset(reply, 0, sizeof(*reply));
	if (run->ld == NULL || run->lost)
		return 0;
	rc = ldap_search_ext(run->ld, "", LDAP_SCOPE_BASE, "(objectClass=*)", no_attrs, 0, none, none, NULL, 0,
			     &msgid);
	if (rc == LDAP_SERVER_DOWN) {
		lose(run, li_now_ns(), "the connection failed (libldap: Can't contact LDAP server)");
		return 0;
	}
	if (rc != LDAP_SUCCESS)
		return li_ldap_error(err, "ldap_search_ext", rc, NULL, NULL);
	run->probe_msgid = msgid;
	li_run_log(run, 0, "a search of the root DSE on the same connection sent as message %d", msgid);
	if (run->deadline_ns && run->deadline_ns < end)
		end = run->deadline_ns;
	while (!run->probe_res.seen && !run->lost && !run->sigterm && li_now_ns() < end)
		if (pump(run) == 0)
			wait_io(run, end);
	*reply = run->probe_res;
	return 0;
}

/* ---- the result ---- */

/* The server that answered: -H may list several, libldap connects to the
 * first that accepts. */
static const char *uri_of(const li_run *run)
{
	const char *url = li_tap_url(run->tap), *uri = li_conn_uri(run->conn);

	if (url)
		return url;
	return run->cfg->uri ? run->cfg->uri : uri ? uri : "";
}

static void result_asked(li_run *run, li_result *r)
{
	const li_params *cfg = run->cfg;

	r->name = cfg->name;
	r->traced = run->observer != NULL;
	r->interrupt = cfg->interrupt;
	r->uri = uri_of(run);
	r->has_op = cfg->op != LI_OP_NONE;
	r->search = cfg->op == LI_OP_SEARCH;
	r->op_type = li_op_type(cfg);
	r->op_text = NULL;
	if (r->has_op) {
		li_buf_reset(&run->op_text);
		li_op_describe(cfg, li_conn_defbase(run->conn), &run->op_text);
		r->op_text = li_buf_data(&run->op_text);
	}
	r->target = cfg->op == LI_OP_NONE ? cfg->target_msgid : run->op_msgid;
	r->after_us = cfg->after_us;
	r->after_entries = cfg->after_entries;
	r->wait_us = cfg->wait_us;
}

const li_result *li_run_result(li_run *run)
{
	li_result *r = &run->result;
	int i;

	memset(r, 0, sizeof(*r));
	result_asked(run, r);
	r->op_msgid = run->op_msgid;
	r->intr_msgid = run->intr_msgid;
	r->intr_sent = run->intr_sent;
	r->trigger = run->trigger;
	for (i = 0; i < 2; i++) {
		r->entries[i] = run->entries[i];
		r->refs[i] = run->refs[i];
		r->intermediates[i] = run->intermediates[i];
		r->messages[i] = run->msgs[i];
		r->bytes[i] = li_wire_bytes(run->wire, (li_dir)i);
	}
	r->op = run->op_res;
	r->op_done_before_interrupt = run->op_done_before_interrupt;
	r->intr = run->intr_res;
	r->t_op_ns = run->t_op_ns;
	r->t_trigger_ns = run->t_trigger_ns;
	r->t_intr_ns = run->t_intr_ns;
	r->t_first_ns = run->t_first_ns;
	r->t_last_ns = run->t_last_ns;
	r->t_last_late_ns = run->t_last_late_ns;
	r->t_window_cut_ns = run->window_cut_ns;
	r->still_sending = run->still_sending;
	r->lost = run->lost;
	r->t_lost_ns = run->t_lost_ns;
	memcpy(r->lost_why, run->lost_why, sizeof(r->lost_why));
	r->nod_seen = run->nod;
	r->nod = run->nod_res;
	r->malformed = run->malformed;
	r->strays = run->strays;
	r->outcome = run->outcome;
	r->nnotes = run->nnotes;
	memcpy(r->notes, run->notes, sizeof(r->notes));
	r->page_size = run->page.size;
	r->pages = run->page.sent;
	r->timeout_us = run->cfg->timeout_us > 0 ? run->cfg->timeout_us : 0;
	r->timed_out = run->timed_out;
	r->t_deadline_ns = run->deadline_ns;
	return r;
}
