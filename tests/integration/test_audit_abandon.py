#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""ldapabandon --audit: the checks of RFC 4511 section 4.11 against the test
slapd (every one passes) and against fault server scenarios that break one
rule each (exactly that check fails, exit status 9); the rows, the JSON
object validated against docs/schema/audit.json, the skips and the command
line's refusals."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import admin, anon, audit_check as check, audit_object, audit_results as results  # noqa: E402
from litools import audit_without_server  # noqa: E402

BASE = "dc=example,dc=com"
IDS = ["rootdse", "running-search", "abandon-msgid", "unknown-msgid", "completed-op", "connection-usable"]
EXIT_AUDIT_FAILED = 9


def audit_json(r, what):
    """The one object, valid against the schema, its exit the status;
    never unsupported, every check but the root DSE's of RFC 4511 4.11."""
    j = audit_object(r, "ldapabandon", IDS, what)
    eq(j["unsupported"], False, "%s: unsupported" % what)
    eq({c["rfc"] for c in j["checks"][1:]}, {"RFC 4511 section 4.11"}, "%s: the clause" % what)
    return j


def fault_audit(scenario, args=(), deadline=10):
    with faultserver(scenario) as fs:
        r = run("ldapabandon", ["-x", "-H", fs.uri, "--audit", "--json"] + list(args), timeout=30)
        le(r.elapsed, scaled(deadline), "%s: the audit ended within %d s" % (scenario, deadline))
        log = fs.log()
    eq(r.err, "", "%s: nothing on stderr" % scenario)
    return r, audit_json(r, scenario), log


@test
def slapd_passes_every_check():
    s = slapd()
    since = os.path.getsize(s.log_path)
    r = run("ldapabandon", anon(s) + ["--audit", "--json"])
    eq(r.rc, 0, "exit status")
    j = audit_json(r, "slapd")
    eq(results(j), [("rootdse", "info")] + [(i, "pass") for i in IDS[1:]], "every check passes")
    eq(j["uri"], s.uri, "uri")
    ok(all("reason" not in c for c in j["checks"]), "no reasons when everything passes")
    eq(check(j, "rootdse")["evidence"], {"naming_context": BASE}, "rootdse evidence: no Cancel in it")
    ev = check(j, "running-search")["evidence"]
    eq((ev["base"], ev["entries_before_abandon"], ev["wait_us"], "done_code" in ev), (BASE, 2, 1000000, False),
       "running-search: base, entries before, the wait, no SearchResultDone")
    # slapd stops a search between two entries: what follows was in flight.
    if ev["entries_after_abandon"]:
        ok(0 <= ev["last_after_abandon_us"] < 1000000, "in-flight entries: %r" % ev)
    else:
        ok("last_after_abandon_us" not in ev, "no late entry, no time for it")
    eq(check(j, "abandon-msgid")["evidence"], {"abandons": 4, "responses": 0}, "abandon-msgid: four Abandons")
    eq(check(j, "unknown-msgid")["evidence"], {"msgid": 1000000, "responses": 0, "probe_code": 0},
       "unknown-msgid evidence")
    ev = check(j, "completed-op")["evidence"]
    eq((ev["search_code"], ev["responses"], ev["probe_code"]), (0, 0, 0), "completed-op evidence")
    eq(check(j, "connection-usable")["evidence"], {"base": BASE, "entries_before_abandon": 2, "probe_code": 0},
       "connection-usable evidence")
    # The completed search's Abandon reached slapd, and the probe after it:
    # on one connection, the root DSE's search, the Abandon naming it, a
    # second search of the root DSE.
    s.wait_for_log(r'conn=(\d+) op=1 SRCH base="" scope=0.*\n(?:.*\n)*?.*conn=\1 op=2 ABANDON msg=%d\n'
                   r'(?:.*\n)*?.*conn=\1 op=3 SRCH base="" scope=0' % ev["msgid"], timeout=5, since=since)


@test
def slapd_text_rows():
    s = slapd()
    r = run("ldapabandon", admin(s) + ["--audit", "-b", "ou=people," + BASE])
    eq((r.rc, r.err), (0, ""), "exit status, stderr")
    lines = r.out.splitlines()
    eq(lines[:2], [s.uri, "  Abandon (RFC 4511 section 4.11) audit, 6 checks"], "the heading")
    rows = [l.split()[:2] for l in lines if l.startswith("  ") and not l.startswith("      ")][1:-1]
    eq(rows, [["info", "rootdse"]] + [["pass", i] for i in IDS[1:]], "one row per check: result and id")
    contains(r.out, 'base="ou=people,%s" entries_before_abandon=2 ' % BASE, "the -b base in the evidence")
    contains(r.out, "  pass  connection-usable  after a running search is abandoned, a search on the same "
             "connection succeeds (RFC 4511 section 4.11)\n", "a row, in full")
    eq(lines[-1], "  summary: 5 pass, 0 fail, 0 warn, 0 skip, 1 info", "the summary line")


