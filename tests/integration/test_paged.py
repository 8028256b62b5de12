#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Paged results (-E pr=SIZE, RFC 2696): every page is a search request of
its own, with a new message ID and the previous page's cookie; triggers
count entries across pages and the interrupt names the page in flight.
Against the real slapd (which pages natively) and the fault server's
"paged" scenarios (slow pages, a page that fails)."""

import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import anon, check_report, last_line  # noqa: E402

PAGED = "1.2.840.113556.1.4.319"
_containers = {}


def container(s, n):
    """A fresh container under ou=scratch holding n entries (made once per n):
    a one-level search of it returns exactly n."""
    if n not in _containers:
        ou = "paged-" + uuid.uuid4().hex[:8]
        dn = "ou=%s,ou=scratch,%s" % (ou, s.base)
        ldif = "dn: %s\nobjectClass: organizationalUnit\nou: %s\n\n" % (dn, ou)
        ldif += "".join("dn: cn=p%02d,%s\nobjectClass: person\ncn: p%02d\nsn: paged\n\n" % (i, dn, i)
                        for i in range(1, n + 1))
        r = run("ldapadd", ["-x", "-H", s.uri, "-D", s.admin_dn, "-w", s.admin_pw], stdin=ldif)
        eq(r.rc, 0, "ldapadd %d entries under %s" % (n, dn))
        _containers[n] = dn
    return _containers[n]


def one_level(s, n):
    return anon(s) + ["-b", container(s, n), "-s", "one"]


def events(r):
    """ldaptrace --json: the message events (the report object, last, left out)."""
    lines = r.jsonl
    if lines is None:
        fail("stdout is not JSON lines: %r" % r.out[:500])
    return [e for e in lines if "dir" in e and "op" in e]


def paged_controls(e):
    return [c for c in e.get("controls", []) if c["oid"] == PAGED]


@test
def trace_shows_every_page_to_the_end():
    s = slapd()
    r = run("ldaptrace", one_level(s, 55) + ["-E", "pr=10", "--json"])
    eq(r.rc, 0, "exit status: the last page's success")
    ev = events(r)
    requests = [e for e in ev if e["op"] == "SearchRequest"]
    eq([e["msgid"] for e in requests], [2, 3, 4, 5, 6, 7], "six pages, each a new message ID")
    for e in requests:
        eq([(c["critical"], c["oid_name"]) for c in paged_controls(e)], [(False, "PagedResults")],
           "page %d carries the control" % e["msgid"])
    dones = [(e["msgid"], e["code"]) for e in ev if e["op"] == "SearchResultDone"]
    eq(dones, [(i, 0) for i in range(2, 8)], "every page ends with success")
    per_page = [sum(1 for e in ev if e["op"] == "SearchResultEntry" and e["msgid"] == i) for i in range(2, 8)]
    eq(per_page, [10, 10, 10, 10, 10, 5], "entries per page")
    order = [(e["dir"], e["msgid"]) for e in ev if e["op"] in ("SearchRequest", "SearchResultDone")]
    eq(order, [(d, i) for i in range(2, 8) for d in ("send", "recv")], "a page is asked for after the last ended")
    j = r.jsonl[-1]
    eq(j["outcome"], "completed", "outcome")
    eq(j["pages"], 6, "pages")
    eq(j["operation"], {"type": "search", "msgid": 7}, "operation.msgid: the last page")
    eq(j["summary"]["entries"], 55, "entries over all pages")
    eq(j["entries_before"], 55, "all counted")


@test
def text_report_has_a_pages_line():
    s = slapd()
    r = run("ldaptrace", one_level(s, 55) + ["-E", "pr=10/noprompt"])
    eq(r.rc, 0, "exit status")
    contains(r.out, "\n    sent as message 7\n    pages: 6 of at most 10 entries, the last sent as message 7\n",
             "pages line under the operation")
    contains(r.out, "summary: sent 8 messages", "six searches between the bind and the unbind")
    contains(r.out, ", 55 entries; ", "entries in the summary")
    matches(last_line(r.out), r"^completed: the search ended with success \(0\) at ", "verdict")


@test
def cancel_names_the_page_in_flight():
    s = slapd()
    # pages of 6000 over ou=people (20002 entries): the 12010th entry is the
    # 10th of page 3, thousands more of which are still to come
    r = run("ldapcancel", anon(s) + ["-b", s.people_base, "-E", "pr=6000", "--after-entries", "12010", "--json"])
    j = check_report(r, "ldapcancel", "canceled", "cancel")
    eq(j["pages"], 3, "pages asked for")
    eq(j["operation"], {"type": "search", "msgid": 4}, "operation.msgid: page 3")
    eq(j["interrupt"]["target"], 4, "cancelID: page 3")
    eq(j["interrupt"]["msgid"], 5, "the cancel's own message ID")
    eq(j["interrupt"]["trigger"], "after-entries", "trigger")
    eq(j["entries_before"], 12010, "entries before, counted across pages")
    lt(j["entries_before"] + j["entries_after"], 18000, "page 3 stopped early")
    eq(j["op_result"]["code"], 118, "page 3 ended canceled")
    eq(j["cancel_result"]["code"], 0, "cancel success")


@test
def cancel_on_page_three_of_ten_entry_pages():
    # pr=10: the 25th entry is the 5th of page 3, where the server holds
    # until the Cancel comes, so nothing can arrive after it but the results
    with faultserver("paged-hold") as fs:
        r = run("ldapcancel", ["-x", "-H", fs.uri, "-b", "dc=example,dc=com", "-E", "pr=10",
                               "--after-entries", "25", "--json"])
        j = check_report(r, "ldapcancel", "canceled", "cancel")
        eq(j["operation"]["msgid"], 4, "page 3 was message 4")
        eq(j["interrupt"]["target"], 4, "cancelID")
        eq(j["pages"], 3, "pages")
        eq(j["entries_before"], 25, "entries before")
        eq(j["entries_after"], 0, "page 3 stopped where the server held it")
        eq(j["op_result"]["code"], 118, "canceled")
        log = fs.log()
        eq([(x["msgid"], x.get("controls")) for x in log if x.get("op") == "search"],
           [(i, [PAGED]) for i in (2, 3, 4)], "three pages reached the server")
        eq([x.get("cancel_id") for x in log if x.get("op") == "extended"], [4], "the Cancel named page 3")


@test
def after_counts_from_the_first_page():
    # pages of 10 entries 5 ms apart take 50 ms or more each: 130 ms after
    # the first page's request the search is still on its way, although no
    # page lasts 130 ms on its own
    with faultserver("paged", interval_ms=5) as fs:
        r = run("ldapcancel", ["-x", "-H", fs.uri, "-b", "dc=example,dc=com", "-E", "pr=10",
                               "--after", "130ms", "--json"])
        j = check_report(r, "ldapcancel", "canceled", "cancel")
        eq(j["interrupt"]["trigger"], "after", "trigger")
        eq(j["interrupt"]["trigger_ms"], 130.0, "the deadline, from the first page's request")
        le(j["entries_before"], 27, "no more entries than 130 ms allow")
        eq(j["interrupt"]["target"], j["operation"]["msgid"], "the Cancel names the page in flight")
        eq(j["operation"]["msgid"], j["pages"] + 1, "pages are messages 2, 3, ...")
        eq([x.get("cancel_id") for x in fs.log() if x.get("op") == "extended"], [j["pages"] + 1],
           "the server saw the Cancel name it")


@test
def dry_run_says_the_page_size():
    r = run("ldapcancel", ["-n", "-x", "-H", "ldap://127.0.0.1:1", "-b", "dc=example,dc=com", "-E", "pr=250",
                           "--after-entries", "600"])
    eq(r.rc, 0, "exit status")
    eq(r.out.splitlines()[2], 'search base "dc=example,dc=com" scope sub filter "(objectClass=*)", '
                              'in pages of at most 250 entries', "the operation line")


@test
def abandon_names_the_page_in_flight():
    s = slapd()
    r = run("ldapabandon", anon(s) + ["-b", s.people_base, "-E", "pr=6000", "--after-entries", "12010",
                                      "--wait", "500ms", "--json"])
    j = check_report(r, "ldapabandon", "abandoned", "abandon")
    eq(j["pages"], 3, "pages")
    eq(j["operation"]["msgid"], 4, "page 3")
    eq(j["interrupt"]["target"], 4, "the Abandon names page 3")
    eq(j["entries_before"], 12010, "entries before")
    eq(j["op_result"], None, "no result for the abandoned page")


@test
def last_page_before_the_trigger_is_too_late():
    s = slapd()
    r = run("ldapcancel", one_level(s, 55) + ["-E", "pr=10", "--after-entries", "56", "--json"])
    j = check_report(r, "ldapcancel", "too-late", "cancel")
    eq(j["pages"], 6, "every page")
    eq(j["operation"]["msgid"], 7, "the last page")
    eq(j["interrupt"]["msgid"], None, "no cancel sent")
    eq(j["entries_before"], 55, "entries")
    eq(j["op_result"]["code"], 0, "the last page's success")
    contains(" ".join(j["notes"]), "completed before the interrupt was due", "note")
    r = run("ldaptrace", one_level(s, 55) + ["-E", "pr=10", "--cancel", "--after-entries", "56"])
    eq(r.rc, 120, "ldaptrace --cancel: too-late")
    matches(last_line(r.out), r"^too-late: the search completed with success \(0\) before the cancel was sent$",
            "verdict")
    eq(r.out.count("SearchRequest"), 6, "six pages traced")
    eq(r.out.count("ExtendedRequest"), 0, "no cancel")
    # the same search, not paged: one request, no pages in the report
    r = run("ldapcancel", one_level(s, 55) + ["--after-entries", "56", "--json"])
    j = check_report(r, "ldapcancel", "too-late", "cancel")
    eq(j["operation"]["msgid"], 2, "one request")
    ok("pages" not in j, "no pages key for a search that is not paged")
    not_contains(run("ldapcancel", one_level(s, 55) + ["--after-entries", "56"]).out, "pages:", "no pages line")


@test
def a_failed_page_ends_the_run_with_its_result():
    with faultserver("paged-fail") as fs:
        r = run("ldapcancel", ["-x", "-H", fs.uri, "-b", "dc=example,dc=com", "-E", "pr=10",
                               "--after-entries", "40", "--json"])
        j = check_report(r, "ldapcancel", "failed", "cancel")
        eq(r.rc, 53, "exit status: page 2's result")
        eq(j["pages"], 2, "no page after the failed one")
        eq(j["operation"]["msgid"], 3, "page 2")
        eq(j["entries_before"], 20, "entries of both pages")
        eq(j["op_result"]["code"], 53, "unwillingToPerform")
        eq(j["interrupt"]["msgid"], None, "no cancel sent")
        eq(r.err, "ldapcancel: search: Server is unwilling to perform (53)\n"
                  "\tadditional info: paged-fail: page 2 refused\n", "ldapsearch's lines on stderr")
        eq([x["msgid"] for x in fs.log() if x.get("op") == "search"], [2, 3], "two pages asked for")


@test
def critical_pages_carry_the_criticality():
    s = slapd()
    r = run("ldaptrace", one_level(s, 55) + ["-E", "!pr=20", "--json"])
    eq(r.rc, 0, "exit status")
    requests = [e for e in events(r) if e["op"] == "SearchRequest"]
    eq([[c["critical"] for c in paged_controls(e)] for e in requests], [[True]] * 3, "every page critical")
    eq(r.jsonl[-1]["pages"], 3, "pages")


BAD = [
    (["-E", "pr=0"], "-E: 'pr=0': page size out of range (1 to 2147483647)"),
    (["-E", "pr=2147483648"], "-E: 'pr=2147483648': page size out of range (1 to 2147483647)"),
    (["-E", "pr=x"], "-E: 'pr=x': page size not a number (1 to 2147483647)"),
    (["-E", "pr=-5"], "-E: 'pr=-5': page size must not be negative (1 to 2147483647)"),
    (["-E", "pr=/noprompt"], "-E: 'pr=/noprompt': page size empty, expected a number (1 to 2147483647)"),
    (["-E", "pr"], "-E: 'pr': paged results need a page size: pr=<size>"),
    (["-E", "!pr="], "-E: '!pr=': paged results need a page size: pr=<size>"),
    (["-E", "pr=10/prompt"], "-E: 'pr=10/prompt': /prompt cannot apply: the pages follow each other without a "
                             "pause (give /noprompt, the default here)"),
    (["-E", "pr=10/later"], "-E: 'pr=10/later': the page size may be followed only by /noprompt"),
    (["-E", "pr=10", "-E", "pr=20"], "-E: paged results given twice"),
    (["-E", "pr=10", "-e", "1.2.840.113556.1.4.319"], "-e: control 1.2.840.113556.1.4.319 given twice"),
    (["-E", "pr=10", "--op", "delete", "cn=x,dc=example,dc=com"], "-E: search extensions apply to searches only"),
]


@test
def bad_page_sizes_are_refused_with_one_line():
    for args, line in BAD:
        for tool in ("ldapcancel", "ldapabandon", "ldaptrace"):
            r = run(tool, ["-x", "-H", "ldap://127.0.0.1:1"] + args)
            eq((r.rc, r.out, r.err), (1, "", "%s: %s\n" % (tool, line)), "%s %s" % (tool, " ".join(args)))


if __name__ == "__main__":
    tap_main()
