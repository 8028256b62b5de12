#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""ldaptrace --listen, the relay: the built ldaptrace between a real client
(ldapsearch, a raw socket) and the real slapd; what the client gets is what
it gets directly, and the trace has every message of every session with its
number and the client's address. The clients' side in depth (ldapmodify,
python-ldap, many sessions) is test_relay_clients.py's and
test_relay_robust.py's."""

import json
import os
import re
import signal
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403

LISTENING = r"^ldaptrace: listening on (ldaps?://127\.0\.0\.1:(\d+)), relaying to (\S+)$"
LINE = re.compile(r"^\[(\d+) (127\.0\.0\.1:\d+)\] +(\d+\.\d{6}) (->|<-) (?:#(\d+) )?(\S+)(.*)$")
SUMMARY = re.compile(r"^\[(\d+) (127\.0\.0\.1:\d+)\] summary: sent (\d+) messages \((\d+) bytes\), "
                     r"received (\d+) \((\d+) bytes\), (\d+) entr(?:y|ies)$", re.M)


def relay(s, *args, uri=None):
    """ldaptrace --listen on a free port, relaying to s; (Proc, its URI)."""
    p = spawn("ldaptrace", ["--listen", "ldap://127.0.0.1:0", "-H", uri or s.uri] + list(args))
    m = p.wait_for("stderr", LISTENING)
    eq(m.group(3), uri or s.uri, "the upstream named on the listening line")
    return p, m.group(1)


def messages(out):
    """(session, client, arrow, msgid, op, rest) of each trace line."""
    return [(int(m.group(1)), m.group(2), m.group(4), m.group(5) and int(m.group(5)), m.group(6), m.group(7))
            for m in map(LINE.match, out.splitlines()) if m]


def ldapsearch(uri, *args):
    return run("ldapsearch", ["-x", "-H", uri] + list(args))


def certificate(s):
    """The fixture's server certificate and key, for the relay's side."""
    return ["--listen-cert", os.path.join(s.dir, "server.pem"), "--listen-key", os.path.join(s.dir, "server.key")]


def schema_problems(kind, obj):
    import jsonschema
    with open(os.path.join(SRCDIR, "docs", "schema", kind + ".json")) as f:
        v = jsonschema.Draft202012Validator(json.load(f))
    return [e.message for e in v.iter_errors(obj)]


def have_jsonschema():
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        return False
    return True


@test
def ldapsearch_through_the_relay_gets_what_it_gets_directly():
    s = slapd()
    args = ["-b", s.people_base, "-s", "one", "(uid=u00001*)", "cn", "mail"]
    direct = ldapsearch(s.uri, *args)
    p, uri = relay(s, "--sessions", "1")
    through = ldapsearch(uri, *args)
    r = p.wait()
    eq(through.rc, direct.rc, "ldapsearch's exit status")
    eq(through.out, direct.out, "ldapsearch's output, byte for byte")
    eq(r.rc, 0, "the relay exits 0 after --sessions 1")
    m = messages(r.out)
    eq([(a, i, op) for _, _, a, i, op, _ in m],
       [("->", 1, "BindRequest"), ("<-", 1, "BindResponse"), ("->", 2, "SearchRequest")]
       + [("<-", 2, "SearchResultEntry")] * 10
       + [("<-", 2, "SearchResultDone"), ("->", 3, "UnbindRequest"), ("->", None, "connection")],
       "every message of the session, in order")
    eq({(n, c) for n, c, *_ in m}, {(1, m[0][1])}, "every line names session 1 and one client address")
    eq(m[2][5], ' base="%s" scope=one deref=never sizelimit=0 timelimit=0 typesonly=false '
                'filter="(uid=u00001*)" attrs=[cn,mail]' % s.people_base, "the search as the client sent it")
    eq(m[-1][5], " closed by the client", "the client closed")
    sm = SUMMARY.search(r.out)
    ok(sm, "the session's summary line")
    eq((sm.group(1), sm.group(3), sm.group(5), sm.group(7)), ("1", "3", "12", "10"), "summary counts")
    eq(r.out.splitlines()[-1], sm.group(0), "the summary ends the session")
    matches(r.err, r"^ldaptrace: 1 session, 3 messages from the clients \(\d+ bytes\), 12 to them \(\d+ bytes\)$",
            "the relay's last line")


