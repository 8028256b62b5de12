#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""-L, -LL, -LLL: the search's entries as LDIF on standard output, byte for
byte what ldapsearch writes with the same options against the same slapd;
every entry that arrived, before and after the interrupt; the report on
standard error; the exit status says whether the LDIF is whole."""

import base64
import json
import os
import signal
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import admin, anon, check_report  # noqa: E402

LEVELS = ("-L", "-LL", "-LLL")
# --after-entries that never fires: the search completes first (too-late).
NEVER = ["--after-entries", "1000000"]


def b64(v):
    return base64.b64encode(v if isinstance(v, bytes) else v.encode()).decode()


LONG = " ".join(["a long printable value"] * 8)

_container = None


def container():
    """ou=ldif-*,ou=scratch: an entry with values that need care (binary,
    leading and trailing spaces, a leading colon or <, a line break, a tab,
    UTF-8, a long value) and a referral, added once per run."""
    global _container
    if _container:
        return _container
    s = slapd()
    ou = "ldif-" + uuid.uuid4().hex[:8]
    c = "ou=%s,ou=scratch,%s" % (ou, s.base)
    ldif = "\n".join([
        "dn: " + c, "objectClass: organizationalUnit", "ou: " + ou, "",
        "dn: cn=values," + c, "objectClass: inetOrgPerson", "cn: values",
        "sn:: " + b64(" leading space"),
        "jpegPhoto:: " + b64(bytes(range(256))),
        "description:: " + b64("trailing space "),
        "description:: " + b64(":starts with a colon"),
        "description:: " + b64("<starts with a less-than sign"),
        "description:: " + b64("line\nbreak"),
        "description: " + LONG,
        "title:: " + b64("Ünïcödé ☃ 日本語"),
        "givenName:: " + b64("tab\tinside"),
        "userPassword: s3cret!", "",
        "dn: cn=ref," + c, "objectClass: referral", "objectClass: extensibleObject", "cn: ref",
        "ref: ldap://elsewhere.example.com/dc=elsewhere", "", ""])
    r = run("ldapadd", admin(s), stdin=ldif)
    eq(r.rc, 0, "ldapadd the test entries")
    _container = c
    return c


def same_as_ldapsearch(tool, args, extra=(), rc=0, connect=anon, timeout=20):
    """tool's stdout equals ldapsearch's for the same arguments."""
    s = slapd()
    want = run("ldapsearch", connect(s) + list(args), timeout=timeout)
    eq(want.rc, 0, "ldapsearch exit status")
    got = run(tool, connect(s) + list(args) + list(extra), timeout=timeout)
    eq(got.rc, rc, "exit status")
    eq(got.out_bytes, want.out_bytes, "stdout byte for byte as ldapsearch %s" % " ".join(args))
    return got


def _compare_case(level, extra, tool):
    def fn():
        same_as_ldapsearch(tool, ["-b", container(), level] + extra, NEVER if tool != "ldaptrace" else ())
    test(fn, name="%s %s %s: the LDIF of binary, UTF-8, awkward values and a reference, as ldapsearch"
         % (tool, level, " ".join(extra)))


for _level in LEVELS:
    for _extra in ([], ["-o", "ldif_wrap=40"], ["-o", "ldif_wrap=no"], ["-A"], ["(cn=values)", "cn", "jpegPhoto"]):
        _compare_case(_level, _extra, "ldaptrace")
    _compare_case(_level, [], "ldapcancel")
    _compare_case(_level, [], "ldapabandon")


@test
def a_whole_subtree_as_ldapsearch():
    s = slapd()
    # -q: no trace of 20,000 messages on stderr (slow under the sanitizers)
    for level in LEVELS:
        same_as_ldapsearch("ldaptrace", ["-b", s.people_base, level], ["-q"], timeout=60)


@test
def ldif_wrap_without_a_value_is_the_default():
    same_as_ldapsearch("ldaptrace", ["-b", container(), "-LLL", "-o", "ldif_wrap"])


@test
def an_attribute_list_and_a_filter():
    s = slapd()
    same_as_ldapsearch("ldaptrace", ["-b", s.people_base, "-LLL", "(uid=u00001*)", "cn", "mail"])


@test
def user_password_is_never_written():
    s = slapd()
    args = ["-b", "cn=values," + container(), "-s", "base", "-LLL"]
    want = run("ldapsearch", admin(s) + args)
    got = run("ldaptrace", admin(s) + args)
    eq(got.rc, 0, "exit status")
    secret = "userPassword:: %s\n" % b64("s3cret!")
    contains(want.out, secret, "ldapsearch prints it")
    eq(got.out, want.out.replace(secret, "# userPassword: <redacted 7 bytes>\n"),
       "the same LDIF, with the value replaced by a comment")
    not_contains(got.out + got.err, b64("s3cret!"), "the value nowhere")
    r = run("ldaptrace", admin(s) + ["-b", container(), "-L", "(userPassword=s3cret!)", "cn"])
    contains(r.out, "\n# filter: (userPassword=<redacted 7 bytes>)\n", "-L's comment on the filter")
    not_contains(r.out + r.err, "s3cret!", "the value nowhere")


@test
def the_report_goes_to_stderr():
    s = slapd()
    r = run("ldapcancel", anon(s) + ["-b", container(), "-LLL", "--json"] + NEVER)
    eq(r.rc, 0, "exit status: the search completed")
    ok(r.out.startswith("dn: " + container() + "\n"), "stdout is the LDIF")
    j = json.loads(r.err)
    eq(j["outcome"], "too-late", "the JSON report on stderr")
    eq(j["exit"], 0, "its exit is the exit status")
    r = run("ldapabandon", anon(s) + ["-b", container(), "-LLL"] + NEVER)
    matches(r.err, r"^too-late: ", "the text report on stderr")


@test
def quiet_leaves_out_the_report_not_the_ldif():
    s = slapd()
    want = run("ldapsearch", anon(s) + ["-b", container(), "-LLL"])
    r = run("ldapcancel", anon(s) + ["-b", container(), "-LLL", "-q"] + NEVER)
    eq((r.rc, r.err), (0, ""), "exit status and stderr")
    eq(r.out, want.out, "the LDIF")


@test
def ldaptrace_traces_to_stderr():
    s = slapd()
    r = same_as_ldapsearch("ldaptrace", ["-b", container(), "-LLL"])
    matches(r.err, r"<- #\d+ SearchResultEntry dn=\"cn=values,", "the trace on stderr")
    matches(r.err, r"^summary: ", "and its summary")
    matches(r.err, r"^completed: the search ended with success \(0\)", "and the outcome")


def dn_count(text):
    return sum(1 for line in text.splitlines() if line.startswith("dn: "))


def every_entry(tool, extra):
    s = slapd()
    full = run("ldapsearch", anon(s) + ["-b", s.people_base, "-LLL"])
    r = run(tool, anon(s) + ["-b", s.people_base, "-LLL", "--after-entries", "10", "--json"] + extra)
    j = json.loads(r.err)
    n = j["entries_before"] + j["entries_after"]
    eq(dn_count(r.out), n, "one LDIF record per entry that arrived (%d before, %d after)"
       % (j["entries_before"], j["entries_after"]))
    records = full.out.split("\n\n")
    eq(r.out, "\n\n".join(records[:n]) + "\n\n", "the first %d records of ldapsearch's LDIF, in order" % n)
    return r, j


@test
def cancel_writes_every_entry_before_and_after():
    r, j = every_entry("ldapcancel", [])
    eq(j["outcome"], "canceled", "outcome")
    eq((r.rc, j["exit"]), (4, 4), "exit status 4: --after-entries cut the search")


@test
def abandon_writes_the_entries_libldap_drops():
    # libldap hands nothing over after ldap_abandon_ext: the late entries
    # come from the wire.
    r, j = every_entry("ldapabandon", ["--wait", "300ms"])
    eq(j["outcome"], "abandoned", "outcome")
    eq((r.rc, j["exit"]), (4, 4), "exit status 4: --after-entries cut the search")


@test
def after_cuts_with_3():
    # slapo-retcode's cn=slow sleeps 2 s: --after 100ms fires first.
    s = slapd()
    r = run("ldapabandon", anon(s) + ["-b", "cn=slow,ou=retcode," + s.base, "-LLL", "--after", "100ms",
                                       "--wait", "200ms", "--json"])
    j = json.loads(r.err)
    eq((j["outcome"], j["interrupt"]["trigger"]), ("abandoned", "after"), "outcome and trigger")
    eq((r.rc, j["exit"]), (3, 3), "exit status 3: a time cut the search")
    eq(r.out, "", "no entries")


@test
def completed_after_the_cancel_is_whole():
    # cn=slow runs to its end whatever the Cancel: tooLate, then success.
    s = slapd()
    r = run("ldapcancel", anon(s) + ["-b", "cn=slow,ou=retcode," + s.base, "-LLL", "--after", "100ms",
                                      "--json"], timeout=30)
    j = json.loads(r.err)
    eq((j["outcome"], j["op_result"]["code"]), ("too-late", 0), "outcome and the search's result")
    eq((r.rc, j["exit"]), (0, 0), "exit status 0: the LDIF is whole")


@test
def ctrl_c_cuts_with_3():
    s = slapd()
    base = "ou=scratch," + s.base
    with spawn("ldapcancel", anon(s) + ["-v", "-b", base, "-s", "base", "-E", "sync=rp", "--after", "never",
                                        "-LLL", "--json"]) as p:
        p.wait_for("err", r"IntermediateResponse \(SyncInfo\)", timeout=10)
        p.wait_for("out", r"^dn: ou=scratch,", timeout=10)
        p.signal(signal.SIGINT)
        r = p.wait(timeout=10)
    j = json.loads(r.err.splitlines()[-1])
    eq((j["outcome"], j["interrupt"]["trigger"]), ("canceled", "signal"), "outcome and trigger")
    eq((r.rc, j["exit"]), (3, 3), "exit status 3: Ctrl-C cut the search")
    eq(dn_count(r.out), j["entries_before"] + j["entries_after"], "every entry written")


@test
def a_persistent_search_cut_by_after_entries_gives_4():
    from litools import persistent_search
    s = slapd()
    r, c = persistent_search(s, "ldapcancel", ["--after-entries", "3", "-LLL", "--json"], 3)
    j = json.loads(r.err.splitlines()[-1])
    eq(j["outcome"], "canceled", "outcome")
    eq((r.rc, j["exit"]), (4, 4), "exit status 4: --after-entries cut it")
    eq(dn_count(r.out), j["entries_before"] + j["entries_after"], "every entry written")
    matches(r.out, r"^dn: cn=p1,%s$" % c, "the persist phase's entries")


@test
def a_failed_search_keeps_its_code():
    s = slapd()
    r = run("ldapcancel", anon(s) + ["-b", "ou=nothere," + s.base, "-LLL", "--after", "1s"])
    eq(r.rc, 32, "exit status: noSuchObject")
    eq(r.out, "", "no LDIF")
    matches(r.err, r"^ldapcancel: search: No such object \(32\)$", "why, on stderr")
    matches(r.err, r"^failed: ", "the report on stderr")


@test
def a_size_limit_keeps_its_code():
    s = slapd()
    want = run("ldapsearch", anon(s) + ["-b", s.people_base, "-LLL", "-z", "5"])
    got = run("ldaptrace", anon(s) + ["-b", s.people_base, "-LLL", "-z", "5"])
    eq((want.rc, got.rc), (4, 4), "sizeLimitExceeded, both")
    eq(got.out_bytes, want.out_bytes, "the same five entries")


@test
def a_closed_stdout_ends_quietly_with_141():
    # The whole subtree cannot fit in the pipe and the tool's backlog: the
    # tool is still writing when the reader goes away.
    s = slapd()
    p = subprocess.Popen([tool_path("ldapabandon")] + anon(s) + ["-b", s.people_base, "-LLL", "--after",
                                                                  "never"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=base_env(),
                         start_new_session=True)
    try:
        eq(p.stdout.readline(), ("dn: %s\n" % s.people_base).encode(), "the first line")
        p.stdout.close()
        rc = p.wait(timeout=scaled(20))
        err = p.stderr.read().decode()
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        p.stderr.close()
    eq((rc, err), (141, ""), "exit status and stderr")


@test
def bad_ldif_options():
    for args, msg in (
            (["-o", "ldif_wrap=1"], "ldapcancel: -o: ldif_wrap '1' too narrow (a width of 2 columns or "
                                    "more, 0 for the default, or no)\n"),
            (["-o", "ldif_wrap=x"], "ldapcancel: -o: ldif_wrap 'x' not a number (a width of 2 columns or "
                                    "more, 0 for the default, or no)\n"),
            (["--op", "delete", "cn=x"], "ldapcancel: -L: writes a search's entries: use it with a search\n")):
        r = run("ldapcancel", ["-x", "-H", "ldap://127.0.0.1:9", "-L"] + args)
        eq((r.rc, r.err, r.out), (1, msg, ""), "%s refused" % " ".join(args))


@test
def entries_after_an_abandon_are_written():
    # The fault server sends 2 entries after the Abandon: libldap drops
    # them, the wire has them.
    with faultserver("ignore-abandon") as fs:
        r = run("ldapabandon", ["-x", "-H", fs.uri, "-b", "dc=example,dc=com", "-LLL", "--after-entries", "3",
                                "--json"])
    j = json.loads(r.err)
    eq((j["entries_before"], j["entries_after"]), (3, 2), "entries before and after the abandon")
    eq(dn_count(r.out), 5, "all five written")
    eq((r.rc, j["exit"]), (j["op_result"]["code"], r.rc), "the search ended by itself: its code")


@test
def strays_are_not_written():
    # An entry for message 999 before each of ours: not the operation's.
    with faultserver("stray-msgid") as fs:
        r = run("ldapcancel", ["-x", "-H", fs.uri, "-b", "dc=example,dc=com", "-LLL", "--after-entries", "3",
                               "--json"])
    j = json.loads(r.err)
    gt(j["connection"]["strays"], 0, "strays arrived")
    eq(dn_count(r.out), j["entries_before"] + j["entries_after"], "only the operation's entries written")


@test
def ldaptrace_ctrl_c_without_an_interrupt_gives_3():
    s = slapd()
    with spawn("ldaptrace", anon(s) + ["-v", "-b", "ou=scratch," + s.base, "-s", "base", "-E", "sync=rp",
                                       "-LLL"]) as p:
        p.wait_for("err", r"IntermediateResponse \(SyncInfo\)", timeout=10)
        p.signal(signal.SIGINT)
        r = p.wait(timeout=10)
    eq(r.rc, 3, "exit status 3, not 130: Ctrl-C cut the search")
    eq(dn_count(r.out), 1, "the entry written")
    matches(r.err, r"^stopped", "the report on stderr")


@test
def timeout_cuts_with_3():
    # A base-scope persistent search never ends: --timeout sends the Cancel.
    s = slapd()
    r = run("ldapcancel", anon(s) + ["-b", "ou=scratch," + s.base, "-s", "base", "-E", "sync=rp",
                                      "--after", "never", "--timeout", "1500ms", "-LLL", "--json"],
            timeout=10)
    j = json.loads(r.err.splitlines()[-1])
    eq((j["outcome"], j["interrupt"]["trigger"]), ("canceled", "timeout"), "outcome and trigger")
    eq((r.rc, j["exit"]), (3, 3), "exit status 3: --timeout cut the search")
    eq(dn_count(r.out), 1, "the entry written")


@test
def ldaptrace_timeout_without_an_interrupt_gives_3():
    s = slapd()
    r = run("ldaptrace", anon(s) + ["-b", "ou=scratch," + s.base, "-s", "base", "-E", "sync=rp",
                                     "--timeout", "1s", "-LLL"], timeout=10)
    eq(r.rc, 3, "exit status 3, not 85: --timeout cut the search")
    eq(dn_count(r.out), 1, "the entry written")


@test
def the_default_base_in_the_comments_of_minus_l():
    s = slapd()
    env = {"LDAPBASE": s.people_base}
    args = anon(s) + ["-L", "-s", "one", "(uid=u000001)", "cn"]
    want = run("ldapsearch", args, env=env)
    got = run("ldaptrace", args, env=env)
    contains(want.out, "# base <%s> (default) with scope oneLevel\n" % s.people_base, "ldapsearch's comment")
    eq((got.rc, got.out), (0, want.out), "exit status and the LDIF, comments included")


@test
def a_paged_search_as_ldapsearch():
    # Each page is its own search: the LDIF runs on across them.
    s = slapd()
    for level in ("-LL", "-LLL"):
        same_as_ldapsearch("ldaptrace", ["-b", s.people_base, level, "-E", "pr=7/noprompt", "(uid=u00002*)", "cn"])


if __name__ == "__main__":
    tap_main()
