#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Refreshes the fuzzer's seed corpus: real messages captured from a
throwaway slapd with ldaptrace --json --hex (both directions, every
operation type), plus the hand-built vectors of tests/unit/vectors.h.

    /usr/bin/python3 tests/fuzz/capture-corpus.py [BUILDDIR]
"""

import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "fixture"))
from slapd import Slapd  # noqa: E402

BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(SRC, "build")
TRACE = os.path.join(BUILD, "cmd", "ldaptrace")
CORPUS = os.path.join(HERE, "corpus")


def trace(s, args, stdin=None):
    env = dict(os.environ, LDAPTLS_CACERT=s.cacert, HOME=tempfile.gettempdir())
    p = subprocess.run([TRACE, "--json", "--hex"] + args, input=stdin, capture_output=True, text=True,
                       env=env, timeout=60)
    return [json.loads(l) for l in p.stdout.splitlines() if l.startswith('{"t_ms"')]


def main():
    os.makedirs(CORPUS, exist_ok=True)
    seen, per_op = {}, {}
    with Slapd(entries=200, cache_dir=os.path.join(BUILD, "tests", "slapd-cache")) as s:
        admin = ["-x", "-H", s.uri, "-D", s.admin_dn, "-w", s.admin_pw]
        scratch = "cn=fuzz,ou=scratch," + s.base
        add = "dn: %s\nobjectClass: person\ncn: fuzz\nsn: x\nuserPassword: pw\n" % scratch
        mod = "dn: %s\nchangetype: modify\nreplace: sn\nsn: y\n-\nadd: description\ndescription: d\n-\n" % scratch
        runs = [
            (admin + ["-b", s.people_base, "--cancel", "--after-entries", "3"], None),
            (admin + ["-b", s.people_base, "--abandon", "--after-entries", "3", "--wait", "0"], None),
            (["-x", "-ZZ", "-H", s.uri, "-b", s.base, "-s", "one", "(|(ou=p*)(!(cn=x))(cn~=y))", "ou", "cn"], None),
            (["-x", "-H", s.ldaps_uri, "-b", "ou=scratch," + s.base, "-E", "sync=rp", "--cancel", "--after",
              "200ms"], None),
            (admin + ["-e", "!assert=(objectClass=*)", "-e", "postread=sn", "--op", "add", "-f", "-"], add),
            (admin + ["-e", "preread", "--op", "modify", "-f", "-"], mod),
            (admin + ["--op", "compare", scratch, "userPassword:pw"], None),
            (admin + ["--op", "modrdn", scratch, "cn=fuzz2"], None),
            (admin + ["--op", "delete", "cn=fuzz2,ou=scratch," + s.base], None),
            (admin + ["--op", "exop", "whoami"], None),
            (admin + ["--op", "exop", "1.3.6.1.4.1.4203.1.11.1::MA2AAXWBAW+CA25ldw=="], None),
            (["-x", "-H", s.uri, "-b", "cn=nosuch," + s.base], None),
            (["-x", "-H", s.uri, "--msgid", "9", "--cancel"], None),
            (["-Y", "EXTERNAL", "-Q", "-H", s.ldapi_uri, "-b", s.base, "-s", "base"], None),
        ]
        for args, stdin in runs:
            for m in trace(s, args, stdin):
                if "hex" not in m or "**" in m["hex"]:
                    continue
                name = "%s-%s" % (m["dir"], m["op"])
                data = bytes.fromhex(m["hex"])
                if data in seen.values() or per_op.get(name, 0) >= 4:
                    continue
                per_op[name] = per_op.get(name, 0) + 1
                seen["%s-%d" % (name, per_op[name])] = data
    # The hand-built vectors, and the secret-bearing ones of test_decode.c
    # (captured messages with secrets are masked, so they are not above).
    for source in ("vectors.h", "test_decode.c"):
        text = open(os.path.join(SRC, "tests", "unit", source)).read()
        for i, hexs in enumerate(re.findall(r'"((?:[0-9a-f]{2} )+[0-9a-f]{2})', text)):
            seen["%s-%d" % (source.split(".")[0], i)] = bytes.fromhex(hexs)
    for name, data in seen.items():
        with open(os.path.join(CORPUS, name), "wb") as f:
            f.write(data)
    print("%d seeds in %s" % (len(seen), CORPUS))


if __name__ == "__main__":
    main()
