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
def after_ctrl_c_open_sessions_go_on_for_wait():
    s = slapd()
    p, uri = relay(s, "--wait", "20s")
    c = bound_client(uri)
    p.signal(signal.SIGINT)
    wait_refused(uri)  # stopped: no new clients (its probes may have been taken as sessions)
    c.send(message(2, search_request(s.base, scope=0)))
    got = c.read_until(lambda f: any(t == SEARCH_DONE for _, t, _ in f))
    eq(got[-1], (2, SEARCH_DONE, 0), "the open session is served after Ctrl-C")
    c.close()
    r = p.wait()
    eq(r.rc, 130, "exit status")
    matches(r.err.splitlines()[-1], r"^ldaptrace: \d+ sessions?, ", "the last line, once the session ended")
    matches(r.out, r"^\[1 127\.0\.0\.1:\d+\]  +\d+\.\d{6} -> connection closed by the client$", "closed by the client")


@test
def after_wait_the_relay_closes_what_is_still_open():
    s = slapd()
    p, uri = relay(s, "--wait", "200ms")
    c = bound_client(uri)
    p.signal(signal.SIGINT)
    eq(read_to_close(c.sock), b"", "the relay closed the idle session")
    c.close()
    r = p.wait()
    eq(r.rc, 130, "exit status")
    matches(r.out, r"^\[1 127\.0\.0\.1:\d+\]  +\d+\.\d{6} -> connection closed by the relay: it was stopped$",
            "the trace says who closed it")
    r = run("ldaptrace", ["--listen", "ldap://127.0.0.1:0", "-H", s.uri, "--after", "1s"])
    eq((r.rc, r.err), (1, "ldaptrace: arguments: --after and --after-entries need --abandon or --cancel\n"),
       "--after without an interrupt")


@test
def a_second_ctrl_c_closes_open_sessions_at_once():
    s = slapd()
    p, uri = relay(s, "--wait", "1h")
    c = bound_client(uri)
    p.signal(signal.SIGINT)
    wait_refused(uri)
    p.signal(signal.SIGINT)
    eq(read_to_close(c.sock), b"", "the relay closed the session")
    c.close()
    r = p.wait()
    eq(r.rc, 130, "exit status")
    matches(r.out, r"-> connection closed by the relay: it was stopped$", "who closed it")


@test
def a_stop_cuts_short_a_connection_to_the_server_under_way():
    with faultserver("tls-silent") as f:
        p, uri = relay(None, "--wait", "100ms", uri=f.uri.replace("ldap://", "ldaps://"))
        c = RawClient(uri)
        f.wait_log(lambda rec: rec.get("event") == "open")  # the relay's handshake is under way
        p.signal(signal.SIGINT)
        r = p.wait(timeout=5)
        c.close()
    eq(r.rc, 130, "exit status: the relay did not wait for the handshake's 30 s")
    matches(r.out, r"-> connection closed by the relay: it was stopped$", "who closed it")


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


# ---- a client on a raw socket, to see every byte the relay gives it ----

def tlv(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + length + content


def integer(v, tag=0x02):
    return tlv(tag, v.to_bytes((v.bit_length() + 8) // 8, "big"))


def message(msgid, op):
    return tlv(0x30, integer(msgid) + op)


def search_request(base, attrs=("cn",), scope=2):
    """A search of base (subtree, unless scope says), filter (objectClass=*)."""
    return tlv(0x63, tlv(0x04, base.encode()) + integer(scope, 0x0a) + integer(0, 0x0a) + integer(0) + integer(0)
               + tlv(0x01, b"\x00") + tlv(0x87, b"objectClass")
               + tlv(0x30, b"".join(tlv(0x04, a.encode()) for a in attrs)))


def frames(data):
    """(msgid, protocolOp tag, resultCode or None) of each whole message."""
    out = []
    while data:
        n, hdr = data[1], 2
        if n & 0x80:
            hdr += n & 0x7f
            n = int.from_bytes(data[2:hdr], "big")
        body, data = data[hdr:hdr + n], data[hdr + n:]
        mlen = body[1]
        msgid = int.from_bytes(body[2:2 + mlen], "big")
        op = body[2 + mlen:]
        code = None
        if op[0] in (0x61, 0x65, 0x78):
            olen_hdr = 2 + (op[1] & 0x7f if op[1] & 0x80 else 0)
            code = op[olen_hdr + 2]
        out.append((msgid, op[0], code))
    return out


class RawClient:
    """A client that sends what it is told and keeps every byte it gets."""

    def __init__(self, uri):
        host, port = uri.split("//")[1].rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=scaled(10))
        self.data = b""

    def send(self, data):
        self.sock.sendall(data)

    def read_until(self, pred):
        """Reads until pred(frames so far) holds."""
        while not pred(frames_whole(self.data)):
            chunk = self.sock.recv(65536)
            if not chunk:
                fail("the relay closed the connection; got %r" % frames_whole(self.data))
            self.data += chunk
        return frames_whole(self.data)

    def close(self):
        self.sock.close()


def wait_refused(uri, timeout=10):
    """Waits until the relay no longer listens (it has taken a stop)."""
    import time
    host, port = uri.split("//")[1].rsplit(":", 1)
    deadline = time.monotonic() + scaled(timeout)
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, int(port)), timeout=scaled(1)).close()
        except (ConnectionRefusedError, ConnectionResetError):
            return  # (reset: it was in the backlog when the listener closed)
        except socket.timeout:
            pass
    fail("the relay still listens on %s" % uri)


