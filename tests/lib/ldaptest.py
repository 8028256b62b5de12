#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""ldaptest - TAP harness for ldap-interrupt's integration tests (stdlib only).

A test file::

    #!/usr/bin/python3
    import os, sys
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
    from ldaptest import *

    @test
    def cancel_a_search():
        s = slapd()
        r = run("ldapcancel", ["-H", s.uri, ...])
        eq(r.rc, 0, "exit status")

    @test(skip_unless=lambda: have("valgrind"), reason="no valgrind")
    def under_valgrind():
        ...

    if __name__ == "__main__":
        tap_main()

Output is TAP: ``ok N - name`` / ``not ok N - name`` followed by ``# ``
diagnostics (the failure message, the last command's argv, exit status,
elapsed time and stdout/stderr tails, the slapd log tail), and the plan
``1..N`` at the end.  Exit status 1 if any test failed.  Anything a test
prints to stdout is turned into ``# `` lines so it cannot break the TAP
stream.  Command-line arguments to the test file select tests by substring
of their names (the others are reported as skipped).

API (see the docstrings):
    @test / @test(name=..., skip_unless=bool|callable, reason=...)
    tap_main()
    run(tool, args, *, timeout=20, stdin=None, env=None, cwd=None) -> Result
        Result: .rc (-N if killed by signal N) .out .err (str) .out_bytes
        .err_bytes .elapsed .argv .json .jsonl .signal
    spawn(tool, args, *, env=None, cwd=None, stdin_pipe=False) -> Proc
        Proc (context manager): .pid .out .err .running() .wait_for(stream,
        regex, timeout=10, pos=0) -> re.Match, .signal(sig, group=False),
        .write(data), .close_stdin(), .wait(timeout=10) -> Result, .kill()
    slapd() -> tests/fixture/slapd.py Slapd (shared, started lazily)
    faultserver(scenario, **opts) -> tests/fixture/faultserver.py FaultServer
    fail, skip, diag, ok, eq, ne, contains, not_contains, matches,
    not_matches, lt, le, gt, ge; have(program), built(tool), base_env()
    `tool` is "ldapcancel", "ldapabandon", "ldaptrace" (from the build dir,
    prefixed with LI_WRAPPER) or any program on PATH.  env= overrides the
    controlled child environment (PATH, a fresh temporary HOME, LANG=C,
    sanitizer options, LDAPTLS_CACERT of the shared slapd once started);
    a value of None removes the key.

Environment:
    LI_BUILDDIR       build dir (default <repo>/build); built tools are
                      $LI_BUILDDIR/cmd/<tool>
    LI_SRCDIR         source dir (default: two levels up from this file)
    LI_WRAPPER        command prefix for built tools, e.g.
                      "valgrind -q --error-exitcode=99 --leak-check=full"
    LI_TIMEOUT_SCALE  multiply every timeout (default 1, or 10 when
                      LI_WRAPPER mentions valgrind)
    LI_TEST_ENTRIES   entries in the shared slapd (default 20000)
    LI_KEEP_SLAPD     if set, keep the slapd work dir after the run
