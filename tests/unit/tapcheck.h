/* SPDX-License-Identifier: BSD-2-Clause */
/* A few TAP helpers for the unit tests: one ok/not ok line per check. */
#ifndef LI_TAP_TEST_H
#define LI_TAP_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3))) static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __VA_ARGS__)

#define is_int(got, want, ...)                                                                   \
	do {                                                                                     \
		long long g_ = (long long)(got), w_ = (long long)(want);                          \
		if (!tap_ok(g_ == w_, __VA_ARGS__))                                              \
			printf("# got %lld, want %lld\n", g_, w_);                                \
	} while (0)

#define is_str(got, want, ...)                                                                   \
	do {                                                                                     \
		const char *g_ = (got), *w_ = (want);                                            \
		if (!tap_ok(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_, __VA_ARGS__))             \
			printf("# got \"%s\", want \"%s\"\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
	} while (0)

static inline int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
