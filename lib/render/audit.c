/* SPDX-License-Identifier: BSD-2-Clause */
/* ldapcancel --audit's and ldapabandon --audit's verdicts: one row per
 * check for people, or one JSON object (docs/schema/audit.json) for
 * scripts. */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "json.h"

static void text_evidence(const li_check *c, li_buf *out)
{
	int i;

	for (i = 0; i < c->nevidence; i++) {
		const li_evidence *e = &c->evidence[i];

		li_buf_adds(out, i ? " " : "\n      ");
		if (e->is_text)
			li_buf_addf(out, "%s=\"%s\"", e->key, e->text);
		else
			li_buf_addf(out, "%s=%lld", e->key, e->n);
	}
}

int li_audit_text(const li_audit *a, li_buf *out)
{
	int i, width = 0;

	/* The ids in a column as wide as the longest. */
	for (i = 0; i < a->nchecks; i++)
		if ((int)strlen(a->checks[i].id) > width)
			width = (int)strlen(a->checks[i].id);
	li_buf_addf(out, "%s\n  %s audit, %d checks\n", a->uri,
		    a->interrupt == LI_INTERRUPT_ABANDON ? "Abandon (RFC 4511 section 4.11)" : "Cancel (RFC 3909)", a->nchecks);
	for (i = 0; i < a->nchecks; i++) {
		const li_check *c = &a->checks[i];

		li_buf_addf(out, "  %-4s  %-*s  %s (%s)", li_verdict_name(c->verdict), width, c->id, c->what, c->rfc);
		if (c->reason[0])
			li_buf_addf(out, "\n      %s", c->reason);
		text_evidence(c, out);
		li_buf_adds(out, "\n");
	}
	li_buf_addf(out, "  summary: %d pass, %d fail, %d warn, %d skip, %d info%s%s\n", a->count[LI_VERDICT_PASS],
		    a->count[LI_VERDICT_FAIL], a->count[LI_VERDICT_WARN], a->count[LI_VERDICT_SKIP],
		    a->count[LI_VERDICT_INFO], a->unsupported ? "; the server does not implement Cancel" : "",
		    a->stopped ? "; stopped before the last check was over" : "");
	return 0;
}

static json_object *json_check(const li_check *c)
{
	json_object *o = json_object_new_object(), *ev = json_object_new_object();
	int i;

	json_object_object_add(o, "id", li_json_str(c->id));
	json_object_object_add(o, "check", li_json_str(c->what));
	json_object_object_add(o, "rfc", li_json_str(c->rfc));
	json_object_object_add(o, "result", li_json_str(li_verdict_name(c->verdict)));
	if (c->reason[0])
		json_object_object_add(o, "reason", li_json_str(c->reason));
	for (i = 0; i < c->nevidence; i++) {
		const li_evidence *e = &c->evidence[i];

		li_json_add_key(ev, e->key, e->is_text ? li_json_str(e->text) : json_object_new_int64(e->n));
	}
	json_object_object_add(o, "evidence", ev);
	return o;
}

int li_audit_json(const li_audit *a, int exit_status, li_buf *out)
{
	json_object *o = json_object_new_object(), *checks = json_object_new_array(), *sum = json_object_new_object();
	int i;

	json_object_object_add(o, "format", json_object_new_int(LI_JSON_FORMAT));
	json_object_object_add(o, "tool", li_json_str(a->name));
	json_object_object_add(o, "uri", li_json_str(a->uri));
	json_object_object_add(o, "audit", li_json_str(a->interrupt == LI_INTERRUPT_ABANDON ? "abandon" : "cancel"));
	for (i = 0; i < a->nchecks; i++)
		json_object_array_add(checks, json_check(&a->checks[i]));
	json_object_object_add(o, "checks", checks);
	for (i = 0; i < LI_VERDICT_COUNT; i++)
		json_object_object_add(sum, li_verdict_name((li_verdict)i), json_object_new_int(a->count[i]));
	json_object_object_add(o, "summary", sum);
	json_object_object_add(o, "unsupported", json_object_new_boolean(a->unsupported));
	json_object_object_add(o, "stopped", json_object_new_boolean(a->stopped != 0));
	json_object_object_add(o, "exit", json_object_new_int(exit_status));
	return li_json_append(out, o);
}
