/* SPDX-License-Identifier: BSD-2-Clause */
/* Filling an li_error: every layer reports its failures this way. */
#ifndef LI_ERROR_H
#define LI_ERROR_H

#include "ldapinterrupt.h"

/* Usage errors exit 1, the rest exit with the LDAP code. */
int li_usage_error(li_error *err, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int li_ldap_error(li_error *err, const char *what, int code, const char *info, const char *matched);
int li_error_at(li_error *err, li_stage stage);

#endif
