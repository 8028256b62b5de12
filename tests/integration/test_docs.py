#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The man pages agree with the tools.

Every option is described once, in cmd/common/options.txt; cmd/common/optgen.py writes
from it both the popt tables (<builddir>/cmd/popt-tables.c: --help) and the
man pages' OPTIONS section (<builddir>/man/options.man).  Here:
  * the build's generated files are what the generator writes from the
    description now (none is stale or edited by hand), every option's val
    code has its case in lib/engine/options.c, and a broken description is an
    error naming its line, with nothing written;

For ldapcancel and ldapabandon (and ldaptrace, once it is built and its page
assembled), reading the assembled page in $LI_BUILDDIR/man:
  * OPTIONS documents exactly the options of --help: every -X letter and
    --long name, with the same argument name, under an .SS heading named as
    the --help group it is in;
  * OUTCOMES has an entry "name (exit status N)" for every outcome the tool
    can print, and none it cannot; EXIT STATUS lists each status;
  * every JSON key the tool prints, in a few real runs against the fixture
    slapd and the fault server, is a .TP/.TQ tag (its full dotted path) of
    the OUTPUT section;
  * the page renders without groff warnings, lexgrog reads its NAME, and
    no assembly directive or @VARIABLE@ is left in it.

The library's page, ldapinterrupt.3, names every symbol that
lib/libldapinterrupt.map exports, and renders as cleanly.
"""

import difflib
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import OUTCOME_EXIT, anon  # noqa: E402

MAN_DIR = os.path.join(BUILDDIR, "man")

# What each tool can print, and the exit status of each outcome; None: the status is the operation's own result code.
CANCEL_OUTCOMES = ("canceled", "too-late", "no-such-operation", "cannot-cancel", "unsupported",
                   "no-response", "connection-lost", "self-target")
ABANDON_OUTCOMES = ("abandoned", "too-late", "no-response", "connection-lost", "self-target")
OUTCOMES = {
    "ldapcancel": dict({o: OUTCOME_EXIT[o] for o in CANCEL_OUTCOMES}, failed=None),
    "ldapabandon": dict({o: OUTCOME_EXIT[o] for o in ABANDON_OUTCOMES}, failed=None),
    "ldaptrace": dict({o: OUTCOME_EXIT[o] for o in CANCEL_OUTCOMES + ABANDON_OUTCOMES},
                      completed=None, failed=None, stopped=130),
}


# The library's page, in section 3; every other page is a tool's.
LIBRARY = "ldapinterrupt"
TOOL_SECTIONS = ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "OUTCOMES", "EXIT STATUS", "OUTPUT",
                 "ENVIRONMENT", "FILES", "EXAMPLES", "NOTES", "SEE ALSO")
LIBRARY_SECTIONS = ("NAME", "SYNOPSIS", "DESCRIPTION", "RETURN VALUE", "EXAMPLES", "SEE ALSO")


def page_section(tool):
    return "3" if tool == LIBRARY else "1"


def page_path(tool):
    return os.path.join(MAN_DIR, tool + "." + page_section(tool))


def have_page(tool):
    return built(tool) and os.path.exists(page_path(tool))


# --------------------------------------------------------------------------
# a little roff reader: enough for man(7) pages as ours are written

SPECIAL = {"aq": "'", "lq": '"', "rq": '"', "dq": '"', "oq": "'", "cq": "'", "em": "--", "en": "-",
           "mi": "-", "hy": "-", "ha": "^", "ti": "~", "rs": "\\", "bu": "*", "co": "(C)"}
SIMPLE = {"-": "-", "e": "\\", "\\": "\\", " ": " ", "~": " ", "0": " ", ".": ".", "'": "'", "`": "`"}
ALTERNATING = ("BI", "BR", "IB", "IR", "RB", "RI")


def unescape(s):
    s = re.sub(r"\\[f*](\[[^\]]*\]|\(..|.)", "", s)
    s = re.sub(r"\\\((..)", lambda m: SPECIAL.get(m.group(1), ""), s)
    s = re.sub(r"\\\[(\w+)\]", lambda m: SPECIAL.get(m.group(1), ""), s)
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append(SIMPLE.get(s[i + 1], ""))  # \& \| \^ \% \c: nothing
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def macro_args(s):
    """Split a macro's arguments as troff does: spaces separate, double
    quotes group ("" is a quote), an escape never separates."""
    args, cur, quoted, started, i = [], [], False, False, 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            cur.append(s[i:i + 2])
            started, i = True, i + 2
        elif quoted and c == '"':
            if s[i + 1:i + 2] == '"':
                cur.append('"')
                i += 2
            else:
                quoted, i = False, i + 1
        elif quoted:
            cur.append(c)
            i += 1
        elif c == '"' and not cur:
            quoted = started = True
            i += 1
        elif c in " \t":
            if started:
                args.append("".join(cur))
            cur, started, i = [], False, i + 1
        else:
            cur.append(c)
            started, i = True, i + 1
    if started:
        args.append("".join(cur))
    return args


def macro(line):
    m = re.match(r"^[.']\s*([A-Za-z]+)\s?(.*)$", line)
    return (m.group(1), m.group(2)) if m else (None, line)


def deroff(line):
    """The text a line contributes: font macros and escapes resolved;
    structural macros and comments give ''."""
    name, rest = macro(line)
    if line.startswith((".\\\"", "'\\\"")) or line.strip() in (".", ""):
        return ""
    if name is None:
        return unescape(line)
    args = macro_args(rest)
    if name in ALTERNATING:
        return unescape("".join(args))
    if name in ("B", "I", "R", "SM", "SB", "SH", "SS"):
        return unescape(" ".join(args))
    return ""


def sections(lines):
    """{NAME: [lines]} for each .SH."""
    out, cur = {}, None
    for line in lines:
        name, _ = macro(line)
        if name == "SH":
            cur = deroff(line).strip().upper()
            out[cur] = []
        elif cur is not None:
            out[cur].append(line)
    return out


class Entry:
    def __init__(self, group, tag):
        self.group = group
        self.tags = [tag]
        self.body = []

    @property
    def text(self):
        return " ".join(self.tags + [" ".join(b for b in self.body if b)])


def entries(lines):
    """The tagged paragraphs (.TP, with .TQ adding tags) outside .RS blocks,
    each with the .SS heading it is under."""
    out, group, depth, cur, i = [], None, 0, None, 0
    while i < len(lines):
        line = lines[i]
        name, _ = macro(line)
        if name == "RS":
            depth += 1
        elif name == "RE":
            depth = max(0, depth - 1)
        if depth == 0 and name == "SS":
            group, cur = deroff(line).strip(), None
        elif depth == 0 and name in ("TP", "TQ"):
            tag = ""
            while i + 1 < len(lines):
                i += 1
                raw = lines[i]
                tag += deroff(raw)
                if not raw.rstrip().endswith("\\c"):
                    break
            tag = re.sub(r"\s+", " ", tag).strip()
            if name == "TQ" and cur is not None:
                cur.tags.append(tag)
            else:
                cur = Entry(group, tag)
                out.append(cur)
        elif depth == 0 and name in ("PP", "P", "LP", "SH"):
            cur = None
        elif cur is not None:
            cur.body.append(deroff(line))
        i += 1
    return out


def read_page(tool):
    path = page_path(tool)
    if not os.path.exists(path):
        fail("%s is not in the build directory (%s): is man/%s.in assembled by man/meson.build?"
             % (os.path.basename(path), MAN_DIR, os.path.basename(path)))
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    secs = sections(lines)
    for required in LIBRARY_SECTIONS if tool == LIBRARY else TOOL_SECTIONS:
        ok(required in secs, "%s has a %s section (has: %s)" % (path, required, ", ".join(secs)))
    return lines, secs


# --------------------------------------------------------------------------
# options

OPTION = re.compile(r"^(--[A-Za-z0-9][\w-]*|-[A-Za-z0-9?])(\[[^\]]*\])?(?:[ =](.+))?$")


def parse_option_column(text, where):
    """"-V, --version" / "-e [!]ctrl[=value]" / "--after=DURATION" ->
    [(name, argument or None)]."""
    res = []
    for part in text.split(", "):
        m = OPTION.match(part.strip())
        if not m:
            fail("%s: %r is not an option as --help shows one" % (where, text))
        res.append((m.group(1), m.group(3).strip() if m.group(3) else None))
    return res


def help_options(tool):
    """{name: (group, arg)} from `tool --help`."""
    r = run(tool, ["--help"])
    eq(r.rc, 0, "%s --help exit status" % tool)
    opts, group = {}, None
    for line in r.out.splitlines():
        if line.startswith("Usage:"):
            continue
        if line and not line[0].isspace() and line.rstrip().endswith(":"):
            group = line.rstrip()[:-1]
            continue
        m = re.match(r"^ {2,6}(-\S.*?)(?: {2,}|$)", line)
        if m:
            for name, arg in parse_option_column(m.group(1), "%s --help" % tool):
                ok(name not in opts, "%s --help lists %s once" % (tool, name))
                opts[name] = (group, arg)
    ok(len(opts) > 10, "%s --help lists its options (%d found)" % (tool, len(opts)))
    return opts


def page_options(tool, secs):
    opts = {}
    for e in entries(secs["OPTIONS"]):
        for tag in e.tags:
            for name, arg in parse_option_column(tag, "%s(1) OPTIONS" % tool):
                ok(name not in opts, "%s(1) documents %s once in OPTIONS" % (tool, name))
                opts[name] = (e.group, arg)
    return opts


def check_options(tool):
    _, secs = read_page(tool)
    want = help_options(tool)
    have = page_options(tool, secs)
    problems = ["%s is in --help but not in OPTIONS" % n for n in sorted(set(want) - set(have))]
    problems += ["%s is in OPTIONS but not in --help" % n for n in sorted(set(have) - set(want))]
    for n in sorted(set(want) & set(have)):
        if want[n][1] != have[n][1]:
            problems.append("%s: argument %r in --help, %r in OPTIONS" % (n, want[n][1], have[n][1]))
        if want[n][0] != have[n][0]:
            problems.append("%s: under %r in --help, under .SS %r in OPTIONS" % (n, want[n][0], have[n][0]))
    eq(problems, [], "%s --help against OPTIONS of %s" % (tool, page_path(tool)))


# --------------------------------------------------------------------------
# the description of the options and what is generated from it

OPTIONS_DESC = os.path.join(SRCDIR, "cmd", "common", "options.txt")
OPTGEN = os.path.join(SRCDIR, "cmd", "common", "optgen.py")
GENERATED = {"--c": os.path.join(BUILDDIR, "cmd", "popt-tables.c"),
             "--man": os.path.join(BUILDDIR, "man", "options.man")}


def optgen(args):
    return run("python3", [OPTGEN] + args)


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def check_generated_current():
    with tempfile.TemporaryDirectory() as tmp:
        args = []
        for flag, built_copy in sorted(GENERATED.items()):
            args += [flag, os.path.join(tmp, os.path.basename(built_copy))]
        r = optgen(args + [OPTIONS_DESC])
        eq((r.rc, r.err), (0, ""), "optgen.py on cmd/common/options.txt")
        for flag, built_copy in sorted(GENERATED.items()):
            ok(os.path.exists(built_copy), "the build generated %s" % built_copy)
            fresh = read_text(os.path.join(tmp, os.path.basename(built_copy)))
            diff = list(difflib.unified_diff(read_text(built_copy).splitlines(), fresh.splitlines(),
                                             built_copy, "optgen.py " + flag, lineterm="", n=1))
            eq(diff[:40], [], "%s is what optgen.py %s writes from cmd/common/options.txt now (rebuild?)"
               % (built_copy, flag))


def val_codes():
    """{val code: option} of the generated tables: 'H', LI_OPT_AFTER ..."""
    text = read_text(GENERATED["--c"])
    rows = re.findall(r"^\t\{ (NULL|\"[\w-]+\"), '(\\0|.)', POPT_ARG_\w+, NULL, ('.'|LI_OPT_\w+),", text, re.M)
    ok(len(rows) > 30, "%s has the option entries (%d found)" % (GENERATED["--c"], len(rows)))
    return {val: (name.strip('"') or short) for name, short, val in rows}


def check_every_code_applied():
    applied = set(re.findall(r"\bcase ('.'|LI_OPT_\w+):", read_text(os.path.join(SRCDIR, "cmd", "common", "apply.c"))))
    # -V prints the version: the tool's business, not the configuration's.
    applied.update(re.findall(r"\bc == ('.')", read_text(os.path.join(SRCDIR, "cmd", "common", "tool.c"))))
    codes = val_codes()
    eq(sorted(set(codes) - applied), [], "val codes of cmd/common/options.txt with no case in cmdline_apply (cmd/common/apply.c)")
    declared = set(re.findall(r"^\t(LI_OPT_\w+)\b", read_text(os.path.join(SRCDIR, "cmd", "common", "apply.h")),
                              re.M))
    eq(sorted(declared - set(codes)), [], "LI_OPT_ codes of cmd/common/apply.h that no option has")


GOOD_DESC = """tools: one two

