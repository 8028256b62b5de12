/* SPDX-License-Identifier: BSD-2-Clause */
/* Paged results (RFC 2696, -E pr=SIZE): a search asked for page by page,
 * each page a search request of its own (a new message ID) that carries
 * the cookie the previous page's SearchResultDone returned. */
#ifndef LI_PAGING_H
#define LI_PAGING_H

#include <ldap.h>

#include "error.h"
#include "params.h"

/* -E [!]pr=SIZE[/noprompt], as ldapsearch takes it (spec: the whole text,
 * for errors; v: what follows "pr=", NULL without '='). */
int li_paging_parse(li_params *cfg, const char *spec, const char *v, int critical, li_error *err);

/* The page size of a paged search; 0 when the search is not paged. */
int li_paging_size(const li_params *cfg);

/* The first page's request control value: the size and no cookie. */
int li_paging_encode(LDAP *ld, const li_ctrlspec *c, struct berval *bv, li_error *err);

/* A page ended with success: reads the cookie of its response control
 * from done (its SearchResultDone) and, when there is one, puts it in the
 * paged results control of ctrls for the next page's request. *more: 1
 * when a next page is to be asked for, 0 when this page was the last (an
 * empty cookie, or a server that ignored the control). */
int li_paging_next(LDAP *ld, LDAPMessage *done, LDAPControl **ctrls, int size, int *more, li_error *err);

#endif
