/* A Sockbuf_IO layer above TLS and SASL: sees every plaintext byte in both
 * directions, frames it into messages and timestamps each one. */
#ifndef LI_TAP_H
#define LI_TAP_H

#include <stddef.h>
#include <stdint.h>

#include <ldap.h>

#include "ldapinterrupt.h"

typedef enum li_tap_kind {
	LI_TAP_MESSAGE,
	LI_TAP_MALFORMED, /* bytes that could not be framed; why says how */
	LI_TAP_CLOSED,    /* the connection ended; why says how */
} li_tap_kind;

typedef void (*li_tap_fn)(void *arg, li_tap_kind kind, li_dir dir, const unsigned char *p, size_t n,
			  const char *why, int64_t t_ns);

typedef struct li_tap li_tap;

li_tap *li_tap_new(li_tap_fn fn, void *arg);
void li_tap_free(li_tap *tap);
/* Registers the connect callback; the tap must outlive ld. */
int li_tap_attach(li_tap *tap, LDAP *ld);
void li_tap_detach(li_tap *tap, LDAP *ld);
/* From the callback: the message just framed must not reach libldap. This
 * read, and every later one, fails (EPROTO), so libldap gives up on the
 * connection without parsing it. */
void li_tap_poison(li_tap *tap);
int64_t li_tap_opened_ns(const li_tap *tap); /* 0 until connected */
/* The URL libldap connected to (one of a list), as libldap formats it;
 * NULL until connected. */
const char *li_tap_url(const li_tap *tap);
int li_tap_write_pending(const li_tap *tap);
uint64_t li_tap_bytes(const li_tap *tap, li_dir dir);

int64_t li_now_ns(void);

#endif
