#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""ldaptrace --listen (the relay) under bad peers and long use: a client or
a server that sends garbage, an oversized length or closes in the middle of
a message ends its own session with one line naming it while the others go
on; a thousand sessions in a row leave the relay's descriptors, threads and
memory where a hundred left them; --sessions N, Ctrl-C and SIGTERM end it
with its final summary; it listens on loopback unless told otherwise."""

import os
import re
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from relaytools import FINAL, SUMMARY, Relay, RawClient, check_session, fs, sessions, summaries  # noqa: E402

BAD_CLIENT_LINE = "ldaptrace: session %d (%s): the client sent a malformed message: %s\n"
BAD_SERVER_LINE = "ldaptrace: session %d (%s): the server sent a malformed message: %s\n"
NOT_LDAP = "not an LDAPMessage (expected a SEQUENCE, tag 0x30)"
TOO_LONG = "length beyond the limit for one message"
TRUNCATED = "truncated: the stream ended inside a message"

# What a bad client sends, and what the relay says of it. The length claims
# 2 GiB - 1 bytes, which no LDAP message needs.
BAD_CLIENTS = (
    ("garbage", b"HTTP/1.1 400 Bad Request\r\n\r\n", False, NOT_LDAP),
    ("oversized length", b"\x30\x84\x7f\xff\xff\xff\x02\x01\x01\x60", False, TOO_LONG),
    ("closed mid-message", fs.bind_request(1, "cn=someone", "pw")[:9], True, TRUNCATED),
)


def good_session_start(port):
    c = RawClient(port)
    c.send(fs.bind_request(1))
    c.until(lambda m: m.msgid == 1 and m.tag == fs.BIND_RESP, what="BindResponse #1")
    return c


def good_session_end(c, base, expect_entries):
    """A search on the session opened by good_session_start, its every
    entry, WhoAmI, unbind; the relay closes its side."""
    c.send(fs.search_request(2, base=base, scope=1, attrs=["ou"]))
    done = c.until(lambda m: m.msgid == 2 and m.tag == fs.SEARCH_DONE, what="SearchResultDone #2")
    eq(done.get("code"), 0, "the good session's search: success")
    eq(sum(1 for m in c.received if m.tag == fs.SEARCH_ENTRY), expect_entries, "the good session's entries")
    c.send(fs.unbind_request(3))
    ok(c.drain(10), "the relay closes the good session after its unbind")
    c.close()


def wait_lines(proc, regex, n, timeout=20):
    """Wait until regex matches n times on proc's stderr."""
    pos = 0
    for _ in range(n):
        pos = proc.wait_for("err", regex, timeout=timeout, pos=pos).end()


@test
def a_bad_client_ends_its_own_session_only():
    s = slapd()
    direct = run("ldapsearch", ["-x", "-LLL", "-H", s.uri, "-b", s.people_base, "cn"])
    eq(direct.rc, 0, "ldapsearch directly")
    with Relay(s.uri) as relay:
        good = good_session_start(relay.port)
        big = spawn("ldapsearch", ["-x", "-LLL", "-H", relay.uri, "-b", s.people_base, "cn"])
        bad = []
        for name, data, close, _ in BAD_CLIENTS:
            c = RawClient(relay.port)
            c.send(data)
            if close:
                c.sock.shutdown(socket.SHUT_WR)
            ok(c.drain(10), "%s: the relay closes the connection" % name)
            eq(c.received, [], "%s: nothing comes back" % name)
            c.close()
            bad.append(c.address)
        r = big.wait(timeout=60)
        good_session_end(good, s.base, 3)
        relay.wait_summaries(2 + len(bad))
        rr = relay.stop()
    eq((r.rc, r.err), (0, ""), "ldapsearch through the relay, beside the bad clients")
    ok(r.out == direct.out, "ldapsearch's %d entries are the ones it gets directly" % r.out.count("dn: "))
    by_client = {check_session(rr.out, k)[0]: k for k in sessions(rr.out)}
    eq(sorted(summaries(rr.out)), list(range(1, 6)), "five sessions, each with its summary")
    eq(by_client[good.address], 1, "the good raw session is the first")
    for (name, _, _, why), addr in zip(BAD_CLIENTS, bad):
        k = by_client[addr]
        contains(rr.err, BAD_CLIENT_LINE % (k, addr, why), "%s: one line naming the session" % name)
        eq(len(re.findall(r"^ldaptrace: session %d " % k, rr.err, re.M)), 1, "%s: one line only" % name)
        matches(rr.out, r"^\[%d %s\] +\d+\.\d{6} -> malformed: %s \(\d+ bytes" % (k, re.escape(addr), re.escape(why)),
                "%s: the trace shows the bad bytes" % name)
    eq(len(re.findall(r"^ldaptrace: session ", rr.err, re.M)), len(BAD_CLIENTS),
       "no line for the sessions that went well")
    m = matches(rr.err, FINAL.pattern, "the final summary")
    eq((int(m.group(1)), m.group(2)), (5, "3"), "sessions counted, and the failed ones")


