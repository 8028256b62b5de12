#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""valgrind memcheck on the main paths of the three tools: no invalid
access, no use of uninitialised memory, no definite or indirect leak.
(The sanitizer build runs the whole suite; this covers what ASan cannot:
uninitialised reads, and the tools as Debian's libraries really are.)"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from ldaptest import tool_path  # noqa: E402
from litools import anon, check_report, persistent_search  # noqa: E402

SUPP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "valgrind.supp")
PLAIN = lambda: have("valgrind") and not os.environ.get("LI_SANITIZED")  # noqa: E731
WHY = "needs valgrind and a build without sanitizers"


def memcheck_argv():
    return ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect", "--track-origins=yes", "--suppressions=" + SUPP]


def memcheck(tool, args, rc, stdin=None):
    argv = memcheck_argv()
    r = run(argv[0], argv[1:] + [tool_path(tool)] + args, timeout=120, stdin=stdin)
    return check_memcheck(r, tool, rc)


def check_memcheck(r, tool, rc):
    not_contains(r.err, "Invalid read", "%s: invalid reads" % tool)
    not_contains(r.err, "Invalid write", "%s: invalid writes" % tool)
    not_contains(r.err, "uninitialised", "%s: uninitialised values" % tool)
    not_contains(r.err, "definitely lost", "%s: definite leaks" % tool)
    not_contains(r.err, "indirectly lost", "%s: indirect leaks" % tool)
    eq(r.rc, rc, "%s: exit status (99 would be valgrind's)" % tool)
    return r


@test(skip_unless=PLAIN, reason=WHY)
def cancel_a_search():
    s = slapd()
    r = memcheck("ldapcancel", anon(s) + ["-b", s.people_base, "--after-entries", "20", "--json"], 0)
    check_report(r, "ldapcancel", "canceled", "cancel")


@test(skip_unless=PLAIN, reason=WHY)
def abandon_a_search():
    s = slapd()
    r = memcheck("ldapabandon", anon(s) + ["-b", s.people_base, "--after-entries", "20", "--wait", "300ms"], 0)
    contains(r.out, "abandoned:", "verdict")


@test(skip_unless=PLAIN, reason=WHY)
def abandon_audit():
    # Every check: late Abandon, the probe on the same connection.
    s = slapd()
    r = memcheck("ldapabandon", anon(s) + ["--audit", "--wait", "300ms"], 0)
    eq(r.out.splitlines()[-1], "  summary: 5 pass, 0 fail, 0 warn, 0 skip, 1 info", "every check passed")


@test(skip_unless=PLAIN, reason=WHY)
def ldif_of_a_search_cut_short():
    # -L at every level: the wire's entries through libldap's LDIF writer.
    s = slapd()
    for level in ("-L", "-LL", "-LLL"):
        r = memcheck("ldapcancel", anon(s) + ["-b", s.people_base, level, "-o", "ldif_wrap=40", "--after-entries",
                                               "20", "-q"], 4)
        ge(r.out.count("\ndn: "), 20, "%s: the entries as LDIF" % level)


@test(skip_unless=PLAIN, reason=WHY)
def trace_every_renderer():
    s = slapd()
    # Interrupted in the persist phase: a Cancel during slapd's refresh
    # races syncprov, and valgrind makes the tool slow enough to hit it.
    for mode in (["--hex"], ["--json", "--hex"]):
        r, _ = persistent_search(s, tool_path("ldaptrace"), mode + ["--cancel", "--after-entries", "3"], adds=4,
                                 prefix=memcheck_argv())
        check_memcheck(r, "ldaptrace", 0)
    eq(r.jsonl[-1]["outcome"], "canceled", "outcome")


@test(skip_unless=PLAIN, reason=WHY)
def tls_and_sasl():
    s = slapd()
    # over TLS, interrupted where slapd is idle (see persistent_search)
    r, _ = persistent_search(s, tool_path("ldapcancel"), ["--after-entries", "2", "-q"], adds=1,
                             prefix=memcheck_argv(), connect=["-x", "-H", s.ldaps_uri])
    check_memcheck(r, "ldapcancel", 0)
    r, _ = persistent_search(s, tool_path("ldapabandon"), ["--after-entries", "2", "-q", "--wait", "0"], adds=1,
                             prefix=memcheck_argv(), connect=["-x", "-ZZ", "-H", s.uri])
    check_memcheck(r, "ldapabandon", 0)
    memcheck("ldaptrace", ["-Y", "EXTERNAL", "-Q", "-H", s.ldapi_uri, "-b", s.base, "-s", "base"], 0)


@test(skip_unless=PLAIN, reason=WHY)
def operations_and_failures():
    s = slapd()
    memcheck("ldapcancel", anon(s) + ["--op", "compare", "uid=u000001," + s.people_base, "cn::VXNlciAwMDAwMDE=",
                                      "-q"], 120)
    memcheck("ldapcancel", ["-x", "-H", s.uri, "-D", s.admin_dn, "-w", "wrong"], 49)
    memcheck("ldapabandon", ["-x", "-H", "ldap://127.0.0.1:1"], 255)
    memcheck("ldapcancel", ["--op", "frob"], 1)
    memcheck("ldapcancel", ["-e", "!assert=(cn=", "-H", s.uri, "-x"], 1)


@test(skip_unless=PLAIN, reason=WHY)
def faults():
    for scenario, tool, rc in (("nod", "ldapcancel", 81), ("garbage", "ldaptrace", 81),
                               ("huge-length", "ldapabandon", 81), ("no-cancel", "ldapcancel", 2),
                               ("close-mid-message", "ldaptrace", 81)):
        with faultserver(scenario) as fs:
            extra = ["--cancel"] if tool == "ldaptrace" else []
            memcheck(tool, ["-x", "-H", fs.uri, "-b", "dc=example,dc=com", "--after-entries", "9", "-q"] + extra
                     if scenario in ("garbage", "huge-length", "close-mid-message") else
                     ["-x", "-H", fs.uri, "-b", "dc=example,dc=com", "--after-entries", "2", "-q"] + extra, rc)


@test(skip_unless=PLAIN, reason=WHY)
def malformed_messages():
    # libldap leaked its request (4 KB, definitely lost) parsing a message
    # without protocolOp: malformed messages must never reach its parser.
    for scenario, tool, trigger in (("no-protocolop", "ldapcancel", "10"), ("no-protocolop", "ldapabandon", "10"),
                                    ("no-protocolop", "ldaptrace", "10"), ("code-out-of-range", "ldapcancel", "3"),
                                    ("negative-code", "ldaptrace", "3"), ("msgid-out-of-range", "ldapabandon", "10")):
        extra = ["--cancel", "-v", "--json"] if tool == "ldaptrace" else ["--json"]
        with faultserver(scenario) as fs:
            r = memcheck(tool, ["-x", "-H", fs.uri, "-b", "dc=example,dc=com", "--after-entries", trigger] + extra,
                         81)
        j = r.jsonl[-1]
        eq((j["outcome"], j["connection"]["malformed"]), ("connection-lost", 1), "%s %s: outcome" % (scenario, tool))
    with faultserver("bind-no-protocolop") as fs:
        r = memcheck("ldapcancel", ["-x", "-H", fs.uri, "-b", "dc=example,dc=com"], 252)
    contains(r.err, "ldap_result: Decoding error (-4)", "bind answered malformed: the error")


if __name__ == "__main__":
    tap_main()
