/* SPDX-License-Identifier: BSD-2-Clause */
/* --each: the matrix after the servers' reports, one row per server, one
 * column per check, built from the JSON object each server's process wrote
 * (the report, the --count summary, the --audit checks or the error), as a
 * text table or one JSON object (docs/schema/matrix.json). */
#ifndef CMD_MATRIX_H
#define CMD_MATRIX_H

#include <stddef.h>
#include <stdio.h>

#include <ldapinterrupt.h>

typedef enum matrix_mode {
	MATRIX_PROBE, /* one run per server: outcome, exit, the interrupt's time */
	MATRIX_COUNT, /* --count: runs, outcome counts, exit, percentiles */
	MATRIX_AUDIT, /* --audit: one column per check id */
} matrix_mode;

typedef struct matrix_row matrix_row;

typedef struct matrix {
	const char *tool;
	matrix_mode mode;
	const char *series; /* the measure shown: cancel_to_result_ms or last_after_ms */
	matrix_row *rows;
	size_t n, cap;
	char **checks;      /* --audit: the check ids, in the order first seen */
	size_t nchecks;
	int stopped;        /* a signal stopped the command: rows of what finished */
} matrix;

void matrix_init(matrix *m, const char *tool, matrix_mode mode, li_interrupt interrupt);
void matrix_free(matrix *m);
/* One server: its URI, its process's exit status (signalled: 128 + N,
 * signal: N) and the JSON object it wrote (len 0: none, as when it was
 * killed). 0, or -1 when out of memory. */
int matrix_add(matrix *m, const char *uri, int exit_status, int signal, const char *json, size_t len);
/* The table (a blank line, a header, the rows, "exit status: N"), or one
 * JSON object on one line. */
void matrix_text(const matrix *m, int exit_status, FILE *out);
void matrix_json(const matrix *m, int exit_status, FILE *out);

#endif
