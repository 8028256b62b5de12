/* SPDX-License-Identifier: BSD-2-Clause */
/* ldap.conf(5)'s options by name (-o name=value, as ldapsearch takes
 * them): checked when given, set on a session handle before it connects. */
#ifndef LI_LDAPCONF_H
#define LI_LDAPCONF_H

#include <ldap.h>

#include "error.h"

/* 0 when name (any case, '-' for '_') is an option the tools take and
 * value suits it; else -1 with err saying why. */
int li_ldapconf_check(const char *name, const char *value, li_error *err);
/* The option's name as ldap.conf(5) spells it, in lower case; NULL if unknown. */
const char *li_ldapconf_name(const char *name);
/* Sets a checked option on ld; *tls becomes 1 for a TLS option (the
 * handle then needs a new TLS context). */
int li_ldapconf_apply(LDAP *ld, const char *name, const char *value, int *tls, li_error *err);

#endif
