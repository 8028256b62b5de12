#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Real clients through ldaptrace --listen: OpenLDAP's ldapsearch and
ldapmodify and an application on python-ldap (tests/lib/pyldap_client.py),
over ldap://, ldaps:// and StartTLS, against the fixture's slapd.

Each client runs twice, connected directly and through the relay, and its
standard output, standard error and exit status must be the same: nothing
is normalised, because nothing a client prints names the server it talked
to. The relay's trace must hold every message of every session (the
entries the client printed, each request and its responses by message ID),
the session number and client address on every line and one summary line
per session, and never a bind password, in any output mode. The relay's
own Cancel and Abandon (--cancel, --abandon) must give the client the
server's real answer and never show it a message ID of the relay's."""

import base64
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from relaytools import (Relay, RawClient, check_session, entries, every_line_prefixed, fs, hex_bytes,  # noqa: E402
                        secret_forms, sessions, summaries, FINAL)

SYSTEM_PYTHON = "/usr/bin/python3"
PYLDAP_CLIENT = os.path.join(SRCDIR, "tests", "lib", "pyldap_client.py")
STARTTLS_OID = "1.3.6.1.4.1.1466.20037"
NO_CERT = "ldaptrace relay: StartTLS needs --listen-cert and --listen-key"


def have_pyldap():
    return os.access(SYSTEM_PYTHON, os.X_OK) and os.path.exists("/usr/lib/python3/dist-packages/ldap")


class Transport:
    """How a client reaches the server directly, and how it reaches it
    through a relay: the relay's listening URI and certificate, its -H."""

    def __init__(self, name, s):
        self.name = name
        cert = ["--listen-cert", os.path.join(s.dir, "server.pem"), "--listen-key", os.path.join(s.dir, "server.key")]
        self.starttls = name == "StartTLS"
        self.direct = s.ldaps_uri if name == "ldaps://" else s.uri
        self.listen = "ldaps://127.0.0.1:0" if name == "ldaps://" else "ldap://127.0.0.1:0"
        self.relay_args = cert if name != "ldap://" else []
        self.client_args = ["-ZZ"] if self.starttls else []

    def relay(self, s, args=()):
        return Relay(self.direct, self.relay_args + list(args), listen=self.listen)


def transports(s):
    return [Transport(n, s) for n in ("ldap://", "StartTLS", "ldaps://")]


def same(direct, relayed, what):
    """The client's output and status through the relay are the direct ones."""
    eq(relayed.rc, direct.rc, "%s: exit status through the relay" % what)
    eq(relayed.err, direct.err, "%s: standard error through the relay" % what)
    if relayed.out != direct.out:
        a, b = direct.out.splitlines(), relayed.out.splitlines()
        i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        fail("%s: standard output differs through the relay at line %d (%d lines direct, %d relayed):\n"
             "direct:  %r\nrelayed: %r" % (what, i + 1, len(a), len(b), a[i:i + 1], b[i:i + 1]))


def one_session(s, t, tool, argv, what, relay_args=(), **kw):
    """tool with argv(URI) run directly, then through a relay serving one
    session: its output must be the same both ways. Returns the direct
    Result, the relay's Result, the session's lines after any StartTLS and
    the message ID of the client's first request after it."""
    direct = run(tool, argv(t.direct), **kw)
    with t.relay(s, ["--sessions", 1] + list(relay_args)) as relay:
        r = run(tool, argv(relay.uri), **kw)
        rr = relay.wait()
    same(direct, r, what)
    _, lines, _ = check_session(rr.out, 1)
    return direct, rr, starttls_first(t, lines, what), 2 if t.starttls else 1


def by_msgid(lines):
    """{message ID: [(arrow, op)]} with each run of SearchResultEntry lines
    counted as one ("<-", "SearchResultEntry*N")."""
    res = {}
    for l in lines:
        if l.msgid is None:
            continue
        seq = res.setdefault(l.msgid, [])
        if l.op == "SearchResultEntry" and seq and seq[-1][1].startswith("SearchResultEntry*"):
            seq[-1] = (l.arrow, "SearchResultEntry*%d" % (int(seq[-1][1].split("*")[1]) + 1))
        elif l.op == "SearchResultEntry":
            seq.append((l.arrow, "SearchResultEntry*1"))
        else:
            seq.append((l.arrow, l.op))
    return res


