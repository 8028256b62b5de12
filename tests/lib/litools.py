# SPDX-License-Identifier: BSD-2-Clause
"""Helpers for ldap-interrupt's own integration tests, on top of ldaptest."""

import json
import os

from ldaptest import eq, ok, fail, contains, faultserver, run, SRCDIR  # noqa: F401

try:
    import jsonschema
except ImportError:
    jsonschema = None

OUTCOME_EXIT = {
    "canceled": 0, "abandoned": 0, "too-late": 120, "no-such-operation": 119,
    "cannot-cancel": 121, "unsupported": 2, "no-response": 85,
    "connection-lost": 81, "self-target": 89,
}


def anon(s):
    """Anonymous simple bind to the fixture's ldap:// listener."""
    return ["-x", "-H", s.uri]


def admin(s):
    return ["-x", "-H", s.uri, "-D", s.admin_dn, "-w", s.admin_pw]


def check_report(r, tool, outcome, interrupt=None):
    """The JSON report (man/output-json.man): keys, types, and the exit status
    matching the outcome. Returns the parsed object."""
    j = r.json
    if j is None:
        fail("stdout is not one JSON object: %r" % r.out[:500])
    for key in ("tool", "uri", "operation", "interrupt", "entries_before",
                "entries_after", "op_result", "outcome", "exit"):
        ok(key in j, "JSON has key %r" % key)
    eq(j["tool"], tool, "tool")
    eq(j["outcome"], outcome, "outcome")
    eq(j["exit"], r.rc, "JSON exit equals the exit status")
    if outcome in OUTCOME_EXIT:
        eq(r.rc, OUTCOME_EXIT[outcome], "exit status for %s" % outcome)
    if interrupt:
        eq(j["interrupt"]["type"], interrupt, "interrupt.type")
        ok(("cancel_result" in j) == (interrupt == "cancel"),
           "cancel_result present only for cancel")
    for res in ("op_result", "cancel_result"):
        v = j.get(res)
        if v is not None:
            for key in ("code", "name", "at_ms"):
                ok(key in v, "%s has %s" % (res, key))
    return j


def last_line(text):
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-1] if lines else ""


def persistent_search(s, tool, args, adds, prefix=(), connect=None):
    """Runs `tool args -b NEW -E sync=rp` on a fresh, empty container under
    ou=scratch and, once the refresh is over (the tool logs the SyncInfo
    under -v), adds `adds` entries to it, so that whatever the trigger counts
    arrives in the persist phase. A Cancel during slapd 2.5.13's refresh
    races syncprov (it crashed slapd, or went unanswered): a test that needs
    a deterministic outcome interrupts only after the refresh, as this does.
    `prefix` runs the tool under another program (valgrind); then `tool` is
    a path. `connect` replaces the tool's ["-x", "-H", s.uri] (ldaps, -ZZ):
    slapd 2.5.13 over TLS now and then drops the connection ("ber write
    failed") when a request arrives while it streams entries, so TLS tests
    interrupt it here, where it is idle. Returns (Result, container DN)."""
    import uuid
    from ldaptest import spawn, run
    ou = "sync-" + uuid.uuid4().hex[:8]
    container = "ou=%s,ou=scratch,%s" % (ou, s.base)
    bind = ["-x", "-H", s.uri, "-D", s.admin_dn, "-w", s.admin_pw]
    r = run("ldapadd", bind, stdin="dn: %s\nobjectClass: organizationalUnit\nou: %s\n" % (container, ou))
    eq(r.rc, 0, "ldapadd %s" % container)
    argv = list(prefix) + [tool] if prefix else [tool]
    tool_bind = (list(connect) if connect else bind[:3]) + bind[3:]
    with spawn(argv[0], argv[1:] + tool_bind + ["-v", "-b", container, "-E", "sync=rp"] + list(args)) as p:
        p.wait_for("err", r"IntermediateResponse \(SyncInfo\)", timeout=60)
        ldif = "".join("dn: cn=p%d,%s\nobjectClass: person\ncn: p%d\nsn: persist\n\n" % (i, container, i)
                       for i in range(adds))
        r = run("ldapadd", bind, stdin=ldif)
        eq(r.rc, 0, "ldapadd %d entries in the persist phase" % adds)
        return p.wait(timeout=120), container