"""

import atexit
import contextlib
import io
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

__all__ = [
    "test", "tap_main", "run", "spawn", "slapd", "faultserver",
    "Result", "Proc", "TestFailure", "Skip",
    "fail", "skip", "diag", "ok", "eq", "ne", "contains", "not_contains",
    "matches", "not_matches", "lt", "le", "gt", "ge",
    "have", "built", "tool_path", "base_env", "scaled",
    "SRCDIR", "BUILDDIR", "TOOLS",
]

# --------------------------------------------------------------------------
# locations

_HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.abspath(os.environ.get("LI_SRCDIR")
                         or os.path.join(_HERE, "..", ".."))
BUILDDIR = os.path.abspath(os.environ.get("LI_BUILDDIR")
                           or os.path.join(SRCDIR, "build"))
FIXTURE_DIR = os.path.join(SRCDIR, "tests", "fixture")
TOOLS = ("ldapcancel", "ldapabandon", "ldaptrace")

_WRAPPER = shlex.split(os.environ.get("LI_WRAPPER", ""))
if os.environ.get("LI_TIMEOUT_SCALE"):
    TIMEOUT_SCALE = float(os.environ["LI_TIMEOUT_SCALE"])
elif any("valgrind" in w for w in _WRAPPER):
    TIMEOUT_SCALE = 10.0
else:
    TIMEOUT_SCALE = 1.0

# Variables passed through from the harness' own environment to children
# (sanitizer knobs that meson sets, library paths, temp dir).
_PASSTHROUGH = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
                "MSAN_OPTIONS", "TSAN_OPTIONS", "MALLOC_PERTURB_",
                "LD_LIBRARY_PATH", "TMPDIR", "VALGRIND_OPTS")

_SANITIZER_RE = re.compile(
    r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:"
    r"|WARNING: ThreadSanitizer|WARNING: MemorySanitizer"
    # valgrind (also with -q, which omits the summary)
    r"|==\d+== ERROR SUMMARY: [1-9]|==\d+==\s+definitely lost: [1-9]"
    r"|==\d+== (?:Invalid (?:read|write|free)|Conditional jump"
    r"|Use of uninitialised|Syscall param|Mismatched free"
    r"|Source and destination overlap|[\d,]+ bytes in [\d,]+ blocks are "
    r"definitely lost)")
_m = re.search(r"--error-exitcode=(\d+)", " ".join(_WRAPPER))
_WRAPPER_ERROR_RC = int(_m.group(1)) if _m else None

def scaled(seconds):
    """A timeout scaled by LI_TIMEOUT_SCALE."""
    return None if seconds is None else seconds * TIMEOUT_SCALE


# --------------------------------------------------------------------------
# failures

class TestFailure(AssertionError):
    """Raised by fail() and the assertion helpers."""


class Skip(Exception):
    """Raised by skip(): the running test is reported as skipped."""


class _Terminated(BaseException):
    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def fail(msg):
    raise TestFailure(msg)


def skip(reason):
    raise Skip(reason)


def _short(v, limit=2000):
    s = v if isinstance(v, str) else repr(v)
    if len(s) > limit:
        s = s[:limit // 2] + "\n...[%d chars]...\n" % (len(s) - limit) \
            + s[-limit // 2:]
    return s


def ok(cond, what):
    if not cond:
        fail("%s: condition is false" % what)
    return cond


def eq(actual, expected, what):
    if actual != expected:
        fail("%s: expected %s, got %s" % (what, _short(repr(expected)),
                                          _short(repr(actual))))
    return actual


def ne(actual, unexpected, what):
    if actual == unexpected:
        fail("%s: expected anything but %s" % (what,
                                              _short(repr(unexpected))))
    return actual


def contains(text, needle, what):
    if text is None or needle not in text:
        fail("%s: %r not found in:\n%s" % (what, needle, _short(text)))
    return text


def not_contains(text, needle, what):
    if text is not None and needle in text:
        i = text.index(needle)
        fail("%s: %r unexpectedly found (at offset %d) in:\n%s"
             % (what, needle, i, _short(text)))
    return text


def matches(text, regex, what, flags=re.M):
    m = re.search(regex, text or "", flags)
    if not m:
        fail("%s: /%s/ does not match:\n%s" % (what, regex, _short(text)))
    return m


def not_matches(text, regex, what, flags=re.M):
    m = re.search(regex, text or "", flags)
    if m:
        fail("%s: /%s/ unexpectedly matches %r in:\n%s"
             % (what, regex, m.group(0), _short(text)))
    return text


def _cmp(a, b, what, op, sym):
    if not op(a, b):
        fail("%s: expected %r %s %r" % (what, a, sym, b))
    return a


def lt(a, b, what):
    return _cmp(a, b, what, lambda x, y: x < y, "<")


def le(a, b, what):
    return _cmp(a, b, what, lambda x, y: x <= y, "<=")


def gt(a, b, what):
    return _cmp(a, b, what, lambda x, y: x > y, ">")


def ge(a, b, what):
    return _cmp(a, b, what, lambda x, y: x >= y, ">=")


# --------------------------------------------------------------------------
# per-run state

class _State:
    def __init__(self):
        self.last = None          # last Result or Proc, for diagnostics
        self.procs = []           # live Procs of the current test
        self.home = None
        self.slapd = None
        self.slapd_error = None
        self.lock = threading.Lock()


_state = _State()


def _home():
    if _state.home is None:
        _state.home = tempfile.mkdtemp(prefix="li-home-")
    return _state.home


def have(program):
    """True if program is on PATH (for skip_unless)."""
    return shutil.which(program) is not None


def tool_path(tool):
    return os.path.join(BUILDDIR, "cmd", tool)


def built(tool):
    """True if the built tool exists (for skip_unless)."""
    return os.access(tool_path(tool), os.X_OK)


def _resolve(tool, env):
    """-> (argv prefix, is_built_tool)"""
    if tool in TOOLS:
        p = tool_path(tool)
        if not os.access(p, os.X_OK):
            fail("built tool not found: %s (LI_BUILDDIR=%s)" % (p, BUILDDIR))
        return _WRAPPER + [p], True
    if os.sep in tool:
        return [tool], os.path.abspath(tool).startswith(BUILDDIR + os.sep)
    p = shutil.which(tool, path=env.get("PATH"))
    if p is None:
        fail("program not found on PATH: %s" % tool)
    return [p], False


def base_env(overrides=None):
    """The controlled environment children get: PATH, a fresh temporary
    HOME (no ~/.ldaprc), LANG=C, sanitizer knobs, and LDAPTLS_CACERT of the
    shared slapd if it is running.  overrides: {key: value or None}."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": _home(),
        "LANG": "C",
    }
    for k in _PASSTHROUGH:
        if k in os.environ:
            env[k] = os.environ[k]
    if _state.slapd is not None and _state.slapd.cacert:
        env["LDAPTLS_CACERT"] = _state.slapd.cacert
    for k, v in (overrides or {}).items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = str(v)
    return env


