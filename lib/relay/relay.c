/* SPDX-License-Identifier: BSD-2-Clause */
/* The relay's main thread: it listens, starts a thread per accepted
 * client (session.c), joins each one when it ends and hands its summary
 * to the caller, and stops on li_relay_stop, which a signal handler may
 * call: it only writes to a pipe the main thread polls. */
#include "relay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ldap.h>

#include "error.h"
#include "params.h"
#include "parse.h"
#include "session.h"
#include "sockbuf.h"
#include "tls.h"

#define LI_RELAY_DRAIN_US 1000000 /* after a stop, without an interrupt's --wait */
#define LI_HANDSHAKE_NS (30LL * 1000000000)
#define LI_FORCE_NS (500LL * 1000000)

typedef struct entry {
	struct entry *next;
	li_session *s;
	li_relay *r;
	pthread_t thread;
} entry;

struct li_relay {
	li_params *params;
	li_session_env env;
	int listen_tls;
	char *host;
	int port;
	char *cert, *key;
	long long max_sessions; /* 0: no limit */
	int64_t drain_us;       /* li_relay_set_wait; -1: the default */
	li_session_fn end_fn;
	void *end_arg;

	int lfd;
	char address[INET6_ADDRSTRLEN + 32];
	char *upstream; /* -H, or ldap.conf's URI */
	int sig[2];  /* li_relay_stop writes the signal's number */
	int wake[2]; /* readable for the sessions once stopped */
	int done[2]; /* a session's thread has ended */
	volatile sig_atomic_t first_signal;

	pthread_mutex_t lock; /* the two lists */
	entry *live, *ended;
	uint64_t accepted;
	uint64_t nended;
	int stopping;
	li_relay_totals totals;
};

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	p[0] = p[1] = -1;
}

