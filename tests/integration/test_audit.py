#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""ldapcancel --audit: the checks of RFC 3909 against the test slapd (every
one that applies passes; with --audit-base the write checks too, on an
entry of ou=scratch whose values come back) and against fault server
scenarios that break one rule each (exactly that check fails); the rows,
the exit status, the JSON object validated against docs/schema/audit.json,
and the command line's refusals."""

import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import admin, anon, audit_check as check, audit_object, audit_results as results  # noqa: E402
from litools import audit_without_server  # noqa: E402

BASE = "dc=example,dc=com"
CANNOT = ["cannot-cancel-bind", "cannot-cancel-starttls", "cannot-cancel-unbind", "cannot-cancel-abandon",
          "cannot-cancel-cancel"]
IDS = ["rootdse", "running-search", "unknown-msgid", "cancel-response", "completed-op", "write-cancel",
       "persistent-search"] + CANNOT
# the checks that slapd and the fault server leave skipped, whatever the options
ALWAYS_SKIPPED = set(CANNOT)
EXIT_AUDIT_FAILED = 9
NO_AUDIT_BASE = "no --audit-base: write checks are not run"
NO_AUDIT_BASE_PSEARCH = "no --audit-base: the Cancel waits for a change to that entry, the proof that the refresh is over"
NO_SYNC = "the root DSE does not list the Sync control (1.3.6.1.4.1.4203.1.9.1.1) in supportedControl"
FAULT_ENTRY = "cn=audit,dc=example,dc=com"   # faultserver.py's AUDIT_ENTRY_DN


def audit_json(r, what):
    """The one object, valid against the schema, its exit the status."""
    return audit_object(r, "ldapcancel", IDS, what)


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
    eq(results(j), [(i, "skip" if i in ALWAYS_SKIPPED or i in ("write-cancel", "persistent-search") else "pass")
                    for i in IDS], "every check passes but the write checks and the unprovokable ones")
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
    # the WhoAmI's result is in before the Cancel is sent: slapd has ended it
    # (119) or ends it while the Cancel waits (120)
    ev = check(j, "completed-op")["evidence"]
    ok(ev in ({"op_code": 0, "cancel_code": 119}, {"op_code": 0, "cancel_code": 120}), "completed-op evidence: %r" % ev)
    ok(all("reason" not in c for c in j["checks"] if c["result"] == "pass"), "no reasons when a check passes")
    eq((check(j, "write-cancel")["reason"], check(j, "write-cancel")["evidence"]), (NO_AUDIT_BASE, {}),
       "write-cancel: skipped without --audit-base")
    eq(check(j, "persistent-search")["reason"], NO_AUDIT_BASE_PSEARCH, "persistent-search: skipped, and why")
    for cid in CANNOT:
        contains(check(j, cid)["reason"], "RFC 4511 section" if cid in CANNOT[:3] else "timing alone",
                 "%s: why it is not provoked" % cid)


@test
def slapd_text_rows():
    s = slapd()
    r = run("ldapcancel", admin(s) + ["--audit", "-b", "ou=people," + BASE])
    eq((r.rc, r.err), (0, ""), "exit status, stderr")
    lines = r.out.splitlines()
    eq(lines[:2], [s.uri, "  Cancel (RFC 3909) audit, %d checks" % len(IDS)], "the heading")
    rows = [l.split()[:2] for l in lines if l.startswith("  ") and not l.startswith("      ")][1:-1]
    eq(rows, [["skip" if i in ALWAYS_SKIPPED or i in ("write-cancel", "persistent-search") else "pass", i]
              for i in IDS], "one row per check: result and id")
    contains(r.out, 'base="ou=people,%s" entries_before_cancel=2 ' % BASE, "the -b base in the evidence")
    contains(r.out, "(RFC 3909 section 2.2)", "the RFC clause")
    contains(r.out, "\n  skip  cannot-cancel-starttls  a Cancel of a StartTLS in flight", "ids line up")
    eq(lines[-1], "  summary: 5 pass, 0 fail, 0 warn, 7 skip, 0 info", "the summary line")


def scratch_entry(s, values):
    """A new entry below ou=scratch with these description values."""
    cn = "audit-" + uuid.uuid4().hex[:8]
    dn = "cn=%s,ou=scratch,%s" % (cn, BASE)
    ldif = "dn: %s\nobjectClass: person\ncn: %s\nsn: audit\n%s" % (
        dn, cn, "".join("description: %s\n" % v for v in values))
    r = run("ldapadd", admin(s), stdin=ldif)
    eq(r.rc, 0, "ldapadd %s" % dn)
    return dn


