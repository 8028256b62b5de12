#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""--audit and signals: Ctrl-C or SIGTERM stops the check under way at
once (its run ends without an interrupt), the checks not over are skip
"stopped by SIGINT" (SIGTERM), the rows before are printed, text or JSON
(valid, "stopped": true), and the exit status is 130 (143); the same inside
a --count checklist and in each --each child. Each signal waits on the
server's log (the request of the check that holds), never on a sleep.
And the rest of an audit's life at a terminal: the status line names the
check under way, -v prefixes each check's steps with its id."""

import json
import os
import re
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import anon, audit_object, audit_results as results, run_with_tty, schema_valid  # noqa: E402

ABANDON_IDS = ["rootdse", "running-search", "abandon-msgid", "unknown-msgid", "completed-op", "connection-usable"]
CANCEL_IDS = ["rootdse", "running-search", "unknown-msgid", "cancel-response", "completed-op", "write-cancel",
              "persistent-search", "cannot-cancel-bind", "cannot-cancel-starttls", "cannot-cancel-unbind",
              "cannot-cancel-abandon", "cannot-cancel-cancel"]
NAME = {signal.SIGINT: "SIGINT", signal.SIGTERM: "SIGTERM"}
STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}
# abandon-probe-hold: rootdse and running-search are over when the
# unknown-msgid check's probe arrives and is never answered.
HELD = [("rootdse", "info"), ("running-search", "pass")] + [(i, "skip") for i in ABANDON_IDS[2:]]


def probe_held(fs):
    """The unknown-msgid check's probe (a search of the root DSE after the
    Abandon of an unused message ID) reached the fault server."""
    abandon = fs.wait_log(lambda rec: rec.get("op") == "abandon" and rec.get("abandon_id") == 1000000,
                          timeout=scaled(15))
    fs.wait_log(lambda rec: rec.get("op") == "search" and rec.get("conn") == abandon["conn"] and
                rec["msgid"] > abandon["msgid"], timeout=scaled(10))
    return abandon["conn"]


def held_audit(sig, args):
    """ldapabandon --audit against abandon-probe-hold, signalled once the
    probe is held: its result and the fault server's log."""
    with faultserver("abandon-probe-hold") as fs:
        with spawn("ldapabandon", ["-x", "-H", fs.uri, "--audit"] + list(args)) as p:
            conn = probe_held(fs)
            p.signal(sig)
            r = p.wait(timeout=10)
        return r, fs.uri, fs.settled_log(conn, timeout=scaled(10))


def stopped_reasons(j, sig):
    """Every skip says the signal; the checks that ran are not skip."""
    for c in j["checks"]:
        if c["result"] == "skip":
            eq(c.get("reason"), "stopped by %s" % NAME[sig], "%s: the reason" % c["id"])


@test
def ctrl_c_prints_the_rows_so_far_and_exits_130():
    r, uri, log = held_audit(signal.SIGINT, [])
    eq((r.rc, r.err), (130, ""), "exit status, stderr")
    lines = r.out.splitlines()
    eq(lines[:2], [uri, "  Abandon (RFC 4511 section 4.11) audit, 6 checks"], "the heading")
    rows = [l.split()[:2] for l in lines if l.startswith("  ") and not l.startswith("      ")][1:-1]
    eq([tuple(x[::-1]) for x in rows], HELD, "the rows before the signal, the rest skip")
    eq(sum(1 for l in lines if l == "      stopped by SIGINT"), 4, "each skip says why")
    eq(lines[-1], "  summary: 1 pass, 0 fail, 0 warn, 4 skip, 1 info; stopped before the last check was over",
       "the summary")
    # Stopped, not interrupted: nothing was sent after the held probe.
    probe = [rec for rec in log if rec.get("op") == "abandon" and rec.get("abandon_id") == 1000000][0]
    eq([rec["op"] for rec in log if rec.get("conn") == probe["conn"] and rec.get("msgid", 0) > probe["msgid"]],
        ["search", "unbind"], "after the probe, the unbind alone")
    eq(max(rec.get("conn", 0) for rec in log), probe["conn"], "no check began after the signal")


@test
def sigterm_json_is_valid_and_exits_143():
    r, uri, _ = held_audit(signal.SIGTERM, ["--json"])
    eq((r.rc, r.err), (143, ""), "exit status, stderr")
    j = audit_object(r, "ldapabandon", ABANDON_IDS, "SIGTERM")
    eq(results(j), HELD, "the rows before the signal, the rest skip")
    stopped_reasons(j, signal.SIGTERM)
    eq((j["stopped"], j["uri"]), (True, uri), "stopped, the server")


