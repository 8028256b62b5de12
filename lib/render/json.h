/* SPDX-License-Identifier: BSD-2-Clause */
/* JSON values for the renderers, always valid UTF-8 whatever the wire
 * carried. */
#ifndef LI_JSON_H
#define LI_JSON_H

#include <stddef.h>

#include <json-c/json.h>

#include "ldapinterrupt.h"

/* A JSON string of bytes that may not be UTF-8 (from the wire, mostly):
 * each byte that does not begin a well-formed sequence becomes U+FFFD. */
json_object *li_json_text(const char *s, size_t n);
json_object *li_json_str(const char *s);
/* json_object_object_add with the key made valid UTF-8 the same way. */
void li_json_add_key(json_object *obj, const char *key, json_object *v);
/* A number of milliseconds, printed with three decimals. */
json_object *li_json_ms(double ms);
/* Appends o as one line and releases it. */
int li_json_append(li_buf *out, json_object *o);

#endif
