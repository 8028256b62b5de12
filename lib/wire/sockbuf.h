/* SPDX-License-Identifier: BSD-2-Clause */
/* The adapter on libldap's Sockbuf: a Sockbuf_IO layer above TLS and SASL
 * that sees every plaintext byte in both directions, unbuffered, and feeds
 * it to a wire with the time of the read or write. Its object keeps the
 * name "tap": it taps the connection and passes every byte on unchanged,
 * except a malformed message it is told to poison. */
#ifndef LI_SOCKBUF_H
#define LI_SOCKBUF_H

#include <stddef.h>
#include <stdint.h>

#include <ldap.h>

#include "ldapinterrupt.h"

typedef struct li_tap li_tap;

/* The wire must outlive the tap; the tap feeds it from inside libldap's
 * reads and writes, so its events arrive in the order the bytes crossed. */
li_tap *li_tap_new(li_wire *wire);
void li_tap_free(li_tap *tap);
/* Registers the connect callback; the tap must outlive ld. */
int li_tap_attach(li_tap *tap, LDAP *ld);
/* From an event callback: the message just framed must not reach libldap.
 * This read, and every later one, fails (EPROTO), so libldap gives up on
 * the connection without parsing it. */
void li_tap_poison(li_tap *tap);
/* The URL libldap connected to (one of a list), as libldap formats it;
 * NULL until connected. */
const char *li_tap_url(const li_tap *tap);
int li_tap_write_pending(const li_tap *tap);

int64_t li_now_ns(void);

#endif
