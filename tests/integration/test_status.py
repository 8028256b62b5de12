#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The status line: on a terminal, a wait longer than 2 s shows on stderr
what the tool waits for, redrawn in place ("\\r" and erase-line), and is
erased before the report or the error; never when stderr is not a terminal,
nor with -q or --json.

The tools run on a pty (tests/lib/litools.py run_with_tty) against fault
server scenarios that keep them waiting until --timeout ends the run, so
each wait is bounded and the last status is followed by the end."""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import run_with_tty  # noqa: E402

BASE = "dc=example,dc=com"
ERASE = "\r\x1b[K"


def on_tty(tool, args, columns=200):
    """(exit status, what the terminal showed) of a built tool on a pty."""
    return run_with_tty([tool_path(tool)] + list(args), b"", timeout=20, columns=columns)


def statuses(screen, tool):
    """The status lines drawn, in order."""
    return re.findall(re.escape(ERASE) + r"(%s: waiting [^\r\n]*)" % re.escape(tool), screen)


def erased_before(screen, text, what, between=""):
    """The last status was erased, and `text` written after the erasure
    (after `between`, a regex, if given: ldaptrace's trace so far)."""
    last = screen.rfind(": waiting ")
    ok(last >= 0, "%s: a status was shown" % what)
    erase = screen.find(ERASE, last)
    gt(erase, last, "%s: the status was erased" % what)
    at = screen.find(text, last)
    gt(at, erase, "%s: %r comes after the erasure" % (what, text))
    matches(screen[erase + len(ERASE):at], r"(?s)\A%s\Z" % between,
            "%s: nothing else between the erasure and %r" % (what, text))


@test
def a_long_wait_for_the_cancel_shows_a_status_then_the_report():
    with faultserver("silent") as fs:
        rc, screen = on_tty("ldapcancel", ["-x", "-H", fs.uri, "-b", BASE, "--timeout", "3s"])
    eq(rc, 85, "exit status (no-response)")
    lines = statuses(screen, "ldapcancel")
    ge(len(lines), 2, "redrawn while waiting: %r" % lines)
    le(len(lines), 10, "at most 5 a second over the last second")
    matches(lines[0], r"^ldapcancel: waiting 2\.\d+s for the cancel's answer \(0 entries after it\); "
            r"--timeout in [01]\.\ds$", "the first status")
    erased_before(screen, fs.uri, "report")
    ok(not screen.startswith(ERASE + "ldapcancel: waiting 0") and "waiting 1." not in screen,
       "nothing shown during the first 2 s")
    # A wait of 1 s shows nothing at all.
    with faultserver("ignore-abandon") as fs:
        rc, screen = on_tty("ldapcancel", ["-x", "-H", fs.uri, "-b", BASE, "--after", "1s"])
    eq(rc, 0, "a short wait: exit status (canceled)")
    not_contains(screen, "waiting", "a short wait: no status")
    ok(screen.startswith(fs.uri), "a short wait: the report alone: %r" % screen[:80])


@test
def the_status_fits_the_terminal():
    # A line that wraps could not be redrawn in place: it is cut to one row.
    with faultserver("silent") as fs:
        rc, screen = on_tty("ldapcancel", ["-x", "-H", fs.uri, "-b", BASE, "--timeout", "3s"], columns=60)
    eq(rc, 85, "exit status")
    lines = statuses(screen, "ldapcancel")
    ok(lines, "a status was shown")
    for line in lines:
        eq(len(line), 59, "cut to the width less one column: %r" % line)
    erased_before(screen, fs.uri, "report")


@test
def waiting_for_the_trigger_counts_the_entries():
    # 3 entries then nothing: --after-entries 10 never fires.
    with faultserver("ignore-abandon") as fs:
        rc, screen = on_tty("ldapcancel", ["-x", "-H", fs.uri, "-b", BASE, "--after-entries", "10",
                                           "--timeout", "3s"])
    eq(rc, 0, "exit status (canceled)")
    lines = statuses(screen, "ldapcancel")
    ok(lines, "a status was shown")
    matches(lines[0], r"^ldapcancel: waiting 2\.\d+s for the trigger \(--after-entries 10: 3 entries\); "
            r"--timeout in [01]\.\ds$",
            "the status names the trigger and the entries so far")
    erased_before(screen, fs.uri, "report")


def status_then_error(scenario, tool, args, waits_for, step):
    """Connecting never ends: the status comes from the library's own thread
    (libldap blocks the tool's), and the error line must not share its row."""
    with faultserver(scenario) as fs:
        uri = fs.uri if scenario != "tls-silent" else "ldaps://127.0.0.1:%d" % fs.port
        rc, screen = on_tty(tool, ["-x", "-H", uri, "--timeout", "3s"] + list(args))
    eq(rc, 251, "exit status (Timed out)")
    matches(statuses(screen, tool)[0], r"^%s: waiting 2\.\d+s for %s; --timeout in [01]\.\ds$"
            % (tool, re.escape(waits_for)), "the status names what it waits for")
    erased_before(screen, "%s: %s: Timed out (-5)\r\n" % (tool, step), "error line",
                  r"\s+[0-9.]+ -> connection closed by the client\r\n" if tool == "ldaptrace" else "")


@test
def a_bind_never_answered_shows_a_status_then_the_error():
    status_then_error("silent-bind", "ldapcancel", ["-D", "cn=x", "-w", "secret"], "the bind's answer",
                      "ldap_result")


@test
def a_tls_handshake_that_never_ends_shows_connecting():
    status_then_error("tls-silent", "ldaptrace", [], "the connection", "ldap_connect")


@test
def no_status_with_q_or_json_or_when_stderr_is_not_a_terminal():
    with faultserver("silent") as fs:
        args = ["-x", "-H", fs.uri, "-b", BASE, "--timeout", "2500ms"]
        rc, screen = on_tty("ldapcancel", args + ["-q"])
        eq(rc, 85, "-q: exit status")
        eq(screen, "", "-q: the terminal shows nothing")
        rc, screen = on_tty("ldapcancel", args + ["--json"])
        eq(rc, 85, "--json: exit status")
        not_contains(screen, "waiting", "--json: no status")
        ok(screen.startswith('{"format":1,"tool":"ldapcancel"'), "--json: the object alone: %r" % screen[:80])
        r = run("ldapcancel", args, timeout=20)
        eq(r.rc, 85, "stderr a pipe: exit status")
        eq(r.err, "", "stderr a pipe: no status")


if __name__ == "__main__":
    tap_main()
