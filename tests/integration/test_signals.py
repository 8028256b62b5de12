#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Ctrl-C and SIGTERM, handled outside libldap: Ctrl-C before the trigger
interrupts at once, Ctrl-C while listening decides at once, SIGTERM
unbinds and exits 143. Each waits on the tool's own -v lines, not sleeps."""

import json
import os
import random
import re
import select
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from litools import anon, check_report  # noqa: E402


def persist(s):
    return anon(s) + ["-v", "-b", "ou=scratch," + s.base, "-s", "base", "-E", "sync=rp", "--after", "never"]


def in_persist_phase(p):
    """slapd ends the refresh with a SyncInfo message; a cancel before that
    races slapd's own refresh (it may answer tooLate, or end the search
    with another code), after it slapd cancels cleanly."""
    p.wait_for("err", r"IntermediateResponse \(SyncInfo\)", timeout=10)


@test
def ctrl_c_cancels_a_persistent_search():
    s = slapd()
    with spawn("ldapcancel", persist(s) + ["--json"]) as p:
        in_persist_phase(p)
        p.signal(signal.SIGINT)
        r = p.wait(timeout=10)
    j = check_report(r, "ldapcancel", "canceled", "cancel")
    eq(j["interrupt"]["trigger"], "signal", "trigger")
    eq(j["op_result"]["code"], 118, "canceled")


@test
def ctrl_c_works_twenty_times_in_a_row():
    s = slapd()
    outcomes = []
    for _ in range(20):
        with spawn("ldapcancel", persist(s) + ["--json"]) as p:
            in_persist_phase(p)
            t0 = time.monotonic()
            p.signal(signal.SIGINT)
            r = p.wait(timeout=10)
            outcomes.append((r.rc, r.json and r.json["outcome"], round(time.monotonic() - t0, 3)))
    eq([o[:2] for o in outcomes], [(0, "canceled")] * 20, "20 Ctrl-C, 20 cancellations")
    lt(max(o[2] for o in outcomes), 2.0, "each decided promptly after Ctrl-C")


@test
def ctrl_c_abandons_and_second_ctrl_c_decides_at_once():
    s = slapd()
    with spawn("ldapabandon", persist(s) + ["--wait", "1m", "--json"]) as p:
        in_persist_phase(p)
        p.signal(signal.SIGINT)
        p.wait_for("err", r"abandon of message 2 sent as message 3", timeout=10)
        t0 = time.monotonic()
        p.signal(signal.SIGINT)
        r = p.wait(timeout=10)
    lt(time.monotonic() - t0, 2.0, "did not wait out --wait 1m")
    j = check_report(r, "ldapabandon", "abandoned", "abandon")
    eq(j["interrupt"]["trigger"], "signal", "trigger")


@test
def ctrl_c_right_after_the_request_interrupts_at_once():
    # Not against slapd: a Cancel during a sync refresh crashes slapd 2.5.13
    # now and then (a NULL dereference in syncprov, seen in CI).  The fault
    # server streams entries forever, so only the Ctrl-C can end the search.
    for _ in range(5):
        with faultserver("endless") as fs:
            with spawn("ldapcancel", ["-v", "-x", "-H", fs.uri, "-b", "dc=example,dc=com",
                                      "--after", "never", "--json"]) as p:
                p.wait_for("err", r"search sent as message 2", timeout=10)
                t0 = time.monotonic()
                p.signal(signal.SIGINT)
                r = p.wait(timeout=10)
        lt(time.monotonic() - t0, 2.0, "decided at once")
        j = check_report(r, "ldapcancel", "canceled", "cancel")
        eq(j["interrupt"]["trigger"], "signal", "trigger")
        eq(j["interrupt"]["msgid"], 3, "cancel sent as message 3")
        eq(j["interrupt"]["target"], 2, "of the search")


@test
def second_ctrl_c_gives_up_on_a_silent_server():
    with faultserver("silent") as fs:
        with spawn("ldapcancel", ["-v", "-x", "-H", fs.uri, "-b", "dc=example,dc=com",
                                  "--after", "never", "--json"]) as p:
            p.wait_for("err", r"search sent as message 2", timeout=10)
            p.signal(signal.SIGINT)
            p.wait_for("err", r"cancel of message 2 sent as message 3", timeout=10)
            t0 = time.monotonic()
            p.signal(signal.SIGINT)
            r = p.wait(timeout=10)
    lt(time.monotonic() - t0, 2.0, "gave up at once instead of waiting 30 s")
    j = check_report(r, "ldapcancel", "no-response", "cancel")
    eq(j["cancel_result"], None, "the server never answered")