li_relay *li_relay_new(li_params *p)
{
	li_relay *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->params = p;
	r->lfd = -1;
	r->drain_us = -1;
	r->sig[0] = r->sig[1] = r->wake[0] = r->wake[1] = r->done[0] = r->done[1] = -1;
	pthread_mutex_init(&r->lock, NULL);
	r->env.params = p;
	r->env.wake_fd = -1;
	r->env.handshake_ns = p->nettimeout_set && p->nettimeout.tv_sec > 0
		? (int64_t)p->nettimeout.tv_sec * 1000000000 : LI_HANDSHAKE_NS;
	if (pipe2(r->sig, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(r->wake, O_CLOEXEC) < 0 ||
	    pipe2(r->done, O_CLOEXEC | O_NONBLOCK) < 0) {
		li_relay_free(r);
		return NULL;
	}
	r->env.wake_fd = r->wake[0];
	return r;
}

static void shutdown_live(li_relay *r)
{
	entry *e;

	pthread_mutex_lock(&r->lock);
	for (e = r->live; e; e = e->next)
		li_session_shutdown(e->s);
	pthread_mutex_unlock(&r->lock);
}

static void reap(li_relay *r, int call);

void li_relay_free(li_relay *r)
{
	if (r == NULL)
		return;
	/* Sessions still running (li_relay_serve failed): end them now. */
	__atomic_store_n(&r->env.drain_deadline, 1, __ATOMIC_RELEASE);
	for (;;) {
		int live;

		pthread_mutex_lock(&r->lock);
		live = r->live != NULL;
		pthread_mutex_unlock(&r->lock);
		reap(r, 0);
		if (!live)
			break;
		shutdown_live(r);
		poll(&(struct pollfd){ .fd = r->done[0], .events = POLLIN }, 1, 100);
	}
	if (r->lfd >= 0)
		close(r->lfd);
	close_pair(r->sig);
	close_pair(r->wake);
	close_pair(r->done);
	li_tls_creds_free(r->env.creds);
	pthread_mutex_destroy(&r->lock);
	free(r->host);
	free(r->upstream);
	free(r->cert);
	free(r->key);
	free(r);
}

/* ---- settings ---- */

int li_relay_set_listen(li_relay *r, const char *uri, li_error *err)
{
	LDAPURLDesc *lud = NULL;
	const char *hostport, *colon, *why;
	long long port;

	if (uri == NULL || ldap_url_parse(uri, &lud) != LDAP_URL_SUCCESS)
		return li_usage_error(err, "--listen", "'%s' is not an LDAP URI (ldap://HOST:PORT or ldaps://HOST:PORT)",
				      uri ? uri : "");
	if (strcmp(lud->lud_scheme, "ldap") != 0 && strcmp(lud->lud_scheme, "ldaps") != 0) {
		li_usage_error(err, "--listen", "'%s': listens on ldap:// or ldaps:// only", uri);
		goto fail;
	}
	if ((lud->lud_dn && lud->lud_dn[0]) || lud->lud_attrs || lud->lud_filter || lud->lud_exts) {
		li_usage_error(err, "--listen", "'%s': give only a host and a port", uri);
		goto fail;
	}
	/* libldap gives a URI without a port, or with port 0, the standard
	 * one: the port is read from the text, so that 0 means any free one
	 * and 389 or 636 is never taken unless spelled out. */
	hostport = strstr(uri, "://") + 3; /* ldap_url_parse found it */
	colon = strrchr(hostport, ':');
	if (colon == NULL || strchr(colon, ']') ||
	    li_parse_int(strndupa(colon + 1, strcspn(colon + 1, "/")), 0, 65535, &port, &why) < 0) {
		li_usage_error(err, "--listen", "'%s': give the port (0: any free one), as in ldap://127.0.0.1:0", uri);
		goto fail;
	}
	if (lud->lud_host == NULL || lud->lud_host[0] == '\0') {
		li_usage_error(err, "--listen", "'%s': give the address to listen on (127.0.0.1 for this machine "
			       "only; 0.0.0.0 or an IP address to accept others)", uri);
		goto fail;
	}
	free(r->host);
	r->host = strdup(lud->lud_host);
	r->port = (int)port;
	r->listen_tls = strcmp(lud->lud_scheme, "ldaps") == 0;
	r->env.listen_tls = r->listen_tls;
	ldap_free_urldesc(lud);
	if (r->host == NULL)
		return li_ldap_error(err, "--listen", LDAP_NO_MEMORY, NULL, NULL);
	return 0;
fail:
	ldap_free_urldesc(lud);
	return -1;
}

int li_relay_set_certificate(li_relay *r, const char *cert, const char *key, li_error *err)
{
	li_tls_creds *c;

	if (cert == NULL || key == NULL)
		return li_usage_error(err, "--listen-cert", "give both --listen-cert and --listen-key");
	c = li_tls_creds_new(cert, key, err);
	if (c == NULL)
		return -1;
	li_tls_creds_free(r->env.creds);
	r->env.creds = c;
	return 0;
}

int li_relay_set_wait(li_relay *r, int64_t us, li_error *err)
{
	if (us < 0 || us > LI_DURATION_MAX_US)
		return li_usage_error(err, "--wait", "out of range (0 to a week)");
	r->drain_us = us;
	return 0;
}

int li_relay_set_sessions(li_relay *r, long long n, li_error *err)
{
	if (n < 1 || n > 2147483647)
		return li_usage_error(err, "--sessions", "out of range (1 to 2147483647)");
	r->max_sessions = n;
	return 0;
}

void li_relay_set_observer(li_relay *r, li_session_event_fn fn, void *arg)
{
	r->env.fn = fn;
	r->env.arg = arg;
}

int li_relay_set_op(li_relay *r, const char *type, li_error *err)
{
	static const char *const names[] = {
		[LI_OP_SEARCH] = "search", [LI_OP_COMPARE] = "compare", [LI_OP_DELETE] = "delete",
		[LI_OP_MODRDN] = "modrdn", [LI_OP_ADD] = "add",         [LI_OP_MODIFY] = "modify",
		[LI_OP_EXOP] = "exop",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (type && strcasecmp(type, names[i]) == 0) {
			r->env.op = (int)i;
			return 0;
		}
	return li_usage_error(err, "--op", "'%s' is not an operation (search, compare, delete, modrdn, add, "
			      "modify or exop)", type ? type : "");
}

void li_relay_set_outcome(li_relay *r, li_session_result_fn fn, void *arg)
{
	r->env.outcome_fn = fn;
	r->env.outcome_arg = arg;
}

void li_relay_set_session_end(li_relay *r, li_session_fn fn, void *arg)
{
	r->end_fn = fn;
	r->end_arg = arg;
}

const char *li_relay_address(const li_relay *r)
{
	return r->address;
}

const char *li_relay_upstream(const li_relay *r)
{
	return r->upstream ? r->upstream : "";
}

static void find_upstream(li_relay *r)
{
	char *uri = NULL;

	if (r->params->uri) {
		r->upstream = strdup(r->params->uri);
		return;
	}
	/* ldap.conf's, as libldap will use it for each session. */
	if (ldap_get_option(NULL, LDAP_OPT_URI, &uri) == LDAP_OPT_SUCCESS && uri)
		r->upstream = strdup(uri);
	ldap_memfree(uri);
}

int li_relay_signal(const li_relay *r)
{
	return r->first_signal;
}

void li_relay_get_totals(const li_relay *r, li_relay_totals *t)
{
	*t = r->totals;
}

void li_relay_stop(li_relay *r, int signo)
{
	unsigned char b = (unsigned char)signo;
	int saved = errno;

	if (r->first_signal == 0)
		r->first_signal = signo;
	if (write(r->sig[1], &b, 1) < 0) {
		/* A full pipe holds stops enough. */
	}
	errno = saved;
}

/* ---- listening ---- */

static int is_loopback(const struct sockaddr *a)
{
	if (a->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)(const void *)a)->sin_addr.s_addr) >> 24) == 127;
	if (a->sa_family == AF_INET6) {
		const struct in6_addr *in6 = &((const struct sockaddr_in6 *)(const void *)a)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(in6) ||
		       (IN6_IS_ADDR_V4MAPPED(in6) && in6->s6_addr[12] == 127);
	}
	return 0;
}

