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


if __name__ == "__main__":
    tap_main()
