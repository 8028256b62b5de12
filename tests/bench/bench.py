#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Benchmark of ldapcancel, ldapabandon and ldaptrace against OpenLDAP's own
ldapsearch and python-ldap (issue 5).

    /usr/bin/python3 tests/bench/bench.py [--build DIR] [--out FILE.md] [--quick]

Starts a throwaway slapd (tests/fixture/slapd.py) whose ou=people holds
200,000 generated entries, then measures:

  1. whole runs: connect, anonymous bind, subtree search of ou=people,
     interrupt right after the request, report -- ldapcancel -q against
     ldapsearch -e '!cancel' and python-ldap (pyldap_cancel.py), and
     ldapabandon --wait 0 -q against ldapsearch -e '!abandon' and python-ldap;
  2. interrupt latency (trigger -> interrupt written), from the tools' own
     --json (interrupt.latency_us), for --after-entries 100 and --after 50ms
     (and, for information, --after-entries 20000);
  3. streaming cost: N = 1k..200k entries read by ldapabandon
     (-z N --after-entries N --wait 0) against ldapsearch -z N > /dev/null:
     wall time, CPU time, peak RSS;
  4. ldaptrace (and ldaptrace -v) over the whole 200k-entry search against
     ldapsearch printing LDIF, both to /dev/null;
  5. what the server does after an interrupt (--after-entries 100): entries
     that still arrived, the Cancel's round trip, when the search ended;
  6. wall and CPU time (user+sys, from os.wait4 of a posix_spawn'ed child)
     of ldapabandon over the whole 200k stream against ldapsearch's;
  7. the whole 200k stream written as LDIF (-LLL) to /dev/null by ldaptrace
     and ldapcancel against ldapsearch -LLL: wall, CPU, peak RSS;
  8. the relay: ldapsearch of the whole 200k stream through ldaptrace
     --listen, its trace written to a file, against ldapsearch connected
     directly, and the latency a relayed message gains, one at a time
     (WhoAmI round trips; relaybench.py).

Every command of a group runs once per iteration, in a fresh random order,
after a warm-up; figures are medians and p99 (nearest rank) over the runs,
with the number of runs next to them.  Ratios are ratios of medians with a
95% bootstrap interval.  The results go to the terminal (stdout) and, as the
same Markdown, to --out (default tests/bench/results.md); progress goes to
stderr.  Peak RSS is measured through /usr/bin/time -f %M (Debian package
"time"): a child's ru_maxrss as seen by this Python process would include
this process's own RSS, which the child inherits at fork and keeps at exec.

Run it with Debian's /usr/bin/python3 (python-ldap is installed for it).  The
default run takes about 8 minutes on a 2-core VM; --quick runs a few
repetitions of each, as a smoke test.  slapd is stopped at the end, on
Ctrl-C, SIGTERM and on errors.
"""

import argparse
import datetime
import json
import math
import os
import platform
import random
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "fixture"))
from slapd import Slapd  # noqa: E402
sys.path.insert(0, HERE)
import relaybench  # noqa: E402

SYSTEM_PYTHON = "/usr/bin/python3"
GNU_TIME = "/usr/bin/time"
PYLDAP = os.path.join(HERE, "pyldap_cancel.py")
MIN_ENTRIES = 200000

# Repetitions: (default, --quick)
REPS = {
    "warmup": (5, 1),
    "whole": (100, 5),
    "latency": (300, 10),
    "latency_late": (100, 5),
    "stream": ({1000: 60, 10000: 40, 100000: 20, 200000: 20},
               {1000: 3, 10000: 3, 100000: 2, 200000: 2}),
    "rss": (5, 1),
    "trace": (20, 2),
    "server": (100, 5),
    "cpu": (20, 3),
    "ldif": (20, 3),
    "relay": (20, 3),
    "pings": (500, 50),    # WhoAmI round trips per connection, section 8
}

STREAM_SIZES = (1000, 10000, 100000, 200000)
LATENCY_ENTRIES = 100
LATENCY_AFTER = "50ms"
LATENCY_LATE_ENTRIES = 20000
ABANDON_WAIT = "250ms"       # silence window for section 5's abandon runs
BOOTSTRAP = 1000

# Goals
GOAL_WHOLE_VS_LDAPSEARCH = 1.05
GOAL_WHOLE_VS_PYTHON = 0.25
GOAL_LATENCY_US = 50.0
GOAL_STREAM_TIME = 1.0
GOAL_STREAM_RSS = 1.1
GOAL_RSS_GROWTH_KB = 256
GOAL_TRACE = 2.0
GOAL_CPU = 1.0
GOAL_LDIF_TIME = 1.0
GOAL_RELAY = 1.25
GOAL_RELAY_US = 50.0


class BenchError(RuntimeError):
    pass


class Timeout(Exception):
    pass


class Stop(BaseException):
    """SIGTERM/SIGHUP: unwind like Ctrl-C so slapd is stopped."""


def log(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


# --------------------------------------------------------------------------
# statistics

def median(xs):
    return statistics.median(xs) if xs else float("nan")


def pct(xs, p):
    """Nearest-rank percentile."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    k = max(1, math.ceil(p / 100.0 * len(s)))
    return s[k - 1]


def ratio_ci(a, b, rng, n=BOOTSTRAP):
    """Median(a)/median(b) and a 95% bootstrap interval."""
    r = median(a) / median(b)
    if len(a) < 5 or len(b) < 5:
        return r, None, None
    rs = []
    for _ in range(n):
        ra = [a[rng.randrange(len(a))] for _ in a]
        rb = [b[rng.randrange(len(b))] for _ in b]
        rs.append(median(ra) / median(rb))
    rs.sort()
    return r, rs[int(0.025 * n)], rs[int(0.975 * n) - 1]


def fmt_ms(x):
    if x != x:
        return "–"
    if x >= 100:
        return "%.0f" % x
    if x >= 10:
        return "%.1f" % x
    return "%.2f" % x


def fmt_us(x):
    if x != x:
        return "–"
    return "%.0f" % x if x >= 100 else "%.1f" % x


def fmt_ratio(r, lo=None, hi=None):
    if lo is None:
        return "%.2f×" % r
    return "%.2f× [%.2f–%.2f]" % (r, lo, hi)


def mark(ok):
    return "✓" if ok else "✗"


# --------------------------------------------------------------------------
# running commands

class Run:
    __slots__ = ("wall_ms", "cpu_ms", "vcsw", "server_ms", "rc", "out",
                 "err")


def _proc_cpu_ms(pid):
    """user+sys CPU of pid so far (10 ms ticks), or nan."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            x = f.read().rsplit(")", 1)[1].split()
        return (int(x[11]) + int(x[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


class Runner:
    def __init__(self, tmpdir, server_pid=None):
        self.errfile = os.path.join(tmpdir, "stderr")
        self.rssfile = os.path.join(tmpdir, "rss")
        self.server_pid = server_pid
        self.nruns = 0

    def run(self, argv, capture=False, timeout=300.0):
        """Run argv with stdin and (unless capture) stdout on /dev/null;
        wall time from just before the spawn to the reaping wait4."""
        err = open(self.errfile, "w+b")
        p = None
        old = signal.signal(signal.SIGALRM, _alarm)
        srv0 = (_proc_cpu_ms(self.server_pid) if self.server_pid
                else float("nan"))
        try:
            signal.setitimer(signal.ITIMER_REAL, timeout)
            t0 = time.perf_counter_ns()
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                 stdout=(subprocess.PIPE if capture
                                         else subprocess.DEVNULL),
                                 stderr=err, close_fds=True)
            out = p.stdout.read() if capture else b""
            _, status, ru = os.wait4(p.pid, 0)
            t1 = time.perf_counter_ns()
            signal.setitimer(signal.ITIMER_REAL, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
            r = Run()
            r.wall_ms = (t1 - t0) / 1e6
            r.cpu_ms = (ru.ru_utime + ru.ru_stime) * 1e3
            r.vcsw = ru.ru_nvcsw
            r.server_ms = (_proc_cpu_ms(self.server_pid) - srv0
                           if self.server_pid else float("nan"))
            r.rc = p.returncode
            r.out = out
            err.seek(0)
            r.err = err.read(4000).decode("utf-8", "replace")
            self.nruns += 1
            return r
        except Timeout:
            raise BenchError("timed out after %ss: %s"
                             % (timeout, shlex.join(argv)))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
            err.close()
            if p is not None:
                if p.stdout:
                    p.stdout.close()
                if p.returncode is None:
                    p.kill()
                    try:
                        os.waitpid(p.pid, 0)
                    except ChildProcessError:
                        pass
                    p.returncode = -9

    def peak_rss_kb(self, argv, timeout=300.0):
        """Peak RSS of argv alone, via GNU time (see the module doc)."""
        r = self.run([GNU_TIME, "-f", "%M", "-o", self.rssfile] + argv,
                     timeout=timeout)
        with open(self.rssfile) as f:
            return r, int(f.read().split()[-1])


def _alarm(signo, frame):
    raise Timeout()


def _stop(signo, frame):
    raise Stop("signal %d" % signo)


class Cmd:
    """One command of a comparison, with the exit statuses it may give."""

    def __init__(self, key, label, argv, ok=(0,), capture=False):
        self.key = key
        self.label = label
        self.argv = argv
        self.ok = tuple(ok)
        self.capture = capture
        self.runs = []
        self.bad = {}

    def display(self, uri, people):
        """The command as shown in the report (paths shortened)."""
        out = []
        for a in self.argv:
            if a == uri:
                a = "$URI"
            elif a == people:
                a = "$PEOPLE"
            elif a.startswith(REPO + "/"):
                a = os.path.relpath(a, REPO)
            out.append(a)
        s = shlex.join(out)
        return s.replace("'$URI'", "$URI").replace("'$PEOPLE'", "$PEOPLE")


def run_group(runner, cmds, iters, warmup, rng, what, check=None):
    """Run every command of cmds once per iteration in a random order,
    after `warmup` unrecorded iterations."""
    total = warmup + iters
    t_start = time.monotonic()
    last = 0.0
    for i in range(total):
        order = list(cmds)
        rng.shuffle(order)
        for c in order:
            r = runner.run(c.argv, capture=c.capture)
            if r.rc not in c.ok:
                c.bad[r.rc] = c.bad.get(r.rc, 0) + 1
                if sum(c.bad.values()) > max(3, iters // 10):
                    raise BenchError("%s: exit %d (expected %s) too often; "
                                     "last stderr:\n%s"
                                     % (shlex.join(c.argv), r.rc,
                                        "/".join(map(str, c.ok)),
                                        r.err.strip()))
                continue
            if check is not None:
                check(c, r)
            if i >= warmup:
                c.runs.append(r)
        now = time.monotonic()
        if now - last > 5 or i == total - 1:
            last = now
            done = i + 1
            eta = (now - t_start) / done * (total - done)
            log("%s: %d/%d iterations (%d warm-up), %.0fs, ~%.0fs left"
                % (what, done, total, warmup, now - t_start, eta))


# --------------------------------------------------------------------------
# machine

def _first_line(argv):
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=20)
        return p.stdout.decode("utf-8", "replace").strip()
    except Exception as e:
        return "unknown (%s)" % e


def machine_info(build):
    info = {}
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info["cpu"] = model
    info["cores"] = os.cpu_count()
    try:
        info["online"] = len(os.sched_getaffinity(0))
    except AttributeError:
        info["online"] = info["cores"]
    info["kernel"] = "%s %s" % (platform.system(), platform.release())
    distro = "unknown"
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    distro = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    info["distro"] = distro
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        info["memory"] = "%.1f GiB" % (kb / 1048576)
    except (OSError, ValueError, IndexError):
        info["memory"] = "unknown"
    v = _first_line(["/usr/sbin/slapd", "-VV"])
    m = re.search(r"slapd ([^ ]+)", v)
    info["slapd"] = m.group(1) if m else v.splitlines()[0] if v else "?"
    v = _first_line(["ldapsearch", "-VV"])
    m = re.search(r"ldapsearch ([^ ]+).*?LDAP library: ([^)]+)\)", v, re.S)
    info["ldapsearch"] = ("%s (%s)" % (m.group(1), m.group(2)) if m
                          else v.splitlines()[0] if v else "?")
    info["pyldap"] = _first_line([SYSTEM_PYTHON, "-c",
                                  "import ldap; print(ldap.__version__)"])
    info["tools"] = _first_line([os.path.join(build, "cmd", "ldapcancel"),
                                 "-V"]).splitlines()[0]
    try:
        head = subprocess.run(["git", "-C", REPO, "rev-parse", "--short",
                               "HEAD"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, timeout=10)
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain",
                                "--untracked-files=no", "--", "lib", "cmd"],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, timeout=10)
        info["commit"] = head.stdout.decode().strip() + (
            " (lib/ or cmd/ modified)" if dirty.stdout.strip() else "")
    except Exception:
        info["commit"] = "unknown"
    info["load"] = "%.2f %.2f %.2f" % os.getloadavg()
    return info


# --------------------------------------------------------------------------
# the sections

class Bench:
    def __init__(self, args, reps, slapd, runner, rng):
        self.args = args
        self.reps = reps
        self.s = slapd
        self.runner = runner
        self.rng = rng
        b = os.path.join(args.build, "cmd")
        self.cancel = os.path.join(b, "ldapcancel")
        self.abandon = os.path.join(b, "ldapabandon")
        self.trace = os.path.join(b, "ldaptrace")
        self.ldapsearch = shutil.which("ldapsearch") or "/usr/bin/ldapsearch"
        self.conn = ["-x", "-H", slapd.uri, "-b", slapd.people_base]
        self.goals = []     # (section, goal, measured, ok)
        self.md = []
        self.notes = []
        self.have_pyldap = True
        self.have_time = os.access(GNU_TIME, os.X_OK)

    def disp(self, c):
        return c.display(self.s.uri, self.s.people_base)

    def goal(self, section, text, measured, ok):
        self.goals.append((section, text, measured, ok))
        return mark(ok)

    def w(self, line=""):
        self.md.append(line)

    def bad_note(self, cmds):
        for c in cmds:
            if c.bad:
                self.notes.append("`%s` exited %s in %s runs (not counted)"
                                  % (self.disp(c), "/".join(map(str, c.bad)),
                                     sum(c.bad.values())))

    # 1 ---------------------------------------------------------------
    def whole(self):
        n, warm = self.reps["whole"], self.reps["warmup"]
        py = [SYSTEM_PYTHON, PYLDAP]
        sets = [
            ("cancel",
             Cmd("ours", "ldapcancel -q", [self.cancel] + self.conn + ["-q"]),
             Cmd("ldapsearch", "ldapsearch -e '!cancel'",
                 [self.ldapsearch] + self.conn + ["-e", "!cancel"],
                 ok=(255,)),
             Cmd("python", "python-ldap cancel",
                 py + [self.s.uri, self.s.people_base])),
            ("abandon",
             Cmd("ours", "ldapabandon --wait 0 -q",
                 [self.abandon] + self.conn + ["--wait", "0", "-q"]),
             Cmd("ldapsearch", "ldapsearch -e '!abandon'",
                 [self.ldapsearch] + self.conn + ["-e", "!abandon"],
                 ok=(255,)),
             Cmd("python", "python-ldap abandon_ext",
                 py + ["--abandon", self.s.uri, self.s.people_base])),
        ]
        if not self.have_pyldap:
            sets = [(k, a, b) for k, a, b, _ in sets]
        cmds = [c for s in sets for c in s[1:]]
        run_group(self.runner, cmds, n, warm, self.rng, "1 whole run")
        self.bad_note(cmds)
        self.w("## 1. Whole run: connect, bind, search ou=people, "
               "interrupt at once, report")
        self.w()
        self.w("Wall time of the whole process, %d runs of each command "
               "(after %d warm-up runs), all six interleaved in a random "
               "order per iteration. CPU = user+sys of the process. "
               "`ldapsearch -e '!cancel'` prints \"cancel got 0\" and exits "
               "255 without reading the search's result (expected); "
               "`-e '!abandon'` likewise. ldapsearch interrupts after the "
               "first response arrived, our tools (`--after 0`) as soon as "
               "the request is written; python-ldap "
               "(`tests/bench/pyldap_cancel.py`) right after `search_ext`."
               % (n, warm))
        self.w()
        self.w("| command | runs | median ms | p99 ms | min ms | "
               "CPU median ms |")
        self.w("| --- | ---: | ---: | ---: | ---: | ---: |")
        for c in cmds:
            wall = [r.wall_ms for r in c.runs]
            cpu = [r.cpu_ms for r in c.runs]
            self.w("| `%s` | %d | %s | %s | %s | %s |"
                   % (self.disp(c), len(wall), fmt_ms(median(wall)),
                      fmt_ms(pct(wall, 99)), fmt_ms(min(wall)),
                      fmt_ms(median(cpu))))
        self.w()
        self.w("| ratio of medians | measured [95% CI] | goal | |")
        self.w("| --- | --- | --- | --- |")
        for what, ours, *refs in sets:
            a = [r.wall_ms for r in ours.runs]
            for ref in refs:
                b = [r.wall_ms for r in ref.runs]
                r, lo, hi = ratio_ci(a, b, self.rng)
                limit = (GOAL_WHOLE_VS_LDAPSEARCH if ref.key == "ldapsearch"
                         else GOAL_WHOLE_VS_PYTHON)
                m = self.goal("1", "%s / %s ≤ %.2f" % (ours.label, ref.label,
                                                       limit),
                              fmt_ratio(r, lo, hi), r <= limit)
                self.w("| %s / %s | %s | ≤ %.2f | %s |"
                       % (ours.label, ref.label, fmt_ratio(r, lo, hi),
                          limit, m))
        self.w()

    # 2 ---------------------------------------------------------------
    def latency(self):
        n, warm = self.reps["latency"], self.reps["warmup"]
        n_late = self.reps["latency_late"]
        cmds, late = [], []
        for tool, path, extra in (("ldapcancel", self.cancel, []),
                                  ("ldapabandon", self.abandon,
                                   ["--wait", "0"])):
            cmds.append(Cmd((tool, "after-entries"),
                            "%s --after-entries %d" % (tool,
                                                       LATENCY_ENTRIES),
                            [path] + self.conn + extra +
                            ["--after-entries", str(LATENCY_ENTRIES),
                             "--json"], capture=True))
            cmds.append(Cmd((tool, "after"),
                            "%s --after %s" % (tool, LATENCY_AFTER),
                            [path] + self.conn + extra +
                            ["--after", LATENCY_AFTER, "--json"],
                            capture=True))
            late.append(Cmd((tool, "after-entries"),
                            "%s --after-entries %d" % (tool,
                                                       LATENCY_LATE_ENTRIES),
                            [path] + self.conn + extra +
                            ["--after-entries", str(LATENCY_LATE_ENTRIES),
                             "--json"], capture=True))

        def check(c, r):
            j = json.loads(r.out)
            if j["interrupt"]["trigger"] != c.key[1]:
                raise BenchError("%s: trigger %s, expected %s"
                                 % (c.label, j["interrupt"]["trigger"],
                                    c.key[1]))
            r.out = j

        run_group(self.runner, cmds, n, warm, self.rng, "2 latency",
                  check=check)
        run_group(self.runner, late, n_late, warm, self.rng,
                  "2 latency, late trigger", check=check)
        self.bad_note(cmds + late)
        self.w("## 2. Interrupt latency: trigger → interrupt written")
        self.w()
        self.w("`interrupt.latency_us` from the tools' own `--json`, over "
               "the 200k-entry search (%d runs each, %d warm-up, the four "
               "interleaved). `--after-entries %d`: from the read that "
               "brought the %dth entry (about 1.5 ms after the request); "
               "`--after %s`: from the deadline. Abandon runs use `--wait 0` "
               "(the wait comes after the measurement). Goal: median ≤ %.0f "
               "µs. The last two rows (%d runs each, not goals) trigger "
               "after %d entries, a few hundred ms into the stream, to show "
               "the interrupt path once it has gone cold."
               % (n, warm, LATENCY_ENTRIES, LATENCY_ENTRIES, LATENCY_AFTER,
                  GOAL_LATENCY_US, n_late, LATENCY_LATE_ENTRIES))
        self.w()
        self.w("| command | runs | median µs | p90 µs | p99 µs | max µs | "
               "goal | |")
        self.w("| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |")
        for c in cmds + late:
            lat = [r.out["interrupt"]["latency_us"] for r in c.runs]
            m = median(lat)
            if c in late:
                ok, limit = "(info)", "–"
            else:
                limit = "≤ %.0f" % GOAL_LATENCY_US
                ok = self.goal("2", "%s: median latency ≤ %.0f µs"
                               % (c.label, GOAL_LATENCY_US),
                               "%s µs (p99 %s)" % (fmt_us(m),
                                                   fmt_us(pct(lat, 99))),
                               m <= GOAL_LATENCY_US)
            self.w("| `%s` | %d | %s | %s | %s | %s | %s | %s |"
                   % (self.disp(c), len(lat), fmt_us(m),
                      fmt_us(pct(lat, 90)), fmt_us(pct(lat, 99)),
                      fmt_us(max(lat)), limit, ok))
        self.w()

    # 3 ---------------------------------------------------------------
    def stream(self):
        warm = self.reps["warmup"]
        rows = []
        for n_entries in STREAM_SIZES:
            iters = self.reps["stream"][n_entries]
            z = ["-z", str(n_entries)]
            ours = Cmd("ours", "ldapabandon",
                       [self.abandon] + self.conn + z +
                       ["--after-entries", str(n_entries), "--wait", "0",
                        "-q"])
            ref = Cmd("ldapsearch", "ldapsearch",
                      [self.ldapsearch] + self.conn + z, ok=(4,))
            run_group(self.runner, [ours, ref], iters,
                      min(warm, 2) if n_entries >= 100000 else warm,
                      self.rng, "3 streaming %d entries" % n_entries)
            self.bad_note([ours, ref])
            # what the tool reports for this N (one extra run)
            j = json.loads(self.runner.run(
                [a for a in ours.argv if a != "-q"] + ["--json"],
                capture=True).out)
            said = "%s, entries before/after %d/%d" % (
                j["outcome"], j["entries_before"], j["entries_after"])
            rss = {"ours": [], "ldapsearch": []}
            if self.have_time:
                for i in range(self.reps["rss"]):
                    pair = [ours, ref]
                    self.rng.shuffle(pair)
                    for c in pair:
                        r, kb = self.runner.peak_rss_kb(c.argv)
                        if r.rc in c.ok:
                            rss[c.key].append(kb)
                log("3 streaming %d entries: peak RSS measured" % n_entries)
            rows.append((n_entries, ours, ref, said, rss))
        self.w("## 3. Streaming cost: read N entries, then stop")
        self.w()
        self.w("`ldapabandon -x -H $URI -b $PEOPLE -z N --after-entries N "
               "--wait 0 -q` against `ldapsearch -x -H $URI -b $PEOPLE -z N "
               "> /dev/null`: both read exactly N entries (`-z N`: the "
               "subtree holds 200,002). ldapsearch also reads the "
               "SearchResultDone (sizeLimitExceeded, exit 4) and writes "
               "LDIF; ldapabandon abandons after the Nth entry and unbinds. "
               "Wall and CPU (user+sys) medians, interleaved pairs after "
               "warm-up; slapd CPU is the server's user+sys during each run "
               "(10 ms ticks), sleeps the client's voluntary context "
               "switches (times it found the socket empty and waited); "
               "peak RSS (`/usr/bin/time -f %%M`) median of %d "
               "runs each. Goals: time ≤ %.1f× and peak RSS ≤ %.1f× "
               "ldapsearch's; our RSS flat (≤ %d kB growth from 1k to "
               "200k)." % (self.reps["rss"], GOAL_STREAM_TIME,
                           GOAL_STREAM_RSS, GOAL_RSS_GROWTH_KB))
        self.w()
        self.w("| N | runs | ldapabandon ms (p99) | ldapsearch ms (p99) | "
               "time ratio [95% CI] | | CPU ms ours / ldapsearch | "
               "slapd CPU ms ours / ldapsearch | sleeps ours / ldapsearch | "
               "peak RSS kB ours / ldapsearch | RSS ratio | | "
               "ldapabandon reports |")
        self.w("| ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: "
               "| ---: | ---: | --- | --- |")
        ours_rss = []
        for n_entries, ours, ref, said, rss in rows:
            a = [r.wall_ms for r in ours.runs]
            b = [r.wall_ms for r in ref.runs]
            r, lo, hi = ratio_ci(a, b, self.rng)
            tm = self.goal("3", "N=%d: time ≤ %.1f× ldapsearch"
                           % (n_entries, GOAL_STREAM_TIME),
                           fmt_ratio(r, lo, hi), r <= GOAL_STREAM_TIME)
            ca = median([x.cpu_ms for x in ours.runs])
            cb = median([x.cpu_ms for x in ref.runs])
            sa = median([x.server_ms for x in ours.runs])
            sb = median([x.server_ms for x in ref.runs])
            va = median([x.vcsw for x in ours.runs])
            vb = median([x.vcsw for x in ref.runs])
            if rss["ours"] and rss["ldapsearch"]:
                ra, rb = median(rss["ours"]), median(rss["ldapsearch"])
                ours_rss.append((n_entries, ra))
                rr = ra / rb
                rm = self.goal("3", "N=%d: peak RSS ≤ %.1f× ldapsearch"
                               % (n_entries, GOAL_STREAM_RSS),
                               "%.2f× (%d / %d kB)" % (rr, ra, rb),
                               rr <= GOAL_STREAM_RSS)
                rss_cells = "%d / %d | %.2f× | %s" % (ra, rb, rr, rm)
            else:
                rss_cells = "n/a | – | "
            self.w("| %d | %d | %s (%s) | %s (%s) | %s | %s | %s / %s | "
                   "%s / %s | %.0f / %.0f | %s | %s |"
                   % (n_entries, len(a), fmt_ms(median(a)),
                      fmt_ms(pct(a, 99)), fmt_ms(median(b)),
                      fmt_ms(pct(b, 99)), fmt_ratio(r, lo, hi), tm,
                      fmt_ms(ca), fmt_ms(cb), fmt_ms(sa), fmt_ms(sb), va, vb,
                      rss_cells, said))
        self.w()
        if len(ours_rss) >= 2:
            grow = ours_rss[-1][1] - ours_rss[0][1]
            m = self.goal("3", "our peak RSS flat from 1k to 200k entries "
                          "(≤ %d kB growth)" % GOAL_RSS_GROWTH_KB,
                          "%+d kB (%s)" % (grow, ", ".join(
                              "%d: %d kB" % x for x in ours_rss)),
                          grow <= GOAL_RSS_GROWTH_KB)
            self.w("Our peak RSS from N=%d to N=%d: %+d kB %s"
                   % (ours_rss[0][0], ours_rss[-1][0], grow, m))
        elif not self.have_time:
            self.w("Peak RSS not measured: %s is missing (Debian package "
                   "`time`)." % GNU_TIME)
        self.w()
        self.stream_rows = rows

    # 4 ---------------------------------------------------------------
    def tracing(self):
        n = self.reps["trace"]
        warm = min(self.reps["warmup"], 2)
        ref = Cmd("ldapsearch", "ldapsearch > /dev/null",
                  [self.ldapsearch] + self.conn)
        t = Cmd("trace", "ldaptrace > /dev/null", [self.trace] + self.conn)
        tv = Cmd("trace-v", "ldaptrace -v > /dev/null",
                 [self.trace] + self.conn + ["-v"])
        cmds = [t, tv, ref]
        run_group(self.runner, cmds, n, warm, self.rng, "4 ldaptrace")
        self.bad_note(cmds)
        self.w("## 4. ldaptrace over the whole search (%d entries)"
               % (self.s.entries + 2))
        self.w()
        self.w("Standard output to /dev/null for all three (ldaptrace -v "
               "writes its step lines to stderr, also discarded); %d runs "
               "each, %d warm-up, interleaved. Goal: ≤ %.0f× ldapsearch "
               "printing LDIF." % (n, warm, GOAL_TRACE))
        self.w()
        self.w("| command | runs | median ms | p99 ms | CPU median ms | "
               "slapd CPU ms | ratio [95% CI] | goal | |")
        self.w("| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |")
        b = [r.wall_ms for r in ref.runs]
        for c in cmds:
            a = [r.wall_ms for r in c.runs]
            cpu = median([r.cpu_ms for r in c.runs])
            srv = median([r.server_ms for r in c.runs])
            if c is ref:
                self.w("| `%s > /dev/null` | %d | %s | %s | %s | %s | 1 | | |"
                       % (self.disp(c), len(a), fmt_ms(median(a)),
                          fmt_ms(pct(a, 99)), fmt_ms(cpu), fmt_ms(srv)))
                continue
            r, lo, hi = ratio_ci(a, b, self.rng)
            m = self.goal("4", "%s ≤ %.0f× ldapsearch" % (c.label,
                                                           GOAL_TRACE),
                          fmt_ratio(r, lo, hi), r <= GOAL_TRACE)
            self.w("| `%s > /dev/null` | %d | %s | %s | %s | %s | %s | "
                   "≤ %.0f× | %s |"
                   % (self.disp(c), len(a), fmt_ms(median(a)),
                      fmt_ms(pct(a, 99)), fmt_ms(cpu), fmt_ms(srv),
                      fmt_ratio(r, lo, hi), GOAL_TRACE, m))
        self.w()

    # 5 ---------------------------------------------------------------
    def server(self):
        n, warm = self.reps["server"], self.reps["warmup"]
        ae = ["--after-entries", str(LATENCY_ENTRIES), "--json"]
        c = Cmd("cancel", "ldapcancel", [self.cancel] + self.conn + ae,
                capture=True)
        a = Cmd("abandon", "ldapabandon",
                [self.abandon] + self.conn + ["--wait", ABANDON_WAIT] + ae,
                capture=True)

        def check(cmd, r):
            r.out = json.loads(r.out)

        run_group(self.runner, [c, a], n, warm, self.rng,
                  "5 after the interrupt", check=check)
        self.bad_note([c, a])

        def since_sent(j, x):
            return x - j["interrupt"]["sent_ms"]

        def col(runs, f):
            out = []
            for r in runs:
                try:
                    v = f(r.out)
                except (KeyError, TypeError):
                    continue
                if v is not None:
                    out.append(v)
            return out

        outcomes = {}
        for cmd in (c, a):
            for r in cmd.runs:
                k = (cmd.key, r.out["outcome"])
                outcomes[k] = outcomes.get(k, 0) + 1
        self.w("## 5. What the server does after the interrupt")
        self.w()
        self.w("The 200k-entry search interrupted after %d entries "
               "(`--after-entries %d --json`), %d runs each, %d warm-up, "
               "interleaved; abandon listens with `--wait %s`. Times in ms "
               "from the interrupt written (`interrupt.sent_ms`). "
               "Outcomes: %s." % (
                   LATENCY_ENTRIES, LATENCY_ENTRIES, n, warm, ABANDON_WAIT,
                   ", ".join("%s %s ×%d" % (k[0], k[1], v)
                             for k, v in sorted(outcomes.items()))))
        self.w()
        self.w("| measure | runs | median | p99 | max |")
        self.w("| --- | ---: | ---: | ---: | ---: |")
        rows = [
            ("cancel: entries after the Cancel", c,
             lambda j: j["entries_after"], "%.0f"),
            ("cancel: Cancel round trip (cancel_result.at_ms − sent_ms)",
             c, lambda j: since_sent(j, j["cancel_result"]["at_ms"]),
             "%.3f ms"),
            ("cancel: search ended (op_result.at_ms − sent_ms)", c,
             lambda j: since_sent(j, j["op_result"]["at_ms"]), "%.3f ms"),
            ("abandon: entries after the Abandon", a,
             lambda j: j["entries_after"], "%.0f"),
            ("abandon: last message after the Abandon (last_after_ms − "
             "sent_ms)", a,
             lambda j: since_sent(j, j["last_after_ms"])
             if "last_after_ms" in j else None, "%.3f ms"),
        ]
        for label, cmd, f, fmt in rows:
            v = col(cmd.runs, f)
            if not v:
                self.w("| %s | 0 | – | – | – |" % label)
                continue
            self.w("| %s | %d | %s | %s | %s |"
                   % (label, len(v), fmt % median(v), fmt % pct(v, 99),
                      fmt % max(v)))
        self.w()

    # 6 ---------------------------------------------------------------
    def cpu(self):
        """Wall and CPU (user+sys) over the whole 200k stream, each command
        posix_spawn'ed and reaped with os.wait4: its rusage is the tool's
        alone, never a forked Python's."""
        n, warm = self.reps["cpu"], min(self.reps["warmup"], 2)
        n_all = self.s.entries
        ours = ("ldapabandon --after-entries %d --wait 0 -q" % (n_all - 1),
                [self.abandon] + self.conn + ["--after-entries", str(n_all - 1),
                                              "--wait", "0", "-q"], (0,))
        ref = ("ldapsearch > /dev/null", [self.ldapsearch] + self.conn, (0,))
        runs = {ours[0]: [], ref[0]: []}
        for i in range(warm + n):
            pair = [ours, ref]
            self.rng.shuffle(pair)
            for label, argv, ok in pair:
                r = spawned(argv, ok)
                if i >= warm:
                    runs[label].append(r)
            log("6 CPU: %d/%d iterations" % (i + 1, warm + n))
        self.w("## 6. CPU over the whole stream (%d entries)" % n_all)
        self.w()
        self.w("`%s` against `%s`, %d runs each after %d warm-up, "
               "interleaved; each posix_spawn'ed with stdin, stdout and "
               "stderr on /dev/null and reaped by `os.wait4`, whose rusage "
               "gives user and system CPU. Goals: wall time and CPU "
               "(user+sys) ≤ %.1f× ldapsearch's (medians)."
               % (ours[0], ref[0], n, warm, GOAL_CPU))
        self.w()
        self.w("| command | runs | wall ms | CPU ms (user+sys) | user ms | "
               "sys ms | sleeps |")
        self.w("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for label in (ours[0], ref[0]):
            rs = runs[label]
            self.w("| `%s` | %d | %s | %s | %s | %s | %.0f |"
                   % (label, len(rs), fmt_ms(median([r[0] for r in rs])),
                      fmt_ms(median([r[1] for r in rs])),
                      fmt_ms(median([r[2] for r in rs])),
                      fmt_ms(median([r[3] for r in rs])),
                      median([r[4] for r in rs])))
        self.w()
        self.w("| ratio of medians | measured [95% CI] | goal | |")
        self.w("| --- | --- | --- | --- |")
        for k, what in ((0, "wall"), (1, "CPU")):
            a = [r[k] for r in runs[ours[0]]]
            b = [r[k] for r in runs[ref[0]]]
            r, lo, hi = ratio_ci(a, b, self.rng)
            m = self.goal("6", "200k stream: %s ≤ %.1f× ldapsearch"
                          % (what, GOAL_CPU), fmt_ratio(r, lo, hi),
                          r <= GOAL_CPU)
            self.w("| %s ours / ldapsearch | %s | ≤ %.1f | %s |"
                   % (what, fmt_ratio(r, lo, hi), GOAL_CPU, m))
        self.w()

    # 7 ---------------------------------------------------------------
    def ldif(self):
        """The whole 200k stream written as LDIF (-LLL) to /dev/null,
        against ldapsearch -LLL: wall, CPU and peak RSS; the LDIF itself
        is compared byte for byte once first."""
        n, warm = self.reps["ldif"], min(self.reps["warmup"], 2)
        ref = ("ldapsearch -LLL", [self.ldapsearch] + self.conn + ["-LLL"])
        ours = [("ldaptrace -LLL -q", [self.trace] + self.conn + ["-LLL", "-q"]),
                ("ldapcancel -LLL -q --after-entries 1000000",
                 [self.cancel] + self.conn + ["-LLL", "-q", "--after-entries",
                                              "1000000"])]
        want = self.runner.run(ref[1], capture=True)
        for label, argv in ours:
            got = self.runner.run(argv, capture=True)
            if (got.rc, got.out) != (0, want.out):
                raise BenchError("%s: exit %d, %d bytes of LDIF where ldapsearch "
                                 "wrote %d: not the same" % (label, got.rc, len(got.out),
                                                             len(want.out)))
        runs = {label: [] for label, _ in ours + [ref]}
        rss = {label: [] for label in runs}
        for i in range(warm + n):
            order = ours + [ref]
            self.rng.shuffle(order)
            for label, argv in order:
                r = spawned(argv, (0,))
                if i >= warm:
                    runs[label].append(r)
            log("7 LDIF: %d/%d iterations" % (i + 1, warm + n))
        if self.have_time:
            for i in range(self.reps["rss"]):
                order = ours + [ref]
                self.rng.shuffle(order)
                for label, argv in order:
                    r, kb = self.runner.peak_rss_kb(argv)
                    if r.rc == 0:
                        rss[label].append(kb)
        self.w("## 7. LDIF output over the whole stream (%d entries)"
               % (self.s.entries + 2))
        self.w()
        self.w("Each command writes the same LDIF (%d bytes, compared byte "
               "for byte with ldapsearch's before timing) to /dev/null; %d "
               "runs each after %d warm-up, interleaved, posix_spawn'ed and "
               "reaped by `os.wait4` as in section 6; peak RSS "
               "(`/usr/bin/time -f %%M`) median of %d runs each. `ldapcancel "
               "--after-entries 1000000` never fires: the search completes "
               "(too-late, exit 0 under -L). Goals: wall time ≤ %.1f× and "
               "peak RSS ≤ %.1f× ldapsearch's (medians)."
               % (len(want.out), n, warm, self.reps["rss"], GOAL_LDIF_TIME,
                  GOAL_STREAM_RSS))
        self.w()
        self.w("| command | runs | wall ms (p99) | CPU ms (user+sys) | "
               "peak RSS kB | wall ratio [95% CI] | | RSS ratio | |")
        self.w("| --- | ---: | ---: | ---: | ---: | --- | --- | ---: | --- |")
        b = [r[0] for r in runs[ref[0]]]
        rb = median(rss[ref[0]]) if rss[ref[0]] else None
        for label, _ in ours + [ref]:
            rs = runs[label]
            a = [r[0] for r in rs]
            ra = median(rss[label]) if rss[label] else None
            cells = ["`%s > /dev/null`" % label, str(len(rs)),
                     "%s (%s)" % (fmt_ms(median(a)), fmt_ms(pct(a, 99))),
                     fmt_ms(median([r[1] for r in rs])),
                     "%d" % ra if ra else "n/a"]
            if label == ref[0]:
                cells += ["1", "", "1", ""]
            else:
                r, lo, hi = ratio_ci(a, b, self.rng)
                cells += [fmt_ratio(r, lo, hi),
                          self.goal("7", "%s: wall ≤ %.1f× ldapsearch -LLL"
                                    % (label, GOAL_LDIF_TIME),
                                    fmt_ratio(r, lo, hi), r <= GOAL_LDIF_TIME)]
                if ra and rb:
                    cells += ["%.2f×" % (ra / rb),
                              self.goal("7", "%s: peak RSS ≤ %.1f× ldapsearch "
                                        "-LLL" % (label, GOAL_STREAM_RSS),
                                        "%.2f× (%d / %d kB)" % (ra / rb, ra, rb),
                                        ra / rb <= GOAL_STREAM_RSS)]
                else:
                    cells += ["n/a", ""]
            self.w("| " + " | ".join(cells) + " |")
        self.w()


    # 8 ---------------------------------------------------------------
    def relay(self):
        """ldapsearch of the whole stream through a relay whose trace goes
        to a file, against ldapsearch connected directly; then WhoAmI round
        trips through a relay and directly (relaybench.py)."""
        n, warm = self.reps["relay"], min(self.reps["warmup"], 2)
        trace_file = os.path.join(os.path.dirname(self.runner.errfile), "relay-trace")

        def search(uri):
            return [self.ldapsearch, "-x", "-H", uri, "-b", self.s.people_base]

        def through():
            try:
                return relaybench.relayed(self.trace, self.s.uri, trace_file, search)
            except relaybench.RelayError as e:
                raise BenchError(str(e))

        first = through()
        with open(trace_file, "rb") as f:
            traced = sum(1 for line in f if b"<- #2 SearchResultEntry " in line)
        if traced != self.s.entries + 2:
            raise BenchError("the relay's trace holds %d entries, not %d" % (traced, self.s.entries + 2))
        runs = {"relay": [], "direct": []}
        for i in range(warm + n):
            order = list(runs)
            self.rng.shuffle(order)
            for k in order:
                if k == "relay":
                    r = through()
                else:
                    w = spawned(search(self.s.uri), (0,))
                    r = {"wall_ms": w[0], "client_ms": w[0], "client_cpu_ms": w[1]}
                if i >= warm:
                    runs[k].append(r)
            log("8 relay: %d/%d iterations" % (i + 1, warm + n))
        os.unlink(trace_file)
        pings = self.reps["pings"]
        port = int(self.s.uri.rsplit(":", 1)[1])
        rtt = {"relay": [], "direct": []}
        for i in range(warm + n):
            order = list(rtt)
            self.rng.shuffle(order)
            for k in order:
                if k == "relay":
                    rl = relaybench.Relay(self.trace, self.s.uri, trace_file)
                    got = relaybench.round_trips(rl.port, pings)
                    if rl.reap() != 0:
                        raise BenchError("relay for the round trips: exit %d: %r" % (rl.rc, rl.err[-500:]))
                else:
                    got = relaybench.round_trips(port, pings)
                if i >= warm:
                    rtt[k] += got
            log("8 relay round trips: %d/%d iterations" % (i + 1, warm + n))
        os.unlink(trace_file)
        self.relay_render(runs, rtt, first["messages"], n, warm, pings)

    def relay_render(self, runs, rtt, messages, n, warm, pings):
        col = lambda k, key: [r[key] for r in runs[k]]  # noqa: E731
        self.w("## 8. The relay: ldapsearch through `ldaptrace --listen`, trace to a file")
        self.w()
        self.w("`ldapsearch -x -H $RELAY -b $PEOPLE > /dev/null` (%d entries, %d messages both ways) through "
               "`ldaptrace --listen ldap://127.0.0.1:0 -H $URI --sessions 1 > FILE`, against the same "
               "ldapsearch connected to $URI; %d runs each after %d warm-up, interleaved, posix_spawn'ed and "
               "reaped by `os.wait4`. Each relayed run has a relay of its own, started before the clock (as one "
               "already listening); the clock stops when both the client and the relay are reaped, and the relay "
               "exits once the session's trace and summary are written: a trace that lags behind the client "
               "counts. The trace file held every entry (checked once)."
               % (self.s.entries + 2, messages, n, warm))
        self.w()
        self.w("| command | runs | wall ms (p99) | client alone ms | client CPU ms | relay CPU ms |")
        self.w("| --- | ---: | ---: | ---: | ---: | ---: |")
        for k, label in (("relay", "through the relay"), ("direct", "directly")):
            a = col(k, "wall_ms")
            self.w("| ldapsearch %s | %d | %s (%s) | %s | %s | %s |"
                   % (label, len(a), fmt_ms(median(a)), fmt_ms(pct(a, 99)), fmt_ms(median(col(k, "client_ms"))),
                      fmt_ms(median(col(k, "client_cpu_ms"))),
                      fmt_ms(median(col(k, "relay_cpu_ms"))) if k == "relay" else "–"))
        self.w()
        a, b = col("relay", "wall_ms"), col("direct", "wall_ms")
        r, lo, hi = ratio_ci(a, b, self.rng)
        per_msg = (median(a) - median(b)) * 1e3 / messages
        rr, rd = median(rtt["relay"]), median(rtt["direct"])
        added = (rr - rd) / 2
        self.w("The latency one message gains: WhoAmI round trips one after the other on one connection "
               "(TCP_NODELAY, a raw socket client), %d per connection, %d connections each way after %d warm-up, "
               "interleaved; a round trip crosses the relay twice (request and response), so the added latency "
               "per message is half the difference of the median round trips. The stream figure above spreads "
               "the added wall time over every message of a pipelined stream, where the relay's work overlaps "
               "the server's; the round trips show one message's delay when nothing overlaps."
               % (pings, n, warm))
        self.w()
        self.w("| round trip | count | median µs | p99 µs |")
        self.w("| --- | ---: | ---: | ---: |")
        for k, label in (("relay", "through the relay"), ("direct", "directly")):
            self.w("| WhoAmI %s | %d | %s | %s |" % (label, len(rtt[k]), fmt_us(median(rtt[k])),
                                                    fmt_us(pct(rtt[k], 99))))
        self.w()
        self.w("| measure | measured | goal | |")
        self.w("| --- | --- | --- | --- |")
        rows = (("wall, relayed / direct", fmt_ratio(r, lo, hi), "≤ %.2f×" % GOAL_RELAY, r <= GOAL_RELAY,
                 "200k stream through the relay, trace to a file: wall ≤ %.2f× direct" % GOAL_RELAY),
                ("added per message, stream: (median relayed − median direct wall) / %d messages" % messages,
                 "%.2f µs" % per_msg, "≤ %.0f µs" % GOAL_RELAY_US, per_msg <= GOAL_RELAY_US,
                 "relay: added per message over the 200k stream ≤ %.0f µs" % GOAL_RELAY_US),
                ("added per message, one at a time: (median relayed − median direct round trip) / 2",
                 "%.1f µs" % added, "≤ %.0f µs" % GOAL_RELAY_US, added <= GOAL_RELAY_US,
                 "relay: added latency per message, one at a time (WhoAmI round trips) ≤ %.0f µs"
                 % GOAL_RELAY_US))
        for label, measured, goal, ok, goal_text in rows:
            self.w("| %s | %s | %s | %s |" % (label, measured, goal, self.goal("8", goal_text, measured, ok)))
        self.w()


def spawned(argv, ok):
    """argv posix_spawn'ed with stdin, stdout and stderr on /dev/null and
    reaped by os.wait4, whose rusage is the child's alone (never a forked
    Python's): (wall ms, CPU ms user+sys, user ms, sys ms, sleeps)."""
    fa = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
          (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
          (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=fa)
    _, status, ru = os.wait4(pid, 0)
    t1 = time.perf_counter_ns()
    rc = os.waitstatus_to_exitcode(status)
    if rc not in ok:
        raise BenchError("%s: exit %d" % (shlex.join(argv), rc))
    return ((t1 - t0) / 1e6, (ru.ru_utime + ru.ru_stime) * 1e3,
            ru.ru_utime * 1e3, ru.ru_stime * 1e3, ru.ru_nvcsw)


def render(bench, info, cmdline, started, elapsed, quick):
    head = []
    h = head.append
    h("# ldap-interrupt benchmark%s" % (" (--quick: smoke test, too few "
                                        "runs to mean much)" if quick
                                        else ""))
    h("")
    h("Measured figures, not goals. Reproduce with:")
    h("")
    h("```")
    h(cmdline)
    h("```")
    h("")
    h("| machine | |")
    h("| --- | --- |")
    h("| CPU | %s |" % info["cpu"])
    h("| cores | %s (%s usable by this process) |" % (info["cores"],
                                                      info["online"]))
    h("| memory | %s |" % info["memory"])
    h("| kernel | %s |" % info["kernel"])
    h("| system | %s |" % info["distro"])
    h("| OpenLDAP | slapd %s; ldapsearch %s |" % (info["slapd"],
                                                  info["ldapsearch"]))
    h("| python-ldap | %s |" % info["pyldap"])
    h("| tools | %s, commit %s |" % (info["tools"], info["commit"]))
    h("| load average at start / end | %s / %s |" % (info["load"],
                                                     info["load_end"]))
    h("| started | %s, took %.0f s, %d runs |" % (started, elapsed,
                                                   bench.runner.nruns))
    h("")
    h("slapd: the fixture (tests/fixture/slapd.py, back-mdb, `-d stats` "
      "logging to a file) on 127.0.0.1 with %d generated entries below "
      "ou=people (a subtree search returns %d). `$URI` and `$PEOPLE` below "
      "stand for its ldap:// URI and ou=people,dc=example,dc=com."
      % (bench.s.entries, bench.s.entries + 2))
    h("")
    h("## Goals")
    h("")
    h("| § | goal | measured | |")
    h("| --- | --- | --- | --- |")
    for sec, text, measured, ok in bench.goals:
        h("| %s | %s | %s | %s |" % (sec, text, measured, mark(ok)))
    h("")
    tail = []
    if bench.notes:
        tail.append("## Notes")
        tail.append("")
        for n in bench.notes:
            tail.append("- %s" % n)
        tail.append("")
    return "\n".join(head + bench.md + tail) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="ldap-interrupt benchmark against ldapsearch and "
                    "python-ldap (see the module docstring)")
    ap.add_argument("--build", default=os.path.join(REPO, "build"),
                    help="build directory with cmd/ldapcancel etc. "
                         "(default: %(default)s)")
    ap.add_argument("--out", default=os.path.join(HERE, "results.md"),
                    help="Markdown file to write (default: %(default)s)")
    ap.add_argument("--quick", action="store_true",
                    help="a few repetitions only (smoke test)")
    ap.add_argument("--entries", type=int, default=MIN_ENTRIES,
                    help="entries below ou=people (>= %d)" % MIN_ENTRIES)
    ap.add_argument("--cache", default=None,
                    help="slapd template cache (default: BUILD/tests/"
                         "slapd-cache)")
    ap.add_argument("--seed", type=int, default=1,
                    help="seed of the run order shuffles and bootstrap")
    ap.add_argument("--only", default="12345678",
                    help="sections to run, e.g. 23 (default: all)")
    args = ap.parse_args(argv)
    if args.entries < MIN_ENTRIES:
        ap.error("--entries must be at least %d" % MIN_ENTRIES)
    args.build = os.path.abspath(args.build)
    cache = args.cache or os.path.join(args.build, "tests", "slapd-cache")
    for t in ("ldapcancel", "ldapabandon", "ldaptrace"):
        if not os.access(os.path.join(args.build, "cmd", t), os.X_OK):
            ap.error("%s/cmd/%s not found: build first (ninja -C %s)"
                     % (args.build, t, args.build))
    reps = {k: v[1 if args.quick else 0] for k, v in REPS.items()}
    cmdline = "cd %s && %s" % (shlex.quote(os.getcwd()),
                               shlex.join([sys.executable] + sys.argv))
    rng = random.Random(args.seed)
    started = datetime.datetime.now().astimezone().strftime(
        "%Y-%m-%d %H:%M %Z")
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, _stop)
    info = machine_info(args.build)
    t0 = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="li-bench-")
    try:
        log("starting slapd with %d entries (cache %s)" % (args.entries,
                                                            cache))
        with Slapd(entries=args.entries, cache_dir=cache,
                   die_with_parent=True) as s:
            log("slapd up at %s in %.1fs" % (s.uri, s.startup_seconds))
            runner = Runner(tmp, s.pid)
            bench = Bench(args, reps, s, runner, rng)
            py = subprocess.run([SYSTEM_PYTHON, "-c", "import ldap"],
                                stderr=subprocess.DEVNULL)
            if py.returncode != 0:
                bench.have_pyldap = False
                bench.notes.append("python-ldap is not importable by %s: "
                                   "its rows are missing" % SYSTEM_PYTHON)
            if not bench.have_time:
                bench.notes.append("%s is missing: peak RSS not measured"
                                   % GNU_TIME)
            # Warm slapd and the page cache with one whole search.
            runner.run([bench.ldapsearch] + bench.conn)
            sections = {"1": bench.whole, "2": bench.latency,
                        "3": bench.stream, "4": bench.tracing,
                        "5": bench.server, "6": bench.cpu,
                        "7": bench.ldif, "8": bench.relay}
            for k in sorted(set(args.only)):
                if k in sections:
                    sections[k]()
    except BenchError as e:
        log("error: %s" % e)
        return 1
    except (KeyboardInterrupt, Stop):
        log("interrupted; slapd stopped")
        return 130
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    info["load_end"] = "%.2f %.2f %.2f" % os.getloadavg()
    text = render(bench, info, cmdline, started, time.monotonic() - t0,
                  args.quick)
    sys.stdout.write(text)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)
    log("wrote %s" % args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