/* A name (not a numeric address) must stand for this machine only: a
 * relay reachable from elsewhere is asked for by its address. */
static int resolve(li_relay *r, struct addrinfo **out, li_error *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai;
	char port[16];
	int rc;

	snprintf(port, sizeof(port), "%d", r->port);
	rc = getaddrinfo(r->host, port, &hints, out);
	if (rc == 0)
		return 0;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(r->host, port, &hints, out);
	if (rc != 0)
		return li_usage_error(err, "--listen", "'%s': %s", r->host, gai_strerror(rc));
	for (ai = *out; ai; ai = ai->ai_next)
		if (!is_loopback(ai->ai_addr)) {
			freeaddrinfo(*out);
			*out = NULL;
			return li_usage_error(err, "--listen", "'%s' is not a loopback name: to accept other "
					      "machines' clients, give the address itself (0.0.0.0, or an IP address)",
					      r->host);
		}
	return 0;
}

static void format_address(li_relay *r, const struct sockaddr *a)
{
	const char *scheme = r->listen_tls ? "ldaps" : "ldap";
	char host[INET6_ADDRSTRLEN] = "?";

	if (a->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)a;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(r->address, sizeof(r->address), "%s://[%s]:%u", scheme, host, ntohs(in6->sin6_port));
	} else {
		const struct sockaddr_in *in = (const void *)a;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(r->address, sizeof(r->address), "%s://%s:%u", scheme, host, ntohs(in->sin_port));
	}
}

int li_relay_open(li_relay *r, li_error *err)
{
	struct addrinfo *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int one = 1, fd;

	memset(err, 0, sizeof(*err));
	if (r->host == NULL)
		return li_usage_error(err, "--listen", "no address to listen on");
	if (r->listen_tls && r->env.creds == NULL)
		return li_usage_error(err, "--listen", "ldaps:// needs --listen-cert and --listen-key");
	if (resolve(r, &ai, err) < 0)
		return -1;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		li_usage_error(err, "--listen", "socket: %s", strerror(errno));
		goto fail;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 128) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		li_usage_error(err, "--listen", "cannot listen on %s port %d: %s", r->host, r->port, strerror(errno));
		close(fd);
		goto fail;
	}
	freeaddrinfo(ai);
	r->lfd = fd;
	format_address(r, (struct sockaddr *)&ss);
	find_upstream(r);
	r->env.uri = r->upstream;
	return 0;
fail:
	freeaddrinfo(ai);
	return -1;
}

/* ---- sessions ---- */

