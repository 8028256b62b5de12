#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""--each / --each-file / --jobs: the probe, --count or --audit against
several fault servers and the test slapd at once, one of them dead; each
server's output in the order given, then the matrix (text or JSON, checked
against docs/schema/matrix.json), and the worst exit status."""

import json
import os
import re
import signal
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403

try:
    import jsonschema
except ImportError:
    jsonschema = None

BASE = "dc=example,dc=com"
DEAD = "ldap://127.0.0.1:1"  # nothing listens on port 1
SCHEMA_DIR = os.path.join(SRCDIR, "docs", "schema")
PROBE = ["-x", "-b", BASE, "--after-entries", "3", "--timeout", "20s"]


def each(*uris):
    args = []
    for u in uris:
        args += ["--each", u]
    return args


def validate(kind, obj, what):
    if jsonschema is None:
        return
    with open(os.path.join(SCHEMA_DIR, kind + ".json")) as f:
        errors = [e.message for e in jsonschema.Draft202012Validator(json.load(f)).iter_errors(obj)]
    eq(errors, [], "%s: valid against docs/schema/%s.json" % (what, kind))


def objects(r, n, what):
    """n servers' objects, then the matrix, each validated."""
    objs = r.jsonl
    if objs is None or len(objs) != n + 1:
        fail("%s: expected %d JSON lines, got %r" % (what, n + 1, r.out[:2000]))
    matrix = objs[-1]
    validate("matrix", matrix, what + ": the matrix")
    eq(matrix["exit"], r.rc, "%s: the matrix's exit is the exit status" % what)
    return objs[:-1], matrix


def matrix_lines(r):
    """The text matrix: the lines after the last blank line."""
    return ("\n" + r.out).rsplit("\n\n", 1)[1].splitlines()


class Servers:
    """Fault servers of the given scenarios, started together."""

    def __init__(self, *scenarios):
        self.servers = [faultserver(s) for s in scenarios]

    def __enter__(self):
        for fs in self.servers:
            fs.start()
        return [fs.uri for fs in self.servers]

    def __exit__(self, *exc):
        for fs in self.servers:
            fs.close()
        return False


@test
def probes_come_in_order_with_their_matrix():
    s = slapd()
    with Servers("cancel-120", "no-cancel", "cancel-119") as (too_late, unsupported, no_such):
        uris = [too_late, s.uri, DEAD, unsupported, no_such]
        r = run("ldapcancel", PROBE + each(*uris), timeout=60)
    expected = [(too_late, "too-late", "120"), (s.uri, "canceled", "0"), (DEAD, "error", "255"),
                (unsupported, "unsupported", "2"), (no_such, "no-such-operation", "119")]
    eq(r.rc, 255, "exit status: the highest, the dead server's")
    eq(r.err, "ldapcancel: ldap_connect: Can't contact LDAP server (-1)\n", "the dead server's line on stderr")
    # each report begins with its server's URI, in the order given
    starts = [m.group(0) for m in re.finditer(r"^ldap://\S+$", r.out.rsplit("\n\n", 1)[0], re.M)]
    eq(starts, [too_late, s.uri, unsupported, no_such], "the reports, in the order given")
    lines = matrix_lines(r)
    eq(lines[0], "5 servers", "the matrix's title")
    eq(lines[1].split(), ["server", "outcome", "cancel_to_result_ms", "exit"], "the header")
    rows = [l.split() for l in lines[2:-1]]
    eq([(row[0], row[1], row[3]) for row in rows], expected, "one row per server: outcome and exit")
    eq(rows[2][2:], ["-", "255", "ldap_connect:", "Can't", "contact", "LDAP", "server", "(-1)"],
       "the dead server's row: no time, its error")
    for row in rows:
        if row[1] in ("canceled", "too-late"):
            matches(row[2], r"^[0-9]+\.[0-9]{3}$", "%s: the time from the Cancel to the result" % row[0])
    eq(lines[-1], "exit status: 255", "the last line")


