/* SPDX-License-Identifier: BSD-2-Clause */
#include "sockbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lber.h>

#include "frame.h"
#include "wire.h"

/* Above LBER_SBIOD_LEVEL_APPLICATION (SASL) and TRANSPORT (TLS). */
#define LI_TAP_LEVEL (LBER_SBIOD_LEVEL_APPLICATION + 10)

struct li_tap {
	struct ldap_conncb cb; /* first: libldap hands it back to us */
	li_wire *wire;
	int64_t opened_ns;
	int closed;
	int poisoned; /* the server sent something libldap must not parse */
	char *url;    /* the server connected to, of all the -H list */
	int64_t t_io; /* when the read returned or the write was issued */
};

int64_t li_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void closed(li_tap *tap, li_dir dir, const char *why)
{
	if (tap->closed)
		return;
	tap->closed = 1;
	/* A reply cut short by the close is reported before the close, at the
	 * time of the read that brought its last bytes. A request cut short is
	 * not: its bytes are still libldap's to write. */
	li_wire_end(tap->wire, LI_DIR_RECV, tap->t_io);
	li_wire_close(tap->wire, dir, why, li_now_ns());
}

static int tap_setup(Sockbuf_IO_Desc *sbiod, void *arg)
{
	sbiod->sbiod_pvt = arg;
	return 0;
}

static int tap_remove(Sockbuf_IO_Desc *sbiod)
{
	(void)sbiod;
	return 0;
}

static int tap_ctrl(Sockbuf_IO_Desc *sbiod, int opt, void *arg)
{
	return LBER_SBIOD_CTRL_NEXT(sbiod, opt, arg);
}

static ber_slen_t tap_read(Sockbuf_IO_Desc *sbiod, void *buf, ber_len_t len)
{
	li_tap *tap = sbiod->sbiod_pvt;
	ber_slen_t n;
	int saved;

	if (tap->poisoned) {
		errno = EPROTO;
		return -1;
	}
	n = LBER_SBIOD_READ_NEXT(sbiod, buf, len);
	saved = errno;
	tap->t_io = li_now_ns();
	if (n > 0) {
		li_wire_feed(tap->wire, LI_DIR_RECV, buf, (size_t)n, tap->t_io);
		/* libldap has not seen these bytes yet: a read error instead keeps
		 * its parser (and its error paths, which leak) away from them. */
		if (tap->poisoned) {
			errno = EPROTO;
			return -1;
		}
	} else if (n == 0) {
		closed(tap, LI_DIR_RECV, "closed by the server");
	} else if (saved != EAGAIN && saved != EWOULDBLOCK && saved != EINTR) {
		char why[128];

		snprintf(why, sizeof(why), "connection error: %s", strerror(saved));
		closed(tap, LI_DIR_RECV, why);
	}
	errno = saved;
	return n;
}

static ber_slen_t tap_write(Sockbuf_IO_Desc *sbiod, void *buf, ber_len_t len)
{
	li_tap *tap = sbiod->sbiod_pvt;
	/* A message is on the socket once the write is issued: on loopback the
	 * kernel delivers it to the peer inside write(), which is not our delay. */
	int64_t t_issued = li_now_ns();
	ber_slen_t n = LBER_SBIOD_WRITE_NEXT(sbiod, buf, len);
	int saved = errno;

	tap->t_io = t_issued;

	if (n > 0) {
		li_wire_feed(tap->wire, LI_DIR_SEND, buf, (size_t)n, tap->t_io);
	} else if (n < 0 && saved != EAGAIN && saved != EWOULDBLOCK && saved != EINTR) {
		char why[128];

		snprintf(why, sizeof(why), "connection error on write: %s", strerror(saved));
		closed(tap, LI_DIR_SEND, why);
	}
	errno = saved;
	return n;
}

static int tap_close(Sockbuf_IO_Desc *sbiod)
{
	closed(sbiod->sbiod_pvt, LI_DIR_SEND, "closed by the client");
	return 0;
}

static Sockbuf_IO tap_io = {
	tap_setup, tap_remove, tap_ctrl, tap_read, tap_write, tap_close,
};

static int on_connect(LDAP *ld, Sockbuf *sb, LDAPURLDesc *srv, struct sockaddr *addr, struct ldap_conncb *ctx)
{
	li_tap *tap = ctx->lc_arg;
	ber_len_t max = LI_PDU_MAX;

	(void)ld;
	(void)addr;
	ldap_memfree(tap->url);
	tap->url = srv ? ldap_url_desc2str(srv) : NULL;
	tap->opened_ns = li_now_ns();
	li_wire_set_origin(tap->wire, tap->opened_ns);
	tap->closed = 0;
	/* libldap would otherwise try to allocate whatever length a server claims. */
	ber_sockbuf_ctrl(sb, LBER_SB_OPT_SET_MAX_INCOMING, &max);
	return ber_sockbuf_add_io(sb, &tap_io, LI_TAP_LEVEL, tap);
}

static void on_disconnect(LDAP *ld, Sockbuf *sb, struct ldap_conncb *ctx)
{
	/* libldap calls this before it sends the UnbindRequest: the close is
	 * reported by tap_close, once the socket really closes. */
	(void)ld;
	(void)sb;
	(void)ctx;
}

li_tap *li_tap_new(li_wire *wire)
{
	li_tap *tap = calloc(1, sizeof(*tap));

	if (tap == NULL)
		return NULL;
	tap->wire = wire;
	tap->cb.lc_add = on_connect;
	tap->cb.lc_del = on_disconnect;
	tap->cb.lc_arg = tap;
	return tap;
}

void li_tap_free(li_tap *tap)
{
	if (tap == NULL)
		return;
	ldap_memfree(tap->url);
	free(tap);
}

int li_tap_attach(li_tap *tap, LDAP *ld)
{
	return ldap_set_option(ld, LDAP_OPT_CONNECT_CB, &tap->cb);
}

void li_tap_poison(li_tap *tap)
{
	tap->poisoned = 1;
}

const char *li_tap_url(const li_tap *tap)
{
	return tap->url;
}

int li_tap_write_pending(const li_tap *tap)
{
	return li_wire_partial(tap->wire, LI_DIR_SEND);
}