def _decode(b):
    return (b or b"").decode("utf-8", "replace")


# --------------------------------------------------------------------------
# results

class Result:
    """Outcome of a finished command.  rc is the exit status, or -N when
    killed by signal N (see .signal)."""

    def __init__(self, argv, rc, out, err, elapsed, outb=b"", errb=b""):
        self.argv = argv
        self.rc = rc
        self.out = out
        self.err = err
        self.elapsed = elapsed
        self.out_bytes = outb
        self.err_bytes = errb

    @property
    def signal(self):
        return -self.rc if self.rc is not None and self.rc < 0 else None

    @property
    def json(self):
        """stdout parsed as one JSON object, or None."""
        try:
            v = json.loads(self.out)
        except ValueError:
            return None
        return v if isinstance(v, dict) else None

    @property
    def jsonl(self):
        """stdout as a list of JSON objects (one per non-empty line), or
        None if any non-empty line is not a JSON object."""
        res = []
        for line in self.out.splitlines():
            if not line.strip():
                continue
            try:
                v = json.loads(line)
            except ValueError:
                return None
            if not isinstance(v, dict):
                return None
            res.append(v)
        return res

    def describe(self):
        return _describe(self.argv, self.rc, self.elapsed, self.out, self.err)

    def __repr__(self):
        return "<Result rc=%r elapsed=%.2fs argv=%s>" % (
            self.rc, self.elapsed or 0, shlex.join(self.argv))


def _tail_lines(text, n=25, limit=3000):
    lines = (text or "").splitlines()
    cut = len(lines) > n
    lines = lines[-n:]
    s = "\n".join(lines)
    if len(s) > limit:
        s, cut = s[-limit:], True
    return ("[...]\n" if cut else "") + s


