#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""optgen.py - write the tools' popt tables and the man pages' OPTIONS
section from the one description of every option (cmd/common/options.txt).

    optgen.py [--c FILE] [--man FILE] DESCRIPTION

--c writes C: one popt table per --help group and, for each tool, the
table of its groups with their headings (popt's help table last), and
tool_options(name), which cmd/common/tool.c calls to get a tool's table.

--man writes a part for man/assemble.py: a .SS per group, a .TP per
option tagged as --help shows it, then the option's man text.  Options and
groups for some tools only are wrapped in `.\\" @if TOOL...`.

DESCRIPTION documents its own format in its opening comment.  Anything
wrong in it (an unknown key, a name given twice, a missing help line, a
blank line in the man text...) is an error naming the line, and nothing is
written.  Run by meson (cmd/meson.build, man/meson.build);
tests/integration/test_docs.py runs it again to check that the build's
copies are current.
"""

import argparse
import os
import re
import sys

RECORD = re.compile(r"^== (group|option)(?: (.*))?$")
FIELD = re.compile(r"^([a-z]+):\s*(.*)$")
GROUP_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
TOOL_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
SHORT = re.compile(r"^-([A-Za-z0-9?])$")
LONG = re.compile(r"^--([a-z0-9][a-z0-9-]*)$")
ARG = re.compile(r"^[^\s\"\\]+$")
FIELDS = {"file": {"tools"},
          "group": {"heading", "tools", "table"},
          "option": {"arg", "help", "tools", "values"}}
# values: what shell completion offers for an option's argument
# (cmd/common/compgen.py): words, or one of these
VALUE_WORD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/=-]*$")
VALUE_KINDS = {"@files", "@uris"}


class DescError(Exception):
    pass


class Record:
    def __init__(self, kind, head, where):
        self.kind = kind
        self.head = head
        self.where = where
        self.fields = {}
        self.man = []
        self.tools = None  # None: every tool
        self.options = []  # a group's
        self.group = None  # an option's
        self.short = None
        self.long = None
        self.values = None  # an option's: values: (words, or @files / @uris)


def parse_fields(rec, lines, path):
    """key: value lines (a value may go on over indented lines)."""
    last = None
    for n, line in lines:
        where = "%s:%d" % (path, n)
        if line.startswith("#"):
            continue
        if line[:1].isspace():
            if last is None:
                raise DescError("%s: a continuation line with no key before it" % where)
            rec.fields[last] += " " + line.strip()
            continue
        m = FIELD.match(line)
        if not m:
            raise DescError("%s: expected 'key: value', got %r" % (where, line))
        key, value = m.group(1), m.group(2).strip()
        if key not in FIELDS[rec.kind]:
            raise DescError("%s: %s has no key %r (known: %s)"
                            % (where, rec.kind, key, ", ".join(sorted(FIELDS[rec.kind]))))
        if key in rec.fields:
            raise DescError("%s: %r given twice" % (where, key))
        rec.fields[key] = value
        last = key


def split_records(path, text):
    """The file's own fields, then each record with its fields and man text."""
    chunks = [["file", None, 0, []]]
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("=="):
            m = RECORD.match(line)
            if not m or not m.group(2):
                raise DescError("%s:%d: expected '== group NAME' or '== option NAMES'" % (path, n))
            chunks.append([m.group(1), m.group(2).strip(), n, []])
        else:
            chunks[-1][3].append((n, line))
    records = []
    for kind, head, n, lines in chunks:
        rec = Record(kind, head, "%s:%d" % (path, n))
        if kind == "file":
            parse_fields(rec, [(i, l) for i, l in lines if l.strip()], path)
            records.append(rec)
            continue
        while lines and lines[-1][1].strip() == "":
            lines.pop()
        end = next((i for i, (_, l) in enumerate(lines) if l.strip() == ""), len(lines))
        parse_fields(rec, lines[:end], path)
        for i, line in lines[end + 1:]:
            if line.strip() == "":
                raise DescError("%s:%d: a blank line in man text (roff makes it a paragraph break: use .PP)"
                                % (path, i))
            rec.man.append(line)
        records.append(rec)
    return records


def tools_of(rec, all_tools):
    if "tools" not in rec.fields:
        return None
    names = rec.fields["tools"].split()
    unknown = [t for t in names if t not in all_tools]
    if not names or unknown:
        raise DescError("%s: tools: %s is not among the tools (%s)"
                        % (rec.where, " ".join(unknown) or "(none)", " ".join(all_tools)))
    return None if set(names) == set(all_tools) else [t for t in all_tools if t in names]


def check_text(rec, key):
    value = rec.fields.get(key)
    if value is not None and not all(" " <= c <= "~" for c in value):
        raise DescError("%s: %s: printable ASCII only" % (rec.where, key))
    return value


def load(path):
    """([tools], [groups]) from the description, every rule checked."""
    with open(path, encoding="utf-8") as f:
        records = split_records(path, f.read())
    head = records[0]
    all_tools = head.fields.get("tools", "").split()
    if not all_tools or not all(TOOL_NAME.match(t) for t in all_tools):
        raise DescError("%s: the file starts with 'tools: NAME...' (the tools)" % path)
    groups, names, vals = [], {}, {}
    for rec in records[1:]:
        rec.tools = tools_of(rec, all_tools)
        if rec.kind == "group":
            if not GROUP_NAME.match(rec.head) or any(g.head == rec.head for g in groups):
                raise DescError("%s: a group needs a new name in [a-z0-9_]" % rec.where)
            if not check_text(rec, "heading"):
                raise DescError("%s: group %s has no heading" % (rec.where, rec.head))
            if rec.fields.get("table", "poptHelpOptions") != "poptHelpOptions":
                raise DescError("%s: table: only poptHelpOptions is known" % rec.where)
            groups.append(rec)
            continue
        if not groups:
            raise DescError("%s: an option before the first group" % rec.where)
        group = groups[-1]
        rec.group = group
        for name in rec.head.split():
            ms, ml = SHORT.match(name), LONG.match(name)
            if ms and rec.short is None and rec.long is None:
                rec.short = ms.group(1)
            elif ml and rec.long is None:
                rec.long = ml.group(1)
            else:
                raise DescError("%s: %r: expected -x, --long or -x --long" % (rec.where, name))
            if name in names:
                raise DescError("%s: %s is already described at %s" % (rec.where, name, names[name]))
            names[name] = rec.where
        if rec.tools is not None and group.tools is not None and not set(rec.tools) <= set(group.tools):
            raise DescError("%s: tools: the group %s is only for %s" % (rec.where, group.head,
                                                                    " ".join(group.tools)))
        if rec.tools is None:
            rec.tools = group.tools
        arg = check_text(rec, "arg")
        if arg is not None and not ARG.match(arg):
            raise DescError("%s: arg: one word, without quotes or backslashes" % rec.where)
        check_values(rec)
        if not rec.man:
            raise DescError("%s: %s has no man text" % (rec.where, rec.head))
        if "table" not in group.fields:
            if not check_text(rec, "help"):
                raise DescError("%s: %s has no help line" % (rec.where, rec.head))
            if rec.short == "?":
                raise DescError("%s: -? is popt's" % rec.where)
            code = val_code(rec)
            if code in vals:
                raise DescError("%s: val code %s is already %s's" % (rec.where, code, vals[code]))
            vals[code] = rec.head
        group.options.append(rec)
    if not groups:
        raise DescError("%s: no groups" % path)
    return all_tools, groups


def check_values(rec):
    """values: WORD... of an option with an argument: distinct words
    (sync=ro; one ending with '=' waits for the rest), or @files or @uris
    alone."""
    if "values" not in rec.fields:
        rec.values = None
        return
    words = rec.fields["values"].split()
    if "arg" not in rec.fields:
        raise DescError("%s: values: %s takes no argument" % (rec.where, rec.head))
    if len(words) == 1 and words[0] in VALUE_KINDS:
        rec.values = words
        return
    bad = [w for w in words if not VALUE_WORD.match(w)]
    if not words or bad or len(set(words)) != len(words):
        raise DescError("%s: values: distinct words in [A-Za-z0-9._/=-], "
                        "or one of %s alone" % (rec.where, ", ".join(sorted(VALUE_KINDS))))
    rec.values = words


def val_code(opt):
    if opt.short:
        return "'%s'" % opt.short
    return "LI_OPT_" + opt.long.upper().replace("-", "_")


# --------------------------------------------------------------------------
# C

def c_string(s):
    return "NULL" if s is None else '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def c_ident(s):
    return re.sub(r"[^A-Za-z0-9_]", "_", s)


def for_tool(rec, tool):
    return rec.tools is None or tool in rec.tools


def c_group_tables(group, tools):
    """{tool: table name} and the C of the group's option tables: one for
    every tool unless some option is for some tools only."""
    if "table" in group.fields:
        return {t: group.fields["table"] for t in tools}, []
    split = any(o.tools != group.tools for o in group.options)
    names, out = {}, []
    for tool in tools if split else [None]:
        name = "opt_" + group.head + ("_" + c_ident(tool) if tool else "")
        out.append("static const struct poptOption %s[] = {" % name)
        for o in group.options:
            if tool is None or for_tool(o, tool):
                kind = "POPT_ARG_STRING" if "arg" in o.fields else "POPT_ARG_NONE"
                out.append("\t{ %s, '%s', %s, NULL, %s, %s, %s },"
                           % (c_string(o.long), o.short or "\\0", kind, val_code(o),
                              c_string(o.fields["help"]), c_string(o.fields.get("arg"))))
        out += ["\tPOPT_TABLEEND", "};", ""]
        # A split group's table is its tool's own; else every tool's.
        for t in [tool] if tool else tools:
            names[t] = name
    return names, out


def write_c(source, tools, groups):
    out = ["/* popt-tables.c: generated by cmd/common/optgen.py from cmd/%s; edit that," % os.path.basename(source),
           " * not this file. */",
           "#include <stddef.h>",
           "#include <string.h>",
           "",
           "#include <popt.h>",
           "",
           "#include <ldapinterrupt.h>",
           "",
           '#include "common/tool.h"',
           ""]
    tables = []
    for g in groups:
        names, c = c_group_tables(g, tools)
        out += c
        tables.append((g, names))
    for tool in tools:
        out.append("static const struct poptOption %s_options[] = {" % c_ident(tool))
        for g, names in tables:
            if for_tool(g, tool) and any(for_tool(o, tool) for o in g.options):
                out.append("\t{ NULL, '\\0', POPT_ARG_INCLUDE_TABLE, (void *)%s, 0, %s, NULL },"
                           % (names[tool], c_string(g.fields["heading"] + ":")))
        out += ["\tPOPT_TABLEEND", "};", ""]
    out += ["const struct poptOption *tool_options(const char *tool)", "{"]
    for tool in tools:
        out += ["\tif (strcmp(tool, %s) == 0)" % c_string(tool),
                "\t\treturn %s_options;" % c_ident(tool)]
    out += ["\treturn NULL;", "}"]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------
# man

def roff(s):
    return s.replace("\\", "\\e").replace("-", "\\-")


def man_tag(o):
    """The .TP tag, as --help shows the option: -H URI, --op=TYPE, -V, --version."""
    short = "\\-" + o.short if o.short else None
    long = "\\-\\-" + roff(o.long) if o.long else None
    arg = o.fields.get("arg")
    if arg is None:
        return ".BR %s \", \" %s" % (short, long) if short and long else ".B " + (short or long)
    arg = roff(arg)
    if short and long:
        return '.BI "%s, %s=" %s' % (short, long, arg)
    if short:
        return '.BI "%s " %s' % (short, arg)
    return ".BI %s= %s" % (long, arg)


def if_tools(rec, parent_tools, lines):
    if rec.tools is None or rec.tools == parent_tools:
        return lines
    return ['.\\" @if ' + " ".join(rec.tools)] + lines + ['.\\" @endif']


def write_man(source, tools, groups):
    out = ['.\\" options.man: generated by cmd/common/optgen.py from cmd/%s; edit that,' % os.path.basename(source),
           '.\\" not this file.  One .SS per --help group, one .TP per option, tagged',
           '.\\" as --help shows it.']
    for g in groups:
        lines = ['.SS "%s"' % g.fields["heading"]] + g.man
        for o in g.options:
            lines += if_tools(o, g.tools, [".TP", man_tag(o)] + o.man)
        out += if_tools(g, None, lines)
    return "\n".join(out) + "\n"


def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write the popt tables and the man pages' OPTIONS section "
                                 "from the description of every option.")
    ap.add_argument("--c", metavar="FILE", help="write the popt tables (C) here")
    ap.add_argument("--man", metavar="FILE", help="write the man part here")
    ap.add_argument("description")
    args = ap.parse_args(argv)
    if not args.c and not args.man:
        ap.error("nothing to write: give --c, --man or both")
    try:
        tools, groups = load(args.description)
        texts = [(args.c, write_c(args.description, tools, groups)),
                 (args.man, write_man(args.description, tools, groups))]
    except DescError as e:
        sys.stderr.write("optgen.py: %s\n" % e)
        return 1
    except OSError as e:
        sys.stderr.write("optgen.py: %s: %s\n" % (e.filename, e.strerror))
        return 1
    for path, text in texts:
        if path:
            write(path, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
