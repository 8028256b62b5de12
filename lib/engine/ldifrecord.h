/* SPDX-License-Identifier: BSD-2-Clause */
/* One LDIF record for --op add and --op modify, through libldap's parser. */
#ifndef LI_LDIFRECORD_H
#define LI_LDIFRECORD_H

#include <ldap.h>

#include "error.h"
#include "params.h"

/* Parses cfg->ldif_text into lr (release with ldap_ldif_record_done).
 * lr points into buf, which the caller frees after lr. */
int li_ldif_parse(const li_params *cfg, LDIFRecord *lr, char **buf, li_error *err);

#endif
