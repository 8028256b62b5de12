/* SPDX-License-Identifier: BSD-2-Clause */
/* The limits of the numbers a run takes (the command line parses them). */
#ifndef LI_PARSE_H
#define LI_PARSE_H

#define LI_MSGID_MAX 2147483647LL /* RFC 4511 maxInt */
#define LI_DURATION_NEVER (-1)
#define LI_DURATION_MAX_US (7LL * 24 * 3600 * 1000000) /* a week */

/* A decimal number of the library's own texts (-o values, -E values):
 * digits only (a '-' first when min < 0), min to max; with end, it may stop
 * at one of stops ("/", ":" ...) and *end points there. 0 or -1. */
int li_number(const char *s, long min, long max, long *out, const char **end, const char *stops);

#endif
