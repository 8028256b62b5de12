/* SPDX-License-Identifier: BSD-2-Clause */
/* --count's summary (cmd/common/stats.c): nearest-rank percentiles on
 * vectors, the measures taken from results, the JSON object. */
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "tapcheck.h"

/* The nearest-rank percentile of sorted values, through the library's series. */
static double pct(const double *v, size_t n, int p)
{
	li_series s = { 0 };
	double r;
	size_t i;

	for (i = 0; i < n; i++)
		li_series_add(&s, v[n - 1 - i]); /* backwards: the series sorts them */
	li_series_sort(&s);
	r = li_series_percentile(&s, p);
	li_series_free(&s);
	return r;
}

static void percentiles(void)
{
	static const double one[] = { 7 };
	static const double ten[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	double hundred[100], twenty[20];
	int i;

	for (i = 0; i < 100; i++)
		hundred[i] = i + 1;
	for (i = 0; i < 20; i++)
		twenty[i] = (i + 1) * 10;
	is_int(pct(one, 1, 50), 7, "one value: p50 is it");
	is_int(pct(one, 1, 99), 7, "one value: p99 is it");
	is_int(pct(ten, 10, 50), 5, "1..10: p50 is the 5th");
	is_int(pct(ten, 10, 90), 9, "1..10: p90 is the 9th");
	is_int(pct(ten, 10, 99), 10, "1..10: p99 is the 10th (ceil(9.9))");
	is_int(pct(ten, 10, 100), 10, "1..10: p100 is the maximum");
	is_int(pct(hundred, 100, 50), 50, "1..100: p50 is 50");
	is_int(pct(hundred, 100, 90), 90, "1..100: p90 is 90");
	is_int(pct(hundred, 100, 99), 99, "1..100: p99 is 99");
	is_int(pct(twenty, 20, 50), 100, "20 values: p50 is the 10th");
	is_int(pct(twenty, 20, 90), 180, "20 values: p90 is the 18th");
	is_int(pct(twenty, 20, 99), 200, "20 values: p99 is the 20th");
	is_int(pct(ten, 0, 50), 0, "no value: 0");
}

/* A canceled search: Cancel at 1 ms, result at 1.5 ms, answer at 2.25 ms. */
static li_result canceled(int64_t result_ns, uint64_t late)
{
	li_result r;

	memset(&r, 0, sizeof(r));
	r.outcome = LI_OUTCOME_CANCELED;
	r.uri = "ldap://127.0.0.1:389";
	r.has_op = 1;
	r.intr_sent = 1;
	r.t_intr_ns = 1000000;
	r.op.seen = 1;
	r.op.t_ns = result_ns;
	r.intr.seen = 1;
	r.intr.t_ns = 2250000;
	r.entries[1] = late;
	return r;
}

static char *json_of(stats *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	stats_sort(s);
	stats_json(s, f);
	fclose(f);
	return text;
}

static void summary(void)
{
	stats s;
	li_result r;
	char *text;

	stats_init(&s, "ldapcancel", LI_INTERRUPT_CANCEL, 4);
	r = canceled(1500000, 3);
	stats_add_run(&s, &r, 0);
	r = canceled(4000000, 1);
	r.outcome = LI_OUTCOME_TOO_LATE;
	stats_add_run(&s, &r, 120);
	stats_add_run(&s, NULL, 81);
	text = json_of(&s);
	is_str(text, "{\"format\":1,\"tool\":\"ldapcancel\",\"uri\":\"ldap://127.0.0.1:389\",\"count\":4,\"runs\":3,"
	       "\"stopped\":false,\"outcomes\":{\"canceled\":1,\"too-late\":1,\"error\":1},\"stats\":{"
	       "\"cancel_to_result_ms\":{\"n\":2,\"p50\":0.500,\"p90\":3.000,\"p99\":3.000,\"max\":3.000},"
	       "\"cancel_answer_ms\":{\"n\":2,\"p50\":1.250,\"p90\":1.250,\"p99\":1.250,\"max\":1.250},"
	       "\"entries_after\":{\"n\":2,\"p50\":1,\"p90\":3,\"p99\":3,\"max\":3}},\"exit\":120}\n",
	       "two runs and an error: the JSON summary, exit the highest");
	free(text);
	stats_free(&s);

	stats_init(&s, "ldapabandon", LI_INTERRUPT_ABANDON, 1);
	r = canceled(0, 2);
	r.op.seen = 0;
	r.outcome = LI_OUTCOME_ABANDONED;
	r.uri = "ldap://h\"x";
	stats_add_run(&s, &r, 0);
	text = json_of(&s);
	is_str(text, "{\"format\":1,\"tool\":\"ldapabandon\",\"uri\":\"ldap://h\\\"x\",\"count\":1,\"runs\":1,"
	       "\"stopped\":false,\"outcomes\":{\"abandoned\":1},\"stats\":{\"last_after_ms\":{\"n\":0},"
	       "\"entries_after\":{\"n\":1,\"p50\":2,\"p90\":2,\"p99\":2,\"max\":2}},\"exit\":0}\n",
	       "abandon: its measures; no late message: n 0; the URI escaped");
	free(text);
	stats_free(&s);
}

int main(void)
{
	percentiles();
	summary();
	return done_testing();
}
