# SPDX-License-Identifier: BSD-2-Clause
"""Helpers for the tests of ldaptrace --listen (the relay), on top of ldaptest:
start a relay and read its port from its "listening on" line, cut its trace
into sessions, and a raw LDAP client that records every message it receives."""

import base64
import re
import signal
import socket
import time

from ldaptest import diag, eq, fail, scaled, spawn, _fixture_import

# faultserver.py's BER encoder, framer and decoder: the raw client below
# speaks through them, so that a test sees every message ID on the wire.
fs = _fixture_import("faultserver")

LISTENING = re.compile(r"^ldaptrace: listening on (ldaps?://127\.0\.0\.1:(\d+)), relaying to (\S+)$", re.M)

# One text trace line of the relay: the session number and the client's
# address, then ldaptrace's own line (tests/integration/test_trace.py).
LINE = re.compile(r"^\[(\d+) (\d+\.\d+\.\d+\.\d+:\d+)\] +(\d+\.\d{6}) (->|<-) (?:#(\d+) )?(\S+)(.*)$")
SUMMARY = re.compile(r"^\[(\d+) (\d+\.\d+\.\d+\.\d+:\d+)\] summary: (.*)$", re.M)
# the final summary, on standard error, once the relay stops
FINAL = re.compile(r"^ldaptrace: (\d+) sessions?(?: \((\d+) failed\))?, (\d+) messages? from the clients \(\d+ bytes\), "
                   r"(\d+) to them \(\d+ bytes\)$", re.M)

SEARCH_RESULT_ENTRY = "SearchResultEntry"


class Line:
    __slots__ = ("session", "client", "t", "arrow", "msgid", "op", "rest", "text")

    def __init__(self, m):
        self.session = int(m.group(1))
        self.client = m.group(2)
        self.t = float(m.group(3))
        self.arrow = m.group(4)
        self.msgid = int(m.group(5)) if m.group(5) else None
        self.op = m.group(6)
        self.rest = m.group(7)
        self.text = m.group(0)

    def __repr__(self):
        return "<%s>" % self.text


def trace_lines(out):
    """Every message line of a text trace (other lines, such as hex dumps and
    summaries, are left out)."""
    return [Line(m) for m in map(LINE.match, out.splitlines()) if m]


def sessions(out):
    """{session number: [Line]} in the order the lines came."""
    res = {}
    for l in trace_lines(out):
        res.setdefault(l.session, []).append(l)
    return res


def summaries(out):
    """{session number: (client, summary text)}; fails on a session with two."""
    res = {}
    for m in SUMMARY.finditer(out):
        k = int(m.group(1))
        if k in res:
            fail("session %d has two summary lines:\n%s\n%s" % (k, res[k][1], m.group(0)))
        res[k] = (m.group(2), m.group(3))
    return res


def ops(lines):
    """(arrow, msgid, op) of each line: what a test compares with the exchange it expects."""
    return [(l.arrow, l.msgid, l.op) for l in lines]


def entries(lines):
    return sum(1 for l in lines if l.op == SEARCH_RESULT_ENTRY)


def every_line_prefixed(out, what):
    """Every line of a text trace opens with a session number and a client
    address (message lines, hex dumps, summaries alike)."""
    for line in out.splitlines():
        if not re.match(r"^\[\d+ \d+\.\d+\.\d+\.\d+:\d+\] ", line):
            fail("%s: a trace line without its session and client: %r" % (what, line))


def check_session(out, k, client=None):
    """Session k's lines all carry one client address (the given one, if
    any) and the session has exactly one summary line, naming the same
    client. Returns (client, its lines, its summary)."""
    lines = sessions(out).get(k)
    if not lines:
        fail("no trace line for session %d in:\n%s" % (k, out[-3000:]))
    addrs = sorted({l.client for l in lines})
    eq(len(addrs), 1, "session %d: one client address on all its lines (%s)" % (k, addrs))
    if client is not None:
        eq(addrs[0], client, "session %d: the client's address" % k)
    summ = summaries(out)
    if k not in summ:
        fail("session %d has no summary line in:\n%s" % (k, out[-3000:]))
    eq(summ[k][0], addrs[0], "session %d: the summary names the client of its lines" % k)
    return addrs[0], lines, summ[k][1]