def starttls_first(t, lines, what):
    """Under StartTLS the session opens with the client's StartTLS, answered
    success (by the relay itself); returns the lines after it."""
    if not t.starttls:
        return lines
    eq([(l.arrow, l.msgid, l.op) for l in lines[:2]], [("->", 1, "ExtendedRequest"), ("<-", 1, "ExtendedResponse")],
       "%s: the client's StartTLS first" % what)
    contains(lines[0].rest, "(StartTLS)", "%s: StartTLS named" % what)
    matches(lines[1].rest, r"^ success \(0\)", "%s: StartTLS answered success" % what)
    return lines[2:]


def dn_lines(out):
    return sum(1 for l in out.splitlines() if l.startswith("dn: "))


def closed_by_client(lines, what):
    eq((lines[-1].arrow, lines[-1].msgid, lines[-1].op, lines[-1].rest), ("->", None, "connection", " closed by the client"),
       "%s: the session's last line" % what)


# --------------------------------------------------------------------------
# ldapsearch

def searches(s):
    """(name, ldapsearch arguments after -H URI, its search's message ID and
    what the server answers it with) -- several searches, a large one, a
    paged one, LDIF with and without comments, a bound one, an error."""
    people = s.people_base
    return [
        ("base", ["-x", "-LLL", "-b", s.base, "-s", "base"], [("<-", "SearchResultEntry*1"), ("<-", "SearchResultDone")]),
        ("large", ["-x", "-LLL", "-b", people, "cn", "mail"],
         [("<-", "SearchResultEntry*%d" % (s.entries + 2)), ("<-", "SearchResultDone")]),
        ("one-level with comments", ["-x", "-b", s.base, "-s", "one"],
         [("<-", "SearchResultEntry*3"), ("<-", "SearchResultDone")]),
        ("bound as admin", ["-x", "-LLL", "-D", s.admin_dn, "-w", s.admin_pw, "-b", people, "(uid=u00000*)",
                            "cn", "userPassword"], [("<-", "SearchResultEntry*9"), ("<-", "SearchResultDone")]),
        ("no such object", ["-x", "-LLL", "-b", "cn=nosuch," + s.base], [("<-", "SearchResultDone")]),
    ]


@test
def ldapsearch_through_the_relay_prints_what_it_prints_directly():
    s = slapd()
    for t in transports(s):
        cases = searches(s)
        direct = [run("ldapsearch", ["-H", t.direct] + t.client_args + args) for _, args, _ in cases]
        eq([r.rc for r in direct], [0, 0, 0, 0, 32], "%s: the direct runs' exit statuses" % t.name)
        with t.relay(s, ["--sessions", len(cases)]) as relay:
            relayed = [run("ldapsearch", ["-H", relay.uri] + t.client_args + args) for _, args, _ in cases]
            rr = relay.wait(timeout=60)
        eq(rr.rc, 0, "%s: the relay exits 0 after --sessions %d" % (t.name, len(cases)))
        for (name, _, _), d, r in zip(cases, direct, relayed):
            same(d, r, "%s %s" % (t.name, name))
        eq(sorted(sessions(rr.out)), list(range(1, len(cases) + 1)), "%s: one numbered session per client" % t.name)
        every_line_prefixed(rr.out, t.name)
        clients = set()
        for k, ((name, args, answers), r) in enumerate(zip(cases, relayed), 1):
            what = "%s %s (session %d)" % (t.name, name, k)
            client, all_lines, summary = check_session(rr.out, k)
            matches(client, r"^127\.0\.0\.1:\d+$", "%s: the client's address" % what)
            clients.add(client)
            lines = starttls_first(t, all_lines, what)
            first = 2 if t.starttls else 1
            bound = "-D" in args
            want = {first: [("->", "BindRequest"), ("<-", "BindResponse")],
                    first + 1: [("->", "SearchRequest")] + answers,
                    first + 2: [("->", "UnbindRequest")]}
            eq(by_msgid(lines), want, "%s: every request and response, by message ID" % what)
            eq(entries(lines), dn_lines(r.out), "%s: the trace's entries are the ones the client printed" % what)
            closed_by_client(lines, what)
            sent = sum(1 for l in all_lines if l.arrow == "->" and l.msgid is not None)
            got = sum(1 for l in all_lines if l.arrow == "<-")
            matches(summary, r"^sent %d messages \(\d+ bytes\), received %d \(\d+ bytes\), %d entr(y|ies)"
                    % (sent, got, entries(lines)), "%s: the summary counts the trace's messages" % what)
            if bound:
                contains(lines[0].rest, "simple=<redacted %d bytes>" % len(s.admin_pw), "%s: the password" % what)
        eq(len(clients), len(cases), "%s: each session its own client port" % t.name)
        m = matches(rr.err, FINAL.pattern, "%s: the final summary" % t.name)
        eq(int(m.group(1)), len(cases), "%s: sessions in the final summary" % t.name)


