#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Bad command lines and bad input files, across the tools.

Every row must exit with its status (1 for usage) and one line on stderr,
`tool: what: text`, naming the bad value (popt's own errors add popt's
"Try 'tool --help'" line); nothing on stdout, no crash, no hang, done
within 5 s, and no connection attempted: -H points at a fault server in
slow-accept mode, which logs every connection it accepts and never answers,
so an accidental connect shows in its log (and as a hang)."""

import os
import shlex
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403

DEADLINE = 5.0

# Input files, written fresh for each row into {dir}.
FILES = {
    "add.ldif": b"dn: cn=a,dc=example,dc=com\nobjectClass: device\ncn: a\n",
    "two.ldif": (b"dn: cn=a,dc=example,dc=com\nobjectClass: device\ncn: a\n\n"
                 b"dn: cn=b,dc=example,dc=com\nobjectClass: device\ncn: b\n"),
    "modify.ldif": (b"dn: cn=a,dc=example,dc=com\nchangetype: modify\n"
                    b"replace: description\ndescription: x\n-\n"),
    "delete.ldif": b"dn: cn=a,dc=example,dc=com\nchangetype: delete\n",
    "text.txt": b"this is not LDIF at all\n",
    "binary.bin": b"\x00\x01\x02binary\xff\xfe\n",
    "empty": b"",
    "password": b"secret\n",
    "noaccess": b"secret\n",          # chmod 000 below
    "nul": b"secret\0junk\n",         # libldap would send 4 bytes past a 7-byte copy
    "emptyline": b"\nsecret\n",       # an empty password: an unauthenticated bind
    "crlfonly": b"\r\n",
    "toolong": b"a" * 4097 + b"\n",   # LI_SECRET_MAX + 1
    "nonewline": b"a" * 5000,
}

C = ["-x", "-H", "{uri}"]              # connection options for most rows
DN = "cn=a,dc=example,dc=com"

_rows = []


def row(tool, argv, rc, regex, *, stdin=None, try_help=False, unprivileged=False):
    _rows.append(dict(tool=tool, argv=argv, rc=rc, regex=regex, stdin=stdin, try_help=try_help,
                      unprivileged=unprivileged))


def lc(argv, rc, regex, **kw):
    row("ldapcancel", argv, rc, r"^ldapcancel: " + regex, **kw)


def la(argv, rc, regex, **kw):
    row("ldapabandon", argv, rc, r"^ldapabandon: " + regex, **kw)


def lt_(argv, rc, regex, **kw):
    row("ldaptrace", argv, rc, r"^ldaptrace: " + regex, **kw)


NOBODY = 65534    # root reads a mode-000 file: rows marked unprivileged run as nobody


# ---- numbers: message IDs, counts, limits --------------------------------
lc(C + ["--msgid", "-1"], 1, r"--msgid: '-1' .*negative")
lc(C + ["--msgid", "2147483648"], 1, r"--msgid: '2147483648' .*out of range")
la(C + ["--msgid", "2147483648"], 1, r"--msgid: '2147483648' .*out of range")
lc(C + ["--msgid", "abc"], 1, r"--msgid: 'abc' .*not a number")
lc(C + ["--msgid", ""], 1, r"--msgid: '' .*empty")
lc(C + ["--after-entries", "-3"], 1, r"--after-entries: '-3' .*negative")
lc(C + ["--after-entries", "x"], 1, r"--after-entries: 'x' .*not a number")
la(C + ["--after-entries", "99999999999999999999"], 1, r"--after-entries: '99999999999999999999' .*out of range")
lc(C + ["-z", "bad"], 1, r"-z: 'bad' .*not a number")
lc(C + ["-z", "2147483648"], 1, r"-z: '2147483648' .*out of range")
lc(C + ["-l", "bad"], 1, r"-l: 'bad' .*not a number")
la(C + ["-l", "-2"], 1, r"-l: '-2' .*negative")
lc(C + ["-d", "abc"], 1, r"-d: 'abc' .*not a number")

# ---- durations ------------------------------------------------------------
lc(C + ["--after", "-1s"], 1, r"--after: '-1s' .*negative")
lc(C + ["--after", "5"], 1, r"--after: '5' .*needs a unit")
lc(C + ["--after", "99999999999h"], 1, r"--after: '99999999999h' .*too long")
la(C + ["--after", "99999999999999999999999s"], 1, r"--after: '99999999999999999999999s' .*(too long|out of range)")
lc(C + ["--after", "2x"], 1, r"--after: '2x' .*unknown unit")
lc(C + ["--after", ""], 1, r"--after: '' .*empty")
lc(C + ["--wait", "never"], 1, r"--wait: 'never' .*not a duration")
la(C + ["--wait", "never"], 1, r"--wait: 'never' .*not a duration")
la(C + ["--wait", "-1s"], 1, r"--wait: '-1s' .*negative")

# ---- filter, DNs, URIs, scope, deref, operation ---------------------------
lc(C + ["(cn="], 1, r"filter: '\(cn=' is not a valid search filter")
lc(C + ["-b", "not a dn"], 1, r"-b: 'not a dn' is not a valid DN")
lc(C + ["--op", "delete", "bad dn"], 1, r"DN: 'bad dn' is not a valid DN")
lc(C + ["--op", "modrdn", DN, "nordn"], 1, r"NEWRDN: 'nordn' is not a valid")
la(C + ["--op", "modrdn", DN, "=bad"], 1, r"NEWRDN: '=bad' is not a valid")
lc(C + ["--op", "modrdn", DN, "cn=b", "bad super"], 1, r"NEWSUPERIOR: 'bad super' is not a valid DN")
lc(["-x", "-H", "http://x"], 1, r"-H: 'http://x'.*unknown scheme")
la(["-x", "-H", "ldap://[::"], 1, r"-H: 'ldap://\[::' is not an LDAP URI")
lc(["-x", "-H", ""], 1, r"-H: .*empty")
lc(C + ["-s", "sideways"], 1, r"-s: 'sideways' is not a scope")
lc(C + ["-a", "sometimes"], 1, r"-a: 'sometimes' is not a deref")
lc(C + ["--op", "frobnicate"], 1, r"--op: 'frobnicate' is not an operation")

# ---- operands ---------------------------------------------------------------
lc(C + ["--op", "compare", DN], 1, r"arguments: missing operand; usage: --op compare DN attr:value")
lc(C + ["--op", "compare", DN, "noseparator"], 1, r"--op compare: 'noseparator' is not attr:value")
lc(C + ["--op", "compare", DN, "cn::!!!"], 1, r"--op compare: 'cn::!!!'.*not valid base64")
lc(C + ["--op", "delete"], 1, r"arguments: missing operand; usage: --op delete DN$")
la(C + ["--op", "modrdn", DN], 1, r"arguments: missing operand; usage: --op modrdn DN NEWRDN")
lc(C + ["--op", "exop"], 1, r"arguments: missing operand; usage: --op exop OID")
lc(C + ["--op", "exop", "not-an-oid"], 1, r"--op exop: 'not-an-oid' is not an OID")
lc(C + ["--op", "exop", "1.2."], 1, r"--op exop: '1\.2\.' is not an OID \(or whoami\)$")
lc(C + ["--op", "exop", "1.x:value"], 1, r"--op exop: '1\.x' is not an OID \(or whoami\)$")
lc(C + ["--op", "exop", "1.2.3::!!!"], 1, r"--op exop: '1\.2\.3::!!!': the value after :: is not valid base64$")
lc(C + ["--op", "exop", ":value"], 1, r"--op exop: ':value' is not attr:value or attr::base64$")
lc(C + ["--op", "compare", DN, ":x"], 1, r"--op compare: ':x' is not attr:value or attr::base64$")
lc(C + ["--op", "delete", DN, "cn=b"], 1, r"arguments: unexpected operand 'cn=b'; usage: --op delete DN$")
la(C + ["--op", "compare", DN, "cn:x", "extra"], 1, r"arguments: unexpected operand 'extra'; usage: --op compare")
lc(C + ["--op", "exop", "whoami", "extra"], 1, r"arguments: unexpected operand 'extra'; usage: --op exop")
lc(C + ["--msgid", "5", "(cn=x)"], 1, r"arguments: unexpected operand '\(cn=x\)'; usage: --msgid N")

# ---- LDIF input (-f) --------------------------------------------------------
lc(C + ["--op", "add"], 1, r"-f: --op add needs an LDIF record")
lc(C + ["--op", "add", "-f", "{dir}/missing.ldif"], 1, r"-f: cannot open '[^']*/missing\.ldif'")
la(C + ["--op", "modify", "-f", "{dir}/two.ldif"], 1, r"-f: '[^']*/two\.ldif' holds more than one LDIF record")
lc(C + ["--op", "add", "-f", "-"], 1, r"-f: '-' holds more than one LDIF record",
   stdin=FILES["two.ldif"])
lc(C + ["--op", "modify", "-f", "{dir}/add.ldif"], 1,
   r"-f: '[^']*/add\.ldif' is not a (modify record|valid LDIF record)")
lc(C + ["--op", "add", "-f", "{dir}/modify.ldif"], 1, r"-f: '[^']*/modify\.ldif' is not an add record")
la(C + ["--op", "add", "-f", "{dir}/delete.ldif"], 1, r"-f: '[^']*/delete\.ldif' is not an add record")
lc(C + ["--op", "add", "-f", "{dir}/text.txt"], 1,
   r"-f: '[^']*/text\.txt' line 1: not an LDIF line \(attr: value, attr:: base64 or attr:< URL\)$")
lc(C + ["--op", "modify", "-f", "{dir}/binary.bin"], 1,
   r"-f: '[^']*/binary\.bin' line 1: holds a NUL byte \(give binary values as attr:: base64\)$")
lc(C + ["--op", "add", "-f", "{dir}/empty"], 1, r"-f: '[^']*/empty' holds no LDIF record")
lc(C + ["-f", "{dir}/add.ldif"], 1, r"-f: .*--op add or --op modify only")

# ---- credentials ---------------------------------------------------------------
lc(C + ["-D", DN, "-y", "{dir}/missing"], 1, r"-y: cannot read '[^']*/missing'")
lc(C + ["-D", DN, "-y", "{dir}"], 1, r"-y: cannot read '[^']*'")          # a directory
la(C + ["-D", DN, "-y", "{dir}/noaccess"], 1, r"-y: cannot read '[^']*/noaccess': Permission denied",
   unprivileged=True)
lc(C + ["-D", DN, "-y", "{dir}/empty"], 1, r"-y: '[^']*/empty' is empty")
lc(C + ["-D", DN, "-y", "{dir}/nul"], 1,
   r"-y: the first line of '[^']*/nul' holds a NUL byte \(a password cannot contain one\)$")
la(C + ["-D", DN, "-y", "{dir}/nul", "-n"], 1, r"-y: the first line of '[^']*/nul' holds a NUL byte")
lc(C + ["-D", DN, "-y", "{dir}/emptyline"], 1, r"-y: the first line of '[^']*/emptyline' is empty \(an empty "
   r"password is an unauthenticated bind, which a server may take as anonymous\)$")
la(C + ["-D", DN, "-y", "{dir}/crlfonly"], 1, r"-y: the first line of '[^']*/crlfonly' is empty")
lc(C + ["-D", DN, "-y", "{dir}/toolong"], 1, r"-y: the first line of '[^']*/toolong' is longer than 4096 bytes$")
lt_(C + ["-D", DN, "-y", "{dir}/nonewline"], 1, r"-y: the first line of '[^']*/nonewline' is longer than 4096 bytes$")
lc(C + ["-D", DN, "-y", "/dev/zero"], 1, r"-y: the first line of '/dev/zero' is longer than 4096 bytes$")
lc(C + ["-D", DN, "-w", ""], 1, r"-w: the password is empty \(with a bind DN, an unauthenticated bind, which a server "
   r"may take as anonymous; for an anonymous bind give no password\)$")
la(C + ["-w", ""], 1, r"-w: the password is empty")
lt_(C + ["-D", DN, "-w", "", "-n"], 1, r"-w: the password is empty")
# popt would put the next operand in place of "!#:+" (or loop forever without one)
lc(C + ["-D", DN, "-w", "pw!#:+"], 1, r"-w: a value holding \"!#:\+\" cannot be given: popt, the option parser, "
   r"replaces it with a later argument \(use -y or -W\)$")
la(C + ["-D", DN, "-wpw!#:+", "(cn=a)"], 1, r"-w: a value holding \"!#:\+\" cannot be given")
lt_(C + ["-b", "dc=x!#:+", "(cn=a)"], 1, r"-b: a value holding \"!#:\+\" cannot be given: popt, the option parser, "
    r"replaces it with a later argument$")
lc(C + ["--after=1s!#:+"], 1, r"--after: a value holding \"!#:\+\" cannot be given")
# a filter is never shown with a password in it, not even when it is bad
lc(C + ["-e", "assert=(userPassword=hunter2"], 1,
   r"-e: assert: '\(userPassword=<redacted 7 bytes>' is not a valid filter$")
la(C + ["(&(uid=a)(userPassword=hunter2)"], 1,
   r"filter: '\(&\(uid=a\)\(userPassword=<redacted 7 bytes>\)' is not a valid search filter \(RFC 4515\)$")
lc(C + ["-D", DN, "-w", "x", "-W"], 1, r"-W: incompatible with -w")
la(C + ["-D", DN, "-w", "x", "-y", "{dir}/password"], 1, r"-[wy]: incompatible with -[wy]")
lc(C + ["-Y", "EXTERNAL"], 1, r"-Y: incompatible with -x")
la(C + ["-U", "someone"], 1, r"-U: incompatible with -x")

# ---- controls and options ------------------------------------------------------
lc(C + ["-e", "frob"], 1, r"-e: 'frob' is not a control")
lc(C + ["-e", "!authzid"], 1, r"-e: authzid needs a value")
lc(C + ["-e", "authzid=dn:" + DN], 1, r"-e: authzid must be marked critical")
lc(C + ["-e", "cancel"], 1, r"-e: 'cancel' is what ldapcancel and ldaptrace --cancel do; choose the moment "
                           r"with --after or --after-entries")
la(C + ["-e", "abandon"], 1, r"-e: 'abandon' is what ldapabandon and ldaptrace --abandon do; choose the moment "
                            r"with --after or --after-entries")
# names what was typed (not an internal placeholder), in one line
lc(C + ["-e", "1.2.3=::!!!"], 1, r"-e: '(1\.2\.3=)?::!!!'.*not valid base64")
lc(C + ["-E", "sync=xx"], 1, r"-E: 'sync=xx'")
lc(C + ["-e", "pr=10"], 1, r"-e: 'pr' \(paged results\) is a search extension: give it as -E pr=<size>$")
la(C + ["-E", "subentries=maybe"], 1, r"-E: 'subentries=maybe'")
# ldapsearch's rp/<cookie>/<slimit> and an empty cookie must not become another cookie
lc(C + ["-E", "sync=rp/cookie/100"], 1,
   r"-E: 'sync=rp/cookie/100': ldapsearch's /<slimit> is not supported \(use -z or --after-entries\)$")
lc(C + ["-E", "sync=rp//100"], 1, r"-E: 'sync=rp//100': ldapsearch's /<slimit> is not supported")
lc(C + ["-E", "sync=rp/"], 1, r"-E: 'sync=rp/': the cookie after / is empty \(give sync=rp for none\)$")
la(C + ["-E", "sync=ro/"], 1, r"-E: 'sync=ro/': the cookie after / is empty \(give sync=ro for none\)$")
# ldapsearch's search extensions: the syntax of each, as ldapsearch checks it
lc(C + ["-E", "sss="], 1, r"-E: sss needs a value: sss=\[-\]<attr\[:OID\]>\[/\[-\]<attr\[:OID\]>\.\.\.\]$")
la(C + ["-E", "sss=-:x"], 1, r"-E: 'sss=-:x': the value must be sss=\[-\]<attr\[:OID\]>")
lc(C + ["-E", "vlv=1/2"], 1, r"-E: 'vlv=1/2': the value must be vlv=<before>/<after>\(/<offset>/<count>\|:<value>\)$")
la(C + ["-E", "vlv=a/b/c/d"], 1, r"-E: 'vlv=a/b/c/d': the value must be vlv=")
lc(C + ["-E", "vlv=1/2/3/4"], 1, r"-E: vlv needs sss: the server views the list it sorts \(ldapsearch requires it too\)$")
lt_(C + ["-E", "vlv=1/2/3/4", "-n"], 1, r"-E: vlv needs sss")
lc(C + ["-E", "deref=member"], 1, r"-E: 'deref=member': the value must be deref=derefAttr:attr")
la(C + ["-E", "deref=member:;owner:cn"], 1, r"-E: 'deref=member:;owner:cn': the value must be deref=")
lc(C + ["-E", "mv"], 1, r"-E: mv needs a value: mv=<filter>$")
lc(C + ["-E", "mv=(|(cn=a)(cn=b))"], 1, r"-E: mv: '\(\|\(cn=a\)\(cn=b\)\)' is not a valid ValuesReturnFilter \(RFC 3876\)$")
la(C + ["-E", "mv=(userPassword=hunter2", "-n"], 1, r"-E: mv: '\(userPassword=<redacted 7 bytes>' is not a valid")
lc(C + ["-E", "ps=1/0"], 1, r"-E: 'ps=1/0': the value must be ps=<changetypes>/<changesonly>/<echg>$")
lc(C + ["-E", "ps=1/0/1/2"], 1, r"-E: 'ps=1/0/1/2': the value must be ps=")
la(C + ["-E", "domainScope=1"], 1, r"-E: domainScope takes no value$")
lc(C + ["-E", "dontUseCopy"], 1, r"-E: dontUseCopy must be marked critical, as ldapsearch requires: !dontUseCopy$")
lc(C + ["-E", "dirSync=1/0"], 1, r"-E: dirSync must be marked critical, as ldapsearch requires: !dirSync=1/0$")
lc(C + ["-E", "!dirSync=1"], 1, r"-E: '!?dirSync=1': the value must be dirSync=<flags>/<maxAttrCount>\[/<base64 cookie>\]$")
la(C + ["-E", "!dirSync=1/0/!!"], 1, r"-E: '1/0/!!': the value after :: is not valid base64$")
lc(C + ["-E", "extendedDn=x"], 1, r"-E: 'extendedDn=x': the value must be extendedDn=<flag>$")
lc(C + ["-e", "sss=cn"], 1, r"-e: 'sss' is a search extension: give it with -E$")
la(C + ["--op", "delete", DN, "-E", "sss=cn"], 1, r"-E: .*searches only")
lc(C + ["-e", "!!manageDSAit"], 1, r"-e: '!!manageDSAit': mark a control critical with one !$")
la(C + ["-E", "!!sync=rp"], 1, r"-E: '!!sync=rp': mark a control critical with one !$")
# a dry run refuses what the real run refuses, with the same line
for _n in ([], ["-n"]):
    lc(C + _n + ["-e", "assert=(cn=x"], 1, r"-e: assert: '\(cn=x' is not a valid filter$")
    la(C + _n + ["(cn=x"], 1, r"filter: '\(cn=x' is not a valid search filter \(RFC 4515\)$")
    lc(["-H", "{uri}", "-Y", "EXTERNAL", "-O", "bogus"] + _n, 1,
       r"-O: 'bogus' is not a valid list of SASL security properties$")
lc(C + ["-o", "nettimeout=abc"], 1, r"-o: nettimeout 'abc' not a number")
lc(C + ["-o", "frob=1"], 1, r"-o: 'frob=1' is not a known option \(ldap.conf's options, as ldapsearch -o takes them, "
   r"nettimeout and ldif_wrap\)$")
la(C + ["-o", "tls_reqcert=sometimes"], 1, r"-o: tls_reqcert 'sometimes' is not one of: never, allow, try, demand, "
   r"hard, on, yes, true$")
lt_(C + ["-o", "tls-protocol-min=TLS1.2"], 1, r"-o: tls_protocol_min 'TLS1.2' is not a TLS protocol version")
lc(C + ["-o", "network_timeout=0"], 1, r"-o: network_timeout '0' is not a number of seconds \(1 to 2147483647\)$")
la(C + ["-o", "keepalive_idle=x"], 1, r"-o: keepalive_idle 'x' is not a number")
lc(C + ["-o", "tls_cacert="], 1, r"-o: tls_cacert: the value is empty \(a file expected\)$")
lc(C + ["-o", "tls_reqcert"], 1, r"-o: tls_reqcert needs a value: -o tls_reqcert=<value>$")
lc(C + ["-o", "referrals=on"], 1, r"-o: referrals 'on': only off: these tools never chase referrals")
lc(C + ["-o", "version=2"], 1, r"-o: version '2': only 3: these tools speak LDAPv3 only$")
la(C + ["-o", "uri=ldap://x"], 1, r"-o: uri: give the URI with -H$")
lc(C + ["-o", "sasl_secprops=bogus", "-n"], 1, r"-o: sasl_secprops 'bogus' is not a valid list of SASL security properties$")
lc(C + ["-o", "ldif_wrap=1"], 1, r"-o: ldif_wrap '1' too narrow")
lc(C + ["-L", "--op", "delete", "cn=x"], 1, r"-L: writes a search's entries: use it with a search$")
lc(C + ["--json", "-q"], 1, r"(-q|--json): .*(--json|-q)")
la(C + ["-q", "--json"], 1, r"(-q|--json): .*(--json|-q)")

# ---- ldapsearch's options that cannot apply to one interrupted operation -----
lc(C + ["-S", "cn"], 1, r"-S: ldapsearch sorts the entries once the search has ended, and an interrupted search "
   r"does not end with its entries \(server-side sorting: -E sss=attr\)$")
la(C + ["-t"], 1, r"-t: ldapsearch writes values to temporary files; these tools do not keep the entries' "
   r"values, they count the entries$")
lt_(C + ["-tt"], 1, r"-t: ldapsearch writes values to temporary files")
lc(C + ["-T", "/tmp"], 1, r"-T: names the directory of -t's files, and these tools write no values to files$")
la(C + ["-F", "file://x/"], 1, r"-F: is the URL prefix of -t's files, and these tools write no values to files$")
lc(C + ["-c"], 1, r"-c: ldapsearch continues with the next search of its -f file after an error; these tools "
   r"issue exactly one operation$")
lc(C + ["-f", "{dir}/text.txt"], 1, r"-f: reads one LDIF record for --op add or --op modify only \(not "
   r"ldapsearch's file of filters: these tools issue exactly one operation\)$")
la(C + ["-f", "{dir}/text.txt", "--op", "delete", DN], 1, r"-f: reads one LDIF record for --op add or --op modify only")
lc(C + ["-M", "-e", "manageDSAit"], 1, r"-M: the ManageDsaIT control was given with -e too$")

# ---- unknown options (popt) and combinations --------------------------------
lc(C + ["--frob"], 1, r"--frob: unknown option", try_help=True)
lc(C + ["--hex"], 1, r"--hex: unknown option", try_help=True)
la(C + ["--hex"], 1, r"--hex: unknown option", try_help=True)
la(C + ["--cancel"], 1, r"--cancel: unknown option", try_help=True)
lc(C + ["--after"], 1, r"--after: missing argument", try_help=True)
lc(C + ["--msgid", "3", "--op", "delete", DN], 1, r"--msgid: .*--op")
lc(C + ["--msgid", "3", "--after-entries", "3"], 1, r"--after-entries: .*search")
lc(C + ["--after-entries", "3", "--op", "delete", DN], 1, r"--after-entries: .*search")
lc(C + ["--op", "compare", DN, "cn:x", "-s", "base"], 1, r"arguments: .*-s\b.* apply to searches only")
la(C + ["--op", "compare", DN, "cn:x", "-z", "5"], 1, r"arguments: .*-z\b.* apply to searches only")
lc(C + ["--op", "compare", DN, "cn:x", "-E", "sync=rp"], 1, r"-E: .*searches only")

# ---- ldaptrace -------------------------------------------------------------------
lt_(C + ["--abandon", "--cancel"], 1, r"--(abandon|cancel): .*--(abandon|cancel)")
lt_(C + ["--after", "1s"], 1, r"arguments: .*--after\b.*need --abandon or --cancel")
lt_(C + ["--after-entries", "3"], 1, r"arguments: .*--after-entries\b.*need --abandon or --cancel")
lt_(C + ["--wait", "1s"], 1, r"arguments: .*--wait\b.*need --abandon or --cancel")
lt_(C + ["--msgid", "3"], 1, r"--msgid: .*--abandon or --cancel")
lt_(C + ["--cancel", "--json", "-q"], 1, r"(-q|--json): .*(--json|-q)")
# the hint must work in ldaptrace: --after alone is refused there, --cancel is the way
lt_(C + ["-e", "cancel"], 1, r"-e: 'cancel' .*--cancel\b")
lt_(C + ["--cancel", "--msgid", "-1"], 1, r"--msgid: '-1' .*negative")
lt_(C + ["--abandon", "--after", "2x"], 1, r"--after: '2x' .*unknown unit")
lt_(C + ["--frob"], 1, r"--frob: unknown option", try_help=True)


# --------------------------------------------------------------------------

def _write_files(d):
    for name, data in FILES.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    os.chmod(os.path.join(d, "noaccess"), 0)


def _check_row(rw):
    tool = rw["tool"]
    with tempfile.TemporaryDirectory(prefix="li-badinput-") as d:
        _write_files(d)
        uid = None
        if rw["unprivileged"] and os.geteuid() == 0:
            uid = NOBODY
            os.chmod(d, 0o755)     # nobody must reach the files, and be refused only by their mode
        with faultserver("slow-accept") as fs:
            argv = [a.replace("{uri}", fs.uri).replace("{dir}", d) for a in rw["argv"]]
            r = run(tool, argv, timeout=DEADLINE, stdin=rw["stdin"], uid=uid)
            opened = [rec for rec in fs.log() if rec.get("event") == "open"]
    ok(r.signal is None, "not killed by a signal")
    le(r.elapsed, scaled(DEADLINE), "finished within %gs" % DEADLINE)
    eq(opened, [], "no connection attempted")
    eq(r.out, "", "nothing on stdout")
    eq(r.rc, rw["rc"], "exit status")
    lines = r.err.splitlines()
    want = 2 if rw["try_help"] else 1
    ok(len(lines) >= 1, "an error message on stderr")
    eq(len(lines), want, "exactly %d line%s on stderr: %r" % (want, "s" if want > 1 else "", lines))
    matches(lines[0], rw["regex"], "the error line names the bad value")
    if rw["try_help"]:
        eq(lines[1], "Try '%s --help' for more information." % tool, "popt's hint")


def _register(rw):
    name = "%s %s" % (rw["tool"], shlex.join(rw["argv"]))
    name = name.replace(" -x -H '{uri}'", "")

    def fn():
        _check_row(rw)
    test(fn, name=name)


for _rw in _rows:
    _register(_rw)


if __name__ == "__main__":
    tap_main()
