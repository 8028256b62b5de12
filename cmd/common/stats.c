/* SPDX-License-Identifier: BSD-2-Clause */
#include "stats.h"

#include <stdlib.h>
#include <string.h>

static void add_series(stats *s, const char *key, int integer)
{
	s->series[s->nseries].key = key;
	s->series[s->nseries].integer = integer;
	s->nseries++;
}

void stats_init(stats *s, const char *tool, li_interrupt interrupt, long count)
{
	memset(s, 0, sizeof(*s));
	s->tool = tool;
	s->count = count;
	if (interrupt == LI_INTERRUPT_ABANDON) {
		add_series(s, "last_after_ms", 0);
	} else {
		add_series(s, "cancel_to_result_ms", 0);
		add_series(s, "cancel_answer_ms", 0);
	}
	add_series(s, "entries_after", 1);
}

void stats_free(stats *s)
{
	size_t i;

	for (i = 0; i < s->nseries; i++)
		li_series_free(&s->series[i].s);
	free(s->uri);
	s->uri = NULL;
}

/* From the interrupt written to t_ns, in milliseconds; -1: t_ns did not happen. */
static double after_intr_ms(const li_result *res, int64_t t_ns)
{
	if (!res->intr_sent || t_ns == 0 || t_ns < res->t_intr_ns)
		return -1;
	return (double)(t_ns - res->t_intr_ns) / 1e6;
}

static double measure(const li_result *res, const char *key)
{
	if (strcmp(key, "cancel_to_result_ms") == 0)
		return res->op.seen ? after_intr_ms(res, res->op.t_ns) : -1;
	if (strcmp(key, "cancel_answer_ms") == 0)
		return res->intr.seen ? after_intr_ms(res, res->intr.t_ns) : -1;
	if (strcmp(key, "last_after_ms") == 0)
		return after_intr_ms(res, res->t_last_late_ns);
	return res->intr_sent && res->has_op ? (double)res->entries[1] : -1;
}

int stats_add_run(stats *s, const li_result *res, int exit_status)
{
	size_t i;

	s->runs++;
	if (exit_status > s->exit_status)
		s->exit_status = exit_status;
	if (res == NULL || res->outcome == LI_OUTCOME_UNDECIDED || res->outcome >= STATS_ERROR) {
		s->outcomes[STATS_ERROR]++;
		return 0;
	}
	s->outcomes[res->outcome]++;
	if (res->uri) {
		free(s->uri);
		if ((s->uri = strdup(res->uri)) == NULL)
			return -1;
	}
	for (i = 0; i < s->nseries; i++) {
		double v = measure(res, s->series[i].key);

		if (v >= 0 && li_series_add(&s->series[i].s, v) < 0)
			return -1;
	}
	return 0;
}

void stats_sort(stats *s)
{
	size_t i;

	for (i = 0; i < s->nseries; i++)
		li_series_sort(&s->series[i].s);
}

static const char *outcome_name(size_t o)
{
	return o == STATS_ERROR ? "error" : li_outcome_name((li_outcome)o);
}

static const int pcts[] = { 50, 90, 99, 100 };

static void value(const stats_series *ser, double v, int width, FILE *out)
{
	fprintf(out, ser->integer ? "%*.0f" : "%*.3f", width, v);
}

void stats_text(const stats *s, FILE *out)
{
	size_t i, j;
	const char *sep = "";

	if (s->uri)
		fprintf(out, "%s\n", s->uri);
	fprintf(out, "%ld run%s of %ld%s\noutcomes: ", s->runs, s->runs == 1 ? "" : "s", s->count,
		s->stopped ? " (stopped by a signal)" : "");
	for (i = 0; i < STATS_OUTCOMES; i++) {
		if (s->outcomes[i] == 0)
			continue;
		fprintf(out, "%s%s %ld", sep, outcome_name(i), s->outcomes[i]);
		sep = ", ";
	}
	fprintf(out, "%s\n%-20s %6s %10s %10s %10s %10s\n", *sep ? "" : "none", "", "n", "p50", "p90", "p99",
		"max");
	for (i = 0; i < s->nseries; i++) {
		const stats_series *ser = &s->series[i];

		fprintf(out, "%-20s %6zu", ser->key, ser->s.n);
		for (j = 0; j <= 3; j++) {
			if (ser->s.n == 0)
				fprintf(out, " %10s", "-");
			else
				value(ser, li_series_percentile(&ser->s, pcts[j]), 11, out);
		}
		fputc('\n', out);
	}
	fprintf(out, "exit status: %d\n", s->exit_status);
}

static void json_string(const char *str, FILE *out)
{
	const unsigned char *p;

	fputc('"', out);
	for (p = (const unsigned char *)str; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void json_series(const stats_series *ser, FILE *out)
{
	size_t j;

	fprintf(out, "{\"n\":%zu", ser->s.n);
	for (j = 0; ser->s.n && j <= 3; j++) {
		if (j < 3)
			fprintf(out, ",\"p%d\":", pcts[j]);
		else
			fputs(",\"max\":", out);
		value(ser, li_series_percentile(&ser->s, pcts[j]), 0, out);
	}
	fputc('}', out);
}

void stats_json(const stats *s, FILE *out)
{
	const char *sep = "";
	size_t i;

	fprintf(out, "{\"format\":%d,\"tool\":", LI_JSON_FORMAT);
	json_string(s->tool, out);
	fputs(",\"uri\":", out);
	if (s->uri)
		json_string(s->uri, out);
	else
		fputs("null", out);
	fprintf(out, ",\"count\":%ld,\"runs\":%ld,\"stopped\":%s,\"outcomes\":{", s->count, s->runs,
		s->stopped ? "true" : "false");
	for (i = 0; i < STATS_OUTCOMES; i++) {
		if (s->outcomes[i] == 0)
			continue;
		fprintf(out, "%s\"%s\":%ld", sep, outcome_name(i), s->outcomes[i]);
		sep = ",";
	}
	fputs("},\"stats\":{", out);
	for (i = 0; i < s->nseries; i++) {
		fprintf(out, "%s\"%s\":", i ? "," : "", s->series[i].key);
		json_series(&s->series[i], out);
	}
	fprintf(out, "},\"exit\":%d}\n", s->exit_status);
}
