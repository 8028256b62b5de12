#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""--timeout DURATION: no run outlives it, whatever the server does.

Each test runs a tool against a fault server scenario that never lets the
run end on its own (tests/fixture/faultserver.py: a TLS handshake that never
completes, a bind or a search never answered, a trigger that never fires,
entries that keep coming after an abandon), or against the test slapd, and
checks the exact outcome, trigger and exit status, and that the tool exited
within DURATION + 1 s (wall time of the whole process)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import check_report, last_line, persistent_search  # noqa: E402

BASE = "dc=example,dc=com"
TOOLS = ("ldapcancel", "ldapabandon", "ldaptrace")
# The promise is DURATION + 1 s. Under the sanitizers the leak scan at exit
# takes seconds (more with OpenSSL's heap) that are not the run's: there the
# wall time only shows there is no hang, and the server's log, when the
# connection closed, shows the deadline.
SLACK = 8.0 if os.environ.get("LI_SANITIZED") else 1.0


def bounded(r, duration, what=""):
    """Exited by itself within DURATION + 1 s, and not long before DURATION."""
    ok(r.signal is None, "%snot killed by a signal" % what)
    lt(r.elapsed, duration + scaled(SLACK), "%sexited within --timeout + %g s" % (what, SLACK))
    ge(r.elapsed, duration * 0.85, "%sran until the deadline neared" % what)


def search(scenario, tool, ms, args=()):
    """`tool -x -H <a fresh fault server> -b BASE args --timeout <ms>ms`,
    checked for the bound. Returns the Result."""
    with faultserver(scenario) as fs:
        r = run(tool, ["-x", "-H", fs.uri, "-b", BASE] + list(args) + ["--timeout", "%dms" % ms], timeout=30)
    bounded(r, ms / 1000.0)
    return r


def timed_out(r, tool, step):
    eq(r.rc, 251, "%s: exit status 251 (LDAP_TIMEOUT, -5)" % tool)
    if tool == "ldaptrace":
        # the trace so far: the messages sent and received, then the close
        matches(r.out, r"(?s)\A(.*\n)?\s+[0-9.]+ -> connection closed by the client\n\Z",
                "%s: the trace so far on stdout" % tool)
    else:
        eq(r.out, "", "%s: nothing on stdout" % tool)
    eq(r.err, "%s: %s: Timed out (-5)\n" % (tool, step), "%s: the one stderr line" % tool)


# --------------------------------------------------------------------------
# before the operation: connect, TLS, bind

@test
def tls_handshake_that_never_ends_is_cut_at_the_deadline():
    # libldap 2.5 gives the handshake no deadline of its own; --timeout ends
    # it long before the network timeout's 30 s: the server reads the
    # ClientHello and never writes.
    for tool in TOOLS:
        with faultserver("tls-silent") as fs:
            uri = "ldaps://127.0.0.1:%d" % fs.port
            r = run(tool, ["-x", "-H", uri, "-b", BASE, "-o", "nettimeout=30", "--timeout", "1500ms"],
                    timeout=20)
            bounded(r, 1.5, tool + ": ")
            timed_out(r, tool, "ldap_connect")
            opened = fs.wait_log(lambda rec: rec.get("event") == "open", timeout=5)
            closed = fs.wait_log(lambda rec: rec.get("event") == "closed", timeout=5)
            eq(closed.get("by"), "client", "%s: the client gave up the connection" % tool)
            lt(closed["t"] - opened["t"], 1.5 + scaled(1.0), "%s: ... within --timeout + 1 s of the connect" % tool)


@test
def nettimeout_bounds_a_tls_handshake_without_timeout():
    # No --timeout: the network timeout alone (libldap does not apply it to
    # the handshake) ends the connect, whichever way it is given.
    for opt in ("nettimeout=1", "network_timeout=1"):
        with faultserver("tls-silent") as fs:
            uri = "ldaps://127.0.0.1:%d" % fs.port
            r = run("ldapcancel", ["-x", "-H", uri, "-b", BASE, "-o", opt], timeout=20)
            bounded(r, 1.0, "-o %s: " % opt)
            timed_out(r, "ldapcancel", "ldap_connect")


