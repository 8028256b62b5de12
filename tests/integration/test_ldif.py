#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""-f LDIF input: every read bounded by the 64 MiB limit (the file and the
values read from attr:< URLs together), exact at the boundary; refusals
name the file's own line; a NUL byte is refused, not a silent end of file.
Refusals are checked with -n against nothing (a dry run reads and checks
-f as the real run does); what :< reads is checked against a real slapd."""

import os
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import admin  # noqa: E402

LIMIT = 64 << 20
HEAD = b"dn: cn=a,dc=example,dc=com\nobjectClass: device\ncn: a\n"
DRY = ["-n", "-x", "-H", "ldap://127.0.0.1:9"]


def record_of_size(path, size, tail=b""):
    """A valid add record of exactly size bytes: a description padded to fit."""
    pre = HEAD + b"description: "
    pad = size - len(pre) - len(tail) - 1
    assert pad > 0
    with open(path, "wb") as f:
        f.write(pre)
        chunk = b"x" * (1 << 20)
        while pad > 0:
            f.write(chunk[:min(pad, len(chunk))])
            pad -= min(pad, len(chunk))
        f.write(b"\n" + tail)
    eq(os.path.getsize(path), size, "generated %d bytes" % size)


def refused(args, line, **kw):
    r = run("ldapcancel", DRY + args, **kw)
    eq(r.rc, 1, "exit status 1")
    eq(r.out, "", "nothing on stdout")
    eq(r.err, "ldapcancel: " + line + "\n", "the one error line")


def accepted(args, **kw):
    r = run("ldapcancel", DRY + args, **kw)
    eq(r.err, "", "nothing on stderr")
    eq(r.rc, 0, "exit status 0")
    contains(r.out, "add from ", "the plan names the add")


@test
def a_file_of_exactly_the_limit_is_read_and_one_byte_more_is_refused():
    with tempfile.TemporaryDirectory(prefix="li-ldif-") as d:
        f = os.path.join(d, "big.ldif")
        record_of_size(f, LIMIT)
        accepted(["--op", "add", "-f", f])
        with open(f, "rb") as fp:
            accepted(["--op", "add", "-f", "-"], stdin=fp.read())
        record_of_size(f, LIMIT + 1)
        refused(["--op", "add", "-f", f], "-f: '%s' is larger than 64 MiB" % f)
        # just under the old refusal point (the limit less a read buffer)
        record_of_size(f, LIMIT - 4095)
        accepted(["--op", "add", "-f", f])


@test
def url_values_count_towards_the_limit():
    with tempfile.TemporaryDirectory(prefix="li-ldif-") as d:
        f = os.path.join(d, "url.ldif")
        v = os.path.join(d, "value")
        text = HEAD + b"description:< file://" + v.encode() + b"\n"
        with open(f, "wb") as fp:
            fp.write(text)
        with open(v, "wb") as fp:
            fp.truncate(LIMIT - len(text))       # sparse: NULs are fine in a value
        accepted(["--op", "add", "-f", f])
        with open(v, "wb") as fp:
            fp.truncate(LIMIT - len(text) + 1)
        refused(["--op", "add", "-f", f],
                "-f: '%s' line 4: the value of 'file://%s' takes the record past 64 MiB" % (f, v))


@test
def an_endless_url_is_refused_not_read_forever():
    with tempfile.TemporaryDirectory(prefix="li-ldif-") as d:
        f = os.path.join(d, "zero.ldif")
        with open(f, "wb") as fp:
            fp.write(HEAD + b"description: one\ndescription:< file:///dev/zero\n")
        r = run("ldapcancel", DRY + ["--op", "add", "-f", f], timeout=30)
        eq(r.rc, 1, "exit status 1")
        eq(r.err, "ldapcancel: -f: '%s' line 5: the value of 'file:///dev/zero' takes the record past 64 MiB\n"
           % f, "the one error line")


# (file content, the error after "-f: 'FILE' ")
LINES = [
    (HEAD + b"description: x\nbad line\n", "line 5: not an LDIF line (attr: value, attr:: base64 or attr:< URL)"),
    # blank lines and comments before the record, a folded line within it
    (b"\n\n# a comment\n#  folded comment\n" + HEAD + b"description: fo\n ld\nbadline\n",
     "line 10: not an LDIF line (attr: value, attr:: base64 or attr:< URL)"),
    (HEAD + b"description:: !!!!\n", "line 4: not an LDIF line (attr: value, attr:: base64 or attr:< URL)"),
    (HEAD + b"description: x\ndescr\x00iption: y\nmore: z\n", "line 5: holds a NUL byte "
     "(give binary values as attr:: base64)"),
    (b"\x00", "line 1: holds a NUL byte (give binary values as attr:: base64)"),
    (HEAD + b"\n\n\x00", "line 6: holds a NUL byte (give binary values as attr:: base64)"),
    (b"# c\ninclude: file:///dev/zero\n\n" + HEAD, "line 2: include: is not supported; put the record in the file"),
    (HEAD.replace(b"objectClass", b"control: 1.2.3 true:< file:///dev/zero\nobjectClass"),
     "line 2: control: lines are not supported; give controls with -e"),
    (HEAD + b"description:< http://example.com/x\n", "line 4: 'http://example.com/x' is not a file:// URL"),
    (HEAD + b"description:< file:///nonexistent/li-x\n",
     "line 4: cannot open 'file:///nonexistent/li-x': No such file or directory"),
]


def _line_case(i, content, msg):
    def fn():
        with tempfile.TemporaryDirectory(prefix="li-ldif-") as d:
            f = os.path.join(d, "in.ldif")
            with open(f, "wb") as fp:
                fp.write(content)
            refused(["--op", "add", "-f", f], "-f: '%s' %s" % (f, msg))
            refused(["--op", "add", "-f", "-"], "-f: '-' %s" % msg, stdin=content)
    test(fn, name="line numbers %d: %s" % (i, msg))


for _i, (_c, _m) in enumerate(LINES):
    _line_case(_i, _c, _m)


@test
def one_record_between_blank_lines_and_comments():
    with tempfile.TemporaryDirectory(prefix="li-ldif-") as d:
        f = os.path.join(d, "one.ldif")
        for text in (b"\n# before\n\n" + HEAD + b"\n\n# after\n#  folded\n\n",
                     HEAD.replace(b"\n", b"\r\n") + b"\r\n# after\r\n",
                     HEAD[:-1]):
            with open(f, "wb") as fp:
                fp.write(text)
            accepted(["--op", "add", "-f", f])
        with open(f, "wb") as fp:
            fp.write(HEAD + b"\n# c\n\n" + HEAD)
        refused(["--op", "add", "-f", f], "-f: '%s' holds more than one LDIF record; give exactly one" % f)
        with open(f, "wb") as fp:
            fp.write(b"\n\n# only a comment\n\n")
        refused(["--op", "add", "-f", f], "-f: '%s' holds no LDIF record" % f)


@test
def libldap_structure_errors_name_the_files_line():
    with tempfile.TemporaryDirectory(prefix="li-ldif-") as d:
        f = os.path.join(d, "ct.ldif")
        with open(f, "wb") as fp:
            fp.write(b"\n# c\n\ndn: cn=a,dc=example,dc=com\nchangetype: frob\n")
        refused(["--op", "modify", "-f", f],
                "-f %s:  unknown changetype \"frob\" (line 5, entry \"cn=a,dc=example,dc=com\")" % f)


@test
def a_url_value_is_read_and_sent():
    s = slapd()
    with tempfile.TemporaryDirectory(prefix="li-ldif-") as d:
        cn = "url-%s" % uuid.uuid4().hex[:8]
        dn = "cn=%s,ou=scratch,%s" % (cn, s.base)
        v = os.path.join(d, "the value")
        with open(v, "wb") as fp:
            fp.write(b"from a file\n")
        f = os.path.join(d, "add.ldif")
        with open(f, "wb") as fp:
            # a folded URL with a %20 escape, as libldap reads it
            fp.write(("dn: %s\nobjectClass: person\ncn: %s\nsn: s\ndescription:< file://%s\n"
                      " %s\nseeAlso: cn=x\n" % (dn, cn, os.path.join(d, "the"), "%20value")).encode())
        r = run("ldapcancel", admin(s) + ["--op", "add", "-f", f, "--json"])
        eq(r.err, "", "nothing on stderr")
        j = r.json
        eq(j["op_result"]["code"], 0, "the add succeeded")
        r = run("ldapsearch", ["-x", "-LLL", "-H", s.uri, "-D", s.admin_dn, "-w", s.admin_pw,
                               "-b", dn, "-s", "base", "description", "seeAlso"])
        eq(r.rc, 0, "read back")
        contains(r.out, "description:: ZnJvbSBhIGZpbGUK\n", "the file's bytes, newline included")
        contains(r.out, "seeAlso: cn=x\n", "the line after the fold")


if __name__ == "__main__":
    tap_main()