@test
def a_bind_password_is_redacted():
    s = slapd()
    p, uri = relay(s, "--sessions", "1")
    ldapsearch(uri, "-D", s.admin_dn, "-w", s.admin_pw, "-b", s.base, "-s", "base", "1.1")
    r = p.wait()
    eq(r.rc, 0, "exit status")
    contains(r.out, 'BindRequest version=3 dn="%s" simple=<redacted %d bytes>' % (s.admin_dn, len(s.admin_pw)),
             "the bind, its password redacted")
    not_contains(r.out, s.admin_pw, "the password is nowhere")


@test
def listen_addresses_that_are_refused():
    s = slapd()
    for listen, why in [
            ("ldap://:0", "'ldap://:0': give the address to listen on (127.0.0.1 for this machine only; "
                          "0.0.0.0 or an IP address to accept others)"),
            ("ldap://127.0.0.1", "'ldap://127.0.0.1': give the port (0: any free one), as in ldap://127.0.0.1:0"),
            ("ldap://127.0.0.1:0/dc=example", "'ldap://127.0.0.1:0/dc=example': give only a host and a port"),
            ("ldaps://127.0.0.1:0", "ldaps:// needs --listen-cert and --listen-key"),
            ("http://127.0.0.1:0", "'http://127.0.0.1:0' is not an LDAP URI (ldap://HOST:PORT or "
                                   "ldaps://HOST:PORT)")]:
        r = run("ldaptrace", ["--listen", listen, "-H", s.uri])
        eq(r.rc, 1, "exit status for %s" % listen)
        eq(r.err, "ldaptrace: --listen: %s\n" % why, "the one line for %s" % listen)
        eq(r.out, "", "nothing on stdout")


@test
def options_that_do_not_apply_to_the_relay():
    s = slapd()
    for args, line in [
            (["-D", s.admin_dn, "-w", "x"], "ldaptrace: --listen: the relay never binds: its clients' binds pass "
                                            "through (give no -D, -w, -W, -y or SASL option)"),
            (["-b", s.base], "ldaptrace: --listen: relays its clients' operations: give no filter, attributes, "
                             "-b, -s, -a, -z, -l, -A, -E, -f or --msgid"),
            (["(uid=x)"], "ldaptrace: --listen: relays its clients' operations: give no filter, attributes, "
                          "-b, -s, -a, -z, -l, -A, -E, -f or --msgid"),
            (["--timeout", "1s"], "ldaptrace: --listen: traces sessions until stopped: -L, --count, --audit, -n "
                                  "and --timeout do not apply")]:
        r = run("ldaptrace", ["--listen", "ldap://127.0.0.1:0", "-H", s.uri] + args)
        eq((r.rc, r.err), (1, line + "\n"), "refused: %s" % args)
    r = run("ldaptrace", ["-H", s.uri, "--sessions", "2"])
    eq((r.rc, r.err), (1, "ldaptrace: --sessions: applies to the relay: give --listen too\n"), "--sessions alone")


