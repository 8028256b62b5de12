#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""SASL with passwords, as ldapsearch(1) does it: every mechanism binds
(DIGEST-MD5 with and without a security layer, SCRAM-SHA-1/256, CRAM-MD5,
PLAIN) against a slapd whose users are in a sasldb (tests/fixture/slapd.py
Slapd(sasl=True), run in its own mount namespace), the trace stays
plaintext above the security layer, and the prompts (-I, a missing
password, no terminal, -Q) ask and fail as ldapsearch's do."""

import glob
import hashlib
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from ldaptest import _fixture_import, _install_signal_handlers, tool_path  # noqa: E402
from litools import run_with_tty  # noqa: E402

ALICE_DN = "uid=alice,ou=people,dc=example,dc=com"
WHOAMI = 'ExtendedResponse success (0) authzid="dn:%s"' % ALICE_DN
# Cyrus's client and server plugins, by the mechanisms they provide.
PLUGINS = {"DIGEST-MD5": "digestmd5", "CRAM-MD5": "crammd5", "PLAIN": "plain",
           "SCRAM-SHA-1": "scram", "SCRAM-SHA-256": "scram"}


def plugin(mech):
    return bool(glob.glob("/usr/lib/*/sasl2/lib%s.so*" % PLUGINS[mech]))


def no_plugin(mech):
    return "Cyrus SASL's %s plugin (lib%s.so) is not installed" % (mech, PLUGINS[mech])


def system_sasl_state():
    """What the fixture must leave as it was: the files of the directory it
    mounts over and of Cyrus's default sasldb, and whether anything is
    mounted on that directory (in the tests' own namespace)."""
    state = {}
    for path in sorted(glob.glob("/etc/ldap/sasl2/*")) + ["/etc/sasldb2"]:
        try:
            with open(path, "rb") as f:
                st = os.stat(path)
                state[path] = (hashlib.sha256(f.read()).hexdigest(), st.st_mtime_ns)
        except FileNotFoundError:
            state[path] = None
    with open("/proc/self/mountinfo") as f:
        state["mounts"] = [line.split()[4] for line in f if "sasl2" in line.split()[4]]
    return state


class _State:
    server = None
    error = None
    before = system_sasl_state()


def sasl_slapd():
    """One slapd with the sasldb for this file, started on first use."""
    if _State.server is not None:
        return _State.server
    if _State.error:
        fail("the SASL slapd failed to start earlier: %s" % _State.error)
    _install_signal_handlers()
    s = _fixture_import("slapd").Slapd(entries=int(os.environ.get("LI_TEST_ENTRIES", "20000")),
                                       cache_dir=os.path.join(BUILDDIR, "tests", "slapd-cache"),
                                       die_with_parent=True, sasl=True)
    try:
        s.start()
    except Exception as e:
        _State.error = str(e).splitlines()[0]
        fail("the SASL slapd failed to start: %s" % e)
    _State.server = s
    return s


def can_mount():
    return os.geteuid() == 0 and have("unshare") and have("saslpasswd2") and os.path.isdir("/etc/ldap/sasl2")


NEEDS = "needs root (a mount namespace), unshare, saslpasswd2 (package sasl2-bin) and /etc/ldap/sasl2"


def whoami(mech, extra=()):
    """ldaptrace --op exop whoami as alice with mech; returns the Result."""
    s = sasl_slapd()
    r = run("ldaptrace", ["-H", s.uri, "-Y", mech, "-U", "alice", "-w", s.alice_pw] + list(extra)
            + ["--op", "exop", "whoami"])
    eq(r.rc, 0, "exit status")
    contains(r.out, 'BindRequest version=3 dn="" sasl=%s' % mech, "the SASL bind in the trace")
    matches(r.out, r"<- #\d+ BindResponse success \(0\)", "the bind succeeded")
    contains(r.out, WHOAMI, "the server sees alice, decoded above any security layer")
    matches(r.out.splitlines()[-1], r"^completed: the exop ended with success \(0\) at [\d.]+ ms$", "outcome")
    not_contains(r.out + r.err, s.alice_pw, "the password is never printed")
    return r


def mech_test(mech, extra=(), ssf=0):
    def body():
        s = sasl_slapd()
        since = s.log_offset()
        r = whoami(mech, extra)
        contains(r.err, "SASL SSF: %d\n" % ssf, "the security layer's strength")
        ok(("SASL data security layer installed." in r.err) == (ssf > 0), "a security layer only when SSF > 0")
        s.wait_for_log(r"BIND dn=\"%s\" mech=%s bind_ssf=%d ssf=%d" % (ALICE_DN, mech, ssf, ssf), since=since)
    return body


