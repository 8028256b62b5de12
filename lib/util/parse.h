/* SPDX-License-Identifier: BSD-2-Clause */
/* The library's reader of the numbers in its own texts (-o and -E values). */
#ifndef LI_PARSE_H
#define LI_PARSE_H

#include "ldapinterrupt.h" /* LI_MSGID_MAX, LI_DURATION_MAX_US, LI_NEVER */

/* A decimal number of the library's own texts (-o values, -E values):
 * digits only (a '-' first when min < 0), min to max; with end, it may stop
 * at one of stops ("/", ":" ...) and *end points there. 0 or -1. */
int li_number(const char *s, long min, long max, long *out, const char **end, const char *stops);

#endif
