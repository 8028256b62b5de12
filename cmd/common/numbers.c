/* SPDX-License-Identifier: BSD-2-Clause */
#include "numbers.h"

#include <string.h>

static const struct {
	const char *name;
	int64_t us;
} units[] = {
	{ "us", 1 }, { "ms", 1000 }, { "s", 1000000 }, { "m", 60000000 }, { "h", 3600000000LL },
};

int li_parse_duration(const char *s, int allow_never, int64_t *us, const char **why)
{
	const char *p = s;
	int64_t whole = 0, frac = 0, scale = 1, unit = 0;
	size_t i;

	if (s == NULL || *s == '\0') {
		*why = "empty, expected a duration such as 250ms or 2s";
		return -1;
	}
	if (allow_never && strcmp(s, "never") == 0) {
		*us = LI_NEVER;
		return 0;
	}
	if (*p == '-') {
		*why = "must not be negative";
		return -1;
	}
	if (*p < '0' || *p > '9') {
		*why = "not a duration (examples: 0, 500us, 250ms, 1.5s, 2m, 1h)";
		return -1;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > LI_DURATION_MAX_US) {
			*why = "too long (at most a week)";
			return -1;
		}
	}
	if (*p == '.') {
		/* Keep six digits of fraction: enough below any unit we accept. */
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (scale < 1000000) {
				frac = frac * 10 + (*p - '0');
				scale *= 10;
			}
		}
		if (scale == 1) {
			*why = "not a duration (examples: 0, 500us, 250ms, 1.5s, 2m, 1h)";
			return -1;
		}
	}
	if (*p == '\0') {
		if (whole == 0 && frac == 0) {
			*us = 0;
			return 0;
		}
		*why = "needs a unit (us, ms, s, m or h), as in 250ms or 2s";
		return -1;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(p, units[i].name) == 0)
			unit = units[i].us;
	if (unit == 0) {
		*why = "unknown unit (use us, ms, s, m or h)";
		return -1;
	}
	if (whole > LI_DURATION_MAX_US / unit) {
		*why = "too long (at most a week)";
		return -1;
	}
	*us = whole * unit + frac * unit / scale;
	if (*us > LI_DURATION_MAX_US) {
		*why = "too long (at most a week)";
		return -1;
	}
	return 0;
}
