#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Standard output that fails: a full disk (/dev/full) is an error with a
message and exit status 74, unlike a closed pipe (quiet, 141)."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403


def to_dev_full(tool, args):
    """Runs tool with stdout on /dev/full; returns (exit status, stderr)."""
    with open("/dev/full", "wb") as full:
        p = subprocess.run([tool_path(tool)] + args, stdin=subprocess.DEVNULL, stdout=full,
                           stderr=subprocess.PIPE, env=base_env(), timeout=scaled(20),
                           start_new_session=True)
    return p.returncode, p.stderr.decode()


def check_write_error(tool, args):
    with faultserver("normal") as fs:
        rc, err = to_dev_full(tool, ["-x", "-H", fs.uri, "-b", "dc=example,dc=com"] + args)
    eq((rc, err), (74, "%s: write error: No space left on device\n" % tool), "exit status and stderr")


@test
def ldapcancel_report_to_a_full_disk():
    check_write_error("ldapcancel", [])


@test
def ldapcancel_json_report_to_a_full_disk():
    check_write_error("ldapcancel", ["--json"])


@test
def ldapabandon_report_to_a_full_disk():
    check_write_error("ldapabandon", ["--wait", "0"])


@test
def ldaptrace_to_a_full_disk():
    check_write_error("ldaptrace", [])


@test
def ldaptrace_with_an_interrupt_to_a_full_disk():
    check_write_error("ldaptrace", ["--cancel", "--json"])


@test
def nothing_written_nothing_failed():
    # -q writes nothing, so a full disk does not matter.
    with faultserver("normal") as fs:
        rc, err = to_dev_full("ldaptrace", ["-x", "-H", fs.uri, "-b", "dc=example,dc=com", "-q"])
    eq((rc, err), (0, ""), "exit status and stderr")


if __name__ == "__main__":
    tap_main()
