#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
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


@test
def dry_run_shows_the_ldap_conf_options_and_the_controls():
    r = run("ldapcancel", ["-n", "-x", "-H", "ldaps://127.0.0.1:1", "-o", "TLS-REQCERT=never", "-o",
                           "network_timeout=5", "-MM", "-E", "sss=cn", "-E", "!vlv=0/9/1/0", "-b", "dc=example,dc=com"])
    eq(r.rc, 0, "exit status")
    eq(r.err, "", "nothing on stderr")
    lines = r.out.splitlines()
    eq(lines[3], "ldap.conf options: tls_reqcert=never, network_timeout=5", "the -o line")
    eq(lines[4], "with controls: 1.2.840.113556.1.4.473 (SortRequest), 2.16.840.1.113730.3.4.9 (VLVRequest) "
       "critical, 2.16.840.1.113730.3.4.2 (ManageDsaIT) critical", "the controls line")


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
    # and with ( or = it is the filter
    for f in ("uid=u000002", "(uid=u000002)"):
        r = run("ldaptrace", anon(s) + ["-b", s.people_base, f, "cn"])
        eq(r.rc, 0, "exit status")
        req = trace_lines(r, "SearchRequest")
        contains(req[0], 'filter="(uid=u000002)" attrs=[cn]', "the filter, then the attribute")
        eq(len(trace_lines(r, "SearchResultEntry")), 1, "one entry matches")


@test
def alias_dereferencing_is_sent_as_given():
    s = slapd()
    for word, sent in (("never", "never"), ("search", "search"), ("find", "find"), ("always", "always")):
        r = run("ldaptrace", anon(s) + ["-a", word, "-b", s.base, "-s", "base"])
        eq(r.rc, 0, "exit status")
        contains(trace_lines(r, "SearchRequest")[0], " deref=%s " % sent, "-a %s is sent" % word)


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
def manage_dsa_it_returns_the_referral_object_as_an_entry():
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
    """ldaptrace, which interrupts nothing: the base search runs to its end
    (outcome completed, exit 0) once connected; r.outcome is its report."""
    import json
    r = run("ldaptrace", ["-x", "-H", uri] + (["-ZZ"] if starttls else []) +
            ["-b", s.base, "-s", "base", "--json"] + list(extra), env=env)
    lines = r.out.splitlines()
    r.outcome = json.loads(lines[-1]) if lines and '"outcome"' in lines[-1] else None
    return r


def completed(r, what):
    eq(r.rc, 0, "%s: exit status" % what)
    eq(r.outcome["outcome"], "completed", "%s: the base search ran to its end" % what)
    eq(r.outcome["op_result"]["code"], 0, "%s: search result success" % what)
    eq(r.outcome["entries_before"], 1, "%s: the base entry" % what)
    eq(r.err, "", "%s: nothing on stderr" % what)


@test
def tls_reqcert_never_accepts_the_self_signed_server():
    s = slapd()
    # without it, the server's certificate is not trusted
    r = base_search(s, s.ldaps_uri, [])
    eq(r.rc, 255, "ldaps: exit status")
    matches(r.err, r"^ldaptrace: ldap_connect: Can't contact LDAP server \(-1\)$", "ldaps: stderr")
    r = base_search(s, s.uri, [], starttls=True)
    eq(r.rc, 245, "StartTLS: exit status (connect error, -11)")
    matches(r.err, r"^ldaptrace: ldap_start_tls: Connect error \(-11\)$", "StartTLS: stderr")
    for uri, starttls in ((s.ldaps_uri, False), (s.uri, True)):
        for opt in ("tls_reqcert=never", "TLS-REQCERT=never"):
            completed(base_search(s, uri, ["-o", opt], starttls=starttls), "%s -o %s" % (uri, opt))


@test
def tls_cacert_names_the_ca_to_trust():
    s = slapd()
    for uri, starttls in ((s.ldaps_uri, False), (s.uri, True)):
        completed(base_search(s, uri, ["-o", "tls_cacert=" + s.cacert], starttls=starttls), uri)
    # demand, given explicitly, still needs the CA
    completed(base_search(s, s.ldaps_uri, ["-o", "tls_reqcert=demand", "-o", "tls_cacert=" + s.cacert]),
              "demand with the CA")
    r = base_search(s, s.ldaps_uri, ["-o", "tls_reqcert=demand"])
    eq(r.rc, 255, "demand without the CA")


