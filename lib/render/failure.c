/* SPDX-License-Identifier: BSD-2-Clause */
/* A run that ended before its outcome, as the one JSON object a script
 * reads instead of the report (man/output-json.man, docs/schema/error.json). */
#include <ldap.h>

#include <json-c/json.h>

#include "json.h"
#include "words.h"

static json_object *opt_text(const char *s)
{
	return s && s[0] ? li_json_str(s) : NULL;
}

static json_object *json_error(const li_error *err)
{
	json_object *o = json_object_new_object();
	const char *stage = li_stage_name(err->stage);
	/* Stopped by a signal: libldap's code for an operation the user
	 * cancelled, so that "code" is a number in every error object. */
	int code = err->signo ? LDAP_USER_CANCELLED : err->code;

	json_object_object_add(o, "stage", json_object_new_string(stage ? stage : "operation"));
	json_object_object_add(o, "what", li_json_str(err->what));
	json_object_object_add(o, "code", json_object_new_int(code));
	json_object_object_add(o, "name", json_object_new_string(li_result_word(code)));
	json_object_object_add(o, "text", li_json_str(err->text));
	json_object_object_add(o, "info", opt_text(err->info));
	json_object_object_add(o, "matched", opt_text(err->matched));
	return o;
}

int li_error_json(const li_result *res, const li_error *err, int exit_status, li_buf *out)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "format", json_object_new_int(LI_JSON_FORMAT));
	json_object_object_add(o, "tool", li_json_str(res && res->name ? res->name : ""));
	json_object_object_add(o, "uri", opt_text(res ? res->uri : NULL));
	json_object_object_add(o, "outcome", json_object_new_string("error"));
	json_object_object_add(o, "error", json_error(err));
	json_object_object_add(o, "exit", json_object_new_int(exit_status));
	return li_json_append(out, o);
}
