/* SPDX-License-Identifier: BSD-2-Clause */
/* The full decoder and the trace line on hand-built vectors: every
 * protocolOp both ways, secrets redacted (and masked in --hex), malformed
 * messages refused without reading past the buffer. */
#include <stdlib.h>

#include "hex.h"
#include "run.h"
#include "tapcheck.h"
#include "vectors.h"

static li_decoder *dec;
static BerElement *scratch;
static li_wire *wire; /* decodes an event's fields when the renderer asks */

static void ignore(void *arg, const li_event *ev)
{
	(void)arg;
	(void)ev;
}

/* The trace line for the bytes, as ldaptrace prints it (time 0, recv). */
static char *line(const unsigned char *p, size_t n, unsigned flags)
{
	static li_buf *b;
	unsigned char *copy = exact_copy(p, n);
	li_event ev;

	if (b == NULL)
		b = li_buf_new();
	li_buf_reset(b);
	li_wire_message(wire, &ev, copy, n);
	li_trace_text(&ev, flags, b);
	free(copy);
	return (char *)li_buf_data(b);
}

static char *hexline(const char *hex, unsigned flags)
{
	unsigned char buf[1024];

	return line(buf, hex_decode(hex, buf, sizeof(buf)), flags);
}

static void expect(const char *name, const char *got, const char *want)
{
	is_str(got, want, "%s", name);
}

static const char *find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		if (strcmp(vectors[i].name, name) == 0)
			return vectors[i].hex;
	return "";
}

