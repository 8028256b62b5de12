/* SPDX-License-Identifier: BSD-2-Clause */
/* The decoder on hand-built vectors: every protocolOp both ways, the seed
 * example, and malformed BER that must be refused without reading past. */
#include <stdlib.h>

#include "hex.h"
#include "pdu.h"
#include "tapcheck.h"
#include "vectors.h"

static void check(const vector *v, BerElement *scratch)
{
	unsigned char buf[512], *exact;
	size_t n = hex_decode(v->hex, buf, sizeof(buf));
	li_pdu p;
	int rc;

	exact = exact_copy(buf, n);
	rc = li_pdu_decode(scratch, exact, n, &p);
	if (v->error) {
		ok(rc < 0 && p.error && strcmp(p.error, v->error) == 0, "%s: refused (%s)", v->name, v->error);
		if (p.error && strcmp(p.error, v->error) != 0)
			printf("# error: %s\n", p.error);
		if (v->msgid != -2)
			is_int(p.msgid, v->msgid, "%s: message ID as far as decoded", v->name);
	} else {
		ok(rc == 0 && p.error == NULL, "%s: decodes", v->name);
		if (p.error)
			printf("# error: %s\n", p.error);
		is_int(p.msgid, v->msgid, "%s: message ID", v->name);
		is_str(p.op, v->op, "%s: protocolOp", v->name);
		is_int(p.has_result ? p.result_code : -1, v->code, "%s: result code", v->name);
		is_int(p.target, v->target, "%s: abandon/cancel target", v->name);
		is_int(p.is_final, v->final, "%s: final", v->name);
		is_int(p.is_entry, v->entry, "%s: entry", v->name);
	}
	free(exact);
}

int main(void)
{
	BerElement *scratch = ber_alloc_t(0);
	unsigned char nod[128];
	size_t i, n;
	li_pdu p;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		check(&vectors[i], NULL);
		check(&vectors[i], scratch); /* the reused scratch element gives the same answers */
	}
	/* Fields that decide outcomes */
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		if (strcmp(vectors[i].name, "nod") == 0)
			break;
	n = hex_decode(vectors[i].hex, nod, sizeof(nod) - 1);
	ok(li_pdu_decode(scratch, nod, n, &p) == 0 && p.has_oid &&
	   p.oid.bv_len == strlen("1.3.6.1.4.1.1466.20036") &&
	   memcmp(p.oid.bv_val, "1.3.6.1.4.1.1466.20036", p.oid.bv_len) == 0, "Notice of Disconnection OID");
	ok(p.diag.bv_len == 3 && memcmp(p.diag.bv_val, "bye", 3) == 0, "diagnosticMessage points into the message");
	/* Every prefix of every vector: never a crash, never a success */
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		unsigned char buf[512];
		size_t len = hex_decode(vectors[i].hex, buf, sizeof(buf)), k;
		int bad = 0;

		if (strncmp(vectors[i].name, "trailing byte", 13) == 0)
			continue; /* its prefix is the valid seed message */
		for (k = 0; k < len; k++) {
			unsigned char *cut = exact_copy(buf, k);

			if (li_pdu_decode(scratch, cut, k, &p) == 0)
				bad++;
			free(cut);
		}
		ok(bad == 0, "%s: no proper prefix decodes", vectors[i].name);
	}
	ber_free(scratch, 0);
	return done_testing();
}
