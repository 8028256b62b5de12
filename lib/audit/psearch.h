/* SPDX-License-Identifier: BSD-2-Clause */
/* ldapcancel --audit's persistent-search check (psearch.c). */
#ifndef LI_AUDIT_PSEARCH_H
#define LI_AUDIT_PSEARCH_H

#include "check.h"

/* A refreshAndPersist search of li_params_set_audit_base's entry,
 * cancelled once a change to that entry shows it is in its persist phase
 * (advertised: the root DSE lists the Sync control); skipped without
 * either. */
void audit_check_psearch(audit_ctx *ctx, li_check *c, int advertised);

#endif
