/* SPDX-License-Identifier: BSD-2-Clause */
/* The outcome report and ldaptrace's summary, from a result value. */
#ifndef LI_REPORT_H
#define LI_REPORT_H

#include <json-c/json.h>

#include "ldapinterrupt.h"

/* The outcome object (man/output-json.man documents every key). */
json_object *li_report_object(const li_result *res, int exit_status);
/* ldaptrace's counts: messages and bytes each way, entries, timings. */
json_object *li_trace_summary_object(const li_result *res);

#endif
