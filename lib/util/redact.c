/* SPDX-License-Identifier: BSD-2-Clause */
/* The one rule for what is secret, and the one way a secret is shown. */
#include "redact.h"

#include <string.h>
#include <strings.h>

int li_is_secret_attr(const char *name, size_t len)
{
	static const char *const secret[] = { "userPassword", "authPassword", "2.5.4.35", "1.3.6.1.4.1.4203.1.3.4" };
	size_t i, base = len;
	const char *semi = memchr(name, ';', len);

	if (semi) /* userPassword;binary */
		base = (size_t)(semi - name);
	for (i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
		if (strlen(secret[i]) == base && strncasecmp(name, secret[i], base) == 0)
			return 1;
	return 0;
}

void li_buf_add_redacted(li_buf *out, size_t len)
{
	li_buf_addf(out, "<redacted %zu bytes>", len);
}

/* The user's filter as given, but with the values of userPassword-like
 * assertions replaced, as the trace shows them: a report never prints a
 * secret, not even one typed on the command line. */
void li_filter_redacted(li_buf *out, const char *f)
{
	const char *p = f, *attr, *end;

	while (*p) {
		if (*p != '(') {
			li_buf_addc(out, *p++);
			continue;
		}
		li_buf_addc(out, *p++);
		attr = p;
		while (*p && strchr("=~<>:()", *p) == NULL)
			p++;
		li_buf_add(out, attr, (size_t)(p - attr));
		if (!li_is_secret_attr(attr, (size_t)(p - attr)))
			continue;
		while (*p && *p != '=' && *p != '(' && *p != ')')
			li_buf_addc(out, *p++);
		if (*p != '=')
			continue;
		li_buf_addc(out, *p++);
		end = strchr(p, ')');
		if (end == NULL)
			end = p + strlen(p);
		if (end - p == 1 && *p == '*')
			li_buf_addc(out, '*'); /* a presence test holds no secret */
		else
			li_buf_add_redacted(out, (size_t)(end - p));
		p = end;
	}
}
