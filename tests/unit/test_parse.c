/* SPDX-License-Identifier: BSD-2-Clause */
/* Every number from the user goes through lib/util/parse.c: durations, counts, IDs. */
#include "numbers.h"
#include "tapcheck.h"

static void duration(const char *s, int never, int64_t want)
{
	int64_t us = -42;
	const char *why = NULL;
	int rc = li_parse_duration(s, never, &us, &why);

	ok(rc == 0 && us == want, "duration '%s' = %lld us", s, (long long)want);
	if (rc != 0 || us != want)
		printf("# rc %d, us %lld, why %s\n", rc, (long long)us, why ? why : "-");
}

static void bad_duration(const char *s, int never, const char *want_why)
{
	int64_t us = 0;
	const char *why = NULL;

	ok(li_parse_duration(s, never, &us, &why) < 0 && why && strstr(why, want_why),
	   "duration '%s' refused: %s", s, want_why);
	if (why && !strstr(why, want_why))
		printf("# why: %s\n", why);
}

static void integer(const char *s, long long min, long long max, long long want)
{
	long long v = -42;
	const char *why = NULL;

	ok(li_parse_int(s, min, max, &v, &why) == 0 && v == want, "int '%s' in [%lld,%lld] = %lld", s, min, max, want);
}

static void bad_integer(const char *s, long long min, long long max, const char *want_why)
{
	long long v;
	const char *why = NULL;

	ok(li_parse_int(s, min, max, &v, &why) < 0 && why && strstr(why, want_why), "int '%s' refused: %s", s,
	   want_why);
	if (why && !strstr(why, want_why))
		printf("# why: %s\n", why);
}

int main(void)
{
	duration("0", 0, 0);
	duration("0.0", 0, 0);
	duration("500us", 0, 500);
	duration("250ms", 0, 250000);
	duration("2s", 0, 2000000);
	duration("1.5s", 0, 1500000);
	duration("0.25ms", 0, 250);
	duration("1m", 0, 60000000);
	duration("1h", 0, 3600000000LL);
	duration("168h", 0, LI_DURATION_MAX_US);
	duration("never", 1, LI_NEVER);
	bad_duration("never", 0, "not a duration");
	bad_duration("", 0, "empty");
	bad_duration("-1s", 0, "negative");
	bad_duration("5", 0, "needs a unit");
	bad_duration("2x", 0, "unknown unit");
	bad_duration("2 s", 0, "unknown unit");
	bad_duration("s", 0, "not a duration");
	bad_duration("1.s", 0, "not a duration");
	bad_duration("169h", 0, "too long");
	bad_duration("99999999999999999999s", 0, "too long");

	integer("0", 0, LI_MSGID_MAX, 0);
	integer("2147483647", 0, LI_MSGID_MAX, 2147483647);
	integer("-1", -1, 10, -1);
	integer("-9223372036854775808", -9223372036854775807LL - 1, 0, -9223372036854775807LL - 1);
	integer("9223372036854775807", 0, 9223372036854775807LL, 9223372036854775807LL);
	bad_integer("2147483648", 0, LI_MSGID_MAX, "out of range");
	bad_integer("-1", 0, LI_MSGID_MAX, "negative");
	bad_integer("", 0, 10, "empty");
	bad_integer("abc", 0, 10, "not a number");
	bad_integer("12abc", 0, 10, "not a number");
	bad_integer(" 1", 0, 10, "not a number");
	bad_integer("0x10", 0, 100, "not a number");
	bad_integer("99999999999999999999", 0, 9223372036854775807LL, "out of range");
	bad_integer("-2", -1, 10, "out of range");
	return done_testing();
}
