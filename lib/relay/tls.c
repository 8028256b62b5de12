/* SPDX-License-Identifier: BSD-2-Clause */
#include "tls.h"

#include <errno.h>
#include <stdlib.h>

#include <gnutls/gnutls.h>

#include "error.h"

struct li_tls_creds {
	gnutls_certificate_credentials_t cred;
	gnutls_priority_t prio;
};

struct li_tls_link {
	gnutls_session_t session;
	int last; /* the last GnuTLS error */
};

li_tls_creds *li_tls_creds_new(const char *cert, const char *key, li_error *err)
{
	li_tls_creds *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL) {
		li_usage_error(err, "--listen-cert", "out of memory");
		return NULL;
	}
	if ((rc = gnutls_certificate_allocate_credentials(&c->cred)) < 0 ||
	    (rc = gnutls_priority_init(&c->prio, NULL, NULL)) < 0) {
		li_usage_error(err, "TLS", "%s", gnutls_strerror(rc));
		li_tls_creds_free(c);
		return NULL;
	}
	rc = gnutls_certificate_set_x509_key_file(c->cred, cert, key, GNUTLS_X509_FMT_PEM);
	if (rc < 0) {
		li_usage_error(err, "--listen-cert", "'%s' with key '%s': %s", cert, key, gnutls_strerror(rc));
		li_tls_creds_free(c);
		return NULL;
	}
	return c;
}

void li_tls_creds_free(li_tls_creds *c)
{
	if (c == NULL)
		return;
	if (c->cred)
		gnutls_certificate_free_credentials(c->cred);
	if (c->prio)
		gnutls_priority_deinit(c->prio);
	free(c);
}

li_tls_link *li_tls_new(li_tls_creds *creds, int fd)
{
	li_tls_link *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	if (gnutls_init(&t->session, GNUTLS_SERVER | GNUTLS_NONBLOCK) < 0) {
		free(t);
		return NULL;
	}
	if (gnutls_priority_set(t->session, creds->prio) < 0 ||
	    gnutls_credentials_set(t->session, GNUTLS_CRD_CERTIFICATE, creds->cred) < 0) {
		li_tls_free(t);
		return NULL;
	}
	gnutls_certificate_server_set_request(t->session, GNUTLS_CERT_IGNORE);
	gnutls_transport_set_int(t->session, fd);
	return t;
}

void li_tls_free(li_tls_link *t)
{
	if (t == NULL)
		return;
	/* One try: a peer that does not read is not waited for. */
	gnutls_bye(t->session, GNUTLS_SHUT_WR);
	gnutls_deinit(t->session);
	free(t);
}

int li_tls_handshake(li_tls_link *t)
{
	int rc = gnutls_handshake(t->session);

	if (rc == GNUTLS_E_SUCCESS)
		return 0;
	if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED || !gnutls_error_is_fatal(rc))
		return 1;
	t->last = rc;
	return -1;
}

int li_tls_wants_write(const li_tls_link *t)
{
	return gnutls_record_get_direction(t->session) == 1;
}

const char *li_tls_error(const li_tls_link *t)
{
	return gnutls_strerror(t->last);
}

ssize_t li_tls_read(li_tls_link *t, void *buf, size_t len)
{
	ssize_t n = gnutls_record_recv(t->session, buf, len);

	if (n >= 0)
		return n;
	if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
		return -2;
	/* A peer that closes TCP without a close_notify has ended the stream
	 * all the same. */
	if (n == GNUTLS_E_PREMATURE_TERMINATION)
		return 0;
	t->last = (int)n;
	errno = EPROTO;
	return -1;
}

ssize_t li_tls_write(li_tls_link *t, const void *buf, size_t len)
{
	ssize_t n = gnutls_record_send(t->session, buf, len);

	if (n >= 0)
		return n;
	if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
		return 0;
	t->last = (int)n;
	errno = EPROTO;
	return -1;
}

int li_tls_pending(const li_tls_link *t)
{
	return gnutls_record_check_pending(t->session) > 0;
}