@test
def sigterm_unbinds_and_exits_143():
    with faultserver("silent") as fs:
        with spawn("ldapcancel", ["-v", "-x", "-H", fs.uri, "-b", "dc=example,dc=com",
                                  "--after", "never"]) as p:
            p.wait_for("err", r"search sent as message 2", timeout=10)
            p.signal(signal.SIGTERM)
            r = p.wait(timeout=10)
        eq(r.rc, 143, "exit status")
        matches(r.err, r"^ldapcancel: stopped: terminated by SIGTERM before the outcome was decided$", "stderr")
        eq(r.out, "", "no report")
        fs.wait_log(lambda rec: rec.get("op") == "unbind", timeout=5)


def streaming(fs, extra=()):
    return ["-v", "-x", "-H", fs.uri, "-b", "dc=example,dc=com", "--after", "never", "--json"] + list(extra)


def signal_at_a_random_moment(p, rng, sig):
    """Once the search is out, wait 0-20 ms (a random point of the stream,
    which never ends on its own), then send sig.  Returns the lower bound
    of the report's trigger_ms: the time from the line that says the search
    was sent (which follows the request) to the kill (which precedes the
    signal's arrival)."""
    p.wait_for("err", r"search sent as message 2", timeout=10)
    seen = time.monotonic()
    time.sleep(rng.uniform(0, 0.02))
    sent = time.monotonic()
    p.signal(sig)
    return (sent - seen) * 1000


def check_signal_trigger(j, at_least_ms, what):
    i = j["interrupt"]
    eq(i["trigger"], "signal", what + ": trigger")
    # When the signal arrived, not when a loop got round to it: never
    # before the kill, and the interrupt on the wire right after it.
    ge(i["trigger_ms"], at_least_ms - 0.01, what + ": trigger_ms not before the kill")
    ge(i["latency_us"], 0, what + ": latency_us")
    lt(i["latency_us"], 100000, what + ": interrupt on the wire at once after the signal")


@test
def ctrl_c_at_random_moments_of_a_fast_stream_is_never_lost():
    # The fault server streams entries as fast as the socket takes them:
    # the tools never run out of input, so they never sleep.  A Ctrl-C
    # that is only looked for while sleeping is lost (the search would run
    # forever: a hang).  200 runs, each at a random moment.
    rng = random.Random(3909)
    with faultserver("flood") as fs:
        for k in range(200):
            tool = "ldapcancel" if k % 2 == 0 else "ldapabandon"
            extra = ["--wait", "0"] if tool == "ldapabandon" else []
            with spawn(tool, streaming(fs, extra)) as p:
                at_least = signal_at_a_random_moment(p, rng, signal.SIGINT)
                r = p.wait(timeout=10)
            what = "run %d (%s)" % (k, tool)
            j = check_report(r, tool, "canceled" if tool == "ldapcancel" else "abandoned",
                             "cancel" if tool == "ldapcancel" else "abandon")
            check_signal_trigger(j, at_least, what)


@test
def sigterm_at_random_moments_of_a_fast_stream_exits_143():
    rng = random.Random(4511)
    with faultserver("flood") as fs:
        for k in range(40):
            tool = "ldapcancel" if k % 2 == 0 else "ldapabandon"
            with spawn(tool, streaming(fs)) as p:
                signal_at_a_random_moment(p, rng, signal.SIGTERM)
                r = p.wait(timeout=10)
            eq(r.rc, 143, "run %d (%s): exit status" % (k, tool))
            # --json: no report, the error object instead (stage operation).
            j = r.json
            eq((j and j["outcome"], j and j["error"]["stage"], j and j["error"]["code"], j and j["exit"]),
               ("error", "operation", -8, 143), "run %d (%s): the error object" % (k, tool))
            matches(r.err, r"^%s: stopped: terminated by SIGTERM before the outcome was decided$" % tool,
                    "run %d: stderr" % k)


def stalled_trace(fs, extra=()):
    """ldaptrace whose standard output is a pipe nobody reads (yet); returns
    (Popen, read end) once the pipe is full (its write end, which the test
    keeps a copy of until then, no longer polls writable)."""
    rfd, wfd = os.pipe()
    argv = [tool_path("ldaptrace"), "-v", "-x", "-H", fs.uri, "-b", "dc=example,dc=com",
            "--after", "never", "--json"] + list(extra)
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=wfd, stderr=subprocess.PIPE,
                         env=base_env(), start_new_session=True)
    try:
        poller = select.poll()
        poller.register(wfd, select.POLLOUT)
        deadline = time.monotonic() + scaled(10)
        while poller.poll(0):
            if time.monotonic() > deadline or p.poll() is not None:
                p.kill()
                p.wait()
                fail("the trace did not fill its pipe (exit %s)" % p.returncode)
            time.sleep(0.01)
    finally:
        os.close(wfd)
    return p, rfd


