#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""ldaptrace against a real slapd: every message in both directions, as it
crossed the wire, in plaintext under TLS, with secrets redacted in every
mode; and against the fault server for what slapd will not send."""

import base64
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ldaptest import *  # noqa: E402,F401,F403
from ldaptest import tool_path  # noqa: E402
from litools import anon, check_report, last_line, persistent_search  # noqa: E402

LINE = re.compile(r"^ +(\d+\.\d{6}) (->|<-) (?:#(\d+) )?(\S+)(.*)$")


def messages(out):
    """(seconds, arrow, msgid, op, rest) for each trace line."""
    return [(float(m.group(1)), m.group(2), m.group(3) and int(m.group(3)), m.group(4), m.group(5))
            for m in map(LINE.match, out.splitlines()) if m]


def ops(out):
    return [(a, i, op) for _, a, i, op, _ in messages(out)]


@test
def bind_and_search_to_the_end():
    s = slapd()
    r = run("ldaptrace", ["-x", "-H", s.uri, "-D", s.admin_dn, "-w", s.admin_pw, "-b", s.base, "-s", "base"])
    eq(r.rc, 0, "exit status: the search's own result")
    eq(ops(r.out), [("->", 1, "BindRequest"), ("<-", 1, "BindResponse"), ("->", 2, "SearchRequest"),
                    ("<-", 2, "SearchResultEntry"), ("<-", 2, "SearchResultDone"), ("->", 3, "UnbindRequest"),
                    ("->", None, "connection")], "every message, in order")
    m = messages(r.out)
    eq(m[0][4], ' version=3 dn="%s" simple=<redacted %d bytes>' % (s.admin_dn, len(s.admin_pw)), "bind")
    eq(m[1][4], " success (0)", "bind result")
    eq(m[2][4], ' base="%s" scope=base deref=never sizelimit=0 timelimit=0 typesonly=false '
                'filter="(objectClass=*)" attrs=[]' % s.base, "search request")
    eq(m[3][4], ' dn="%s" attrs=[objectClass,dc,o]' % s.base, "entry: DN and attribute names")
    eq(m[6][4], " closed by the client", "close")
    ok(all(a[0] <= b[0] for a, b in zip(m, m[1:])), "times never go back")
    matches(r.out, r"^summary: sent 3 messages \(\d+ bytes\), received 3 \(\d+ bytes\), 1 entry; first response "
                   r"[0-9.]+ ms, last [0-9.]+ ms after the request$", "summary")
    matches(last_line(r.out), r"^completed: the search ended with success \(0\) at [0-9.]+ ms$", "outcome")


@test
def exit_status_is_the_operations_result_like_ldapsearch():
    s = slapd()
    r = run("ldaptrace", anon(s) + ["-b", "cn=nosuch,ou=people," + s.base])
    eq(r.rc, 32, "noSuchObject")
    matches(r.out, r"SearchResultDone noSuchObject \(32\) matched=\"ou=people,dc=example,dc=com\"", "result")


@test
def abandon_after_n_entries_with_its_bytes():
    s = slapd()
    r = run("ldaptrace", anon(s) + ["-b", s.people_base, "--abandon", "--after-entries", "5", "--hex",
                                    "--wait", "300ms"])
    eq(r.rc, 0, "abandoned")
    lines = r.out.splitlines()
    i = next(k for k, l in enumerate(lines) if "AbandonRequest" in l)
    eq(LINE.match(lines[i]).group(5), " id=2", "the abandoned message")
    eq(lines[i + 1], "    30 06 02 01 03 50 01 02", "AbandonRequest for message 2 sent as message 3, in BER")
    before = sum(1 for op in ops("\n".join(lines[:i])) if op[2] == "SearchResultEntry")
    after = sum(1 for op in ops("\n".join(lines[i:])) if op[2] == "SearchResultEntry")
    eq(before, 5, "entries before the abandon")
    contains(r.out, "after the abandon:  %d entr" % after, "the report counts what the trace shows")
    not_contains(r.out, "SearchResultDone", "no result after an abandon")


@test
def cancel_shows_both_responses():
    s = slapd()
    r = run("ldaptrace", anon(s) + ["-b", s.people_base, "--cancel", "--after-entries", "3"])
    eq(r.rc, 0, "canceled")
    m = messages(r.out)
    cancel = [x for x in m if x[3] == "ExtendedRequest"]
    eq([x[4] for x in cancel], [" oid=1.3.6.1.1.8 (Cancel) cancelID=2"], "the Cancel request")
    eq([(x[2], x[4]) for x in m if x[3] == "SearchResultDone"], [(2, " canceled (118)")], "the search's result")
    eq([(x[2], x[4]) for x in m if x[3] == "ExtendedResponse"], [(3, " success (0)")], "the Cancel's response")
    matches(last_line(r.out), r"^canceled: the server stopped the search", "verdict")


@test
def starttls_session_in_plaintext():
    s = slapd()
    r = run("ldaptrace", ["-x", "-ZZ", "-H", s.uri, "-b", s.base, "-s", "base"])
    eq(r.rc, 0, "exit status")
    eq(ops(r.out)[:4], [("->", 1, "ExtendedRequest"), ("<-", 1, "ExtendedResponse"), ("->", 2, "BindRequest"),
                        ("<-", 2, "BindResponse")], "StartTLS, then the bind")
    contains(r.out, "ExtendedRequest oid=1.3.6.1.4.1.1466.20037 (StartTLS)", "StartTLS named")
    contains(r.out, 'SearchResultEntry dn="%s"' % s.base, "entries decoded under TLS")


@test
def ldaps_session_in_plaintext():
    s = slapd()
    # interrupted where slapd is idle: over TLS, a request that arrives while
    # it streams entries sometimes makes slapd 2.5.13 drop the connection
    r, _ = persistent_search(s, "ldaptrace", ["--cancel", "--after-entries", "2"], adds=1,
                             connect=["-x", "-H", s.ldaps_uri])
    eq(r.rc, 0, "exit status")
    contains(r.out, 'BindRequest version=3 dn="%s" simple=<redacted %d bytes>' % (s.admin_dn, len(s.admin_pw)),
             "bind decoded under TLS")
    contains(r.out, "ExtendedRequest oid=1.3.6.1.1.8 (Cancel) cancelID=2", "cancel decoded under TLS")


@test
def sync_state_and_info():
    s = slapd()
    r = run("ldaptrace", anon(s) + ["-b", "ou=scratch," + s.base, "-s", "base", "-E", "sync=rp",
                                    "--cancel", "--after", "500ms"])
    eq(r.rc, 0, "exit status")
    contains(r.out, "controls=[{oid=1.3.6.1.4.1.4203.1.9.1.1 (SyncRequest) critical=false mode=refreshAndPersist}]",
             "the sync request control")
    matches(r.out, r"SearchResultEntry dn=\"ou=scratch,dc=example,dc=com\" attrs=\[objectClass,ou\] controls=\["
                   r"\{oid=1\.3\.6\.1\.4\.1\.4203\.1\.9\.1\.2 \(SyncState\) critical=false state=add "
                   r"entryUUID=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}\]", "sync state")
    matches(r.out, r"IntermediateResponse oid=1\.3\.6\.1\.4\.1\.4203\.1\.9\.1\.4 \(SyncInfo\) syncinfo=\{kind="
                   r"refreshDelete cookie=\"rid=000,csn=[^\"]+\"\}", "sync info")


@test
def every_operation_type():
    s = slapd()
    admin = ["-x", "-H", s.uri, "-D", s.admin_dn, "-w", s.admin_pw]
    dn = "cn=trace-ops,ou=scratch," + s.base
    add = "dn: %s\nobjectClass: person\ncn: trace-ops\nsn: before\nuserPassword: t0psecret\n" % dn
    r = run("ldaptrace", admin + ["-v", "--op", "add", "-f", "-"], stdin=add)
    contains(r.out, 'AddRequest dn="%s" attrs={objectClass=["person"] cn=["trace-ops"] sn=["before"] '
                    'userPassword=[<redacted 9 bytes>]}' % dn, "add")
    contains(r.out, "AddResponse success (0)", "add result")
    mod = "dn: %s\nchangetype: modify\nreplace: sn\nsn: after\n-\ndelete: userPassword\n-\n" % dn
    r = run("ldaptrace", admin + ["--op", "modify", "-f", "-"], stdin=mod)
    contains(r.out, 'ModifyRequest dn="%s" changes=[{op=replace attr=sn},{op=delete attr=userPassword}]' % dn,
             "modify")
    r = run("ldaptrace", admin + ["--op", "compare", dn, "sn:after"])
    eq(r.rc, 6, "compareTrue, as ldapcompare exits")
    contains(r.out, 'CompareRequest dn="%s" attr=sn value="after"' % dn, "compare")
    contains(r.out, "CompareResponse compareTrue (6)", "compare result")
    r = run("ldaptrace", admin + ["--op", "modrdn", dn, "cn=trace-ops2", "ou=scratch," + s.base])
    contains(r.out, 'ModifyDNRequest dn="%s" newrdn="cn=trace-ops2" deleteoldrdn=false newsuperior="ou=scratch,%s"'
             % (dn, s.base), "modrdn")
    r = run("ldaptrace", admin + ["--op", "delete", "cn=trace-ops2,ou=scratch," + s.base])
    contains(r.out, 'DelRequest dn="cn=trace-ops2,ou=scratch,%s"' % s.base, "delete")
    contains(r.out, "DelResponse success (0)", "delete result")
    r = run("ldaptrace", admin + ["--op", "exop", "whoami"])
    contains(r.out, "ExtendedRequest oid=1.3.6.1.4.1.4203.1.11.3 (WhoAmI)", "whoami request")
    contains(r.out, 'ExtendedResponse success (0) authzid="dn:%s"' % s.admin_dn, "whoami response")
    r = run("ldaptrace", anon(s) + ["-b", s.base, "-s", "one", "(|(ou=peo*)(&(!(ou=x))(ou>=s)))", "ou"])
    contains(r.out, 'filter="(|(ou=peo*)(&(!(ou=x))(ou>=s)))" attrs=[ou]', "filters in RFC 4515 text")


SECRETS = ("secret", "userpw1", "alicepw", "n3wpassw0rd", "0ldpass")


def no_secret(r, mode):
    text = r.out + r.err
    for sec in SECRETS:
        not_contains(text, sec, "%s: %r" % (mode, sec))
        spaced = " ".join("%02x" % b for b in sec.encode())
        not_contains(text, spaced, "%s: %r in hex" % (mode, sec))
        not_contains(text, spaced.replace(" ", ""), "%s: %r in compact hex" % (mode, sec))


@test
def secrets_never_appear_in_any_mode():
    s = slapd()
    # bind password, userPassword values of u000001 and alice, a filter on
    # userPassword, and a Password Modify request
    searches = [["-b", s.people_base, "-s", "one", "(|(uid=u000001)(uid=alice)(userPassword=alicepw))"],
                ["--op", "compare", s.alice_dn, "userPassword:alicepw"]]
    # PasswdModifyRequestValue: SEQUENCE { oldPasswd [1] "0ldpass", newPasswd [2] "n3wpassw0rd" }
    value = b"\x81\x07" + b"0ldpass" + b"\x82\x0b" + b"n3wpassw0rd"
    pm = base64.b64encode(b"\x30" + bytes([len(value)]) + value).decode()
    # filters in controls: an Assertion, and a ValuesReturnFilter SEQUENCE OF
    # { equalityMatch [3] { "userPassword", "userpw1" }, present [7] "cn" }
    ava = b"\x04\x0cuserPassword\x04\x07userpw1"
    vrf = base64.b64encode(b"\x30\x1d\xa3\x17" + ava + b"\x87\x02cn").decode()
    controls = [["-e", "assert=(|(uid=alice)(userPassword=alicepw))", "-b", s.alice_dn, "-s", "base"],
                ["-e", "1.2.826.0.1.3344810.2.3=::" + vrf, "-b", s.alice_dn, "-s", "base"]]
    ops_ = searches + controls + [["--op", "exop", "1.3.6.1.4.1.4203.1.11.1::" + pm]]
    for mode in ([], ["-v"], ["--hex"], ["-v", "--hex"], ["--json"], ["--json", "-v", "--hex"]):
        for o in ops_:
            r = run("ldaptrace", ["-x", "-H", s.uri, "-D", s.admin_dn, "-w", s.admin_pw] + mode + o)
            no_secret(r, " ".join(mode) or "text")
            contains(r.out, "redacted", "%s: the marker is there" % (" ".join(mode) or "text"))


@test
def filters_in_controls_are_decoded_and_redacted():
    s = slapd()
    r = run("ldaptrace", ["-x", "-H", s.uri, "-e", "!assert=(&(uid=alice)(userPassword=alicepw))",
                          "-b", s.alice_dn, "-s", "base", "--hex"])
    m = [x for x in messages(r.out) if x[3] == "SearchRequest"]
    eq(len(m), 1, "one search")
    contains(m[0][4], ' controls=[{oid=1.3.6.1.1.12 (Assertion) critical=true '
                      'filter="(&(uid=alice)(userPassword=<redacted 7 bytes>))"}]', "the assertion, redacted")
    hexdump = r.out.split(m[0][3], 1)[1].split("\n", 1)[1]
    eq(len(re.findall(r"\*\*", hexdump.split("<-", 1)[0])), 7, "its 7 bytes masked in the dump")


@test
def json_lines_then_the_outcome():
    s = slapd()
    r = run("ldaptrace", anon(s) + ["--json", "--hex", "-b", s.people_base, "--cancel", "--after-entries", "3"])
    eq(r.rc, 0, "exit status")
    lines = r.jsonl
    for m in lines[:-1]:
        for key in ("t_ms", "dir", "msgid", "op", "len") + (("hex",) if m["op"] != "closed" else ()):
            ok(key in m, "message has %s" % key)
        ok(m["dir"] in ("send", "recv"), "dir")
    ok(all(a["t_ms"] <= b["t_ms"] for a, b in zip(lines[:-2], lines[1:-1])), "t_ms never goes back")
    first = lines[0]
    eq((first["op"], first["msgid"], first["dir"], first["simple"]), ("BindRequest", 1, "send", "<redacted 0 bytes>"),
       "the bind first")
    cancel = [m for m in lines if m.get("op") == "ExtendedRequest"][0]
    eq((cancel["oid"], cancel["oid_name"], cancel["cancelID"]), ("1.3.6.1.1.8", "Cancel", 2), "cancel fields")
    done = [m for m in lines if m.get("op") == "SearchResultDone"][0]
    eq((done["code"], done["name"]), (118, "canceled"), "result fields")
    eq(done["hex"], "30 0c 02 01 02 65 07 0a 01 76 04 00 04 00", "result bytes")
    out = lines[-1]
    eq(out["outcome"], "canceled", "the outcome object is last")
    for key in ("sent_messages", "sent_bytes", "received_messages", "received_bytes", "entries",
                "first_response_ms", "last_response_ms"):
        ok(key in out["summary"], "summary has %s" % key)
    eq(out["summary"]["received_messages"], sum(1 for m in lines[:-1] if m["dir"] == "recv"),
       "the summary counts the lines")


@test
def closed_pipe_ends_quietly_and_promptly():
    s = slapd()
    cmd = "%s -x -H %s -b ou=scratch,%s -E sync=rp | head -n 2; exit ${PIPESTATUS[0]}" % (
        tool_path("ldaptrace"), s.uri, s.base)
    r = run("bash", ["-c", cmd], timeout=10)
    eq(r.rc, 141, "exit status 141, like a tool killed by SIGPIPE")
    eq(len(r.out.splitlines()), 2, "head's two lines")
    eq(r.err, "", "quietly")
    lt(r.elapsed, 5, "promptly, although the persistent search is silent")


@test
def malformed_bytes_shown_and_the_trace_goes_on_to_the_outcome():
    with faultserver("garbage") as fs:
        r = run("ldaptrace", ["-x", "-H", fs.uri, "-b", "dc=example,dc=com", "--cancel", "--after-entries", "9"])
    eq(r.rc, 81, "connection-lost")
    matches(r.out, r"<- malformed: not an LDAPMessage \(expected a SEQUENCE, tag 0x30\) \(\d+ bytes\)\n"
                   r"    48 54 54 50 2f 31 2e 31", "the bytes that are not LDAP")
    matches(last_line(r.out), r"^connection-lost: the server sent bytes that are not LDAP", "verdict")


@test
def notice_of_disconnection_decoded():
    with faultserver("nod") as fs:
        r = run("ldaptrace", ["-x", "-H", fs.uri, "-b", "dc=example,dc=com", "--abandon", "--after-entries", "3"])
    eq(r.rc, 81, "connection-lost")
    contains(r.out, '<- #0 ExtendedResponse unavailable (52) message="server shutting down" '
                    'oid=1.3.6.1.4.1.1466.20036 (NoticeOfDisconnection)', "the notice")
    # the outcome is decided by the notice: the tool unbinds and closes
    matches(r.out, r"-> #4 UnbindRequest\n +[0-9.]+ -> connection closed by the client", "then the close")



@test
def operation_error_without_interrupt_failed():
    s = slapd()
    r = run("ldaptrace", anon(s) + ["-b", "ou=nonexistent," + s.base])
    eq(r.rc, 32, "exit status: noSuchObject")
    eq(r.err, "ldaptrace: search: No such object (32)\n\tmatched DN: dc=example,dc=com\n", "stderr")
    matches(last_line(r.out), r"^failed: the search ended with noSuchObject \(32\) at [0-9.]+ ms$", "verdict")
    r = run("ldaptrace", anon(s) + ["-b", "ou=nonexistent," + s.base, "--json"])
    out = r.jsonl[-1]
    eq((r.rc, out["outcome"], out["exit"], out["op_result"]["code"]), (32, "failed", 32, 32), "JSON outcome")
    r = run("ldaptrace", anon(s) + ["-b", s.base, "-s", "base", "-e", "!1.2.3.4.5"])
    eq(r.rc, 12, "exit status: unavailableCriticalExtension")
    matches(last_line(r.out), r"^failed: the search ended with unavailableCriticalExtension \(12\) ", "verdict")


@test
def compare_false_still_completed():
    s = slapd()
    r = run("ldaptrace", anon(s) + ["--op", "compare", s.base, "dc:nope"])
    eq(r.rc, 5, "exit status: compareFalse")
    eq(r.err, "", "no error on stderr")
    matches(last_line(r.out), r"^completed: the compare ended with compareFalse \(5\) ", "verdict")


if __name__ == "__main__":
    tap_main()
