#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""ldapcancel --audit: the checks of RFC 3909 against the test slapd (every
one passes) and against fault server scenarios that break one rule each
(exactly that check fails); the rows, the exit status, the JSON object
validated against docs/schema/audit.json, and the command line's refusals."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import admin, anon  # noqa: E402

try:
    import jsonschema
except ImportError:
    jsonschema = None

BASE = "dc=example,dc=com"
IDS = ["rootdse", "running-search", "unknown-msgid", "cancel-response"]
EXIT_AUDIT_FAILED = 9


def valid(kind, j, what):
    """j is valid against docs/schema/KIND.json (when python3-jsonschema is there)."""
    if jsonschema is None:
        return
    with open(os.path.join(SRCDIR, "docs", "schema", kind + ".json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = ["%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message)
              for e in jsonschema.Draft202012Validator(schema).iter_errors(j)]
    eq(errors, [], "%s: valid against docs/schema/%s.json" % (what, kind))


def audit_json(r, what):
    """The one object, valid against the schema, its exit the status."""
    j = r.json
    if j is None:
        fail("%s: stdout is not one JSON object: %r" % (what, r.out[:500]))
    valid("audit", j, what)
    eq((j["tool"], j["audit"], j["exit"]), ("ldapcancel", "cancel", r.rc), "%s: tool, audit, exit" % what)
    eq([c["id"] for c in j["checks"]], IDS, "%s: the checks, in order" % what)
    counts = {k: sum(1 for c in j["checks"] if c["result"] == k) for k in ("pass", "fail", "warn", "skip", "info")}
    eq(j["summary"], counts, "%s: the summary counts the rows" % what)
    return j


def results(j):
    return [(c["id"], c["result"]) for c in j["checks"]]


def check(j, cid):
    return next(c for c in j["checks"] if c["id"] == cid)


def fault_audit(scenario, args=()):
    with faultserver(scenario) as fs:
        r = run("ldapcancel", ["-x", "-H", fs.uri, "--audit", "--json", "-b", BASE] + list(args))
        le(r.elapsed, scaled(5), "the audit ended within 5 s")
        log = fs.log()
    eq(r.err, "", "nothing on stderr")
    return r, audit_json(r, scenario), log


def cancels(log):
    return [rec for rec in log if rec.get("op") == "extended"]


@test
def slapd_passes_every_check():
    s = slapd()
    r = run("ldapcancel", anon(s) + ["--audit", "--json"])
    eq(r.rc, 0, "exit status")
    j = audit_json(r, "slapd")
    eq(results(j), [(i, "pass") for i in IDS], "every check passes")
    eq(j["uri"], s.uri, "uri")
    eq(j["unsupported"], False, "unsupported")
    eq(check(j, "rootdse")["evidence"], {"advertised": 1, "naming_context": BASE}, "rootdse evidence")
    ev = check(j, "running-search")["evidence"]
    eq((ev["base"], ev["entries_before_cancel"], ev["op_code"], ev["cancel_code"], ev["after_result"]),
       (BASE, 2, 118, 0, 0), "running-search: base, entries before, codes, nothing after the result")
    ok(0 <= ev["cancel_to_result_us"] < 5000000, "cancel_to_result_us is a time: %r" % ev["cancel_to_result_us"])
    eq(check(j, "unknown-msgid")["evidence"], {"msgid": 1000000, "cancel_code": 119}, "unknown-msgid evidence")
    ev = check(j, "cancel-response")["evidence"]
    eq((ev["response_msgid"] == ev["request_msgid"], ev["response_name"], ev["response_value"]), (True, 0, 0),
       "cancel-response evidence")
    ok(all("reason" not in c for c in j["checks"]), "no reasons when everything passes")


@test
def slapd_text_rows():
    s = slapd()
    r = run("ldapcancel", admin(s) + ["--audit", "-b", "ou=people," + BASE])
    eq((r.rc, r.err), (0, ""), "exit status, stderr")
    lines = r.out.splitlines()
    eq(lines[:2], [s.uri, "  Cancel (RFC 3909) audit, 4 checks"], "the heading")
    rows = [l.split()[:2] for l in lines if l.startswith("  ") and not l.startswith("      ")][1:-1]
    eq(rows, [["pass", i] for i in IDS], "one row per check: result and id")
    contains(r.out, 'base="ou=people,%s" entries_before_cancel=2 ' % BASE, "the -b base in the evidence")
    contains(r.out, "(RFC 3909 section 2.2)", "the RFC clause")
    eq(lines[-1], "  summary: 4 pass, 0 fail, 0 warn, 0 skip, 0 info", "the summary line")


