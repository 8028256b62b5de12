#!/usr/bin/python3
"""ldapsearch's options, taken as ldapsearch takes them, against a real
slapd: -D as any string, the filter-or-attribute rule of the operands,
-M/-MM, -o with ldap.conf's options, and -E's search extensions."""

import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import admin, anon  # noqa: E402


def trace_lines(r, op):
    """The trace lines of one protocolOp, in order."""
    return [l for l in r.out.splitlines() if " %s " % op in l or l.endswith(" " + op)]


def json_events(r):
    import json
    return [json.loads(l) for l in r.out.splitlines() if l.startswith("{")]


# ---- -D: any string; the server judges it --------------------------------

@test
def bind_name_that_is_not_a_dn_reaches_the_server():
    s = slapd()
    for name in ("svc@corp.example.com", "CORP\\svc"):
        since = s.log_offset()
        r = run("ldapcancel", ["-x", "-H", s.uri, "-D", name, "-w", "secret", "-b", s.base, "-s", "base"])
        # slapd parses the name as a DN and answers invalidDNSyntax, as it does to ldapsearch
        eq(r.rc, 34, "exit status: invalidDNSyntax from slapd for %r" % name)
        eq(r.err.splitlines(), ["ldapcancel: ldap_bind: Invalid DN syntax (34)", "\tadditional info: invalid DN"],
           "stderr as ldapsearch's")
        eq(r.out, "", "no report: the bind failed")
        m = s.wait_for_log(r"conn=(\d+) op=0 do_bind: invalid dn \((.*)\)$", since=since)
        eq(m.group(2), name, "the name reached slapd as given")
        s.wait_for_log(r"conn=%s op=0 RESULT tag=97 err=34 " % m.group(1), since=since)


@test
def bind_name_that_is_not_a_dn_in_a_dry_run():
    r = run("ldapcancel", ["-n", "-x", "-H", "ldap://127.0.0.1:1", "-D", "svc@corp.example.com", "-w", "pw",
                           "-b", "dc=example,dc=com"])
    eq(r.rc, 0, "-n accepts it")
    eq(r.err, "", "no complaint")
    contains(r.out, 'simple bind as "svc@corp.example.com" with a password', "the plan binds as given")


# ---- operands: a filter only when it starts with ( or holds = ------------

@test
def first_operand_without_parenthesis_or_equals_is_an_attribute():
    s = slapd()
    dn = "uid=u000001," + s.people_base
    r = run("ldaptrace", anon(s) + ["-b", dn, "-s", "base", "cn", "mail"])
    eq(r.rc, 0, "exit status")
    req = trace_lines(r, "SearchRequest")
    eq(len(req), 1, "one SearchRequest")
    contains(req[0], 'filter="(objectClass=*)" attrs=[cn,mail]', "the default filter, both operands attributes")
    eq(len(trace_lines(r, "SearchResultEntry")), 1, "the entry")
    contains(trace_lines(r, "SearchResultEntry")[0], "attrs=[cn,mail]", "with the attributes asked for")
    r = run("ldapcancel", ["-n"] + anon(s) + ["-b", dn, "dn"])
    eq(r.rc, 0, "a lone attribute operand is no bad filter")
    contains(r.out, 'filter "(objectClass=*)" attrs dn', "the plan")


@test
def first_operand_with_equals_or_parenthesis_is_the_filter():
    s = slapd()
    for f in ("uid=u000002", "(uid=u000002)"):
        r = run("ldaptrace", anon(s) + ["-b", s.people_base, f, "cn"])
        eq(r.rc, 0, "exit status")
        req = trace_lines(r, "SearchRequest")
        contains(req[0], 'filter="(uid=u000002)" attrs=[cn]', "the filter, then the attribute")
        eq(len(trace_lines(r, "SearchResultEntry")), 1, "one entry matches")


# ---- -M / -MM: ManageDsaIT ------------------------------------------------

def referral_container(s):
    """A fresh container under ou=scratch holding one referral object."""
    ou = "refs-" + uuid.uuid4().hex[:8]
    container = "ou=%s,ou=scratch,%s" % (ou, s.base)
    ldif = ("dn: %s\nobjectClass: organizationalUnit\nou: %s\n\n"
            "dn: cn=ref,%s\nobjectClass: referral\nobjectClass: extensibleObject\ncn: ref\n"
            "ref: ldap://other.example.com/dc=other\n" % (container, ou, container))
    r = run("ldapadd", ["-M"] + admin(s), stdin=ldif)
    eq(r.rc, 0, "ldapadd -M of a referral object")
    return container


