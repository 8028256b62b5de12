#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
# SPDX-License-Identifier: BSD-2-Clause
"""Shell completion, as cmd/common/compgen.py writes it into the build
(<builddir>/completion): bash's functions driven the way bash calls them
(COMP_LINE, COMP_POINT, COMP_WORDS, COMP_CWORD set, the function called,
COMPREPLY read back) in a non-interactive bash, for options, the values
options.txt lists, file names and the URIs of ldap.conf; the options
offered are exactly those --help lists; zsh's files parse, and an
interactive zsh on a pty completes a few lines on Tab; the build's copies
are what compgen.py writes now; meson installs them where bash and zsh
look.
"""

import difflib
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403

COMPDIR = os.path.join(BUILDDIR, "completion")
COMPGEN = os.path.join(SRCDIR, "cmd", "common", "compgen.py")
OPTIONS_DESC = os.path.join(SRCDIR, "cmd", "common", "options.txt")

# Sources the tool's file, sets what bash sets before it calls a
# completion function (words split on blanks, the cursor at the end),
# calls the function complete -p names, prints COMPREPLY one per line.
DRIVER = r'''
source "$1" || exit 3
line=$2
COMP_LINE=$line COMP_POINT=${#line}
read -ra COMP_WORDS <<<"$line"
[[ $line == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
spec=$(complete -p "$3") || exit 4
fn=${spec#*-F }
fn=${fn%% *}
"$fn" "$3" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
'''

_dirs = {}


def quiet_dir():
    """An empty HOME and working directory: no rc file."""
    if "quiet" not in _dirs:
        _dirs["quiet"] = tempfile.mkdtemp(prefix="li-comp-")
    return _dirs["quiet"]


def system_uris():
    """The URIs of the system's ldap.conf, which libldap, and so the
    completion, reads first."""
    uris = []
    try:
        with open("/etc/ldap/ldap.conf") as f:
            for line in f:
                words = line.replace(",", " ").split()
                if words and words[0].upper() == "URI":
                    uris += words[1:]
    except OSError:
        pass
    return uris


def complete(line, env=None, cwd=None, compdir=COMPDIR):
    """The words bash's completion offers for `line` (cursor at its end)."""
    tool = line.split()[0]
    d = quiet_dir()
    e = {"HOME": d, "LDAPCONF": None, "LDAPURI": None, "LDAPRC": None, "LDAPNOINIT": None}
    e.update(env or {})
    r = run("bash", ["--norc", "--noprofile", "-c", DRIVER, "driver", os.path.join(compdir, tool), line, tool],
            env=e, cwd=cwd or d)
    eq((r.rc, r.err), (0, ""), "bash completing %r" % line)
    return [w for w in r.out.split("\n") if w]


@test(skip_unless=lambda: have("bash"), reason="no bash")
def options_are_completed_per_tool():
    eq(complete("ldapcancel --o"), ["--op"], "ldapcancel --o")
    eq(complete("ldapcancel --h"), ["--help"], "ldapcancel --h (no --hex)")
    eq(complete("ldaptrace --h"), ["--hex", "--help"], "ldaptrace --h")
    eq(complete("ldapabandon --after"), ["--after", "--after-entries"], "ldapabandon --after")
    eq(complete("ldapcancel -b dc=example "), [], "an operand: nothing")
    eq(complete("ldapcancel -D "), [], "-D takes a DN: nothing offered")


@test(skip_unless=lambda: have("bash"), reason="no bash")
def listed_values_are_completed():
    eq(complete("ldapcancel --op "),
       ["search", "compare", "delete", "modrdn", "moddn", "add", "modify", "exop"], "--op")
    eq(complete("ldapcancel --op=mod"), ["modrdn", "moddn", "modify"], "--op=mod (after the =)")
    eq(complete("ldapabandon -s "), ["base", "one", "sub", "children"], "-s")
    eq(complete("ldaptrace -s s"), ["sub"], "-s s")
    eq(complete("ldapcancel -a f"), ["find"], "-a f")
    eq(complete("ldapcancel -s x"), [], "-s x: no scope")
    eq(complete("ldapcancel -e !pre"), ["!preread", "!preread="], "-e !pre (critical)")
    eq(complete("ldapcancel -e ma"), ["manageDSAit"], "-e ma")
    # readline replaces what follows the '=' (COMP_WORDBREAKS)
    eq(complete("ldapcancel -E sync=r"), ["ro", "rp"], "-E sync=r")
    eq(complete("ldaptrace -E !sub"), ["!subentries", "!subentries=true", "!subentries=false"], "-E !sub")
    eq(complete("ldapabandon -o n"), ["nettimeout=", "network_timeout="], "-o n")


@test(skip_unless=lambda: have("bash"), reason="no bash")
def files_are_completed_after_y_and_f():
    with tempfile.TemporaryDirectory() as d:
        for name in ("pw.txt", "pw2.txt", "ops.ldif"):
            open(os.path.join(d, name), "w").close()
        eq(sorted(complete("ldapcancel -y pw", cwd=d)), ["pw.txt", "pw2.txt"], "-y pw")
        eq(complete("ldapcancel --op add -f o", cwd=d), ["ops.ldif"], "-f o")
        eq(complete("ldapcancel -f %s/op" % d), ["%s/ops.ldif" % d], "-f DIR/op")