@test
def json_one_object_per_server_then_the_matrix():
    s = slapd()
    with Servers("cancel-120") as (too_late,):
        uris = [s.uri, DEAD, too_late]
        r = run("ldapcancel", PROBE + each(*uris) + ["--json"], timeout=60)
    objs, matrix = objects(r, 3, "--json")
    eq([o["uri"] for o in objs], uris, "one object per server, each with its uri, in order")
    validate("report", objs[0], "the slapd report")
    validate("error", objs[1], "the dead server's error object")
    validate("report", objs[2], "the fault server's report")
    eq([(row["uri"], row["outcome"], row["exit"]) for row in matrix["matrix"]],
       [(s.uri, "canceled", 0), (DEAD, "error", 255), (too_late, "too-late", 120)], "the rows")
    eq((matrix["format"], matrix["tool"], matrix["mode"], matrix["stopped"], matrix["exit"]),
       (1, "ldapcancel", "probe", False, 255), "the matrix object")
    eq(matrix["matrix"][1]["error"], "ldap_connect: Can't contact LDAP server (-1)", "the dead server's error")
    eq(matrix["matrix"][1]["cancel_to_result_ms"], None, "no time for the dead server")
    for o, row in ((objs[0], matrix["matrix"][0]), (objs[2], matrix["matrix"][2])):
        want = o["op_result"]["at_ms"] - o["interrupt"]["sent_ms"]
        ok(abs(row["cancel_to_result_ms"] - want) < 0.0015, "%s: the time is the report's (%r, %r)"
           % (row["uri"], row["cancel_to_result_ms"], want))
        eq(row["error"], None, "%s: no error" % row["uri"])


def masked(text):
    """The output without what differs from run to run (times, and the
    entries no-cancel sends before its answer) or with them (the table's
    widths): its words and its shape, line by line."""
    return re.sub(r" +", " ", re.sub(r"[0-9]+(\.[0-9]+)?", "N", text))


@test
def the_output_does_not_depend_on_jobs():
    with Servers("cancel-120", "cancel-119", "no-cancel", "cancel-121") as uris:
        uris = list(uris[:2]) + [DEAD] + list(uris[2:])
        outs = []
        for jobs in ("1", "8"):
            r = run("ldapcancel", PROBE + each(*uris) + ["--jobs", jobs], timeout=60)
            outs.append((r.rc, masked(r.out), r.err, re.findall(r"^ldap://\S+", r.out, re.M)))
            r = run("ldapcancel", PROBE + each(*uris) + ["--jobs", jobs, "--json"], timeout=60)
            objs, matrix = objects(r, len(uris), "--jobs %s --json" % jobs)
            outs.append([(row["uri"], row["outcome"], row["exit"]) for row in matrix["matrix"]])
    eq(outs[0][0], 255, "exit status")
    eq(outs[2], outs[0], "text: --jobs 8 prints what --jobs 1 prints")
    eq(outs[3], outs[1], "JSON: the same rows")
    eq([row[1] for row in outs[1]], ["too-late", "no-such-operation", "error", "unsupported", "cannot-cancel"],
       "the outcomes")


@test
def abandons_show_the_time_of_the_last_late_message():
    s = slapd()
    args = ["-x", "-b", BASE, "--after-entries", "3", "--wait", "300ms"]
    r = run("ldapabandon", args + each(s.uri, DEAD) + ["--json"], timeout=60)
    objs, matrix = objects(r, 2, "ldapabandon --json")
    eq([(row["uri"], row["outcome"], row["exit"]) for row in matrix["matrix"]],
       [(s.uri, "abandoned", 0), (DEAD, "error", 255)], "the rows")
    ok("last_after_ms" in matrix["matrix"][0] and "cancel_to_result_ms" not in matrix["matrix"][0],
       "the abandon's measure")
    eq(r.rc, 255, "exit status")


@test
def audits_have_a_column_per_check():
    s = slapd()
    with Servers("no-cancel") as (unsupported,):
        uris = [s.uri, unsupported, DEAD]
        r = run("ldapcancel", ["-x", "--audit", "--json"] + each(*uris), timeout=120)
        text = run("ldapcancel", ["-x", "--audit"] + each(*uris), timeout=120)
    objs, matrix = objects(r, 3, "--audit --json")
    eq(matrix["mode"], "audit", "mode")
    validate("audit", objs[0], "slapd's audit")
    validate("audit", objs[1], "no-cancel's audit")
    validate("error", objs[2], "the dead server's error object")
    ids = [c["id"] for c in objs[0]["checks"]]
    for o, row in zip(objs[:2], matrix["matrix"]):
        eq(row["checks"], {c["id"]: c["result"] for c in o["checks"]}, "%s: the row is its audit" % o["uri"])
        eq(row["exit"], o["exit"], "%s: exit" % o["uri"])
    eq((matrix["matrix"][2]["checks"], matrix["matrix"][2]["exit"]), ({}, 255), "the dead server: no check")
    eq(r.rc, 255, "exit status")
    lines = matrix_lines(text)
    eq(lines[1].split(), ["server"] + ids + ["exit"], "text: the header names every check")
    eq(lines[2].split(), [s.uri] + [c["result"] for c in objs[0]["checks"]] + [str(objs[0]["exit"])],
       "text: slapd's row")
    eq(lines[4].split()[:len(ids) + 2], [DEAD] + ["-"] * len(ids) + ["255"], "text: the dead server's row")
    eq(text.rc, 255, "text: exit status")


