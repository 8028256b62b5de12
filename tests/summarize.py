#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Counts the checks of one or more meson test logs (TAP subtests, or the
test itself when it printed no TAP) and ends with "N passed, N failed".

    summarize.py [--extra "name:pass|fail" ...] testlog.json ...
"""

import json
import re
import sys

OK = re.compile(r"^(not )?ok \d+\b(.*)$")


def main(argv):
    passed = failed = skipped = 0
    failures = []
    extras, logs = [], []
    it = iter(argv)
    for a in it:
        if a == "--extra":
            extras.append(next(it))
        else:
            logs.append(a)
    for path in logs:
        try:
            lines = open(path).read().splitlines()
        except OSError:
            failed += 1
            failures.append("%s: no test log (the suite did not run)" % path)
            continue
        for line in lines:
            t = json.loads(line)
            tap = [OK.match(l) for l in t.get("stdout", "").splitlines()]
            tap = [m for m in tap if m]
            for m in tap:
                if "# SKIP" in m.group(2):
                    skipped += 1
                elif m.group(1):
                    failed += 1
                    failures.append("%s (%s):%s" % (t["name"], path.split("/")[0], m.group(2)))
                else:
                    passed += 1
            if t["result"] not in ("OK", "SKIP") and not any(m.group(1) for m in tap):
                failed += 1
                failures.append("%s (%s): %s" % (t["name"], path.split("/")[0], t["result"]))
    for e in extras:
        name, _, verdict = e.rpartition(":")
        if verdict == "pass":
            passed += 1
        else:
            failed += 1
            failures.append(name)
        print("  %s: %s" % (name, verdict))
    for f in failures:
        print("FAILED %s" % f)
    if skipped:
        print("%d skipped" % skipped)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
