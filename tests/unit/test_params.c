/* SPDX-License-Identifier: BSD-2-Clause */
/* The library's typed parameters: each setter checks its value, and a run
 * described from them says what it would do. */
#include <string.h>

#include <ldap.h>

#include "ldapinterrupt.h"
#include "tapcheck.h"

static li_error err;

static void refused(int rc, const char *what, const char *text, const char *name)
{
	ok(rc == -1 && err.code == 0 && strcmp(err.what, what) == 0 && strstr(err.text, text) != NULL,
	   "%s refused: %s: %s", name, err.what, err.text);
}

static void describes(li_params *p, const char *want, const char *name)
{
	li_buf *b = li_buf_new();

	li_params_describe(p, b);
	ok(strstr(li_buf_data(b), want) != NULL, "%s", name);
	li_buf_free(b);
}

static void described(li_params *p, const char *want, const char *name)
{
	li_buf *b = li_buf_new();

	li_params_describe(p, b);
	is_str(li_buf_data(b), want, "%s", name);
	li_buf_free(b);
}

int main(void)
{
	li_params *p = li_params_new();
	static const char *const attrs[] = { "cn", "mail", NULL };
	li_search s = { .scope = LDAP_SCOPE_ONELEVEL, .deref = LDAP_DEREF_NEVER, .filter = "(cn=a*)", .attrs = attrs };
	li_sasl sasl = { .secprops = "frob" };

	li_params_free(NULL);
	refused(li_params_set_uri(p, "http://x", &err), "URI", "unknown scheme", "an http URI");
	refused(li_params_set_uri(p, " , ", &err), "URI", "empty URI", "an empty URI list");
	is_int(li_params_set_uri(p, "ldap://127.0.0.1:1 ldapi:///", &err), 0, "a URI list");
	refused(li_params_set_tls(p, (li_tls)7, &err), "TLS", "not a TLS mode", "TLS mode 7");
	is_int(li_params_set_bind_simple(p, "svc@corp.example.com", "pw", 2, &err), 0,
	       "a bind name that is not a DN: the server judges it, as with ldapsearch -D");
	refused(li_params_set_bind_simple(p, "cn=a", "", 0, &err), "password", "empty", "an empty password");
	is_int(li_params_set_ldap_option(p, "TLS-REQCERT", "never", &err), 0, "-o tls_reqcert, ldapsearch's spelling");
	is_int(li_params_set_ldap_option(p, "tls_reqcert", "demand", &err), 0, "-o tls_reqcert again: the last counts");
	refused(li_params_set_ldap_option(p, "tls_reqcert", "maybe", &err), "-o", "is not one of", "a bad tls_reqcert");
	refused(li_params_set_ldap_option(p, "tls_protocol_min", "3.x", &err), "-o", "not a TLS protocol version",
		"a bad TLS version");
	refused(li_params_set_ldap_option(p, "timeout", "0", &err), "-o", "not a number of seconds", "timeout 0");
	refused(li_params_set_ldap_option(p, "frob", "1", &err), "-o", "not a known option", "an unknown option");
	refused(li_params_set_bind_simple(p, "cn=a", "a\0b", 3, &err), "password", "NUL", "a password with a NUL");
	refused(li_params_set_bind_sasl(p, &sasl, &err), "SASL security properties", "not a valid list",
		"bad secprops");
	is_int(li_params_set_bind_simple(p, "cn=admin,dc=example", "secret", 6, &err), 0, "a simple bind");
	refused(li_params_set_network_timeout(p, 0, &err), "network timeout", "out of range", "timeout 0");
	s.filter = "(cn=a";
	refused(li_params_set_search(p, &s, &err), "filter", "not a valid search filter", "a bad filter");
	s.filter = "(cn=a*)";
	s.base = "dc=example";
	is_int(li_params_set_search(p, &s, &err), 0, "a search");
	refused(li_params_set_modrdn(p, "cn=a", "x", NULL, &err), "NEWRDN", "not a valid DN", "a bad NEWRDN");
	refused(li_params_set_exop(p, "whoami", NULL, 0, &err), "OID", "not an OID", "an exop without an OID");
	refused(li_params_set_no_operation(p, 2147483648LL, &err), "message ID", "out of range", "message ID 2^31");
	refused(li_params_set_add(p, "dn: cn=a\nchangetype: delete\n", "rec", &err), "LDIF", "not an add record",
		"a delete record for an add");
	refused(li_params_add_control(p, "x.1", 0, NULL, 0, &err), "controls", "not an OID", "a control named x.1");
	is_int(li_params_add_control(p, "1.2.3", 1, "v", 1, &err), 0, "a control");
	refused(li_params_add_control(p, "1.2.3", 0, NULL, 0, &err), "controls", "given twice", "the same control again");
	refused(li_params_set_after(p, -5, &err), "after", "out of range", "after -5 us");
	is_int(li_params_set_interrupt(p, LI_INTERRUPT_CANCEL, &err), 0, "cancel");
	is_int(li_params_set_after_entries(p, 3, &err), 0, "after 3 entries");
	is_int(li_params_check(p, &err), 0, "checked");
	described(p, "connect to ldap://127.0.0.1:1 ldapi:///\n"
		  "simple bind as \"cn=admin,dc=example\" with a password\n"
		  "search base \"dc=example\" scope one filter \"(cn=a*)\" attrs cn,mail\n"
		  "ldap.conf options: tls_reqcert=demand\n"
		  "with controls: 1.2.3 critical\n"
		  "then cancel it after 3 entries, and listen for 30 s\n", "the run described");
	is_int(li_params_set_delete(p, "cn=a,dc=example", &err), 0, "a delete");
	refused(li_params_check(p, &err), "after entries", "search", "after entries with a delete");
	li_params_free(p);

	/* The defaults that hang on the interrupt follow it on every check. */
	p = li_params_new();
	is_int(li_params_set_interrupt(p, LI_INTERRUPT_ABANDON, &err) == 0 && li_params_check(p, &err) == 0, 1,
	       "abandon, checked");
	describes(p, "connect to the URI from ldap.conf\nno bind (anonymous)\nsearch base \"\" scope sub filter "
		  "\"(objectClass=*)\"\n", "the defaults");
	describes(p, "abandon it right after the request is written, and listen for 1 s\n", "abandon's wait");
	is_int(li_params_set_interrupt(p, LI_INTERRUPT_CANCEL, &err) == 0 && li_params_check(p, &err) == 0, 1,
	       "then cancel, checked");
	describes(p, "cancel it right after the request is written, and listen for 30 s\n", "cancel's wait");
	li_params_free(p);

	/* A late interrupt: sent even once the operation has completed. */
	p = li_params_new();
	refused(li_params_set_interrupt_late(p, 2, &err), "interrupt late", "neither 0 nor 1", "late 2");
	is_int(li_params_set_interrupt_late(p, 1, &err), 0, "late");
	refused(li_params_check(p, &err), "interrupt", "need an interrupt", "late without an interrupt");
	is_int(li_params_set_interrupt(p, LI_INTERRUPT_ABANDON, &err) == 0 && li_params_set_after(p, LI_NEVER, &err) == 0 &&
	       li_params_check(p, &err) == 0, 1, "late abandon, checked");
	describes(p, "abandon it on Ctrl-C, or once its result has arrived, and listen for 1 s\n", "late, described");
	is_int(li_params_set_no_operation(p, 7, &err), 0, "no operation");
	refused(li_params_check(p, &err), "trigger", "sent at once", "late without an operation");
	li_params_free(p);

	/* The entry an audit may write: a DN, or none. */
	p = li_params_new();
	refused(li_params_set_audit_base(p, "not a DN", &err), "audit base", "not a valid DN", "a bad audit base");
	is_int(li_params_set_audit_base(p, "cn=audit,ou=scratch,dc=example,dc=com", &err), 0, "an audit base");
	is_int(li_params_set_audit_base(p, "cn=again,dc=example,dc=com", &err), 0, "another: the last counts");
	is_int(li_params_set_audit_base(p, NULL, &err), 0, "none again");
	li_params_free(p);
	return done_testing();
}
