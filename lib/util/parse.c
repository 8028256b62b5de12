/* SPDX-License-Identifier: BSD-2-Clause */
#include "parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int li_number(const char *s, long min, long max, long *out, const char **end, const char *stops)
{
	const char *p = s + (*s == '-' && min < 0);
	char *e;

	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	*out = strtol(s, &e, 10);
	if (errno || *out < min || *out > max)
		return -1;
	if (*e != '\0' && !(end && stops && strchr(stops, *e)))
		return -1;
	if (end)
		*end = e;
	return 0;
}
