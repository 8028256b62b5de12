/* SPDX-License-Identifier: BSD-2-Clause */
#include "matrix.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

struct matrix_row {
	char *uri;
	int exit;
	int signal;       /* the process was killed by it (no object then) */
	json_object *obj; /* what the process wrote; NULL: nothing (or not JSON) */
};

void matrix_init(matrix *m, const char *tool, matrix_mode mode, li_interrupt interrupt)
{
	memset(m, 0, sizeof(*m));
	m->tool = tool;
	m->mode = mode;
	m->series = interrupt == LI_INTERRUPT_ABANDON ? "last_after_ms" : "cancel_to_result_ms";
}

void matrix_free(matrix *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->rows[i].uri);
		json_object_put(m->rows[i].obj);
	}
	for (i = 0; i < m->nchecks; i++)
		free(m->checks[i]);
	free(m->rows);
	free(m->checks);
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v = get(o, key);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* --audit: the row's check ids join the columns, in the order first seen. */
static int add_checks(matrix *m, json_object *obj)
{
	json_object *checks = get(obj, "checks");
	size_t i, j, n = json_object_is_type(checks, json_type_array) ? json_object_array_length(checks) : 0;

	for (i = 0; i < n; i++) {
		const char *id = get_str(json_object_array_get_idx(checks, i), "id");
		char **p;

		for (j = 0; id && j < m->nchecks && strcmp(m->checks[j], id) != 0; j++)
			;
		if (id == NULL || j < m->nchecks)
			continue;
		p = realloc(m->checks, (m->nchecks + 1) * sizeof(*p));
		if (p == NULL)
			return -1;
		m->checks = p;
		if ((m->checks[m->nchecks] = strdup(id)) == NULL)
			return -1;
		m->nchecks++;
	}
	return 0;
}

int matrix_add(matrix *m, const char *uri, int exit_status, int signal, const char *json, size_t len)
{
	matrix_row *r;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;

		r = realloc(m->rows, cap * sizeof(*r));
		if (r == NULL)
			return -1;
		m->rows = r;
		m->cap = cap;
	}
	r = &m->rows[m->n];
	memset(r, 0, sizeof(*r));
	r->exit = exit_status;
	r->signal = signal;
	if ((r->uri = strdup(uri)) == NULL)
		return -1;
	m->n++;
	if (len > 0) {
		r->obj = json_tokener_parse(json);
		if (!json_object_is_type(r->obj, json_type_object)) {
			json_object_put(r->obj);
			r->obj = NULL;
		}
	}
	return m->mode == MATRIX_AUDIT ? add_checks(m, r->obj) : 0;
}

/* ---- a row's facts ---- */

static int is_error(const matrix_row *r)
{
	return json_object_is_type(get(r->obj, "error"), json_type_object);
}

/* The error as its stderr line says it, without the tool's name. */
static char *error_line(const matrix_row *r)
{
	json_object *e = get(r->obj, "error");
	char *s = NULL;

	if (!is_error(r))
		return NULL;
	if (asprintf(&s, "%s: %s (%d)", get_str(e, "what") ? get_str(e, "what") : "error",
		     get_str(e, "text") ? get_str(e, "text") : "", json_object_get_int(get(e, "code"))) < 0)
		return NULL;
	return s;
}

static const char *outcome(const matrix_row *r)
{
	const char *o = get_str(r->obj, "outcome");

	if (o)
		return o;
	return r->signal ? "stopped" : "error";
}

static int number(json_object *v, double *out)
{
	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
		return -1;
	*out = json_object_get_double(v);
	return 0;
}

/* One run: from the interrupt written to the operation's result (cancel)
 * or to the last message after it (abandon), in milliseconds; -1: none. */
static double probe_ms(const matrix *m, const matrix_row *r)
{
	json_object *at = strcmp(m->series, "last_after_ms") == 0 ? get(r->obj, "last_after_ms")
				  : get(get(r->obj, "op_result"), "at_ms");
	double t, sent;

	if (number(at, &t) < 0 || number(get(get(r->obj, "interrupt"), "sent_ms"), &sent) < 0 || t < sent)
		return -1;
	return t - sent;
}

static json_object *series(const matrix *m, const matrix_row *r)
{
	return get(get(r->obj, "stats"), m->series);
}

/* The check's entry in the row's "checks": its result, or under --count
 * its "results" (runs per verdict); NULL when it did not run. */
