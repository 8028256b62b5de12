#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The licence: LICENSE is the one meson.build declares, every tracked
source file says so in an SPDX-License-Identifier line (scripts/spdx
--check), and scripts/spdx adds the line, in each file's comment syntax,
where it is missing, and only there.
"""

import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403

SPDX = os.path.join(SRCDIR, "scripts", "spdx")
LICENCES = {"BSD-2-Clause": "BSD 2-Clause License"}


def declared():
    with open(os.path.join(SRCDIR, "meson.build")) as f:
        m = re.search(r"project\([^)]*?license\s*:\s*'([^']+)'", f.read(), re.S)
    ok(m, "meson.build's project() declares a license")
    return m.group(1)


@test
def licence_file_is_the_declared_one():
    lic = declared()
    ok(lic in LICENCES, "a licence this test knows: %s" % lic)
    with open(os.path.join(SRCDIR, "LICENSE")) as f:
        eq(f.readline().strip(), LICENCES[lic], "LICENSE's title")


@test(skip_unless=lambda: have("git") and os.path.exists(os.path.join(SRCDIR, ".git")),
      reason="not a git checkout (a release tarball): the tracked files are unknown")
def every_tracked_source_file_has_the_line():
    r = run("python3", [SPDX, "--check"])
    eq(r.err, "", "files without the line")
    eq(r.rc, 0, "scripts/spdx --check exit status")


FILES = {
    "a.c": "/* A module. */\nint a;\n",
    "t.py": "#!/usr/bin/python3\nprint(1)\n",
    "man/x.1.in": ".TH X 1\n",
    "scripts/go": "#!/bin/sh\nexit 0\n",
    "notes.md": "# Notes\n",
    "done.h": "/* SPDX-License-Identifier: BSD-2-Clause */\nint d;\n",
}
WANT = {
    "a.c": "/* SPDX-License-Identifier: BSD-2-Clause */\n/* A module. */\nint a;\n",
    "t.py": "#!/usr/bin/python3\n# SPDX-License-Identifier: BSD-2-Clause\nprint(1)\n",
    "man/x.1.in": '.\\" SPDX-License-Identifier: BSD-2-Clause\n.TH X 1\n',
    "scripts/go": "#!/bin/sh\n# SPDX-License-Identifier: BSD-2-Clause\nexit 0\n",
    "notes.md": "# Notes\n",
    "done.h": FILES["done.h"],
}


@test(skip_unless=lambda: have("git"), reason="no git")
def spdx_adds_the_line_where_missing_and_only_once():
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "man"))
        os.makedirs(os.path.join(root, "scripts"))
        shutil.copy(SPDX, os.path.join(root, "scripts", "spdx"))
        with open(os.path.join(root, "meson.build"), "w") as f:
            f.write("# SPDX-License-Identifier: BSD-2-Clause\nproject('x', 'c', license : 'BSD-2-Clause')\n")
        for rel, text in FILES.items():
            with open(os.path.join(root, rel), "w") as f:
                f.write(text)
        with open(os.path.join(root, "untracked.c"), "w") as f:
            f.write("int u;\n")
        r = run("git", ["init", "-q", root])
        eq(r.rc, 0, "git init")
        r = run("git", ["-C", root, "add", "meson.build", "scripts/spdx"] + sorted(FILES))
        eq(r.rc, 0, "git add")
        tool = os.path.join(root, "scripts", "spdx")
        r = run("python3", [tool, "--check"])
        eq(r.rc, 1, "--check exit status with files missing the line")
        eq(sorted(r.err.splitlines()),
           ["spdx: %s: no SPDX-License-Identifier: line (run scripts/spdx)" % p
            for p in ("a.c", "man/x.1.in", "scripts/go", "t.py")], "--check names each")
        r = run("python3", [tool])
        eq(r.rc, 0, "spdx exit status")
        eq(sorted(r.out.splitlines()), ["spdx: added to %s" % p for p in
                                        ("a.c", "man/x.1.in", "scripts/go", "t.py")], "what it says it did")
        for rel, want in WANT.items():
            with open(os.path.join(root, rel)) as f:
                eq(f.read(), want, rel)
        with open(os.path.join(root, "untracked.c")) as f:
            eq(f.read(), "int u;\n", "an untracked file is left alone")
        r = run("python3", [tool])
        eq((r.rc, r.out), (0, ""), "a second run changes nothing")
        r = run("python3", [tool, "--check"])
        eq((r.rc, r.err), (0, ""), "--check after the run")


if __name__ == "__main__":
    tap_main()
