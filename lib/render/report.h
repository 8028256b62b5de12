/* Shared by the outcome report and the trace renderers. */
#ifndef LI_REPORT_H
#define LI_REPORT_H

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
/* The outcome object of DESIGN.md §3. */
json_object *li_report_object(const li_run *run, int exit_status);
/* ldaptrace's counts: messages and bytes each way, entries, timings. */
json_object *li_trace_summary_object(const li_run *run);
/* Appends o as one line and releases it. */
int li_json_append(li_buf *out, json_object *o);

#endif