class Relay:
    """ldaptrace --listen on a port the kernel picks, relaying to upstream.
    A context manager; .uri is the listening URI read from the tool's
    "listening on" line; .wait() returns the Result once it exits."""

    def __init__(self, upstream, args=(), listen="ldap://127.0.0.1:0", env=None):
        self.argv = ["--listen", listen, "-H", upstream] + [str(a) for a in args]
        self.proc = spawn("ldaptrace", self.argv, env=env)
        m = self.proc.wait_for("err", LISTENING.pattern, timeout=10)
        self.uri, self.port, self.upstream = m.group(1), int(m.group(2)), m.group(3)
        self.listen_line = m.group(0)

    def wait_summaries(self, n, timeout=20):
        """Wait until n session summary lines are on standard output."""
        pos = 0
        for _ in range(n):
            pos = self.proc.wait_for("out", SUMMARY.pattern, timeout=timeout, pos=pos).end()
        return pos

    def stop(self, sig=signal.SIGINT, timeout=20):
        self.proc.signal(sig)
        return self.proc.wait(timeout=timeout)

    def wait(self, timeout=20):
        return self.proc.wait(timeout=timeout)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is not None:
            # the failure's own diagnostics show the last command, often a
            # client: the relay's side of the story goes with them
            self.proc.kill()
            diag("the relay, as the test failed: " + self.proc.describe())
        self.proc.cleanup()
        return False


def secret_forms(secret):
    """The ways a password's bytes could show in a trace: as text, base64,
    hex in one run and hex as the dumps space it."""
    b = secret.encode()
    return [secret, base64.b64encode(b).decode(), b.hex(), " ".join("%02x" % c for c in b)]


def hex_bytes(out):
    """The bytes of every hex dump line of a --hex trace, run together as
    one hex string (a secret cut across two dump lines is still found)."""
    dump = re.compile(r"^(?:\[\d+ [^\]]+\])? *((?:[0-9a-f]{2}|\*\*)(?: (?:[0-9a-f]{2}|\*\*))*)$")
    return "".join(m.group(1).replace(" ", "") for m in map(dump.match, out.splitlines()) if m)


class RawClient:
    """An LDAP client on a plain socket: writes the requests it is given,
    byte for byte, and keeps every message it receives (.received), so a
    test sees each message ID that reached the client."""

    def __init__(self, port, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=scaled(timeout))
        self.address = "%s:%d" % self.sock.getsockname()[:2]
        self.framer = fs.Framer()
        self.received = []
        self.closed = False

    def send(self, data):
        self.sock.sendall(data)

    def _read(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return False
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.closed = True
            return False
        for raw in self.framer.feed(chunk):
            self.received.append(fs.decode_message(raw))
        return True

    def until(self, pred, timeout=10, what="the expected message"):
        """Read until pred(message) holds for a message received; returns it.
        Fails on the deadline or when the relay closes the connection first."""
        deadline = time.monotonic() + scaled(timeout)
        seen = 0
        while True:
            for m in self.received[seen:]:
                if pred(m):
                    return m
            seen = len(self.received)
            if not self._read(deadline):
                fail("%s never came (%s after %d messages; last: %r)"
                     % (what, "connection closed" if self.closed else "timed out",
                        len(self.received), self.received[-3:]))

    def drain(self, seconds):
        """Keep reading for `seconds` (what arrives is kept); True if the
        connection was closed meanwhile."""
        deadline = time.monotonic() + seconds
        while not self.closed and self._read(deadline):
            pass
        return self.closed

    def msgids(self):
        return sorted({m.msgid for m in self.received})

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