# faultserver scenarios and what the relay says of them: bytes that are not
# BER, a message cut off by the close, a length of 3 GiB
BAD_SERVERS = (("garbage", NOT_LDAP), ("close-mid-message", TRUNCATED), ("huge-length", TOO_LONG))


@test
def a_bad_server_ends_one_session_only():
    for scenario, why in BAD_SERVERS:
        with faultserver(scenario) as fsrv, Relay(fsrv.uri) as relay:
            # a session that stays open, bound, while another gets the bad bytes
            other = good_session_start(relay.port)
            # libldap allocates what a length claims before it reads (3 GiB
            # for huge-length), and under meson's MALLOC_PERTURB_ glibc fills
            # every byte of it: seconds of a loaded machine, not the relay's
            r = run("ldapsearch", ["-x", "-LLL", "-H", relay.uri, "-b", "dc=example,dc=com"],
                    env={"MALLOC_PERTURB_": None})
            eq(r.rc, 255, "%s: ldapsearch loses its connection" % scenario)
            eq(r.err, "ldap_result: Can't contact LDAP server (-1)\n", "%s: and says so" % scenario)
            relay.proc.wait_for("err", r"^ldaptrace: session 2 ")
            other.send(fs.extended_request(2, fs.WHOAMI_OID))
            ans = other.until(lambda m: m.msgid == 2, what="%s: WhoAmI on the other session" % scenario)
            eq(ans.get("code"), 0, "%s: the other session still works" % scenario)
            other.send(fs.unbind_request(3))
            ok(other.drain(10), "%s: closed after the unbind" % scenario)
            other.close()
            relay.wait_summaries(2)
            rr = relay.stop()
        addr, lines, _ = check_session(rr.out, 2)
        eq(rr.err.count(BAD_SERVER_LINE % (2, addr, why)), 1, "%s: one line naming the session" % scenario)
        eq(len(re.findall(r"^ldaptrace: session ", rr.err, re.M)), 1, "%s: for that session only" % scenario)
        matches(rr.out, r"^\[2 %s\] +\d+\.\d{6} <- malformed: %s \(\d+ bytes" % (re.escape(addr), re.escape(why)),
                "%s: the trace shows the bad bytes" % scenario)
        eq([l.op for l in sessions(rr.out)[1]], ["BindRequest", "BindResponse", "ExtendedRequest", "ExtendedResponse",
                                                 "UnbindRequest", "connection"], "%s: the other session" % scenario)


# --------------------------------------------------------------------------
# a thousand sessions

def proc_status(pid):
    """(open descriptors, threads, VmRSS in kB) of a process."""
    fds = len(os.listdir("/proc/%d/fd" % pid))
    with open("/proc/%d/status" % pid) as f:
        st = dict(l.split(":", 1) for l in f.read().splitlines() if ":" in l)
    return fds, int(st["Threads"]), int(st["VmRSS"].split()[0])


def small_session(port, base):
    """bind, a base search, unbind, as fast as a client can."""
    with socket.create_connection(("127.0.0.1", port), timeout=scaled(10)) as sock:
        # slapd holds the search until the bind is done; an unbind sent
        # before the search's result would abandon the search
        sock.sendall(fs.bind_request(1) + fs.search_request(2, base=base, scope=0))
        framer, got = fs.Framer(), []
        while not got or fs.decode_message(got[-1]).tag != fs.SEARCH_DONE:
            chunk = sock.recv(65536)
            if not chunk:
                fail("the relay closed a small session early (%d messages)" % len(got))
            got += framer.feed(chunk)
        sock.sendall(fs.unbind_request(3))
        while sock.recv(65536):  # the relay closes after the unbind
            pass
    return len(got)