int main(void)
{
	size_t i;

	dec = li_decoder_new();
	scratch = ber_alloc_t(0);
	wire = li_wire_new(ignore, NULL);
	/* Every vector: the decoder agrees with the head decoder about success. */
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		unsigned char buf[512], *copy;
		size_t n = hex_decode(vectors[i].hex, buf, sizeof(buf));
		li_envelope env;
		li_decoded d;
		int rc;

		copy = exact_copy(buf, n);
		rc = li_decode(dec, copy, n, &d);
		ok((rc == 0) == (vectors[i].error == NULL), "%s: full decode %s", vectors[i].name,
		   vectors[i].error ? "refuses" : "accepts");
		if (rc != 0 && vectors[i].error == NULL)
			printf("# error: %s\n", d.error);
		/* One reader of the envelope: where it refuses a message, both
		 * decoders give its reason, word for word. */
		if (li_envelope_read(scratch, copy, n, &env) < 0)
			is_str(d.error, vectors[i].error, "%s: the envelope's reason", vectors[i].name);
		free(copy);
	}
	expect("seed abandon", hexline("30 06 02 01 06 50 01 05", 0),
	       "    0.000000 <- #6 AbandonRequest id=5\n");
	expect("bind request: password redacted", hexline(find("bind_req"), 0),
	       "    0.000000 <- #1 BindRequest version=3 dn=\"cn=admin,dc=example,dc=com\" simple=<redacted 6 bytes>\n");
	ok(strstr(hexline(find("bind_req"), LI_RENDER_HEX), "80 06 ** ** ** ** ** **\n") != NULL,
	   "bind request: password masked in --hex");
	ok(strstr(hexline(find("bind_req"), LI_RENDER_HEX), "73 65 63") == NULL, "no password byte in --hex");
	expect("bind response", hexline(find("bind_res"), 0), "    0.000000 <- #1 BindResponse success (0)\n");
	expect("unbind", hexline(find("unbind"), 0), "    0.000000 <- #9 UnbindRequest\n");
	expect("search request", hexline(find("search_req"), 0),
	       "    0.000000 <- #2 SearchRequest base=\"dc=example,dc=com\" scope=sub deref=never sizelimit=0 "
	       "timelimit=0 typesonly=false filter=\"(objectClass=*)\" attrs=[cn]\n");
	expect("entry", hexline(find("entry"), 0),
	       "    0.000000 <- #2 SearchResultEntry dn=\"uid=u1,dc=example,dc=com\" attrs=[cn]\n");
	expect("entry -v", hexline(find("entry"), LI_RENDER_VALUES),
	       "    0.000000 <- #2 SearchResultEntry dn=\"uid=u1,dc=example,dc=com\" attrs={cn=[\"User 1\"]}\n");
	expect("done 118", hexline(find("done118"), 0), "    0.000000 <- #2 SearchResultDone canceled (118)\n");
	expect("reference", hexline(find("reference"), 0),
	       "    0.000000 <- #2 SearchResultReference uris=[\"ldap://other/dc=x\"]\n");
	expect("modify", hexline(find("mod_req"), 0),
	       "    0.000000 <- #3 ModifyRequest dn=\"cn=x\" changes=[{op=replace attr=sn}]\n");
	expect("modify -v", hexline(find("mod_req"), LI_RENDER_VALUES),
	       "    0.000000 <- #3 ModifyRequest dn=\"cn=x\" changes=[{op=replace attr=sn values=[\"y\"]}]\n");
	expect("modify response", hexline(find("mod_res"), 0), "    0.000000 <- #3 ModifyResponse success (0)\n");
	expect("add", hexline(find("add_req"), 0), "    0.000000 <- #4 AddRequest dn=\"cn=x\" attrs=[objectClass]\n");
	expect("add response", hexline(find("add_res"), 0),
	       "    0.000000 <- #4 AddResponse entryAlreadyExists (68) message=\"Already exists\"\n");
	expect("delete", hexline(find("del_req"), 0), "    0.000000 <- #5 DelRequest dn=\"cn=x\"\n");
	expect("delete response", hexline(find("del_res"), 0), "    0.000000 <- #5 DelResponse noSuchObject (32)\n");
	expect("modrdn", hexline(find("moddn_req"), 0),
	       "    0.000000 <- #6 ModifyDNRequest dn=\"cn=x\" newrdn=\"cn=y\" deleteoldrdn=true\n");
	expect("modrdn response", hexline(find("moddn_res"), 0), "    0.000000 <- #6 ModifyDNResponse success (0)\n");
	expect("compare", hexline(find("cmp_req"), 0), "    0.000000 <- #7 CompareRequest dn=\"cn=x\" attr=cn value=\"x\"\n");
	expect("compare response", hexline(find("cmp_res"), 0), "    0.000000 <- #7 CompareResponse compareTrue (6)\n");
	expect("cancel", hexline(find("cancel_req"), 0),
	       "    0.000000 <- #3 ExtendedRequest oid=1.3.6.1.1.8 (Cancel) cancelID=2\n");
	expect("cancel response", hexline(find("cancel_res"), 0), "    0.000000 <- #3 ExtendedResponse success (0)\n");
	/* An ExtendedResponse without a name: known by its request's OID. */
	expect("response to an unknown request", hexline(find("whoami_res"), 0),
	       "    0.000000 <- #8 ExtendedResponse success (0) value_bytes=7\n");
	hexline("30 1e 02 01 08 77 19 80 17 31 2e 33 2e 36 2e 31 2e 34 2e 31 2e 34 32 30 33 2e 31 2e 31 31 2e 33", 0);
	expect("whoami response", hexline(find("whoami_res"), 0),
	       "    0.000000 <- #8 ExtendedResponse success (0) authzid=\"dn:cn=x\"\n");
	expect("notice of disconnection", hexline(find("nod"), 0),
	       "    0.000000 <- #0 ExtendedResponse unavailable (52) message=\"bye\" oid=1.3.6.1.4.1.1466.20036 "
	       "(NoticeOfDisconnection)\n");
	expect("sync info", hexline(find("intermediate"), 0),
	       "    0.000000 <- #2 IntermediateResponse oid=1.3.6.1.4.1.4203.1.9.1.4 (SyncInfo) "
	       "syncinfo={kind=refreshPresent refreshDone=true}\n");
	/* the response controls of sss, vlv and paged results */
