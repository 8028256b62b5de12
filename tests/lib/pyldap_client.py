#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""An application on python-ldap (Debian's python3-ldap, so run it with
/usr/bin/python3), for tests/integration/test_relay_clients.py: it does what
an application does over one connection and prints one line per answer, in a
form that does not depend on timing, so that its output through the relay
can be compared with its output connected directly.

    pyldap_client.py URI [--starttls] ops DN PASSWORD BASE
        bind, a base search, a one-level search, two compares, a search it
        cancels itself (ldap.cancel) once an entry has come, WhoAmI
    pyldap_client.py URI [--starttls] victim DN PASSWORD BASE TIMEOUT
        bind, a subtree search read one message at a time, waiting at most
        TIMEOUT seconds for each, then WhoAmI: what a search interrupted
        from outside looks like to the application

Exit 0 once it got to the end, whatever the server answered."""

import sys

import ldap


def connect(uri, starttls):
    conn = ldap.initialize(uri)
    conn.protocol_version = 3
    conn.set_option(ldap.OPT_REFERRALS, 0)
    if starttls:
        conn.start_tls_s()
        print("starttls: ok")
    return conn


def show(conn, what, fn):
    try:
        print("%s: %s" % (what, fn()))
    except ldap.LDAPError as e:
        print("%s: %s %s" % (what, type(e).__name__, e.args[0].get("result")))


def entries(res):
    return "; ".join("%s %s" % (dn, sorted((k, sorted(v)) for k, v in attrs.items())) for dn, attrs in sorted(res))


def own_cancel(conn, base):
    msgid = conn.search_ext(base, ldap.SCOPE_SUBTREE, "(objectClass=*)", ["cn"])
    print("search sent as message %d" % msgid)
    rtype, data, _, _ = conn.result3(msgid, all=0, timeout=10)
    print("first answer: type %d, %d entry" % (rtype, len(data)))
    cid = conn.cancel(msgid)
    print("cancel sent as message %d" % cid)
    try:
        while True:
            rtype, data, _, _ = conn.result3(msgid, all=0, timeout=10)
            if rtype == ldap.RES_SEARCH_RESULT:
                print("search ended: success")
                break
    except ldap.CANCELLED as e:
        print("search ended: CANCELLED %s" % e.args[0]["result"])
    show(conn, "cancel result", lambda: conn.result3(cid, timeout=10)[0])


def ops(conn, dn, password, base):
    show(conn, "bind", lambda: conn.simple_bind_s(dn, password)[0])
    show(conn, "base search", lambda: entries(conn.search_s(base, ldap.SCOPE_BASE)))
    show(conn, "one-level search", lambda: entries(conn.search_s(base, ldap.SCOPE_ONELEVEL, "(ou=*)", ["ou"])))
    show(conn, "compare true", lambda: conn.compare_s("uid=u000002,ou=people," + base, "sn", "User000002"))
    show(conn, "compare false", lambda: conn.compare_s("uid=u000002,ou=people," + base, "sn", "nobody"))
    show(conn, "missing base", lambda: conn.search_s("cn=nosuch," + base, ldap.SCOPE_BASE))
    own_cancel(conn, "ou=people," + base)
    show(conn, "whoami", conn.whoami_s)


def victim(conn, dn, password, base, timeout):
    show(conn, "bind", lambda: conn.simple_bind_s(dn, password)[0])
    msgid = conn.search_ext("ou=people," + base, ldap.SCOPE_SUBTREE, "(objectClass=*)", ["cn"])
    print("search sent as message %d" % msgid)
    n = 0
    try:
        while True:
            rtype, data, rmsgid, _ = conn.result3(msgid, all=0, timeout=timeout)
            if rmsgid != msgid:
                print("answer for message %d" % rmsgid)
            if rtype == ldap.RES_SEARCH_RESULT:
                print("search ended: success")
                break
            n += len(data)
    except ldap.TIMEOUT:
        print("search: no answer within %g s" % timeout)
    except ldap.LDAPError as e:
        print("search ended: %s %s" % (type(e).__name__, e.args[0].get("result")))
    print("entries: %d" % n)
    show(conn, "whoami", conn.whoami_s)


def main(argv):
    uri, rest = argv[0], argv[1:]
    starttls = rest[:1] == ["--starttls"]
    if starttls:
        rest = rest[1:]
    conn = connect(uri, starttls)
    if rest[0] == "ops":
        ops(conn, *rest[1:4])
    elif rest[0] == "victim":
        victim(conn, rest[1], rest[2], rest[3], float(rest[4]))
    else:
        sys.exit("pyldap_client.py: unknown script %r" % rest[0])
    conn.unbind_s()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