def mech_tests():
    cases = [
        ("digest_md5_auth_conf", "DIGEST-MD5", [], 128),
        ("digest_md5_auth", "DIGEST-MD5", ["-O", "maxssf=0"], 0),
        ("cram_md5", "CRAM-MD5", [], 0),
        ("plain", "PLAIN", ["-O", "noanonymous"], 0),
        ("scram_sha_1", "SCRAM-SHA-1", [], 0),
        ("scram_sha_256", "SCRAM-SHA-256", [], 0),
    ]
    for name, mech, extra, ssf in cases:
        test(mech_test(mech, extra, ssf), name="bind_" + name,
             skip_unless=lambda mech=mech: can_mount() and plugin(mech),
             reason=no_plugin(mech) if can_mount() else NEEDS)


mech_tests()


@test(skip_unless=lambda: can_mount() and plugin("DIGEST-MD5"), reason=NEEDS)
def cancel_under_digest_md5_security_layer():
    s = sasl_slapd()
    since = s.log_offset()
    r = run("ldaptrace", ["-H", s.uri, "-Y", "DIGEST-MD5", "-U", "alice", "-w", s.alice_pw, "-b", s.people_base,
                          "--cancel", "--after-entries", "2", "(uid=u00*)", "cn"], timeout=60)
    eq(r.rc, 0, "exit status")
    contains(r.err, "SASL SSF: 128\n", "a security layer")
    s.wait_for_log(r"mech=DIGEST-MD5 bind_ssf=128 ssf=128", since=since)
    contains(r.out, 'SearchRequest base="%s" scope=sub deref=never sizelimit=0 timelimit=0 typesonly=false '
             'filter="(uid=u00*)" attrs=[cn]' % s.people_base, "the request decoded, not ciphertext")
    matches(r.out, r'<- #\d+ SearchResultEntry dn="uid=u\d+,%s" attrs=\[cn\]' % s.people_base, "entries decoded")
    matches(r.out, r"<- #\d+ SearchResultDone canceled \(118\)", "the search ended canceled")
    matches(r.out, r"<- #\d+ ExtendedResponse success \(0\)", "the Cancel succeeded")
    contains(r.out, "canceled: the server stopped the search", "outcome")


def dialog(args, steps):
    s = sasl_slapd()
    return run_with_tty([tool_path("ldaptrace"), "-H", s.uri] + args + ["--op", "exop", "whoami"], steps)


# What ldapsearch -I shows (libraries/liblutil/sasl.c in OpenLDAP): a header,
# "Default:" above a question that has one, the question and ": ".
INTERACTION = ("SASL/DIGEST-MD5 authentication started\r\n"
               "SASL Interaction\r\n"
               "Please enter your authorization name: \r\n"
               "Default: alice\r\n"
               "Please enter your authentication name: \r\n"
               "%s"
               "Please enter your password: \r\n"
               "SASL username: alice\r\n")
ENTER_EACH = [(b"authorization name: ", b"\n"), (b"authentication name: ", b"\n"), (b"password: ", b"\n")]


@test(skip_unless=lambda: can_mount() and plugin("DIGEST-MD5"), reason=NEEDS)
def interactive_enter_takes_the_options():
    s = sasl_slapd()
    rc, out = dialog(["-Y", "DIGEST-MD5", "-U", "alice", "-w", s.alice_pw, "-I"], ENTER_EACH)
    eq(rc, 0, "exit status")
    contains(out, INTERACTION % "Default: <redacted>\r\n", "each default shown (the password's hidden), then taken")
    contains(out, WHOAMI, "bound as alice")
    not_contains(out, s.alice_pw, "the password is never shown")


@test(skip_unless=lambda: can_mount() and plugin("DIGEST-MD5"), reason=NEEDS)
def a_slow_answer_gets_no_status_line_over_the_question():
    # The bind waits for the password: a wait the status line would report
    # after 2 s (from the library's thread), but not over the question.
    s = sasl_slapd()
    steps = ENTER_EACH[:2] + [(b"password: ", s.alice_pw.encode() + b"\n", 3.0)]
    rc, out = dialog(["-Y", "DIGEST-MD5", "-U", "alice", "-I", "--timeout", "30s"], steps)
    eq(rc, 0, "exit status")
    contains(out, INTERACTION % "", "the prompts, undisturbed")
    not_contains(out, "waiting", "no status line while the question waits")
    contains(out, WHOAMI, "bound as alice")


@test(skip_unless=lambda: can_mount() and plugin("DIGEST-MD5") and have("ldapsearch"), reason=NEEDS)
def interactive_prompts_as_ldapsearch():
    s = sasl_slapd()
    steps = ENTER_EACH[:2] + [(b"password: ", s.alice_pw.encode() + b"\n")]
    rc, out = dialog(["-Y", "DIGEST-MD5", "-U", "alice", "-I"], steps)
    eq(rc, 0, "exit status")
    theirs_rc, theirs = run_with_tty(["/usr/bin/ldapsearch", "-H", s.uri, "-Y", "DIGEST-MD5", "-U", "alice", "-I",
                                      "-LLL", "-s", "base", "-b", s.base, "1.1"], steps)
    eq(theirs_rc, 0, "ldapsearch's exit status")
    contains(theirs, INTERACTION % "", "ldapsearch's prompts")
    contains(out, INTERACTION % "", "the same prompts")
    not_contains(out, s.alice_pw, "no echo")