#define DONE_HEAD "02 01 02 65 07 0a 01 00 04 00 04 00 "
#define SORT_OID "04 16 31 2e 32 2e 38 34 30 2e 31 31 33 35 35 36 2e 31 2e 34 2e 34 37 34 "
#define PAGED_OID "04 16 31 2e 32 2e 38 34 30 2e 31 31 33 35 35 36 2e 31 2e 34 2e 33 31 39 "
#define VLV_OID "04 18 32 2e 31 36 2e 38 34 30 2e 31 2e 31 31 33 37 33 30 2e 33 2e 34 2e 31 30 "
	expect("sort response", hexline("30 2f " DONE_HEAD "a0 21 30 1f " SORT_OID "04 05 30 03 0a 01 00", 0),
	       "    0.000000 <- #2 SearchResultDone success (0) controls=[{oid=1.2.840.113556.1.4.474 (SortResponse) "
	       "critical=false code=0 name=success}]\n");
	expect("sort response naming the attribute",
	       hexline("30 33 " DONE_HEAD "a0 25 30 23 " SORT_OID "04 09 30 07 0a 01 10 80 02 63 6e", 0),
	       "    0.000000 <- #2 SearchResultDone success (0) controls=[{oid=1.2.840.113556.1.4.474 (SortResponse) "
	       "critical=false code=16 name=noSuchAttribute attr=cn}]\n");
	expect("sort and VLV responses",
	       hexline("30 5c " DONE_HEAD "a0 4e 30 1f " SORT_OID "04 05 30 03 0a 01 00 30 2b " VLV_OID
		       "04 0f 30 0d 02 01 05 02 01 65 0a 01 00 04 02 90 4b", 0),
	       "    0.000000 <- #2 SearchResultDone success (0) controls=[{oid=1.2.840.113556.1.4.474 (SortResponse) "
	       "critical=false code=0 name=success},{oid=2.16.840.1.113730.3.4.10 (VLVResponse) critical=false "
	       "targetPosition=5 contentCount=101 code=0 name=success contextID=904b}]\n");
	expect("paged results cookie",
	       hexline("30 34 " DONE_HEAD "a0 26 30 24 " PAGED_OID "04 0a 30 08 02 01 00 04 03 ab cd ef", 0),
	       "    0.000000 <- #2 SearchResultDone success (0) controls=[{oid=1.2.840.113556.1.4.319 (PagedResults) "
	       "critical=false size=0 cookie=abcdef}]\n");
	expect("paged results, the last page", hexline("30 31 " DONE_HEAD "a0 23 30 21 " PAGED_OID "04 07 30 05 02 01 00 04 00", 0),
	       "    0.000000 <- #2 SearchResultDone success (0) controls=[{oid=1.2.840.113556.1.4.319 (PagedResults) "
	       "critical=false size=0 cookie=}]\n");
	ok(strstr(hexline("30 34 " DONE_HEAD "a0 26 30 24 " VLV_OID "04 08 30 06 02 01 05 0a 01 00", 0),
		  "malformed: bad contentCount") != NULL, "a VLV response without contentCount is malformed");
	ok(strstr(hexline("30 32 " DONE_HEAD "a0 24 30 22 " SORT_OID "04 08 30 06 0a 01 00 02 01 01", 0),
		  "malformed: unexpected data in the control value") != NULL, "a sort response with more is malformed");
	ok(strstr(hexline("30 2f " DONE_HEAD "a0 21 30 1f " SORT_OID "04 05 30 03 04 01 00", 0),
		  "malformed: bad sortResult") != NULL, "a sort result that is no ENUMERATED is malformed");
	/* secrets in entries, filters, compare and Password Modify */
	expect("userPassword value", hexline("30 27 02 01 02 64 22 04 04 63 6e 3d 78 30 1a 30 18 04 0c 75 73 65 72 50 61 73 "
					     "73 77 6f 72 64 31 08 04 06 73 65 63 72 65 74", LI_RENDER_VALUES),
	       "    0.000000 <- #2 SearchResultEntry dn=\"cn=x\" attrs={userPassword=[<redacted 6 bytes>]}\n");
	expect("userPassword in a filter", hexline("30 2e 02 01 02 63 29 04 00 0a 01 02 0a 01 00 02 01 00 02 01 00 01 01 00 "
						   "a3 14 04 0c 75 73 65 72 50 61 73 73 77 6f 72 64 04 04 70 61 73 "
						   "73 30 00", 0),
	       "    0.000000 <- #2 SearchRequest base=\"\" scope=sub deref=never sizelimit=0 timelimit=0 "
	       "typesonly=false filter=\"(userPassword=<redacted 4 bytes>)\" attrs=[]\n");
	expect("userPassword compare", hexline("30 21 02 01 07 6e 1c 04 04 63 6e 3d 78 30 14 04 0c 75 73 65 72 50 61 73 "
					       "73 77 6f 72 64 04 04 70 61 73 73", 0),
	       "    0.000000 <- #7 CompareRequest dn=\"cn=x\" attr=userPassword value=<redacted 4 bytes>\n");
	expect("password modify", hexline("30 2e 02 01 04 77 29 80 17 31 2e 33 2e 36 2e 31 2e 34 2e 31 2e 34 32 30 33 2e "
					  "31 2e 31 31 2e 31 81 0e 30 0c 80 01 75 81 03 6f 6c 64 82 02 6e 77", 0),
	       "    0.000000 <- #4 ExtendedRequest oid=1.3.6.1.4.1.4203.1.11.1 (PasswordModify) user=\"u\" "
	       "oldPasswd=<redacted 3 bytes> newPasswd=<redacted 2 bytes>\n");
	/* slapd's Password Modify response has no name either: its generated
	 * password must still be a secret. */
	hexline("30 2e 02 01 04 77 29 80 17 31 2e 33 2e 36 2e 31 2e 34 2e 31 2e 34 32 30 33 2e "
		"31 2e 31 31 2e 31 81 0e 30 0c 80 01 75 81 03 6f 6c 64 82 02 6e 77", 0);
	expect("password modify response", hexline("30 18 02 01 04 78 13 0a 01 00 04 00 04 00 8b 0a 30 08 80 06 73 33 "
						   "63 72 33 74", 0),
	       "    0.000000 <- #4 ExtendedResponse success (0) genPasswd=<redacted 6 bytes>\n");
	ok(strstr(hexline("30 18 02 01 04 78 13 0a 01 00 04 00 04 00 8b 0a 30 08 80 06 73 33 63 72 33 74",
			  LI_RENDER_HEX), "80 06 ** ** ** ** ** **") == NULL, "a response without its request: "
	   "not known as Password Modify");
	expect("sasl bind", hexline("30 1c 02 01 01 60 17 02 01 03 04 00 a3 10 04 0a 44 49 47 45 53 54 2d 4d 44 35 04 02 "
				    "78 79", 0),
	       "    0.000000 <- #1 BindRequest version=3 dn=\"\" sasl=DIGEST-MD5 credentials=<redacted 2 bytes>\n");
	/* filters in RFC 4515 text */
	expect("complex filter", hexline("30 53 02 01 02 63 4e 04 00 0a 01 02 0a 01 00 02 01 00 02 01 00 01 01 00 "
					 "a0 39 a4 0f 04 02 63 6e 30 09 80 01 61 81 01 62 82 01 63 "
					 "a2 0b a5 09 04 01 6e 04 04 28 2a 29 5c "
					 "a9 19 81 0e 63 61 73 65 45 78 61 63 74 4d 61 74 63 68 82 01 6f 83 01 76 84 01 ff "
					 "30 00", 0),
	       "    0.000000 <- #2 SearchRequest base=\"\" scope=sub deref=never sizelimit=0 timelimit=0 typesonly=false "
	       "filter=\"(&(cn=a*b*c)(!(n>=\\\\28\\\\2a\\\\29\\\\5c))(o:dn:caseExactMatch:=v))\" attrs=[]\n");
	/* malformed: refused with the bytes shown */
	ok(strstr(hexline("30 06 02 01 06 50 09 05", 0), "malformed: ") != NULL, "inner length past the end: malformed");
	ok(strstr(hexline("30 06 02 01 06 50 09 05", 0), "\n    30 06 02 01 06 50 09 05\n") != NULL,
	   "malformed messages show their bytes");
	{
		/* A deep NOT chain: refused, not a stack overflow. */
		unsigned char deep[400];
		size_t k, depth = 60;

		deep[0] = 0x30, deep[1] = 0x81;
		deep[3] = 0x02, deep[4] = 0x01, deep[5] = 0x02;
		deep[6] = 0x63, deep[7] = 0x81;
		k = 9;
		memcpy(deep + k, "\x04\x00\x0a\x01\x02\x0a\x01\x00\x02\x01\x00\x02\x01\x00\x01\x01\x00", 17);
		k += 17;
		for (i = 0; i < depth; i++) {
			deep[k++] = 0xa2;
			deep[k++] = (unsigned char)(2 * (depth - i - 1) + 2);
		}
		deep[k++] = 0x87, deep[k++] = 0x00;
		deep[k++] = 0x30, deep[k++] = 0x00;
		deep[8] = (unsigned char)(k - 9);
		deep[2] = (unsigned char)(k - 3);
		ok(strstr(line(deep, k, 0), "malformed: nested too deeply") != NULL, "60 nested NOTs: refused");
	}
	li_decoder_free(dec);
	ber_free(scratch, 0);
	li_wire_free(wire);
	return done_testing();
}
