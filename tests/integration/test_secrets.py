#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Secrets in memory and in the process's public face: a password is taken
byte for byte and bounded (-y, -W), every -w is hidden from ps, and the
process cannot be dumped or read by another process of the same user from
before it reads its first secret. (Refused passwords, one row each, are in
test_badinput.py; redaction in the trace is in test_trace.py.)"""

import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from ldaptest import tool_path  # noqa: E402
from litools import run_with_tty  # noqa: E402

NOBODY = 65534
UNWRAPPED = lambda: not os.environ.get("LI_WRAPPER", "").strip()  # noqa: E731
WHY_UNWRAPPED = "reads the tool's own /proc entries (LI_WRAPPER puts another program there)"


def _plain_build():
    """No LI_WRAPPER and no sanitizer runtime, which reserve huge address space."""
    return UNWRAPPED() and not os.environ.get("LI_SANITIZED")


def write(path, data, mode=0o600):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def trace_bind(s, args):
    """ldaptrace's BindRequest line for a base search bound with args."""
    r = run("ldaptrace", ["-x", "-H", s.uri, "-D", s.admin_dn] + args + ["-b", s.base, "-s", "base"])
    line = next((l for l in r.out.splitlines() if "BindRequest" in l), "")
    return r, line


# --------------------------------------------------------------------------
# -y: the first line, byte for byte, bounded

@test
def password_file_first_line_is_the_password_byte_for_byte():
    s = slapd()
    with tempfile.TemporaryDirectory(prefix="li-secrets-") as d:
        for name, data in (("lf", b"secret\nnext line\n"), ("crlf", b"secret\r\n"), ("none", b"secret")):
            write(os.path.join(d, name), data)
            r, line = trace_bind(s, ["-y", os.path.join(d, name)])
            eq(r.rc, 0, "%s: bound as the admin and searched" % name)
            contains(line, "simple=<redacted 6 bytes>", "%s: the 6 bytes of the first line, nothing else" % name)
            not_contains(r.out + r.err, "secret", "%s: never printed" % name)


@test
def password_limit_is_4096_bytes():
    with tempfile.TemporaryDirectory(prefix="li-secrets-") as d:
        for n, rc in ((4096, 0), (4097, 1)):
            path = os.path.join(d, "pw%d" % n)
            write(path, b"p" * n + b"\r\n")
            r = run("ldapcancel", ["-n", "-x", "-H", "ldap://127.0.0.1:1", "-D", "cn=a", "-y", path])
            eq(r.rc, rc, "%d bytes: exit status" % n)
            if rc:
                eq(r.err, "ldapcancel: -y: the first line of '%s' is longer than 4096 bytes\n" % path, "error")
            else:
                contains(r.out, 'simple bind as "cn=a" with a password', "taken")
            r = run("ldapcancel", ["-n", "-x", "-H", "ldap://127.0.0.1:1", "-D", "cn=a", "-w", "p" * n])
            eq(r.rc, rc, "-w of %d bytes: exit status" % n)
            eq(r.err, "ldapcancel: -w: the password is longer than 4096 bytes\n" if rc else "", "-w: error")


@test
def password_file_without_end_is_refused_promptly():
    # /dev/zero has no first line: the read stops at the limit, in little
    # time and (in a plain build, under a 256 MiB address-space limit) memory.
    argv = ["-x", "-H", "ldap://127.0.0.1:1", "-D", "cn=a", "-y", "/dev/zero", "-b", "dc=x"]
    for tool in ("ldapcancel", "ldaptrace"):
        if _plain_build():
            r = run("/bin/sh", ["-c", 'ulimit -v 262144 && exec "$0" "$@"', tool_path(tool)] + argv, timeout=10)
        else:
            r = run(tool, argv, timeout=10)
        le(r.elapsed, scaled(3.0), "%s: ended promptly" % tool)
        eq(r.rc, 1, "%s: exit status" % tool)
        eq(r.err, "%s: -y: the first line of '/dev/zero' is longer than 4096 bytes\n" % tool, "%s: error" % tool)


# --------------------------------------------------------------------------
# -W: the same rules at the terminal

@test(skip_unless=UNWRAPPED, reason="the terminal test runs the tool directly")
def prompt_refuses_what_cannot_be_sent():
    argv = [tool_path("ldapcancel"), "-x", "-H", "ldap://127.0.0.1:1", "-D", "cn=a", "-W", "-n"]
    for answer, why in ((b"\n", "the password is empty"),
                        (b"se\x00cret\n", "the password typed holds a NUL byte (a password cannot contain one)")):
        rc, out = run_with_tty(argv, answer)
        eq(rc, 1, "%r: exit status" % answer)
        matches(out, r"(?m)^ldapcancel: -W: %s" % re.escape(why), "%r: error" % answer)
        not_contains(out, "simple bind", "%r: no plan printed" % answer)
    rc, out = run_with_tty(argv, b"pw\r\n")
    eq(rc, 0, "a password: exit status")
    contains(out, 'simple bind as "cn=a" with a password', "taken")