@test
def tls_cacert_that_cannot_be_read_is_refused():
    s = slapd()
    r = base_search(s, s.ldaps_uri, ["-o", "tls_cacert=/nonexistent/ca.pem"])
    eq(r.rc, 1, "exit status")
    eq(r.err, "ldaptrace: -o: libldap could not make a TLS context of the tls_* options (is a certificate, "
       "key or CA file missing or unreadable?)\n", "stderr")


@test
def network_timeout_bounds_the_connection():
    with faultserver("slow-accept") as fs:
        r = run("ldapcancel", ["-x", "-H", fs.uri, "-b", "dc=example,dc=com", "-o", "network_timeout=1"], timeout=15)
        ge(r.elapsed, 0.9, "waited the second")
        le(r.elapsed, scaled(2.0), "gave up at the network timeout, not the default 30 s")
        eq(r.rc, 251, "exit status (Timed out, -5)")
        eq(r.err, "ldapcancel: ldap_result: Timed out (-5)\n", "stderr")


# ---- -E: ldapsearch's search extensions, encoded as ldapsearch does ------

# Each -E spec, sent by ldapsearch and by the tool to the fault server, whose
# log holds every control's OID, criticality and value: they must agree byte
# for byte (libldap's encoders on both sides).
EXTENSIONS = [
    ["sss=cn"], ["!sss=-cn:2.5.13.3/sn/-uid:caseIgnoreOrderingMatch"],
    ["sss=cn", "vlv=2/3/10/0"], ["sss=cn", "!vlv=0/5:User 000042"],
    ["deref=member:cn,sn;owner:cn"],
    ["mv=(cn=x)"], ["!mv=(mail=*@example.com)(cn>=a)"],
    ["ps=15/1/1"], ["!ps=1/0/0"],
    ["domainScope"], ["!domainScope"], ["showDeleted"], ["serverNotif"], ["accountUsability"], ["!dontUseCopy"],
    ["extendedDn=1"], ["!extendedDn=0"],
    ["!dirSync=1/100"], ["!dirSync=2147483647/0/Y29va2ll"],
    ["!1.2.3.4=:value"], ["1.2.3.5=::dmFsdWU="],
]


def logged_controls(tool, specs):
    args = [a for spec in specs for a in ("-E", spec)]
    with faultserver("normal") as fs:
        # ldapsearch asks for the next VLV window on standard input (an empty
        # line: the next one): a line it cannot parse makes it stop
        r = run(tool, ["-x", "-H", fs.uri, "-b", "dc=example,dc=com", "-s", "base"] + args +
                (["--json"] if tool != "ldapsearch" else []), stdin="stop\n")
        searches = [rec for rec in fs.log() if rec.get("op") == "search"]
    eq(len(searches), 1, "%s %s: one search" % (tool, " ".join(args)))
    # ldapsearch sends its controls in an order of its own: compare them sorted
    return r, sorted(zip(searches[0].get("controls") or [], searches[0].get("control_values") or []))


@test
def search_extensions_are_encoded_as_ldapsearch_encodes_them():
    for specs in EXTENSIONS:
        _, want = logged_controls("ldapsearch", specs)
        eq(len(want), len(specs), "ldapsearch -E %s sent its controls: %r" % (specs, want))
        r, got = logged_controls("ldapcancel", specs)
        eq(got, want, "ldapcancel -E %s: the controls as ldapsearch sends them" % specs)
        eq(r.err, "", "nothing on stderr")


@test
def extended_dn_without_a_value_sends_the_control_without_one():
    # ldapsearch needs extendedDn=<flag>; without one the control has no value,
    # which Active Directory reads as flag 0
    _, got = logged_controls("ldapcancel", ["extendedDn"])
    eq(got, [("1.2.840.113556.1.4.529", None)], "the control, no value")


def people(s, extra):
    return run("ldaptrace", anon(s) + ["-b", s.people_base, "-s", "one"] + list(extra))


