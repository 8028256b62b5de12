/* SPDX-License-Identifier: BSD-2-Clause */
/* -e and -E request controls: parsed from the command line, encoded once a
 * session handle exists. */
#ifndef LI_CONTROLS_H
#define LI_CONTROLS_H

#include <ldap.h>

#include "error.h"
#include "params.h"

/* Parses one -e or -E spec into cfg->ctrls. */
int li_ctrl_parse(li_params *cfg, const char *spec, int search_ext, li_error *err);
void li_ctrl_free(li_ctrlspec *c);

/* Encodes the controls for the operation into a NULL-terminated array
 * (never NULL; free with ldap_controls_free). */
int li_ctrls_build(LDAP *ld, const li_params *cfg, LDAPControl ***out, li_error *err);

/* Refuses a search filter libldap cannot encode. */
int li_filter_check(LDAP *ld, const char *filter, li_error *err);

/* Sets -O's SASL security properties, refusing what libldap cannot parse. */
int li_secprops_set(LDAP *ld, const char *secprops, li_error *err);

/* Everything li_ctrls_build and the operation's encoders would refuse,
 * checked on a handle that never connects: a dry run (-n) and a real run
 * refuse the same command lines. */
int li_encoding_check(const li_params *cfg, li_error *err);

/* A numeric OID: digits, dot, digits (at least two arcs). */
int li_is_oid(const char *s);

/* li_parse_attr_value, quoting shown in errors (spec may be rewritten). */
int li_parse_attr_value_shown(const char *what, const char *spec, const char *shown, char **attr,
			      struct berval *value, li_error *err);

#endif
