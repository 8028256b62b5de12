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


@test
def json_error_object_to_a_full_disk():
    # The error object is output like the report: a full disk says so.
    rc, err = to_dev_full("ldapcancel", ["-x", "-H", "ldap://127.0.0.1:1", "--json"])
    eq((rc, err), (74, "ldapcancel: ldap_connect: Can't contact LDAP server (-1)\n"
                       "ldapcancel: write error: No space left on device\n"), "exit status and stderr")


@test
def plan_to_a_full_disk():
    for extra in ([], ["--json"]):
        rc, err = to_dev_full("ldapcancel", ["-n", "-x", "-H", "ldap://127.0.0.1:1"] + extra)
        eq((rc, err), (74, "ldapcancel: write error: No space left on device\n"),
           "-n %s: exit status and stderr" % " ".join(extra))


@test
def durations_are_words_with_a_unit():
    # --wait 0 and --after 0 once printed a bare "0" ("within 0 after the cancel").
    with faultserver("silent") as fs:
        r = run("ldapcancel", ["-x", "-H", fs.uri, "-b", "dc=example,dc=com", "--wait", "0"])
    eq(r.rc, 85, "no-response")
    contains(r.out, "(trigger: right after the request;", "the trigger")
    eq(r.out.splitlines()[-1], "no-response: no answer to the Cancel when the cancel was sent "
                               "(--wait 0 decides at once)", "the verdict")


if __name__ == "__main__":
    tap_main()
