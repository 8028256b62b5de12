/* -e and -E request controls: parsed from the command line, encoded once a
 * session handle exists. */
#ifndef LI_CONTROLS_H
#define LI_CONTROLS_H

#include <ldap.h>

#include "config.h"

/* Encodes the controls for the operation into a NULL-terminated array
 * (never NULL; free with ldap_controls_free). */
int li_ctrls_build(LDAP *ld, const li_config *cfg, LDAPControl ***out, li_error *err);

/* "attr: value" / "attr:: base64" through libldap's LDIF line parser. */
int li_parse_attr_value(const char *what, const char *spec, char **attr, struct berval *value, li_error *err);
int li_parse_attr_value_shown(const char *what, const char *spec, const char *shown, char **attr,
			      struct berval *value, li_error *err);

#endif
