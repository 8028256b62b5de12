/* SPDX-License-Identifier: BSD-2-Clause */
/* The values one measure took over many runs, and their nearest-rank
 * percentiles: --count's summary and the audit's tally share them. */
#include <stdlib.h>

#include "ldapinterrupt.h"

int li_series_add(li_series *s, double v)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		double *p = realloc(s->v, cap * sizeof(*p));

		if (p == NULL)
			return -1;
		s->v = p;
		s->cap = cap;
	}
	s->v[s->n++] = v;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void li_series_sort(li_series *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(double), cmp_double);
}

double li_series_percentile(const li_series *s, int p)
{
	size_t rank = ((size_t)p * s->n + 99) / 100;

	if (s->n == 0)
		return 0;
	if (rank > s->n)
		rank = s->n;
	return s->v[rank > 0 ? rank - 1 : 0];
}

void li_series_free(li_series *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}