@test(skip_unless=lambda: can_mount() and plugin("DIGEST-MD5"), reason=NEEDS)
def interactive_answers_replace_the_options():
    s = sasl_slapd()
    steps = [(b"authorization name: ", b"\n"), (b"authentication name: ", b"alice\n"),
             (b"password: ", s.alice_pw.encode() + b"\n")]
    rc, out = dialog(["-Y", "DIGEST-MD5", "-U", "nobody", "-w", "wrong", "-I"], steps)
    eq(rc, 0, "exit status")
    contains(out, "Default: nobody\r\nPlease enter your authentication name: ", "-U shown as the default")
    contains(out, WHOAMI, "bound as the user typed")


@test(skip_unless=lambda: can_mount() and plugin("SCRAM-SHA-256"), reason=NEEDS)
def missing_password_is_asked_for():
    s = sasl_slapd()
    rc, out = dialog(["-Y", "SCRAM-SHA-256", "-U", "alice"], [(b"password: ", s.alice_pw.encode() + b"\n")])
    eq(rc, 0, "exit status")
    contains(out, "SASL/SCRAM-SHA-256 authentication started\r\nPlease enter your password: \r\n",
             "only the missing value is asked for, with ldapsearch's separator")
    contains(out, WHOAMI, "bound as alice")
    not_contains(out, s.alice_pw, "no echo")


@test(skip_unless=lambda: can_mount() and plugin("DIGEST-MD5"), reason=NEEDS)
def no_terminal_no_password():
    s = sasl_slapd()
    for tool in TOOLS:
        r = run(tool, ["-H", s.uri, "-Y", "DIGEST-MD5", "-U", "alice", "--op", "exop", "whoami"])
        eq(r.rc, 1, "%s: exit status" % tool)
        eq(r.err.splitlines()[-1], "%s: SASL: cannot read a password from the terminal (give one with -w or -y)"
           % tool, "%s: why" % tool)
        not_contains(r.err, "SASL(0)", "%s: no libsasl success as an error" % tool)


@test(skip_unless=lambda: can_mount() and plugin("DIGEST-MD5"), reason=NEEDS)
def unreadable_answer_ends_the_tool():
    for answer, why in ((b"ali\x00ce\n", "the password typed holds a NUL byte (a password cannot contain one)"),
                        (b"\x04", "cannot read a password from the terminal (give one with -w or -y)")):
        rc, out = dialog(["-Y", "DIGEST-MD5", "-U", "alice"], [(b"password: ", answer)])
        eq(rc, 1, "exit status for %r" % answer)
        contains(out, "Please enter your password: \r\nldaptrace: SASL: %s\r\n" % why, "why, for %r" % answer)


@test(skip_unless=lambda: can_mount() and plugin("DIGEST-MD5"), reason=NEEDS)
def quiet_never_asks():
    s = sasl_slapd()
    r = run("ldapcancel", ["-H", s.uri, "-Y", "DIGEST-MD5", "-U", "alice", "-Q", "--op", "exop", "whoami"])
    eq(r.rc, 1, "exit status")
    eq(r.err, 'ldapcancel: SASL: no answer to "Please enter your password"\n', "why, and nothing else")


@test(skip_unless=lambda: can_mount() and plugin("DIGEST-MD5"), reason=NEEDS)
def wrong_password_is_invalid_credentials():
    s = sasl_slapd()
    r = run("ldapcancel", ["-H", s.uri, "-Y", "DIGEST-MD5", "-U", "alice", "-w", "wrong", "--op", "exop", "whoami"])
    eq(r.rc, 49, "exit status")
    contains(r.err, "ldapcancel: ldap_sasl_interactive_bind: Invalid credentials (49)\n", "why")
    not_contains(r.err, "wrong", "the password is never printed")


# Last: stops the SASL slapd, then checks that the system's SASL
# configuration saw nothing of it.
@test(skip_unless=can_mount, reason=NEEDS)
def system_sasl_configuration_untouched():
    s = sasl_slapd()
    eq(system_sasl_state()["mounts"], _State.before["mounts"], "the fixture's mount is not visible outside slapd")
    s.stop()
    _State.server = None
    eq(system_sasl_state(), _State.before, "/etc/ldap/sasl2 and /etc/sasldb2 as they were")


if __name__ == "__main__":
    try:
        tap_main()
    finally:
        if _State.server is not None:
            _State.server.stop()
