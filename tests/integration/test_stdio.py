#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Started with standard output or standard error closed (`>&-`, `2>&-`),
a tool must not let the LDAP socket take descriptor 1 or 2 and print into
the connection: it runs to the same outcome, what it prints goes nowhere,
and slapd's log shows a clean session (the operation, the interrupt, the
unbind), no garbage and no lost connection."""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import anon  # noqa: E402

CLOSE = {0: "<&-", 1: ">&-", 2: "2>&-"}


def closed_run(tool, fd, args):
    """Run a built tool through sh with descriptor fd closed."""
    return run("sh", ["-c", 'exec "$@" %s' % CLOSE[fd], "sh", tool_path(tool)] + list(args), timeout=60)


def session(s, since):
    """slapd's log lines for the one connection opened since `since`,
    once slapd has logged it closed."""
    # the fixture's own readiness probes connect too, and send nothing
    m = s.wait_for_log(r"conn=(\d+) op=\d+ BIND\b", timeout=10, since=since)
    conn = m.group(1)
    s.wait_for_log(r"conn=%s fd=\d+ closed" % conn, timeout=10, since=since)
    return [l for l in s.log_text(since).splitlines() if re.search(r"\bconn=%s\b" % conn, l)]


def ops(lines):
    """The operations slapd saw, in order: SRCH, ABANDON, EXT, UNBIND..."""
    out = []
    for l in lines:
        m = re.search(r"\bop=\d+ (SRCH|ABANDON|EXT|UNBIND|BIND)\b", l)
        if m and (not out or out[-1] != m.group(1)):
            out.append(m.group(1))
    return out


# tool, extra arguments, exit status, the operations slapd must see
CASES = [
    ("ldapcancel", ["-v", "--after-entries", "5"], 0, ["BIND", "SRCH", "EXT", "UNBIND"]),
    ("ldapabandon", ["-v", "--after-entries", "5", "--wait", "200ms"], 0, ["BIND", "SRCH", "ABANDON", "UNBIND"]),
    ("ldaptrace", ["-v", "-z", "5"], 4, ["BIND", "SRCH", "UNBIND"]),
]


def _case(tool, extra, rc, want, fd):
    def fn():
        s = slapd()
        since = s.log_offset()
        r = closed_run(tool, fd, anon(s) + ["-b", s.people_base] + extra)
        lines = session(s, since)
        text = "\n".join(lines)
        eq(r.rc, rc, "exit status")
        if fd == 1:
            eq(r.out, "", "nothing where stdout was")
        if fd == 2:
            eq(r.err, "", "nothing where stderr was")
        # a clean close is "fd=N closed"; garbage shows as "closed (connection lost)" or a decoding error
        not_matches(text, r"closed \(|ber_get_next|\berr=2\b", "a clean session")
        matches(text, r"conn=\d+ fd=\d+ closed$", "closed cleanly")
        eq(ops(lines), want, "the operations slapd saw")
    test(fn, name="%s %s with fd %d closed" % (tool, " ".join(extra), fd))


for _tool, _extra, _rc, _want in CASES:
    for _fd in (1, 2, 0):
        _case(_tool, _extra, _rc, _want, _fd)


if __name__ == "__main__":
    tap_main()