def _describe(argv, rc, elapsed, out, err, running=False):
    L = ["last command: %s" % shlex.join(argv)]
    if running:
        L.append("status: still running (elapsed %.2fs)" % elapsed)
    else:
        sig = ""
        if rc is not None and rc < 0:
            try:
                sig = " (%s)" % signal.Signals(-rc).name
            except ValueError:
                pass
        L.append("exit status: %s%s, elapsed %.2fs" % (rc, sig, elapsed or 0))
    for name, text in (("stdout", out), ("stderr", err)):
        if text:
            L.append("%s tail:" % name)
            L.extend("  " + x for x in _tail_lines(text).splitlines())
        else:
            L.append("%s: (empty)" % name)
    return "\n".join(L)


def _check_sanitizers(res):
    m = _SANITIZER_RE.search(res.err or "")
    if m:
        fail("sanitizer/valgrind report in stderr of %s: %r"
             % (_tool_name(res.argv), m.group(0)))
    if _WRAPPER and _WRAPPER_ERROR_RC is not None \
            and res.rc == _WRAPPER_ERROR_RC:
        fail("%s exited with LI_WRAPPER's --error-exitcode=%d"
             % (_tool_name(res.argv), _WRAPPER_ERROR_RC))


def _tool_name(argv):
    for a in argv[len(_WRAPPER):len(_WRAPPER) + 1] or argv[:1]:
        return os.path.basename(a)
    return "?"


def _killpg(pid, sig=signal.SIGKILL):
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def run(tool, args=(), *, timeout=20, stdin=None, env=None, cwd=None, uid=None):
    """Run a built tool (ldapcancel, ldapabandon, ldaptrace; prefixed with
    LI_WRAPPER) or any program on PATH, wait for it and return a Result.
    stdin: None (/dev/null), str or bytes.  env: overrides of base_env(),
    a value of None removes the key.  uid: run as that user and group id
    with no supplementary groups (through setpriv; needs root).  Fails the test if the program is
    still running after `timeout` seconds (its process group is killed),
    or if a built tool's stderr has a sanitizer or valgrind report."""
    cenv = base_env(env)
    prefix, is_built = _resolve(tool, cenv)
    if uid is not None:
        prefix = ["setpriv", "--reuid=%d" % uid, "--regid=%d" % uid, "--clear-groups",
                  "--"] + prefix
    argv = prefix + [str(a) for a in args]
    if isinstance(stdin, str):
        stdin = stdin.encode()
    t0 = time.monotonic()
    try:
        p = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin is not None
                             else subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=cenv, cwd=cwd, start_new_session=True)
    except OSError as e:
        fail("cannot execute %s: %s" % (shlex.join(argv), e))
    limit = scaled(timeout)
    try:
        outb, errb = p.communicate(stdin, timeout=limit)
    except subprocess.TimeoutExpired:
        _killpg(p.pid)
        outb, errb = p.communicate()
        res = Result(argv, p.returncode, _decode(outb), _decode(errb),
                     time.monotonic() - t0, outb, errb)
        _state.last = res
        fail("hung: %s did not finish within %gs"
             % (shlex.join(argv), limit))
    except BaseException:
        _killpg(p.pid)
        p.wait()
        raise
    res = Result(argv, p.returncode, _decode(outb), _decode(errb),
                 time.monotonic() - t0, outb, errb)
    _state.last = res
    if is_built:
        _check_sanitizers(res)
    return res


# --------------------------------------------------------------------------
# spawn