static json_object *verdict(const matrix_row *r, const char *id)
{
	json_object *checks = get(r->obj, "checks");
	size_t i, n = json_object_is_type(checks, json_type_array) ? json_object_array_length(checks) : 0;

	for (i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(checks, i);
		const char *cid = get_str(c, "id");

		if (cid && strcmp(cid, id) == 0)
			return get(c, "result") ? get(c, "result") : get(c, "results");
	}
	return NULL;
}

/* ---- text ---- */

static const char *const pct_keys[] = { "p50", "p90", "p99", "max" };

typedef struct table {
	size_t ncols, nrows; /* nrows counts the header */
	char **cell;         /* nrows * ncols, NULL: empty */
} table;

static char *dupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *dupf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static char *ms_cell(double v)
{
	return v < 0 ? strdup("-") : dupf("%.3f", v);
}

/* An object of counts as "k1 n1, k2 n2" (between: " " and ", ") or
 * "k1:n1,k2:n2"; empty when it is not an object or has no key. */
static char *counts(json_object *o, const char *between, const char *sep, const char *empty)
{
	char *s = NULL, *t;

	if (!json_object_is_type(o, json_type_object))
		return strdup(empty);
	json_object_object_foreach(o, k, v)
	{
		t = dupf("%s%s%s%s%d", s ? s : "", s ? sep : "", k, between, json_object_get_int(v));
		free(s);
		if ((s = t) == NULL)
			return NULL;
	}
	return s ? s : strdup(empty);
}

/* A check's result ("pass"), or its results over --count runs
 * ("pass:19,fail:1"); "-" when it did not run. */
static char *verdict_cell(json_object *v)
{
	if (json_object_is_type(v, json_type_string))
		return strdup(json_object_get_string(v));
	return counts(v, ":", ",", "-");
}

/* The row's cells after the URI and before exit and error. */
static void row_cells(const matrix *m, const matrix_row *r, char **c)
{
	json_object *ser = series(m, r);
	size_t i;
	double v;

	switch (m->mode) {
	case MATRIX_PROBE:
		c[0] = strdup(outcome(r));
		c[1] = ms_cell(probe_ms(m, r));
		break;
	case MATRIX_COUNT:
		c[0] = dupf("%d", json_object_get_int(get(r->obj, "runs")));
		c[1] = counts(get(r->obj, "outcomes"), " ", ", ", r->obj ? "none" : "-");
		for (i = 0; i < 4; i++)
			c[2 + i] = ms_cell(number(get(ser, pct_keys[i]), &v) == 0 ? v : -1);
		break;
	case MATRIX_AUDIT:
		for (i = 0; i < m->nchecks; i++)
			c[i] = verdict_cell(verdict(r, m->checks[i]));
		break;
	}
}

static size_t middle_columns(const matrix *m)
{
	return m->mode == MATRIX_PROBE ? 2 : m->mode == MATRIX_COUNT ? 6 : m->nchecks;
}

static void header(const matrix *m, char **c)
{
	size_t i;

	switch (m->mode) {
	case MATRIX_PROBE:
		c[0] = strdup("outcome");
		c[1] = strdup(m->series);
		break;
	case MATRIX_COUNT:
		c[0] = strdup("runs");
		c[1] = strdup("outcomes");
		for (i = 0; i < 4; i++)
			c[2 + i] = dupf("%s_ms", pct_keys[i]);
		break;
	case MATRIX_AUDIT:
		for (i = 0; i < m->nchecks; i++)
			c[i] = strdup(m->checks[i]);
		break;
	}
}

static int fill(const matrix *m, table *t)
{
	size_t mid = middle_columns(m), i;

	t->ncols = mid + 3;
	t->nrows = m->n + 1;
	t->cell = calloc(t->nrows * t->ncols, sizeof(char *));
	if (t->cell == NULL)
		return -1;
	t->cell[0] = strdup("server");
	header(m, t->cell + 1);
	t->cell[mid + 1] = strdup("exit");
	t->cell[mid + 2] = strdup("error");
	for (i = 0; i < m->n; i++) {
		char **c = t->cell + (i + 1) * t->ncols;

		c[0] = strdup(m->rows[i].uri);
		row_cells(m, &m->rows[i], c + 1);
		c[mid + 1] = dupf("%d", m->rows[i].exit);
		c[mid + 2] = error_line(&m->rows[i]);
	}
	return 0;
}