static void *session_thread(void *arg)
{
	entry *e = arg;
	li_relay *r = e->r;
	entry **pp;
	char b = 0;

	li_session_run(e->s);
	pthread_mutex_lock(&r->lock);
	for (pp = &r->live; *pp; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	e->next = r->ended;
	r->ended = e;
	if (write(r->done[1], &b, 1) < 0) {
		/* The pipe is full of the same news. */
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* The ended sessions: join, add up, tell the caller (call), free. */
static void reap(li_relay *r, int call)
{
	for (;;) {
		entry *e;
		const li_result *res;
		int d;

		pthread_mutex_lock(&r->lock);
		e = r->ended;
		if (e)
			r->ended = e->next;
		pthread_mutex_unlock(&r->lock);
		if (e == NULL)
			return;
		pthread_join(e->thread, NULL);
		res = li_session_result(e->s);
		r->nended++;
		r->totals.sessions++;
		r->totals.failed += li_session_ended(e->s) == LI_SESSION_FAILED;
		for (d = 0; d < 2; d++) {
			r->totals.messages[d] += res->messages[d];
			r->totals.bytes[d] += res->bytes[d];
		}
		if (call && r->end_fn)
			r->end_fn(r->end_arg, e->s);
		li_session_free(e->s);
		free(e);
	}
}

static void start(li_relay *r, int fd, const struct sockaddr *addr, socklen_t len)
{
	entry *e = calloc(1, sizeof(*e));
	sigset_t all, old;

	if (e == NULL || (e->s = li_session_new(&r->env, r->accepted + 1, fd, addr, len)) == NULL) {
		if (e == NULL)
			close(fd);
		free(e);
		return;
	}
	e->r = r;
	r->accepted++;
	/* Signals are the main thread's (li_relay_stop): the sessions, and
	 * the threads libldap's connect starts from them, block them all. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_mutex_lock(&r->lock);
	if (pthread_create(&e->thread, NULL, session_thread, e) == 0) {
		e->next = r->live;
		r->live = e;
	} else {
		li_session_free(e->s);
		free(e);
	}
	pthread_mutex_unlock(&r->lock);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void accept_one(li_relay *r)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd = accept4(r->lfd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);

	if (fd < 0)
		return; /* EAGAIN, or a client gone before accept: nothing to serve */
	start(r, fd, (struct sockaddr *)&ss, len);
}

static int64_t drain_us(const li_relay *r)
{
	if (r->drain_us >= 0)
		return r->drain_us;
	if (r->params->interrupt != LI_INTERRUPT_NONE && r->params->wait_us >= 0)
		return r->params->wait_us;
	return LI_RELAY_DRAIN_US;
}

static void stop_listening(li_relay *r)
{
	if (r->lfd >= 0)
		close(r->lfd);
	r->lfd = -1;
}

/* The first stop: no new clients, the open sessions get --wait; the
 * second: they end now. */
static void on_stop(li_relay *r)
{
	unsigned char b[16];
	ssize_t n = read(r->sig[0], b, sizeof(b));
	/* Two signals may come in one read: the second is the second stop. */
	int now = r->stopping || n > 1;
	char w = 0;

	if (n <= 0)
		return;
	stop_listening(r);
	if (!r->stopping && write(r->wake[1], &w, 1) < 0) {
		/* Cannot happen on an empty pipe; the deadline is set anyway. */
	}
	r->stopping = 1;
	__atomic_store_n(&r->env.drain_deadline, li_now_ns() + (now ? 0 : drain_us(r) * 1000), __ATOMIC_RELEASE);
	if (now)
		shutdown_live(r);
}

static int live_sessions(li_relay *r)
{
	int live;

	pthread_mutex_lock(&r->lock);
	live = r->live != NULL || r->ended != NULL;
	pthread_mutex_unlock(&r->lock);
	return live;
}

int li_relay_serve(li_relay *r, li_error *err)
{
	memset(err, 0, sizeof(*err));
	if (r->lfd < 0 && !r->stopping)
		return li_usage_error(err, "relay", "not listening (li_relay_open)");
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = r->sig[0], .events = POLLIN },
			{ .fd = r->done[0], .events = POLLIN },
			{ .fd = r->lfd, .events = POLLIN },
		};
		int n = 2, timeout = -1;
		int64_t d;

		reap(r, 1);
		if (r->max_sessions && (long long)r->accepted >= r->max_sessions)
			stop_listening(r);
		if ((r->max_sessions && (long long)r->nended >= r->max_sessions) ||
		    (r->stopping && !live_sessions(r)))
			break;
		if (r->lfd >= 0)
			n = 3;
		/* A session blocked where its deadline is not looked at (a
		 * connect) is shut down from here, a little after the sessions
		 * have had their chance to close by themselves. */
		d = __atomic_load_n(&r->env.drain_deadline, __ATOMIC_ACQUIRE);
		if (d) {
			int64_t left = d + LI_FORCE_NS - li_now_ns();

			if (left <= 0)
				shutdown_live(r);
			timeout = left <= 0 ? 100 : (int)(left / 1000000 + 1);
		}
		if (poll(p, (nfds_t)n, timeout) < 0 && errno != EINTR)
			return li_usage_error(err, "relay", "poll: %s", strerror(errno));
		if (p[0].revents)
			on_stop(r);
		if (p[1].revents) {
			unsigned char b[64];

			while (read(r->done[0], b, sizeof(b)) > 0)
				;
		}
		if (n == 3 && r->lfd >= 0 && p[2].revents)
			accept_one(r);
	}
	stop_listening(r);
	return 0;
}