@test
def ldapsearch_paged_through_the_relay():
    s = slapd()
    # u001000-u001999: 1000 entries, in pages of 400, 400 and 200
    args = ["-x", "-L", "-b", s.people_base, "-E", "pr=400/noprompt", "(uid=u001*)", "cn"]
    for t in transports(s):
        # the cookies slapd hands out name entry IDs: the same both times
        r, rr, lines, first = one_session(s, t, "ldapsearch", lambda uri: ["-H", uri] + t.client_args + args,
                                          "%s paged" % t.name)
        eq(r.rc, 0, "%s: exit status" % t.name)
        got = by_msgid(lines)
        pages = [got[first + 1 + p] for p in range(3)]
        eq(pages, [[("->", "SearchRequest"), ("<-", "SearchResultEntry*400"), ("<-", "SearchResultDone")]] * 2
           + [[("->", "SearchRequest"), ("<-", "SearchResultEntry*200"), ("<-", "SearchResultDone")]],
           "%s: one search request per page, its entries, its result" % t.name)
        eq(entries(lines), dn_lines(r.out), "%s: every entry the client printed is in the trace" % t.name)
        eq(dn_lines(r.out), 1000, "%s: entries" % t.name)


# --------------------------------------------------------------------------
# ldapmodify

@test
def ldapmodify_add_modify_delete_through_the_relay():
    s = slapd()
    dn = "cn=relayed,ou=scratch," + s.base
    ldif = ("dn: %s\nchangetype: add\nobjectClass: person\ncn: relayed\nsn: before\n\n"
            "dn: %s\nchangetype: modify\nreplace: sn\nsn: after\n-\n\n"
            "dn: %s\nchangetype: delete\n" % (dn, dn, dn))
    bind = ["-x", "-D", s.admin_dn, "-w", s.admin_pw]
    for t in transports(s):
        r, rr, lines, f = one_session(s, t, "ldapmodify", lambda uri: ["-H", uri] + t.client_args + bind,
                                      "%s ldapmodify" % t.name, ["-v"], stdin=ldif)
        eq(r.rc, 0, "%s: exit status" % t.name)
        eq(r.out, 'adding new entry "%s"\n\nmodifying entry "%s"\n\ndeleting entry "%s"\n\n' % (dn, dn, dn),
           "%s: what ldapmodify says" % t.name)
        eq(by_msgid(lines), {f: [("->", "BindRequest"), ("<-", "BindResponse")],
                             f + 1: [("->", "AddRequest"), ("<-", "AddResponse")],
                             f + 2: [("->", "ModifyRequest"), ("<-", "ModifyResponse")],
                             f + 3: [("->", "DelRequest"), ("<-", "DelResponse")],
                             f + 4: [("->", "UnbindRequest")]}, "%s: every request and response" % t.name)
        eq([l.rest for l in lines if l.op.endswith("Response")], [" success (0)"] * 4, "%s: results" % t.name)
        contains(rr.out, 'AddRequest dn="%s" attrs={objectClass=["person"] cn=["relayed"] sn=["before"]}' % dn,
                 "%s: the add, with its values under -v" % t.name)
        contains(rr.out, 'ModifyRequest dn="%s" changes=[{op=replace attr=sn values=["after"]}]' % dn,
                 "%s: the modify" % t.name)
        for form in secret_forms(s.admin_pw):
            not_contains(rr.out + rr.err, form, "%s: the bind password" % t.name)


# --------------------------------------------------------------------------
# python-ldap

