/* SPDX-License-Identifier: BSD-2-Clause */
/* ldaptrace's lines, one per event: li_trace_text and li_trace_json in
 * ldapinterrupt.h. They take the event alone (its time is in it), never
 * the run or its result. */
#ifndef LI_TRACE_H
#define LI_TRACE_H

#include <json-c/json.h>

#include "ldapinterrupt.h"

/* li_trace_json's object, before it is written: the relay's lines add
 * their session to it. */
json_object *li_trace_json_object(const li_event *ev, unsigned flags);

#endif
