#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Every operation type, issued then interrupted, against a real slapd.
slapd runs writes to completion, so a cancel of one is too-late (120) and
the change is made; slapo-retcode's sleeping items give abandon something
to abandon. ldapsearch/ldapadd are the independent oracle."""

import os
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import admin, anon, check_report, last_line  # noqa: E402


def scratch_entry(s, prefix):
    """A fresh entry under ou=scratch, added with OpenLDAP's ldapadd."""
    cn = "%s-%s" % (prefix, uuid.uuid4().hex[:8])
    dn = "cn=%s,ou=scratch,%s" % (cn, s.base)
    ldif = "dn: %s\nobjectClass: person\ncn: %s\nsn: before\n" % (dn, cn)
    r = run("ldapadd", ["-x", "-H", s.uri, "-D", s.admin_dn, "-w", s.admin_pw], stdin=ldif)
    eq(r.rc, 0, "ldapadd %s" % dn)
    return cn, dn


def exists(s, dn):
    r = run("ldapsearch", ["-x", "-LLL", "-H", s.uri, "-b", dn, "-s", "base", "1.1"])
    return r.rc == 0


def attr(s, dn, name):
    r = run("ldapsearch", ["-x", "-LLL", "-H", s.uri, "-D", s.admin_dn, "-w", s.admin_pw,
                           "-b", dn, "-s", "base", name])
    eq(r.rc, 0, "read %s" % dn)
    return [l.split(": ", 1)[1] for l in r.out.splitlines() if l.startswith(name + ": ")]


@test
def compare_on_a_sleeping_entry():
    s = slapd()
    dn = "cn=slow,ou=retcode," + s.base
    r = run("ldapcancel", anon(s) + ["--op", "compare", dn, "cn:slow", "--json"])
    j = check_report(r, "ldapcancel", "too-late", "cancel")
    eq(j["operation"]["type"], "compare", "operation type")
    eq(j["cancel_result"]["code"], 120, "tooLate")
    r = run("ldapabandon", anon(s) + ["--op", "compare", dn, "cn::c2xvdw==", "--wait", "2500ms", "--json"])
    check_report(r, "ldapabandon", "abandoned", "abandon")


@test
def compare_completes_too_late_with_compare_true():
    s = slapd()
    r = run("ldapcancel", anon(s) + ["--op", "compare", "uid=u000003," + s.people_base, "employeeNumber:3",
                                     "--json"])
    j = check_report(r, "ldapcancel", "too-late", "cancel")
    eq(j["op_result"]["code"], 6, "compareTrue")
    eq(j["op_result"]["name"], "compareTrue", "name")


@test
def delete_runs_to_completion():
    s = slapd()
    cn, dn = scratch_entry(s, "del")
    r = run("ldapcancel", admin(s) + ["--op", "delete", dn, "--json"])
    j = check_report(r, "ldapcancel", "too-late", "cancel")
    eq(j["operation"]["type"], "delete", "type")
    eq(j["op_result"]["code"], 0, "delete succeeded")
    ok(j["cancel_result"]["code"] in (119, 120), "cancel answered noSuchOperation or tooLate")
    ok(not exists(s, dn), "the entry is gone")


@test
def modrdn_runs_to_completion():
    s = slapd()
    cn, dn = scratch_entry(s, "ren")
    r = run("ldapcancel", admin(s) + ["--op", "modrdn", dn, "cn=%s-new" % cn, "--json"])
    j = check_report(r, "ldapcancel", "too-late", "cancel")
    eq(j["op_result"]["code"], 0, "modrdn succeeded")
    ok(exists(s, "cn=%s-new,ou=scratch,%s" % (cn, s.base)), "renamed entry exists")
    # as ldapmodrdn without -r: the old RDN value stays
    ok("%s" % cn in attr(s, "cn=%s-new,ou=scratch,%s" % (cn, s.base), "cn"), "old RDN value kept")


@test
def add_from_a_file_and_from_stdin():
    s = slapd()
    for source in ("file", "stdin"):
        cn = "add-%s-%s" % (source, uuid.uuid4().hex[:8])
        dn = "cn=%s,ou=scratch,%s" % (cn, s.base)
        ldif = "dn: %s\nobjectClass: person\ncn: %s\nsn: added\n" % (dn, cn)
        if source == "file":
            with tempfile.NamedTemporaryFile("w", suffix=".ldif", delete=False) as f:
                f.write(ldif)
            r = run("ldapcancel", admin(s) + ["--op", "add", "-f", f.name, "--json"])
            os.unlink(f.name)
        else:
            r = run("ldapcancel", admin(s) + ["--op", "add", "-f", "-", "--json"], stdin=ldif)
        j = check_report(r, "ldapcancel", "too-late", "cancel")
        eq(j["operation"]["type"], "add", "type")
        eq(j["op_result"]["code"], 0, "add succeeded (%s)" % source)
        eq(attr(s, dn, "sn"), ["added"], "the entry was added (%s)" % source)