def bound_client(uri):
    """A RawClient that has bound anonymously (message 1)."""
    c = RawClient(uri)
    c.send(BIND)
    c.read_until(lambda f: len(f) >= 1)
    return c


def frames_whole(data):
    """frames() of the whole messages at the start of data."""
    end = 0
    while end + 2 <= len(data):
        n, hdr = data[end + 1], 2
        if n & 0x80:
            if end + 2 + (n & 0x7f) > len(data):
                break
            hdr += n & 0x7f
            n = int.from_bytes(data[end + 2:end + hdr], "big")
        if end + hdr + n > len(data):
            break
        end += hdr + n
    return frames(data[:end])


SEARCH_DONE, EXTENDED_RESPONSE, ENTRY = 0x65, 0x78, 0x64

# An interrupt of a search that is still running when it lands, whatever
# the machine's load: a refreshAndPersist search of an empty container,
# past its refresh (slapd 2.5.13 must not be cancelled during one), with
# entries added to it then, so that the trigger counts persist-phase ones.
SYNC_RP = tlv(0xa0, tlv(0x30, tlv(0x04, b"1.3.6.1.4.1.4203.1.9.1.1") + tlv(0x01, b"\xff")
                        + tlv(0x04, tlv(0x30, integer(3, 0x0a)))))


def container(s):
    import uuid
    ou = "relay-" + uuid.uuid4().hex[:8]
    dn = "ou=%s,ou=scratch,%s" % (ou, s.base)
    r = run("ldapadd", ["-x", "-H", s.uri, "-D", s.admin_dn, "-w", s.admin_pw],
            stdin="dn: %s\nobjectClass: organizationalUnit\nou: %s\n" % (dn, ou))
    eq(r.rc, 0, "ldapadd %s" % dn)
    return dn


def add_entries(s, dn, n):
    r = run("ldapadd", ["-x", "-H", s.uri, "-D", s.admin_dn, "-w", s.admin_pw],
            stdin="".join("dn: cn=p%d,%s\nobjectClass: person\ncn: p%d\nsn: persist\n\n" % (i, dn, i)
                          for i in range(n)))
    eq(r.rc, 0, "ldapadd %d entries" % n)


def persistent_raw(s, p, uri, msgid, adds):
    """A raw client's refreshAndPersist search through the relay p, past its
    refresh, then `adds` entries: the client."""
    dn = container(s)
    c = bound_client(uri)
    c.send(message(msgid, search_request(dn, scope=1) + SYNC_RP))
    p.wait_for("stdout", r"<- #%d IntermediateResponse" % msgid)
    add_entries(s, dn, adds)
    return c


def persistent_ldapsearch(s, p, uri, adds, until):
    """ldapsearch -E sync=rp through the relay p, past its refresh, then
    `adds` entries; once its output matches `until` (it waits for more
    after any result of a persistent search), the output."""
    dn = container(s)
    with spawn("stdbuf", ["-oL", "ldapsearch", "-x", "-H", uri, "-b", dn, "-s", "one", "-E", "sync=rp",
                          "cn"]) as c:
        p.wait_for("stdout", r"<- #\d+ IntermediateResponse")
        add_entries(s, dn, adds)
        c.wait_for("stdout", until, timeout=30)
        c.kill()
        return c.out


@test
def a_server_that_cannot_be_reached_fails_that_session_and_the_client_is_told():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = "ldap://127.0.0.1:%d" % closed.getsockname()[1]
        p, uri = relay(None, "--sessions", "1", uri=dead)
        c = RawClient(uri)
        got = frames_whole(read_to_close(c.sock))
        c.close()
    eq(got, [(0, EXTENDED_RESPONSE, 52)], "a Notice of Disconnection, unavailable (52)")
    r = p.wait()
    eq(r.rc, 0, "exit status")
    contains(r.err, "\nldaptrace: session 1 (%s): cannot connect to the server: Can't contact LDAP server (-1)\n"
             % re.search(r"\[1 (\S+)\]", r.out).group(1), "the session's line")
    matches(r.out, r'<- #0 ExtendedResponse unavailable \(52\) message="ldaptrace relay: cannot connect to the server: '
                   r'Can\'t contact LDAP server" oid=1\.3\.6\.1\.4\.1\.1466\.20036 \(NoticeOfDisconnection\)$',
            "the notice in the trace")