@test
def ctrl_c_stops_a_count_inside_its_checklist():
    with faultserver("abandon-probe-hold") as fs:
        with spawn("ldapabandon", ["-x", "-H", fs.uri, "--audit", "--count", "3", "--json"]) as p:
            probe_held(fs)
            p.signal(signal.SIGINT)
            r = p.wait(timeout=10)
    eq((r.rc, r.err), (130, ""), "exit status, stderr")
    j = r.json
    schema_valid("audit-stats", j, "--count")
    eq((j["runs"], j["stopped"], j["exit"]), (1, True, 130), "one checklist begun, stopped")
    eq([(c["id"], c["results"]) for c in j["checks"]], [(i, {v: 1}) for i, v in HELD],
       "the one checklist's rows: those before the signal, the rest skip")


@test
def ctrl_c_under_each_stops_every_server_coherently():
    with faultserver("abandon-probe-hold") as a, faultserver("abandon-probe-hold") as b:
        args = ["-x", "--audit", "--json", "--each", a.uri, "--each", b.uri]
        with spawn("ldapabandon", args) as p:
            probe_held(a)
            probe_held(b)
            p.signal(signal.SIGINT, group=True)  # as the terminal sends it
            r = p.wait(timeout=20)
    eq(r.rc, 130, "exit status")
    objs = [json.loads(l) for l in r.out.splitlines() if l.strip()]
    eq(len(objs), 3, "one object per server, then the matrix")
    for j, uri in zip(objs, (a.uri, b.uri)):
        schema_valid("audit", j, uri)
        eq((j["uri"], j["exit"], j["stopped"]), (uri, 130, True), "%s: stopped once, by SIGINT" % uri)
        eq(results(j), HELD, "%s: the rows before the signal" % uri)
        stopped_reasons(j, signal.SIGINT)
    m = objs[2]
    schema_valid("matrix", m, "matrix")
    eq((m["stopped"], m["exit"]), (True, 130), "the matrix: stopped, 130")


@test
def ctrl_c_against_slapd_stops_ldapabandon_between_its_checks():
    s = slapd()
    since = s.log_offset()
    with spawn("ldapabandon", anon(s) + ["--audit", "--json"]) as p:
        s.wait_for_log(r"ABANDON msg=1000000", timeout=15, since=since)
        p.signal(signal.SIGINT)
        r = p.wait(timeout=10)
    eq((r.rc, r.err), (130, ""), "exit status, stderr")
    j = audit_object(r, "ldapabandon", ABANDON_IDS, "slapd")
    got = dict(results(j))
    eq((got["rootdse"], got["running-search"]), ("info", "pass"), "the checks before the signal")
    # unknown-msgid listens 1 s after its Abandon: it or a later check was
    # under way; abandon-msgid, judged last, is always left.
    eq(got["abandon-msgid"], "skip", "abandon-msgid: not judged")
    ok(set(got.values()) <= {"info", "pass", "skip"}, "nothing failed: %r" % got)
    stopped_reasons(j, signal.SIGINT)
    eq(j["stopped"], True, "stopped")


@test
def sigterm_against_slapd_stops_ldapabandon_between_its_checks():
    s = slapd()
    since = s.log_offset()
    with spawn("ldapabandon", anon(s) + ["--audit"]) as p:
        s.wait_for_log(r"ABANDON msg=1000000", timeout=15, since=since)
        p.signal(signal.SIGTERM)
        r = p.wait(timeout=10)
    eq((r.rc, r.err), (143, ""), "exit status, stderr")
    lines = r.out.splitlines()
    ok("      stopped by SIGTERM" in lines, "a skip says why")
    ok(lines[-1].endswith("; stopped before the last check was over"), "the summary: %r" % lines[-1])


@test
def sigterm_in_ldapcancels_first_check_skips_all_but_the_facts():
    # The root DSE's search is never answered: the first check holds.
    with faultserver("silent") as fs:
        with spawn("ldapcancel", ["-x", "-H", fs.uri, "--audit", "--json"]) as p:
            search = fs.wait_log(lambda rec: rec.get("op") == "search", timeout=scaled(10))
            p.signal(signal.SIGTERM)
            r = p.wait(timeout=10)
        log = fs.settled_log(search["conn"], timeout=scaled(10))
    eq((r.rc, r.err), (143, ""), "exit status, stderr")
    j = audit_object(r, "ldapcancel", CANCEL_IDS, "silent")
    eq((j["stopped"], j["uri"]), (True, fs.uri), "stopped, the server named")
    cannot = [c for c in j["checks"] if c["id"].startswith("cannot-")]
    stopped_reasons({"checks": [c for c in j["checks"] if c not in cannot]}, signal.SIGTERM)
    eq({c["result"] for c in j["checks"]}, {"skip"}, "every row skip")
    ok(all(not c["reason"].startswith("stopped") for c in cannot), "the cannot-cancel rows: their own reasons")
    eq([rec["op"] for rec in log if "op" in rec], ["bind", "search", "unbind"],
       "stopped, not interrupted: no Abandon, no Cancel, the unbind")