def pyldap_argv(uri, t, script, *args):
    return [PYLDAP_CLIENT, uri] + (["--starttls"] if t.starttls else []) + [script] + list(args)


def pyldap(uri, t, script, *args):
    return run(SYSTEM_PYTHON, pyldap_argv(uri, t, script, *args), timeout=60)


@test(skip_unless=have_pyldap, reason="no python3-ldap for /usr/bin/python3")
def python_ldap_through_the_relay():
    s = slapd()
    args = [s.admin_dn, s.admin_pw, s.base]
    for t in transports(s):
        r, rr, lines, f = one_session(s, t, SYSTEM_PYTHON, lambda uri: pyldap_argv(uri, t, "ops", *args),
                                      "%s python-ldap" % t.name, timeout=60)
        eq(r.rc, 0, "%s: exit status" % t.name)
        contains(r.out, "search ended: CANCELLED 118\n", "%s: the application's own cancel" % t.name)
        got = by_msgid(lines)
        eq([got[f + k] for k in range(5)], [
            [("->", "BindRequest"), ("<-", "BindResponse")],
            [("->", "SearchRequest"), ("<-", "SearchResultEntry*1"), ("<-", "SearchResultDone")],
            [("->", "SearchRequest"), ("<-", "SearchResultEntry*3"), ("<-", "SearchResultDone")],
            [("->", "CompareRequest"), ("<-", "CompareResponse")],
            [("->", "CompareRequest"), ("<-", "CompareResponse")]], "%s: bind, searches, compares" % t.name)
        eq([l.rest for l in lines if l.op == "CompareResponse"], [" compareTrue (6)", " compareFalse (5)"],
           "%s: the compares' answers" % t.name)
        search, cancel = f + 6, f + 7
        eq(got[search][0], ("->", "SearchRequest"), "%s: the search the application cancels" % t.name)
        eq(got[search][-1], ("<-", "SearchResultDone"), "%s: its result" % t.name)
        eq(got[cancel], [("->", "ExtendedRequest"), ("<-", "ExtendedResponse")], "%s: the application's Cancel"
           % t.name)
        contains(rr.out, "#%d ExtendedRequest oid=1.3.6.1.1.8 (Cancel) cancelID=%d" % (cancel, search),
                 "%s: the Cancel names the search" % t.name)
        contains(rr.out, "#%d SearchResultDone canceled (118)" % search, "%s: canceled" % t.name)
        eq(got[f + 8], [("->", "ExtendedRequest"), ("<-", "ExtendedResponse")], "%s: WhoAmI" % t.name)
        eq(got[f + 9], [("->", "UnbindRequest")], "%s: unbind" % t.name)
        contains(lines[0].rest, "simple=<redacted %d bytes>" % len(s.admin_pw), "%s: the bind" % t.name)
        for form in secret_forms(s.admin_pw):
            not_contains(rr.out + rr.err, form, "%s: the bind password" % t.name)


# --------------------------------------------------------------------------
# secrets

def json_lines(out, what):
    res = []
    for line in out.splitlines():
        try:
            res.append(json.loads(line))
        except ValueError:
            fail("%s: not a JSON line: %r" % (what, line[:300]))
    return res


