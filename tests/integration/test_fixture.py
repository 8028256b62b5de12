#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Proves the throwaway slapd fixture (and the harness) with OpenLDAP's own
clients.  Needs no C build:

    LI_BUILDDIR=/tmp/fixture-build /usr/bin/python3 tests/integration/test_fixture.py
"""

import os
import signal
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
import ldaptest  # noqa: E402

HAVE_CLIENTS = lambda: have("ldapsearch") and have("ldapwhoami")  # noqa


def dns(text):
    return [l for l in text.splitlines() if l.startswith("dn:")]


@test(skip_unless=HAVE_CLIENTS, reason="ldap-utils not installed")
def people_count_anonymous():
    s = slapd()
    r = run("ldapsearch", ["-x", "-LLL", "-H", s.uri, "-b", s.people_base,
                           "dn"], timeout=60)
    eq(r.rc, 0, "ldapsearch exit status")
    # ou=people itself + N generated users + alice
    eq(len(dns(r.out)), s.entries + 2, "entries in the ou=people subtree")
    r = run("ldapsearch", ["-x", "-LLL", "-H", s.uri, "-b", s.people_base,
                           "-s", "one", "(uid=u*)", "1.1"], timeout=60)
    eq(r.rc, 0, "ldapsearch exit status")
    eq(len(dns(r.out)), s.entries, "uid=u* entries")
    contains(r.out, "dn: uid=u%06d,%s" % (s.entries, s.people_base),
             "last generated entry")


@test(skip_unless=HAVE_CLIENTS, reason="ldap-utils not installed")
def entry_contents():
    s = slapd()
    r = run("ldapsearch", ["-x", "-LLL", "-o", "ldif-wrap=no", "-H", s.uri,
                           "-b", "uid=u000002," + s.people_base, "-s",
                           "base"])
    eq(r.rc, 0, "exit status")
    for attr in ("objectClass: inetOrgPerson", "cn: ", "sn: ",
                 "mail: u000002@example.com", "employeeNumber: 2",
                 "description: "):
        contains(r.out, attr, "u000002")
    desc = matches(r.out, r"^description: (.*)$", "description").group(1)
    ge(len(desc), 90, "description length")
    for base in (s.base, "ou=scratch," + s.base):
        r = run("ldapsearch", ["-x", "-LLL", "-H", s.uri, "-b", base,
                               "-s", "base", "1.1"])
        eq(r.rc, 0, "base search of %s" % base)
    # ou=retcode is in the database, but slapo-retcode answers a base
    # search of its parent DN itself with noSuchObject; it is visible from
    # above
    r = run("ldapsearch", ["-x", "-LLL", "-H", s.uri, "-b", s.retcode_base,
                           "-s", "base", "1.1"])
    eq(r.rc, 32, "base search of ou=retcode")
    r = run("ldapsearch", ["-x", "-LLL", "-H", s.uri, "-b", s.base,
                           "-s", "one", "(ou=retcode)", "1.1"])
    eq(dns(r.out), ["dn: " + s.retcode_base], "ou=retcode seen from above")
    r = run("ldapsearch", ["-x", "-LLL", "-H", s.uri, "-b", s.retcode_base,
                           "-s", "one", "1.1"])
    contains(r.out, "dn: " + s.retcode_dn("cn=slow5"), "synthetic items")


@test(skip_unless=HAVE_CLIENTS, reason="ldap-utils not installed")
def ldaps_needs_cacert():
    s = slapd()
    args = ["-x", "-LLL", "-H", s.ldaps_uri, "-b", s.base, "-s", "base",
            "1.1"]
    r = run("ldapsearch", args)          # LDAPTLS_CACERT set by base_env()
    eq(r.rc, 0, "ldaps:// with LDAPTLS_CACERT")
    contains(r.out, "dn: " + s.base, "ldaps result")
    r = run("ldapsearch", args, env={"LDAPTLS_CACERT": None})
    ne(r.rc, 0, "ldaps:// without LDAPTLS_CACERT must fail")
    # libldap checks "localhost" against the machine's hostname; the
    # fixture's certificate covers both
    port = s.ldaps_uri.rsplit(":", 1)[1]
    r = run("ldapsearch", ["-x", "-LLL", "-H", "ldaps://localhost:" + port,
                           "-b", s.base, "-s", "base", "1.1"])
    eq(r.rc, 0, "ldaps://localhost with LDAPTLS_CACERT")
    r = run("ldapsearch", ["-x", "-ZZ", "-LLL", "-H", s.uri, "-b", s.base,
                           "-s", "base", "1.1"])
    eq(r.rc, 0, "StartTLS on ldap://")


@test(skip_unless=HAVE_CLIENTS, reason="ldap-utils not installed")
def ldapi_external_identity():
    s = slapd()
    r = run("ldapwhoami", ["-Y", "EXTERNAL", "-Q", "-H", s.ldapi_uri])
    eq(r.rc, 0, "ldapwhoami exit status")
    eq(r.out.strip(), "dn:" + s.peercred_dn, "authzid")
    if os.geteuid() == 0:
        eq(s.peercred_dn,
           "gidNumber=0+uidNumber=0,cn=peercred,cn=external,cn=auth",
           "root's peercred DN")
    # EXTERNAL identity has manage: it can read userPassword
    r = run("ldapsearch", ["-Y", "EXTERNAL", "-Q", "-LLL", "-H",
                           s.ldapi_uri, "-b", "uid=u000001," + s.people_base,
                           "userPassword"])
    eq(r.rc, 0, "exit status")
    contains(r.out, "userPassword:: dXNlcnB3MQ==", "u000001's userpw1")


@test(skip_unless=HAVE_CLIENTS, reason="ldap-utils not installed")
def binds():
    s = slapd()
    r = run("ldapwhoami", ["-x", "-H", s.uri, "-D", s.admin_dn, "-w",
                           s.admin_pw])
    eq(r.rc, 0, "admin bind")
    eq(r.out.strip(), "dn:" + s.admin_dn, "admin authzid")
    r = run("ldapwhoami", ["-x", "-H", s.uri, "-D", s.alice_dn,
                           "-w", "alicepw"])
    eq(r.rc, 0, "alice bind")
    eq(r.out.strip(), "dn:" + s.alice_dn, "alice authzid")
    r = run("ldapwhoami", ["-x", "-H", s.uri, "-D", s.alice_dn,
                           "-w", "wrong"])
    eq(r.rc, 49, "alice with a wrong password")
    r = run("ldapwhoami", ["-x", "-H", s.uri, "-D",
                           "uid=u000001," + s.people_base, "-w", "userpw1"])
    eq(r.rc, 0, "u000001 bind")


@test(skip_unless=HAVE_CLIENTS, reason="ldap-utils not installed")
def userpassword_acl():
    s = slapd()
    u1 = "uid=u000001," + s.people_base
    r = run("ldapsearch", ["-x", "-LLL", "-H", s.uri, "-b", u1,
                           "userPassword", "uid"])
    eq(r.rc, 0, "anonymous read")
    contains(r.out, "uid: u000001", "anonymous sees uid")
    not_contains(r.out, "userPassword", "anonymous must not see it")
    r = run("ldapsearch", ["-x", "-LLL", "-H", s.uri, "-D", s.alice_dn,
                           "-w", "alicepw", "-b", u1, "userPassword"])
    not_contains(r.out, "userPassword", "alice must not see u000001's")
    r = run("ldapsearch", ["-x", "-LLL", "-H", s.uri, "-D", s.alice_dn,
                           "-w", "alicepw", "-b", s.alice_dn, "userPassword"])
    contains(r.out, "userPassword:: YWxpY2Vwdw==", "alice reads her own")
    r = run("ldapsearch", ["-x", "-LLL", "-H", s.uri, "-D", s.admin_dn,
                           "-w", s.admin_pw, "-b", u1, "userPassword"])
    contains(r.out, "userPassword:: dXNlcnB3MQ==", "rootdn reads it")


@test(skip_unless=HAVE_CLIENTS, reason="ldap-utils not installed")
def scratch_is_writable():
    s = slapd()
    dn = "cn=fixture-%d,ou=scratch,%s" % (os.getpid(), s.base)
    ldif = "dn: %s\nobjectClass: device\ncn: fixture-%d\n" % (dn, os.getpid())
    r = run("ldapadd", ["-x", "-H", s.uri, "-D", s.admin_dn, "-w",
                        s.admin_pw], stdin=ldif)
    eq(r.rc, 0, "ldapadd in ou=scratch")
    r = run("ldapdelete", ["-x", "-H", s.uri, "-D", s.admin_dn, "-w",
                           s.admin_pw, dn])
    eq(r.rc, 0, "ldapdelete in ou=scratch")


@test(skip_unless=HAVE_CLIENTS, reason="ldap-utils not installed")
def retcode_slow():
    s = slapd()
    r = run("ldapsearch", ["-x", "-H", s.uri, "-b", s.retcode_dn("cn=slow"),
                           "-s", "base"])
    eq(r.rc, 0, "search on cn=slow")
    ge(r.elapsed, 2.0, "seconds for cn=slow")
    lt(r.elapsed, 4.0, "seconds for cn=slow")
    contains(r.out, "result: 0 Success", "cn=slow result")
    r = run("ldapcompare", ["-x", "-H", s.uri, s.retcode_dn("cn=slow"),
                            "cn:slow"])
    ge(r.elapsed, 2.0, "seconds for compare on cn=slow")
    eq(r.rc, 0, "compare on cn=slow returns success (0), not compareTrue")


@test(skip_unless=HAVE_CLIENTS, reason="ldap-utils not installed")
def retcode_disconnect():
    s = slapd()
    r = run("ldapsearch", ["-x", "-H", s.uri, "-b",
                           s.retcode_dn("cn=disconnect"), "-s", "base"])
    eq(r.rc, 255, "ldapsearch exit status when the server hangs up")
    contains(r.err, "Can't contact LDAP server", "stderr")
    lt(r.elapsed, 2.0, "seconds for cn=disconnect")
    r = run("ldapsearch", ["-x", "-H", s.uri, "-b",
                           s.retcode_dn("cn=slow-disconnect"), "-s", "base"])
    eq(r.rc, 255, "cn=slow-disconnect exit status")
    ge(r.elapsed, 1.0, "seconds for cn=slow-disconnect")
    not_contains(r.out, "result:", "no result for cn=slow-disconnect")


@test(skip_unless=HAVE_CLIENTS, reason="ldap-utils not installed")
def retcode_unwilling():
    s = slapd()
    r = run("ldapsearch", ["-x", "-H", s.uri, "-b",
                           s.retcode_dn("cn=unwilling"), "-s", "base"])
    eq(r.rc, 53, "cn=unwilling exit status")
    contains(r.out, "unwilling to perform (test)", "diagnostic text")
    r = run("ldapdelete", ["-x", "-H", s.uri, "-D", s.admin_dn, "-w",
                           s.admin_pw, s.retcode_dn("cn=unwilling")])
    eq(r.rc, 53, "delete of cn=unwilling")


@test(skip_unless=HAVE_CLIENTS, reason="ldap-utils not installed")
def sync_refresh_and_persist_keeps_running():
    s = slapd()
    with spawn("ldapsearch", ["-x", "-H", s.uri, "-E", "sync=rp",
                              "-b", "ou=scratch," + s.base]) as p:
        m = p.wait_for("stdout", r"^dn: ou=scratch,", timeout=10)
        p.wait_for("stdout", r"refresh done, switching to persist stage",
                   timeout=10, pos=m.end())
        ok(p.running(), "ldapsearch -E sync=rp still running after refresh")
        # a change is pushed to the persistent search
        dn = "cn=persist-%d,ou=scratch,%s" % (os.getpid(), s.base)
        r = run("ldapadd", ["-x", "-H", s.uri, "-D", s.admin_dn, "-w",
                            s.admin_pw],
                stdin="dn: %s\nobjectClass: device\ncn: persist-%d\n"
                % (dn, os.getpid()))
        eq(r.rc, 0, "ldapadd")
        p.wait_for("stdout", "^dn: " + dn, timeout=10)
        ok(p.running(), "still running after the pushed entry")
        p.kill()
        eq(p.wait().rc, -signal.SIGKILL, "killed")
    run("ldapdelete", ["-x", "-H", s.uri, "-D", s.admin_dn, "-w",
                       s.admin_pw, dn])


@test(skip_unless=HAVE_CLIENTS, reason="ldap-utils not installed")
def slapd_log_has_stats():
    s = slapd()
    off = s.log_offset()
    r = run("ldapsearch", ["-x", "-H", s.uri, "-b", s.base, "-s", "base",
                           "1.1"])
    eq(r.rc, 0, "search")
    s.wait_for_log(r'SRCH base="%s" scope=0' % s.base, timeout=5, since=off)


@test
def cli_start_stop():
    fixture = os.path.join(ldaptest.FIXTURE_DIR, "slapd.py")
    d = os.path.join(tempfile.mkdtemp(prefix="li-cli-"), "s")
    cache = os.path.join(ldaptest.BUILDDIR, "tests", "slapd-cache")
    r = run(sys.executable, [fixture, "start", "--dir", d, "--entries", "50",
                             "--cache", cache], timeout=60)
    try:
        eq(r.rc, 0, "start exit status")
        env = dict(l.split("=", 1) for l in r.out.splitlines())
        for k in ("LI_URI", "LI_LDAPS_URI", "LI_LDAPI_URI", "LI_BASE",
                  "LI_ADMIN_DN", "LI_ADMIN_PW", "LI_CACERT", "LI_SLAPD_PID",
                  "LI_SLAPD_DIR"):
            ok(k in env, "%s in start output" % k)
        with open(os.path.join(d, "env")) as f:
            eq(f.read(), r.out, "DIR/env equals stdout")
        pid = int(env["LI_SLAPD_PID"])
        ok(os.path.exists("/proc/%d" % pid), "slapd running after CLI exit")
        if have("ldapsearch"):
            r2 = run("ldapsearch", ["-x", "-LLL", "-H", env["LI_URI"], "-b",
                                    "ou=people,dc=example,dc=com", "-s",
                                    "one", "(uid=u*)", "1.1"])
            eq(len(dns(r2.out)), 50, "entries in the CLI instance")
        r = run(sys.executable, [fixture, "start", "--dir", d], timeout=60)
        eq(r.rc, 1, "second start in a non-empty dir fails")
        eq(len(r.err.strip().splitlines()), 1, "one line on stderr")
    finally:
        r = run(sys.executable, [fixture, "stop", "--dir", d], timeout=30)
    eq(r.rc, 0, "stop exit status")
    ok(not os.path.exists(d), "dir removed")
    with open("/proc/%d/stat" % pid) if os.path.exists("/proc/%d" % pid) \
            else open(os.devnull) as f:
        st = f.read()
    ok(st == "" or st[st.rindex(")") + 2] in "ZX", "slapd gone (or zombie)")
    r = run(sys.executable, [fixture, "stop", "--dir", d])
    eq(r.rc, 1, "stopping again fails")
    eq(len(r.err.strip().splitlines()), 1, "one line on stderr")
    os.rmdir(os.path.dirname(d))


# ---- harness self-tests ------------------------------------------------

@test
def harness_hung_is_detected():
    try:
        run("sleep", ["30"], timeout=0.5)
    except TestFailure as e:
        contains(str(e), "hung: ", "message")
        contains(str(e), "did not finish within", "message")
    else:
        fail("run() of a hung program did not fail")


@test
def harness_env_and_json():
    r = run("sh", ["-c", 'echo "$HOME|$LANG|${LDAPTLS_CACERT-unset}|'
                   '${FOO-unset}"'], env={"FOO": "bar"})
    home, lang, _, foo = r.out.strip().split("|")
    ok(home != os.environ.get("HOME") and home.startswith(
        tempfile.gettempdir()), "fresh HOME (%s)" % home)
    eq(lang, "C", "LANG")
    eq(foo, "bar", "override")
    r = run("sh", ["-c", 'echo "${LDAPTLS_CACERT-unset}"'],
            env={"LDAPTLS_CACERT": None})
    eq(r.out.strip(), "unset", "removed key")
    r = run("printf", ['{"a": 1}\n\n{"b": [2]}\n'])
    eq(r.jsonl, [{"a": 1}, {"b": [2]}], "jsonl")
    eq(r.json, None, "json of two objects")
    r = run("printf", ['{"a": 1}'])
    eq(r.json, {"a": 1}, "json")
    r = run("printf", ["not json\n"])
    eq(r.jsonl, None, "jsonl of garbage")


@test
def harness_spawn_signal():
    with spawn("sh", ["-c", 'trap "echo got-term; exit 7" TERM; '
                      'echo ready; while :; do sleep 0.05; done']) as p:
        p.wait_for("stdout", "^ready$", timeout=5)
        p.signal(signal.SIGTERM)
        p.wait_for("stdout", "^got-term$", timeout=5)
        eq(p.wait(5).rc, 7, "exit status after SIGTERM")
    with spawn("sh", ["-c", "echo bye >&2"]) as p:
        try:
            p.wait_for("stdout", "never", timeout=5)
        except TestFailure as e:
            contains(str(e), "closed", "early EOF is reported")
        else:
            fail("wait_for did not fail")


if __name__ == "__main__":
    tap_main()