def drain(p, rfd):
    """Reads the pipe to its end and the process to its exit."""
    chunks = []
    while True:
        b = os.read(rfd, 65536)
        if not b:
            break
        chunks.append(b)
    os.close(rfd)
    err = p.stderr.read().decode()
    p.stderr.close()
    return p.wait(timeout=scaled(10)), b"".join(chunks).decode(), err


@test
def ctrl_c_is_honoured_while_the_trace_reader_is_stalled():
    # Once the reader of the trace stops reading, writing it must not hold
    # the interrupt back: it goes out at once, while the pipe is still full.
    # Against a flood the tool has no pause in which to notice a signal;
    # the Cancel's outcome then waits behind megabytes of entries in the
    # socket, too slow to read under a sanitizer, so the flood is abandoned
    # (--wait 0 decides at once) and the Cancel gets entries 1 ms apart.
    for scenario, interrupt in (("flood", ["--abandon", "--wait", "0"]), ("endless", ["--cancel"])):
        with faultserver(scenario) as fs:
            p, rfd = stalled_trace(fs, interrupt)
            try:
                t0 = time.monotonic()
                os.kill(p.pid, signal.SIGINT)
                op = "extended" if interrupt[0] == "--cancel" else "abandon"
                try:
                    fs.wait_log(lambda rec: rec.get("op") == op, timeout=scaled(2))
                except TimeoutError:
                    fail("%s: no %s reached the server within 2 s of Ctrl-C while stdout was full"
                         % (interrupt[0], op))
                waited = time.monotonic() - t0
                # Still stalled: the reader has not read a byte yet.
                rc, out, err = drain(p, rfd)
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()
        what = "%s (%s)" % (interrupt[0], scenario)
        lt(waited, 2.0, what + ": honoured while the reader stalled")
        eq(rc, 0, what + ": exit status (stderr: %s)" % err[-500:])
        lines = [json.loads(l) for l in out.splitlines() if l.strip()]
        report = lines[-1]
        eq(report["outcome"], "canceled" if op == "extended" else "abandoned", what + ": outcome")
        eq(report["interrupt"]["trigger"], "signal", what + ": trigger")
        lt(report["interrupt"]["latency_us"], 100000, what + ": on the wire at once")


@test
def sigterm_while_the_trace_reader_is_stalled_exits_143():
    with faultserver("flood") as fs:
        p, rfd = stalled_trace(fs, ["--cancel"])
        try:
            os.kill(p.pid, signal.SIGTERM)
            try:
                rc = p.wait(timeout=scaled(5))
            except subprocess.TimeoutExpired:
                fail("SIGTERM did not end ldaptrace while its reader stalled")
            err = p.stderr.read().decode()
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            p.stderr.close()
            os.close(rfd)
    eq(rc, 143, "exit status")
    matches(err, r"^ldaptrace: stopped: terminated by SIGTERM before the outcome was decided$", "stderr")


@test
def a_signal_gives_up_output_nobody_reads():
    # The outcome is decided (abandon, --wait 0) and the tool has unbound,
    # but its reader never reads: the rest of the output can only be
    # dropped, and Ctrl-C or SIGTERM says so.
    for sig, rc_want, why in ((signal.SIGINT, 130, "interrupted"),
                              (signal.SIGTERM, 143, "terminated by SIGTERM")):
        with faultserver("flood") as fs:
            p, rfd = stalled_trace(fs, ["--abandon", "--wait", "0"])
            try:
                os.kill(p.pid, signal.SIGINT)
                try:
                    fs.wait_log(lambda rec: rec.get("op") == "unbind", timeout=scaled(5))
                except TimeoutError:
                    fail("no unbind after the abandon while stdout was full; server log: %r; tool in %s"
                         % (fs.log(), open("/proc/%d/wchan" % p.pid).read()))
                os.kill(p.pid, sig)
                try:
                    rc = p.wait(timeout=scaled(5))
                except subprocess.TimeoutExpired:
                    fail("%s did not end ldaptrace waiting for a stalled reader" % sig.name)
                err = p.stderr.read().decode()
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()
                p.stderr.close()
                os.close(rfd)
        eq(rc, rc_want, "%s: exit status" % sig.name)
        matches(err, r"\Aldaptrace: ldap_initialize\(.*\nldaptrace: stopped: %s while standard output "
                r"was not being read\n\Z" % why, "%s: stderr ends with why" % sig.name, re.S)


@test
def ctrl_c_before_the_operation_is_sent_is_the_default_action():
    # While connecting, SIGINT is not caught: the tool dies like any other.
    with faultserver("silent-bind") as fs:
        with spawn("ldapcancel", ["-x", "-H", fs.uri, "-b", "dc=example,dc=com"]) as p:
            fs.wait_log(lambda rec: rec.get("op") == "bind", timeout=10)
            p.signal(signal.SIGINT)
            r = p.wait(timeout=10)
    eq(r.rc, -signal.SIGINT, "killed by SIGINT")


if __name__ == "__main__":
    tap_main()