@test
def without_manage_dsa_it_a_referral_is_a_reference():
    s = slapd()
    c = referral_container(s)
    r = run("ldaptrace", anon(s) + ["-b", c])
    eq(r.rc, 0, "exit status")
    contains(trace_lines(r, "SearchRequest")[0], "attrs=[]", "the request")
    not_contains(trace_lines(r, "SearchRequest")[0], "controls=", "no control")
    eq(len(trace_lines(r, "SearchResultEntry")), 1, "only the container is an entry")
    refs = trace_lines(r, "SearchResultReference")
    eq(len(refs), 1, "the referral object comes back as a reference")
    contains(refs[0], 'uris=["ldap://other.example.com/dc=other??sub"]', "its URI")


@test
def manage_dsa_it_returns_the_referral_object_as_an_entry():
    s = slapd()
    c = referral_container(s)
    for flag, critical in (("-M", "false"), ("-MM", "true")):
        r = run("ldaptrace", anon(s) + [flag, "-b", c])
        eq(r.rc, 0, "exit status")
        contains(trace_lines(r, "SearchRequest")[0],
                 "controls=[{oid=2.16.840.1.113730.3.4.2 (ManageDsaIT) critical=%s}]" % critical,
                 "%s sends ManageDsaIT, critical=%s" % (flag, critical))
        entries = trace_lines(r, "SearchResultEntry")
        eq(len(entries), 2, "the container and the referral object are entries")
        contains(entries[1], 'dn="cn=ref,%s"' % c, "the referral object")
        eq(trace_lines(r, "SearchResultReference"), [], "no reference")


# ---- -o: ldap.conf's options, on this run's connection -------------------

NO_CA = {"LDAPTLS_CACERT": None}     # the test CA is not trusted from the environment


def base_search(s, uri, extra, env=NO_CA, starttls=False):
    return run("ldapcancel", ["-x", "-H", uri] + (["-ZZ"] if starttls else []) +
               ["-b", s.base, "-s", "base", "--json"] + list(extra), env=env)


@test
def untrusted_certificate_fails_without_o():
    s = slapd()
    r = base_search(s, s.ldaps_uri, [])
    eq(r.rc, 255, "ldaps: exit status")
    matches(r.err, r"^ldapcancel: ldap_connect: Can't contact LDAP server \(-1\)$", "ldaps: stderr")
    r = base_search(s, s.uri, [], starttls=True)
    eq(r.rc, 245, "StartTLS: exit status (connect error, -11)")
    matches(r.err, r"^ldapcancel: ldap_start_tls: Connect error \(-11\)$", "StartTLS: stderr")


@test
def tls_reqcert_never_accepts_the_self_signed_server():
    s = slapd()
    for uri, starttls in ((s.ldaps_uri, False), (s.uri, True)):
        for opt in ("tls_reqcert=never", "TLS-REQCERT=never"):
            r = base_search(s, uri, ["-o", opt], starttls=starttls)
            eq(r.rc, 120, "%s %s: the base search completed (too-late)" % (uri, opt))
            eq(r.json["op_result"]["code"], 0, "search result success")
            eq(r.json["entries_before"] + r.json["entries_after"], 1, "the base entry")
            eq(r.err, "", "nothing on stderr")


@test
def tls_cacert_names_the_ca_to_trust():
    s = slapd()
    for uri, starttls in ((s.ldaps_uri, False), (s.uri, True)):
        r = base_search(s, uri, ["-o", "tls_cacert=" + s.cacert], starttls=starttls)
        eq(r.rc, 120, "%s: the base search completed" % uri)
        eq(r.json["op_result"]["code"], 0, "search result success")
    # demand, given explicitly, still needs the CA
    r = base_search(s, s.ldaps_uri, ["-o", "tls_reqcert=demand", "-o", "tls_cacert=" + s.cacert])
    eq(r.rc, 120, "demand with the CA")
    r = base_search(s, s.ldaps_uri, ["-o", "tls_reqcert=demand"])
    eq(r.rc, 255, "demand without the CA")


@test
def tls_cacert_that_cannot_be_read_is_refused():
    s = slapd()
    r = base_search(s, s.ldaps_uri, ["-o", "tls_cacert=/nonexistent/ca.pem"])
    eq(r.rc, 1, "exit status")
    eq(r.err, "ldapcancel: -o: libldap could not make a TLS context of the tls_* options (is a certificate, "
       "key or CA file missing or unreadable?)\n", "stderr")


@test
def network_timeout_bounds_the_connection():
    with faultserver("slow-accept") as fs:
        r = run("ldapcancel", ["-x", "-H", fs.uri, "-b", s_base(), "-o", "network_timeout=1"], timeout=15)
        ge(r.elapsed, 0.9, "waited the second")
        le(r.elapsed, scaled(2.0), "gave up at the network timeout, not the default 30 s")
        eq(r.rc, 251, "exit status (Timed out, -5)")
        eq(r.err, "ldapcancel: ldap_result: Timed out (-5)\n", "stderr")


def s_base():
    return "dc=example,dc=com"


if __name__ == "__main__":
    tap_main()
