#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The Debian packages, as an administrator gets them: debian/ built with
`dpkg-buildpackage -us -uc -b` from a copy of the tree, lintian without an
error or a warning, `apt-get install ./...deb`, then the installed tools,
man pages, bash completion, pkg-config file and example (built against
the installed -dev package) used against the test slapd, and `apt-get
purge` leaving no package and no file behind.

It installs into the system, so it needs root, and it does not run under
`meson test` (whose tests run side by side): scripts/check runs it on its
own, after the other suites.
"""

import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import project_version  # noqa: E402

PACKAGES = ("ldap-interrupt", "libldapinterrupt2", "libldapinterrupt-dev")
NEEDED = ("dpkg-buildpackage", "dh", "lintian", "apt-get", "cc", "pkg-config", "man")
APT_ENV = {"DEBIAN_FRONTEND": "noninteractive"}
_state = {}


def can_run():
    return os.geteuid() == 0 and all(have(p) for p in NEEDED)


def why_not():
    if os.geteuid() != 0:
        return "needs root: it installs packages into the system (CI runs as root)"
    return "missing %s (scripts/setup-debian installs them)" % ", ".join(p for p in NEEDED if not have(p))


REASON = why_not()


def status(pkg):
    """dpkg's status of pkg: 'ii' installed, '' when dpkg knows nothing of it."""
    r = run("dpkg-query", ["-W", "-f=${db:Status-Abbrev}", pkg])
    return r.out.strip() if r.rc == 0 else ""


def purge():
    present = [p for p in PACKAGES if status(p) not in ("", "un", "pn")]
    if present:
        return run("apt-get", ["purge", "-y", "-q"] + present, env=APT_ENV, timeout=300)
    return None


def source_copy(dest):
    """The tree's files (tracked and new ones, as git sees them) in dest."""
    if os.path.isdir(os.path.join(SRCDIR, ".git")) or os.path.isfile(os.path.join(SRCDIR, ".git")):
        r = run("git", ["-C", SRCDIR, "ls-files", "-co", "--exclude-standard", "-z"])
        eq(r.rc, 0, "git ls-files")
        files = [f for f in r.out.split("\0") if f]
    else:
        files = []
        for d, dirs, names in os.walk(SRCDIR):
            dirs[:] = [x for x in dirs if not x.startswith("build") and x != "__pycache__"]
            files += [os.path.relpath(os.path.join(d, n), SRCDIR) for n in names]
    for rel in files:
        src = os.path.join(SRCDIR, rel)
        if os.path.isfile(src):
            os.makedirs(os.path.join(dest, os.path.dirname(rel)), exist_ok=True)
            shutil.copy2(src, os.path.join(dest, rel))


def packages():
    """Build the packages once: {package: .deb path}, and the .changes."""
    if "debs" not in _state:
        top = tempfile.mkdtemp(prefix="li-deb-")
        atexit.register(shutil.rmtree, top, True)
        src = os.path.join(top, "ldap-interrupt")
        source_copy(src)
        r = run("dpkg-buildpackage", ["-us", "-uc", "-b"], cwd=src, timeout=1200,
                env={"DEB_BUILD_OPTIONS": "parallel=2"})
        eq(r.rc, 0, "dpkg-buildpackage exit status")
        debs = {}
        for name in os.listdir(top):
            m = re.match(r"^([a-z0-9.+-]+)_([^_]+)_([a-z0-9]+)\.deb$", name)
            if m:
                debs[m.group(1)] = (os.path.join(top, name), m.group(2))
        changes = [n for n in os.listdir(top) if n.endswith(".changes")]
        eq(len(changes), 1, "one .changes")
        _state.update(debs=debs, changes=os.path.join(top, changes[0]), top=top)
    return _state["debs"]


def contents(pkg):
    r = run("dpkg-deb", ["-c", packages()[pkg][0]])
    eq(r.rc, 0, "dpkg-deb -c %s" % pkg)
    return [re.sub(r" -> .*$", "", line.split(None, 5)[5]).lstrip(".") for line in r.out.splitlines()]


