/* SPDX-License-Identifier: BSD-2-Clause */
/* --audit --count N: each check's verdicts and timing evidence added up
 * over N checklists, matched by the check's id, so that the tally holds
 * whatever checks a checklist has. */
#include <stdio.h>
#include <string.h>

#include "check.h"

static li_check_tally *check_of(li_audit_tally *t, const li_check *c)
{
	li_check_tally *ct;
	int i;

	for (i = 0; i < t->nchecks; i++)
		if (strcmp(t->checks[i].id, c->id) == 0)
			return &t->checks[i];
	if (t->nchecks == LI_AUDIT_MAX_CHECKS)
		return NULL;
	ct = &t->checks[t->nchecks++];
	memset(ct, 0, sizeof(*ct));
	ct->id = c->id;
	ct->what = c->what;
	ct->rfc = c->rfc;
	return ct;
}

static int is_time(const li_evidence *e)
{
	size_t n = strlen(e->key);

	return !e->is_text && n > 3 && strcmp(e->key + n - 3, "_us") == 0;
}

static li_series *times_of(li_check_tally *ct, const char *key)
{
	int i;

	for (i = 0; i < ct->ntimes; i++)
		if (strcmp(ct->times[i].key, key) == 0)
			return &ct->times[i].values;
	if (ct->ntimes == LI_CHECK_MAX_EVIDENCE)
		return NULL;
	ct->times[ct->ntimes].key = key;
	return &ct->times[ct->ntimes++].values;
}

int li_audit_tally_add(li_audit_tally *t, const li_audit *a)
{
	int i, j;

	snprintf(t->name, sizeof(t->name), "%s", a->name);
	snprintf(t->uri, sizeof(t->uri), "%s", a->uri);
	for (i = 0; i < a->nchecks; i++) {
		const li_check *c = &a->checks[i];
		li_check_tally *ct = check_of(t, c);

		if (ct == NULL)
			continue;
		ct->count[c->verdict]++;
		for (j = 0; j < c->nevidence; j++) {
			li_series *s = is_time(&c->evidence[j]) ? times_of(ct, c->evidence[j].key) : NULL;

			if (s && li_series_add(s, (double)c->evidence[j].n) < 0)
				return -1;
		}
	}
	return 0;
}

void li_audit_tally_sort(li_audit_tally *t)
{
	int i, j;

	for (i = 0; i < t->nchecks; i++)
		for (j = 0; j < t->checks[i].ntimes; j++)
			li_series_sort(&t->checks[i].times[j].values);
}

void li_audit_tally_free(li_audit_tally *t)
{
	int i, j;

	for (i = 0; i < t->nchecks; i++)
		for (j = 0; j < t->checks[i].ntimes; j++)
			li_series_free(&t->checks[i].times[j].values);
	t->nchecks = 0;
}
