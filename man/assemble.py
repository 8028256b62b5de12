#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""assemble.py - build one man page from a template and shared include files.

    assemble.py [-D NAME=VALUE]... [-I DIR]... [--depfile FILE] -o PAGE TEMPLATE

TEMPLATE is roff (man(7)) named <tool>.<section>.in, e.g. ldapcancel.1.in.
Directives are roff comment lines, so a template or an include file still
renders (without the shared text) when read as it is:

    .\\" @include FILE        the lines of FILE (relative to the file that
                             names it, else to each -I DIR in turn: where
                             generated parts are), directives applied;
                             may nest
    .\\" @define NAME VALUE   @NAME@ expands to VALUE from here on
    .\\" @if TOOL...          keep what follows only on the pages of these
    .\\" @else                tools (the page's name before the section);
    .\\" @endif               may nest

@NAME@ is replaced everywhere (in included text too).  Predefined: @TOOL@
(ldapcancel), @SECTION@ (1), @PAGE@ (ldapcancel.1); -D adds more (meson
passes VERSION and DATE).  An undefined @NAME@, an unknown directive, an
unbalanced @if, a missing or recursive include are errors: the page is
never written half-assembled.

--depfile writes a Makefile-style dependency list (the template and every
file it included) so that meson rebuilds the page when an include changes.
"""

import argparse
import os
import re
import sys

DIRECTIVE = re.compile(r'^\.\s*\\"\s*@(\w+)\b\s*(.*?)\s*$')
VARIABLE = re.compile(r"@([A-Z][A-Z0-9_]*)@")
MAX_DEPTH = 10


class AssembleError(Exception):
    pass


class Assembler:
    def __init__(self, tool, variables, include_dirs=()):
        self.tool = tool
        self.vars = dict(variables)
        self.include_dirs = list(include_dirs)
        self.files = []

    def find(self, name, path):
        """An include named in path: beside it, else in an -I directory."""
        here = os.path.join(os.path.dirname(path), name)
        if os.path.exists(here) or os.path.isabs(name):
            return here
        for d in self.include_dirs:
            if os.path.exists(os.path.join(d, name)):
                return os.path.join(d, name)
        return here

    def expand(self, line, where):
        def sub(m):
            name = m.group(1)
            if name not in self.vars:
                raise AssembleError("%s: @%s@ is not defined" % (where, name))
            return self.vars[name]
        return VARIABLE.sub(sub, line)

    def read(self, path, stack, named_at=None):
        real = os.path.realpath(path)
        if real in stack:
            raise AssembleError("%s: includes itself (via %s)" % (path, " -> ".join(stack)))
        if len(stack) >= MAX_DEPTH:
            raise AssembleError("%s: includes nested too deep" % path)
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError as e:
            raise AssembleError("%scannot read %s: %s" % (named_at + ": " if named_at else "", path, e.strerror))
        if real not in self.files:
            self.files.append(real)
        out = []
        conds = []  # [(keep, seen_else, lineno)] for each open @if
        for n, line in enumerate(lines, 1):
            where = "%s:%d" % (path, n)
            keep = all(c[0] for c in conds)
            m = DIRECTIVE.match(line)
            if m:
                word, arg = m.group(1), m.group(2)
                if word == "if":
                    if not arg:
                        raise AssembleError("%s: @if needs tool names" % where)
                    conds.append([self.tool in arg.split(), False, n])
                elif word == "else":
                    if not conds or conds[-1][1]:
                        raise AssembleError("%s: @else without @if" % where)
                    conds[-1][0] = not conds[-1][0]
                    conds[-1][1] = True
                elif word == "endif":
                    if not conds:
                        raise AssembleError("%s: @endif without @if" % where)
                    conds.pop()
                elif word == "include":
                    if not arg:
                        raise AssembleError("%s: @include needs a file name" % where)
                    if keep:
                        inc = self.find(self.expand(arg, where), path)
                        out.extend(self.read(inc, stack + [real], where))
                elif word == "define":
                    parts = arg.split(None, 1)
                    if not parts or not re.fullmatch(r"[A-Z][A-Z0-9_]*", parts[0]):
                        raise AssembleError("%s: @define NAME VALUE (NAME in capitals)" % where)
                    if keep:
                        self.vars[parts[0]] = self.expand(parts[1] if len(parts) > 1 else "", where)
                else:
                    raise AssembleError("%s: unknown directive @%s" % (where, word))
                continue
            if keep:
                out.append(self.expand(line, where))
        if conds:
            raise AssembleError("%s:%d: @if without @endif" % (path, conds[-1][2]))
        return out


def page_name(template):
    base = os.path.basename(template)
    if not base.endswith(".in"):
        raise AssembleError("%s: a template is named <tool>.<section>.in" % template)
    page = base[:-3]
    tool, dot, section = page.rpartition(".")
    if not dot or not tool or not section:
        raise AssembleError("%s: a template is named <tool>.<section>.in" % template)
    return page, tool, section


def make_escape(path):
    return path.replace("$", "$$").replace(" ", "\\ ").replace("#", "\\#")


def main(argv=None):
    ap = argparse.ArgumentParser(description="Assemble a man page from a template and include files.")
    ap.add_argument("-o", "--output", required=True, help="the page to write")
    ap.add_argument("-D", "--define", action="append", default=[], metavar="NAME=VALUE",
                    help="define @NAME@ (repeatable)")
    ap.add_argument("-I", "--include-dir", action="append", default=[], metavar="DIR",
                    help="look here for an include not found beside the file naming it (repeatable)")
    ap.add_argument("--depfile", help="write a Makefile dependency list here")
    ap.add_argument("template")
    args = ap.parse_args(argv)
    try:
        page, tool, section = page_name(args.template)
        variables = {"TOOL": tool, "SECTION": section, "PAGE": page}
        for d in args.define:
            name, eq, value = d.partition("=")
            if not eq or not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
                raise AssembleError("-D %s: expected NAME=VALUE (NAME in capitals)" % d)
            variables[name] = value
        asm = Assembler(tool, variables, args.include_dir)
        lines = asm.read(args.template, [])
    except AssembleError as e:
        sys.stderr.write("assemble.py: %s\n" % e)
        return 1
    header = ('.\\" %s: generated by man/assemble.py from %s and the files it includes;\n'
              '.\\" edit those, not this file.\n' % (page, os.path.basename(args.template)))
    # A preprocessor hint ('\" t for tbl) must stay the first line.
    if lines and lines[0].startswith("'\\\""):
        text = lines[0] + "\n" + header + "\n".join(lines[1:]) + "\n"
    else:
        text = header + "\n".join(lines) + "\n"
    tmp = args.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, args.output)
    if args.depfile:
        with open(args.depfile, "w", encoding="utf-8") as f:
            f.write("%s: %s\n" % (make_escape(args.output), " ".join(make_escape(p) for p in asm.files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
