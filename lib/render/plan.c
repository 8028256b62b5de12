/* SPDX-License-Identifier: BSD-2-Clause */
/* What -n prints: the steps a run would take, from the parameters alone,
 * as text lines or one JSON object (man/output-json.man documents its
 * keys, docs/schema/plan.json its shape). Durations are shown with their
 * unit in the text, and in microseconds (_us keys) in JSON. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "json.h"
#include "names.h"
#include "op.h"
#include "paging.h"
#include "params.h"
#include "words.h"

static const char *tls_word(const li_params *cfg)
{
	static const char *const words[] = { "none", "try", "require" };

	return (unsigned)cfg->starttls < sizeof(words) / sizeof(words[0]) ? words[cfg->starttls] : "none";
}

static void text_bind(const li_params *cfg, li_buf *out)
{
	if (cfg->auth_simple)
		li_buf_addf(out, "simple bind as \"%s\"%s\n", cfg->binddn ? cfg->binddn : "",
			    cfg->passwd ? " with a password" : " (anonymous)");
	else if (cfg->auth_sasl)
		li_buf_addf(out, "SASL bind%s%s\n", cfg->sasl_mech ? " with " : "", cfg->sasl_mech ? cfg->sasl_mech : "");
	else
		li_buf_adds(out, "no bind (anonymous)\n");
}

/* When the interrupt goes: "after 1 entry or 250 ms after the request". */
static void text_when(const li_params *cfg, li_buf *out)
{
	int timer = cfg->after_us >= 0;

	if (cfg->op == LI_OP_NONE) {
		li_buf_adds(out, " at once");
		return;
	}
	if (cfg->after_entries >= 0)
		li_buf_addf(out, " after %lld entr%s", cfg->after_entries, cfg->after_entries == 1 ? "y" : "ies");
	if (timer && cfg->after_entries >= 0)
		li_buf_adds(out, " or");
	if (timer && cfg->after_us == 0) {
		li_buf_adds(out, " right after the request is written");
	} else if (timer) {
		li_buf_addc(out, ' ');
		li_buf_add_duration(out, cfg->after_us);
		li_buf_adds(out, " after the request is written");
	} else if (cfg->after_entries < 0) {
		li_buf_adds(out, " on Ctrl-C");
	}
	if (cfg->interrupt_late)
		li_buf_adds(out, ", or once its result has arrived");
}

/* -o's options and the request controls, one line each when there are any. */
static void text_extras(const li_params *cfg, li_buf *out)
{
	int i;

	for (i = 0; i < cfg->nldapopts; i++)
		li_buf_addf(out, "%s%s=%s", i ? ", " : "ldap.conf options: ", cfg->ldapopts[i].name,
			    cfg->ldapopts[i].value);
	if (cfg->nldapopts)
		li_buf_addc(out, '\n');
	for (i = 0; i < cfg->nctrls; i++) {
		const char *oid = cfg->ctrls[i].oid ? cfg->ctrls[i].oid : cfg->ctrls[i].text;
		const char *name = li_oid_name(oid, strlen(oid));

		li_buf_addf(out, "%s%s%s%s%s%s", i ? ", " : "with controls: ", oid, name ? " (" : "", name ? name : "",
			    name ? ")" : "", cfg->ctrls[i].critical ? " critical" : "");
	}
	if (cfg->nctrls)
		li_buf_addc(out, '\n');
}

static void text_interrupt(const li_params *cfg, li_buf *out)
{
	li_buf_addf(out, "then %s it", li_interrupt_word(cfg->interrupt));
	text_when(cfg, out);
	if (cfg->wait_us == 0 && cfg->interrupt == LI_INTERRUPT_ABANDON) {
		li_buf_adds(out, ", and decide at once (--wait 0)\n");
		return;
	}
	li_buf_adds(out, ", and listen for ");
	li_buf_add_duration(out, cfg->wait_us);
	li_buf_addc(out, '\n');
}

