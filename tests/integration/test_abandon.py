#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""ldapabandon against a real slapd: abandoned (late entries counted),
too-late, --msgid, connection-lost, --wait 0."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import anon, check_report, last_line, persistent_search  # noqa: E402


@test
def streaming_search_is_abandoned_and_late_entries_counted():
    s = slapd()
    since = s.log_offset()
    r = run("ldapabandon", anon(s) + ["-b", s.people_base, "--after-entries", "10", "--json"])
    j = check_report(r, "ldapabandon", "abandoned", "abandon")
    eq(j["entries_before"], 10, "entries before the abandon")
    eq(j["interrupt"]["msgid"], 3, "abandon message ID")
    eq(j["interrupt"]["target"], 2, "abandoned message ID")
    eq(j["op_result"], None, "no SearchResultDone (RFC 4511 4.11)")
    lt(j["entries_before"] + j["entries_after"], s.entries + 2, "the search stopped early")
    if j["entries_after"]:
        ok(j["last_after_ms"] >= j["interrupt"]["sent_ms"], "late entries arrived after the abandon")
    ge(r.elapsed, 1.0, "listened for the 1 s silence window")
    # slapd saw it too: its log names the abandoned message.
    s.wait_for_log(r"op=\d+ ABANDON msg=2\b", timeout=5, since=since)


@test
def text_report_counts_before_and_after():
    s = slapd()
    r = run("ldapabandon", anon(s) + ["-b", s.people_base, "--after-entries", "25", "--wait", "300ms"])
    eq(r.rc, 0, "exit status")
    contains(r.out, "abandon of message 2 sent as message 3", "interrupt line")
    contains(r.out, "before the abandon: 25 entries", "before")
    matches(r.out, r"^  after the abandon:  \d+ entr", "after")
    contains(r.out, "  result: none", "no result")
    matches(last_line(r.out), r"^abandoned: no result for the search in the 300 ms of silence after the abandon",
            "verdict")


@test
def wait_zero_decides_at_once():
    s = slapd()
    r = run("ldapabandon", anon(s) + ["-b", s.people_base, "--after-entries", "1", "--wait", "0", "--json"])
    j = check_report(r, "ldapabandon", "abandoned", "abandon")
    lt(r.elapsed, 1.0, "no silence window")
    eq(j["entries_before"], 1, "entries before")


@test
def sleeping_operation_is_abandoned():
    s = slapd()
    r = run("ldapabandon", anon(s) + ["-b", "cn=slow,ou=retcode," + s.base, "--wait", "2500ms", "--json"])
    j = check_report(r, "ldapabandon", "abandoned", "abandon")
    eq(j["op_result"], None, "slapd never answers an abandoned operation")
    ge(r.elapsed, 2.5, "listened through the operation's sleep")


@test
def completed_before_the_trigger_is_too_late():
    s = slapd()
    r = run("ldapabandon", anon(s) + ["-b", s.base, "-s", "base", "--after", "2s", "--json"])
    j = check_report(r, "ldapabandon", "too-late", "abandon")
    lt(r.elapsed, 1.5, "decided at once")
    eq(j["interrupt"]["msgid"], None, "no abandon sent")
    eq(j["op_result"]["code"], 0, "the search completed")


@test
def refresh_and_persist_is_abandoned():
    s = slapd()
    r, _ = persistent_search(s, "ldapabandon", ["--after-entries", "3", "--wait", "500ms", "--json"], adds=4)
    j = check_report(r, "ldapabandon", "abandoned", "abandon")
    eq(j["entries_before"], 3, "entries before")


@test
def message_id_only_is_sent_and_silent():
    s = slapd()
    since = s.log_offset()
    r = run("ldapabandon", anon(s) + ["--msgid", "7", "--wait", "200ms", "--json"])
    j = check_report(r, "ldapabandon", "abandoned", "abandon")
    eq(j["interrupt"]["target"], 7, "target")
    eq(j["interrupt"]["trigger"], "msgid", "trigger")
    contains(" ".join(j["notes"]), "message ID 7 belongs to no operation", "note")
    s.wait_for_log(r"op=\d+ ABANDON msg=7\b", timeout=5, since=since)


@test
def disconnecting_operation_is_connection_lost():
    s = slapd()
    r = run("ldapabandon", anon(s) + ["-b", "cn=disconnect,ou=retcode," + s.base, "--after", "100ms", "--json"])
    j = check_report(r, "ldapabandon", "connection-lost", "abandon")
    eq(j["connection"]["lost"], True, "lost")
    matches(last_line(run("ldapabandon", anon(s) + ["-b", "cn=disconnect,ou=retcode," + s.base,
                                                   "--after", "100ms"]).out),
            r"^connection-lost: closed by the server at [0-9.]+ ms, before the outcome was decided$", "verdict")



@test
def search_of_a_missing_base_failed_not_too_late():
    s = slapd()
    r = run("ldapabandon", anon(s) + ["-b", "ou=nonexistent," + s.base, "--after", "5s"])
    eq(r.rc, 32, "exit status: noSuchObject")
    eq(r.err, "ldapabandon: search: No such object (32)\n\tmatched DN: dc=example,dc=com\n", "stderr")
    matches(last_line(r.out), r"^failed: the search completed with noSuchObject \(32\) before the abandon was sent$",
            "verdict")
    r = run("ldapabandon", anon(s) + ["-b", "ou=nonexistent," + s.base, "--after", "5s", "--json"])
    j = check_report(r, "ldapabandon", "failed", "abandon")
    eq((r.rc, j["exit"], j["op_result"]["code"], j["op_result"]["name"]), (32, 32, 32, "noSuchObject"),
       "JSON: exit and op_result")


@test
def unknown_critical_control_failed():
    s = slapd()
    r = run("ldapabandon", anon(s) + ["-b", s.base, "-s", "base", "-e", "!1.2.3.4.5", "--after", "5s", "--json"])
    j = check_report(r, "ldapabandon", "failed", "abandon")
    eq((r.rc, j["op_result"]["code"]), (12, 12), "exit status and op_result: unavailableCriticalExtension")
    eq(r.err, "ldapabandon: search: Critical extension is unavailable (12)\n"
              "\tadditional info: critical extension is not recognized\n", "stderr")


if __name__ == "__main__":
    tap_main()
