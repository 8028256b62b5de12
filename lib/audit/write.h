/* SPDX-License-Identifier: BSD-2-Clause */
/* ldapcancel --audit's write check (write.c). */
#ifndef LI_AUDIT_WRITE_H
#define LI_AUDIT_WRITE_H

#include "check.h"

/* A modify of li_params_set_audit_base's entry, cancelled at once, judged
 * from the answers and the entry read back; its values put back. Skipped
 * without that entry. */
void audit_check_write(audit_ctx *ctx, li_check *c);

#endif