@test
def audits_without_a_dead_server_exit_with_the_highest_status():
    s = slapd()
    with Servers("no-cancel") as (unsupported,):
        r = run("ldapcancel", ["-x", "--audit", "--json"] + each(s.uri, unsupported), timeout=120)
    objs, matrix = objects(r, 2, "--audit --json")
    eq(r.rc, max(o["exit"] for o in objs), "exit status: the highest of the servers'")
    ne(r.rc, 0, "no-cancel's audit does not pass")


@test
def counts_show_their_percentiles():
    with Servers("cancel-120") as (too_late,):
        r = run("ldapcancel", PROBE + ["--count", "2", "--json"] + each(too_late, DEAD), timeout=60)
        text = run("ldapcancel", PROBE + ["--count", "2"] + each(too_late, DEAD), timeout=60)
    objs, matrix = objects(r, 2, "--count 2 --json")
    eq([o["uri"] for o in objs], [too_late, DEAD], "each summary names its server, even the dead one")
    for o in objs:
        validate("stats", o, "the summary of %s" % o["uri"])
    rows = matrix["matrix"]
    eq([(row["uri"], row["runs"], row["outcomes"], row["exit"]) for row in rows],
       [(too_late, 2, {"too-late": 2}, 120), (DEAD, 2, {"error": 2}, 255)], "the rows")
    eq(rows[0]["cancel_to_result_ms"], objs[0]["stats"]["cancel_to_result_ms"], "the summary's percentiles")
    eq(rows[1]["cancel_to_result_ms"], {"n": 0}, "none for the dead server")
    eq(r.rc, 255, "exit status")
    lines = matrix_lines(text)
    eq(lines[0], "2 servers; percentiles of cancel_to_result_ms", "text: the title")
    eq(lines[1].split(), ["server", "runs", "outcomes", "p50_ms", "p90_ms", "p99_ms", "max_ms", "exit"],
       "text: the header")
    matches(lines[2], r"^%s +2 +too-late 2( +[0-9]+\.[0-9]{3}){4} +120$" % re.escape(too_late), "text: a row")
    eq(lines[3].split(), [DEAD, "2", "error", "2", "-", "-", "-", "-", "255"], "text: the dead server's row")


@test
def a_server_that_never_answers_holds_only_its_own_place():
    with Servers("silent-bind", "cancel-120") as (silent, too_late):
        r = run("ldapcancel", ["-x", "-D", "cn=x", "-w", "pw", "-b", BASE, "--after-entries", "3",
                               "--timeout", "1s", "--jobs", "2", "--json"] + each(silent, too_late, too_late),
                timeout=60)
    objs, matrix = objects(r, 3, "silent-bind")
    eq([(row["outcome"], row["exit"]) for row in matrix["matrix"]], [("error", 251), ("too-late", 120),
                                                                      ("too-late", 120)],
       "the silent server: --timeout during its bind; the others: their outcome")
    eq(r.rc, 251, "exit status")


@test
def each_file_lists_servers_and_skips_comments():
    s = slapd()
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("# replicas\n\n  %s  \n\t# the dead one\n%s\r\n" % (s.uri, DEAD))
    try:
        r = run("ldapcancel", PROBE + ["--each", s.uri, "--each-file", f.name, "--json"], timeout=60)
        piped = run("ldapcancel", PROBE + ["--each-file", "-", "--json"], stdin=open(f.name).read(), timeout=60)
    finally:
        os.unlink(f.name)
    objs, matrix = objects(r, 3, "--each then --each-file")
    eq([row["uri"] for row in matrix["matrix"]], [s.uri, s.uri, DEAD], "--each first, then the file's lines")
    objs, matrix = objects(piped, 2, "--each-file -")
    eq([row["uri"] for row in matrix["matrix"]], [s.uri, DEAD], "standard input")