@test
def bind_passwords_never_in_the_trace():
    s = slapd()
    alice_entry = ["-b", s.alice_dn, "-s", "base", "userPassword"]
    clients = [
        ["-x", "-LLL", "-D", s.alice_dn, "-w", s.alice_pw, "-b", s.base, "-s", "base"],
        # the admin reads alice's password: the client prints it, the trace must not
        ["-x", "-LLL", "-D", s.admin_dn, "-w", s.admin_pw] + alice_entry,
    ]
    for t in transports(s):
        for mode in ([], ["-v"], ["--hex"], ["--json"], ["--json", "--hex"]):
            what = "%s %s" % (t.name, " ".join(mode) or "text")
            with t.relay(s, ["--sessions", len(clients)] + mode) as relay:
                rs = [run("ldapsearch", ["-H", relay.uri] + t.client_args + c) for c in clients]
                rr = relay.wait()
            eq([r.rc for r in rs], [0, 0], "%s: the clients' exit statuses" % what)
            contains(rs[1].out, "userPassword:: " + base64.b64encode(s.alice_pw.encode()).decode(),
                     "%s: the client got alice's userPassword" % what)
            eq(rr.rc, 0, "%s: relay" % what)
            text = rr.out + rr.err
            dumped = hex_bytes(rr.out)
            if "--json" in mode:
                events = json_lines(rr.out, what)
                dumped = "".join(e.get("hex", "").replace(" ", "") for e in events)
                binds = [e for e in events if e.get("op") == "BindRequest"]
                eq([e["simple"] for e in binds], ["<redacted %d bytes>" % len(s.alice_pw),
                                                  "<redacted %d bytes>" % len(s.admin_pw)], "%s: binds" % what)
                eq([e for e in events if "session" not in e or "client" not in e], [],
                   "%s: every JSON line names its session and client" % what)
                eq(sorted({e["session"] for e in events}), [1, 2], "%s: sessions" % what)
                for k in (1, 2):
                    mine = [e for e in events if e["session"] == k]
                    eq(sum(1 for e in mine if e.get("op") == "SearchResultEntry"), 1, "%s: session %d's entry" % (what, k))
                    ends = [e for e in mine if "end" in e]
                    eq([(e["entries"], e["end"]) for e in ends], [(1, "client-closed")],
                       "%s: session %d's summary object, its last" % (what, k))
                    ok(mine[-1] is ends[0], "%s: session %d ends with its summary" % (what, k))
            else:
                every_line_prefixed(rr.out, what)
                eq(len(summaries(rr.out)), 2, "%s: summary lines" % what)
            if "--hex" in mode:
                ok(len(dumped) > 100, "%s: the hex dumps are there" % what)
            for pw in (s.alice_pw, s.admin_pw):
                for form in secret_forms(pw):
                    not_contains(text, form, "%s: the password %r" % (what, pw))
                not_contains(dumped, pw.encode().hex(), "%s: the password %r in the dumps" % (what, pw))


# --------------------------------------------------------------------------
# StartTLS without a certificate

@test
def starttls_without_a_listening_certificate_is_refused():
    s = slapd()
    with Relay(s.uri, ["--sessions", 2]) as relay:
        r = run("ldapsearch", ["-x", "-ZZ", "-H", relay.uri, "-b", s.base, "-s", "base"])
        # -Z: the client goes on in the clear after the refusal
        r2 = run("ldapsearch", ["-x", "-Z", "-LLL", "-H", relay.uri, "-b", s.base, "-s", "base", "dn"])
        rr = relay.wait()
    eq(r.rc, 1, "ldapsearch -ZZ gives up (its status for a refused StartTLS)")
    eq(r.err, "ldap_start_tls: Protocol error (2)\n\tadditional info: %s\n" % NO_CERT, "what ldapsearch says")
    eq(r2.rc, 0, "ldapsearch -Z goes on without TLS")
    eq(r2.out, "dn: %s\n\n" % s.base, "and gets its entry")
    _, lines, _ = check_session(rr.out, 1)
    eq([(l.arrow, l.msgid, l.op) for l in lines[:2]], [("->", 1, "ExtendedRequest"), ("<-", 1, "ExtendedResponse")],
       "the StartTLS and the relay's answer")
    matches(lines[1].rest, r'^ protocolError \(2\) message="%s"' % re.escape(NO_CERT), "the trace says why")
    _, lines2, _ = check_session(rr.out, 2)
    eq(by_msgid(lines2)[1], [("->", "ExtendedRequest"), ("<-", "ExtendedResponse")], "-Z: StartTLS refused")
    eq(by_msgid(lines2)[3], [("->", "SearchRequest"), ("<-", "SearchResultEntry*1"), ("<-", "SearchResultDone")],
       "-Z: then the search, in the clear")


# --------------------------------------------------------------------------
# the relay's own Cancel and Abandon

def relay_interrupt(lines, kind, client_ids, what):
    """The relay's Cancel or Abandon request line: one, under a message ID
    the client never used."""
    op = "ExtendedRequest" if kind == "cancel" else "AbandonRequest"
    mine = [l for l in lines if l.arrow == "->" and l.op == op and l.msgid not in client_ids]
    eq(len(mine), 1, "%s: one %s of the relay's (%s)" % (what, op, [l.text for l in lines if l.op == op]))
    return mine[0]