@test
def no_cancel_is_unsupported_after_one_cancel():
    r, j, log = fault_audit("no-cancel")
    eq(r.rc, 2, "exit status 2: unsupported")
    eq(j["unsupported"], True, "unsupported")
    eq(results(j), [("rootdse", "pass"), ("running-search", "fail"), ("unknown-msgid", "skip"),
                    ("cancel-response", "skip")], "the rows")
    eq(check(j, "running-search")["reason"], "the server does not implement Cancel: it answered protocolError (2)",
       "why")
    eq(check(j, "unknown-msgid")["reason"], "the server does not implement Cancel", "why the rest is skipped")
    eq(len(cancels(log)), 1, "one Cancel sent in all")


# scenario: the check that fails and why; the server does not advertise
# Cancel yet answers it, so rootdse warns; the other checks pass.
ONE_RULE_BROKEN = {
    "cancel-118": ("running-search", "the Cancel was answered canceled (118), not success (0)"),
    "cancel-119": ("running-search", "the search did not end (no-such-operation)"),
    "cancel-named": ("cancel-response", "the response carries a responseName"),
}


@test
def a_broken_rule_fails_exactly_its_check():
    for scenario, (failing, reason) in sorted(ONE_RULE_BROKEN.items()):
        r, j, _ = fault_audit(scenario)
        eq(r.rc, EXIT_AUDIT_FAILED, "%s: exit status 9, a check failed" % scenario)
        expected = [(i, "warn" if i == "rootdse" else "fail" if i == failing else "pass") for i in IDS]
        eq(results(j), expected, "%s: the rows" % scenario)
        eq(check(j, failing)["reason"], reason, "%s: why" % scenario)
        eq(check(j, "rootdse")["reason"], "Cancel is not advertised, yet the server answers it",
           "%s: the warning" % scenario)
    eq(check(j, "cancel-response")["evidence"]["response_name"], 1, "cancel-named: the evidence")


@test
def unadvertised_cancel_only_warns():
    r, j, _ = fault_audit("endless")
    eq(r.rc, 0, "a warning is no failure: exit 0")
    eq(results(j), [("rootdse", "warn"), ("running-search", "pass"), ("unknown-msgid", "pass"),
                    ("cancel-response", "pass")], "the rows")


@test
def a_search_too_short_is_skipped():
    r, j, _ = fault_audit("normal")
    eq(r.rc, 0, "exit status")
    eq(check(j, "running-search")["result"], "skip", "running-search skipped")
    contains(check(j, "running-search")["reason"], "give -b naming a larger subtree", "what to do")


@test
def audit_refuses_an_operation_of_its_own():
    s = slapd()
    for extra in (["--msgid", "5"], ["--op", "search"], ["--after-entries", "3"], ["-LLL"], ["-n"],
                  ["(cn=x)"]):
        r = run("ldapcancel", anon(s) + ["--audit"] + extra)
        eq((r.rc, r.out), (1, ""), "%s: exit 1, nothing on stdout" % extra)
        eq(r.err.count("\n"), 1, "%s: one line on stderr" % extra)
        contains(r.err, "ldapcancel: --audit: runs its own operations", "%s: says why" % extra)
    r = run("ldapabandon", anon(s) + ["--audit"])
    eq(r.rc, 1, "ldapabandon has no --audit")


@test
def a_server_that_is_not_there_is_an_error():
    with faultserver("normal") as fs:
        uri = fs.uri
    r = run("ldapcancel", ["-x", "-H", uri, "--audit", "--json"])
    eq(r.rc, 255, "exit status: Can't contact LDAP server")
    eq(r.err.splitlines()[0].startswith("ldapcancel: "), True, "an error line on stderr")
    j = r.json or {}
    valid("error", j, "the error object")
    eq((j.get("tool"), j.get("uri"), j.get("outcome"), j.get("exit")), ("ldapcancel", uri, "error", 255),
       "the error object: tool, uri, outcome, exit")


if __name__ == "__main__":
    tap_main()
