#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""File descriptors and memory stay flat however long a run lasts: every
message is decoded, printed and freed as it arrives. Measured from /proc
while a fault server streams an entry every millisecond to ldaptrace (the
heaviest path: ldapcancel and ldapabandon run the same loop without the
decoding and printing); the benchmark shows the same for 200,000 entries
from slapd."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403

PLAIN = lambda: not os.environ.get("LI_SANITIZED") and not os.environ.get("LI_WRAPPER")  # noqa: E731
WHY = "RSS is only meaningful without sanitizers or valgrind"


def sample(pid):
    """RSS and open descriptors. The tools are not dumpable, so only root
    may list /proc/PID/fd; anyone else gets the size of the descriptor
    table, which a leak of descriptors grows all the same."""
    with open("/proc/%d/status" % pid) as f:
        status = {k: v.split()[0] for k, v in (l.split(":", 1) for l in f) if v.split()}
    try:
        fds = len(os.listdir("/proc/%d/fd" % pid))
    except PermissionError:
        fds = int(status["FDSize"])
    return int(status["VmRSS"]), fds


def streamed(args, marks):
    """(RSS kB, open fds) once the trace has printed entry cn=e<mark> for each mark."""
    out = []
    with faultserver("endless", interval_ms=1) as fs:
        with spawn("ldaptrace", ["-x", "-H", fs.uri, "-b", "dc=example,dc=com"] + args) as p:
            pos = 0
            for mark in marks:
                pos = p.wait_for("out", r"cn=e%d," % mark, timeout=30, pos=pos).end()
                out.append(sample(p.pid))
            p.kill()
    return out


@test(skip_unless=PLAIN, reason=WHY)
def rss_and_fds_flat_while_entries_stream():
    for args in (["-v"], ["--json", "--hex", "-v"]):
        (rss1, fds1), (rss2, fds2) = streamed(args, (1000, 5000))
        diag("ldaptrace %s: RSS %d kB -> %d kB, fds %d -> %d" % (" ".join(args), rss1, rss2, fds1, fds2))
        eq(fds2, fds1, "file descriptors")
        lt(rss2 - rss1, 256, "RSS grew by less than 256 kB while 4000 more entries streamed")


if __name__ == "__main__":
    tap_main()
