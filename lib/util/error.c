/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <ldap.h>

#include "buf.h"
#include "error.h"

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

int li_usage_error(li_error *err, const char *what, const char *fmt, ...)
{
	va_list ap;

	memset(err, 0, sizeof(*err));
	err->code = 0;
	copy(err->what, sizeof(err->what), what);
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return -1;
}

int li_ldap_error(li_error *err, const char *what, int code, const char *info, const char *matched)
{
	memset(err, 0, sizeof(*err));
	err->code = code;
	copy(err->what, sizeof(err->what), what);
	copy(err->text, sizeof(err->text), ldap_err2string(code));
	copy(err->info, sizeof(err->info), info);
	copy(err->matched, sizeof(err->matched), matched);
	return -1;
}

int li_error_at(li_error *err, li_stage stage)
{
	err->stage = stage;
	return -1;
}

size_t li_error_format(const li_error *err, const char *prog, char *buf, size_t size)
{
	li_buf b = { 0 };
	size_t n;

	if (err->reported) {
		if (size)
			buf[0] = '\0';
		return 0;
	}
	if (err->code == 0)
		li_buf_addf(&b, "%s: %s: %s\n", prog, err->what, err->text);
	else
		li_buf_addf(&b, "%s: %s: %s (%d)\n", prog, err->what, err->text, err->code);
	/* The server's words: no escape sequence of theirs reaches a terminal. */
	if (err->matched[0])
		li_buf_adds(&b, "\tmatched DN: "), li_buf_add_safe(&b, err->matched), li_buf_addc(&b, '\n');
	if (err->info[0])
		li_buf_adds(&b, "\tadditional info: "), li_buf_add_safe(&b, err->info), li_buf_addc(&b, '\n');
	n = snprintf(buf, size, "%s", li_buf_data(&b));
	free(b.data);
	return n;
}
