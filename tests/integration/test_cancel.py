#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""ldapcancel against a real slapd: every outcome slapd can give."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import anon, check_report, last_line, persistent_search  # noqa: E402


@test
def streaming_search_is_canceled():
    s = slapd()
    r = run("ldapcancel", anon(s) + ["-b", s.people_base, "--after-entries", "10", "--json"])
    j = check_report(r, "ldapcancel", "canceled", "cancel")
    eq(j["operation"], {"type": "search", "msgid": 2}, "operation")
    eq(j["interrupt"]["msgid"], 3, "cancel message ID")
    eq(j["interrupt"]["target"], 2, "cancelID")
    eq(j["interrupt"]["trigger"], "after-entries", "trigger")
    eq(j["entries_before"], 10, "entries before the cancel")
    lt(j["entries_before"] + j["entries_after"], s.entries + 2, "the search stopped early")
    eq(j["op_result"]["code"], 118, "search result")
    eq(j["op_result"]["name"], "canceled", "search result name")
    eq(j["cancel_result"]["code"], 0, "cancel result")
    ge(j["op_result"]["at_ms"], j["interrupt"]["sent_ms"], "result after the cancel")
    ge(j["interrupt"]["sent_ms"], j["interrupt"]["trigger_ms"], "sent after the trigger")


@test
def text_report_reads_like_a_ticket():
    s = slapd()
    r = run("ldapcancel", anon(s) + ["-b", s.people_base, "--after-entries", "10"])
    eq(r.rc, 0, "exit status")
    eq(r.err, "", "nothing on stderr")
    lines = r.out.splitlines()
    eq(lines[0], s.uri, "first line: the server")
    contains(r.out, 'search base "%s" scope sub filter "(objectClass=*)"' % s.people_base, "operation")
    contains(r.out, "cancel of message 2 sent as message 3 at ", "interrupt line")
    contains(r.out, "(trigger: 10 entries;", "trigger")
    contains(r.out, "before the cancel: 10 entries", "entries before")
    matches(r.out, r"^  result: canceled \(118\) at [0-9.]+ ms, [0-9.]+ ms after the cancel$", "result line")
    matches(r.out, r"^  cancel result: success \(0\) at ", "cancel result line")
    matches(last_line(r.out), r"^canceled: the server stopped the search [0-9.]+ ms after the cancel$", "verdict")


@test
def refresh_and_persist_is_canceled_by_time():
    s = slapd()
    # ou=scratch holds one entry: the refresh ends at once, then the search persists.
    r = run("ldapcancel", anon(s) + ["-b", "ou=scratch," + s.base, "-s", "base", "-E", "sync=rp",
                                     "--after", "700ms", "--json"])
    j = check_report(r, "ldapcancel", "canceled", "cancel")
    eq(j["interrupt"]["trigger"], "after", "trigger")
    eq(j["interrupt"]["trigger_ms"], 700.0, "trigger moment is the deadline")
    eq(j["entries_before"], 1, "the refresh sent the base entry")
    eq(j["intermediates_before"], 1, "refreshDone (SyncInfo) before the cancel")
    eq(j["op_result"]["code"], 118, "persist search ended canceled")
    eq(j["cancel_result"]["code"], 0, "cancel success")
    ge(r.elapsed, 0.7, "waited for --after")


@test
def refresh_and_persist_is_canceled_after_entries():
    s = slapd()
    # the container from the refresh, then four of the six entries added
    # in the persist phase: the trigger fires after the refresh is over
    r, _ = persistent_search(s, "ldapcancel", ["--after-entries", "5", "--json"], adds=6)
    j = check_report(r, "ldapcancel", "canceled", "cancel")
    eq(j["entries_before"], 5, "entries before")
    eq(j["intermediates_before"], 1, "the refresh was over (SyncInfo) before the cancel")
    eq(j["op_result"]["code"], 118, "canceled")


@test
def slow_operation_is_too_late():
    s = slapd()
    r = run("ldapcancel", anon(s) + ["-b", "cn=slow,ou=retcode," + s.base, "-s", "base", "--json"])
    j = check_report(r, "ldapcancel", "too-late", "cancel")
    eq(j["op_result"]["code"], 0, "the slow search completed")
    eq(j["cancel_result"]["code"], 120, "the server answered tooLate")
    ge(j["op_result"]["at_ms"], 1900, "after retcode's 2 s")
    ge(j["cancel_result"]["at_ms"], j["op_result"]["at_ms"], "tooLate after the result")


@test
def completed_before_the_trigger_is_too_late_and_sends_nothing():
    s = slapd()
    t0 = time.monotonic()
    r = run("ldapcancel", anon(s) + ["-b", s.base, "-s", "base", "--after", "5s", "--json"])
    j = check_report(r, "ldapcancel", "too-late", "cancel")
    lt(time.monotonic() - t0, 3, "decided without waiting for --after")
    eq(j["interrupt"]["msgid"], None, "no cancel was sent")
    eq(j["interrupt"]["sent_ms"], None, "no send time")
    eq(j["op_result"]["code"], 0, "the base search succeeded")
    eq(j["cancel_result"], None, "no cancel result")
    eq(j["entries_before"], 1, "one entry")
    contains(" ".join(j["notes"]), "completed before the interrupt was due", "note")


