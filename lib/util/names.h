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

#define LI_OID_CANCEL "1.3.6.1.1.8"
#define LI_OID_NOTICE_OF_DISCONNECTION "1.3.6.1.4.1.1466.20036"
#define LI_OID_PASSWD_MODIFY "1.3.6.1.4.1.4203.1.11.1"

#endif
