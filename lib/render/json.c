/* SPDX-License-Identifier: BSD-2-Clause */
/* JSON strings that stay valid whatever bytes they are given. */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* json-c writes a string's bytes as they are: bytes from the wire (or the
 * command line) that are not UTF-8 would make the line invalid JSON. Every
 * such string goes through here. */
json_object *li_json_text(const char *s, size_t n)
{
	li_buf b = { 0 };
	json_object *o;

	if (li_utf8_valid(s, n))
		return json_object_new_string_len(s, (int)n);
	li_buf_add_utf8(&b, s, n);
	o = json_object_new_string_len(li_buf_data(&b), (int)b.len);
	free(b.data);
	return o;
}

json_object *li_json_str(const char *s)
{
	return li_json_text(s, strlen(s));
}

void li_json_add_key(json_object *obj, const char *key, json_object *v)
{
	li_buf b = { 0 };

	if (li_utf8_valid(key, strlen(key))) {
		json_object_object_add(obj, key, v);
		return;
	}
	li_buf_add_utf8(&b, key, strlen(key));
	json_object_object_add(obj, li_buf_data(&b), v);
	free(b.data);
}

json_object *li_json_ms(double ms)
{
	char text[64];

	/* Three decimals, printed as such: json-c would print 17 digits. */
	snprintf(text, sizeof(text), "%.3f", ms);
	return json_object_new_double_s(ms, text);
}

int li_json_append(li_buf *out, json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	li_buf_adds(out, s);
	li_buf_addc(out, '\n');
	json_object_put(o);
	return out->failed ? -1 : 0;
}
