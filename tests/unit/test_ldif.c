/* SPDX-License-Identifier: BSD-2-Clause */
/* The LDIF renderer (lib/render/ldif.c) on hand-built messages: the lines
 * libldap's writer gives, the separators and comments of each -L level,
 * secrets never written, and a message that does not decode leaving
 * nothing behind. */
#include <stdlib.h>
#include <string.h>

#include <lber.h>
#include <ldap.h>

#include "tapcheck.h"
#include "wire.h"

static li_wire *wire;
static li_buf *out;

static void ignore(void *arg, const li_event *ev)
{
	(void)arg;
	(void)ev;
}

/* What l appends for the message ber holds (freed here); *rc its return. */
static const char *render(li_ldif *l, BerElement *ber, int *rc)
{
	struct berval *bv = NULL;
	li_event ev;

	li_buf_reset(out);
	/* ber_flatten's copy has a NUL after it: the byte liblber peeks at. */
	if (ber_flatten(ber, &bv) < 0) {
		*rc = -2;
		return "";
	}
	li_wire_message(wire, &ev, (const unsigned char *)bv->bv_val, bv->bv_len);
	*rc = li_ldif_event(l, &ev, out);
	ber_bvfree(bv);
	ber_free(ber, 1);
	return li_buf_data(out);
}

static BerElement *entry(const char *dn)
{
	BerElement *ber = ber_alloc_t(LBER_USE_DER);

	ber_printf(ber, "{it{s{{s[ss]}{s[s]}{s[o]}}}}", 2, (ber_tag_t)LDAP_RES_SEARCH_ENTRY, dn, "cn", "a", "b",
		   "userPassword", "pw", "jpegPhoto", "\0\1\2", (ber_len_t)3);
	return ber;
}

static BerElement *types_only(const char *dn)
{
	BerElement *ber = ber_alloc_t(LBER_USE_DER);

	ber_printf(ber, "{it{s{{s[]}{s[]}}}}", 2, (ber_tag_t)LDAP_RES_SEARCH_ENTRY, dn, "cn", "sn");
	return ber;
}

static BerElement *reference(const char *uri)
{
	BerElement *ber = ber_alloc_t(LBER_USE_DER);

	ber_printf(ber, "{it{s}}", 2, (ber_tag_t)LDAP_RES_SEARCH_REFERENCE, uri);
	return ber;
}

/* attributes that are not a SEQUENCE: the head decodes, the entry does not */
static BerElement *broken(void)
{
	BerElement *ber = ber_alloc_t(LBER_USE_DER);

	ber_printf(ber, "{it{ss}}", 2, (ber_tag_t)LDAP_RES_SEARCH_ENTRY, "cn=x", "not attributes");
	return ber;
}

static BerElement *done(void)
{
	BerElement *ber = ber_alloc_t(LBER_USE_DER);

	ber_printf(ber, "{it{ess}}", 2, (ber_tag_t)LDAP_RES_SEARCH_RESULT, 0, "", "");
	return ber;
}

static void level3(void)
{
	li_ldif *l = li_ldif_new(3, 0, 0);
	int rc;

	is_str(render(l, entry("cn=x,dc=example"), &rc),
	       "dn: cn=x,dc=example\ncn: a\ncn: b\n# userPassword: <redacted 2 bytes>\njpegPhoto:: AAEC\n",
	       "-LLL: an entry, a secret as a comment, a binary value in base64");
	is_int(rc, 0, "rendered");
	is_str(render(l, reference("ldap://h/dc=y"), &rc), "\n# refldap://h/dc=y\n",
	       "-LLL: a reference as ldapsearch writes it, after a blank line");
	is_str(render(l, broken(), &rc), "", "an entry that does not decode: nothing");
	is_int(rc, -1, "... and -1");
	is_str(render(l, done(), &rc), "", "the final result: nothing");
	is_int(rc, 0, "... and 0");
	li_buf_reset(out);
	li_ldif_end(l, 1, out);
	is_str(li_buf_data(out), "\n", "-LLL's end: the blank line before the result");
	li_ldif_free(l);
}

static void level1(void)
{
	li_ldif *l = li_ldif_new(1, 0, 0);
	const char *attrs[] = { "cn", "sn", NULL };
	li_ldif_search s = { .base = "dc=example", .scope = LDAP_SCOPE_ONELEVEL,
			     .filter = "(&(cn=a)(userPassword=pw))", .attrs = attrs };
	int rc;

	li_buf_reset(out);
	li_ldif_begin(l, &s, out);
	is_str(li_buf_data(out),
	       "version: 1\n\n#\n# LDAPv3\n# base <dc=example> with scope oneLevel\n"
	       "# filter: (&(cn=a)(userPassword=<redacted 2 bytes>))\n# requesting: cn sn \n#\n\n",
	       "-L: the opening comments, a secret in the filter redacted");
	is_str(render(l, broken(), &rc), "", "a broken entry first ...");
	is_str(render(l, types_only("cn=x,dc=example"), &rc), "# x, example\ndn: cn=x,dc=example\n",
	       "... leaves no separator behind; -L: the UFN comment");
	li_buf_reset(out);
	li_ldif_end(l, 0, out);
	is_str(li_buf_data(out), "\n\n# numResponses: 1\n# numEntries: 1\n",
	       "-L's end, cut short: no '# search result', the counts");
	li_ldif_free(l);
}

static void options(void)
{
	li_ldif *l = li_ldif_new(2, 10, 1);
	int rc;

	li_buf_reset(out);
	li_ldif_begin(l, &(li_ldif_search){ .base = "dc=example" }, out);
	is_str(li_buf_data(out), "version: 1\n\n", "-LL: the version line only");
	is_str(render(l, types_only("cn=abcdefgh"), &rc), "dn: cn=abc\n defgh\ncn:\nsn:\n",
	       "-A: the types alone; ldif_wrap=10 folds the DN");
	li_ldif_free(l);
	l = li_ldif_new(3, LI_LDIF_NO_WRAP, 0);
	is_str(render(l, reference("ldap://a.very.long.host.name.example.com/dc=a,dc=very,dc=long,dc=base,dc=name"), &rc),
	       "# refldap://a.very.long.host.name.example.com/dc=a,dc=very,dc=long,dc=base,dc=name\n",
	       "ldif_wrap=no: one line");
	li_ldif_free(l);
	ok(li_ldif_new(3, 1, 0) == NULL, "a width of 1 is refused (libldap divides by width - 1)");
	ok(li_ldif_new(0, 0, 0) == NULL && li_ldif_new(4, 0, 0) == NULL, "levels are 1 to 3");
	li_ldif_free(NULL);
}

int main(void)
{
	wire = li_wire_new(ignore, NULL);
	out = li_buf_new();
	level3();
	level1();
	options();
	li_buf_free(out);
	li_wire_free(wire);
	return done_testing();
}
