# SPDX-License-Identifier: BSD-2-Clause
"""The mechanics of bench.py's section 8, the relay (ldaptrace --listen):
a relay posix_spawn'ed for one session with its trace written to a file, a
client timed through it, and WhoAmI round trips on a raw socket. bench.py
runs them against the direct connection and renders the figures.

A relay is started before the clock (as one already running would be) and
serves one session (--sessions 1): the clock stops once both the client and
the relay have been reaped, and the relay exits only after the session's
last trace line and summary are written, so a trace that lags behind the
client is paid for."""

import os
import re
import select
import socket
import time

import faultserver as fs  # tests/fixture, on sys.path through bench.py

LISTENING = re.compile(rb"^ldaptrace: listening on (ldap://127\.0\.0\.1:(\d+)), relaying to ", re.M)
FINAL = re.compile(rb"^ldaptrace: (\d+) sessions?(?: \(\d+ failed\))?, (\d+) messages? from the clients "
                   rb"\(\d+ bytes\), (\d+) to them", re.M)
DEVNULL_STDIO = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                 (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                 (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]


class RelayError(RuntimeError):
    pass


class Relay:
    """ldaptrace --listen ldap://127.0.0.1:0 -H upstream --sessions 1, its
    standard output (the trace) in trace_path, standard error in a pipe
    read up to the "listening on" line."""

    def __init__(self, ldaptrace, upstream, trace_path, args=()):
        self.argv = [ldaptrace, "--listen", "ldap://127.0.0.1:0", "-H", upstream, "--sessions", "1"] + list(args)
        rfd, wfd = os.pipe()
        fa = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
              (os.POSIX_SPAWN_OPEN, 1, trace_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
              (os.POSIX_SPAWN_DUP2, wfd, 2)]
        self.pid = os.posix_spawn(self.argv[0], self.argv, os.environ, file_actions=fa)
        os.close(wfd)
        self.rfd = rfd
        self.err = b""
        self.rc = self.rusage = None
        deadline = time.monotonic() + 10
        while not LISTENING.search(self.err):
            left = deadline - time.monotonic()
            chunk = os.read(rfd, 4096) if left > 0 and select.select([rfd], [], [], left)[0] else b""
            if not chunk:
                os.kill(self.pid, 9)
                self.reap()
                raise RelayError("%s: no listening line (exit %s): %r" % (" ".join(self.argv), self.rc, self.err))
            self.err += chunk
        m = LISTENING.search(self.err)
        self.uri, self.port = m.group(1).decode(), int(m.group(2))

    def reap(self):
        """Wait for the relay to exit; its exit status."""
        _, status, self.rusage = os.wait4(self.pid, 0)
        while True:
            chunk = os.read(self.rfd, 65536)
            if not chunk:
                break
            self.err += chunk
        os.close(self.rfd)
        self.rc = os.waitstatus_to_exitcode(status)
        return self.rc

    def messages(self):
        """Messages relayed both ways, from the final summary line."""
        m = FINAL.search(self.err)
        if not m:
            raise RelayError("no final summary from the relay: %r" % self.err[-500:])
        return int(m.group(2)) + int(m.group(3))


def relayed(ldaptrace, upstream, trace_path, client_argv):
    """client_argv(relay URI) run through a fresh relay: {wall_ms (client
    spawned to both reaped), client_ms, client_cpu_ms, relay_cpu_ms,
    messages}."""
    r = Relay(ldaptrace, upstream, trace_path)
    argv = client_argv(r.uri)
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=DEVNULL_STDIO)
    _, status, ru = os.wait4(pid, 0)
    t1 = time.perf_counter_ns()
    r.reap()
    t2 = time.perf_counter_ns()
    rc = os.waitstatus_to_exitcode(status)
    if rc != 0 or r.rc != 0:
        raise RelayError("%s through the relay: exit %d, relay exit %d: %r"
                         % (" ".join(argv), rc, r.rc, r.err[-500:]))
    return {"wall_ms": (t2 - t0) / 1e6, "client_ms": (t1 - t0) / 1e6,
            "client_cpu_ms": (ru.ru_utime + ru.ru_stime) * 1e3,
            "relay_cpu_ms": (r.rusage.ru_utime + r.rusage.ru_stime) * 1e3,
            "messages": r.messages()}


def _exchange(sock, framer, request):
    """Send one request, read until its one response is whole."""
    sock.sendall(request)
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            raise RelayError("the connection closed before the response")
        got = framer.feed(chunk)
        if got:
            return got


def round_trips(port, k):
    """Bind, then k WhoAmI requests one after the other on one connection
    (TCP_NODELAY), unbind: the k round-trip times in µs."""
    rtts = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        framer = fs.Framer()
        _exchange(sock, framer, fs.bind_request(1))
        for i in range(k):
            req = fs.extended_request(i + 2, fs.WHOAMI_OID)
            t0 = time.perf_counter_ns()
            _exchange(sock, framer, req)
            rtts.append((time.perf_counter_ns() - t0) / 1e3)
        sock.sendall(fs.unbind_request(k + 2))
        while sock.recv(65536):
            pass
    return rtts