class Proc:
    """A running child in its own process group whose stdout and stderr are
    collected by background threads.  Use as a context manager; any Proc
    still running at the end of a test is killed by tap_main."""

    def __init__(self, argv, env, cwd=None, stdin_pipe=False, is_built=False):
        self.argv = argv
        self.is_built = is_built
        self._cond = threading.Condition()
        self._buf = {"stdout": bytearray(), "stderr": bytearray()}
        self._eof = {"stdout": False, "stderr": False}
        self.result = None
        self.t0 = time.monotonic()
        self.p = subprocess.Popen(
            argv, stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd,
            start_new_session=True)
        self.pid = self.p.pid
        self._threads = []
        for name, f in (("stdout", self.p.stdout), ("stderr", self.p.stderr)):
            t = threading.Thread(target=self._reader, args=(name, f),
                                 daemon=True)
            t.start()
            self._threads.append(t)

    def _reader(self, name, f):
        fd = f.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            with self._cond:
                if chunk:
                    self._buf[name] += chunk
                else:
                    self._eof[name] = True
                self._cond.notify_all()
            if not chunk:
                break

    @staticmethod
    def _stream(stream):
        s = {"out": "stdout", "err": "stderr", "stdout": "stdout",
             "stderr": "stderr"}.get(stream)
        if s is None:
            raise ValueError("stream must be 'stdout' or 'stderr'")
        return s

    @property
    def out(self):
        with self._cond:
            return _decode(bytes(self._buf["stdout"]))

    @property
    def err(self):
        with self._cond:
            return _decode(bytes(self._buf["stderr"]))

    def running(self):
        return self.p.poll() is None

    def describe(self):
        running = self.p.poll() is None
        return _describe(self.argv, self.p.returncode,
                         time.monotonic() - self.t0 if running
                         else (self.result.elapsed if self.result
                               else time.monotonic() - self.t0),
                         self.out, self.err, running=running)

    def wait_for(self, stream, regex, timeout=10, pos=0):
        """Wait until `regex` (re.M) matches the stream's text from
        character offset pos; returns the re.Match (use m.end() as the next
        pos).  Fails the test on the deadline, or as soon as the stream is
        closed without a match."""
        name = self._stream(stream)
        rx = re.compile(regex, re.M)
        limit = scaled(timeout)
        deadline = time.monotonic() + limit
        _state.last = self
        with self._cond:
            while True:
                text = _decode(bytes(self._buf[name]))
                m = rx.search(text, pos)
                if m:
                    return m
                eof = self._eof[name]
                left = deadline - time.monotonic()
                if eof or left <= 0:
                    break
                self._cond.wait(left)
        if eof:
            try:
                self.p.wait(timeout=1)   # for the exit status in the message
            except subprocess.TimeoutExpired:
                pass
            fail("%s closed (process %s) before /%s/ appeared; %s so far:\n%s"
                 % (name, "exited with status %s" % self.p.returncode
                    if self.p.returncode is not None else "still running",
                    regex, name, _short(text)))
        fail("timed out after %gs waiting for /%s/ on %s; seen so far:\n%s"
             % (limit, regex, name, _short(text)))

    def signal(self, sig, group=False):
        """Send sig to the process (group=True: to its process group)."""
        _state.last = self
        try:
            if group:
                os.killpg(self.pid, sig)
            else:
                self.p.send_signal(sig)
        except ProcessLookupError:
            pass

    def write(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def close_stdin(self):
        if self.p.stdin:
            self.p.stdin.close()

    def wait(self, timeout=10):
        """Wait for exit; returns a Result.  Fails the test (after killing
        the process group) if it does not exit within timeout."""
        _state.last = self
        limit = scaled(timeout)
        try:
            self.p.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            self.kill()
            self._finish()
            fail("hung: %s did not finish within %gs"
                 % (shlex.join(self.argv), limit))
        self._finish()
        if self.is_built:
            _check_sanitizers(self.result)
        return self.result

    def _finish(self):
        for t in self._threads:
            t.join(5)
        if self.result is None:
            self.result = Result(self.argv, self.p.returncode, self.out,
                                 self.err, time.monotonic() - self.t0,
                                 bytes(self._buf["stdout"]),
                                 bytes(self._buf["stderr"]))
        _state.last = self.result
        return self.result

    def kill(self):
        """SIGKILL the whole process group and reap it."""
        if self.p.poll() is None:
            _killpg(self.pid)
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        if self.p.stdin:
            try:
                self.p.stdin.close()
            except OSError:
                pass

    def cleanup(self):
        self.kill()
        for t in self._threads:
            t.join(2)
        for f in (self.p.stdout, self.p.stderr):
            try:
                f.close()
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()
        return False


def spawn(tool, args=(), *, env=None, cwd=None, stdin_pipe=False):
    """Start a built tool or program in the background (own process group,
    stdout/stderr collected by threads); returns a Proc."""
    cenv = base_env(env)
    prefix, is_built = _resolve(tool, cenv)
    argv = prefix + [str(a) for a in args]
    try:
        proc = Proc(argv, cenv, cwd=cwd, stdin_pipe=stdin_pipe,
                    is_built=is_built)
    except OSError as e:
        fail("cannot execute %s: %s" % (shlex.join(argv), e))
    _state.procs.append(proc)
    _state.last = proc
    return proc


# --------------------------------------------------------------------------
# fixtures

def _fixture_import(name):
    if FIXTURE_DIR not in sys.path:
        sys.path.insert(0, FIXTURE_DIR)
    return __import__(name)


def slapd():
    """The shared slapd of this test process (started on first use, with
    the template cache in $LI_BUILDDIR/tests/slapd-cache and
    $LI_TEST_ENTRIES entries), stopped at exit or on SIGTERM/SIGINT."""
    if _state.slapd is not None:
        return _state.slapd
    if _state.slapd_error is not None:
        fail("slapd fixture failed to start earlier: %s" % _state.slapd_error)
    _install_signal_handlers()
    mod = _fixture_import("slapd")
    entries = int(os.environ.get("LI_TEST_ENTRIES", "20000"))
    s = mod.Slapd(entries=entries,
                  cache_dir=os.path.join(BUILDDIR, "tests", "slapd-cache"),
                  keep=bool(os.environ.get("LI_KEEP_SLAPD")),
                  die_with_parent=True)
    try:
        s.start()
    except mod.SlapdError as e:
        _state.slapd_error = str(e)
        fail("slapd fixture failed to start: %s" % e)
    _state.slapd = s
    return s


def faultserver(scenario, **opts):
    """FaultServer(scenario, **opts) from tests/fixture/faultserver.py (a
    context manager with .port, .uri and .log())."""
    return _fixture_import("faultserver").FaultServer(scenario, **opts)


def __getattr__(name):
    # lazy re-export: "from ldaptest import FaultServer" works only when
    # tests/fixture/faultserver.py exists; importing ldaptest never needs it
    if name == "FaultServer":
        return _fixture_import("faultserver").FaultServer
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


def _cleanup_all(fast=False):
    """Kill spawned processes, stop slapd, remove HOME.  fast (on SIGTERM
    or SIGINT, when meson may SIGKILL us within a second): do not give
    slapd time to finish running operations."""
    if _state.home:
        shutil.rmtree(_state.home, ignore_errors=True)
        _state.home = None
    for p in list(_state.procs):
        try:
            p.cleanup()
        except Exception:
            pass
    _state.procs = []
    s, _state.slapd = _state.slapd, None
    if s is not None:
        try:
            s.stop(grace=0.2) if fast else s.stop()
        except Exception:
            pass
        if s.keep:
            sys.stderr.write("ldaptest: kept slapd dir %s\n" % s.dir)


atexit.register(_cleanup_all)

_handlers_installed = False


def _on_signal(signum, frame):
    raise _Terminated(signum)


def _install_signal_handlers():
    global _handlers_installed
    if _handlers_installed:
        return
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _on_signal)
    _handlers_installed = True