@test
def add_of_an_existing_entry_reports_its_result():
    s = slapd()
    cn, dn = scratch_entry(s, "dup")
    ldif = "dn: %s\nobjectClass: person\ncn: %s\nsn: again\n" % (dn, cn)
    r = run("ldapcancel", admin(s) + ["--op", "add", "-f", "-"], stdin=ldif)
    eq(r.rc, 68, "failed: the add's own code")
    contains(r.out, "result: entryAlreadyExists (68)", "the add's own result")
    matches(last_line(r.out), r"^failed: the add completed with entryAlreadyExists \(68\) ", "verdict")
    eq(r.err, "ldapcancel: add: Already exists (68)\n", "stderr")


@test
def modify_runs_to_completion():
    s = slapd()
    cn, dn = scratch_entry(s, "mod")
    ldif = "dn: %s\nchangetype: modify\nreplace: sn\nsn: after\n-\n" % dn
    # An abandon sent at once may reach slapd before it starts the modify
    # (then nothing happens): give the modify time to finish first.
    r = run("ldapabandon", admin(s) + ["--op", "modify", "-f", "-", "--after", "1s", "--json"], stdin=ldif)
    j = check_report(r, "ldapabandon", "too-late", "abandon")
    eq(j["op_result"]["code"], 0, "modify succeeded")
    eq(j["interrupt"]["msgid"], None, "nothing left to abandon")
    eq(attr(s, dn, "sn"), ["after"], "the value changed")


@test
def modify_of_a_sleeping_entry_is_abandoned():
    s = slapd()
    ldif = "dn: cn=slow,ou=retcode,%s\nchangetype: modify\nreplace: sn\nsn: x\n-\n" % s.base
    r = run("ldapabandon", admin(s) + ["--op", "modify", "-f", "-", "--wait", "2500ms", "--json"], stdin=ldif)
    check_report(r, "ldapabandon", "abandoned", "abandon")


@test
def whoami_extended_operation():
    s = slapd()
    r = run("ldapcancel", admin(s) + ["--op", "exop", "whoami", "--json"])
    j = check_report(r, "ldapcancel", "too-late", "cancel")
    eq(j["operation"]["type"], "exop", "type")
    eq(j["op_result"]["code"], 0, "WhoAmI succeeded")
    r = run("ldapabandon", anon(s) + ["--op", "exop", "1.3.6.1.4.1.4203.1.11.3", "--after", "1s", "--json"])
    check_report(r, "ldapabandon", "too-late", "abandon")


@test
def unknown_extended_operation_completes_with_protocol_error():
    s = slapd()
    r = run("ldapcancel", anon(s) + ["--op", "exop", "1.2.3.4:hello", "--json"])
    j = check_report(r, "ldapcancel", "failed", "cancel")
    eq(r.rc, 2, "exit status: protocolError")
    eq(j["op_result"]["code"], 2, "protocolError for an unknown exop")


@test
def controls_from_dash_e():
    s = slapd()
    r = run("ldapcancel", anon(s) + ["-e", "manageDSAit", "-b", s.people_base, "--after-entries", "2", "--json"])
    check_report(r, "ldapcancel", "canceled", "cancel")
    # an unknown critical control: slapd refuses the search itself
    r = run("ldapcancel", anon(s) + ["-e", "!1.2.3.4.5", "-b", s.people_base, "--json"])
    j = check_report(r, "ldapcancel", "failed", "cancel")
    eq(r.rc, 12, "exit status: unavailableCriticalExtension")
    eq(j["op_result"]["code"], 12, "unavailableCriticalExtension")
    # an assertion that fails: the search completes with assertionFailed
    r = run("ldapcancel", anon(s) + ["-e", "!assert=(cn=nobody)", "-b", s.base, "-s", "base", "--json"])
    j = check_report(r, "ldapcancel", "failed", "cancel")
    eq(r.rc, 122, "exit status: assertionFailed")
    eq(j["op_result"]["code"], 122, "assertionFailed")


if __name__ == "__main__":
    tap_main()
