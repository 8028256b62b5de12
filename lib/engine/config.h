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

/* Wipe a secret before freeing it. */
void li_secret_free(char *s, size_t len);

#endif
