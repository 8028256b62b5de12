/* SPDX-License-Identifier: BSD-2-Clause */
/* Names from the RFCs for what travels on the wire. */
#ifndef LI_NAMES_H
#define LI_NAMES_H

#include <lber.h>

/* "SearchRequest", ... or NULL for an unknown protocolOp tag. */
const char *li_op_name(ber_tag_t tag);
/* "success", "noSuchObject", "canceled" ... or NULL. */
const char *li_result_name(int code);
/* A short name for a known extended operation, control or notice OID. */
const char *li_oid_name(const char *oid, size_t len);
/* A search's scope and alias dereferencing by the names ldapsearch(1)
 * takes and the trace shows: "base", "one", "sub", "children"; "never",
 * "search", "find", "always". NULL for a value without a name. */
const char *li_scope_name(int scope);
const char *li_deref_name(int deref);
/* The LDAP_SCOPE_ or LDAP_DEREF_ value of a name, in any case (a scope
 * also as "onelevel", "subtree", "subordinate"); -1 for none. */
int li_scope_code(const char *name);
int li_deref_code(const char *name);

#define LI_OID_CANCEL "1.3.6.1.1.8"
#define LI_OID_NOTICE_OF_DISCONNECTION "1.3.6.1.4.1.1466.20036"
#define LI_OID_PASSWD_MODIFY "1.3.6.1.4.1.4203.1.11.1"

#endif
