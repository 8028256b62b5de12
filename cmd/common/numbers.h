/* SPDX-License-Identifier: BSD-2-Clause */
/* The one place that turns user-supplied text into numbers. */
#ifndef CMD_NUMBERS_H
#define CMD_NUMBERS_H

#include <stdint.h>

#include "ldapinterrupt.h"

/* Integers: li_parse_int, the library's (lib/ldapinterrupt.h). */

/* "0", "250ms", "1.5s", "2m", "1h", "500us"; with allow_never, "never"
 * gives LI_NEVER. A unit is required except for 0. */
int li_parse_duration(const char *s, int allow_never, int64_t *us, const char **why);

#endif
