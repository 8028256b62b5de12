/* SPDX-License-Identifier: BSD-2-Clause */
/* LDAPMessages both ways, built by hand from RFC 4511's ASN.1. Shared by the
 * unit tests and the fuzzer's seed corpus. */
#ifndef LI_VECTORS_H
#define LI_VECTORS_H

typedef struct vector {
	const char *name;
	const char *hex;
	long long msgid;
	const char *op;
	int code;      /* result code, -1 if none */
	long long target; /* abandon or cancel ID, -1 if none */
	int final, entry;
	const char *error; /* NULL: must decode */
} vector;

static const vector vectors[] = {
	{ "seed AbandonRequest of 5 sent as 6", "30 06 02 01 06 50 01 05", 6, "AbandonRequest", -1, 5, 0, 0, NULL },
	{ "bind_req", "30 2c 02 01 01 60 27 02 01 03 04 1a 63 6e 3d 61 64 6d 69 6e 2c 64 63 3d 65 78 61 6d 70 6c 65 2c 64 63 3d 63 6f 6d 80 06 73 65 63 72 65 74", 1, "BindRequest", -1, -1, 0, 0, NULL },
	{ "bind_res", "30 0c 02 01 01 61 07 0a 01 00 04 00 04 00", 1, "BindResponse", 0, -1, 1, 0, NULL },
	{ "unbind", "30 05 02 01 09 42 00", 9, "UnbindRequest", -1, -1, 0, 0, NULL },
	{ "search_req", "30 3a 02 01 02 63 35 04 11 64 63 3d 65 78 61 6d 70 6c 65 2c 64 63 3d 63 6f 6d 0a 01 02 0a 01 00 02 01 00 02 01 00 01 01 00 87 0b 6f 62 6a 65 63 74 43 6c 61 73 73 30 04 04 02 63 6e", 2, "SearchRequest", -1, -1, 0, 0, NULL },
	{ "entry", "30 31 02 01 02 64 2c 04 18 75 69 64 3d 75 31 2c 64 63 3d 65 78 61 6d 70 6c 65 2c 64 63 3d 63 6f 6d 30 10 30 0e 04 02 63 6e 31 08 04 06 55 73 65 72 20 31", 2, "SearchResultEntry", -1, -1, 0, 1, NULL },
	{ "done118", "30 0c 02 01 02 65 07 0a 01 76 04 00 04 00", 2, "SearchResultDone", 118, -1, 1, 0, NULL },
	{ "reference", "30 18 02 01 02 73 13 04 11 6c 64 61 70 3a 2f 2f 6f 74 68 65 72 2f 64 63 3d 78", 2, "SearchResultReference", -1, -1, 0, 1, NULL },
	{ "mod_req", "30 1d 02 01 03 66 18 04 04 63 6e 3d 78 30 10 30 0e 0a 01 02 30 09 04 02 73 6e 31 03 04 01 79", 3, "ModifyRequest", -1, -1, 0, 0, NULL },
	{ "mod_res", "30 0c 02 01 03 67 07 0a 01 00 04 00 04 00", 3, "ModifyResponse", 0, -1, 1, 0, NULL },
	{ "add_req", "30 23 02 01 04 68 1e 04 04 63 6e 3d 78 30 16 30 14 04 0b 6f 62 6a 65 63 74 43 6c 61 73 73 31 05 04 03 74 6f 70", 4, "AddRequest", -1, -1, 0, 0, NULL },
	{ "add_res", "30 1a 02 01 04 69 15 0a 01 44 04 00 04 0e 41 6c 72 65 61 64 79 20 65 78 69 73 74 73", 4, "AddResponse", 68, -1, 1, 0, NULL },
	{ "del_req", "30 09 02 01 05 4a 04 63 6e 3d 78", 5, "DelRequest", -1, -1, 0, 0, NULL },
	{ "del_res", "30 0c 02 01 05 6b 07 0a 01 20 04 00 04 00", 5, "DelResponse", 32, -1, 1, 0, NULL },
	{ "moddn_req", "30 14 02 01 06 6c 0f 04 04 63 6e 3d 78 04 04 63 6e 3d 79 01 01 ff", 6, "ModifyDNRequest", -1, -1, 0, 0, NULL },
	{ "moddn_res", "30 0c 02 01 06 6d 07 0a 01 00 04 00 04 00", 6, "ModifyDNResponse", 0, -1, 1, 0, NULL },
	{ "cmp_req", "30 14 02 01 07 6e 0f 04 04 63 6e 3d 78 30 07 04 02 63 6e 04 01 78", 7, "CompareRequest", -1, -1, 0, 0, NULL },
	{ "cmp_res", "30 0c 02 01 07 6f 07 0a 01 06 04 00 04 00", 7, "CompareResponse", 6, -1, 1, 0, NULL },
	{ "cancel_req", "30 19 02 01 03 77 14 80 0b 31 2e 33 2e 36 2e 31 2e 31 2e 38 81 05 30 03 02 01 02", 3, "ExtendedRequest", -1, 2, 0, 0, NULL },
	{ "cancel_res", "30 0c 02 01 03 78 07 0a 01 00 04 00 04 00", 3, "ExtendedResponse", 0, -1, 1, 0, NULL },
	{ "whoami_res", "30 15 02 01 08 78 10 0a 01 00 04 00 04 00 8b 07 64 6e 3a 63 6e 3d 78", 8, "ExtendedResponse", 0, -1, 1, 0, NULL },
	{ "nod", "30 27 02 01 00 78 22 0a 01 34 04 00 04 03 62 79 65 8a 16 31 2e 33 2e 36 2e 31 2e 34 2e 31 2e 31 34 36 36 2e 32 30 30 33 36", 0, "ExtendedResponse", 52, -1, 1, 0, NULL },
	{ "intermediate", "30 26 02 01 02 79 21 80 18 31 2e 33 2e 36 2e 31 2e 34 2e 31 2e 34 32 30 33 2e 31 2e 39 2e 31 2e 34 81 05 a2 03 01 01 ff", 2, "IntermediateResponse", -1, -1, 0, 0, NULL },
	{ "cancel_novalue", "30 12 02 01 03 77 0d 80 0b 31 2e 33 2e 36 2e 31 2e 31 2e 38", -2, NULL, -1, -1, 0, 0, "Cancel without a cancelID" },
	{ "done_short", "30 08 02 01 02 65 03 0a 01 00", -2, NULL, -1, -1, 0, 0, "bad LDAPResult" },
	{ "unknown_op", "30 05 02 01 02 51 00", -2, NULL, -1, -1, 0, 0, "unknown protocolOp" },
	{ "negative_id", "30 05 02 01 ff 42 00", -2, NULL, -1, -1, 0, 0, "messageID out of range (0..2147483647)" },
	{ "id 2^40", "30 0a 02 06 01 00 00 00 00 00 42 00", -2, NULL, -1, -1, 0, 0, "messageID out of range (0..2147483647)" },
	{ "no protocolOp", "30 03 02 01 02", 2, NULL, -1, -1, 0, 0, "missing or truncated protocolOp" },
	{ "resultCode 2^40", "30 11 02 01 03 78 0c 0a 06 01 00 00 00 00 00 04 00 04 00", 3, NULL, -1, -1, 0, 0, "resultCode out of range (0..2147483647)" },
	{ "resultCode -118", "30 0c 02 01 02 65 07 0a 01 8a 04 00 04 00", 2, NULL, -1, -1, 0, 0, "resultCode out of range (0..2147483647)" },
	{ "resultCode 2^31", "30 10 02 01 02 65 0b 0a 05 00 80 00 00 00 04 00 04 00", 2, NULL, -1, -1, 0, 0, "resultCode out of range (0..2147483647)" },
	{ "resultCode 2^31-1", "30 0f 02 01 02 65 0a 0a 04 7f ff ff ff 04 00 04 00", 2, "SearchResultDone", 2147483647, -1, 1, 0, NULL },
	{ "abandon of 2^40", "30 0b 02 01 06 50 06 01 00 00 00 00 00", 6, NULL, -1, -1, 0, 0, "AbandonRequest out of range" },
	{ "empty resultCode", "30 0b 02 01 02 65 06 0a 00 04 00 04 00", 2, NULL, -1, -1, 0, 0, "bad resultCode" },
	{ "truncated seed", "30 06 02 01 06 50 01", -1, NULL, -1, -1, 0, 0, "truncated" },
	{ "indefinite length", "30 80 02 01 06 50 01 05 00 00", -1, NULL, -1, -1, 0, 0, "indefinite length (not allowed in LDAP)" },
	{ "over-long length", "30 85 00 00 00 00 06 02 01 06 50 01 05", -1, NULL, -1, -1, 0, 0, "length of more than 4 octets" },
	{ "trailing byte (a valid message and one more byte)", "30 06 02 01 06 50 01 05 00", -1, NULL, -1, -1, 0, 0, "bytes after the end of the LDAPMessage" },
	{ "inner length past the end", "30 06 02 01 06 50 09 05", 6, NULL, -1, -1, 0, 0, "missing or truncated protocolOp" },
	{ "not a sequence", "31 06 02 01 06 50 01 05", -1, NULL, -1, -1, 0, 0, "not an LDAPMessage (expected a SEQUENCE, tag 0x30)" },
};

#endif