@test
def server_side_sorting_sorts_and_the_trace_decodes_the_sort_response():
    s = slapd()
    r = people(s, ["-E", "!sss=-cn:caseIgnoreOrderingMatch", "(uid=u00001*)", "cn"])
    eq(r.rc, 0, "exit status")
    dns = [l.split('dn="', 1)[1].split('"', 1)[0] for l in trace_lines(r, "SearchResultEntry")]
    eq(dns, ["uid=u%06d,%s" % (i, s.people_base) for i in range(19, 9, -1)], "the entries, cn descending")
    contains(trace_lines(r, "SearchRequest")[0], "controls=[{oid=1.2.840.113556.1.4.473 (SortRequest) "
             "critical=true value_bytes=", "the sort request")
    contains(trace_lines(r, "SearchResultDone")[0], "SearchResultDone success (0) controls=[{oid=1.2.840.113556.1.4.474 "
             "(SortResponse) critical=false code=0 name=success}]", "the sort response, decoded")
    # no ordering rule for cn: slapd refuses, and says so in the response control too
    r = people(s, ["-E", "sss=cn", "(uid=u000001)"])
    eq(r.rc, 18, "exit status: inappropriateMatching")
    eq(r.err, "ldaptrace: search: Inappropriate matching (18)\n\tadditional info: serverSort control: "
       "No ordering rule\n", "stderr")


@test
def virtual_list_view_returns_the_window_and_the_trace_decodes_the_vlv_response():
    s = slapd()
    r = people(s, ["-E", "sss=uid:caseIgnoreOrderingMatch", "-E", "vlv=1/2/5/0", "--json"])
    eq(r.rc, 0, "exit status")
    events = json_events(r)
    entries = [e["dn"] for e in events if e.get("op") == "SearchResultEntry"]
    # position 5 in uid order (alice, u000001, ...): u000004, one before it and two after
    eq(entries, ["uid=u%06d,%s" % (i, s.people_base) for i in (3, 4, 5, 6)], "the window")
    done = [e for e in events if e.get("op") == "SearchResultDone"][0]
    ctls = {c["oid_name"]: c for c in done["controls"]}
    eq(sorted(ctls), ["SortResponse", "VLVResponse"], "both response controls")
    vlv = ctls["VLVResponse"]
    eq((vlv["targetPosition"], vlv["contentCount"], vlv["code"], vlv["name"]),
       (5, int(os.environ.get("LI_ENTRIES", 0) or s.entries) + 1, 0, "success"), "the VLV response")
    ok(isinstance(vlv.get("contextID"), str) and len(vlv["contextID"]) > 0, "the contextID, in hex")
    req = [e for e in events if e.get("op") == "SearchRequest"][0]
    eq([c.get("oid_name") for c in req["controls"]], ["SortRequest", "VLVRequest"], "the request's controls")


@test
def paged_results_response_cookie_is_decoded():
    # -E pr= is not here; the control given by OID makes slapd answer one
    s = slapd()
    # SEQUENCE { size 2, cookie "" }
    r = people(s, ["-E", "1.2.840.113556.1.4.319=::MAUCAQIEAA==", "(uid=u00000*)", "1.1", "--json"])
    eq(r.rc, 0, "exit status")
    events = json_events(r)
    eq(len([e for e in events if e.get("op") == "SearchResultEntry"]), 2, "one page of 2 entries")
    req = [e for e in events if e.get("op") == "SearchRequest"][0]
    eq(req["controls"], [{"oid": "1.2.840.113556.1.4.319", "oid_name": "PagedResults", "critical": False,
                          "size": 2, "cookie": ""}], "the request, decoded")
    done = [e for e in events if e.get("op") == "SearchResultDone"][0]
    c = done["controls"][0]
    eq((c["oid_name"], c["size"]), ("PagedResults", 0), "the response: size 0 (unknown count)")
    ok(len(c["cookie"]) > 0 and all(ch in "0123456789abcdef" for ch in c["cookie"]), "a cookie, in hex")


@test
def values_return_filter_returns_only_matching_values():
    s = slapd()
    args = anon(s) + ["-b", "uid=u000001," + s.people_base, "-s", "base"]
    r = run("ldaptrace", ["-v"] + args + ["cn", "mail"])
    eq(trace_lines(r, "SearchResultEntry")[0].split(" attrs=", 1)[1],
       '{cn=["User 000001"] mail=["u000001@example.com"]}', "without mv")
    r = run("ldaptrace", ["-v"] + args + ["-E", "!mv=(cn=User 000001)", "cn", "mail"])
    eq(r.rc, 0, "exit status")
    contains(trace_lines(r, "SearchRequest")[0], "controls=[{oid=1.2.826.0.1.3344810.2.3 (ValuesReturnFilter) "
             'critical=true filter="(cn=User 000001)"}]', "the request's filter, decoded")
    eq(trace_lines(r, "SearchResultEntry")[0].split(" attrs=", 1)[1], '{cn=["User 000001"]}',
       "only the matching value, and no mail")


if __name__ == "__main__":
    tap_main()