@test
def cancel_a_clients_search_the_client_gets_canceled():
    s = slapd()
    p, uri = relay(s, "--sessions", "1", "--cancel", "--after-entries", "5")
    out = persistent_ldapsearch(s, p, uri, 5, r"^result: 118 Cancelled$")
    eq(out.count("\ndn: "), 5, "ldapsearch got the server's canceled (118) after 5 entries")
    r = p.wait()
    eq(r.rc, 0, "exit status")
    m = messages(r.out)
    cancel = [x for x in m if x[4] == "ExtendedRequest"]
    eq([(a, i, rest) for _, _, a, i, _, rest in cancel],
       [("->", 2147483647, " oid=1.3.6.1.1.8 (Cancel) cancelID=2")], "the relay's Cancel, under its own ID")
    matches(r.out, r"^\[1 127\.0\.0\.1:\d+\]   cancel of message 2 sent as message 2147483647 at [0-9.]+ ms "
                   r"\(trigger: 5 entries; on the wire \d+ us later\)$", "the report's interrupt line")
    matches(r.out, r"^\[1 127\.0\.0\.1:\d+\] canceled: the server stopped the search [0-9.]+ ms after the cancel$",
            "the outcome as ldapcancel words it")
    matches(r.out, r"^\[1 127\.0\.0\.1:\d+\] summary: sent 2 messages .*; interrupted: 1 canceled$",
            "the session's summary: the client's 2 messages, the outcome")
    matches(r.out, r"^\[1 127\.0\.0\.1:\d+\]   before the cancel: 5 entries, 1 intermediate response$",
            "the refresh's SyncInfo and the 5 entries")


@test
def the_relays_own_answers_never_reach_the_client():
    s = slapd()
    p, uri = relay(s, "--sessions", "1", "--cancel", "--after-entries", "1")
    c = persistent_raw(s, p, uri, 2, 3)
    got = c.read_until(lambda f: any(t == SEARCH_DONE for _, t, _ in f))
    p.wait_for("stdout", r"canceled: the server stopped the search")
    c.send(bytes.fromhex("30050201034200"))
    c.sock.shutdown(socket.SHUT_WR)
    got = frames_whole(c.data + read_to_close(c.sock))
    c.close()
    eq(sorted({i for i, _, _ in got}), [1, 2], "the client got messages 1 and 2 only, nothing of 2147483647")
    eq(got[-1], (2, SEARCH_DONE, 118), "its search ended canceled (118)")
    ok(all(t in (ENTRY, 0x79) for _, t, _ in got[1:-1]), "entries (and the SyncInfo) before it")
    r = p.wait()
    contains(r.out, "<- #2147483647 ExtendedResponse success (0)", "the Cancel's answer is in the trace")


@test
def abandon_a_clients_search_the_entries_stop():
    s = slapd()
    p, uri = relay(s, "--sessions", "1", "--abandon", "--after-entries", "3", "--wait", "300ms")
    c = persistent_raw(s, p, uri, 2, 3)
    p.wait_for("stdout", r"^\[1 127\.0\.0\.1:\d+\] abandoned: no result for the search in the 300 ms of silence "
                         r"after the abandon")
    c.sock.shutdown(socket.SHUT_WR)
    got = frames_whole(c.data + read_to_close(c.sock))
    c.close()
    eq([(i, t) for i, t, _ in got[1:]], [(2, 0x79)] + [(2, ENTRY)] * 3,
       "the SyncInfo and 3 entries: no result, nothing of the relay's")
    r = p.wait()
    eq(r.rc, 0, "exit status")
    matches(r.out, r"-> #2147483647 AbandonRequest id=2$", "the relay's Abandon in the trace")
    matches(r.out.splitlines()[-1], r"summary: sent 2 messages \(\d+ bytes\), received 5 \(\d+ bytes\), 3 entries; "
                                    r"interrupted: 1 abandoned$", "the summary counts what the client got")