@test(skip_unless=can_run, reason=REASON)
def the_three_packages_build_named_after_the_soname():
    debs = packages()
    version = project_version()
    for pkg in PACKAGES:
        ok(pkg in debs, "%s was built" % pkg)
        eq(debs[pkg][1], version, "%s's version is meson.build's" % pkg)
    # Debian names a shared library's package after its soname.
    r = run("dpkg-deb", ["-x", debs["libldapinterrupt2"][0], os.path.join(_state["top"], "x")])
    eq(r.rc, 0, "dpkg-deb -x")
    libs = [f for f in contents("libldapinterrupt2") if re.search(r"/libldapinterrupt\.so\.\d+$", f)]
    eq(len(libs), 1, "one soname link in libldapinterrupt2")
    r = run("objdump", ["-p", os.path.join(_state["top"], "x") + libs[0]])
    matches(r.out, r"SONAME\s+libldapinterrupt\.so\.2\n", "the library's soname is 2, as the package says")


@test(skip_unless=can_run, reason=REASON)
def each_package_holds_its_files():
    tools = contents("ldap-interrupt")
    for t in TOOLS:
        for f in ("/usr/bin/%s", "/usr/share/man/man1/%s.1.gz", "/usr/share/bash-completion/completions/%s",
                  "/usr/share/zsh/vendor-completions/_%s"):
            contains(tools, f % t, "ldap-interrupt")
    for schema in ("report", "error", "trace-event", "plan", "audit", "stats"):
        contains(tools, "/usr/share/ldap-interrupt/schema/%s.json" % schema, "ldap-interrupt (--json's schemas)")
    lib = contents("libldapinterrupt2")
    ok(any(re.match(r"^/usr/lib/[^/]+/libldapinterrupt\.so\.2\.\d+\.\d+$", f) for f in lib), "the library")
    eq([f for f in lib if f.endswith(".so") or "/include/" in f], [], "dev files in the runtime package")
    dev = contents("libldapinterrupt-dev")
    for want in (r"/usr/include/ldapinterrupt\.h", r"/usr/lib/[^/]+/libldapinterrupt\.so",
                 r"/usr/lib/[^/]+/pkgconfig/ldapinterrupt\.pc", r"/usr/share/man/man3/ldapinterrupt\.3\.gz",
                 r"/usr/share/doc/libldapinterrupt-dev/examples/cancel-search\.c"):
        ok(any(re.match("^%s$" % want, f) for f in dev), "libldapinterrupt-dev has %s" % want)


@test(skip_unless=can_run, reason=REASON)
def lintian_reports_no_error_and_no_warning():
    packages()
    r = run("lintian", ["--allow-root", _state["changes"]], timeout=600)
    tags = [l for l in r.out.splitlines() if re.match(r"^[EW]: ", l)]
    eq(tags, [], "lintian's errors and warnings")
    eq(r.rc, 0, "lintian exit status")


def install():
    if "installed" not in _state:
        debs = packages()
        purge()  # a package left by an earlier run that failed
        atexit.register(purge)
        r = run("apt-get", ["install", "-y", "-q", "--no-install-recommends"] + [debs[p][0] for p in PACKAGES],
                env=APT_ENV, timeout=600)
        eq(r.rc, 0, "apt-get install ./...deb exit status")
        for p in PACKAGES:
            eq(status(p), "ii", "%s is installed" % p)
        _state["installed"] = True


@test(skip_unless=can_run, reason=REASON)
def installed_tools_report_the_version_and_have_pages():
    install()
    version = project_version()
    for t in TOOLS:
        r = run("/usr/bin/" + t, ["--version"])
        eq(r.rc, 0, "%s --version exit status" % t)
        eq(r.out.splitlines()[0], "%s (ldap-interrupt) %s" % (t, version), "%s --version" % t)
        r = run("man", ["-w", t])
        eq((r.rc, r.out), (0, "/usr/share/man/man1/%s.1.gz\n" % t), "man -w %s" % t)
    r = run("man", ["-w", "3", "ldapinterrupt"])
    eq((r.rc, r.out), (0, "/usr/share/man/man3/ldapinterrupt.3.gz\n"), "man -w 3 ldapinterrupt")
    r = run("pkg-config", ["--modversion", "ldapinterrupt"])
    eq((r.rc, r.out), (0, version + "\n"), "pkg-config --modversion ldapinterrupt")


