/* SPDX-License-Identifier: BSD-2-Clause */
/* ldaptrace's lines, one per event: li_trace_text and li_trace_json in
 * ldapinterrupt.h. They take the event alone (its time is in it), never
 * the run or its result. */
#ifndef LI_TRACE_H
#define LI_TRACE_H

#include "ldapinterrupt.h"

#endif
