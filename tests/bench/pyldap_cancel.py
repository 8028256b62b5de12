#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""python-ldap doing what `ldapcancel -q` (or, with --abandon,
`ldapabandon --wait 0 -q`) does, for tests/bench/bench.py to compare with:
connect, anonymous simple bind, subtree search, interrupt it right after
the request was sent, and (cancel) read the Cancel's response and the
search's own result.

    /usr/bin/python3 tests/bench/pyldap_cancel.py [--abandon] URI BASE

Exit status: 0 when the Cancel was answered success (and the search's
result was read) or the abandon was sent; 1 otherwise.  Run it
with Debian's /usr/bin/python3, for which python-ldap is installed.
"""

import sys

import ldap


def main(argv):
    abandon = "--abandon" in argv
    args = [a for a in argv if a != "--abandon"]
    if len(args) != 2:
        sys.stderr.write(__doc__)
        return 2
    uri, base = args
    l = ldap.initialize(uri)
    l.protocol_version = 3
    try:
        l.simple_bind_s("", "")
        msgid = l.search_ext(base, ldap.SCOPE_SUBTREE, "(objectClass=*)")
        if abandon:
            # libldap discards whatever arrives for msgid from now on.
            l.abandon_ext(msgid)
            return 0
        cancel_msgid = l.cancel(msgid)
        # The Cancel's response comes after the search's result: reading it
        # makes libldap read (and queue) everything that was in flight.
        try:
            l.result(cancel_msgid, all=1, timeout=30)
        except ldap.LDAPError as e:
            sys.stderr.write("pyldap_cancel: cancel: %s\n" % (e,))
            return 1
        # The search's own result, with the entries that came before it.
        # python-ldap raises CANCELLED only when the result is the first
        # message of the chain; after entries it returns them and keeps
        # the result code to itself.
        try:
            l.result(msgid, all=1, timeout=30)
        except ldap.CANCELLED:
            pass
        return 0
    finally:
        l.unbind_s()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
