/* SPDX-License-Identifier: BSD-2-Clause */
/* -E [!]pr=size[/noprompt]: ldapsearch's paged results, to the library's
 * li_params_add_paged. */
#ifndef CMD_PAGED_H
#define CMD_PAGED_H

#include <ldapinterrupt.h>

/* 0 when spec was a pr= control and is set; -1 with err when it is a
 * wrong one; 1 when spec is some other control. */
int cmd_paged_control(li_params *p, const char *spec, li_error *err);

#endif