@test
def bind_never_answered_is_cut_at_the_deadline():
    for tool in ("ldapcancel", "ldapabandon"):
        with faultserver("silent-bind") as fs:
            r = run(tool, ["-x", "-H", fs.uri, "-D", "cn=x", "-w", "secret", "-b", BASE, "--timeout", "1s"],
                    timeout=20)
            bounded(r, 1.0, tool + ": ")
            timed_out(r, tool, "ldap_result")
            # An Unbind may follow, when libldap's own wait ended first and
            # the connection was still there to close.
            ops = [rec.get("op") for rec in fs.log() if rec.get("op") not in (None, "unbind")]
            eq(ops, ["bind"], "%s: only the bind was sent" % tool)


@test
def server_that_accepts_and_never_answers_is_cut_at_the_deadline():
    with faultserver("slow-accept") as fs:
        r = run("ldapcancel", ["-x", "-H", fs.uri, "-D", "cn=x", "-w", "secret", "--timeout", "1200ms"],
                timeout=20)
    bounded(r, 1.2)
    timed_out(r, "ldapcancel", "ldap_result")


# --------------------------------------------------------------------------
# the trigger

@test
def trigger_that_never_fires_gives_way_to_the_timeout():
    # 3 entries and a search held open: --after-entries 10 never fires.
    # The cancel goes at nine tenths of the timeout; the server answers it.
    r = search("ignore-abandon", "ldapcancel", 2000, ["--after-entries", "10", "--json"])
    j = check_report(r, "ldapcancel", "canceled", "cancel")
    eq(j["interrupt"]["trigger"], "timeout", "interrupt.trigger")
    eq(j["entries_before"], 3, "entries_before")
    # Times count from the search's request; the deadline from the connect.
    le(j["interrupt"]["trigger_ms"], 1800.0, "the trigger fired at nine tenths of --timeout")
    gt(j["interrupt"]["trigger_ms"], 1500.0, "... not before")
    eq(j["timeout"], {"ms": 2000.0, "reached": True}, "timeout")
    eq(j["op_result"]["code"], 118, "op_result.code")


@test
def timeout_shorter_than_after_fires_first():
    r = search("ignore-abandon", "ldapcancel", 1000, ["--after", "1m"])
    eq(r.rc, 0, "exit status")
    matches(r.out, r"^  cancel of message 2 sent as message 3 at \d+\.\d+ ms \(trigger: --timeout 1 s;",
            "the text report names the trigger")
    eq(last_line(r.out)[:10], "canceled: ", "verdict")


@test
def persistent_search_with_too_few_matches_is_cancelled_at_the_timeout():
    # A real slapd: a refreshAndPersist search of a container where only 3
    # entries appear (after the refresh), --after-entries 10.
    s = slapd()
    r, _ = persistent_search(s, "ldapcancel", ["--after-entries", "10", "--timeout", "5s", "--json"], adds=3)
    bounded(r, 5.0)
    j = check_report(r, "ldapcancel", "canceled", "cancel")
    eq(j["interrupt"]["trigger"], "timeout", "interrupt.trigger")
    eq(j["entries_before"], 4, "the container (refresh) and the 3 entries of the persist phase")
    eq(j["op_result"]["code"], 118, "the search ended canceled (118)")
    eq(j["cancel_result"]["code"], 0, "the Cancel succeeded")


# --------------------------------------------------------------------------
# the listening window

@test
def cancel_never_answered_is_no_response_at_the_deadline():
    # --wait 30s (the default) would hold the run: the deadline cuts it.
    r = search("silent", "ldapcancel", 1500, ["--json"])
    j = check_report(r, "ldapcancel", "no-response", "cancel")
    eq(j["interrupt"]["trigger"], "after", "interrupt.trigger: sent at once (--after 0)")
    eq(j["cancel_result"], None, "cancel_result")
    eq(j["timeout"], {"ms": 1500.0, "reached": True}, "timeout")
    r = search("silent", "ldapcancel", 1000, ["--wait", "1m"])
    eq(r.rc, 85, "text: exit status")
    matches(last_line(r.out), r"^no-response: no answer to the Cancel before the --timeout deadline, "
            r"\d+\.\d+ ms after the cancel$", "text verdict")


