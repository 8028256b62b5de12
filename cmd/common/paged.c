/* SPDX-License-Identifier: BSD-2-Clause */
#include "paged.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldap.h>

#include "numbers.h"

static int bad(li_error *err, const char *spec, const char *why)
{
	return li_usage_error(err, "-E", "'%s': %s", spec, why);
}

int cmd_paged_control(li_params *p, const char *spec, li_error *err)
{
	const char *name = spec + (*spec == '!'), *slash, *why;
	char *size;
	long long v;
	int rc;

	if (strncasecmp(name, "pr", 2) != 0 || (name[2] != '\0' && name[2] != '='))
		return 1;
	if (name[2] == '\0' || name[3] == '\0')
		return bad(err, spec, "paged results need a page size: pr=<size>");
	slash = strchr(name + 3, '/');
	/* ldapsearch's default is to prompt before each page; nothing can
	 * answer a prompt here while the run waits for the trigger. */
	if (slash && strcasecmp(slash + 1, "prompt") == 0)
		return bad(err, spec, "/prompt cannot apply: the pages follow each other without a pause "
			   "(give /noprompt, the default here)");
	if (slash && strcasecmp(slash + 1, "noprompt") != 0)
		return bad(err, spec, "the page size may be followed only by /noprompt");
	size = strndup(name + 3, slash ? (size_t)(slash - (name + 3)) : strlen(name + 3));
	if (size == NULL)
		return li_ldap_error(err, "-E", LDAP_NO_MEMORY, NULL, NULL);
	rc = li_parse_int(size, 1, 2147483647, &v, &why);
	free(size);
	if (rc < 0)
		return li_usage_error(err, "-E", "'%s': page size %s (1 to 2147483647)", spec, why);
	if (li_params_add_paged(p, (int)v, *spec == '!', err) < 0) {
		snprintf(err->what, sizeof(err->what), "-E");
		return -1;
	}
	return 0;
}