@test
def a_stopped_write_check_puts_its_entry_back():
    dn = "cn=audit,dc=example,dc=com"
    with faultserver("write-held") as fs:
        with spawn("ldapcancel", ["-x", "-H", fs.uri, "--audit", "--json", "--audit-base", dn]) as p:
            modify = fs.wait_log(lambda rec: rec.get("op") == "modify", timeout=scaled(15))
            fs.wait_log(lambda rec: rec.get("op") == "extended" and rec.get("conn") == modify["conn"],
                        timeout=scaled(10))
            p.signal(signal.SIGINT)
            r = p.wait(timeout=15)
        log = fs.log()
    eq((r.rc, r.err), (130, ""), "exit status, stderr")
    j = audit_object(r, "ldapcancel", CANCEL_IDS, "write-held")
    got = dict(results(j))
    # The fault server's root DSE names no naming context: no running search.
    eq([got[i] for i in CANCEL_IDS[:5]], ["info", "skip", "pass", "pass", "pass"], "the checks before the write")
    stopped_reasons({"checks": j["checks"][5:7]}, signal.SIGINT)
    ok(not j["checks"][1]["reason"].startswith("stopped"), "running-search: its own reason")
    write = [c for c in j["checks"] if c["id"] == "write-cancel"][0]
    eq((write["result"], write["reason"], write["evidence"].get("restored")), ("skip", "stopped by SIGINT", 1),
       "write-cancel: stopped, the entry put back")
    eq(got["persistent-search"], "skip", "persistent-search: not begun")
    later = [rec for rec in log if rec.get("op") == "modify" and rec["conn"] > modify["conn"]]
    eq([rec["dn"] for rec in later], [dn], "one modify after the held one: the put-back")


@test
def a_second_signal_kills_an_audit_whose_bind_never_ends():
    # The first signal waits for the bind, which never ends; the second
    # (another signal, so that the two cannot merge) is the way out.
    with faultserver("silent-bind") as fs:
        with spawn("ldapabandon", ["-x", "-H", fs.uri, "--audit"]) as p:
            fs.wait_log(lambda rec: rec.get("op") == "bind", timeout=scaled(10))
            p.signal(signal.SIGINT)
            p.signal(signal.SIGTERM)
            r = p.wait(timeout=10)
    ok(r.rc in (-signal.SIGINT, -signal.SIGTERM), "killed by the signal: %r" % r.rc)
    eq((r.out, r.err), ("", ""), "nothing printed")


ERASE = "\r\x1b[K"


@test
def the_status_line_names_the_check_and_what_it_does():
    s = slapd()
    rc, screen = run_with_tty([tool_path("ldapabandon")] + anon(s) + ["--audit"], b"", timeout=30, columns=200)
    eq(rc, 0, "exit status")
    drawn = re.findall(re.escape(ERASE) + r"(ldapabandon: audit [^\r\n]*)", screen)
    ok(drawn, "a status was shown")
    shape = re.compile(r"^ldapabandon: audit ([1-6])/6 ([a-z-]+): (connecting|binding|running|waiting for the result|"
                       r"listening) \d+\.\ds$")
    bad = [d for d in drawn if not shape.match(d)]
    eq(bad, [], "every status: the check, its row of 6, what its run does, for how long")
    rows = [(int(shape.match(d).group(1)), shape.match(d).group(2)) for d in drawn]
    eq(sorted(set(rows)), sorted(set(rows), key=rows.index), "the checks in the order they run")
    ok((2, "running-search") in rows and (4, "unknown-msgid") in rows,
       "each check listening 1 s after its Abandon shows: %r" % sorted(set(rows)))
    ok(any(d.startswith("ldapabandon: audit 2/6 running-search: listening") for d in drawn),
       "the running search's listening shows")
    last = screen.rfind("ldapabandon: audit ")
    erase = screen.find(ERASE, last)
    gt(erase, last, "the last status was erased")
    eq(screen[erase + len(ERASE):].split("\r\n")[0], s.uri, "then the rows")
    rc, screen = run_with_tty([tool_path("ldapabandon")] + anon(s) + ["--audit", "--json"], b"", timeout=30)
    eq(rc, 0, "--json: exit status")
    not_contains(screen, "audit 1/6", "--json: no status line")


@test
def verbose_prefixes_each_checks_steps_with_its_id():
    s = slapd()
    r = run("ldapabandon", anon(s) + ["--audit", "-v"])
    eq(r.rc, 0, "exit status")
    lines = r.err.splitlines()
    prefixes = [re.match(r"^ldapabandon: ([a-z-]+): ", l) for l in lines]
    eq([l for l, m in zip(lines, prefixes) if not m], [], "every line: the tool, the check's id")
    ids = [m.group(1) for m in prefixes]
    eq(sorted(set(ids), key=ids.index), ["rootdse", "running-search", "unknown-msgid", "completed-op",
                                         "connection-usable"], "each check that runs, in order")
    for i in set(ids):
        ok("ldapabandon: %s: bound" % i in lines, "%s: its steps as a single run's" % i)
    eq(r.out.splitlines()[-1], "  summary: 5 pass, 0 fail, 0 warn, 0 skip, 1 info", "the rows on stdout, as without -v")


if __name__ == "__main__":
    tap_main()