@test
def abandon_with_silence_since_is_abandoned_at_the_deadline():
    # Nothing ever arrives: the abandon goes at 1.8 s (the timeout trigger),
    # and 0.2 s of silence until the deadline decide.
    r = search("silent", "ldapabandon", 2000, ["--after", "never", "--json"])
    j = check_report(r, "ldapabandon", "abandoned", "abandon")
    eq(j["interrupt"]["trigger"], "timeout", "interrupt.trigger")
    eq(j["op_result"], None, "op_result")


@test
def entries_that_keep_coming_after_the_abandon_end_at_the_deadline():
    # One late entry every 100 ms, forever: each restarts the 1 s silence
    # window, whose cap (10 s) would hold the run; the deadline cuts it.
    r = search("abandon-drip", "ldapabandon", 2500, ["--after-entries", "3", "--json"])
    j = check_report(r, "ldapabandon", "no-response", "abandon")
    eq(j["interrupt"]["trigger"], "after-entries", "interrupt.trigger")
    eq(j["entries_before"], 3, "entries_before")
    ge(j["entries_after"], 10, "late entries kept coming")
    ok(any("still arriving" in n for n in j["notes"]), "a note says so: %r" % j["notes"])
    eq(j["timeout"]["reached"], True, "timeout.reached")
    r = search("abandon-drip", "ldapabandon", 1500, ["--after-entries", "3"])
    eq(last_line(r.out), "no-response: the server kept sending for the abandoned search until the --timeout "
       "deadline", "text verdict")


# --------------------------------------------------------------------------
# ldaptrace without an interrupt

@test
def trace_without_interrupt_stops_at_the_deadline():
    r = search("silent", "ldaptrace", 1000, ["--json"])
    eq(r.rc, 85, "exit status (no-response)")
    last = r.jsonl[-1]
    eq(last["outcome"], "no-response", "outcome")
    eq(last["interrupt"], None, "no interrupt")
    eq(last["timeout"], {"ms": 1000.0, "reached": True}, "timeout")
    ops = [e.get("op") for e in r.jsonl[:-1]]
    eq(ops[-2:], ["UnbindRequest", "closed"], "the trace ends with the unbind: %r" % ops)
    r = search("silent", "ldaptrace", 1000, [])
    eq(last_line(r.out), "no-response: no end of the search within --timeout 1 s", "text verdict")


# --------------------------------------------------------------------------
# a timeout that is not reached; bad values

@test
def timeout_not_reached_changes_nothing():
    with faultserver("ignore-abandon") as fs:
        r = run("ldapcancel", ["-x", "-H", fs.uri, "-b", BASE, "--after-entries", "3", "--timeout", "10s",
                               "--json"], timeout=20)
    lt(r.elapsed, 5.0, "ended long before the deadline")
    j = check_report(r, "ldapcancel", "canceled", "cancel")
    eq(j["interrupt"]["trigger"], "after-entries", "interrupt.trigger")
    eq(j["timeout"], {"ms": 10000.0, "reached": False}, "timeout")
    r = run("ldapcancel", ["-n", "-x", "-H", "ldap://127.0.0.1:9", "--timeout", "1.5s"])
    eq(r.rc, 0, "-n: exit status")
    eq(last_line(r.out), "all within 1500 ms (--timeout)", "-n shows the limit")


@test
def bad_timeout_values_are_refused():
    for value, why in (("0", "'0' must be more than 0"),
                       ("never", "'never' not a duration (examples: 0, 500us, 250ms, 1.5s, 2m, 1h)"),
                       ("2x", "'2x' unknown unit (use us, ms, s, m or h)"),
                       ("8d", "'8d' unknown unit (use us, ms, s, m or h)"),
                       ("169h", "'169h' too long (at most a week)")):
        r = run("ldapabandon", ["-x", "-H", "ldap://127.0.0.1:9", "--timeout", value])
        eq(r.rc, 1, "--timeout %s: exit status" % value)
        eq(r.err, "ldapabandon: --timeout: %s\n" % why, "--timeout %s: stderr" % value)
        eq(r.out, "", "--timeout %s: nothing on stdout" % value)


if __name__ == "__main__":
    tap_main()
