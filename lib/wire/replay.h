/* SPDX-License-Identifier: BSD-2-Clause */
/* The replay adapter: feeds a capture of "direction, time, bytes" records
 * to a wire, one li_wire_feed per record, as the reads and writes of the
 * connection delivered them. Declared in ldapinterrupt.h. */
#ifndef LI_REPLAY_H
#define LI_REPLAY_H

#include "ldapinterrupt.h"

#endif