static void print_table(const table *t, FILE *out)
{
	size_t *widths = calloc(t->ncols, sizeof(*widths)), r, c;

	if (widths == NULL)
		return;
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++)
			if (t->cell[r * t->ncols + c] && strlen(t->cell[r * t->ncols + c]) > widths[c])
				widths[c] = strlen(t->cell[r * t->ncols + c]);
	for (r = 0; r < t->nrows; r++) {
		/* The error column only where a row has an error. */
		size_t last = t->ncols - (r > 0 && t->cell[r * t->ncols + t->ncols - 1] ? 0 : 1);

		for (c = 0; c < last; c++) {
			const char *s = t->cell[r * t->ncols + c] ? t->cell[r * t->ncols + c] : "";

			if (c + 1 < last)
				fprintf(out, "%-*s  ", (int)widths[c], s);
			else
				fputs(s, out);
		}
		fputc('\n', out);
	}
	free(widths);
}

void matrix_text(const matrix *m, int exit_status, FILE *out)
{
	table t;
	size_t i;

	fprintf(out, "\n%zu server%s%s%s\n", m->n, m->n == 1 ? "" : "s",
		m->mode == MATRIX_COUNT ? "; percentiles of " : "", m->mode == MATRIX_COUNT ? m->series : "");
	if (fill(m, &t) == 0) {
		print_table(&t, out);
		for (i = 0; i < t.nrows * t.ncols; i++)
			free(t.cell[i]);
		free(t.cell);
	}
	fprintf(out, "exit status: %d%s\n", exit_status, m->stopped ? " (stopped by a signal)" : "");
}

/* ---- JSON ---- */

static json_object *ms_json(double v)
{
	char s[64];

	if (v < 0)
		return NULL;
	snprintf(s, sizeof(s), "%.3f", v);
	return json_object_new_double_s(v, s);
}

static json_object *checks_json(const matrix *m, const matrix_row *r)
{
	json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; i < m->nchecks; i++)
		if (verdict(r, m->checks[i]))
			json_object_object_add(o, m->checks[i], json_object_get(verdict(r, m->checks[i])));
	return o;
}

/* A reference to the child's value, or the default. */
static json_object *kept(json_object *v, json_type type, json_object *dflt)
{
	if (!json_object_is_type(v, type))
		return dflt;
	json_object_put(dflt);
	return json_object_get(v);
}

static json_object *row_json(const matrix *m, const matrix_row *r)
{
	json_object *o = json_object_new_object();
	char *err = error_line(r);

	json_object_object_add(o, "uri", json_object_new_string(r->uri));
	switch (m->mode) {
	case MATRIX_PROBE:
		json_object_object_add(o, "outcome", json_object_new_string(outcome(r)));
		json_object_object_add(o, m->series, ms_json(probe_ms(m, r)));
		break;
	case MATRIX_COUNT:
		json_object_object_add(o, "runs", json_object_new_int(json_object_get_int(get(r->obj, "runs"))));
		json_object_object_add(o, "outcomes", kept(get(r->obj, "outcomes"), json_type_object,
							   json_object_new_object()));
		json_object_object_add(o, m->series, kept(series(m, r), json_type_object, NULL));
		break;
	case MATRIX_AUDIT:
		json_object_object_add(o, "checks", checks_json(m, r));
		break;
	}
	json_object_object_add(o, "exit", json_object_new_int(r->exit));
	json_object_object_add(o, "error", err ? json_object_new_string(err) : NULL);
	free(err);
	return o;
}

static const char *mode_name(matrix_mode mode)
{
	return mode == MATRIX_AUDIT ? "audit" : mode == MATRIX_COUNT ? "count" : "probe";
}

void matrix_json(const matrix *m, int exit_status, FILE *out)
{
	json_object *o = json_object_new_object(), *rows = json_object_new_array();
	size_t i;

	for (i = 0; i < m->n; i++)
		json_object_array_add(rows, row_json(m, &m->rows[i]));
	json_object_object_add(o, "format", json_object_new_int(LI_JSON_FORMAT));
	json_object_object_add(o, "tool", json_object_new_string(m->tool));
	json_object_object_add(o, "mode", json_object_new_string(mode_name(m->mode)));
	json_object_object_add(o, "matrix", rows);
	json_object_object_add(o, "stopped", json_object_new_boolean(m->stopped));
	json_object_object_add(o, "exit", json_object_new_int(exit_status));
	fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}
