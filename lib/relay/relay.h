/* SPDX-License-Identifier: BSD-2-Clause */
/* The relay: the listening socket, the sessions' threads, the stop. Its
 * API is public (ldapinterrupt.h, li_relay_*). */
#ifndef LI_RELAY_H
#define LI_RELAY_H

#include "ldapinterrupt.h"

#endif