def ended_sessions(relay, n, timeout=30):
    deadline = time.monotonic() + scaled(timeout)
    while len(SUMMARY.findall(relay.proc.out)) < n:
        if time.monotonic() > deadline:
            fail("%d sessions ended, not %d, after %gs" % (len(SUMMARY.findall(relay.proc.out)), n, timeout))
        time.sleep(0.01)


@test(skip_unless=lambda: not os.environ.get("LI_WRAPPER"), reason="reads the relay's own /proc entries")
def a_thousand_sessions_leave_descriptors_and_memory_flat():
    s = slapd()
    with Relay(s.uri) as relay:
        t0 = time.monotonic()
        for i in range(1000):
            eq(small_session(relay.port, s.base), 3, "session %d: bind response, entry, result" % (i + 1))
            if i + 1 in (100, 1000):
                ended_sessions(relay, i + 1)
                if i + 1 == 100:
                    at100 = proc_status(relay.proc.pid)
        at1000 = proc_status(relay.proc.pid)
        took = time.monotonic() - t0
        rr = relay.stop()
    diag("1000 sessions in %.1f s; after 100: %d fds, %d threads, %d kB; after 1000: %d fds, %d threads, %d kB"
         % ((took,) + at100 + at1000))
    eq(sorted(summaries(rr.out)), list(range(1, 1001)), "a summary for each of the 1000 sessions")
    eq(at1000[0], at100[0], "open descriptors after 1000 sessions, as after 100")
    eq(at1000[1], at100[1], "threads after 1000 sessions, as after 100")
    if not os.environ.get("LI_SANITIZED"):
        # glibc keeps freed memory in its arenas and may take a few more
        # pages for fragmentation; a leak of 600 bytes a session would add
        # 900 x 600 = 527 kB, over the bound.
        le(at1000[2] - at100[2], 512, "VmRSS growth from 100 to 1000 sessions, kB (%d -> %d)"
           % (at100[2], at1000[2]))
    m = matches(rr.err, FINAL.pattern, "the final summary")
    eq(int(m.group(1)), 1000, "sessions in the final summary")


# --------------------------------------------------------------------------
# how it ends

@test
def sessions_n_exits_once_n_sessions_ended():
    s = slapd()
    with Relay(s.uri, ["--sessions", 2]) as relay:
        a = good_session_start(relay.port)
        b = good_session_start(relay.port)
        b.send(fs.unbind_request(2))
        ok(b.drain(10), "the second session ends")
        relay.wait_summaries(1)
        ok(relay.proc.running(), "one of two sessions ended: the relay goes on")
        good_session_end(a, s.base, 3)
        rr = relay.wait()
    eq(rr.rc, 0, "exit status after --sessions 2")
    eq(sorted(summaries(rr.out)), [1, 2], "two sessions")
    m = matches(rr.err, FINAL.pattern + r"\n\Z", "the final summary is the last line")
    eq(int(m.group(1)), 2, "two sessions in it")
    try:
        socket.create_connection(("127.0.0.1", relay.port), timeout=2).close()
        fail("the relay still accepts connections after it exited")
    except ConnectionRefusedError:
        pass


def wait_not_listening(port, what):
    """Wait until connecting to port is refused (the relay closed its
    listening socket as it handled a signal; it says nothing then). A
    probe that got in before may be a session: returns their addresses."""
    deadline = time.monotonic() + scaled(10)
    probes = []
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as c:
                probes.append("%s:%d" % c.getsockname()[:2])
        except ConnectionRefusedError:
            return probes
        except ConnectionResetError:
            pass  # queued as the listener closed: no session; the next try tells
        if time.monotonic() > deadline:
            fail("%s: the relay still listens 10 s after the signal" % what)
        time.sleep(0.05)


