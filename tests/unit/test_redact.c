/* SPDX-License-Identifier: BSD-2-Clause */
/* One rule for what is secret (lib/util/redact.c), for the wire decoder
 * and the filter as typed alike; the scope and deref vocabulary
 * (lib/util/names.c), shared by the options and the decoder. */
#include <ldap.h>
#include <stdlib.h>

#include "names.h"
#include "redact.h"
#include "tapcheck.h"

static void is_redacted(const char *filter, const char *want)
{
	li_buf b = { 0 };

	li_filter_redacted(&b, filter);
	is_str(b.data ? b.data : "", want, "filter %s", filter);
	free(b.data);
}

int main(void)
{
	ok(li_is_secret_attr("userPassword", 12), "userPassword");
	ok(li_is_secret_attr("USERPASSWORD;binary", 19), "in any case, with an option");
	ok(li_is_secret_attr("2.5.4.35", 8), "userPassword's OID");
	ok(li_is_secret_attr("authPassword", 12), "authPassword");
	ok(li_is_secret_attr("1.3.6.1.4.1.4203.1.3.4", 22), "authPassword's OID");
	ok(!li_is_secret_attr("userPasswordX", 13), "a longer name is not");
	ok(!li_is_secret_attr("userPassword", 8), "nor a prefix (the length counts, not the NUL)");
	ok(!li_is_secret_attr("cn", 2), "cn is not");

	is_redacted("(userPassword=secret)", "(userPassword=<redacted 6 bytes>)");
	is_redacted("(&(cn=a)(userpassword;binary>=xy))", "(&(cn=a)(userpassword;binary>=<redacted 2 bytes>))");
	is_redacted("(userPassword=*)", "(userPassword=*)");
	is_redacted("(2.5.4.35:caseExactMatch:=pw)", "(2.5.4.35:caseExactMatch:=<redacted 2 bytes>)");
	is_redacted("(userPassword=open", "(userPassword=<redacted 4 bytes>");
	is_redacted("(cn=userPassword=x)", "(cn=userPassword=x)");

	is_str(li_scope_name(LDAP_SCOPE_ONELEVEL), "one", "scope name");
	is_str(li_deref_name(LDAP_DEREF_FINDING), "find", "deref name");
	ok(li_scope_name(9) == NULL, "no name for scope 9");
	is_int(li_scope_code("SubTree"), LDAP_SCOPE_SUBTREE, "subtree, in any case");
	is_int(li_scope_code("subordinate"), LDAP_SCOPE_CHILDREN, "subordinate");
	is_int(li_scope_code("deep"), -1, "not a scope");
	is_int(li_deref_code("always"), LDAP_DEREF_ALWAYS, "always");
	is_int(li_deref_code("sometimes"), -1, "not a deref value");
	return done_testing();
}
