/* SPDX-License-Identifier: BSD-2-Clause */
/* A program's view of the wire: only ldapinterrupt.h and the shared
 * library's exported symbols. It feeds bytes and reads a DN and a result
 * code through the field accessors, no JSON in between. */
#include <stdio.h>
#include <string.h>

#include "hex.h"
#include "ldapinterrupt.h"
#include "tapcheck.h"

/* From tests/unit/vectors.h: "entry" and "done118". */
static const char entry[] = "30 31 02 01 02 64 2c 04 18 75 69 64 3d 75 31 2c 64 63 3d 65 78 61 6d 70 6c 65 2c 64 63 3d "
			    "63 6f 6d 30 10 30 0e 04 02 63 6e 31 08 04 06 55 73 65 72 20 31";
static const char done[] = "30 0c 02 01 02 65 07 0a 01 76 04 00 04 00";

static int events;

static int is_bytes(const li_field *f, const char *want)
{
	size_t n;
	const unsigned char *p = li_field_bytes(f, &n);

	return p && n == strlen(want) && memcmp(p, want, n) == 0;
}

static void on_event(void *arg, const li_event *ev)
{
	const li_field *root = li_event_fields(ev), *attr, *f;

	(void)arg;
	events++;
	if (li_event_kind(ev) != LI_EVENT_MESSAGE) {
		ok(root == NULL, "%s: no fields", li_event_op(ev));
		return;
	}
	ok(root && li_field_kind(root) == LI_FIELD_OBJECT && li_field_key(root) == NULL, "%s: a root object",
	   li_event_op(ev));
	if (strcmp(li_event_op(ev), "SearchResultEntry") == 0) {
		f = li_field_find(root, "dn");
		ok(li_field_kind(f) == LI_FIELD_STRING && is_bytes(f, "uid=u1,dc=example,dc=com"),
		   "SearchResultEntry: dn read through li_field_find and li_field_bytes");
		ok(li_field_int(f) == 0, "a string has no integer");
		attr = li_field_first(li_field_find(root, "attrs"));
		ok(attr && strcmp(li_field_key(attr), "cn") == 0 && li_field_next(attr) == NULL,
		   "its one attribute, cn, by li_field_first");
		f = li_field_first(attr);
		ok(li_field_kind(f) == LI_FIELD_STRING && is_bytes(f, "User 1"), "and its value");
		ok(li_field_find(root, "nothing") == NULL && li_field_find(NULL, "dn") == NULL, "a missing key: NULL");
	} else {
		f = li_field_find(root, "code");
		ok(li_field_kind(f) == LI_FIELD_INT && li_field_int(f) == 118,
		   "SearchResultDone: resultCode read through li_field_int");
		ok(li_field_bytes(f, NULL) == NULL, "an integer has no bytes");
		ok(is_bytes(li_field_find(root, "name"), "canceled"), "its name, a word");
		ok(li_event_result_code(ev) == 118 && li_event_error(ev) == NULL, "the head agrees");
	}
}

int main(void)
{
	unsigned char buf[256];
	size_t n, i;
	li_wire *w = li_wire_new(on_event, NULL);

	if (w == NULL)
		return 1;
	n = hex_decode(entry, buf, sizeof(buf));
	/* In two pieces, as a socket may deliver it. */
	li_wire_feed(w, LI_DIR_RECV, buf, 10, 1);
	li_wire_feed(w, LI_DIR_RECV, buf + 10, n - 10, 2);
	n = hex_decode(done, buf, sizeof(buf));
	for (i = 0; i < n; i++)
		li_wire_feed(w, LI_DIR_RECV, buf + i, 1, 3);
	li_wire_close(w, LI_DIR_RECV, "closed by the server", 4);
	ok(events == 3, "three events");
	li_wire_free(w);
	return done_testing();
}