# scenario: the check that fails, why (a pattern), and extra arguments.
# abandon-ignored never stops: --timeout ends each check's listening at
# 4 s instead of the cap of 10 s (max(10 x --wait, 10 s)).
ONE_RULE_BROKEN = {
    "abandon-done": ("running-search", r"a SearchResultDone \(success, 0\) arrived [0-9.]+ ms after the Abandon", ()),
    "abandon-answered": ("abandon-msgid", r"4 messages arrived with an Abandon's own message ID \(first: 3\)", ()),
    "abandon-unknown-drops": ("unknown-msgid", r"the connection ended after the Abandon: closed by the server", ()),
    "abandon-ignored": ("running-search", r"entries kept coming until the listening ended, [0-9]+\.[0-9]+ s after "
                        r"the Abandon", ("--timeout", "4s")),
}


@test
def a_broken_rule_fails_exactly_its_check():
    for scenario, (failing, reason, args) in sorted(ONE_RULE_BROKEN.items()):
        r, j, log = fault_audit(scenario, args)
        eq(r.rc, EXIT_AUDIT_FAILED, "%s: exit status 9, a check failed" % scenario)
        expected = [(i, "info" if i == "rootdse" else "fail" if i == failing else "pass") for i in IDS]
        eq(results(j), expected, "%s: the rows" % scenario)
        matches(check(j, failing)["reason"], r"\A%s\Z" % reason, "%s: why" % scenario)
        if scenario == "abandon-done":
            eq(check(j, failing)["evidence"]["done_code"], 0, "abandon-done: the result's code")
        elif scenario == "abandon-answered":
            eq(check(j, failing)["evidence"], {"abandons": 4, "responses": 4}, "abandon-answered: every one")
        elif scenario == "abandon-unknown-drops":
            eq(check(j, failing)["evidence"], {"msgid": 1000000, "responses": 0}, "abandon-unknown-drops: no probe")
            eq(sum(1 for rec in log if rec.get("by") == "server"), 1, "the server closed one connection")
        else:
            ev = check(j, failing)["evidence"]
            ok(ev["last_after_abandon_us"] >= 1000000 and ev["entries_after_abandon"] >= 20,
               "abandon-ignored: entries until the end: %r" % ev)


@test
def entries_for_more_than_a_second_warn():
    r, j, _ = fault_audit("abandon-slow-stop")
    eq(r.rc, 0, "a warning is no failure: exit 0")
    eq(results(j), [("rootdse", "info"), ("running-search", "warn")] + [(i, "pass") for i in IDS[2:]], "the rows")
    c = check(j, "running-search")
    matches(c["reason"], r"\Aentries kept coming for 1\.[0-9]+ s after the Abandon: more than in-flight entries "
            r"take \(1 s\)\Z", "why")
    ok(c["evidence"]["last_after_abandon_us"] >= 1400000, "the time: %r" % c["evidence"])


@test
def without_a_naming_context_the_searches_are_skipped():
    r, j, _ = fault_audit("normal")
    eq(r.rc, 0, "skips are no failure: exit 0")
    eq(results(j), [("rootdse", "info"), ("running-search", "skip"), ("abandon-msgid", "pass"),
                    ("unknown-msgid", "pass"), ("completed-op", "pass"), ("connection-usable", "skip")], "the rows")
    for cid in ("running-search", "connection-usable"):
        eq(check(j, cid)["reason"], "no search base: the root DSE names no naming context; give -b", cid)
    eq(check(j, "abandon-msgid")["evidence"], {"abandons": 2, "responses": 0}, "the two Abandons that were sent")


@test
def a_search_too_short_is_skipped():
    # 5 entries and a SearchResultDone: the Done after the Abandon was the
    # search's own end, as the same search alone (5 entries) shows.
    with faultserver("normal") as fs:
        r = run("ldapabandon", ["-x", "-H", fs.uri, "--audit", "--json", "-b", BASE])
    j = audit_json(r, "normal -b")
    eq(r.rc, 0, "exit status")
    c = check(j, "running-search")
    eq((c["result"], c["reason"], c["evidence"]),
       ("skip", "the search ended (5 entries) before the Abandon could act; give -b naming a larger subtree",
        {"base": BASE, "entries_alone": 5}), "running-search skipped, with the search alone as evidence")
    eq(check(j, "connection-usable")["result"], "pass", "the connection served after it all the same")


@test
def the_command_line_refusals():
    s = slapd()
    for extra in (["--msgid", "5"], ["--after-entries", "3"], ["-LLL"], ["(cn=x)"]):
        r = run("ldapabandon", anon(s) + ["--audit"] + extra)
        eq((r.rc, r.out), (1, ""), "%s: exit 1, nothing on stdout" % extra)
        matches(r.err, r"\Aldapabandon: --audit: runs its own operations: [^\n]*\n\Z", "%s: one line, why" % extra)
    r = run("ldapabandon", anon(s) + ["--audit", "--wait", "0", "--json"])
    eq((r.rc, r.out, r.err), (1, "", "ldapabandon: wait: the audit listens after each Abandon: a wait of 0 hears "
                              "nothing\n"), "--wait 0: refused")
    r = run("ldaptrace", anon(s) + ["--audit"])
    eq(r.rc, 1, "ldaptrace has no --audit")


@test
def a_server_that_is_not_there_is_an_error():
    audit_without_server("ldapabandon")


if __name__ == "__main__":
    tap_main()
