#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""--count N: N runs on N connections, one summary: the outcome counts,
the nearest-rank percentiles of each measure, the highest exit status
(test_json.py validates the summary against docs/schema/stats.json)."""

import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import anon, percentiles_ordered  # noqa: E402

BASE = "dc=example,dc=com"


def summary(r, what):
    """The one JSON object."""
    j = r.json
    if j is None:
        fail("%s: stdout is not one JSON object: %r" % (what, r.out[:500]))
    eq(j["exit"], r.rc, "%s: exit equals the exit status" % what)
    return j


@test
def five_cancels_of_a_search_are_five_canceled():
    s = slapd()
    r = run("ldapcancel", anon(s) + ["-b", s.people_base, "--after-entries", "10", "--count", "5", "--json"],
            timeout=60)
    j = summary(r, "ldapcancel --count 5")
    eq((j["tool"], j["uri"], j["count"], j["runs"], j["stopped"]), ("ldapcancel", s.uri, 5, 5, False), "the runs")
    eq(j["outcomes"], {"canceled": 5}, "five canceled")
    eq(sorted(j["stats"]), ["cancel_answer_ms", "cancel_to_result_ms", "entries_after"], "the cancel's measures")
    for key, series in j["stats"].items():
        eq(series["n"], 5, "%s: one value per run" % key)
        percentiles_ordered(series, key)
    eq(r.rc, 0, "exit status")
    eq(r.err, "", "nothing on stderr")


@test
def text_summary_is_one_block():
    s = slapd()
    r = run("ldapcancel", anon(s) + ["-b", s.people_base, "--after-entries", "10", "--count", "3"], timeout=60)
    eq(r.rc, 0, "exit status")
    lines = r.out.splitlines()
    eq(lines[:3], [s.uri, "3 runs of 3", "outcomes: canceled 3"], "the head of the summary")
    eq(lines[3].split(), ["n", "p50", "p90", "p99", "max"], "the table's header")
    for line, key in zip(lines[4:7], ("cancel_to_result_ms", "cancel_answer_ms", "entries_after")):
        matches(line, r"^%s +3( +[0-9]+(\.[0-9]{3})?){4}$" % key, "row %s" % key)
    eq(lines[7:], ["exit status: 0"], "the last line")
    not_contains(r.out, "result: canceled", "no report of each run")


@test
def abandons_count_their_late_entries():
    s = slapd()
    r = run("ldapabandon", anon(s) + ["-b", s.people_base, "--after-entries", "10", "--wait", "200ms",
                                      "--count", "3", "--json"], timeout=60)
    j = summary(r, "ldapabandon --count 3")
    eq((j["tool"], j["runs"]), ("ldapabandon", 3), "the runs")
    eq(j["outcomes"], {"abandoned": 3}, "three abandoned")
    eq(sorted(j["stats"]), ["entries_after", "last_after_ms"], "the abandon's measures")
    eq(j["stats"]["entries_after"]["n"], 3, "entries_after: one value per run")
    eq(r.rc, 0, "exit status")


@test
def too_late_every_time_exits_120():
    with faultserver("cancel-120") as fs:
        r = run("ldapcancel", ["-x", "-H", fs.uri, "-b", BASE, "--after-entries", "3", "--count", "3", "--json"],
                timeout=60)
        connections = len([rec for rec in fs.log() if rec.get("op") == "bind"])
    j = summary(r, "cancel-120 --count 3")
    eq(j["outcomes"], {"too-late": 3}, "three too-late")
    eq(r.rc, 120, "exit status: tooLate")
    eq(connections, 3, "one connection (one bind) per run")
    # The fault server answers the Cancel after the result: each run has both.
    eq((j["stats"]["cancel_to_result_ms"]["n"], j["stats"]["cancel_answer_ms"]["n"]), (3, 3), "both measured")
    eq(j["stats"]["entries_after"], {"n": 3, "p50": 0, "p90": 0, "p99": 0, "max": 0}, "no entry after the cancel")


@test
def a_run_that_fails_counts_as_error_with_its_status():
    with faultserver("bind-fail") as fs:
        r = run("ldapcancel", ["-x", "-H", fs.uri, "-b", BASE, "--count", "2", "--json"], timeout=60)
    j = summary(r, "bind-fail --count 2")
    eq((j["outcomes"], j["runs"], j["uri"]), ({"error": 2}, 2, None), "two errors")
    eq(j["stats"]["cancel_to_result_ms"], {"n": 0}, "no value")
    eq(r.rc, 49, "exit status: the bind's invalidCredentials")
    eq(r.err.count("ldapcancel: ldap_bind: Invalid credentials (49)\n"), 2, "one message per run on stderr")


@test
def msgid_probes_count_the_answers_only():
    s = slapd()
    r = run("ldapcancel", anon(s) + ["--msgid", "7", "--count", "3", "--json"], timeout=60)
    j = summary(r, "--msgid 7 --count 3")
    eq((j["outcomes"], r.rc), ({"no-such-operation": 3}, 119), "three no-such-operation, exit 119")
    eq([j["stats"][k]["n"] for k in ("cancel_to_result_ms", "cancel_answer_ms", "entries_after")], [0, 3, 0],
       "no operation of ours: only the Cancel's answers are measured")


@test
def ctrl_c_stops_after_the_current_run():
    s = slapd()
    args = anon(s) + ["-v", "-b", "ou=scratch," + s.base, "-s", "base", "-E", "sync=rp", "--after", "never",
                      "--count", "50", "--json"]
    with spawn("ldapcancel", args) as p:
        # the refresh is over: a cancel now is clean (slapd 2.5.13)
        p.wait_for("err", r"IntermediateResponse \(SyncInfo\)", timeout=10)
        p.signal(signal.SIGINT)
        r = p.wait(timeout=10)
    j = summary(r, "Ctrl-C under --count")
    eq((j["count"], j["runs"], j["stopped"], j["outcomes"]), (50, 1, True, {"canceled": 1}), "one run, stopped")
    eq(r.rc, 0, "exit status of the one run")


@test
def bad_counts_and_combinations_are_refused():
    for args, msg in (
            (["--count", "0"], "ldapcancel: --count: '0' is out of range (1 to 10000 runs)"),
            (["--count", "10001"], "ldapcancel: --count: '10001' is out of range (1 to 10000 runs)"),
            (["--count", "x"], "ldapcancel: --count: 'x' "),
            (["--count", "2", "-L"], "ldapcancel: --count: reports statistics of many runs, -L the entries of "
             "one search: give only one of them")):
        r = run("ldapcancel", ["-x", "-H", "ldap://127.0.0.1:9", "-b", BASE] + args)
        eq(r.rc, 1, "%s: exit status" % args)
        eq(r.out, "", "%s: nothing on stdout" % args)
        ok(r.err.startswith(msg) and r.err.count("\n") == 1, "%s: one line %r" % (args, r.err))
    r = run("ldaptrace", ["-x", "-H", "ldap://127.0.0.1:9", "-b", BASE, "--cancel", "--count", "2"])
    eq((r.rc, r.out), (1, ""), "ldaptrace --count: exit 1")
    eq(r.err, "ldaptrace: --count: a trace follows one run; run ldapcancel or ldapabandon --count for "
       "statistics\n", "ldaptrace refuses")


if __name__ == "__main__":
    tap_main()