@test
def bad_lists_and_combinations_are_refused():
    with tempfile.TemporaryDirectory() as d:
        bad = os.path.join(d, "servers")
        with open(bad, "w") as f:
            f.write("# ok\nldap://127.0.0.1:9\n\nldap://a ldap://b\n")
        empty = os.path.join(d, "empty")
        with open(empty, "w") as f:
            f.write("# nothing\n\n")
        cases = [
            (["-H", "ldap://127.0.0.1:9", "--each", DEAD],
             "ldapcancel: -H: names one server (several URIs are libldap's failover list): give the servers "
             "with --each or --each-file instead"),
            (["--each-file", bad],
             "ldapcancel: --each-file: %s:4: 'ldap://a ldap://b' is not one URI (one server per line; a "
             "failover list is -H's)" % bad),
            (["--each-file", empty], "ldapcancel: --each-file: '%s' names no server" % empty),
            (["--each-file", os.path.join(d, "none")],
             "ldapcancel: --each-file: cannot read '%s': No such file or directory" % os.path.join(d, "none")),
            (["--each", "foo://x"], "ldapcancel: --each: 'foo://x': unknown scheme (use ldap://, ldaps:// or "
             "ldapi://)"),
            (["--each", "ldap://a,ldap://b"], "ldapcancel: --each: 'ldap://a,ldap://b' is not one URI (one server "
             "per --each; a failover list is -H's)"),
            (["--jobs", "2"], "ldapcancel: --jobs: runs several servers at once: give them with --each or "
             "--each-file"),
            (["--each", DEAD, "--jobs", "0"], "ldapcancel: --jobs: '0' is out of range (1 to 256 servers at once)"),
            (["--each", DEAD, "--jobs", "257"],
             "ldapcancel: --jobs: '257' is out of range (1 to 256 servers at once)"),
            (["--each", DEAD, "-n"], "ldapcancel: --each: -n and -L describe one server: give -H instead"),
            (["--each", DEAD, "-L"], "ldapcancel: --each: -n and -L describe one server: give -H instead"),
        ]
        for args, line in cases:
            r = run("ldapcancel", ["-x", "-b", BASE] + args)
            eq((r.rc, r.out, r.err), (1, "", line + "\n"), "%s: one line, exit 1" % args)
    r = run("ldapcancel", ["-Y", "PLAIN", "-I", "--each", DEAD])
    eq((r.rc, r.out), (1, ""), "-I: exit 1")
    eq(r.err, "ldapcancel: --each: -I would ask the SASL questions of several servers at once: give the "
       "answers with -U, -R, -X and -w or -y\n", "-I refused")
    r = run("ldapcancel", ["-x", "--each-file", "-"], stdin="# none\n")
    eq((r.rc, r.err), (1, "ldapcancel: --each-file: standard input names no server\n"), "empty standard input")
    r = run("ldaptrace", ["-x", "--each", DEAD])
    eq(r.rc, 1, "ldaptrace has no --each")


def search_started(fs):
    return fs.wait_log(lambda rec: rec.get("op") == "search", timeout=scaled(10))


def our_processes(port):
    """Processes still running whose command line names the port."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        if "ldapcancel" in cmd and ":%d\0" % port in cmd:
            found.append(pid)
    return found


@test
def ctrl_c_reports_what_ran_and_starts_nothing_more():
    with faultserver("cancel-118") as fs:
        args = ["-x", "-b", BASE, "--after", "never", "--jobs", "1", "--json"] + each(fs.uri, fs.uri, fs.uri)
        with spawn("ldapcancel", args) as p:
            search_started(fs)
            p.signal(signal.SIGINT, group=True)  # as the terminal sends it
            r = p.wait(timeout=20)
        binds = len([rec for rec in fs.log() if rec.get("op") == "bind"])
        left = our_processes(fs.port)
    objs, matrix = objects(r, 1, "Ctrl-C")
    eq((objs[0]["outcome"], objs[0]["interrupt"]["trigger"]), ("canceled", "signal"),
       "the running server got Ctrl-C once: its trigger")
    eq([(row["outcome"], row["exit"]) for row in matrix["matrix"]], [("canceled", 0)], "one row: what finished")
    eq((matrix["stopped"], r.rc), (True, 130), "stopped, exit 130")
    eq(binds, 1, "no other server was started")
    eq(left, [], "no process left behind")


@test
def sigterm_stops_every_running_server():
    with faultserver("cancel-118") as fs:
        args = ["-x", "-b", BASE, "--after", "never", "--jobs", "2"] + each(fs.uri, fs.uri, fs.uri)
        with spawn("ldapcancel", args) as p:
            first = search_started(fs)
            fs.wait_log(lambda rec: rec.get("op") == "search" and rec.get("conn") not in (None, first["conn"]),
                        timeout=scaled(10))
            p.signal(signal.SIGTERM)
            r = p.wait(timeout=20)
        left = our_processes(fs.port)
    lines = matrix_lines(r)
    eq(lines[0], "2 servers", "the two that ran")
    eq(lines[-1], "exit status: 143 (stopped by a signal)", "the last line")
    eq(r.rc, 143, "exit status")
    eq(left, [], "no process left behind")


if __name__ == "__main__":
    tap_main()
