/* SPDX-License-Identifier: BSD-2-Clause */
/* The entry the write checks modify (entry.c): its values of one
 * attribute, read, replaced and put back. */
#ifndef LI_AUDIT_ENTRY_H
#define LI_AUDIT_ENTRY_H

#include "check.h"

#define AUDIT_ATTR "description"
#define AUDIT_MAX_VALUES 32
#define AUDIT_MAX_BYTES 16384

/* An entry's values of AUDIT_ATTR, as read. */
typedef struct audit_values {
	int entry;    /* the entry arrived */
	int overflow; /* more than the room below: cannot be put back whole */
	int n;
	size_t used;
	size_t off[AUDIT_MAX_VALUES], len[AUDIT_MAX_VALUES];
	char bytes[AUDIT_MAX_BYTES];
} audit_values;

/* The entry's values read on a fresh connection: 0, or -1 with c's
 * verdict saying why not. */
int audit_values_read(audit_ctx *ctx, li_check *c, const char *dn, audit_values *v);
/* 1 when one of the values is s. */
int audit_values_has(const audit_values *v, const char *s);
/* The values (none: the attribute goes) written on a fresh connection:
 * 1 when the modify succeeded. ldif is scratch space. */
int audit_values_write(audit_ctx *ctx, li_buf *ldif, const char *dn, const audit_values *v);
/* The same, putting back the values read before a check changed them:
 * it runs even when the audit was stopped (a stop then ends only this
 * run, not the put-back's start). */
int audit_values_restore(audit_ctx *ctx, li_buf *ldif, const char *dn, const audit_values *v);
/* The LDIF of that modify into b: 0, or -1 when out of memory. */
int audit_modify_ldif(li_buf *b, const char *dn, const audit_values *v);
/* One value that says which tool wrote it, when and why, so that whoever
 * finds it in the entry (when putting it back failed) knows. */
void audit_marker(const audit_ctx *ctx, const char *why, audit_values *v);

#endif
