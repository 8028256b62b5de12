#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Connecting as ldapsearch(1) does: ldaps, StartTLS, SASL EXTERNAL over
ldapi, simple binds with -w/-y/-W, the configured URI, and every way that
fails before the interrupt, with OpenLDAP's messages and exit statuses."""

import os
import signal
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from ldaptest import tool_path  # noqa: E402
from litools import anon, check_report, persistent_search, run_with_tty  # noqa: E402


def people(s):
    return ["-b", s.people_base, "--after-entries", "3", "--json"]


# Over TLS the interrupt goes to a persistent search once its last entry
# has arrived (persistent_search): slapd 2.5.13 sometimes drops a TLS
# connection when a request arrives while it streams entries.
@test
def ldaps_plaintext_under_tls():
    s = slapd()
    r, _ = persistent_search(s, "ldapcancel", ["--after-entries", "3", "--json"], adds=2,
                             connect=["-x", "-H", s.ldaps_uri])
    j = check_report(r, "ldapcancel", "canceled", "cancel")
    eq(j["uri"], s.ldaps_uri, "uri")
    eq(j["entries_before"], 3, "the tap counted entries under TLS")


@test
def starttls_required():
    s = slapd()
    r, _ = persistent_search(s, "ldapabandon", ["--after-entries", "3", "--wait", "300ms", "--json"], adds=2,
                             connect=["-x", "-ZZ", "-H", s.uri])
    j = check_report(r, "ldapabandon", "abandoned", "abandon")
    eq(j["entries_before"], 3, "the tap counted entries after StartTLS")


@test
def sasl_external_over_ldapi():
    s = slapd()
    r = run("ldapcancel", ["-Y", "EXTERNAL", "-Q", "-H", s.ldapi_uri] + people(s))
    check_report(r, "ldapcancel", "canceled", "cancel")
    eq(r.err, "", "quiet SASL: nothing on stderr")


@test
def password_file_first_line_only():
    s = slapd()
    with tempfile.NamedTemporaryFile("w", delete=False) as f:
        f.write("alicepw\nsecond line is ignored\n")
    try:
        r = run("ldapcancel", ["-x", "-H", s.uri, "-D", s.alice_dn, "-y", f.name] + people(s))
        check_report(r, "ldapcancel", "canceled", "cancel")
        not_contains(r.out + r.err, "alicepw", "the password is never printed")
    finally:
        os.unlink(f.name)


@test
def wrong_password_exits_49():
    s = slapd()
    r = run("ldapcancel", ["-x", "-H", s.uri, "-D", s.alice_dn, "-w", "nope", "-b", s.base])
    eq(r.rc, 49, "exit status")
    eq(r.out, "", "no report")
    eq(r.err, "ldapcancel: ldap_bind: Invalid credentials (49)\n", "stderr")


@test
def unreachable_server_fails_fast():
    r = run("ldapabandon", ["-x", "-H", "ldap://127.0.0.1:1"], timeout=10)
    eq(r.rc, 255, "exit status")
    eq(r.err, "ldapabandon: ldap_connect: Can't contact LDAP server (-1)\n", "stderr")
    lt(r.elapsed, 3, "fails fast")


@test
def unknown_ca_is_refused():
    s = slapd()
    r = run("ldapcancel", ["-x", "-H", s.ldaps_uri, "-b", s.base], env={"LDAPTLS_CACERT": None})
    eq(r.rc, 255, "ldaps: exit status")
    matches(r.err, r"^ldapcancel: ldap_connect: Can't contact LDAP server \(-1\)$", "ldaps: stderr")
    r = run("ldapcancel", ["-x", "-ZZ", "-H", s.uri, "-b", s.base], env={"LDAPTLS_CACERT": None})
    eq(r.rc, 245, "-ZZ: exit status (Connect error, -11)")
    matches(r.err, r"^ldapcancel: ldap_start_tls: Connect error \(-11\)$", "-ZZ: stderr")