@test(skip_unless=lambda: have("bash"), reason="no bash")
def uris_come_from_ldap_conf():
    sys_uris = system_uris()
    with tempfile.TemporaryDirectory() as d:
        conf = os.path.join(d, "ldap.conf")
        with open(conf, "w") as f:
            f.write("# a comment\nBASE dc=example,dc=com\nURI ldap://a.example:389, ldaps://b.example\n")
        env = {"LDAPCONF": conf}
        eq(complete("ldapcancel -H ", env=env), sys_uris + ["ldap://a.example:389", "ldaps://b.example"],
           "-H: the system's URIs, then $LDAPCONF's")
        # readline replaces only what follows the last ':' (COMP_WORDBREAKS)
        eq(complete("ldapcancel -H ldaps://b", env=env), ["//b.example"], "-H ldaps://b")
        eq(complete("ldapcancel -H ", env={"LDAPCONF": conf, "LDAPURI": "ldapi://%2Frun%2Fs"}),
           sys_uris + ["ldap://a.example:389", "ldaps://b.example", "ldapi://%2Frun%2Fs"], "-H with $LDAPURI")
        with open(os.path.join(d, ".myrc"), "w") as f:
            f.write("URI ldap://rc.example\n")
        eq(complete("ldapcancel -H ldap://rc", env={"HOME": d, "LDAPRC": "myrc"}), ["//rc.example"],
           "-H from the rc file $LDAPRC names, in HOME")
        eq(complete("ldapcancel -H ", env={"LDAPNOINIT": "1", "LDAPCONF": conf, "LDAPURI": "ldap://u"}),
           ["ldap://", "ldaps://", "ldapi://"], "-H under LDAPNOINIT (nothing read): the schemes")
        eq(complete("ldapcancel -H ldaps", env={"LDAPNOINIT": "1"}), ["ldaps://"], "-H ldaps, no URI")


MARKED = """tools: ldapcancel

== group g
heading: G

== option -e
arg: [!]ctrl[=value]
help: control
values: manageDSAit relax noop assert= preread sync=ro sync=rp

Text.

== option -o
arg: opt[=value]
help: general option
values: nettimeout=

Text.
"""


@test(skip_unless=lambda: have("bash"), reason="no bash")
def critical_marks_and_words_that_go_on():
    """An arg starting with [!] completes after a '!' too; a value ending
    with '=' is offered as it is (bash adds no space after it)."""
    with tempfile.TemporaryDirectory() as tmp:
        desc = os.path.join(tmp, "options.txt")
        with open(desc, "w") as f:
            f.write(MARKED)
        r = run("python3", [COMPGEN, "--outdir", tmp, desc])
        eq((r.rc, r.err), (0, ""), "compgen.py")
        eq(complete("ldapcancel -e re", compdir=tmp), ["relax"], "-e re")
        eq(complete("ldapcancel -e !re", compdir=tmp), ["!relax"], "-e !re")
        eq(complete("ldapcancel -e !", compdir=tmp),
           ["!manageDSAit", "!relax", "!noop", "!assert=", "!preread", "!sync=ro", "!sync=rp"], "-e !")
        # readline replaces what follows the '=' (COMP_WORDBREAKS)
        eq(complete("ldapcancel -e sync=r", compdir=tmp), ["ro", "rp"], "-e sync=r")
        eq(complete("ldapcancel -e !sync=rp", compdir=tmp), ["rp"], "-e !sync=rp")
        eq(complete("ldapcancel -e as", compdir=tmp), ["assert="], "-e as")
        eq(complete("ldapcancel -o !n", compdir=tmp), [], "-o's arg has no [!]")
        eq(complete("ldapcancel -o n", compdir=tmp), ["nettimeout="], "-o n")
        eq(complete("ldapcancel -", compdir=tmp), ["-e", "-o"], "the options")
        if have("zsh"):
            r = run("zsh", ["-n", os.path.join(tmp, "_ldapcancel")])
            eq((r.rc, r.err), (0, ""), "zsh -n")


def help_options(tool):
    r = run(tool, ["--help"])
    eq(r.rc, 0, "%s --help exit status" % tool)
    names = set()
    for line in r.out.splitlines():
        # popt puts an option at column 2, a long-only one at 6
        m = re.match(r"^ {2,6}(-[^-\s])?,? *(--[a-z][a-z0-9-]*)?", line)
        if m and (m.group(1) or m.group(2)):
            names.update(n for n in m.groups() if n)
    return names


@test(skip_unless=lambda: have("bash"), reason="no bash")
def every_option_of_help_and_no_other_is_offered():
    for tool in TOOLS:
        offered = complete(tool + " -")
        eq(len(offered), len(set(offered)), "%s: each option offered once" % tool)
        eq(sorted(offered), sorted(help_options(tool)), "%s: offered for '-' against --help" % tool)


