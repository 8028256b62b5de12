#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""li_params_set_interrupt_late: an operation that completed before the
trigger is interrupted all the same (trigger "result"), the run listens for
what the server does with it and decides too-late. Run through
late_interrupt.c (a search of the root DSE, trigger LI_NEVER) against the
test slapd and the fault server, whose log shows what arrived."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403

PROGRAM = os.path.join(BUILDDIR, "tests", "integration", "late_interrupt")
WAIT_US = "300000"


def late(uri, interrupt, on):
    r = run(PROGRAM, [uri, interrupt, "1" if on else "0", WAIT_US])
    eq((r.rc, r.err), (0, ""), "%s late=%d: exit status, stderr" % (interrupt, on))
    j = r.json
    if j is None:
        fail("stdout is not one JSON object: %r" % r.out[:500])
    return j


def sent_late(j, what):
    """The report of a late interrupt: the search completed, then the interrupt went out."""
    eq((j["outcome"], j["entries_before"], j["entries_after"], j["op_result"]["code"]), ("too-late", 1, 0, 0),
       "%s: too-late, the one entry and the result before the interrupt" % what)
    eq((j["interrupt"]["trigger"], j["interrupt"]["target"]), ("result", j["operation"]["msgid"]),
       "%s: fired by the result, naming the search" % what)
    ok(isinstance(j["interrupt"]["msgid"], int), "%s: sent as a message of its own" % what)
    ok(j["interrupt"]["sent_ms"] >= j["op_result"]["at_ms"], "%s: sent after the result arrived" % what)
    eq(j["connection"]["lost"], False, "%s: the connection stayed" % what)
    eq(j["notes"], [], "%s: no note (nothing says that nothing was sent)" % what)


@test
def without_late_nothing_is_sent():
    s = slapd()
    for interrupt in ("abandon", "cancel"):
        j = late(s.uri, interrupt, False)
        eq((j["outcome"], j["interrupt"]["msgid"], j["interrupt"]["trigger"]), ("too-late", None, None),
           "%s: the result ended the run, no interrupt sent" % interrupt)


@test
def slapd_late_abandon_is_ignored():
    s = slapd()
    j = late(s.uri, "abandon", True)
    sent_late(j, "abandon")
    eq(j["connection"]["strays"], 0, "no answer to the Abandon")


@test
def slapd_late_cancel_is_answered():
    s = slapd()
    j = late(s.uri, "cancel", True)
    sent_late(j, "cancel")
    eq((j["cancel_result"]["code"], j["cancel_result"]["name"]), (119, "noSuchOperation"),
       "slapd answers the Cancel of a completed search noSuchOperation")


@test
def the_server_receives_the_late_interrupt():
    with faultserver("normal", entries=1) as fs:
        ja = late(fs.uri, "abandon", True)
        jc = late(fs.uri, "cancel", True)
        log = fs.log()
    sent_late(ja, "abandon")
    sent_late(jc, "cancel")
    eq(jc["cancel_result"]["code"], 119, "the fault server's answer to a Cancel of a finished search")
    abandons = [(rec["conn"], rec["abandon_id"]) for rec in log if rec.get("op") == "abandon"]
    cancels = [(rec["conn"], rec["cancel_id"]) for rec in log if rec.get("op") == "extended"]
    eq((abandons, cancels), ([(1, ja["operation"]["msgid"])], [(2, jc["operation"]["msgid"])]),
       "one Abandon and one Cancel, each naming its connection's search")


if __name__ == "__main__":
    tap_main()
