/* SPDX-License-Identifier: BSD-2-Clause */
#include "upstream.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <ldap.h>

#include "conn.h"
#include "error.h"

/* li_conn_new checks the parameters, which writes their defaults again:
 * the sessions' threads share one li_params, so one at a time. */
static pthread_mutex_t params_lock = PTHREAD_MUTEX_INITIALIZER;

/* Above the tap's level and everything libldap pushes (TLS, SASL). */
#define RELAY_LEVEL (LBER_SBIOD_LEVEL_APPLICATION + 20)

struct li_upstream {
	struct ldap_conncb cb;  /* tells fd as soon as the socket exists */
	li_conn *conn;
	Sockbuf_IO_Desc *sbiod; /* our layer: reads and writes go to the next one */
	int fd;                 /* read by li_upstream_shutdown's thread */
	int closing;            /* libldap's own last words are not sent */
};

static int up_setup(Sockbuf_IO_Desc *sbiod, void *arg)
{
	li_upstream *u = arg;

	sbiod->sbiod_pvt = u;
	u->sbiod = sbiod;
	return 0;
}

static int up_remove(Sockbuf_IO_Desc *sbiod)
{
	li_upstream *u = sbiod->sbiod_pvt;

	u->sbiod = NULL;
	return 0;
}

static int up_ctrl(Sockbuf_IO_Desc *sbiod, int opt, void *arg)
{
	return LBER_SBIOD_CTRL_NEXT(sbiod, opt, arg);
}

/* libldap's own reads and writes (its StartTLS) pass through unchanged. */
static ber_slen_t up_read(Sockbuf_IO_Desc *sbiod, void *buf, ber_len_t len)
{
	return LBER_SBIOD_READ_NEXT(sbiod, buf, len);
}

static ber_slen_t up_write(Sockbuf_IO_Desc *sbiod, void *buf, ber_len_t len)
{
	li_upstream *u = sbiod->sbiod_pvt;

	/* The UnbindRequest libldap sends as it closes: the client's own
	 * Unbind, if it sent one, was relayed; the relay adds none. */
	if (u->closing)
		return (ber_slen_t)len;
	return LBER_SBIOD_WRITE_NEXT(sbiod, buf, len);
}

static int up_close(Sockbuf_IO_Desc *sbiod)
{
	(void)sbiod;
	return 0;
}

static Sockbuf_IO up_io = {
	up_setup, up_remove, up_ctrl, up_read, up_write, up_close,
};

static int push_layer(li_upstream *u, li_error *err)
{
	LDAP *ld = li_conn_ld(u->conn);
	Sockbuf *sb = NULL;

	if (ldap_get_option(ld, LDAP_OPT_SOCKBUF, &sb) != LDAP_OPT_SUCCESS || sb == NULL || li_upstream_fd(u) < 0 ||
	    ber_sockbuf_add_io(sb, &up_io, RELAY_LEVEL, u) != 0 || u->sbiod == NULL) {
		li_ldap_error(err, "upstream connection", LDAP_LOCAL_ERROR, NULL, NULL);
		return li_error_at(err, LI_STAGE_CONNECT);
	}
	return 0;
}

static int on_socket(LDAP *ld, Sockbuf *sb, LDAPURLDesc *srv, struct sockaddr *addr, struct ldap_conncb *ctx)
{
	li_upstream *u = ctx->lc_arg;
	ber_socket_t fd = -1;

	(void)ld;
	(void)srv;
	(void)addr;
	ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd);
	__atomic_store_n(&u->fd, (int)fd, __ATOMIC_RELEASE);
	return 0;
}

static void on_socket_gone(LDAP *ld, Sockbuf *sb, struct ldap_conncb *ctx)
{
	li_upstream *u = ctx->lc_arg;

	(void)ld;
	(void)sb;
	__atomic_store_n(&u->fd, -1, __ATOMIC_RELEASE);
}

li_upstream *li_upstream_new(li_params *p, li_error *err)
{
	li_upstream *u = calloc(1, sizeof(*u));

	memset(err, 0, sizeof(*err));
	if (u == NULL) {
		li_ldap_error(err, "upstream connection", LDAP_NO_MEMORY, NULL, NULL);
		li_error_at(err, LI_STAGE_CONNECT);
		return NULL;
	}
	u->fd = -1;
	u->cb.lc_add = on_socket;
	u->cb.lc_del = on_socket_gone;
	u->cb.lc_arg = u;
	pthread_mutex_lock(&params_lock);
	u->conn = li_conn_new(p, NULL, NULL, err);
	pthread_mutex_unlock(&params_lock);
	if (u->conn == NULL || ldap_set_option(li_conn_ld(u->conn), LDAP_OPT_CONNECT_CB, &u->cb) != LDAP_OPT_SUCCESS) {
		if (u->conn)
			li_ldap_error(err, "LDAP_OPT_CONNECT_CB", LDAP_LOCAL_ERROR, NULL, NULL);
		li_upstream_free(u);
		return NULL;
	}
	return u;
}

int li_upstream_connect(li_upstream *u, li_error *err)
{
	if (li_conn_connect(u->conn, err) < 0 || push_layer(u, err) < 0)
		return -1;
	return 0;
}

void li_upstream_shutdown(li_upstream *u)
{
	int fd = __atomic_load_n(&u->fd, __ATOMIC_ACQUIRE);

	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
}

void li_upstream_free(li_upstream *u)
{
	if (u == NULL)
		return;
	u->closing = 1;
	li_conn_free(u->conn);
	free(u);
}

int li_upstream_fd(const li_upstream *u)
{
	return __atomic_load_n(&u->fd, __ATOMIC_ACQUIRE);
}

const char *li_upstream_uri(const li_upstream *u)
{
	return li_conn_uri(u->conn);
}

int li_upstream_secured(const li_upstream *u)
{
	return ldap_tls_inplace(li_conn_ld(u->conn));
}

int li_upstream_pending(const li_upstream *u)
{
	return u->sbiod && LBER_SBIOD_CTRL_NEXT(u->sbiod, LBER_SB_OPT_DATA_READY, NULL) > 0;
}

/* libldap's TLS layer answers "nothing yet" with 0 and EWOULDBLOCK; its
 * TCP layer's 0 is the end of the stream. */
static int again(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

ssize_t li_upstream_read(li_upstream *u, void *buf, size_t len)
{
	ber_slen_t n;

	errno = 0;
	n = LBER_SBIOD_READ_NEXT(u->sbiod, buf, len);
	if (n > 0)
		return n;
	if (again())
		return -2;
	if (n == 0)
		return 0;
	if (errno == 0)
		errno = EPROTO; /* a TLS failure without an errno */
	return -1;
}

ssize_t li_upstream_write(li_upstream *u, const void *buf, size_t len)
{
	ber_slen_t n;

	errno = 0;
	n = LBER_SBIOD_WRITE_NEXT(u->sbiod, (void *)buf, len);
	if (n > 0)
		return n;
	if (again() || n == 0)
		return 0;
	if (errno == 0)
		errno = EPROTO;
	return -1;
}

int li_upstream_starttls(li_upstream *u, li_error *err)
{
	LDAP *ld = li_conn_ld(u->conn);
	char *info = NULL;
	int rc;

	memset(err, 0, sizeof(*err));
	rc = ldap_start_tls_s(ld, NULL, NULL);
	if (rc == LDAP_SUCCESS)
		return 0;
	ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &info);
	li_ldap_error(err, "StartTLS upstream", rc, info, NULL);
	ldap_memfree(info);
	return li_error_at(err, LI_STAGE_TLS);
}