# --------------------------------------------------------------------------
# tests and TAP

class _Test:
    def __init__(self, fn, name, skip_unless, reason):
        self.fn = fn
        self.name = name
        self.skip_unless = skip_unless
        self.reason = reason


_tests = []


def test(fn=None, *, name=None, skip_unless=True, reason=None):
    """Register a test.  @test, or @test(name=..., skip_unless=bool or
    callable, reason=...).  Tests run in definition order."""
    def deco(f):
        _tests.append(_Test(f, name or f.__name__, skip_unless, reason))
        return f
    if fn is not None and callable(fn):
        return deco(fn)
    if isinstance(fn, str) and name is None:
        name = fn
    return deco


def diag(msg):
    """Print a TAP diagnostic line (safe inside tests)."""
    out = sys.__stdout__
    for line in str(msg).splitlines() or [""]:
        out.write("# %s\n" % line)
    out.flush()


def _clean_name(n):
    return re.sub(r"\s+", " ", n.replace("#", "\\#")).strip()


class _PrefixWriter(io.TextIOBase):
    """Replaces sys.stdout during a test: turns prints into # lines."""

    def __init__(self):
        self.buf = ""

    def write(self, s):
        self.buf += s
        while "\n" in self.buf:
            line, self.buf = self.buf.split("\n", 1)
            sys.__stdout__.write("# %s\n" % line)
        return len(s)

    def flush(self):
        sys.__stdout__.flush()

    def close_out(self):
        if self.buf:
            sys.__stdout__.write("# %s\n" % self.buf)
            self.buf = ""