int li_params_describe(const li_params *cfg, li_buf *out)
{
	li_buf_addf(out, "connect to %s\n", cfg->uri ? cfg->uri : "the URI from ldap.conf");
	if (cfg->starttls)
		li_buf_addf(out, "StartTLS%s\n", cfg->starttls > 1 ? " (required)" : "");
	text_bind(cfg, out);
	li_op_describe(cfg, NULL, out);
	if (li_paging_size(cfg))
		li_buf_addf(out, ", in pages of at most %d entries", li_paging_size(cfg));
	li_buf_addc(out, '\n');
	text_extras(cfg, out);
	if (cfg->interrupt != LI_INTERRUPT_NONE)
		text_interrupt(cfg, out);
	if (cfg->timeout_us >= 0) {
		li_buf_adds(out, "all within ");
		li_buf_add_duration(out, cfg->timeout_us);
		li_buf_adds(out, " (--timeout)\n");
	}
	return out->failed ? -1 : 0;
}

static json_object *opt_str(const char *s)
{
	return s ? li_json_str(s) : NULL;
}

static json_object *json_bind(const li_params *cfg)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string(cfg->auth_simple ? "simple"
								 : cfg->auth_sasl ? "sasl" : "none"));
	json_object_object_add(o, "dn", opt_str(cfg->binddn));
	json_object_object_add(o, "password", json_object_new_boolean(cfg->passwd != NULL));
	json_object_object_add(o, "mech", opt_str(cfg->auth_sasl ? cfg->sasl_mech : NULL));
	return o;
}

static json_object *json_interrupt(const li_params *cfg)
{
	json_object *o;

	if (cfg->interrupt == LI_INTERRUPT_NONE)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string(li_interrupt_word(cfg->interrupt)));
	json_object_object_add(o, "target", cfg->op == LI_OP_NONE ? json_object_new_int64(cfg->target_msgid)
					    : NULL);
	json_object_object_add(o, "after_us", cfg->op != LI_OP_NONE && cfg->after_us >= 0
					      ? json_object_new_int64(cfg->after_us) : NULL);
	json_object_object_add(o, "after_entries", cfg->after_entries >= 0
					   ? json_object_new_int64(cfg->after_entries) : NULL);
	json_object_object_add(o, "wait_us", json_object_new_int64(cfg->wait_us));
	return o;
}

static json_object *json_extras_options(const li_params *cfg)
{
	json_object *a = json_object_new_array();
	int i;

	for (i = 0; i < cfg->nldapopts; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name", li_json_str(cfg->ldapopts[i].name));
		json_object_object_add(o, "value", li_json_str(cfg->ldapopts[i].value));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *json_controls(const li_params *cfg)
{
	json_object *a = json_object_new_array();
	int i;

	for (i = 0; i < cfg->nctrls; i++) {
		json_object *o = json_object_new_object();
		const char *oid = cfg->ctrls[i].oid ? cfg->ctrls[i].oid : cfg->ctrls[i].text;

		json_object_object_add(o, "oid", li_json_str(oid));
		json_object_object_add(o, "name", opt_str(li_oid_name(oid, strlen(oid))));
		json_object_object_add(o, "critical", json_object_new_boolean(cfg->ctrls[i].critical));
		json_object_array_add(a, o);
	}
	return a;
}

int li_params_describe_json(const li_params *cfg, li_buf *out)
{
	json_object *o = json_object_new_object(), *op = json_object_new_object();
	li_buf text = { 0 };

	json_object_object_add(o, "format", json_object_new_int(LI_JSON_FORMAT));
	json_object_object_add(o, "tool", li_json_str(cfg->name ? cfg->name : ""));
	json_object_object_add(o, "uri", opt_str(cfg->uri));
	json_object_object_add(o, "starttls", json_object_new_string(tls_word(cfg)));
	json_object_object_add(o, "bind", json_bind(cfg));
	li_op_describe(cfg, NULL, &text);
	json_object_object_add(op, "type", json_object_new_string(li_op_type(cfg)));
	json_object_object_add(op, "text", li_json_str(text.data ? text.data : ""));
	json_object_object_add(op, "page_size", li_paging_size(cfg) ? json_object_new_int(li_paging_size(cfg)) : NULL);
	free(text.data);
	json_object_object_add(o, "operation", op);
	json_object_object_add(o, "ldap_options", json_extras_options(cfg));
	json_object_object_add(o, "controls", json_controls(cfg));
	json_object_object_add(o, "interrupt", json_interrupt(cfg));
	json_object_object_add(o, "timeout_us", cfg->timeout_us >= 0 ? json_object_new_int64(cfg->timeout_us) : NULL);
	return li_json_append(out, o);
}