def only_probes(out, keep, probes, what):
    """The sessions of out are keep's and some of the probes' (a probe the
    kernel queued but the relay never accepted is none), which sent
    nothing. Returns how many sessions there were."""
    by_client = {check_session(out, k)[0]: k for k in summaries(out)}
    eq(by_client.get(keep), 1, "%s: the client's session is the first" % what)
    for client, k in by_client.items():
        if client != keep:
            ok(client in probes, "%s: session %d (%s) is a probe's" % (what, k, client))
            eq([(l.arrow, l.op) for l in sessions(out)[k]], [("->", "connection")], "%s: a probe's session" % what)
    return len(by_client)


@test
def sigint_stops_listening_lets_open_sessions_finish_then_exits():
    s = slapd()
    for sig, status in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
        name = signal.Signals(sig).name
        with Relay(s.uri, ["--wait", "5s"]) as relay:
            c = good_session_start(relay.port)
            relay.proc.signal(sig)
            probes = wait_not_listening(relay.port, name)
            ok(relay.proc.running(), "%s: the open session keeps the relay running" % name)
            good_session_end(c, s.base, 3)
            rr = relay.wait(timeout=10)
        eq(rr.rc, status, "%s: exit status" % name)
        n = only_probes(rr.out, c.address, probes, name)
        m = matches(rr.err, FINAL.pattern + r"\n\Z", "%s: the final summary is the last line" % name)
        eq(int(m.group(1)), n, "%s: sessions in it" % name)
        check_session(rr.out, 1, client=c.address)


def closed_by_the_stopped_relay(rr, client):
    """The relay stopped by Ctrl-C closed session 1, said so in the trace,
    and ended with its final summary."""
    eq(rr.rc, 130, "exit status after Ctrl-C")
    matches(rr.out, r"^\[1 %s\] +\d+\.\d{6} -> connection closed by the relay: it was stopped$" % re.escape(client),
            "the trace says who closed it")
    matches(rr.err, FINAL.pattern + r"\n\Z", "the final summary is the last line")


@test
def sigint_closes_idle_sessions_after_wait():
    s = slapd()
    with Relay(s.uri, ["--wait", "300ms"]) as relay:
        c = good_session_start(relay.port)
        relay.proc.signal(signal.SIGINT)
        ok(c.drain(10), "the relay closes the idle session once --wait ran out")
        c.close()
        rr = relay.wait(timeout=10)
    check_session(rr.out, 1, client=c.address)
    closed_by_the_stopped_relay(rr, c.address)


@test
def a_second_sigint_closes_open_sessions_at_once():
    s = slapd()
    # a --wait far longer than the test waits: only the second Ctrl-C can end it
    with Relay(s.uri, ["--wait", "1h"]) as relay:
        c = good_session_start(relay.port)
        relay.proc.signal(signal.SIGINT)
        probes = wait_not_listening(relay.port, "first SIGINT")
        ok(relay.proc.running(), "the open session keeps the relay running")
        relay.proc.signal(signal.SIGINT)
        ok(c.drain(10), "the second SIGINT closes the open session")
        c.close()
        rr = relay.wait(timeout=10)
    only_probes(rr.out, c.address, probes, "two SIGINTs")
    closed_by_the_stopped_relay(rr, c.address)


@test
def listens_on_loopback_unless_told():
    s = slapd()
    r = run("ldaptrace", ["--listen", "ldap://:389", "-H", s.uri])
    eq(r.rc, 1, "an address left out: refused")
    eq(r.err, "ldaptrace: --listen: 'ldap://:389': give the address to listen on (127.0.0.1 for this machine only; "
              "0.0.0.0 or an IP address to accept others)\n", "one line that says how")
    eq(r.out, "", "nothing else")
    # a name that resolves to loopback is loopback
    with Relay(s.uri, ["--sessions", 1], listen="ldap://localhost:0") as relay:
        eq(relay.uri, "ldap://127.0.0.1:%d" % relay.port, "localhost listens on 127.0.0.1")
        r = run("ldapsearch", ["-x", "-LLL", "-H", relay.uri, "-b", s.base, "-s", "base", "dn"])
        eq((r.rc, r.out), (0, "dn: %s\n\n" % s.base), "and relays")
        eq(relay.wait().rc, 0, "relay")


if __name__ == "__main__":
    tap_main()
