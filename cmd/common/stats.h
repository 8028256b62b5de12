/* SPDX-License-Identifier: BSD-2-Clause */
/* --count: what N runs found, added up run by run; the outcome counts and
 * the percentiles of each measure, as one text block or one JSON object. */
#ifndef CMD_STATS_H
#define CMD_STATS_H

#include <stddef.h>
#include <stdio.h>

#include <ldapinterrupt.h>

/* The outcomes, and one more slot for a run that failed before its outcome. */
#define STATS_OUTCOMES (LI_OUTCOME_FAILED + 2)
#define STATS_ERROR (LI_OUTCOME_FAILED + 1)
#define STATS_SERIES 3

/* One measure's values, one per run that had it. */
typedef struct stats_series {
	const char *key; /* the JSON key and the table's row */
	int integer;     /* a count, printed without decimals; else milliseconds */
	li_series s;
} stats_series;

typedef struct stats {
	const char *tool;
	char *uri;            /* the server of the last run that connected */
	long count;           /* --count */
	long runs;            /* the runs done */
	int stopped;          /* a signal stopped the runs before count */
	int exit_status;      /* the highest of the runs' */
	long outcomes[STATS_OUTCOMES];
	stats_series series[STATS_SERIES];
	size_t nseries;
} stats;

/* The measures of the interrupt: cancel_to_result_ms, cancel_answer_ms and
 * entries_after for a cancel; last_after_ms and entries_after for an abandon. */
void stats_init(stats *s, const char *tool, li_interrupt interrupt, long count);
void stats_free(stats *s);
/* One run: its result (NULL: it failed before its outcome) and exit
 * status. -1 when out of memory. */
int stats_add_run(stats *s, const li_result *res, int exit_status);
/* Sort every measure's values (before rendering). */
void stats_sort(stats *s);
/* The summary block, or one JSON object on one line; both end with a newline. */
void stats_text(const stats *s, FILE *out);
void stats_json(const stats *s, FILE *out);

#endif