def descriptions(s, dn):
    r = run("ldapsearch", admin(s) + ["-LLL", "-o", "ldif_wrap=no", "-s", "base", "-b", dn, "description"])
    eq(r.rc, 0, "ldapsearch %s" % dn)
    return sorted(l[len("description: "):] for l in r.out.splitlines() if l.startswith("description: "))


@test
def slapd_write_checks_pass_and_put_the_values_back():
    s = slapd()
    for values in ([], ["first value", "second value"]):
        dn = scratch_entry(s, values)
        r = run("ldapcancel", admin(s) + ["--audit", "--json", "--audit-base", dn])
        eq((r.rc, r.err), (0, ""), "%s: exit status, stderr" % values)
        j = audit_json(r, "slapd --audit-base")
        eq(results(j)[:5], [(i, "pass") for i in IDS[:5]], "%s: the checks before the write checks pass" % values)
        w = check(j, "write-cancel")
        ev = w["evidence"]
        # slapd's modify runs to its end: the Cancel finds it running (tooLate,
        # pass) or, when slapd read the Cancel after the modify ended, finds
        # nothing (noSuchOperation): that is the timing, judged info.
        code = ev.get("cancel_code")
        if code == 120:
            eq((w["result"], "reason" in w), ("pass", False), "%s: write-cancel passes on tooLate" % values)
        else:
            eq((w["result"], w.get("reason"), code), ("info", "the modify had ended when the server read the Cancel "
                                                      "(noSuchOperation): the timing decided, nothing to judge", 119),
               "%s: write-cancel is info on noSuchOperation" % values)
        eq((ev["dn"], ev["op_code"], ev["applied"], ev["restored"]), (dn, 0, 1, 1),
           "%s: write-cancel evidence: the modify succeeded, the change was made, then undone" % values)
        p = check(j, "persistent-search")
        eq(p["result"], "pass", "%s: persistent-search passes" % values)
        ev = p["evidence"]
        eq((ev["refresh_entries"], ev["persist_entries"], ev["op_code"], ev["cancel_code"], ev["after_result"],
            ev["restored"]), (1, 1, 118, 0, 0, 1), "%s: persistent-search evidence" % values)
        eq(results(j)[len(IDS) - len(CANNOT):], [(i, "skip") for i in CANNOT], "%s: the rest" % values)
        eq(descriptions(s, dn), sorted(values), "%s: the entry's values are back" % values)


@test
def slapd_write_checks_skip_what_they_cannot_do():
    s = slapd()
    missing = "cn=missing-%s,ou=scratch,%s" % (uuid.uuid4().hex[:8], BASE)
    r = run("ldapcancel", admin(s) + ["--audit", "--json", "--audit-base", missing])
    eq((r.rc, r.err), (0, ""), "a missing entry: exit status, stderr")
    j = audit_json(r, "missing entry")
    for cid in ("write-cancel", "persistent-search"):
        eq((check(j, cid)["result"], check(j, cid)["reason"]), ("skip", "the entry could not be read: noSuchObject (32)"),
           "a missing entry: %s skipped" % cid)
    dn = scratch_entry(s, ["kept"])
    r = run("ldapcancel", anon(s) + ["--audit", "--json", "--audit-base", dn])
    eq((r.rc, r.err), (0, ""), "anonymous: exit status, stderr")
    j = audit_json(r, "anonymous")
    w = check(j, "write-cancel")
    eq((w["result"], w["reason"], w["evidence"]["op_code"], "restored" in w["evidence"]),
       ("skip", "the modify was refused: strongerAuthRequired (8); name an entry the bind may modify", 8, False),
       "anonymous: write-cancel skipped, nothing to put back")
    p = check(j, "persistent-search")
    eq((p["result"], p["reason"], p["evidence"]), ("skip", "the change that starts the persist phase was refused; "
                                                   "name an entry the bind may modify", {}),
       "anonymous: persistent-search stopped without a Cancel")
    eq(descriptions(s, dn), ["kept"], "anonymous: the entry is unchanged")


