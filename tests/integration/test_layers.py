#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""lib/ is layered and cmd/ uses only its public header.

Reading every lib/**/*.c and *.h (and cmd/**/*.c and *.h) for their
#include lines, each file belongs to a module (its folder and its name
without the extension) and each module to a layer, bottom up util < wire <
engine < audit < relay < render (lib/meson.build). It fails, naming the file and line:
  * a module that includes a header of a higher layer;
  * two modules that include each other, directly or through a cycle;
  * a header without a .c file of the same name in its folder (one header
    per module), except the public header and the header-only modules of
    HEADER_ONLY;
  * a function a .c file exports that neither its own header nor the
    public header declares (a module declaring another's functions hides
    the dependency from the includes: conn.c and op.c once implemented
    what run.h declared, and run.c called them);
  * a quoted include that names no header of lib/ (the include folders are
    flat, so a name must also be unique across them);
  * lib/ including popt.h or anything from cmd/;
  * cmd/ including any header of lib/ but ldapinterrupt.h.
The checker is run on a copy broken on purpose first, once for each rule,
so that it is known to be able to fail.
"""

import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403

LAYERS = ("util", "wire", "engine", "audit", "relay", "render")
PUBLIC = "ldapinterrupt.h"
# Modules that are only a header: constants and types, no code.
HEADER_ONLY = {"util/parse.h", "engine/params.h"}
FORBIDDEN_IN_LIB = {"popt.h"}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
# The start of a function definition that is not static, at column 0.
DEFINITION = re.compile(r'^(?!static\b|typedef\b|struct\b|extern\b|#)[A-Za-z_][\w \*]*?\b(\w+)\s*\(')


def sources(root, top):
    """Every .c and .h under root/top, as paths relative to root, sorted."""
    found = []
    for d, _, files in os.walk(os.path.join(root, top)):
        for f in files:
            if f.endswith((".c", ".h")):
                found.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(found)


def includes(root, path):
    """(line number, quoted?, name) of each #include of root/path."""
    out = []
    with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                out.append((n, m.group(1) == '"', m.group(2)))
    return out


def module_of(path):
    """lib/engine/run.c -> ("engine", "engine/run"); the public header -> (None, PUBLIC)."""
    parts = path.split(os.sep)
    if parts == ["lib", PUBLIC]:
        return None, PUBLIC
    if len(parts) != 3 or parts[1] not in LAYERS:
        return "?", path
    return parts[1], parts[1] + "/" + os.path.splitext(parts[2])[0]


def find_cycles(edges):
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, comps = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return comps


