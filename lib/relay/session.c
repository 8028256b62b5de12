/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One client's session. Why a thread per session, each blocking only in
 * its own poll(): a session's state (the two connections, libldap's TLS
 * on one and GnuTLS on the other, the framers, an interrupt's timers)
 * stays in one place and one thread, libldap's Sockbuf is never shared
 * between threads, and a slow client or server holds back its own session
 * only. Sessions share nothing but the relay's read-only settings and the
 * observer, which serialises its own output. A session's memory is freed
 * when it ends (relay.c joins its thread), so sessions in a row leave the
 * descriptors and the heap as they found them.
 *
 * Bytes are relayed as they come, whole messages only: each direction has
 * a framer of its own, which reads each message's head (a client's
 * StartTLS is answered here, the relay's interrupts need the rest) and
 * forwards it before the wire decodes the chunk for the trace, so that
 * the trace never delays a message. A message that does not frame is
 * never forwarded: garbage ends the session before it reaches the other
 * side, and a client is never handed a header claiming gigabytes.
 */
#include "session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lber.h>
#include <ldap.h>

#include "buf.h"
#include "error.h"
#include "frame.h"
#include "inject.h"
#include "names.h"
#include "params.h"
#include "sockbuf.h"
#include "upstream.h"
#include "wire.h"

#define CHUNK (64 * 1024)

struct li_session {
	const li_session_env *env;
	uint64_t number;
	char client[INET6_ADDRSTRLEN + 16];
	pthread_mutex_t lock;   /* fd, up and upfd against li_session_shutdown */
	int fd;                 /* the client's socket */
	int upfd;               /* the server's, once connected */
	li_tls_link *tls;            /* TLS with the client, once in place */
	li_upstream *up;
	li_wire *wire;          /* the messages as they cross */
	li_wire *own;           /* what the relay says itself */
	li_buf to_up;           /* the client's whole messages, to forward */
	li_buf held;            /* its Unbind, held while a Cancel of the relay's awaits its answer */
	int client_eof;         /* the client closed after that Unbind */
	li_inject *inject;      /* --abandon, --cancel: NULL without */
	li_framer frame[2];     /* the messages to forward: [LI_DIR_SEND] the client's */
	BerElement *scratch;    /* for their heads */
	li_buf to_client;       /* the server's messages the client may see */
	int64_t t_read;         /* when the chunk being framed was read */
	/* The server's stream, in bytes: read, framed into whole messages,
	 * fed to the wire; the chunk being framed starts at chunk_at. */
	uint64_t read_at, framed_at, traced_at, chunk_at;
	int64_t starttls_msgid; /* a client's StartTLS to answer; -1: none */
	int unbound;            /* the client sent its UnbindRequest */
	int saw_stop;
	int ending;
	li_session_end end;
	li_error err;
	li_result res;
	uint64_t outcomes[LI_OUTCOME_FAILED + 1];
	unsigned char buf[CHUNK];
};

static int64_t now_ns(void)
{
	return li_now_ns();
}

static void client_address(li_session *s, const struct sockaddr *addr, socklen_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";

	(void)len;
	if (addr->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)addr;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(s->client, sizeof(s->client), "%s:%u", host, ntohs(in->sin_port));
	} else if (addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)addr;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(s->client, sizeof(s->client), "[%s]:%u", host, ntohs(in6->sin6_port));
	} else {
		snprintf(s->client, sizeof(s->client), "?");
	}
}

static void on_wire(void *arg, const li_event *ev);
static void on_own(void *arg, const li_event *ev);

li_session *li_session_new(const li_session_env *env, uint64_t number, int fd, const struct sockaddr *addr,
			   socklen_t len)
{
	li_session *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		close(fd);
		return NULL;
	}
	s->env = env;
	s->number = number;
	s->fd = fd;
	s->upfd = -1;
	s->starttls_msgid = -1;
	pthread_mutex_init(&s->lock, NULL);
	client_address(s, addr, len);
	s->wire = li_wire_new(on_wire, s);
	s->own = li_wire_new(on_own, s);
	li_framer_init(&s->frame[LI_DIR_SEND], LI_PDU_MAX);
	li_framer_init(&s->frame[LI_DIR_RECV], LI_PDU_MAX);
	s->scratch = ber_alloc_t(0);
	s->res.name = env->params->name;
	s->res.traced = 1;
	s->res.op_msgid = -1;
	s->res.intr_msgid = -1;
	if (env->params->interrupt != LI_INTERRUPT_NONE) {
		s->inject = li_inject_new(env->params, env->op, env->uri);
		if (s->inject == NULL) {
			li_session_free(s);
			return NULL;
		}
	}
	if (s->wire == NULL || s->own == NULL || s->scratch == NULL) {
		li_session_free(s);
		return NULL;
	}
	return s;
}

