/* SPDX-License-Identifier: BSD-2-Clause */
/* The public setters of li_params (ldapinterrupt.h) validate every value
 * they take; what the other modules share of them is here. */
#ifndef LI_CONFIG_H
#define LI_CONFIG_H

#include "error.h"
#include "ldapinterrupt.h"
#include "params.h"

/* A copy of s (NULL stays NULL) into *field; -1 with err when out of memory. */
int li_params_str(char **field, const char *s, const char *what, li_error *err);

/* dst takes src's connection: URI, TLS, ldap.conf options, timeouts,
 * the bind with the password pw (len bytes; NULL: none), the prompts;
 * not its operation, controls or interrupt. 0, or -1 with err. */
int li_params_copy_connection(li_params *dst, const li_params *src, const char *pw, size_t len, li_error *err);

/* Wipe a secret before freeing it. */
void li_secret_free(char *s, size_t len);

#endif
