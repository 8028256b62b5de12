/* SPDX-License-Identifier: BSD-2-Clause */
/* --audit --count N: per check, how many runs ended with each verdict and
 * the percentiles of its times, as one block for people or one JSON
 * object (docs/schema/audit-stats.json) for scripts. */
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "json.h"

static const int pcts[] = { 50, 90, 99, 100 };
static const char *const pct_keys[] = { "p50", "p90", "p99", "max" };

static void text_verdicts(const li_check_tally *ct, li_buf *out)
{
	const char *sep = "";
	int v;

	for (v = 0; v < LI_VERDICT_COUNT; v++) {
		if (ct->count[v] == 0)
			continue;
		li_buf_addf(out, "%s%s %ld", sep, li_verdict_name((li_verdict)v), ct->count[v]);
		sep = ", ";
	}
}

int li_audit_tally_text(const li_audit_tally *t, int exit_status, li_buf *out)
{
	int i, j, k, width = 0;

	for (i = 0; i < t->nchecks; i++)
		if ((int)strlen(t->checks[i].id) > width)
			width = (int)strlen(t->checks[i].id);
	li_buf_addf(out, "%s\n  audit: %ld run%s of %ld%s", t->uri[0] ? t->uri : "(no server reached)", t->runs,
		    t->runs == 1 ? "" : "s", t->count, t->stopped ? " (stopped by a signal)" : "");
	if (t->errors)
		li_buf_addf(out, ", %ld failed before the checks", t->errors);
	li_buf_adds(out, "\n");
	for (i = 0; i < t->nchecks; i++) {
		const li_check_tally *ct = &t->checks[i];

		li_buf_addf(out, "  %-*s  ", width, ct->id);
		text_verdicts(ct, out);
		li_buf_addf(out, "  (%s)\n", ct->rfc);
		for (j = 0; j < ct->ntimes; j++) {
			const li_series *s = &ct->times[j].values;

			li_buf_addf(out, "      %-24s n %zu", ct->times[j].key, s->n);
			for (k = 0; k < 4; k++)
				li_buf_addf(out, "  %s %.0f", pct_keys[k], li_series_percentile(s, pcts[k]));
			li_buf_adds(out, "\n");
		}
	}
	li_buf_addf(out, "  exit status: %d\n", exit_status);
	return 0;
}

static json_object *json_series(const li_series *s)
{
	json_object *o = json_object_new_object();
	int k;

	json_object_object_add(o, "n", json_object_new_int64((int64_t)s->n));
	for (k = 0; s->n && k < 4; k++)
		json_object_object_add(o, pct_keys[k], json_object_new_int64((int64_t)li_series_percentile(s, pcts[k])));
	return o;
}

static json_object *json_check(const li_check_tally *ct)
{
	json_object *o = json_object_new_object(), *res = json_object_new_object(), *times = json_object_new_object();
	int i;

	json_object_object_add(o, "id", li_json_str(ct->id));
	json_object_object_add(o, "check", li_json_str(ct->what));
	json_object_object_add(o, "rfc", li_json_str(ct->rfc));
	for (i = 0; i < LI_VERDICT_COUNT; i++)
		if (ct->count[i])
			json_object_object_add(res, li_verdict_name((li_verdict)i), json_object_new_int64(ct->count[i]));
	json_object_object_add(o, "results", res);
	for (i = 0; i < ct->ntimes; i++)
		li_json_add_key(times, ct->times[i].key, json_series(&ct->times[i].values));
	json_object_object_add(o, "times", times);
	return o;
}

int li_audit_tally_json(const li_audit_tally *t, int exit_status, li_buf *out)
{
	json_object *o = json_object_new_object(), *checks = json_object_new_array();
	int i;

	json_object_object_add(o, "format", json_object_new_int(LI_JSON_FORMAT));
	json_object_object_add(o, "tool", li_json_str(t->name));
	json_object_object_add(o, "uri", t->uri[0] ? li_json_str(t->uri) : NULL);
	json_object_object_add(o, "count", json_object_new_int64(t->count));
	json_object_object_add(o, "runs", json_object_new_int64(t->runs));
	json_object_object_add(o, "errors", json_object_new_int64(t->errors));
	json_object_object_add(o, "stopped", json_object_new_boolean(t->stopped));
	for (i = 0; i < t->nchecks; i++)
		json_object_array_add(checks, json_check(&t->checks[i]));
	json_object_object_add(o, "checks", checks);
	json_object_object_add(o, "exit", json_object_new_int(exit_status));
	return li_json_append(out, o);
}
