#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""README's scripts, run as a new user would run them: scripts/setup-debian
with stand-ins for apt-get and dpkg-query, so that the install path runs
without touching the system's packages."""

import os
import stat
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403

STUBS = {
    "dpkg-query": "exit 1",  # every package is missing: the install path runs
    "apt-get": 'echo "$*" >> "$STUB_LOG"',
    "debconf-set-selections": "cat >/dev/null",
}


def setup_debian(work, policy_exists):
    bindir = os.path.join(work, "bin")
    os.makedirs(bindir, exist_ok=True)
    for name, body in STUBS.items():
        path = os.path.join(bindir, name)
        with open(path, "w") as f:
            f.write("#!/bin/sh\n%s\n" % body)
        os.chmod(path, stat.S_IRWXU)
    policy = os.path.join(work, "policy-rc.d")
    if policy_exists:
        with open(policy, "w") as f:
            f.write("#!/bin/sh\nexit 101\n")
    env = {"PATH": bindir + ":" + os.environ.get("PATH", "/usr/bin:/bin"),
           "LI_POLICY_RC_D": policy, "STUB_LOG": os.path.join(work, "apt.log")}
    r = run("sh", [os.path.join(SRCDIR, "scripts", "setup-debian")], env=env)
    return r, policy


@test
def setup_debian_succeeds_when_a_policy_rc_d_exists():
    with tempfile.TemporaryDirectory() as work:
        r, policy = setup_debian(work, True)
        eq(r.rc, 0, "exit status after a successful install")
        ok(os.path.exists(policy), "someone else's policy-rc.d is left in place")
        with open(os.path.join(work, "apt.log")) as f:
            contains(f.read(), "install", "apt-get install ran")


@test
def setup_debian_removes_only_its_own_policy_rc_d():
    with tempfile.TemporaryDirectory() as work:
        r, policy = setup_debian(work, False)
        eq(r.rc, 0, "exit status after a successful install")
        ok(not os.path.exists(policy), "its own policy-rc.d is removed")


if __name__ == "__main__":
    tap_main()
