#include "ldifrecord.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldif.h>

#define LI_LDIF_MAX (64u << 20)

static const char *const tool_names[] = { "ldapabandon", "ldapcancel", "ldaptrace" };

static int slurp(const char *path, char **out, li_error *err)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *buf = NULL, *p;
	size_t len = 0, cap = 0, n;

	if (fp == NULL)
		return li_usage_error(err, "-f", "cannot open '%s': %s", path, strerror(errno));
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if (cap > LI_LDIF_MAX) {
				free(buf);
				if (fp != stdin)
					fclose(fp);
				return li_usage_error(err, "-f", "'%s' is larger than 64 MiB", path);
			}
			p = realloc(buf, cap + 1);
			if (p == NULL) {
				free(buf);
				if (fp != stdin)
					fclose(fp);
				return li_ldap_error(err, "-f", LDAP_NO_MEMORY, NULL, NULL);
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
	} while (n > 0);
	if (ferror(fp)) {
		free(buf);
		if (fp != stdin)
			fclose(fp);
		return li_usage_error(err, "-f", "cannot read '%s'", path);
	}
	if (fp != stdin)
		fclose(fp);
	buf[len] = '\0';
	*out = buf;
	return 0;
}

int li_ldif_parse(const li_config *cfg, LDIFRecord *lr, char **buf, li_error *err)
{
	LDIFFP *fp;
	unsigned long lineno = 0;
	char *rec = NULL, *extra = NULL;
	int reclen = 0, extralen = 0, got;
	struct berval bv;
	size_t textlen = strlen(cfg->ldif_text);
	char prefix[512];

	*buf = NULL;
	fp = ldif_open_mem(cfg->ldif_text, textlen, "r");
	if (fp == NULL)
		return li_ldap_error(err, "-f", LDAP_NO_MEMORY, NULL, NULL);
	got = ldif_read_record(fp, &lineno, &rec, &reclen);
	if (got > 0 && ldif_read_record(fp, &lineno, &extra, &extralen) > 0) {
		ber_memfree(extra);
		ber_memfree(rec);
		ldif_close(fp);
		return li_usage_error(err, "-f", "'%s' holds more than one LDIF record; give exactly one",
				      cfg->ldif_file);
	}
	ber_memfree(extra);
	ldif_close(fp);
	if (got <= 0) {
		ber_memfree(rec);
		return li_usage_error(err, "-f", "'%s' holds no LDIF record", cfg->ldif_file);
	}
	bv.bv_val = rec;
	bv.bv_len = strlen(rec);
	memset(lr, 0, sizeof(*lr));
	/* libldap's parser writes its own complaint to stderr, prefixed with
	 * this: let it be the one line the user sees. */
	snprintf(prefix, sizeof(prefix), "%s: -f %s", tool_names[cfg->tool], cfg->ldif_file);
	if (ldap_parse_ldif_record(&bv, lineno, lr, prefix, LDIF_DEFAULT_ADD) != LDAP_SUCCESS) {
		ber_memfree(rec);
		li_usage_error(err, "-f", "'%s' is not a valid LDIF record", cfg->ldif_file);
		err->reported = 1;
		return -1;
	}
	if (lr->lr_ctrls != NULL || (cfg->op == LI_OP_ADD && lr->lr_op != LDAP_REQ_ADD) ||
	    (cfg->op == LI_OP_MODIFY && lr->lr_op != LDAP_REQ_MODIFY)) {
		int ctrls = lr->lr_ctrls != NULL;

		ldap_ldif_record_done(lr);
		ber_memfree(rec);
		if (ctrls)
			return li_usage_error(err, "-f", "'%s': control: lines are not supported; give controls "
					      "with -e", cfg->ldif_file);
		return li_usage_error(err, "-f", "'%s' is not a%s record (--op %s needs changetype: %s)",
				      cfg->ldif_file, cfg->op == LI_OP_ADD ? "n add" : " modify",
				      cfg->op == LI_OP_ADD ? "add" : "modify", cfg->op == LI_OP_ADD ? "add" : "modify");
	}
	*buf = rec;
	return 0;
}

int li_ldif_load(li_config *cfg, li_error *err)
{
	LDIFRecord lr;
	char *buf;

	if (cfg->ldif_file == NULL)
		return li_usage_error(err, "-f", "--op %s needs an LDIF record: -f file (- for standard input)",
				      cfg->op == LI_OP_ADD ? "add" : "modify");
	if (slurp(cfg->ldif_file, &cfg->ldif_text, err) < 0)
		return -1;
	if (li_ldif_parse(cfg, &lr, &buf, err) < 0)
		return -1;
	ldap_ldif_record_done(&lr);
	ber_memfree(buf);
	return 0;
}