@test
def garbage_from_a_client_ends_its_session_only():
    s = slapd()
    p, uri = relay(s, "--sessions", "2")
    port = int(uri.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as bad:
        bad.sendall(b"GET / HTTP/1.0\r\n\r\n")
        p.wait_for("stderr", r"^ldaptrace: session 1 \(127\.0\.0\.1:\d+\): the client sent a malformed message: "
                             r"not an LDAPMessage \(expected a SEQUENCE, tag 0x30\)$")
        eq(bad.recv(100), b"", "the relay closed the bad client's connection, forwarding nothing")
    good = ldapsearch(uri, "-b", s.base, "-s", "base", "1.1")
    eq(good.rc, 0, "the next client is served")
    r = p.wait()
    eq(r.rc, 0, "exit status")
    matches(r.out, r"^\[1 127\.0\.0\.1:\d+\]     \d\.\d{6} -> malformed: not an LDAPMessage \(expected a SEQUENCE, "
                   r"tag 0x30\) \(18 bytes\)$", "the garbage in the trace")
    matches(r.out, r"^\[2 127\.0\.0\.1:\d+\] summary: sent 3 messages", "session 2 traced")
    matches(r.err, r"^ldaptrace: 2 sessions \(1 failed\), ", "the last line counts the failed session")


@test
def ctrl_c_stops_listening_and_exits_130_with_the_last_line():
    s = slapd()
    p, uri = relay(s)
    ldapsearch(uri, "-b", s.base, "-s", "base", "1.1")
    p.wait_for("stdout", r"^\[1 127\.0\.0\.1:\d+\] summary: ")
    p.signal(signal.SIGINT)
    r = p.wait()
    eq(r.rc, 130, "exit status for Ctrl-C, as ldaptrace's without an interrupt")
    eq(r.err.splitlines()[-1], "ldaptrace: 1 session, 3 messages from the clients (%d bytes), 3 to them (%d bytes)"
       % tuple(map(int, re.search(r"sent 3 messages \((\d+) bytes\), received 3 \((\d+) bytes\)", r.out).groups())),
       "the last line")


@test
def sigterm_exits_143():
    s = slapd()
    p, _ = relay(s)
    p.signal(signal.SIGTERM)
    r = p.wait()
    eq(r.rc, 143, "exit status for SIGTERM")
    eq(r.err.splitlines()[-1], "ldaptrace: 0 sessions, 0 messages from the clients (0 bytes), 0 to them (0 bytes)",
       "the last line")


@test(skip_unless=have_jsonschema, reason="python3-jsonschema is not installed")
def json_lines_carry_the_session_and_end_with_its_summary():
    s = slapd()
    p, uri = relay(s, "--json", "--sessions", "1")
    ldapsearch(uri, "-D", s.admin_dn, "-w", s.admin_pw, "-b", s.base, "-s", "base", "1.1")
    r = p.wait()
    eq(r.rc, 0, "exit status")
    lines = [json.loads(l) for l in r.out.splitlines()]
    eq([l.get("op") for l in lines], ["BindRequest", "BindResponse", "SearchRequest", "SearchResultEntry",
                                      "SearchResultDone", "UnbindRequest", "closed", None], "the lines")
    for l in lines[:-1]:
        eq(schema_problems("trace-event", l), [], "valid trace-event: %s" % l)
        eq((l["session"], l["client"]), (1, lines[0]["client"]), "session and client")
    eq(lines[0]["simple"], "<redacted %d bytes>" % len(s.admin_pw), "the password redacted")
    last = lines[-1]
    eq(schema_problems("relay-session", last), [], "valid relay-session")
    eq((last["session"], last["messages"], last["entries"], last["end"]),
       (1, {"sent": 3, "received": 3}, 1, "client-closed"), "the session's summary")
    matches(r.err, r"^ldaptrace: listening on ldap://127\.0\.0\.1:\d+, relaying to ", "the listening line")


@test
def starttls_without_a_certificate_is_answered_protocol_error():
    s = slapd()
    p, uri = relay(s, "--sessions", "1")
    c = ldapsearch(uri, "-ZZ", "-b", s.base, "-s", "base", "1.1")
    eq(c.rc, 1, "ldapsearch -ZZ gives up, as with a server without StartTLS")
    contains(c.err, "additional info: ldaptrace relay: StartTLS needs --listen-cert and --listen-key",
             "the client is told why")
    r = p.wait()
    m = messages(r.out)
    eq([(a, i, op) for _, _, a, i, op, _ in m][:2], [("->", 1, "ExtendedRequest"), ("<-", 1, "ExtendedResponse")],
       "the StartTLS and the relay's answer")
    eq(m[1][5], ' protocolError (2) message="ldaptrace relay: StartTLS needs --listen-cert and --listen-key" '
                'oid=1.3.6.1.4.1.1466.20037 (StartTLS)', "the answer traced")


@test
def starttls_with_a_certificate_secures_both_legs():
    s = slapd()
    for upstream in (s.uri, s.ldaps_uri):
        off = s.log_offset()
        p, uri = relay(s, "--sessions", "1", *certificate(s), uri=upstream)
        args = ["-b", s.people_base, "-s", "one", "(uid=u00002*)", "cn"]
        c = ldapsearch(uri, "-ZZ", "-D", s.admin_dn, "-w", s.admin_pw, *args)
        eq(c.rc, 0, "ldapsearch -ZZ through the relay to %s" % upstream)
        eq(c.out, ldapsearch(s.uri, "-ZZ", "-D", s.admin_dn, "-w", s.admin_pw, *args).out, "the same entries")
        r = p.wait()
        eq(r.rc, 0, "exit status")
        m = messages(r.out)
        eq([(a, i, op) for _, _, a, i, op, _ in m][:4],
           [("->", 1, "ExtendedRequest"), ("<-", 1, "ExtendedResponse"), ("->", 2, "BindRequest"),
            ("<-", 2, "BindResponse")], "StartTLS answered, then the bind in plaintext in the trace")
        eq(m[1][5], " success (0) oid=1.3.6.1.4.1.1466.20037 (StartTLS)", "the relay's answer")
        contains(m[2][5], "simple=<redacted %d bytes>" % len(s.admin_pw), "the password redacted")
        s.wait_for_log(r"conn=\d+ fd=\d+ TLS established", since=off)


@test
def an_ldaps_listener_with_the_relays_certificate():
    s = slapd()
    p = spawn("ldaptrace", ["--listen", "ldaps://127.0.0.1:0", "-H", s.uri, "--sessions", "1"] + certificate(s))
    uri = p.wait_for("stderr", LISTENING.replace("ldaps?", "ldaps")).group(1)
    c = ldapsearch(uri, "-b", s.base, "-s", "base", "1.1")
    eq(c.rc, 0, "ldapsearch over ldaps:// to the relay")
    r = p.wait()
    eq(r.rc, 0, "exit status")
    eq([op for _, _, _, _, op, _ in messages(r.out)],
       ["BindRequest", "BindResponse", "SearchRequest", "SearchResultEntry", "SearchResultDone", "UnbindRequest",
        "connection"], "the session, in plaintext")


# An anonymous simple BindRequest, message 1, and what a server answers it.
BIND = bytes.fromhex("300c020101600702010304008000")


def bind_only(uri):
    """A client that binds and unbinds on a raw socket: the BindResponse's bytes."""
    host, port = uri.split("//")[1].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=scaled(10)) as c:
        c.sendall(BIND)
        reply = c.recv(4096)
        c.sendall(bytes.fromhex("30050201024200"))
    return reply


