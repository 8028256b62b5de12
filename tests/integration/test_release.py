#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""One version everywhere: meson.build's project() version is what every
tool's --version, the public header's LI_VERSION, NEWS's latest entry and
debian/changelog's latest entry say; and one soname: lib/meson.build's,
the symbol map's version node and the Debian runtime package's name.
"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import project_version  # noqa: E402


def read(*rel):
    with open(os.path.join(SRCDIR, *rel), encoding="utf-8") as f:
        return f.read()


@test
def version_reports_the_project_version():
    v = project_version()
    for tool in TOOLS:
        r = run(tool, ["--version"])
        eq(r.rc, 0, "%s --version exit status" % tool)
        eq(r.out.splitlines()[0], "%s (ldap-interrupt) %s" % (tool, v), "%s --version" % tool)


@test
def header_news_and_changelog_name_the_project_version():
    v = project_version()
    m = re.search(r'^#define LI_VERSION "([^"]+)"$', read("lib", "ldapinterrupt.h"), re.M)
    eq(m and m.group(1), v, "LI_VERSION in lib/ldapinterrupt.h")
    m = re.search(r"^Version (\S+) \(\d{4}-\d\d-\d\d\)$", read("NEWS"), re.M)
    eq(m and m.group(1), v, "NEWS's latest entry")
    m = re.match(r"^ldap-interrupt \(([^)]+)\) ", read("debian", "changelog"))
    eq(m and re.sub(r"-[^-]+$", "", m.group(1)), v, "debian/changelog's latest entry (upstream part)")


@test
def soname_map_and_package_agree():
    m = re.search(r"soversion\s*:\s*'(\d+)'", read("lib", "meson.build"))
    ok(m, "lib/meson.build sets soversion")
    so = m.group(1)
    nodes = re.findall(r"^LDAPINTERRUPT_(\d+)\S*\s*\{", read("lib", "libldapinterrupt.map"), re.M)
    eq(max(int(n.split("_")[0]) for n in nodes), int(so), "the map's newest version node's major")
    packages = re.findall(r"^Package: (\S+)$", read("debian", "control"), re.M)
    eq(sorted(packages), sorted(["ldap-interrupt", "libldapinterrupt%s" % so, "libldapinterrupt-dev"]),
       "debian/control's packages: the runtime named after the soname")
    symbols = read("debian", "libldapinterrupt%s.symbols" % so)
    ok(symbols.startswith("libldapinterrupt.so.%s libldapinterrupt%s " % (so, so)), "the symbols file's soname")


if __name__ == "__main__":
    tap_main()