@test(skip_unless=lambda: can_run() and os.path.exists("/usr/share/bash-completion/bash_completion"),
      reason=REASON if not can_run() else "no bash-completion (scripts/setup-debian installs it)")
def installed_completion_loads_on_demand():
    install()
    # What bash does on the first Tab after ldapcancel: bash-completion
    # finds the file named after the command and loads it.
    script = ("source /usr/share/bash-completion/bash_completion; "
              "_completion_loader ldapcancel; complete -p ldapcancel")
    r = run("bash", ["--norc", "--noprofile", "-c", script])
    eq(r.out, "complete -F _ldapcancel ldapcancel\n", "ldapcancel's completion, loaded")


@test(skip_unless=can_run, reason=REASON)
def installed_tools_interrupt_a_search_on_the_test_slapd():
    install()
    s = slapd()
    args = ["-x", "-H", s.uri, "-b", s.people_base, "--after-entries", "5", "--json"]
    r = run("/usr/bin/ldapcancel", args, timeout=60)
    eq(r.rc, 0, "ldapcancel exit status")
    eq((r.json["outcome"], r.json["entries_before"]), ("canceled", 5), "ldapcancel outcome, entries before")
    r = run("/usr/bin/ldapabandon", args + ["--wait", "0"], timeout=60)
    eq((r.rc, r.json["outcome"]), (0, "abandoned"), "ldapabandon")
    r = run("/usr/bin/ldaptrace", ["-x", "-H", s.uri, "-b", s.people_base, "-s", "base"], timeout=60)
    eq(r.rc, 0, "ldaptrace exit status")
    matches(r.out, r"<- #\d+ SearchResultDone success \(0\)", "ldaptrace shows the search's end")


@test(skip_unless=can_run, reason=REASON)
def example_builds_against_the_installed_dev_package():
    install()
    with tempfile.TemporaryDirectory() as d:
        exe = os.path.join(d, "cancel-search")
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "ldapinterrupt"], stdout=subprocess.PIPE,
                               universal_newlines=True).stdout.split()
        r = run("cc", ["-std=c11", "-Wall", "-Werror",
                       "/usr/share/doc/libldapinterrupt-dev/examples/cancel-search.c", "-o", exe] + flags,
                timeout=120)
        eq((r.rc, r.err), (0, ""), "cc on the installed example")
        r = run("ldd", [exe])
        matches(r.out, r"libldapinterrupt\.so\.2 => (/usr)?/lib/[^/]+/libldapinterrupt\.so\.2 ",
                "the installed library")
        s = slapd()
        r = run(exe, [s.uri, s.people_base, "7"], timeout=60)
        eq(r.rc, 0, "the example's exit status")
        eq(r.out.splitlines()[0], "outcome: canceled", "the example's outcome")


@test(skip_unless=can_run, reason=REASON)
def purge_leaves_nothing_behind():
    install()
    files = []
    for p in PACKAGES:
        r = run("dpkg-query", ["-L", p])
        eq(r.rc, 0, "dpkg -L %s" % p)
        files += [f for f in r.out.splitlines() if f and not os.path.isdir(f)]
    gt(len(files), 15, "files the packages installed")
    r = purge()
    eq(r.rc, 0, "apt-get purge exit status")
    for p in PACKAGES:
        ok(status(p) in ("", "un", "pn"), "%s is purged (dpkg -l: %r)" % (p, status(p)))
    eq([f for f in files if os.path.lexists(f)], [], "files left")
    for d in ("/usr/share/doc/ldap-interrupt", "/usr/share/doc/libldapinterrupt2",
              "/usr/share/doc/libldapinterrupt-dev"):
        ok(not os.path.exists(d), "%s is gone" % d)


if __name__ == "__main__":
    tap_main()