@test
def unknown_message_id_is_no_such_operation():
    s = slapd()
    r = run("ldapcancel", anon(s) + ["--msgid", "5", "--json"])
    j = check_report(r, "ldapcancel", "no-such-operation", "cancel")
    eq(j["operation"], {"type": "none", "msgid": None}, "no operation")
    eq(j["interrupt"]["trigger"], "msgid", "trigger")
    eq(j["interrupt"]["target"], 5, "cancelID")
    eq(j["cancel_result"]["code"], 119, "noSuchOperation")
    r = run("ldapcancel", anon(s) + ["--msgid", "2147483647"])
    eq(r.rc, 119, "the largest message ID")
    matches(last_line(r.out), r"^no-such-operation: the server has no operation with message ID 2147483647", "verdict")


@test
def disconnecting_operation_is_connection_lost():
    s = slapd()
    # retcode drops the connection at once; a Cancel sent right after the
    # request could reach slapd first and be answered tooLate.
    r = run("ldapcancel", anon(s) + ["-b", "cn=disconnect,ou=retcode," + s.base, "--after", "2s", "--json"])
    j = check_report(r, "ldapcancel", "connection-lost", "cancel")
    lt(r.elapsed, 1.5, "decided by the close, not by --after")
    eq(j["connection"]["lost"], True, "connection.lost")
    contains(j["connection"]["reason"], "closed by the server", "reason")
    eq(j["op_result"], None, "no result")


@test
def short_wait_is_no_response():
    s = slapd()
    # slapd holds the Cancel until the sleeping operation ends (5 s).
    r = run("ldapcancel", anon(s) + ["-b", "cn=slow5,ou=retcode," + s.base, "--wait", "500ms", "--json"])
    j = check_report(r, "ldapcancel", "no-response", "cancel")
    lt(r.elapsed, 3, "decided when --wait ran out")
    eq(j["cancel_result"], None, "no cancel result")
    matches(r.out, '"outcome":"no-response"', "outcome")


@test
def quiet_prints_nothing():
    s = slapd()
    r = run("ldapcancel", anon(s) + ["-b", s.people_base, "--after-entries", "3", "-q"])
    eq(r.rc, 0, "exit status")
    eq(r.out, "", "stdout")
    eq(r.err, "", "stderr")



NOSUCH_STDERR = "ldapcancel: search: No such object (32)\n\tmatched DN: dc=example,dc=com\n"


@test
def search_of_a_missing_base_failed_not_too_late():
    s = slapd()
    r = run("ldapcancel", anon(s) + ["-b", "ou=nonexistent," + s.base, "--after", "5s"])
    eq(r.rc, 32, "exit status: noSuchObject, as ldapsearch's")
    eq(r.err, NOSUCH_STDERR, "stderr: the error as OpenLDAP's tools print it")
    matches(last_line(r.out), r"^failed: the search completed with noSuchObject \(32\) before the cancel was sent$",
            "verdict")


@test
def search_of_a_missing_base_failed_in_json_and_quiet():
    s = slapd()
    r = run("ldapcancel", anon(s) + ["-b", "ou=nonexistent," + s.base, "--after", "5s", "--json"])
    j = check_report(r, "ldapcancel", "failed", "cancel")
    eq(r.rc, 32, "exit status")
    eq(j["exit"], 32, "JSON exit")
    eq((j["op_result"]["code"], j["op_result"]["name"], j["op_result"]["matched"]),
       (32, "noSuchObject", s.base), "op_result")
    eq(r.err, NOSUCH_STDERR, "stderr under --json")
    r = run("ldapcancel", anon(s) + ["-b", "ou=nonexistent," + s.base, "--after", "5s", "-q"])
    eq((r.rc, r.out, r.err), (32, "", NOSUCH_STDERR), "-q: no report, the error still on stderr")


@test
def unknown_critical_control_failed():
    s = slapd()
    r = run("ldapcancel", anon(s) + ["-b", s.base, "-s", "base", "-e", "!1.2.3.4.5", "--after", "5s", "--json"])
    j = check_report(r, "ldapcancel", "failed", "cancel")
    eq(r.rc, 12, "exit status: unavailableCriticalExtension")
    eq((j["op_result"]["code"], j["op_result"]["name"]), (12, "unavailableCriticalExtension"), "op_result")
    eq(r.err, "ldapcancel: search: Critical extension is unavailable (12)\n"
              "\tadditional info: critical extension is not recognized\n", "stderr")


if __name__ == "__main__":
    tap_main()
