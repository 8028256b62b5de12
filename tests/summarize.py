#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Counts the checks of one or more meson test logs (TAP subtests, or the
test itself when it printed no TAP), and of TAP files from tests run
outside meson, and ends with "N passed, N failed".

    summarize.py [--extra "name:pass|fail" ...] [--tap NAME=FILE ...] testlog.json ...
"""

import json
import re
import sys

OK = re.compile(r"^(not )?ok \d+\b(.*)$")


class Count:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.failures = []

    def fail(self, why):
        self.failed += 1
        self.failures.append(why)

    def tap(self, lines, label):
        """Counts the TAP results among lines; True if one failed."""
        failed = False
        for m in filter(None, (OK.match(l) for l in lines)):
            if "# SKIP" in m.group(2):
                self.skipped += 1
            elif m.group(1):
                self.fail("%s:%s" % (label, m.group(2)))
                failed = True
            else:
                self.passed += 1
        return failed


def main(argv):
    c = Count()
    extras, taps, logs = [], [], []
    it = iter(argv)
    for a in it:
        if a == "--extra":
            extras.append(next(it))
        elif a == "--tap":
            taps.append(next(it).partition("="))
        else:
            logs.append(a)
    for path in logs:
        try:
            lines = open(path).read().splitlines()
        except OSError:
            c.fail("%s: no test log (the suite did not run)" % path)
            continue
        for line in lines:
            t = json.loads(line)
            label = "%s (%s)" % (t["name"], path.split("/")[0])
            if not c.tap(t.get("stdout", "").splitlines(), label) and t["result"] not in ("OK", "SKIP"):
                c.fail("%s: %s" % (label, t["result"]))
    for name, _, path in taps:
        try:
            lines = open(path).read().splitlines()
        except OSError:
            lines = []
        if not any(re.match(r"^1\.\.\d+$", l) for l in lines):
            c.fail("%s: no TAP plan in %s (the test did not finish)" % (name, path))
        c.tap(lines, name)
    for e in extras:
        name, _, verdict = e.rpartition(":")
        if verdict == "pass":
            c.passed += 1
        else:
            c.fail(name)
        print("  %s: %s" % (name, verdict))
    for f in c.failures:
        print("FAILED %s" % f)
    if c.skipped:
        print("%d skipped" % c.skipped)
    print("%d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