def read_to_close(sock):
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


@test
def a_server_that_misbehaves_ends_that_session_only():
    for scenario, why in [
            ("garbage", "not an LDAPMessage \\(expected a SEQUENCE, tag 0x30\\)"),
            ("huge-length", "length beyond the limit for one message"),
            ("close-mid-message", "truncated: the stream ended inside a message")]:
        with faultserver(scenario) as f:
            p = spawn("ldaptrace", ["--listen", "ldap://127.0.0.1:0", "-H", f.uri, "--sessions", "2"])
            uri = p.wait_for("stderr", LISTENING).group(1)
            c = ldapsearch(uri, "-b", "dc=example,dc=com")
            ne(c.rc, 0, "%s: ldapsearch sees the server's fault" % scenario)
            p.wait_for("stderr", r"^ldaptrace: session 1 \(127\.0\.0\.1:\d+\): the server sent a malformed "
                                 r"message: %s$" % why)
            eq(bind_only(uri)[:2], b"\x30\x0c", "%s: the next client is served" % scenario)
            r = p.wait()
            eq(r.rc, 0, "%s: exit status" % scenario)
            matches(r.err, r"^ldaptrace: 2 sessions \(1 failed\), ", "%s: the last line" % scenario)
            matches(r.out, r"^\[1 127\.0\.0\.1:\d+\] summary: sent 2 messages \(\d+ bytes\), received \d+ ",
                    "%s: session 1's summary" % scenario)


@test
def a_client_that_closes_inside_a_message_or_claims_a_huge_one():
    s = slapd()
    p, uri = relay(s, "--sessions", "3")
    port = int(uri.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as c:
        c.sendall(BIND[:7])
    p.wait_for("stderr", r"^ldaptrace: session 1 \(127\.0\.0\.1:\d+\): the client sent a malformed message: "
                         r"truncated: the stream ended inside a message$")
    with socket.create_connection(("127.0.0.1", port)) as c:
        c.sendall(bytes.fromhex("3084c0000000020101"))
        p.wait_for("stderr", r"^ldaptrace: session 2 \(127\.0\.0\.1:\d+\): the client sent a malformed "
                             r"message: length beyond the limit for one message$")
        eq(read_to_close(c), b"", "closed, nothing sent back")
    eq(bind_only(uri)[:2], b"\x30\x0c", "the next client is served")
    r = p.wait()
    eq(r.rc, 0, "exit status")
    matches(r.err, r"^ldaptrace: 3 sessions \(2 failed\), 2 messages from the clients ", "the last line")


@test
def tls_spoken_to_a_plain_listener_is_named():
    s = slapd()
    p, uri = relay(s, "--sessions", "1")
    c = ldapsearch(uri.replace("ldap://", "ldaps://"), "-b", s.base, "-s", "base", "1.1")
    ne(c.rc, 0, "ldapsearch over ldaps:// to a plain listener fails")
    r = p.wait()
    matches(r.err, r"^ldaptrace: session 1 \(127\.0\.0\.1:\d+\): the client sent a malformed message: not an "
                   r"LDAPMessage \(expected a SEQUENCE, tag 0x30\) \(a TLS handshake: the client wants ldaps://\)$",
            "the hint")


if __name__ == "__main__":
    tap_main()
