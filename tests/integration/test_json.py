#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Every JSON object the tools write, checked against its JSON Schema in
docs/schema/ (the files meson installs): the report of every outcome that
slapd or the fault server can provoke, the error object of each stage,
every kind of ldaptrace message line, the plan of -n --json, and the
summary of --count.  The
schemas close their objects (additionalProperties false), so a key added
without a schema change fails here.  Needs Debian's python3-jsonschema
(scripts/setup-debian installs it).
"""

import copy
import json
import os
import re
import signal
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import admin, anon, persistent_search  # noqa: E402

try:
    import jsonschema
except ImportError:  # the tests say so, one by one
    jsonschema = None

SCHEMA_DIR = os.path.join(SRCDIR, "docs", "schema")
KINDS = ("report", "error", "plan", "trace-event", "audit", "stats", "matrix", "audit-stats", "relay-session")
TOOLS = ("ldapcancel", "ldapabandon", "ldaptrace")
_validators = {}


def validator(kind):
    if kind not in _validators:
        with open(os.path.join(SCHEMA_DIR, kind + ".json")) as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        _validators[kind] = jsonschema.Draft202012Validator(schema)
    return _validators[kind]


def problems(kind, obj):
    return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(top)", e.message)
            for e in validator(kind).iter_errors(obj)]


def valid(kind, obj, what):
    eq(problems(kind, obj), [], "%s: valid against docs/schema/%s.json" % (what, kind))
    return obj


def last_object(r, what):
    """ldaptrace: every line but the last is a message line; the last is
    the report or the error object. The others: one object."""
    lines = r.jsonl
    if not lines:
        fail("%s: stdout is not JSON lines: %r" % (what, r.out[:500]))
    for i, line in enumerate(lines[:-1]):
        valid("trace-event", line, "%s: line %d" % (what, i + 1))
    return lines[-1]


def report(r, what, outcome):
    """outcome None: whichever (a race the test does not decide)."""
    j = last_object(r, what)
    valid("report", j, what)
    eq((j["outcome"] if outcome else None, j["exit"]), (outcome, r.rc), "%s: outcome and exit status" % what)
    return j


def error(r, what, stage, code, status):
    j = last_object(r, what)
    valid("error", j, what)
    eq((j["outcome"], j["error"]["stage"], j["error"]["code"], j["exit"], r.rc),
       ("error", stage, code, status, status), "%s: stage, code and exit status" % what)
    return j


schemas_present = (lambda: jsonschema is not None, "python3-jsonschema is not installed")


@test(skip_unless=schemas_present[0], reason=schemas_present[1])
def every_schema_is_a_valid_schema_and_closes_its_objects():
    for kind in KINDS:
        validator(kind)
    # A key the schema does not know fails it, at the top and inside.
    good = {"format": 1, "tool": "ldapcancel", "uri": None, "outcome": "error",
            "error": {"stage": "connect", "what": "ldap_connect", "code": -1, "name": "serverDown",
                      "text": "Can't contact LDAP server", "info": None, "matched": None}, "exit": 255}
    valid("error", good, "a hand-made error object")
    for path in ((), ("error",)):
        bad = copy.deepcopy(good)
        target = bad
        for p in path:
            target = target[p]
        target["new_key"] = 1
        ne(problems("error", bad), [], "a new key under %r fails the schema" % (path or "the top"))
    bad = dict(good, format=2)
    ne(problems("error", bad), [], "format 2 fails the schema")


@test(skip_unless=schemas_present[0], reason=schemas_present[1])
def reports_from_slapd():
    s = slapd()
    people = ["-b", s.people_base]
    runs = [
        ("ldapcancel", anon(s) + people + ["--after-entries", "10"], "canceled"),
        ("ldapabandon", anon(s) + people + ["--after-entries", "10", "--wait", "300ms"], "abandoned"),
        ("ldapabandon", anon(s) + people + ["--after-entries", "1", "--wait", "0"], "abandoned"),
        ("ldaptrace", anon(s) + people + ["--cancel", "--after-entries", "2"], "canceled"),
        ("ldaptrace", anon(s) + ["-b", s.people_base, "-s", "base"], "completed"),
        # a paged search: "pages" (the second page may end before the Cancel)
        ("ldapcancel", anon(s) + people + ["-E", "pr=100", "--after-entries", "150"], None),
        ("ldapcancel", anon(s) + people + ["--after", "never", "--timeout", "500ms"], None),
        ("ldapcancel", anon(s) + ["--msgid", "1000"], "no-such-operation"),
        ("ldapcancel", anon(s) + ["--msgid", "2"], "self-target"),
        ("ldapabandon", anon(s) + ["--msgid", "5", "--wait", "0"], "abandoned"),
        ("ldapcancel", anon(s) + ["-b", "cn=slow,ou=retcode," + s.base], "too-late"),
        # fails before the interrupt is due: no Cancel races slapd's error
        # path (slapd 2.5.13 then drops the connection now and then)
        ("ldapcancel", admin(s) + ["--op", "delete", "cn=none,ou=scratch," + s.base, "--after", "5s"], "failed"),
        ("ldapabandon", anon(s) + ["-b", "ou=nosuch," + s.base, "--after", "5s"], "failed"),
        ("ldaptrace", anon(s) + ["-b", "ou=nosuch," + s.base], "failed"),
    ]
    for tool, args, outcome in runs:
        r = run(tool, args + ["--json"], timeout=30)
        j = report(r, "%s %s" % (tool, " ".join(args[3:])), outcome)
        eq("pages" in j, "pr=100" in args, "%s: pages only for a paged search" % tool)
        if outcome == "failed":
            # a full report, the operation's result in it
            eq(j["op_result"]["code"], 32, "%s: failed: op_result.code" % tool)
            eq(j["op_result"]["name"], "noSuchObject", "%s: failed: op_result.name" % tool)
            eq(r.rc, 32, "%s: failed: exit status" % tool)


@test(skip_unless=schemas_present[0], reason=schemas_present[1])
def reports_from_the_fault_server():
    cases = [
        ("no-cancel", "ldapcancel", ["--after-entries", "3"], "unsupported"),
        ("silent", "ldapcancel", ["--wait", "300ms"], "no-response"),
        ("silent", "ldapabandon", ["--wait", "300ms"], "abandoned"),
        ("cancel-119", "ldapcancel", ["--after-entries", "3"], "no-such-operation"),
        ("cancel-120", "ldapcancel", ["--after-entries", "3"], "too-late"),
        ("cancel-121", "ldapcancel", ["--after-entries", "3"], "cannot-cancel"),
        ("contradict", "ldaptrace", ["--cancel", "--after-entries", "3"], None),
        ("nod", "ldapabandon", ["--after-entries", "3"], "connection-lost"),
        ("nod-non-utf8", "ldaptrace", ["--abandon", "--after-entries", "3"], "connection-lost"),
        ("garbage", "ldaptrace", ["--cancel", "--after-entries", "9"], "connection-lost"),
        ("close-mid-message", "ldaptrace", ["--hex", "--cancel", "--after-entries", "9"], "connection-lost"),
        ("late-result", "ldapabandon", ["--after-entries", "3", "--wait", "2s"], None),
        ("stray-msgid", "ldaptrace", ["--cancel", "--after-entries", "3"], None),
        ("non-utf8", "ldaptrace", ["-v", "--cancel", "--after-entries", "3"], None),
    ]
    for scenario, tool, args, outcome in cases:
        with faultserver(scenario) as fs:
            r = run(tool, ["-x", "-H", fs.uri, "-b", "dc=example,dc=com"] + args + ["--json"], timeout=30)
        what = "%s against %s" % (tool, scenario)
        j = last_object(r, what)
        valid("report", j, what)
        eq(j["exit"], r.rc, "%s: exit" % what)
        if outcome:
            eq(j["outcome"], outcome, "%s: outcome" % what)


@test(skip_unless=schemas_present[0], reason=schemas_present[1])
def errors_of_each_stage():
    s = slapd()
    for tool in TOOLS:
        # cannot contact: connect, -1 serverDown, 255
        r = run(tool, ["-x", "-H", "ldap://127.0.0.1:1", "--json"])
        j = error(r, "%s: nobody listening" % tool, "connect", -1, 255)
        eq((j["tool"], j["uri"], j["error"]["name"], j["error"]["what"]),
           (tool, "ldap://127.0.0.1:1", "serverDown", "ldap_connect"), "%s: the error object" % tool)
        eq(r.err, "%s: ldap_connect: Can't contact LDAP server (-1)\n" % tool, "%s: stderr as before" % tool)
        # a wrong password: bind, 49 invalidCredentials, 49
        r = run(tool, ["-x", "-H", s.uri, "-D", s.admin_dn, "-w", "wrong", "--json"])
        j = error(r, "%s: wrong password" % tool, "bind", 49, 49)
        eq(j["error"]["name"], "invalidCredentials", "%s: bind: name" % tool)
    # a server without StartTLS under -ZZ: tls, protocolError (2)
    with faultserver("normal") as fs:
        r = run("ldapcancel", ["-x", "-ZZ", "-H", fs.uri, "--json"])
        j = error(r, "-ZZ refused", "tls", 2, 2)
        eq(j["error"]["what"], "ldap_start_tls", "-ZZ: what")
    # -L: the error object goes where the report goes, to stderr
    r = run("ldapcancel", ["-L", "-x", "-H", "ldap://127.0.0.1:1", "--json"])
    eq((r.rc, r.out), (255, ""), "-L: exit status, nothing on stdout")
    lines = r.err.splitlines()
    eq(lines[0], "ldapcancel: ldap_connect: Can't contact LDAP server (-1)", "-L: the error line")
    valid("error", json.loads(lines[1]), "-L: the error object on stderr")
    # --timeout ran out during the bind: bind, -5 timeout, 251
    with faultserver("silent-bind") as fs:
        r = run("ldapabandon", ["-x", "-H", fs.uri, "-D", "cn=x", "-w", "pw", "--timeout", "500ms", "--json"])
    j = error(r, "--timeout during the bind", "bind", -5, 251)
    eq(j["error"]["name"], "timeout", "--timeout: name")
    # ldaptrace: the messages it saw, then the error object
    with faultserver("bind-fail") as fs:
        r = run("ldaptrace", ["-x", "-H", fs.uri, "-D", "cn=x", "-w", "pw", "--json"])
    j = error(r, "ldaptrace: bind refused by the fault server", "bind", 49, 49)
    eq(j["error"]["info"], "bad password for test", "the server's diagnostic message as info")
    eq([l["op"] for l in r.jsonl[:-1]], ["BindRequest", "BindResponse"], "the trace before the error object")
    # No JSON for bad input (exit 1, one line on stderr), nor under -q.
    r = run("ldapcancel", ["-x", "-H", "ldap://127.0.0.1:1", "--json", "(uid=x"])
    eq((r.rc, r.out), (1, ""), "a bad filter: exit 1, nothing on stdout")
    eq(r.err, "ldapcancel: filter: '(uid=x' is not a valid search filter (RFC 4515)\n", "the one line")
    r = run("ldapcancel", ["-x", "-H", "ldap://127.0.0.1:1", "-q"])
    eq((r.rc, r.out), (255, ""), "-q: the exit status alone")


@test(skip_unless=schemas_present[0], reason=schemas_present[1])
def sigterm_before_the_outcome_is_an_error_of_the_operation():
    with faultserver("silent") as fs:
        for tool in TOOLS:
            args = ["-v", "-x", "-H", fs.uri, "-b", "dc=example,dc=com", "--after", "never", "--json"]
            with spawn(tool, args + (["--cancel"] if tool == "ldaptrace" else [])) as p:
                p.wait_for("err", r"search sent as message 2", timeout=10)
                p.signal(signal.SIGTERM)
                r = p.wait(timeout=10)
            j = error(r, "%s: SIGTERM" % tool, "operation", -8, 143)
            eq((j["error"]["name"], j["error"]["text"]),
               ("userCancelled", "terminated by SIGTERM before the outcome was decided"), "%s: SIGTERM" % tool)
    # During the bind the signal has its default action, as documented:
    # the tool ends at once, with nothing on stdout.
    with faultserver("silent-bind") as fs:
        with spawn("ldapcancel", ["-x", "-H", fs.uri, "-D", "cn=x", "-w", "pw", "--json"]) as p:
            fs.wait_log(lambda rec: rec.get("op") == "bind", timeout=10)
            p.signal(signal.SIGTERM)
            r = p.wait(timeout=10)
    eq((r.rc, r.out), (-signal.SIGTERM, ""), "SIGTERM during the bind: killed by it, nothing on stdout")


@test(skip_unless=schemas_present[0], reason=schemas_present[1])
def every_kind_of_trace_line():
    s = slapd()
    adm = admin(s)
    dn = "cn=json-%s,ou=scratch,%s" % (uuid.uuid4().hex[:8], s.base)
    rdn = dn.split(",", 1)[0] + "x"
    runs = [
        (adm + ["-v", "--hex", "--op", "add", "-f", "-"],
         "dn: %s\nobjectClass: person\ncn: %s\nsn: a\nuserPassword: s3cret\n" % (dn, dn[3:].split(",")[0])),
        (adm + ["--op", "modify", "-f", "-"], "dn: %s\nchangetype: modify\nreplace: sn\nsn: b\n-\n" % dn),
        (adm + ["--op", "compare", dn, "sn:b"], None),
        (adm + ["--op", "modrdn", dn, rdn], None),
        (adm + ["--op", "delete", "%s,%s" % (rdn, dn.split(",", 1)[1])], None),
        (adm + ["--op", "exop", "whoami"], None),
        (anon(s) + ["-v", "-b", s.people_base, "--abandon", "--after-entries", "2", "--wait", "0"], None),
        (anon(s) + ["-b", "ou=scratch," + s.base, "-s", "base", "-E", "sync=rp", "--cancel", "--after", "500ms"],
         None),
    ]
    seen = set()
    for args, stdin in runs:
        r = run("ldaptrace", args + ["--json"], stdin=stdin)
        what = "ldaptrace " + " ".join(args[3:])
        j = valid("report", last_object(r, what), what)
        eq(j["exit"], r.rc, "%s: exit" % what)
        seen.update(l["op"] for l in r.jsonl[:-1])
    for scenario, args in (("garbage", ["--cancel", "--after-entries", "9"]), ("nod", ["--after-entries", "3",
                                                                                     "--abandon"])):
        with faultserver(scenario) as fs:
            r = run("ldaptrace", ["-x", "-H", fs.uri, "-b", "dc=example,dc=com", "--json"] + args)
        last_object(r, "ldaptrace against " + scenario)
        seen.update(l["op"] for l in r.jsonl[:-1])
    want = {"BindRequest", "BindResponse", "UnbindRequest", "SearchRequest", "SearchResultEntry",
            "SearchResultDone", "ModifyRequest", "ModifyResponse", "AddRequest", "AddResponse", "DelRequest",
            "DelResponse", "ModifyDNRequest", "ModifyDNResponse", "CompareRequest", "CompareResponse",
            "AbandonRequest", "ExtendedRequest", "ExtendedResponse", "IntermediateResponse", "malformed",
            "closed"}
    eq(sorted(want - seen), [], "every kind of message line was seen and validated")


PLAN_CASES = [
    ("ldapcancel", ["-x", "-H", "ldap://127.0.0.1:1", "-D", "cn=a", "-w", "pw", "-b", "dc=x",
                    "--after-entries", "5", "--after", "250ms"],
     {"uri": "ldap://127.0.0.1:1", "starttls": "none",
      "bind": {"type": "simple", "dn": "cn=a", "password": True, "mech": None},
      "operation": {"type": "search", "text": 'search base "dc=x" scope sub filter "(objectClass=*)"',
                    "page_size": None},
      "interrupt": {"type": "cancel", "target": None, "after_us": 250000, "after_entries": 5,
                    "wait_us": 30000000},
      "timeout_us": None},
     "then cancel it after 5 entries or 250 ms after the request is written, and listen for 30 s\n"),
    ("ldapabandon", ["-x", "-ZZ", "-H", "ldap://127.0.0.1:1", "--wait", "0"],
     {"uri": "ldap://127.0.0.1:1", "starttls": "require",
      "bind": {"type": "simple", "dn": None, "password": False, "mech": None},
      "interrupt": {"type": "abandon", "target": None, "after_us": 0, "after_entries": None, "wait_us": 0}},
     "then abandon it right after the request is written, and decide at once (--wait 0)\n"),
    ("ldapabandon", ["-x", "-H", "ldap://127.0.0.1:1", "--after-entries", "1"],
     {"interrupt": {"type": "abandon", "target": None, "after_us": None, "after_entries": 1,
                    "wait_us": 1000000}},
     "then abandon it after 1 entry, and listen for 1 s\n"),
    ("ldapcancel", ["-Y", "EXTERNAL", "-H", "ldapi:///", "--msgid", "7"],
     {"uri": "ldapi:///", "bind": {"type": "sasl", "dn": None, "password": False, "mech": "EXTERNAL"},
      "operation": {"type": "none", "text": "no operation (message ID 7)", "page_size": None},
      "interrupt": {"type": "cancel", "target": 7, "after_us": None, "after_entries": None,
                    "wait_us": 30000000}},
     "then cancel it at once, and listen for 30 s\n"),
    ("ldapabandon", ["-x", "-H", "ldap://127.0.0.1:1", "-b", "dc=x", "-E", "pr=250", "--after", "2s",
                     "--timeout", "1m"],
     {"operation": {"type": "search", "text": 'search base "dc=x" scope sub filter "(objectClass=*)"',
                    "page_size": 250},
      "interrupt": {"type": "abandon", "target": None, "after_us": 2000000, "after_entries": None,
                    "wait_us": 1000000},
      "timeout_us": 60000000},
     ', in pages of at most 250 entries\nwith controls: 1.2.840.113556.1.4.319 (PagedResults)\n'
     'then abandon it 2 s after the request is written, and listen for 1 s\n'
     'all within 1 min (--timeout)\n'),
    ("ldapcancel", ["-x", "-H", "ldap://127.0.0.1:1", "-b", "dc=x", "-o", "tls_reqcert=never", "-E", "!sss=cn",
                    "-M"],
     {"ldap_options": [{"name": "tls_reqcert", "value": "never"}],
      "controls": [{"oid": "1.2.840.113556.1.4.473", "name": "SortRequest", "critical": True},
                   {"oid": "2.16.840.1.113730.3.4.2", "name": "ManageDsaIT", "critical": False}]},
     'ldap.conf options: tls_reqcert=never\nwith controls: 1.2.840.113556.1.4.473 (SortRequest) critical, '
     '2.16.840.1.113730.3.4.2 (ManageDsaIT)\nthen cancel it right after the request is written, and listen for 30 s\n'),
    ("ldaptrace", ["-x", "-H", "ldap://127.0.0.1:1", "--op", "delete", "cn=a,dc=x"],
     {"operation": {"type": "delete", "text": 'delete "cn=a,dc=x"', "page_size": None}, "interrupt": None},
     'delete "cn=a,dc=x"\n'),
]


@test(skip_unless=schemas_present[0], reason=schemas_present[1])
def plan_as_json():
    for tool, args, want, text_tail in PLAN_CASES:
        what = "%s -n %s" % (tool, " ".join(args))
        r = run(tool, ["-n", "--json"] + args)
        eq(r.rc, 0, "%s: exit status" % what)
        j = valid("plan", r.json, what)
        eq((j["format"], j["tool"]), (1, tool), "%s: format and tool" % what)
        for key, value in want.items():
            eq(j[key], value, "%s: %s" % (what, key))
        # the text plan: durations with their unit, the right plural
        r = run(tool, ["-n"] + args)
        eq(r.rc, 0, "%s (text): exit status" % what)
        ok(r.out.endswith(text_tail), "%s (text): ends %r, got %r" % (what, text_tail, r.out))


@test
def plan_quiet_prints_nothing_and_refuses_what_the_run_refuses():
    r = run("ldapcancel", ["-n", "-q", "-x", "-H", "ldap://127.0.0.1:1"])
    eq((r.rc, r.out, r.err), (0, "", ""), "-n -q: nothing, exit 0")
    for extra in ([], ["-q"], ["--json"]):
        r = run("ldapcancel", ["-n", "-x", "-H", "ldap://127.0.0.1:1", "(uid=x"] + extra)
        eq((r.rc, r.out), (1, ""), "-n %s with a bad filter: exit 1, no plan" % " ".join(extra))
        eq(r.err, "ldapcancel: filter: '(uid=x' is not a valid search filter (RFC 4515)\n",
           "-n %s: the real run's message" % " ".join(extra))


@test(skip_unless=schemas_present[0], reason=schemas_present[1])
def count_summaries():
    s = slapd()
    for tool, extra, outcomes in (
            ("ldapcancel", [], {"canceled": 2}),
            ("ldapabandon", ["--wait", "100ms"], {"abandoned": 2})):
        r = run(tool, anon(s) + ["-b", s.people_base, "--after-entries", "5", "--count", "2", "--json"] + extra,
                timeout=60)
        j = valid("stats", r.json, "%s --count 2" % tool)
        eq((j["outcomes"], j["exit"], r.rc), (outcomes, 0, 0), "%s --count 2: outcomes and exit" % tool)
    r = run("ldapcancel", ["-x", "-H", "ldap://127.0.0.1:9", "-b", s.base, "--count", "2", "--json"])
    j = valid("stats", r.json, "--count 2, no server")
    eq((j["outcomes"], j["uri"], j["exit"], r.rc), ({"error": 2}, None, 255, 255), "two errors")
    for path in ((), ("stats", "entries_after"), ("outcomes",)):
        bad = copy.deepcopy(j)
        target = bad
        for p in path:
            target = target[p]
        target["new_key"] = 1
        ne(problems("stats", bad), [], "a new key under %s fails the schema" % ("/".join(path) or "the top"))


def man_examples(page):
    """The JSON objects shown in a built man page: lines that start with
    '{' (and the indented lines starting with '"' that continue them), unescaped
    from roff."""
    with open(os.path.join(BUILDDIR, "man", page)) as f:
        lines = f.read().splitlines()
    found = []
    for line in lines:
        text = line.replace("\\e", "\\").replace("\\-", "-").replace("\\(aq", "'")
        if text.startswith("{"):
            found.append(text)
        elif text.startswith(" ") and text.lstrip().startswith('"') and found and not found[-1].endswith("}"):
            found[-1] += text.strip()
    return found


def kind_of(obj):
    if "matrix" in obj:
        return "matrix"
    if "checks" in obj and "count" in obj:
        return "audit-stats"
    if "audit" in obj:
        return "audit"
    if "t_ms" in obj:
        return "trace-event"
    if obj.get("outcome") == "error":
        return "error"
    if "stats" in obj:
        return "stats"
    return "plan" if "starttls" in obj else "report"


@test(skip_unless=schemas_present[0], reason=schemas_present[1])
def man_pages_show_json_as_the_tools_write_it():
    for tool in TOOLS:
        shown = 0
        for text in man_examples(tool + ".1"):
            obj = json.loads(text)
            if "format" not in obj and ("t_ms" in obj or "tool" in obj):
                fail("%s.1: an example object without format: %s" % (tool, text[:200]))
            if "format" not in obj:
                continue  # a jq-made object, not the tool's
            valid(kind_of(obj), obj, "%s.1: %s" % (tool, text[:80]))
            for m in re.finditer(r'_ms":(-?[0-9.]+)', text):
                matches(m.group(1), r"^-?[0-9]+\.[0-9]{3}$", "%s.1: a time with three decimals" % tool)
            shown += 1
        ge(shown, 11 if tool == "ldaptrace" else 2, "%s.1: JSON examples checked" % tool)


if __name__ == "__main__":
    tap_main()