@test
def starttls_refused_warns_with_z_and_stops_with_zz():
    with faultserver("endless") as fs:
        r = run("ldapcancel", ["-x", "-Z", "-H", fs.uri, "-b", "dc=example,dc=com", "--json"])
        j = check_report(r, "ldapcancel", "canceled", "cancel")
        matches(r.err, r"^ldapcancel: warning: ldap_start_tls: Protocol error \(2\)$", "-Z warns")
        eq(j["op_result"]["code"], 118, "and goes on without TLS")
        r = run("ldapcancel", ["-x", "-ZZ", "-H", fs.uri, "-b", "dc=example,dc=com"])
        eq(r.rc, 2, "-ZZ: exit status")
        matches(r.err, r"^ldapcancel: ldap_start_tls: Protocol error \(2\)$", "-ZZ: stderr")
        eq(r.out, "", "-ZZ: no report")


@test
def configured_uri_from_environment_and_ldaprc():
    s = slapd()
    r = run("ldapcancel", ["-x"] + people(s), env={"LDAPURI": s.uri})
    j = check_report(r, "ldapcancel", "canceled", "cancel")
    eq(j["uri"], s.uri, "LDAPURI used")
    home = tempfile.mkdtemp()
    try:
        with open(os.path.join(home, ".ldaprc"), "w") as f:
            f.write("URI %s\nBASE %s\n" % (s.uri, s.people_base))
        r = run("ldapabandon", ["-x", "--after-entries", "3", "--json"], env={"HOME": home})
        j = check_report(r, "ldapabandon", "abandoned", "abandon")
        eq(j["uri"], s.uri, "~/.ldaprc URI used")
        eq(j["entries_before"], 3, "~/.ldaprc BASE used")
    finally:
        os.unlink(os.path.join(home, ".ldaprc"))
        os.rmdir(home)


@test
def dash_w_is_hidden_from_ps():
    s = slapd()
    with spawn("ldapcancel", ["-v", "-x", "-H", s.uri, "-D", s.admin_dn, "-w", s.admin_pw,
                              "-b", "ou=scratch," + s.base, "-s", "base", "-E", "sync=rp", "--after", "never"]) as p:
        # in the persist phase: a Cancel during slapd's refresh races it
        p.wait_for("err", r"IntermediateResponse \(SyncInfo\)", timeout=10)
        with open("/proc/%d/cmdline" % p.pid, "rb") as f:
            argv = f.read().split(b"\0")
        ok(s.admin_pw.encode() not in argv, "the password is not in the process's argv")
        ok(b"*" * len(s.admin_pw) in argv, "it was overwritten with stars")
        p.signal(signal.SIGINT)
        r = p.wait(timeout=10)
    eq(r.rc, 0, "Ctrl-C cancelled")
    not_contains(r.out + r.err, s.admin_pw, "the password is never printed")


@test
def dash_capital_w_prompts_without_echo():
    s = slapd()
    rc, out = run_with_tty([tool_path("ldapcancel"), "-x", "-H", s.uri, "-D", s.alice_dn, "-W",
                            "-b", s.people_base, "--after-entries", "3"], b"alicepw\n")
    eq(rc, 0, "exit status")
    contains(out, "Enter LDAP Password:", "prompted")
    not_contains(out, "alicepw", "no echo")
    contains(out, "canceled: the server stopped the search", "bound and cancelled")


@test
def dry_run_connects_to_nothing():
    r = run("ldapcancel", ["-n", "-x", "-H", "ldap://127.0.0.1:1", "-D", "cn=a", "-w", "pw",
                           "-b", "dc=x", "--after-entries", "5"])
    eq(r.rc, 0, "exit status")
    eq(r.out, "connect to ldap://127.0.0.1:1\nsimple bind as \"cn=a\" with a password\n"
              "search base \"dc=x\" scope sub filter \"(objectClass=*)\"\n"
              "then cancel it after 5 entries, and listen for 30 s\n", "plan")


@test
def unknown_sasl_mechanism():
    s = slapd()
    r = run("ldapcancel", ["-Y", "NO-SUCH-MECH", "-H", s.uri, "-b", s.base])
    eq(r.rc, 250, "exit status (Unknown authentication method, -6)")
    matches(r.err, r"^ldapcancel: ldap_sasl_interactive_bind: Unknown authentication method \(-6\)$", "stderr")


if __name__ == "__main__":
    tap_main()