def _emit(line):
    sys.__stdout__.write(line + "\n")
    sys.__stdout__.flush()


def _failure_diag(exc):
    lines = []
    if isinstance(exc, TestFailure):
        lines.append(str(exc))
        tb = traceback.extract_tb(exc.__traceback__)
        here = os.path.abspath(__file__)
        frames = [f for f in tb if os.path.abspath(f.filename) != here]
        if frames:
            f = frames[-1]
            lines.append("at %s:%d: %s" % (os.path.basename(f.filename),
                                            f.lineno, (f.line or "").strip()))
    else:
        lines.append("".join(traceback.format_exception(
            type(exc), exc, exc.__traceback__)).rstrip())
    last = _state.last
    if last is not None:
        try:
            lines.append(last.describe())
        except Exception as e:
            lines.append("(cannot describe last command: %s)" % e)
    s = _state.slapd
    if s is not None:
        try:
            lines.append("slapd.log tail (%s):" % s.log_path)
            lines.extend("  " + x for x in s.log_tail(8).splitlines())
        except Exception:
            pass
    return "\n".join(lines)


def tap_main(argv=None):
    """Run the registered tests, print TAP, exit 0/1."""
    argv = sys.argv[1:] if argv is None else argv
    _install_signal_handlers()
    failed = 0
    n = 0
    try:
        for t in _tests:
            n += 1
            name = _clean_name(t.name)
            if argv and not any(a in t.name for a in argv):
                _emit("ok %d - %s # SKIP not selected" % (n, name))
                continue
            _state.last = None
            writer = _PrefixWriter()
            error = None
            skipped = None
            t0 = time.monotonic()
            try:
                cond = t.skip_unless
                if callable(cond):
                    cond = cond()
                if not cond:
                    skipped = t.reason or "condition not met"
                else:
                    with contextlib.redirect_stdout(writer):
                        t.fn()
            except Skip as e:
                skipped = str(e) or "skipped"
            except _Terminated:
                raise
            except KeyboardInterrupt:
                raise _Terminated(signal.SIGINT)
            except BaseException as e:   # incl. SystemExit from a test
                error = e
            finally:
                writer.close_out()
                for p in list(_state.procs):
                    try:
                        p.cleanup()
                    except Exception:
                        pass
                _state.procs = []
            if skipped is not None:
                _emit("ok %d - %s # SKIP %s" % (n, name,
                                                _clean_name(skipped)))
            elif error is None:
                _emit("ok %d - %s" % (n, name))
            else:
                failed += 1
                _emit("not ok %d - %s" % (n, name))
                diag(_failure_diag(error))
                diag("(test took %.2fs)" % (time.monotonic() - t0))
    except _Terminated as e:
        try:
            signame = signal.Signals(e.signum).name
        except ValueError:
            signame = str(e.signum)
        _emit("Bail out! terminated by %s" % signame)
        _cleanup_all(fast=True)
        os._exit(128 + e.signum)
    _emit("1..%d" % n)
    _cleanup_all()
    sys.exit(1 if failed else 0)