static void close_fds(li_session *s)
{
	pthread_mutex_lock(&s->lock);
	li_tls_free(s->tls);
	s->tls = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	li_upstream_free(s->up);
	s->up = NULL;
	s->upfd = -1;
	pthread_mutex_unlock(&s->lock);
}

void li_session_free(li_session *s)
{
	if (s == NULL)
		return;
	close_fds(s);
	li_wire_free(s->wire);
	li_wire_free(s->own);
	li_inject_free(s->inject);
	li_framer_free(&s->frame[LI_DIR_SEND]);
	li_framer_free(&s->frame[LI_DIR_RECV]);
	if (s->scratch)
		ber_free(s->scratch, 0);
	free(s->to_up.data);
	free(s->held.data);
	free(s->to_client.data);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void li_session_shutdown(li_session *s)
{
	pthread_mutex_lock(&s->lock);
	if (s->fd >= 0)
		shutdown(s->fd, SHUT_RDWR);
	if (s->up)
		li_upstream_shutdown(s->up);
	pthread_mutex_unlock(&s->lock);
}

/* ---- the end of a session ---- */

static void finish(li_session *s, li_session_end end)
{
	if (s->ending)
		return;
	s->ending = 1;
	s->end = end;
}

static void fail(li_session *s, const char *fmt, const char *a, const char *b)
{
	if (s->ending)
		return;
	memset(&s->err, 0, sizeof(s->err));
	snprintf(s->err.what, sizeof(s->err.what), "session %llu (%s)", (unsigned long long)s->number, s->client);
	snprintf(s->err.text, sizeof(s->err.text), fmt, a, b ? b : "");
	s->err.code = LDAP_OTHER;
	finish(s, LI_SESSION_FAILED);
}

/* ---- the stop ---- */

static int64_t drain_deadline(li_session *s)
{
	return __atomic_load_n(&s->env->drain_deadline, __ATOMIC_ACQUIRE);
}

/* poll()'s timeout until the deadline (0: none): -1 for none. */
static int timeout_ms(int64_t deadline)
{
	int64_t left;

	if (deadline == 0)
		return -1;
	left = deadline - now_ns();
	if (left <= 0)
		return 0;
	return (int)(left / 1000000 + 1);
}

static int stopped(li_session *s)
{
	int64_t d = drain_deadline(s);

	return d != 0 && now_ns() >= d;
}

static int64_t earliest(int64_t a, int64_t b)
{
	if (a == 0)
		return b;
	return b == 0 || a < b ? a : b;
}

/* Waits until fd is ready for events. 0; -1 when the relay's stop has run
 * out; -2 at deadline (0: none). */
static int wait_fd(li_session *s, int fd, short events, int64_t deadline)
{
	struct pollfd p[2] = { { .fd = fd, .events = events }, { .fd = s->env->wake_fd, .events = POLLIN } };

	for (;;) {
		int rc;

		if (stopped(s))
			return -1;
		if (deadline && now_ns() >= deadline)
			return -2;
		rc = poll(p, s->saw_stop ? 1 : 2, timeout_ms(earliest(drain_deadline(s), deadline)));
		if (rc < 0 && errno != EINTR)
			return -1;
		if (rc > 0 && p[1].revents)
			s->saw_stop = 1;
		if (rc > 0 && p[0].revents)
			return 0;
	}
}

/* ---- the client's leg ---- */

static ssize_t client_read(li_session *s, void *buf, size_t len)
{
	ssize_t n;

	if (s->tls)
		return li_tls_read(s->tls, buf, len);
	n = recv(s->fd, buf, len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return -2;
	return n;
}

static ssize_t client_write(li_session *s, const void *buf, size_t len)
{
	ssize_t n;

	if (s->tls)
		return li_tls_write(s->tls, buf, len);
	n = send(s->fd, buf, len, MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	return n;
}

static int send_all(li_session *s, int to_client, const unsigned char *p, size_t n)
{
	while (n > 0 && !s->ending) {
		ssize_t w = to_client ? client_write(s, p, n) : li_upstream_write(s->up, p, n);

		if (w < 0) {
			fail(s, to_client ? "writing to the client: %s%s" : "writing to the server: %s%s",
			     s->tls && to_client ? li_tls_error(s->tls) : strerror(errno), NULL);
			return -1;
		}
		if (w == 0) {
			if (wait_fd(s, to_client ? s->fd : s->upfd, POLLOUT, 0) < 0) {
				finish(s, LI_SESSION_STOPPED);
				return -1;
			}
			continue;
		}
		p += w;
		n -= (size_t)w;
	}
	return s->ending ? -1 : 0;
}

static int handshake(li_session *s)
{
	int64_t deadline = s->env->handshake_ns > 0 ? now_ns() + s->env->handshake_ns : 0;
	int rc;

	s->tls = li_tls_new(s->env->creds, s->fd);
	if (s->tls == NULL) {
		fail(s, "TLS with the client: out of memory%s%s", "", NULL);
		return -1;
	}
	while ((rc = li_tls_handshake(s->tls)) == 1) {
		rc = wait_fd(s, s->fd, li_tls_wants_write(s->tls) ? POLLOUT : POLLIN, deadline);
		if (rc < 0) {
			fail(s, "TLS handshake with the client: %s%s", rc == -1 ? "the relay was stopped"
			     : "no handshake within the network timeout", NULL);
			return -1;
		}
	}
	if (rc < 0) {
		fail(s, "TLS handshake with the client failed: %s%s", li_tls_error(s->tls), NULL);
		return -1;
	}
	return 0;
}

/* ---- what crosses ---- */

/* The counts are the client's: what it sent, what it was sent. */
static void count(li_session *s, li_dir dir, ber_tag_t tag, size_t len)
{
	s->res.messages[dir]++;
	s->res.bytes[dir] += len;
	if (dir == LI_DIR_RECV && tag == LDAP_RES_SEARCH_ENTRY)
		s->res.entries[0]++;
	else if (dir == LI_DIR_RECV && tag == LDAP_RES_SEARCH_REFERENCE)
		s->res.refs[0]++;
}

static int is_starttls(const li_pdu *p)
{
	static const char oid[] = LDAP_EXOP_START_TLS;

	return p->tag == LDAP_REQ_EXTENDED && p->has_oid && p->oid.bv_len == sizeof(oid) - 1 &&
	       memcmp(p->oid.bv_val, oid, sizeof(oid) - 1) == 0;
}

/* A TLS record where LDAP was expected: a client speaking ldaps:// to an
 * ldap:// listener, or the reverse upstream. */
static const char *tls_hint(const li_event *ev)
{
	if (ev->len >= 3 && ev->bytes[0] == 0x16 && ev->bytes[1] == 0x03)
		return ev->dir == LI_DIR_SEND ? " (a TLS handshake: the client wants ldaps://)"
					      : " (a TLS handshake: the server wants ldaps://)";
	return "";
}

/* A client's message, framed: forwarded whole, unless it is a StartTLS
 * the relay answers itself. The wire reports what does not frame. */
static void on_up(void *arg, const unsigned char *p, size_t n, const char *why)
{
	li_session *s = arg;
	li_pdu pdu;

	if (why)
		return;
	li_pdu_decode(s->scratch, p, n, &pdu);
	count(s, LI_DIR_SEND, pdu.tag, n);
	if (s->inject)
		li_inject_request(s->inject, &pdu, s->t_read);
	if (is_starttls(&pdu) && s->starttls_msgid < 0)
		s->starttls_msgid = pdu.msgid;
	else if (pdu.tag == LDAP_REQ_UNBIND && li_inject_awaiting(s->inject))
		li_buf_add(&s->held, p, n);
	else
		li_buf_add(&s->to_up, p, n);
	s->unbound |= pdu.tag == LDAP_REQ_UNBIND;
}

/* A server's message, framed: it goes to the client unless it answers
 * the relay's own request. The wire reports what does not frame. */
static void interrupts(li_session *s, const char *lost);

/* What has been framed of the server's chunk goes to the client, then to
 * the trace, up to the stream's byte upto. */
static void pass_down(li_session *s, uint64_t upto)
{
	send_all(s, 1, (const unsigned char *)s->to_client.data, s->to_client.len);
	s->to_client.len = 0;
	if (upto > s->traced_at) {
		li_wire_feed(s->wire, LI_DIR_RECV, s->buf + (s->traced_at - s->chunk_at), upto - s->traced_at, s->t_read);
		s->traced_at = upto;
	}
}

static void on_down(void *arg, const unsigned char *p, size_t n, const char *why)
{
	li_session *s = arg;
	li_pdu pdu;

	if (why)
		return;
	s->framed_at += n;
	li_pdu_decode(s->scratch, p, n, &pdu);
	if (s->inject && li_inject_response(s->inject, &pdu, s->t_read))
		return;
	count(s, LI_DIR_RECV, pdu.tag, n);
	li_buf_add(&s->to_client, p, n);
	/* --after-entries fires at the Nth entry, not at the end of the read
	 * that brought it: what came before goes first, then the interrupt,
	 * and the rest of the read counts as after it, as it would have for a
	 * client reading one message at a time. */
	if (s->inject && pdu.is_entry && li_inject_due(s->inject) && li_inject_due(s->inject) <= s->t_read) {
		pass_down(s, s->framed_at);
		interrupts(s, NULL);
		/* The rest is taken now, after the interrupt, and stamped so:
		 * the trace's times never go back. */
		s->t_read = now_ns();
	}
}

static void on_wire(void *arg, const li_event *ev)
{
	li_session *s = arg;

	if (ev->kind == LI_EVENT_MALFORMED)
		fail(s, ev->dir == LI_DIR_SEND ? "the client sent a malformed message: %s%s"
		     : "the server sent a malformed message: %s%s", ev->why, tls_hint(ev));
	if (s->env->fn)
		s->env->fn(s->env->arg, s, ev);
}

static void on_own(void *arg, const li_event *ev)
{
	li_session *s = arg;

	/* The relay's answers to the client count; its own requests to the
	 * server do not. */
	if (ev->kind == LI_EVENT_MESSAGE && ev->dir == LI_DIR_RECV)
		count(s, ev->dir, ev->pdu.tag, ev->len);
	if (s->env->fn)
		s->env->fn(s->env->arg, s, ev);
}

/* ---- StartTLS, answered by the relay ---- */

/* Who the relay's own answers say they are from: "ldaptrace relay: ...". */
static const char *program(const li_session *s)
{
	return s->env->params->name ? s->env->params->name : "ldap-interrupt";
}

/* An ExtendedResponse of the relay's own to the client (to its StartTLS,
 * or a Notice of Disconnection), traced among the session's messages. */
static int answer(li_session *s, int64_t msgid, int code, const char *diag, const char *oid)
{
	BerElement *ber = ber_alloc_t(LBER_USE_DER);
	struct berval bv = { 0 };
	int rc = -1;

	if (ber == NULL)
		return -1;
	if (ber_printf(ber, "{it{essts}}", (ber_int_t)msgid, LDAP_RES_EXTENDED, (ber_int_t)code, "",
		       diag ? diag : "", LDAP_TAG_EXOP_RES_OID, oid) < 0 ||
	    ber_flatten2(ber, &bv, 0) < 0)
		goto out;
	rc = send_all(s, 1, (const unsigned char *)bv.bv_val, bv.bv_len);
	li_wire_feed(s->own, LI_DIR_RECV, (const unsigned char *)bv.bv_val, bv.bv_len, now_ns());
out:
	ber_free(ber, 1);
	return rc;
}

static void starttls(li_session *s)
{
	const char *name = program(s);
	int64_t msgid = s->starttls_msgid;
	char diag[600];
	li_error e;

	s->starttls_msgid = -1;
	if (s->env->creds == NULL) {
		snprintf(diag, sizeof(diag), "%s relay: StartTLS needs --listen-cert and --listen-key", name);
		answer(s, msgid, LDAP_PROTOCOL_ERROR, diag, LDAP_EXOP_START_TLS);
		return;
	}
	if (s->tls) {
		snprintf(diag, sizeof(diag), "%s relay: TLS is already in place", name);
		answer(s, msgid, LDAP_OPERATIONS_ERROR, diag, LDAP_EXOP_START_TLS);
		return;
	}
	if (!li_upstream_secured(s->up) && li_upstream_starttls(s->up, &e) < 0) {
		snprintf(diag, sizeof(diag), "%s relay: StartTLS with the server failed: %s", name, e.text);
		/* Refused, the server's connection is still plaintext and
		 * usable; a failed handshake leaves nothing to relay over. */
		answer(s, msgid, e.code > 0 ? e.code : LDAP_UNAVAILABLE, diag, LDAP_EXOP_START_TLS);
		if (e.code <= 0)
			fail(s, "StartTLS with the server failed: %s%s", e.text, NULL);
		return;
	}
	if (answer(s, msgid, LDAP_SUCCESS, NULL, LDAP_EXOP_START_TLS) == 0)
		handshake(s);
}

/* ---- the loop ---- */

static void from_client(li_session *s)
{
	ssize_t n = client_read(s, s->buf, sizeof(s->buf));
	int64_t t = now_ns();

	if (n == -2)
		return;
	if (n > 0) {
		s->t_read = t;
		li_framer_feed(&s->frame[LI_DIR_SEND], s->buf, (size_t)n, on_up, s);
		send_all(s, 0, (const unsigned char *)s->to_up.data, s->to_up.len);
		s->to_up.len = 0;
		li_wire_feed(s->wire, LI_DIR_SEND, s->buf, (size_t)n, t);
		if (s->starttls_msgid >= 0 && !s->ending)
			starttls(s);
		return;
	}
	li_wire_end(s->wire, LI_DIR_SEND, t);
	if (stopped(s)) {
		/* The relay shut the socket down itself (a second Ctrl-C). */
		li_wire_close(s->wire, LI_DIR_SEND, "closed by the relay: it was stopped", t);
		finish(s, LI_SESSION_STOPPED);
	} else if (n == 0 && s->held.len) {
		/* Closed after an Unbind the relay holds: the session goes on
		 * until the server has answered the relay's Cancel. */
		s->client_eof = 1;
	} else if (n == 0) {
		li_wire_close(s->wire, LI_DIR_SEND, "closed by the client", t);
		finish(s, LI_SESSION_CLIENT_CLOSED);
	} else {
		char why[160];

		snprintf(why, sizeof(why), "connection error: %s", s->tls ? li_tls_error(s->tls) : strerror(errno));
		li_wire_close(s->wire, LI_DIR_SEND, why, t);
		finish(s, LI_SESSION_CLIENT_CLOSED);
	}
}

static void from_server(li_session *s)
{
	ssize_t n = li_upstream_read(s->up, s->buf, sizeof(s->buf));
	int64_t t = now_ns();

	if (n == -2)
		return;
	if (n > 0) {
		s->t_read = t;
		s->chunk_at = s->read_at;
		s->read_at += (uint64_t)n;
		li_framer_feed(&s->frame[LI_DIR_RECV], s->buf, (size_t)n, on_down, s);
		pass_down(s, s->read_at);
		return;
	}
	li_wire_end(s->wire, LI_DIR_RECV, t);
	if (stopped(s)) {
		li_wire_close(s->wire, LI_DIR_SEND, "closed by the relay: it was stopped", t);
		finish(s, LI_SESSION_STOPPED);
		return;
	}
	if (n == 0 && s->unbound) {
		/* The client's Unbind ended the session; whichever side closes
		 * the connection first, it closes because the client asked. */
		li_wire_close(s->wire, LI_DIR_SEND, "closed by the client", t);
		finish(s, LI_SESSION_CLIENT_CLOSED);
		return;
	}
	if (n == 0) {
		li_wire_close(s->wire, LI_DIR_RECV, "closed by the server", t);
	} else {
		char why[160];

		snprintf(why, sizeof(why), "connection error: %s", strerror(errno));
		li_wire_close(s->wire, LI_DIR_RECV, why, t);
	}
	finish(s, LI_SESSION_SERVER_CLOSED);
}

/* The interrupts whose triggers have fired go out, and the outcomes that
 * are decided are handed over; lost: the session is over. */
static void interrupts(li_session *s, const char *lost)
{
	const unsigned char *req;
	const li_result *res;
	size_t len;

	if (s->inject == NULL)
		return;
	while (!lost && !s->ending && li_inject_next(s->inject, now_ns(), &req, &len)) {
		int64_t t = now_ns();

		if (send_all(s, 0, req, len) < 0)
			break;
		li_inject_sent(s->inject, t);
		li_wire_feed(s->own, LI_DIR_SEND, req, len, t);
	}
	while ((res = li_inject_decided(s->inject, now_ns(), lost)) != NULL) {
		s->outcomes[res->outcome]++;
		if (s->env->outcome_fn)
			s->env->outcome_fn(s->env->outcome_arg, s, res);
	}
}

static void flush(li_session *s)
{
	if (s->env->fn)
		s->env->fn(s->env->arg, s, NULL);
}

static void relay_loop(li_session *s)
{
	while (!s->ending) {
		struct pollfd p[3] = {
			{ .fd = s->fd, .events = POLLIN },
			{ .fd = s->upfd, .events = POLLIN },
			{ .fd = s->env->wake_fd, .events = POLLIN },
		};
		int rc;

		if (stopped(s)) {
			li_wire_close(s->wire, LI_DIR_SEND, "closed by the relay: it was stopped", now_ns());
			finish(s, LI_SESSION_STOPPED);
			break;
		}
		interrupts(s, NULL);
		if (s->ending)
			break;
		if (s->held.len && !li_inject_awaiting(s->inject)) {
			send_all(s, 0, (const unsigned char *)s->held.data, s->held.len);
			s->held.len = 0;
		}
		if (s->client_eof)
			p[0].fd = -1;
		/* TLS layers may hold decrypted bytes the sockets no longer show. */
		if (s->tls && li_tls_pending(s->tls)) {
			from_client(s);
			continue;
		}
		if (li_upstream_pending(s->up)) {
			from_server(s);
			continue;
		}
		flush(s);
		rc = poll(p, s->saw_stop ? 2 : 3,
			  timeout_ms(earliest(drain_deadline(s), s->inject ? li_inject_due(s->inject) : 0)));
		if (rc < 0 && errno != EINTR) {
			fail(s, "poll: %s%s", strerror(errno), NULL);
			break;
		}
		if (rc <= 0)
			continue;
		if (p[2].revents)
			s->saw_stop = 1;
		if (p[0].revents)
			from_client(s);
		if (p[1].revents && !s->ending)
			from_server(s);
	}
}

/* What ended the session, as an outcome's "connection-lost" tells it. */
static const char *end_words(const li_session *s)
{
	switch (s->end) {
	case LI_SESSION_CLIENT_CLOSED: return "the client closed its connection";
	case LI_SESSION_SERVER_CLOSED: return "the server closed the connection";
	case LI_SESSION_STOPPED: return "the relay was stopped";
	default: return "the session failed";
	}
}

static void nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* The server's connection; the relay's stop may cut it short (its socket
 * is shut down from the main thread). 0, or -1 with the session ended. */
static int connect_upstream(li_session *s)
{
	li_upstream *up = li_upstream_new(s->env->params, &s->err);
	char diag[700];
	li_error err;

	if (up) {
		pthread_mutex_lock(&s->lock);
		s->up = up;
		pthread_mutex_unlock(&s->lock);
		if (li_upstream_connect(up, &err) == 0) {
			s->upfd = li_upstream_fd(up);
			return 0;
		}
	} else {
		err = s->err;
	}
	if (stopped(s)) {
		li_wire_close(s->wire, LI_DIR_SEND, "closed by the relay: it was stopped", now_ns());
		finish(s, LI_SESSION_STOPPED);
		return -1;
	}
	/* libldap's words and code, with the session's name; the client is
	 * told why (RFC 4511 section 4.4.1) before the relay closes. */
	snprintf(diag, sizeof(diag), "%s relay: cannot connect to the server: %s", program(s), err.text);
	answer(s, 0, LDAP_UNAVAILABLE, diag, LI_OID_NOTICE_OF_DISCONNECTION);
	fail(s, "cannot connect to the server: %s%s", err.text, NULL);
	memcpy(s->err.info, err.info, sizeof(s->err.info));
	s->err.code = err.code;
	s->err.stage = err.stage;
	return -1;
}

void li_session_run(li_session *s)
{
	s->res.t_op_ns = now_ns();
	li_wire_set_origin(s->wire, s->res.t_op_ns);
	li_wire_set_origin(s->own, s->res.t_op_ns);
	nonblocking(s->fd);
	/* Each message is written whole as soon as it is framed: Nagle's
	 * algorithm would hold a small one back for the peer's ACK. */
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
	if ((s->env->listen_tls && handshake(s) < 0) || connect_upstream(s) < 0)
		goto out;
	relay_loop(s);
out:
	interrupts(s, end_words(s));
	flush(s);
	close_fds(s);
}

/* ---- the public accessors ---- */

uint64_t li_session_number(const li_session *s)
{
	return s->number;
}

const char *li_session_client(const li_session *s)
{
	return s->client;
}

li_session_end li_session_ended(const li_session *s)
{
	return s->ending ? s->end : LI_SESSION_OPEN;
}

const li_error *li_session_error(const li_session *s)
{
	return s->ending && s->end == LI_SESSION_FAILED ? &s->err : NULL;
}

const li_result *li_session_result(const li_session *s)
{
	return &s->res;
}

uint64_t li_session_outcomes(const li_session *s, li_outcome o)
{
	return (unsigned)o < sizeof(s->outcomes) / sizeof(s->outcomes[0]) ? s->outcomes[o] : 0;
}
