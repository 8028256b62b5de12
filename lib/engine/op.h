/* SPDX-License-Identifier: BSD-2-Clause */
/* The one operation a run interrupts: checked, sent and described from the
 * parameters alone, on a connection the caller owns. */
#ifndef LI_OP_H
#define LI_OP_H

#include <ldap.h>

#include "buf.h"
#include "config.h"

/* What can be checked before connecting (a search's filter). */
int li_op_prepare(LDAP *ld, const li_params *cfg, li_error *err);
int li_op_send(LDAP *ld, const li_params *cfg, LDAPControl **ctrls, int *msgid, li_error *err);
void li_op_describe(const li_params *cfg, const char *defbase, li_buf *out);
const char *li_op_type(const li_params *cfg);

#endif