# --------------------------------------------------------------------------
# every -w, in every form popt takes, is hidden from ps

@test(skip_unless=UNWRAPPED, reason=WHY_UNWRAPPED)
def every_dash_w_is_hidden_from_ps():
    dn = "cn=admin,dc=example,dc=com"
    args = ["-x", "-D", dn, "-w", "first", "-wsecond", "-xwthird", "-w=fourth", "-w", "--",
            "-w", "fifth", "-b", "dc=example,dc=com", "--", "(cn=first)", "-wsixth", "second"]
    # what popt made of them: five passwords ("--" is one), then operands
    want = ["-x", "-D", dn, "-w", "*****", "-w******", "-xw*****", "-w=******", "-w", "**",
            "-w", "*****", "-b", "dc=example,dc=com", "--", "(cn=first)", "-wsixth", "second"]
    eq(cmdline_during_bind(args), want, "the argument list while the bind is under way")
    # POSIXLY_CORRECT: popt takes everything after the first operand as operands
    args = ["-x", "-D", dn, "-w", "first", "(cn=first)", "-w", "second"]
    want = ["-x", "-D", dn, "-w", "*****", "(cn=first)", "-w", "second"]
    eq(cmdline_during_bind(args, {"POSIXLY_CORRECT": "1"}), want, "POSIXLY_CORRECT: only the option is hidden")


def cmdline_during_bind(args, env=None):
    """The tool's argument list after -H URI, read once its bind has arrived."""
    with faultserver("silent-bind") as fs:
        with spawn("ldapcancel", ["-H", fs.uri] + args, env=env) as p:
            fs.wait_log(lambda rec: rec.get("op") == "bind", timeout=10)
            with open("/proc/%d/cmdline" % p.pid, "rb") as f:
                argv = f.read().decode().split("\0")[:-1]
            p.kill()
    return argv[3:]


# --------------------------------------------------------------------------
# not dumpable, from before the first secret to the end

def not_root(tool):
    """(program, leading args) that run a built tool as nobody when we are
    root (root owns a process's /proc entries whether it is dumpable or not),
    else as ourselves."""
    if os.geteuid() == 0:
        return "setpriv", ["--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups", "--", tool_path(tool)]
    return tool, []


def owner(pid):
    """The uid owning the process's /proc entries: its own while it is
    dumpable, root's once it is not."""
    return os.stat("/proc/%d/status" % pid).st_uid


@test(skip_unless=lambda: UNWRAPPED() and (os.geteuid() != 0 or have("setpriv")), reason=WHY_UNWRAPPED)
def not_dumpable_from_the_password_file_to_the_end():
    prog, prefix = not_root("ldapcancel")
    with tempfile.TemporaryDirectory(prefix="li-secrets-") as d:
        os.chmod(d, 0o755)
        fifo = os.path.join(d, "pw")
        os.mkfifo(fifo, 0o666)
        os.chmod(fifo, 0o666)
        with faultserver("silent-bind") as fs:
            with spawn(prog, prefix + ["-x", "-H", fs.uri, "-D", "cn=admin,dc=example,dc=com", "-y", fifo,
                                       "-b", "dc=example,dc=com"]) as p:
                # Opening the FIFO for writing returns once the tool has
                # opened it to read its password: it is past the options.
                w = os.open(fifo, os.O_WRONLY)
                try:
                    eq(owner(p.pid), 0, "not dumpable while it reads the password")
                    os.write(w, b"secret\n")
                finally:
                    os.close(w)
                fs.wait_log(lambda rec: rec.get("op") == "bind", timeout=10)
                eq(owner(p.pid), 0, "still not dumpable once the bind is sent")
                p.kill()


@test(skip_unless=lambda: UNWRAPPED() and (os.geteuid() != 0 or have("setpriv")), reason=WHY_UNWRAPPED)
def not_dumpable_without_a_password_either():
    # ldaptrace holds the entries it read (userPassword values among them)
    prog, prefix = not_root("ldaptrace")
    with faultserver("silent") as fs:
        with spawn(prog, prefix + ["-x", "-H", fs.uri, "-b", "dc=example,dc=com"]) as p:
            fs.wait_log(lambda rec: rec.get("op") == "search", timeout=10)
            eq(owner(p.pid), 0, "not dumpable")
            p.kill()


if __name__ == "__main__":
    tap_main()