== group main
heading: Main options

== option -a --all
arg: N
help: every
  thing

All of it.

== group extra
heading: Extra options
tools: two

== option --more
help: more

More.
"""

BROKEN_DESCS = [
    # (what is wrong, the description, the line the error names)
    ("a blank line in man text", GOOD_DESC.replace("All of it.\n", "All\n\nof it.\n"), 12),
    ("a name given twice", GOOD_DESC.replace("== option --more", "== option --all"), 17),
    ("no help line", GOOD_DESC.replace("help: more\n", ""), 17),
    ("an unknown key", GOOD_DESC.replace("arg: N", "argument: N"), 7),
    ("an unknown tool", GOOD_DESC.replace("tools: two", "tools: three"), 13),
    ("no man text", GOOD_DESC.replace("\nMore.\n", ""), 17),
]


def check_generator_rejects_broken():
    with tempfile.TemporaryDirectory() as tmp:
        desc, c, man = (os.path.join(tmp, n) for n in ("options.txt", "out.c", "out.man"))
        with open(desc, "w", encoding="utf-8") as f:
            f.write(GOOD_DESC)
        r = optgen(["--c", c, "--man", man, desc])
        eq((r.rc, r.err), (0, ""), "optgen.py on a good description")
        text = read_text(man)
        contains(text, '.SS "Main options"\n.TP\n.BI "\\-a, \\-\\-all=" N\nAll of it.\n', "the man part")
        contains(text, '.\\" @if two\n.SS "Extra options"\n', "a group of one tool is in an @if")
        contains(read_text(c), '{ "all", \'a\', POPT_ARG_STRING, NULL, \'a\', "every thing", "N" },',
                 "the popt entry")
        contains(read_text(c), "LI_OPT_MORE", "the val code of a long-only option")
        for what, text, line in BROKEN_DESCS:
            for p in (desc, c, man):
                if os.path.exists(p):
                    os.unlink(p)
            with open(desc, "w", encoding="utf-8") as f:
                f.write(text)
            r = optgen(["--c", c, "--man", man, desc])
            eq(r.rc, 1, "optgen.py exit status on %s" % what)
            matches(r.err, r"\Aoptgen\.py: %s:%d: \S.*\n\Z" % (re.escape(desc), line),
                    "one error line naming the line, for %s" % what)
            eq([os.path.exists(c), os.path.exists(man)], [False, False], "nothing written on %s" % what)


# --------------------------------------------------------------------------
# outcomes

def check_outcomes(tool):
    _, secs = read_page(tool)
    expected = OUTCOMES[tool]
    documented = {}
    for e in entries(secs["OUTCOMES"]):
        name = e.tags[0].split()[0]
        ok(name not in documented, "%s(1) OUTCOMES lists %s once" % (tool, name))
        documented[name] = e.text
    exits = {}
    for e in entries(secs["EXIT STATUS"]):
        exits.setdefault(e.tags[0], []).append(e.text)
    problems = ["%s is missing from OUTCOMES" % n for n in sorted(set(expected) - set(documented))]
    problems += ["OUTCOMES lists %s, which %s cannot print" % (n, tool)
                 for n in sorted(set(documented) - set(expected))]
    for name, status in sorted(expected.items()):
        if status is None or name not in documented:
            continue
        m = re.search(r"exit status (\d+)", documented[name])
        if m is None:
            problems.append("OUTCOMES does not give the exit status of %s" % name)
        elif int(m.group(1)) != status:
            problems.append("OUTCOMES gives exit status %s for %s, the tool exits %d"
                            % (m.group(1), name, status))
        if not any(re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(name), t) for t in exits.get(str(status), [])):
            problems.append("EXIT STATUS has no entry %d naming %s" % (status, name))
    if "1" not in exits:
        problems.append("EXIT STATUS has no entry 1 (bad command line or input)")
    text = " ".join(deroff(l) for l in secs["EXIT STATUS"])
    if "255" not in text or "Can't contact LDAP server" not in text:
        problems.append("EXIT STATUS does not say 255 for Can't contact LDAP server")
    eq(problems, [], "%s: outcomes and exit statuses in %s" % (tool, page_path(tool)))


def outcome_names_in_library():
    with open(os.path.join(SRCDIR, "lib", "render", "words.c"), encoding="utf-8") as f:
        return set(re.findall(r'\[LI_OUTCOME_\w+\]\s*=\s*"([^"]+)"', f.read())) - {"undecided"}


# --------------------------------------------------------------------------
# JSON keys

def key_paths(obj, prefix=""):
    for k, v in obj.items():
        yield prefix + k
        if isinstance(v, dict):
            yield from key_paths(v, prefix + k + ".")
        elif isinstance(v, list):
            for item in v:
                if isinstance(item, dict):
                    yield from key_paths(item, prefix + k + ".")


def documented_keys(secs):
    keys = set()
    for e in entries(secs["OUTPUT"]):
        for tag in e.tags:
            keys.update(k.strip() for k in tag.split(",") if k.strip())
    return keys


def json_runs(tool):
    """A few real runs, each giving a different part of the JSON."""
    s = slapd()
    people = ["-b", s.people_base]
    retcode = lambda rdn: ["-b", "%s,ou=retcode,%s" % (rdn, s.base)]  # noqa: E731
    if tool == "ldapcancel":
        runs = [people + ["--after-entries", "10"],
                ["-b", "ou=scratch," + s.base, "-s", "base", "-E", "sync=rp", "--after", "300ms"],
                # completes before the trigger: message and matched DN, no Cancel sent
                retcode("cn=nothing") + ["-s", "base", "--after", "300ms"],
                ["--msgid", "5"],
                retcode("cn=disconnect")]
    elif tool == "ldapabandon":
        runs = [people + ["--after-entries", "10", "--wait", "300ms"],
                retcode("cn=nothing") + ["-s", "base", "--after", "300ms"],
                ["--msgid", "7", "--wait", "200ms"],
                retcode("cn=disconnect") + ["--after", "100ms"]]
    else:
        runs = [people + ["--cancel", "--after-entries", "10"],
                people + ["--abandon", "--after-entries", "10", "--wait", "300ms"],
                ["-b", s.base, "-s", "base"]]
    objects = []
    for args in runs:
        r = run(tool, anon(s) + args + ["--json"])
        objects.extend(json_objects(tool, r))
    with faultserver("nod") as fs:
        args = ["-x", "-H", fs.uri, "-b", "dc=example,dc=com", "--after-entries", "2", "--json"]
        if tool == "ldaptrace":
            args.append("--cancel")
        objects.extend(json_objects(tool, run(tool, args)))
    # failures before the outcome: the error object's keys
    objects.extend(json_objects(tool, run(tool, ["-x", "-H", "ldap://127.0.0.1:1", "--json"])))
    objects.extend(json_objects(tool, run(tool, anon(s) + ["-D", s.admin_dn, "-w", "wrong", "--json"])))
    return objects


def json_objects(tool, r):
    objs = r.jsonl if tool == "ldaptrace" else ([r.json] if r.json is not None else None)
    ok(objs, "%s printed JSON (exit status %s)" % (tool, r.rc))
    last = objs[-1]
    if last.get("outcome") == "error":
        eq(last["exit"], r.rc, "%s: the error object's exit is the exit status" % tool)
    elif "outcome" in last:
        ok(last["outcome"] in OUTCOMES[tool], "%s printed the outcome %r, which OUTCOMES of this test knows"
           % (tool, last["outcome"]))
        status = OUTCOMES[tool][last["outcome"]]
        if status is not None:
            eq(r.rc, status, "%s: exit status of %s" % (tool, last["outcome"]))
    return objs


def check_json_keys(tool):
    _, secs = read_page(tool)
    documented = documented_keys(secs)
    seen = set()
    for obj in json_runs(tool):
        seen.update(key_paths(obj))
    ok("outcome" in seen and "op_result.code" in seen, "the runs printed outcome objects")
    eq(sorted(seen - documented), [], "%s: JSON keys printed but not documented in OUTPUT of %s.1"
       % (tool, tool))


# --------------------------------------------------------------------------
# rendering

def check_renders(tool):
    lines, secs = read_page(tool)
    path = page_path(tool)
    left = [l for l in lines if re.match(r'^[.\']\s*\\"\s*@', l) or re.search(r"@[A-Z][A-Z0-9_]*@", l)]
    eq(left, [], "%s: assembly directives or @VARIABLES@ left in the page" % path)
    r = run("groff", ["-man", "-Tutf8", "-ww", "-z", path])
    eq(r.err, "", "groff -ww warnings for %s" % path)
    eq(r.rc, 0, "groff exit status")
    name = " ".join(deroff(l) for l in secs["NAME"]).strip()
    matches(name, r"^%s - \S" % re.escape(tool), "NAME line")


def check_lexgrog(tool):
    path = page_path(tool)
    r = run("lexgrog", [path])
    eq(r.rc, 0, "lexgrog exit status")
    contains(r.out, '"%s - ' % tool, "lexgrog reads the NAME section")


def exported_symbols():
    """The global: names of every version node of lib/libldapinterrupt.map."""
    with open(os.path.join(SRCDIR, "lib", "libldapinterrupt.map"), encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    names = []
    for block in re.findall(r"global:(.*?)(?:local:|\})", text, re.S):
        names += re.findall(r"([A-Za-z_]\w*)\s*;", block)
    return names


def check_every_symbol_documented(tool):
    lines, _ = read_page(tool)
    text = "\n".join(lines)
    names = exported_symbols()
    ok(len(names) > 50, "lib/libldapinterrupt.map exports the API (read %d names)" % len(names))
    eq([n for n in names if not re.search(r"(?<!\w)%s(?!\w)" % re.escape(n), text)], [],
       "symbols of lib/libldapinterrupt.map that %s does not name" % page_path(tool))


# --------------------------------------------------------------------------
# the tests

test(name="the generated popt tables and options.man are current with cmd/common/options.txt")(
    check_generated_current)
test(name="every option's val code has its case in cmdline_apply")(check_every_code_applied)
test(name="optgen.py refuses a broken description, naming the line")(check_generator_rejects_broken)


@test(skip_unless=lambda: have_page("ldaptrace"), reason="build/man/ldaptrace.1 is not assembled")
def ldaptrace_security_points_to_a_bugs_section_that_says_it():
    # SECURITY sends the reader to BUGS for the secrets the trace cannot
    # hide: BUGS must name them.
    _, secs = read_page("ldaptrace")
    security = " ".join(deroff(l) for l in secs["SECURITY"])
    bugs = " ".join(deroff(l) for l in secs["BUGS"])
    contains(security, "BUGS", "SECURITY refers to BUGS")
    contains(bugs, "only the secrets it can recognize", "BUGS says which secrets the trace cannot hide")
    contains(bugs, "sambaNTPassword", "BUGS gives an example")


@test
def every_outcome_belongs_to_a_tool():
    names = outcome_names_in_library()
    ok(names, "lib/render/words.c names outcomes")
    known = set().union(*(set(t) for t in OUTCOMES.values()))
    eq(sorted(names - known), [], "outcomes of lib/render/words.c that no tool's table here has")
    eq(sorted(known - names), [], "outcomes here that lib/render/words.c does not name")


def register(tool, what, fn, extra_skip=None):
    if tool == "ldaptrace":
        cond = lambda: have_page(tool) and (extra_skip is None or extra_skip())  # noqa: E731
        reason = "ldaptrace is not built, or build/man/ldaptrace.1 is not assembled"
    elif extra_skip is not None:
        cond, reason = extra_skip, None
    else:
        cond, reason = True, None
    test(name="%s: %s" % (tool, what), skip_unless=cond,
         reason=reason or "%s not found" % what.split()[0])(lambda: fn(tool))


for _tool in ("ldapcancel", "ldapabandon", "ldaptrace"):
    register(_tool, "--help options are the OPTIONS of its page", check_options)
    register(_tool, "every outcome in OUTCOMES with its exit status", check_outcomes)
    register(_tool, "every JSON key it prints is documented", check_json_keys)
    register(_tool, "groff renders the page without warnings", check_renders, lambda: have("groff"))
    register(_tool, "lexgrog reads the page's NAME", check_lexgrog, lambda: have("lexgrog"))

register(LIBRARY, "every exported symbol is named in ldapinterrupt.3", check_every_symbol_documented)
register(LIBRARY, "groff renders the page without warnings", check_renders, lambda: have("groff"))
register(LIBRARY, "lexgrog reads the page's NAME", check_lexgrog, lambda: have("lexgrog"))


if __name__ == "__main__":
    tap_main()