def run_with_tty(argv, answer, timeout=20, columns=None):
    """Runs argv (a built tool's path first) with a controlling terminal and
    answers the first "Enter LDAP Password:" prompt with `answer` (bytes),
    or, when `answer` is a list of (prompt, answer) pairs of bytes, each
    prompt in turn, as it shows after the previous answer (a third item,
    seconds, answers that much later, as a person would). Returns (exit
    status, what the terminal showed). `columns` sets the terminal's width
    (else the pty's default, none)."""
    import fcntl
    import os
    import pty
    import select
    import signal
    import struct
    import termios
    import time
    from ldaptest import scaled
    steps = list(answer) if isinstance(answer, list) else [(b"Enter LDAP Password:", answer)]
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    if columns:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    out, pos, shown, deadline = b"", 0, None, time.monotonic() + scaled(timeout)
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        if steps and shown is None and out.find(steps[0][0], pos) >= 0:
            pos = out.find(steps[0][0], pos) + len(steps[0][0])
            shown = time.monotonic()
        if shown is not None and time.monotonic() >= shown + (steps[0][2] if len(steps[0]) > 2 else 0):
            os.write(fd, steps.pop(0)[1])
            shown = None
    else:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


def project_version():
    """The version meson.build's project() declares: the one --version, the
    .pc file, the header, NEWS and the Debian packages carry."""
    import os
    import re
    from ldaptest import SRCDIR
    with open(os.path.join(SRCDIR, "meson.build")) as f:
        m = re.search(r"project\([^)]*?version\s*:\s*'([^']+)'", f.read(), re.S)
    ok(m, "meson.build's project() has a version")
    return m.group(1)


def schema_valid(kind, j, what):
    """j is valid against docs/schema/KIND.json (when python3-jsonschema is there)."""
    if jsonschema is None:
        return
    with open(os.path.join(SRCDIR, "docs", "schema", kind + ".json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = ["%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message)
              for e in jsonschema.Draft202012Validator(schema).iter_errors(j)]
    eq(errors, [], "%s: valid against docs/schema/%s.json" % (what, kind))


def percentiles_ordered(series, what):
    """A summary's series: p50 <= p90 <= p99 <= max."""
    vals = [series[k] for k in ("p50", "p90", "p99", "max")]
    eq(vals, sorted(vals), "%s: percentiles in order" % what)


def audit_results(j):
    """An --audit object's checks as (id, result) pairs."""
    return [(c["id"], c["result"]) for c in j["checks"]]


def audit_check(j, cid):
    """An --audit object's check with this id."""
    return next(c for c in j["checks"] if c["id"] == cid)


def audit_object(r, tool, ids, what):
    """--audit --json's one object: valid against docs/schema/audit.json, the
    tool's and its checklist's, the checks ids in order, the summary counting
    them, "exit" the exit status. Returns it."""
    j = r.json
    if j is None:
        fail("%s: stdout is not one JSON object: %r" % (what, r.out[:500]))
    schema_valid("audit", j, what)
    audit = {"ldapcancel": "cancel", "ldapabandon": "abandon"}[tool]
    eq((j["tool"], j["audit"], j["exit"]), (tool, audit, r.rc), "%s: tool, audit, exit" % what)
    eq([c["id"] for c in j["checks"]], ids, "%s: the checks, in order" % what)
    counts = {k: sum(1 for c in j["checks"] if c["result"] == k) for k in ("pass", "fail", "warn", "skip", "info")}
    eq(j["summary"], counts, "%s: the summary counts the rows" % what)
    return j


def audit_without_server(tool):
    """--audit --json against a port nobody listens on: exit 255, an error
    line and the error object."""
    with faultserver("normal") as fs:
        uri = fs.uri
    r = run(tool, ["-x", "-H", uri, "--audit", "--json"])
    eq(r.rc, 255, "exit status: Can't contact LDAP server")
    eq(r.err.splitlines()[0].startswith(tool + ": "), True, "an error line on stderr")
    j = r.json or {}
    schema_valid("error", j, "the error object")
    eq((j.get("tool"), j.get("uri"), j.get("outcome"), j.get("exit")), (tool, uri, "error", 255),
       "the error object: tool, uri, outcome, exit")