def check(root):
    """Every breach of the rules in the tree at root, as "file:line: what"."""
    problems = []
    lib = sources(root, "lib")
    cmd = sources(root, "cmd")
    headers = {}  # basename -> lib path
    for p in lib:
        if p.endswith(".h"):
            name = os.path.basename(p)
            if name in headers:
                problems.append("%s:1: %s is also %s: an include of it is ambiguous" % (p, name, headers[name]))
            headers[name] = p
    cmd_headers = {os.path.basename(p) for p in cmd if p.endswith(".h")}

    for p in lib:
        layer, mod = module_of(p)
        if layer == "?":
            problems.append("%s:1: not in a layer's folder (%s)" % (p, ", ".join(LAYERS)))
            continue
        if p.endswith(".h") and layer is not None and p[len("lib/"):] not in HEADER_ONLY:
            if not os.path.exists(os.path.join(root, p[:-2] + ".c")):
                problems.append("%s:1: a header without %s.c: one header per module, named as its file"
                                % (p, os.path.basename(p)[:-2]))

    with open(os.path.join(root, "lib", PUBLIC), encoding="utf-8", errors="replace") as f:
        public = f.read()
    for p in lib:
        if not p.endswith(".c") or module_of(p)[0] == "?":
            continue
        own = os.path.join(root, p[:-2] + ".h")
        own = open(own, encoding="utf-8", errors="replace").read() if os.path.exists(own) else ""
        with open(os.path.join(root, p), encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                m = DEFINITION.match(line)
                if not m or line.rstrip().endswith(";"):
                    continue
                declared = re.compile(r"\b%s\s*\(" % re.escape(m.group(1)))
                if not declared.search(own) and not declared.search(public):
                    problems.append("%s:%d: %s is declared neither in %s nor in %s"
                                    % (p, n, m.group(1), os.path.basename(p)[:-2] + ".h", PUBLIC))

    edges, where = {}, {}
    for p in lib:
        layer, mod = module_of(p)
        if layer == "?":
            continue
        for n, quoted, name in includes(root, p):
            at = "%s:%d" % (p, n)
            if os.path.basename(name) in FORBIDDEN_IN_LIB:
                problems.append("%s: includes %s: the library knows no command line" % (at, name))
                continue
            if name.startswith("cmd/") or name.startswith("common/") or (name in cmd_headers and
                                                                          name not in headers):
                problems.append("%s: includes %s from cmd/: the library cannot use its tools" % (at, name))
                continue
            if not quoted:
                continue
            target = headers.get(name)
            if target is None:
                problems.append("%s: includes \"%s\", which is no header of lib/" % (at, name))
                continue
            tlayer, tmod = module_of(target)
            if tmod == mod or tlayer is None:
                continue
            if layer is None:
                problems.append("%s: the public header includes %s: it must stand alone" % (at, name))
                continue
            if LAYERS.index(tlayer) > LAYERS.index(layer):
                problems.append("%s: %s (%s) includes %s of the higher layer %s" % (at, mod, layer, name, tlayer))
            edges.setdefault(mod, set()).add(tmod)
            where.setdefault((mod, tmod), at)

    for comp in find_cycles(edges):
        members = set(comp)
        lines = ["%s includes %s" % (where[(a, b)], b) for a in comp for b in sorted(edges.get(a, ()))
                 if b in members]
        problems.append("%s: modules in a cycle: %s (%s)" % (lines[0].split(" ")[0], " <-> ".join(comp),
                                                            "; ".join(lines)))

    for p in cmd:
        for n, quoted, name in includes(root, p):
            base = os.path.basename(name)
            # <json-c/json.h> is the system's, whatever lib/ names its own json.h
            if not quoted and os.path.dirname(name) and os.path.dirname(name).split("/")[0] not in LAYERS:
                continue
            if base in headers and base != PUBLIC and not (quoted and os.path.exists(
                    os.path.join(root, os.path.dirname(p), name))):
                problems.append("%s:%d: includes %s, a header inside lib/: cmd/ uses only %s"
                                % (p, n, name, PUBLIC))
    return problems


def copy_tree():
    d = tempfile.mkdtemp(prefix="li-layers-")
    for top in ("lib", "cmd"):
        shutil.copytree(os.path.join(SRCDIR, top), os.path.join(d, top))
    return d


def add_line(root, path, line, after_first_include=True):
    full = os.path.join(root, path)
    with open(full) as f:
        text = f.read()
    i = text.index("#include") if after_first_include else 0
    with open(full, "w") as f:
        f.write(text[:i] + line + "\n" + text[i:])


def replace(root, path, old, new):
    full = os.path.join(root, path)
    with open(full) as f:
        text = f.read()
    if old not in text:
        fail("%s no longer has %r to break" % (path, old))
    with open(full, "w") as f:
        f.write(text.replace(old, new, 1))


# Each deliberate breach, and what check() must then say about it.
BREACHES = [
    ("a lower layer includes a higher one", lambda r: add_line(r, "lib/util/buf.c", '#include "report.h"'),
     r"^lib/util/buf\.c:\d+: util/buf \(util\) includes report\.h of the higher layer render$"),
    ("two modules include each other", lambda r: add_line(r, "lib/engine/controls.c", '#include "ldifrecord.h"'),
     r"^lib/engine/\w+\.[ch]:\d+: modules in a cycle: engine/controls <-> engine/ldifrecord "),
    ("a cycle through three modules",
     lambda r: (add_line(r, "lib/engine/controls.c", '#include "outcome.h"'),
                add_line(r, "lib/engine/outcome.c", '#include "config.h"')),
     r"modules in a cycle: engine/config <-> engine/controls <-> engine/ldifrecord <-> engine/outcome "),
    ("a header without its .c", lambda r: open(os.path.join(r, "lib/engine/orphan.h"), "w").close(),
     r"^lib/engine/orphan\.h:1: a header without orphan\.c"),
    ("a function declared in another module's header",
     lambda r: (replace(r, "lib/engine/op.h", "const char *li_op_type(const li_params *cfg);\n", ""),
                replace(r, "lib/engine/run.h", "#endif", "const char *li_op_type(const li_params *cfg);\n#endif")),
     r"^lib/engine/op\.c:\d+: li_op_type is declared neither in op\.h nor in ldapinterrupt\.h$"),
    ("lib/ includes popt.h", lambda r: add_line(r, "lib/engine/op.c", "#include <popt.h>"),
     r"^lib/engine/op\.c:\d+: includes popt\.h"),
    ("lib/ includes from cmd/", lambda r: add_line(r, "lib/engine/run.c", '#include "tool.h"'),
     r"^lib/engine/run\.c:\d+: includes tool\.h from cmd/"),
    ("cmd/ includes an internal header", lambda r: add_line(r, "cmd/common/tool.c", '#include "run.h"'),
     r"^cmd/common/tool\.c:\d+: includes run\.h, a header inside lib/"),
    ("the public header includes an internal one", lambda r: add_line(r, "lib/ldapinterrupt.h", '#include "buf.h"'),
     r"^lib/ldapinterrupt\.h:\d+: the public header includes buf\.h"),
]


@test
def the_checker_fails_on_a_broken_copy():
    intact = copy_tree()
    try:
        eq(check(intact), [], "problems in an unmodified copy")
    finally:
        shutil.rmtree(intact)
    for what, breach, expect in BREACHES:
        root = copy_tree()
        try:
            breach(root)
            problems = check(root)
            ok(any(re.search(expect, p) for p in problems),
               "%s: a problem matching %r among %r" % (what, expect, problems))
        finally:
            shutil.rmtree(root)


@test
def lib_is_layered_without_cycles():
    problems = [p for p in check(SRCDIR) if not p.startswith("cmd/")]
    eq(problems, [], "layering problems in lib/")


@test
def cmd_includes_only_the_public_header():
    problems = [p for p in check(SRCDIR) if p.startswith("cmd/")]
    eq(problems, [], "cmd/ including lib/'s internals")


if __name__ == "__main__":
    tap_main()
