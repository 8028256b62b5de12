#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The installed library is usable by a program that knows only its
public face: `meson install --destdir` into a temporary tree, then
examples/cancel-search.c built with the system cc and pkg-config against
that tree, and run against the fixture slapd.  Also: the installed .pc
names no private dependency in its public libs and carries the project's
version, the installed header knows nothing of the tools (popt, exit
statuses), and the tools, man pages, header and .pc are all installed.
"""

import atexit
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import project_version  # noqa: E402

EXAMPLE = os.path.join(SRCDIR, "examples", "cancel-search.c")
SANITIZED = os.environ.get("LI_SANITIZED") == "1"

_tree = {}


def installed():
    """The install tree (done once): (destdir, pc dir, lib dir, files)."""
    if "root" not in _tree:
        root = tempfile.mkdtemp(prefix="li-install-")
        atexit.register(shutil.rmtree, root, True)
        r = run("meson", ["install", "-C", BUILDDIR, "--no-rebuild", "--quiet", "--destdir", root], timeout=120)
        eq(r.rc, 0, "meson install exit status")
        files = set()
        for d, _, names in os.walk(root):
            files.update(os.path.relpath(os.path.join(d, n), root) for n in names)
        pcs = [f for f in files if f.endswith("/pkgconfig/ldapinterrupt.pc")]
        eq(len(pcs), 1, "one ldapinterrupt.pc installed")
        pcdir = os.path.join(root, os.path.dirname(pcs[0]))
        _tree.update(root=root, pcdir=pcdir, libdir=os.path.dirname(pcdir), files=files)
    return _tree


def pkg_config(args):
    """pkg-config on the installed .pc; the sysroot makes its paths point
    into the destdir (system paths, as libldap's, stay out)."""
    t = installed()
    return run("pkg-config", args + ["ldapinterrupt"],
               env={"PKG_CONFIG_PATH": t["pcdir"], "PKG_CONFIG_SYSROOT_DIR": t["root"]})


@test
def installs_the_tools_pages_header_and_pc():
    t = installed()
    names = {}
    for f in t["files"]:
        names.setdefault(os.path.basename(f), []).append(f)
    for tool in ("ldapcancel", "ldapabandon", "ldaptrace"):
        ok(any(re.search(r"(^|/)bin/%s$" % tool, f) for f in names.get(tool, [])), "%s in bin" % tool)
        ok(any(f.endswith("/man1/%s.1" % tool) for f in names.get(tool + ".1", [])), "%s.1 in man1" % tool)
    ok(any(f.endswith("/man3/ldapinterrupt.3") for f in names.get("ldapinterrupt.3", [])),
       "ldapinterrupt.3 in man3")
    ok(any(f.endswith("/include/ldapinterrupt.h") for f in names.get("ldapinterrupt.h", [])),
       "ldapinterrupt.h in include")
    ok(any(f.endswith("/share/doc/ldap-interrupt/examples/cancel-search.c")
           for f in names.get("cancel-search.c", [])), "the example's source with the docs")
    ok(os.path.exists(os.path.join(t["pcdir"], "ldapinterrupt.pc")), "the .pc")
    for schema in ("report.json", "error.json", "trace-event.json", "plan.json", "audit.json", "stats.json",
                   "matrix.json", "audit-stats.json", "relay-session.json"):
        ok(any(f.endswith("/share/ldap-interrupt/schema/" + schema) for f in names.get(schema, [])),
           "the JSON Schema %s where the man pages say" % schema)


@test
def pkg_config_names_only_the_public_libraries():
    r = pkg_config(["--libs"])
    eq(r.rc, 0, "pkg-config --libs exit status")
    libs = sorted(w for w in r.out.split() if w.startswith("-l"))
    eq(libs, ["-llber", "-lldap", "-lldapinterrupt"], "the public libs (no popt, no json-c)")
    r = pkg_config(["--modversion"])
    eq(r.out.strip(), project_version(), "--modversion is the project's version")


@test
def installed_header_knows_nothing_of_the_tools():
    t = installed()
    hdr = [f for f in t["files"] if f.endswith("/include/ldapinterrupt.h")]
    eq(len(hdr), 1, "one installed header")
    with open(os.path.join(t["root"], hdr[0])) as f:
        text = f.read()
    not_contains(text.lower(), "popt", "the header mentions popt")
    not_contains(text, "LI_EXIT_", "the header has exit statuses")


def build_example():
    t = installed()
    r = pkg_config(["--cflags", "--libs"])
    eq(r.rc, 0, "pkg-config --cflags --libs exit status")
    flags = r.out.split()
    # A library built with the sanitizers needs their runtime loaded first:
    # the program is built with them too (the options the harness passes
    # through make any report fail the test).
    if SANITIZED:
        flags = ["-fsanitize=address,undefined"] + flags
    exe = os.path.join(t["root"], "cancel-search")
    # Strict ISO C: the header needs no POSIX feature macro.
    r = run("cc", ["-std=c11", "-pedantic", "-Wall", "-Wextra", "-Werror", EXAMPLE, "-o", exe] + flags,
            timeout=120)
    eq(r.err, "", "cc's diagnostics")
    eq(r.rc, 0, "cc exit status")
    return exe


@test(skip_unless=lambda: have("cc") and have("pkg-config"), reason="no cc or no pkg-config")
def example_cancels_a_search_through_the_installed_library():
    exe = build_example()
    s = slapd()
    env = {"LD_LIBRARY_PATH": installed()["libdir"]}
    r = run(exe, [s.uri, s.people_base, "7"], env=env, timeout=60)
    eq(r.err, "", "nothing on stderr")
    eq(r.rc, 0, "exit status (canceled)")
    lines = r.out.splitlines()
    eq(len(lines), 5, "five lines")
    eq(lines[0], "outcome: canceled", "outcome")
    eq(lines[1], "entries before cancel: 7", "entries before == N")
    matches(lines[2], r"^entries after cancel: \d+$", "entries after")
    lt(7 + int(lines[2].split()[-1]), s.entries + 2, "the search stopped early")
    eq(lines[3], "search result code: 118", "the search ended canceled")
    eq(lines[4], "cancel result code: 0", "the Cancel succeeded")
    # The installed library, not the build tree's, was loaded.
    r = run("ldd", [exe], env=env)
    matches(r.out, r"libldapinterrupt\.so\.\d+ => %s/" % re.escape(installed()["libdir"]),
            "the installed libldapinterrupt")


@test(skip_unless=lambda: have("cc") and have("pkg-config"), reason="no cc or no pkg-config")
def example_reports_a_bad_uri_on_one_line():
    exe = build_example()
    r = run(exe, ["notaurl", "dc=example"], env={"LD_LIBRARY_PATH": installed()["libdir"]})
    eq(r.rc, 2, "exit status")
    eq(r.out, "", "nothing on stdout")
    matches(r.err, r"\Acancel-search: [^\n]+\n\Z", "one line on stderr")


if __name__ == "__main__":
    tap_main()