@test(skip_unless=lambda: have("zsh"), reason="no zsh (scripts/setup-debian installs it)")
def zsh_files_parse():
    for tool in TOOLS:
        path = os.path.join(COMPDIR, "_" + tool)
        with open(path) as f:
            eq(f.readline(), "#compdef %s\n" % tool, "%s: the #compdef line" % path)
        r = run("zsh", ["-n", path])
        eq((r.rc, r.err), (0, ""), "zsh -n %s" % path)


# Starts an interactive zsh on a pty (zsh/zpty) with the build's
# completion in fpath and compinit loaded, types $2 and a Tab, and waits
# until $3 shows in what the terminal gets: the completed line, or the
# list of choices.  What never shows is caught by run()'s deadline.
ZSH_DRIVER = r"""
zmodload zsh/zpty zsh/zselect || exit 3
zpty z zsh -f -i
fd=$REPLY
zpty -w z "PS1='%% '; fpath=($1 \$fpath); autoload -U compinit; compinit -u -D; echo READY-\$((6*7))"
all=
wait_for() {
	local out
	while [[ $all != *$1* ]]; do
		zselect -r $fd
		while zpty -r -t z out; do all+=$out; done
	done
}
wait_for READY-42
all=
zpty -w -n z "$2"$'\t'
wait_for "$3"
zpty -d z
print shown
"""


def zsh_shows(typed, want, env=None, cwd=None):
    r = run("zsh", ["-f", "-c", ZSH_DRIVER, "driver", COMPDIR, typed, want], env=env, cwd=cwd or quiet_dir(),
            timeout=30)
    eq((r.rc, r.out), (0, "shown\n"), "zsh: %r then Tab shows %r" % (typed, want))


@test(skip_unless=lambda: have("zsh"), reason="no zsh (scripts/setup-debian installs it)")
def zsh_completes_on_a_terminal():
    zsh_shows("ldapcancel -s chi", "ldapcancel -s children")
    zsh_shows("ldapcancel --op=modi", "ldapcancel --op=modify")
    zsh_shows("ldaptrace --he", "--hex")
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "pw.txt"), "w").close()
        zsh_shows("ldapabandon -y p", "ldapabandon -y pw.txt", cwd=d)
        conf = os.path.join(d, "ldap.conf")
        with open(conf, "w") as f:
            f.write("URI ldaps://b.example\n")
        zsh_shows("ldapcancel -H ldaps://b", "ldapcancel -H ldaps://b.example", env={"LDAPCONF": conf})


@test
def build_copies_are_current():
    with tempfile.TemporaryDirectory() as tmp:
        r = run("python3", [COMPGEN, "--outdir", tmp, OPTIONS_DESC])
        eq((r.rc, r.err), (0, ""), "compgen.py on cmd/common/options.txt")
        eq(sorted(os.listdir(tmp)), sorted(TOOLS + tuple("_" + t for t in TOOLS)), "one bash and one zsh file a tool")
        for name in sorted(os.listdir(tmp)):
            with open(os.path.join(tmp, name)) as f:
                fresh = f.read().splitlines()
            with open(os.path.join(COMPDIR, name)) as f:
                built_copy = f.read().splitlines()
            diff = list(difflib.unified_diff(built_copy, fresh, "build", "compgen.py", lineterm="", n=1))
            eq(diff[:40], [], "completion/%s is what compgen.py writes now (rebuild?)" % name)


@test
def bad_values_are_refused_with_the_line():
    with tempfile.TemporaryDirectory() as tmp:
        for values, rec, why in (("x", "== option -q\nhelp: quiet\nvalues: x\n", "takes no argument"),
                                 ("a b a", "== option -s\narg: scope\nhelp: scope\nvalues: a b a\n", "distinct"),
                                 ("=x", "== option -s\narg: scope\nhelp: scope\nvalues: =x\n", "distinct"),
                                 ("@files x", "== option -s\narg: f\nhelp: f\nvalues: @files x\n", "distinct")):
            desc = os.path.join(tmp, "options.txt")
            with open(desc, "w") as f:
                f.write("tools: ldapcancel\n\n== group g\nheading: G\n\n" + rec + "\nText.\n")
            r = run("python3", [COMPGEN, "--outdir", tmp, desc])
            eq(r.rc, 1, "values: %s: exit status" % values)
            matches(r.err, r"\Acompgen\.py: %s:6: values: [^\n]*%s[^\n]*\n\Z" % (re.escape(desc), why),
                    "values: %s: one line naming the record" % values)


@test
def meson_installs_them_where_the_shells_look():
    r = run("meson", ["introspect", BUILDDIR, "--installed"])
    eq(r.rc, 0, "meson introspect exit status")
    installed = {os.path.relpath(k, BUILDDIR): v for k, v in json.loads(r.out).items()}
    for tool in TOOLS:
        matches(installed.get(os.path.join("completion", tool), ""),
                r"/share/bash-completion/completions/%s$" % tool, "bash completion of %s" % tool)
        matches(installed.get(os.path.join("completion", "_" + tool), ""),
                r"/share/zsh/(vendor-completions|site-functions)/_%s$" % tool, "zsh completion of %s" % tool)


if __name__ == "__main__":
    tap_main()