def entries_around(out, lines, mine, kind, what):
    """The entries the trace shows before the relay's interrupt: the
    session's report counts the same before and after it, and its summary
    names the outcome. Returns the count before."""
    before = entries(lines[:lines.index(mine)])
    matches(out, r"^\[1 [^\]]+\]   before the %s: %d entr" % (kind, before), "%s: the report's count before" % what)
    matches(out, r"^\[1 [^\]]+\]   after the %s:  %d entr" % (kind, entries(lines) - before),
            "%s: the report's count after" % what)
    matches(out, r"^\[1 [^\]]+\] summary: .*; interrupted: 1 %s$" % ("canceled" if kind == "cancel" else "abandoned"),
            "%s: the session's summary" % what)
    return before


def injected_into_ldapsearch(s, t, kind, prefix=()):
    """ldapsearch of ou=people (run under prefix) through a relay that
    interrupts it after 5 entries: the relay's Cancel or Abandon names the
    search under an ID of its own, after exactly 5 entries, and the client
    printed every entry the server sent. Returns ldapsearch's Result, the
    relay's, the session's lines, the search's ID and the interrupt's line."""
    with t.relay(s, ["--sessions", 1, "--" + kind, "--after-entries", 5]) as relay:
        r = run(prefix[0] if prefix else "ldapsearch", list(prefix[1:]) + (["ldapsearch"] if prefix else [])
                + ["-H", relay.uri] + t.client_args + ["-x", "-LLL", "-b", s.people_base, "cn"])
        rr = relay.wait()
    _, lines, _ = check_session(rr.out, 1)
    lines = starttls_first(t, lines, t.name)
    search = 3 if t.starttls else 2
    mine = relay_interrupt(lines, kind, set(range(1, search + 2)), t.name)
    eq(mine.rest, " oid=1.3.6.1.1.8 (Cancel) cancelID=%d" % search if kind == "cancel" else " id=%d" % search,
       "%s: the relay interrupts the search" % t.name)
    eq(entries_around(rr.out, lines, mine, kind, t.name), 5, "%s: sent after 5 entries" % t.name)
    eq(dn_lines(r.out), entries(lines), "%s: every entry the server sent, the client printed" % t.name)
    back = [(a.text, b.text) for a, b in zip(lines, lines[1:]) if b.t < a.t]
    eq(back[:1], [], "%s: the trace's times never go back, across the interrupt too" % t.name)
    return r, rr, lines, search, mine


@test
def injected_cancel_gives_ldapsearch_the_servers_answer():
    s = slapd()
    for t in transports(s):
        r, rr, lines, search, cancel = injected_into_ldapsearch(s, t, "cancel")
        eq(r.rc, 118, "%s: ldapsearch exits with the search's result, canceled" % t.name)
        eq(r.err, "Cancelled (118)\n", "%s: and says so" % t.name)
        got = by_msgid(lines)
        eq(got[search][-1], ("<-", "SearchResultDone"), "%s: the search's result" % t.name)
        contains(rr.out, "#%d SearchResultDone canceled (118)" % search, "%s: canceled" % t.name)
        eq(got[cancel.msgid], [("->", "ExtendedRequest"), ("<-", "ExtendedResponse")],
           "%s: the Cancel's response is traced (and kept from the client)" % t.name)
        matches(rr.out, r"^\[1 [^\]]+\] canceled: ", "%s: the session's outcome" % t.name)


@test
def injected_abandon_stops_ldapsearchs_entries():
    s = slapd()
    for t in transports(s):
        # ldapsearch would wait for ever (its -l is the server's limit):
        # timeout bounds it, stdbuf keeps each LDIF line it printed
        r, rr, lines, search, _ = injected_into_ldapsearch(s, t, "abandon", ("timeout", "3", "stdbuf", "-oL"))
        eq(r.rc, 124, "%s: ldapsearch still waits for its result after 3 s" % t.name)
        eq(r.err, "", "%s: and has nothing to say" % t.name)
        ok(entries(lines) < s.entries + 2, "%s: the search did not run to its end" % t.name)
        eq(by_msgid(lines)[search][-1][0], "<-", "%s: only entries after the request" % t.name)
        ok(all(op != "SearchResultDone" for _, op in by_msgid(lines)[search]), "%s: no result" % t.name)
        closed_by_client(lines, t.name)


