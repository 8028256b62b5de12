/* SPDX-License-Identifier: BSD-2-Clause */
/* The vocabulary of the reports: outcome and trigger names, the notes'
 * sentences. The engine decides in codes; the words are all here. */
#ifndef LI_WORDS_H
#define LI_WORDS_H

#include "ldapinterrupt.h"

/* "success", "canceled" ... or "unknown". */
const char *li_result_word(int code);
/* "operation" (none), "abandon", "cancel". */
const char *li_interrupt_word(li_interrupt i);

#endif
