/* SPDX-License-Identifier: BSD-2-Clause */
/* The limits of the numbers a run takes (the command line parses them). */
#ifndef LI_PARSE_H
#define LI_PARSE_H

#define LI_MSGID_MAX 2147483647LL /* RFC 4511 maxInt */
#define LI_DURATION_NEVER (-1)
#define LI_DURATION_MAX_US (7LL * 24 * 3600 * 1000000) /* a week */

#endif