@test(skip_unless=have_pyldap, reason="no python3-ldap for /usr/bin/python3")
def injected_abandon_stops_a_python_ldap_search():
    s = slapd()
    for t in transports(s):
        with t.relay(s, ["--sessions", 1, "--abandon", "--after-entries", 5]) as relay:
            r = pyldap(relay.uri, t, "victim", s.admin_dn, s.admin_pw, s.base, "%g" % scaled(3))
            rr = relay.wait()
        eq(r.rc, 0, "%s: the application ran to its end" % t.name)
        m = matches(r.out, r"^search sent as message (\d+)\nsearch: no answer within %g s\nentries: (\d+)\n"
                    r"whoami: dn:%s\n\Z" % (scaled(3), re.escape(s.admin_dn)), "%s: the entries stopped, the connection "
                    "still serves" % t.name)
        search = int(m.group(1))
        _, lines, _ = check_session(rr.out, 1)
        lines = starttls_first(t, lines, t.name)
        abandon = relay_interrupt(lines, "abandon", set(range(1, search + 3)), t.name)
        eq(abandon.rest, " id=%d" % search, "%s: the relay abandons the search" % t.name)
        eq(entries(lines), int(m.group(2)), "%s: the entries the application got are the trace's" % t.name)
        ok(entries(lines) < s.entries + 2, "%s: the search did not run to its end" % t.name)
        got = by_msgid(lines)
        ok(("<-", "SearchResultDone") not in got[search], "%s: no result for an abandoned search" % t.name)
        eq(got[search + 1], [("->", "ExtendedRequest"), ("<-", "ExtendedResponse")],
           "%s: WhoAmI under the application's next message ID" % t.name)
        matches(rr.out, r"^\[1 [^\]]+\] abandoned: ", "%s: the session's outcome" % t.name)


def raw_session(port, read_search_to_end):
    """bind #1, a subtree search #2, then (once the search ended, or at once)
    WhoAmI #3 and its answer, unbind #4; returns the RawClient."""
    c = RawClient(port)
    c.send(fs.bind_request(1))
    c.until(lambda m: m.msgid == 1, what="BindResponse #1")
    c.send(fs.search_request(2, base="ou=people,dc=example,dc=com", attrs=["cn"]))
    if read_search_to_end:
        c.until(lambda m: m.msgid == 2 and m.tag == fs.SEARCH_DONE, what="SearchResultDone #2")
    else:
        c.until(lambda m: m.msgid == 2 and m.tag == fs.SEARCH_ENTRY, what="an entry for #2")
    return c


@test
def the_relays_message_ids_never_reach_the_client():
    s = slapd()
    for kind in ("cancel", "abandon"):
        with Relay(s.uri, ["--sessions", 1, "--" + kind, "--after-entries", 5]) as relay:
            c = raw_session(relay.port, kind == "cancel")
            if kind == "abandon":
                relay.proc.wait_for("out", r"-> #\d+ AbandonRequest id=2$")
            c.send(fs.extended_request(3, fs.WHOAMI_OID))
            c.until(lambda m: m.msgid == 3, what="the WhoAmI's answer #3")
            c.send(fs.unbind_request(4))
            ok(c.drain(10), "%s: the relay closes the connection after the unbind" % kind)
            c.close()
            rr = relay.wait()
        eq(c.msgids(), [1, 2, 3], "%s: message IDs the client received" % kind)
        eq(sum(1 for m in c.received if m.tag == fs.SEARCH_ENTRY), entries(sessions(rr.out)[1]),
           "%s: the client got every entry the trace shows" % kind)
        _, lines, _ = check_session(rr.out, 1, client=c.address)
        mine = relay_interrupt(lines, kind, {1, 2, 3, 4}, kind)
        if kind == "cancel":
            done = [m for m in c.received if m.tag == fs.SEARCH_DONE]
            eq([(m.msgid, m.get("code")) for m in done], [(2, fs.CANCELED)], "the search's result, canceled")
            eq(by_msgid(lines)[mine.msgid], [("->", "ExtendedRequest"), ("<-", "ExtendedResponse")],
               "the relay's Cancel was answered; the client never saw it")
        else:
            eq([m for m in c.received if m.tag == fs.SEARCH_DONE], [], "no result after the abandon")


if __name__ == "__main__":
    tap_main()
