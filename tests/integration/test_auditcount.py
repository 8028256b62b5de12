#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""--audit --count N: the checklist N times against slapd and the fault
server, per check the runs of each result and the percentiles of its
times; checked against one checklist of the same server, whatever checks
the checklist holds (test_json.py validates against
docs/schema/audit-stats.json too)."""

import os
import re
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import admin, anon, percentiles_ordered, schema_valid  # noqa: E402

BASE = "dc=example,dc=com"


def validate(obj, what, kind="audit-stats"):
    schema_valid(kind, obj, what)


def tally(r, what):
    j = r.json
    if j is None:
        fail("%s: stdout is not one JSON object: %r" % (what, r.out[:1000]))
    validate(j, what)
    eq(j["exit"], r.rc, "%s: exit is the exit status" % what)
    return j


@test
def three_checklists_with_a_password_each():
    s = slapd()
    one = run("ldapcancel", admin(s) + ["--audit", "--json"], timeout=60).json
    r = run("ldapcancel", admin(s) + ["--audit", "--count", "3", "--json"], timeout=120)
    j = tally(r, "--audit --count 3")
    eq(r.err, "", "nothing on stderr: every bind had its password")
    eq((j["tool"], j["uri"], j["count"], j["runs"], j["errors"], j["stopped"]),
       ("ldapcancel", s.uri, 3, 3, 0, False), "the checklists")
    eq([c["id"] for c in j["checks"]], [c["id"] for c in one["checks"]], "the checks of one checklist, in order")
    for c in j["checks"]:
        eq(sum(c["results"].values()), 3, "%s: one result per run" % c["id"])
        for key, series in c["times"].items():
            ok(key.endswith("_us") and 1 <= series["n"] <= 3, "%s: %s over the runs" % (c["id"], key))
            percentiles_ordered(series, "%s %s" % (c["id"], key))
    search = [c for c in j["checks"] if c["id"] == "running-search"][0]
    eq((search["results"], search["times"]["cancel_to_result_us"]["n"]), ({"pass": 3}, 3),
       "the running search: cancelled each time, its time measured")


@test
def abandon_checklists_line_up():
    """ldapabandon's checklist, whose longest id (connection-usable) is longer
    than any of ldapcancel's: every row's results start in one column."""
    s = slapd()
    r = run("ldapabandon", anon(s) + ["--audit", "--count", "2"], timeout=120)
    eq(r.rc, 0, "exit 0: no check fails")
    rows = [l for l in r.out.splitlines() if re.match(r"^  [a-z0-9-]+ +(pass|info) ", l)]
    eq([l.split()[0] for l in rows], ["rootdse", "running-search", "abandon-msgid", "unknown-msgid", "completed-op",
                                      "connection-usable"], "the abandon checks, in order")
    eq(sorted({len(l) - len(l[2:].split(" ", 1)[1].lstrip()) for l in rows}), [len("  connection-usable  ")],
       "the results start in one column, after the longest id")
    for l in rows:
        matches(l, r"^  \S+ +(pass 2|info 2)  \(RFC ", "%s: the same result both times" % l.split()[0])


@test
def text_is_one_block():
    s = slapd()
    r = run("ldapcancel", anon(s) + ["--audit", "--count", "2"], timeout=120)
    lines = r.out.splitlines()
    eq(lines[:2], [s.uri, "  audit: 2 runs of 2"], "the head")
    eq(lines[-1], "  exit status: %d" % r.rc, "the last line")
    for line in lines[2:-1]:
        matches(line, r"^  [a-z0-9-]+ +((pass|fail|warn|skip|info) [12](, )?)+  \(RFC [0-9]+ section [0-9.]+\)$"
                r"|^      [a-z_]+_us +n [12](  (p50|p90|p99|max) -?[0-9]+){4}$", "a check's line or its times")


@test
def each_run_of_the_fault_server_has_the_results_of_one():
    with faultserver("no-cancel") as fs:
        args = ["-x", "-H", fs.uri, "-b", BASE, "--audit", "--json"]
        one = run("ldapcancel", args, timeout=60)
        r = run("ldapcancel", args + ["--count", "2"], timeout=60)
    j = tally(r, "no-cancel --count 2")
    eq([(c["id"], c["results"]) for c in j["checks"]],
       [(c["id"], {c["result"]: 2}) for c in one.json["checks"]], "twice the results of one checklist")
    eq(r.rc, one.rc, "the exit status of one checklist")


@test
def a_server_that_is_not_there_counts_errors():
    r = run("ldapcancel", ["-x", "-H", "ldap://127.0.0.1:1", "--audit", "--count", "2", "--json"])
    j = tally(r, "nobody listening")
    eq((j["uri"], j["runs"], j["errors"], j["checks"], r.rc), (None, 2, 2, [], 255), "two errors, exit 255")
    eq(r.err, "ldapcancel: ldap_connect: Can't contact LDAP server (-1)\n" * 2, "one message per checklist")


@test
def ctrl_c_stops_after_the_checklist_under_way():
    with faultserver("cancel-118") as fs:
        args = ["-x", "-H", fs.uri, "-b", BASE, "--audit", "--count", "50", "--json"]
        with spawn("ldapcancel", args) as p:
            fs.wait_log(lambda rec: rec.get("op") == "bind", timeout=scaled(10))
            p.signal(signal.SIGINT)
            r = p.wait(timeout=30)
    j = tally(r, "Ctrl-C")
    eq((j["count"], j["runs"], j["stopped"]), (50, 1, True), "one checklist, then stopped")
    ok(all(sum(c["results"].values()) == 1 for c in j["checks"]), "each check ran once")


@test
def several_servers_show_each_checks_results():
    s = slapd()
    r = run("ldapcancel", ["-x", "--audit", "--count", "2", "--json", "--each", s.uri, "--each",
                           "ldap://127.0.0.1:1"], timeout=120)
    objs = r.jsonl
    eq(len(objs), 3, "two tallies and the matrix")
    validate(objs[0], "slapd's tally")
    validate(objs[1], "the dead server's tally")
    validate(objs[2], "the matrix", kind="matrix")
    eq(objs[1]["uri"], "ldap://127.0.0.1:1", "under --each the tally names its server")
    rows = objs[2]["matrix"]
    eq(rows[0]["checks"], {c["id"]: c["results"] for c in objs[0]["checks"]}, "slapd's row: its results")
    eq((rows[1]["checks"], rows[1]["exit"], r.rc), ({}, 255, 255), "the dead server's row")
    text = run("ldapcancel", ["-x", "--audit", "--count", "2", "--each", s.uri], timeout=120)
    row = text.out.splitlines()[-2].split()
    eq(row[0], s.uri, "text: the row")
    ok(all(re.match(r"^((pass|fail|warn|skip|info):[12],?)+$", cell) for cell in row[1:-1]),
       "text: results per check %r" % row)


if __name__ == "__main__":
    tap_main()
