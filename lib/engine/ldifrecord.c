/* SPDX-License-Identifier: BSD-2-Clause */
#include "ldifrecord.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldif.h>

#include "buf.h"
#include "controls.h"

const char *li_ldif_line_end(const char *p, unsigned long *lineno)
{
	const char *nl;

	for (;;) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			return p + strlen(p);
		++*lineno;
		p = nl + 1;
		if (*p != ' ')
			return p;
	}
}

static int blank(const char *line)
{
	return line[0] == '\n' || (line[0] == '\r' && line[1] == '\n');
}

/* Finds the record as libldap's reader would (blank lines end it,
 * comments alone are none), without its reader: that one grows its buffer
 * a line at a time, quadratic in a record of many megabytes. Returns how
 * many records there are (2 meaning more than one); *first is the file's
 * line number of the record's first line, where libldap counts from. */
static int find_record(const char *text, const char **start, const char **end, unsigned long *first)
{
	unsigned long lineno = 1, at;
	const char *p = text, *line;
	int n = 0;

	*end = NULL;
	while (*p) {
		line = p;
		at = lineno;
		p = li_ldif_line_end(p, &lineno);
		if (blank(line)) {
			if (n == 1 && *end == NULL)
				*end = line;
		} else if (line[0] != '#') {
			if (n == 1 && *end != NULL)
				return 2;
			if (n == 0) {
				n = 1;
				*start = line;
				*first = at;
			}
		}
	}
	if (n == 1 && *end == NULL)
		*end = p;
	return n;
}

int li_ldif_parse(const li_params *cfg, LDIFRecord *lr, char **buf, li_error *err)
{
	const char *start = NULL, *end = NULL;
	unsigned long first = 1;
	char *rec;
	struct berval bv;
	char prefix[512];
	int n;

	*buf = NULL;
	n = find_record(cfg->ldif_text, &start, &end, &first);
	if (n == 2)
		return li_usage_error(err, "LDIF", "'%s' holds more than one LDIF record; give exactly one",
				      cfg->ldif_file);
	if (n == 0)
		return li_usage_error(err, "LDIF", "'%s' holds no LDIF record", cfg->ldif_file);
	rec = ber_memalloc((size_t)(end - start) + 1);
	if (rec == NULL)
		return li_ldap_error(err, "LDIF", LDAP_NO_MEMORY, NULL, NULL);
	memcpy(rec, start, (size_t)(end - start));
	rec[end - start] = '\0';
	bv.bv_val = rec;
	bv.bv_len = strlen(rec);
	memset(lr, 0, sizeof(*lr));
	/* libldap's parser writes its own complaint to stderr, prefixed with
	 * this: let it be the one line the user sees. */
	snprintf(prefix, sizeof(prefix), "%s: -f %s", cfg->name ? cfg->name : "ldapinterrupt", cfg->ldif_file);
	if (ldap_parse_ldif_record(&bv, first, lr, prefix, LDIF_DEFAULT_ADD) != LDAP_SUCCESS) {
		ber_memfree(rec);
		li_usage_error(err, "LDIF", "'%s' is not a valid LDIF record", cfg->ldif_file);
		err->reported = 1;
		return -1;
	}
	if (lr->lr_ctrls != NULL || (cfg->op == LI_OP_ADD && lr->lr_op != LDAP_REQ_ADD) ||
	    (cfg->op == LI_OP_MODIFY && lr->lr_op != LDAP_REQ_MODIFY)) {
		int ctrls = lr->lr_ctrls != NULL;

		ldap_ldif_record_done(lr);
		ber_memfree(rec);
		if (ctrls)
			return li_usage_error(err, "LDIF", "'%s': control: lines are not supported; give controls "
					      "with -e", cfg->ldif_file);
		return li_usage_error(err, "LDIF", "'%s' is not a%s record (--op %s needs changetype: %s)",
				      cfg->ldif_file, cfg->op == LI_OP_ADD ? "n add" : " modify",
				      cfg->op == LI_OP_ADD ? "add" : "modify", cfg->op == LI_OP_ADD ? "add" : "modify");
	}
	*buf = rec;
	return 0;
}