@test
def no_cancel_is_unsupported_after_one_cancel():
    r, j, log = fault_audit("no-cancel", ["--audit-base", FAULT_ENTRY])
    eq(r.rc, 2, "exit status 2: unsupported")
    eq(j["unsupported"], True, "unsupported")
    eq(results(j), [("rootdse", "pass"), ("running-search", "fail")] + [(i, "skip") for i in IDS[2:]], "the rows")
    eq(check(j, "running-search")["reason"], "the server does not implement Cancel: it answered protocolError (2)",
       "why")
    for cid in IDS[2:]:
        eq(check(j, cid)["reason"], "the server does not implement Cancel", "%s: why it is skipped" % cid)
    eq(len(cancels(log)), 1, "one Cancel sent in all")
    eq([rec for rec in log if rec.get("op") == "modify"], [], "no write")


@test
def no_cancel_without_a_search_is_unsupported_after_one_cancel():
    # no naming context and no -b: no search runs, the unknown message ID's
    # Cancel is the one round trip that finds Cancel missing
    with faultserver("no-cancel") as fs:
        r = run("ldapcancel", ["-x", "-H", fs.uri, "--audit", "--json"])
        log = fs.log()
    eq((r.rc, r.err), (2, ""), "exit status 2, nothing on stderr")
    j = audit_json(r, "no-cancel without -b")
    eq(j["unsupported"], True, "unsupported")
    eq(results(j), [("rootdse", "pass"), ("running-search", "skip"), ("unknown-msgid", "fail")]
       + [(i, "skip") for i in IDS[3:]], "the rows")
    eq(check(j, "unknown-msgid")["reason"], "the server does not implement Cancel: it answered protocolError (2)",
       "why")
    eq([check(j, i)["reason"] for i in IDS[3:]], ["the server does not implement Cancel"] * len(IDS[3:]),
       "why the rest is skipped")
    eq(len(cancels(log)), 1, "one Cancel sent in all")


def expected_rows(failing=None, passing=()):
    """A fault server that does not advertise Cancel yet answers it: rootdse
    warns; the write checks skip unless in `passing` (or failing)."""
    rows = []
    for i in IDS:
        if i == "rootdse":
            rows.append((i, "warn"))
        elif i == failing:
            rows.append((i, "fail"))
        elif i in ALWAYS_SKIPPED or (i in ("write-cancel", "persistent-search") and i not in passing):
            rows.append((i, "skip"))
        else:
            rows.append((i, "pass"))
    return rows


# scenario: the check that fails and why; the server does not advertise
# Cancel yet answers it, so rootdse warns; the other checks pass.
ONE_RULE_BROKEN = {
    "cancel-118": ("running-search", "the Cancel was answered canceled (118), not success (0)", (), ()),
    "cancel-119": ("running-search", "the search did not end (no-such-operation)", (), ()),
    "cancel-named": ("cancel-response", "the response carries a responseName", (), ()),
    "unknown-121": ("unknown-msgid", "the Cancel was answered cannotCancel (121), not noSuchOperation (119)", (), ()),
    "completed-118": ("completed-op", "the Cancel was answered canceled (118), not noSuchOperation (119) or tooLate (120)",
                      (), ()),
    "completed-0": ("completed-op", "the Cancel was answered success (0), not noSuchOperation (119) or tooLate (120)",
                    (), ()),
    "write-canceled-applied": ("write-cancel", "the modify was cancelled, yet the change was made",
                               ("--audit-base", FAULT_ENTRY), ()),
    "write-too-late-unapplied": ("write-cancel", "the modify was too late to cancel, yet the change was not made",
                                 ("--audit-base", FAULT_ENTRY), ()),
    "sync-too-late": ("persistent-search", "the search ended with success (0), not canceled (118)",
                      ("--audit-base", FAULT_ENTRY), ("write-cancel",)),
}


@test
def a_broken_rule_fails_exactly_its_check():
    for scenario, (failing, reason, args, passing) in sorted(ONE_RULE_BROKEN.items()):
        r, j, _ = fault_audit(scenario, args)
        eq(r.rc, EXIT_AUDIT_FAILED, "%s: exit status 9, a check failed" % scenario)
        eq(results(j), expected_rows(failing, passing), "%s: the rows" % scenario)
        eq(check(j, failing)["reason"], reason, "%s: why" % scenario)
        eq(check(j, "rootdse")["reason"], "Cancel is not advertised, yet the server answers it",
           "%s: the warning" % scenario)
        if not scenario.startswith("sync"):
            eq(check(j, "persistent-search")["reason"], NO_SYNC, "%s: no Sync control, no persistent search" % scenario)
        if failing == "write-cancel":
            ev = check(j, "write-cancel")["evidence"]
            eq((ev["op_code"], ev["cancel_code"], ev["applied"], ev["restored"]),
               (118, 0, 1, 1) if scenario == "write-canceled-applied" else (0, 120, 0, 1), "%s: the evidence" % scenario)
        if scenario == "cancel-named":
            eq(check(j, "cancel-response")["evidence"]["response_name"], 1, "cancel-named: the evidence")
        if failing == "completed-op":
            eq(check(j, "completed-op")["evidence"], {"op_code": 0, "cancel_code": 118 if scenario == "completed-118" else 0},
               "%s: the evidence" % scenario)


