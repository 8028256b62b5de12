#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""--each: N servers with --jobs 8 and 32 against --jobs 1 (and one server alone).

    /usr/bin/python3 tests/bench/each.py [--build DIR] [--servers 40] [--runs 5]

Starts N fault servers (tests/fixture/faultserver.py) on loopback, then, run
by run in alternating order, the same probe against all of them with
--jobs 1, 8 and 32 and against the first one alone with -H, and prints
the median wall times and the ratios.  Two probes: ldapcancel against the
cancel-120 scenario (the Cancel answered about 40 ms after the result) and
ldapabandon --wait 200ms against silent (200 ms of silence after the
abandon: a probe that mostly waits), so the figures say how much of a run
is waiting that --jobs overlaps.  Timings
never decide a test; this only measures.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRCDIR, "tests", "fixture"))
from faultserver import FaultServer  # noqa: E402

PROBES = [
    ("ldapcancel", "cancel-120", ["-x", "-b", "dc=example,dc=com", "--after-entries", "3", "-q"]),
    ("ldapabandon", "silent", ["-x", "-b", "dc=example,dc=com", "--wait", "200ms", "-q"]),
]


def timed(argv):
    t = time.monotonic()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.monotonic() - t


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(SRCDIR, "build"))
    ap.add_argument("--servers", type=int, default=40)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    print("load average at start: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
    for tool, scenario, probe in PROBES:
        servers = [FaultServer(scenario) for _ in range(args.servers)]
        try:
            for fs in servers:
                fs.start()
            each = [a for fs in servers for a in ("--each", fs.uri)]
            binary = os.path.join(args.build, "cmd", tool)
            cmds = {
                "one server (-H)": [binary, "-H", servers[0].uri] + probe,
                "--jobs 1": [binary] + probe + each + ["--jobs", "1"],
                "--jobs 8": [binary] + probe + each + ["--jobs", "8"],
                "--jobs 32": [binary] + probe + each + ["--jobs", "32"],
            }
            times = {k: [] for k in cmds}
            for name in cmds:  # warm-up
                timed(cmds[name])
            for i in range(args.runs):
                order = list(cmds) if i % 2 == 0 else list(reversed(cmds))
                for name in order:
                    times[name].append(timed(cmds[name]))
        finally:
            for fs in servers:
                fs.close()
        med = {k: statistics.median(v) for k, v in times.items()}
        print("\n%s against %d x %s, %d runs each (median wall seconds):" % (tool, args.servers, scenario, args.runs))
        for name, m in med.items():
            print("  %-16s %7.3f s  (min %.3f, max %.3f)" % (name, m, min(times[name]), max(times[name])))
        print("  --jobs 8 / --jobs 1: %.2f; --jobs 8 / (%d x one server): %.2f"
              % (med["--jobs 8"] / med["--jobs 1"], args.servers,
                 med["--jobs 8"] / (args.servers * med["one server (-H)"])))
    print("\nload average at end: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