@test
def after_entries_fires_at_the_nth_entry_not_at_the_end_of_a_read():
    s = slapd()
    p, uri = relay(s, "--sessions", "1", "--abandon", "--after-entries", "5", "--wait", "200ms")
    with spawn("ldapsearch", ["-x", "-H", uri, "-b", s.people_base, "cn"]) as c:
        # slapd writes hundreds of entries per read of the relay's
        p.wait_for("stdout", r"^\[1 127\.0\.0\.1:\d+\] (abandoned|too-late|no-response): ")
        c.kill()
    r = p.wait()
    matches(r.out, r"^\[1 127\.0\.0\.1:\d+\]   before the abandon: 5 entries$", "exactly 5 before the abandon")
    ops = [(op, rest) for _, _, _, _, op, rest in messages(r.out)]
    eq(ops[8], ("AbandonRequest", " id=2"), "the Abandon right after the 5th entry (bind, search, 5 entries)")
    eq([op for op, _ in ops[3:8]], ["SearchResultEntry"] * 5, "the 5 entries before it")
    times = [float(m.group(1)) for m in re.finditer(r"^\[1 [^]]+\] +(\d+\.\d{6}) ", r.out, re.M)]
    ok(all(a <= b for a, b in zip(times, times[1:])), "times never go back, though the read went on past the 5th")


@test
def the_relay_never_takes_an_id_the_client_used():
    s = slapd()
    p, uri = relay(s, "--sessions", "1", "--cancel", "--after-entries", "1")
    c = persistent_raw(s, p, uri, 2147483647, 1)
    got = c.read_until(lambda f: any(t == SEARCH_DONE for _, t, _ in f))
    eq(got[-1], (2147483647, SEARCH_DONE, 118), "the client's own 2147483647 ended canceled")
    c.close()
    r = p.wait()
    contains(r.out, "-> #2147483646 ExtendedRequest oid=1.3.6.1.1.8 (Cancel) cancelID=2147483647",
             "the relay took the next ID down")


@test
def an_operation_done_before_its_trigger_is_too_late():
    s = slapd()
    p, uri = relay(s, "--sessions", "1", "--cancel", "--after-entries", "50")
    c = ldapsearch(uri, "-b", s.base, "-s", "base")
    eq(c.rc, 0, "the search ends as it would directly")
    r = p.wait()
    matches(r.out, r"^\[1 127\.0\.0\.1:\d+\] too-late: the search completed with success \(0\) before the cancel "
                   r"was sent$", "too-late, as ldapcancel says it")
    not_contains(r.out, "ExtendedRequest", "no Cancel was sent")


@test
def op_names_the_client_operations_to_interrupt():
    s = slapd()
    r = run("ldaptrace", ["--listen", "ldap://127.0.0.1:0", "-H", s.uri, "--op", "delete"])
    eq((r.rc, r.err), (1, "ldaptrace: --op: with --listen, names the client operations to interrupt: give --abandon "
                          "or --cancel\n"), "--op without an interrupt")
    r = run("ldaptrace", ["--listen", "ldap://127.0.0.1:0", "-H", s.uri, "--op", "delete", "--cancel",
                          "--after-entries", "2"])
    eq((r.rc, r.err), (1, "ldaptrace: --after-entries: counts search entries: use it with --op search\n"),
       "--after-entries with another operation")
    p, uri = relay(s, "--sessions", "1", "--cancel", "--op", "compare")
    c = run("ldapcompare", ["-x", "-H", uri, s.base, "dc:example"])
    eq(c.rc, 6, "ldapcompare gets the server's compareTrue: a compare completes, it cannot be cancelled")
    r = p.wait()
    matches(r.out, r"cancel of message 2 sent as message 2147483647 at [0-9.]+ ms \(trigger: right after the request",
            "the compare was interrupted at once (--after 0)")
    matches(r.out, r"^\[1 127\.0\.0\.1:\d+\] (too-late|no-such-operation): ", "the outcome")


@test(skip_unless=have_jsonschema, reason="python3-jsonschema is not installed")
def an_interrupted_operations_report_as_json():
    s = slapd()
    p, uri = relay(s, "--sessions", "1", "--json", "--cancel", "--after-entries", "5")
    dn = container(s)
    with spawn("ldapsearch", ["-x", "-H", uri, "-b", dn, "-s", "one", "-E", "sync=rp", "cn"]) as c:
        p.wait_for("stdout", r'"op":"IntermediateResponse"')
        add_entries(s, dn, 6)
        p.wait_for("stdout", r'"outcome":"canceled"')
        c.kill()
    r = p.wait()
    lines = [json.loads(l) for l in r.out.splitlines()]
    reports = [l for l in lines if "outcome" in l]
    eq(len(reports), 1, "one report")
    eq(schema_problems("report", reports[0]), [], "valid report.json")
    eq((reports[0]["session"], reports[0]["outcome"], reports[0]["exit"], reports[0]["operation"]["msgid"],
        reports[0]["interrupt"]["msgid"]), (1, "canceled", 0, 2, 2147483647), "the report")
    eq(schema_problems("relay-session", lines[-1]), [], "valid relay-session")
    eq(lines[-1]["outcomes"], {"canceled": 1}, "the session's outcomes")


if __name__ == "__main__":
    tap_main()
