/* SPDX-License-Identifier: BSD-2-Clause */
/* The texts the tools check before the setters, through the public header
 * and the shared library's exported symbols only: the command line uses
 * these rather than parsers of its own. */
#include <stdlib.h>
#include <string.h>

#include "ldapinterrupt.h"
#include "tapcheck.h"

static void attr_value_ok(const char *spec, const char *attr, const char *value, size_t len)
{
	char *a = NULL, *v = NULL;
	size_t n = 99;
	li_error err;

	is_int(li_parse_attr_value("X", spec, &a, &v, &n, &err), 0, "'%s' parses", spec);
	is_str(a, attr, "'%s': the attribute", spec);
	ok(v != NULL && n == len && memcmp(v, value, len) == 0 && v[len] == '\0', "'%s': the value", spec);
	free(a);
	free(v);
}

static void attr_value_bad(const char *spec, const char *text)
{
	char stale[] = "x", *a = stale, *v = stale;
	size_t n = 99;
	li_error err;

	is_int(li_parse_attr_value("--op compare", spec, &a, &v, &n, &err), -1, "'%s' is refused", spec);
	ok(a == NULL && v == NULL && n == 0, "'%s': nothing to free", spec);
	is_int(err.code, 0, "'%s': a usage error", spec);
	is_str(err.what, "--op compare", "'%s': named as the caller asked", spec);
	is_str(err.text, text, "'%s': the message", spec);
}

static void line_end(const char *name, const char *text, size_t want_len, unsigned long want_lines)
{
	unsigned long lineno = 1;
	const char *end = li_ldif_line_end(text, &lineno);

	is_int(end - text, want_len, "%s: its length", name);
	is_int(lineno, 1 + want_lines, "%s: its physical lines", name);
}

/* -E's pr= through the library's own control parser: the plan says the
 * page size, and a bad one is refused with the tools' words. */
static void paged_text(const char *spec, int want_rc, const char *want)
{
	li_params *p = li_params_new();
	li_buf *b = li_buf_new();
	li_error err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = li_params_add_control_text(p, spec, 1, &err);
	ok(rc == want_rc, "'%s': returns %d (got %d)", spec, want_rc, rc);
	if (rc == 0) {
		li_params_describe(p, b);
		ok(strstr(li_buf_data(b), want) != NULL, "'%s': the plan says '%s'", spec, want);
	} else {
		ok(strcmp(err.what, "-E") == 0 && strcmp(err.text, want) == 0, "'%s': %s: %s", spec, err.what,
		   err.text);
	}
	li_buf_free(b);
	li_params_free(p);
}

int main(void)
{
	ok(li_is_base64("aGk="), "base64");
	ok(li_is_base64("  aGk="), "base64 after spaces");
	ok(li_is_base64(""), "no base64 at all is empty base64");
	ok(!li_is_base64("aGk"), "not a group of four");
	ok(!li_is_base64("a=Gk"), "padding before the end");
	ok(!li_is_base64("a==="), "three padding characters");
	ok(!li_is_base64("!!!!"), "outside the alphabet");

	attr_value_ok("cn:Jim", "cn", "Jim", 3);
	attr_value_ok("cn:", "cn", "", 0);
	attr_value_ok("cn: two  spaces", "cn", " two  spaces", 12);
	attr_value_ok("cn:a:b", "cn", "a:b", 3);
	attr_value_ok("cn::aGk=", "cn", "hi", 2);
	attr_value_ok("cn:: AAE=", "cn", "\0\1", 2);
	attr_value_bad("noseparator", "'noseparator' is not attr:value or attr::base64");
	attr_value_bad(":value", "':value' is not attr:value or attr::base64");
	attr_value_bad("cn::!!!", "'cn::!!!': the value after :: is not valid base64");
	attr_value_bad("cn::aGk", "'cn::aGk': the value after :: is not valid base64");

	paged_text("pr=10", 0, "in pages of at most 10 entries");
	paged_text("!PR=7/noprompt", 0, "in pages of at most 7 entries");
	paged_text("pr=0", -1, "'pr=0': page size out of range (1 to 2147483647)");
	paged_text("pr=1234567890123456789012345", -1,
		   "'pr=1234567890123456789012345': page size out of range (1 to 2147483647)");
	paged_text("pr", -1, "'pr': paged results need a page size: pr=<size>");

	{
		long long v = 0;
		const char *why = NULL;

		ok(li_parse_int("42", 1, 100, &v, &why) == 0 && v == 42, "li_parse_int: 42");
		ok(li_parse_int("4x", 1, 100, &v, &why) < 0 && strcmp(why, "not a number") == 0,
		   "li_parse_int: '4x' is not a number");
	}

	line_end("one line", "dn: x\ncn: y\n", 6, 1);
	line_end("folded twice", "dn: x\n y\n z\ncn: y\n", 12, 3);
	line_end("folded, CRLF", "dn: x\r\n y\r\ncn: y\n", 11, 2);
	line_end("no line end", "dn: x", 5, 0);
	line_end("folded, no line end", "dn: x\n y", 8, 1);
	line_end("a blank line", "\n", 1, 1);
	line_end("the end of the text", "", 0, 0);
	return done_testing();
}
