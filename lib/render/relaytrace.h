/* SPDX-License-Identifier: BSD-2-Clause */
/* The relay's trace: ldaptrace's lines with their session, each session's
 * summary and the relay's last line (li_trace_session_* and
 * li_relay_summary_* in ldapinterrupt.h). */
#ifndef LI_RELAYTRACE_H
#define LI_RELAYTRACE_H

#include "ldapinterrupt.h"

#endif