@test
def a_cancelled_write_left_undone_passes():
    r, j, log = fault_audit("write-canceled", ["--audit-base", FAULT_ENTRY])
    eq(r.rc, 0, "exit status")
    eq(results(j), expected_rows(passing=("write-cancel",)), "the rows")
    ev = check(j, "write-cancel")["evidence"]
    eq((ev["dn"], ev["op_code"], ev["cancel_code"], ev["applied"], ev["restored"]), (FAULT_ENTRY, 118, 0, 0, 1),
       "canceled (118), the change not made, the value put back")
    mods = [rec for rec in log if rec.get("op") == "modify"]
    eq([m["dn"] for m in mods], [FAULT_ENTRY, FAULT_ENTRY], "two modifies: the cancelled one, the put-back")


def sync_connection(log):
    """The connection of the persistent search (the Sync control's)."""
    return next(rec["conn"] for rec in log if rec.get("op") == "search"
                and any(c.rstrip("!") == "1.3.6.1.4.1.4203.1.9.1.1" for c in rec.get("controls", [])))


@test
def a_persistent_search_is_cancelled_only_once_the_change_reached_it():
    r, j, log = fault_audit("sync", ["--audit-base", FAULT_ENTRY])
    eq(r.rc, 0, "exit status")
    eq(results(j), expected_rows(passing=("write-cancel", "persistent-search")), "the rows")
    ev = check(j, "persistent-search")["evidence"]
    eq((ev["refresh_entries"], ev["persist_entries"], ev["op_code"], ev["cancel_code"], ev["after_result"],
        ev["restored"]), (1, 1, 118, 0, 0, 1), "the evidence")
    conn = sync_connection(log)
    search = next(rec for rec in log if rec.get("conn") == conn and rec.get("op") == "search")
    cancel = [rec for rec in log if rec.get("conn") == conn and rec.get("op") == "extended"]
    eq(len(cancel), 1, "one Cancel on the search's connection")
    change = [rec for rec in log if rec.get("op") == "modify" and search["t"] < rec["t"] < cancel[0]["t"]]
    eq(len(change), 1, "between the search and its Cancel, the change")


@test
def a_refresh_that_never_ends_gets_no_cancel():
    with faultserver("sync-stalled") as fs:
        r = run("ldapcancel", ["-x", "-H", fs.uri, "--audit", "--json", "-b", BASE, "--audit-base", FAULT_ENTRY],
                timeout=60)
        log = fs.log()
    eq((r.rc, r.err), (0, ""), "exit status, stderr")
    j = audit_json(r, "sync-stalled")
    eq(results(j), expected_rows(passing=("write-cancel",)), "the rows")
    eq(check(j, "persistent-search")["reason"], "the refresh did not end within 10 s: no Cancel is sent during a "
       "refresh", "why")
    conn = sync_connection(log)
    eq([rec for rec in log if rec.get("conn") == conn and rec.get("op") in ("extended", "abandon")], [],
       "no Cancel, no Abandon on the search's connection")
    eq([rec for rec in log if rec.get("op") == "modify" and rec["t"] > min(
        rec2["t"] for rec2 in log if rec2.get("conn") == conn)], [], "no change once the search began")


@test
def unadvertised_cancel_only_warns():
    r, j, _ = fault_audit("endless")
    eq(r.rc, 0, "a warning is no failure: exit 0")
    eq(results(j), expected_rows(), "the rows")


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
    r = run("ldapcancel", anon(s) + ["--audit-base", "cn=x," + BASE])
    eq((r.rc, r.out, r.err), (1, "", "ldapcancel: --audit-base: names the entry --audit's write checks modify: give "
                              "it with --audit\n"), "--audit-base without --audit")
    r = run("ldapcancel", anon(s) + ["--audit", "--audit-base", "not a DN"])
    eq((r.rc, r.out, r.err), (1, "", "ldapcancel: --audit-base: 'not a DN' is not a valid DN\n"),
       "--audit-base: a bad DN")


@test
def a_server_that_is_not_there_is_an_error():
    audit_without_server("ldapcancel")


if __name__ == "__main__":
    tap_main()
