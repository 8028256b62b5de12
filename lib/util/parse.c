/* SPDX-License-Identifier: BSD-2-Clause */
#include "parse.h"

#include "ldapinterrupt.h"

#include <stdlib.h>
#include <string.h>

int li_parse_int(const char *s, long long min, long long max, long long *out, const char **why)
{
	unsigned long long limit, v = 0;
	int neg = 0;
	const char *p = s;

	if (s == NULL || *s == '\0') {
		*why = "empty, expected a number";
		return -1;
	}
	if (*p == '-' || *p == '+') {
		neg = *p == '-';
		if (neg && min >= 0) {
			*why = "must not be negative";
			return -1;
		}
		p++;
	}
	if (*p < '0' || *p > '9') {
		*why = "not a number";
		return -1;
	}
	if (p[strspn(p, "0123456789")] != '\0') {
		*why = "not a number";
		return -1;
	}
	limit = neg ? (unsigned long long)(-(min + 1)) + 1 : (unsigned long long)max;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (limit - d) / 10) {
			*why = "out of range";
			return -1;
		}
		v = v * 10 + d;
	}
	if (*p != '\0') {
		*why = "not a number";
		return -1;
	}
	*out = neg ? -(long long)(v - 1) - 1 : (long long)v;
	if (*out < min || *out > max) {
		*why = "out of range";
		return -1;
	}
	return 0;
}

int li_number(const char *s, long min, long max, long *out, const char **end, const char *stops)
{
	size_t n = stops ? strcspn(s, stops) : strlen(s);
	char digits[24];
	long long v;
	const char *why;

	/* The number ends at the first stop character, if it may stop. */
	if (n >= sizeof(digits) || (s[n] != '\0' && end == NULL))
		return -1;
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (li_parse_int(digits, min, max, &v, &why) < 0)
		return -1;
	*out = (long)v;
	if (end)
		*end = s + n;
	return 0;
}
