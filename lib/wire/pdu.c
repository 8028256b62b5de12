/* SPDX-License-Identifier: BSD-2-Clause */
#include "pdu.h"

#include <string.h>

#include <ldap.h>

#include "frame.h"
#include "names.h"

#define MAXINT 2147483647

static int fail(li_pdu *out, const char *why)
{
	out->error = why;
	return -1;
}

/* An OCTET STRING's contents, in place. Not ber_scanf's "m": that writes a
 * NUL after the string, into the message the trace will still print. */
static int get_bv(BerElement *ber, struct berval *bv)
{
	return ber_skip_element(ber, bv) == LBER_DEFAULT ? -1 : 0;
}

/* An INTEGER or ENUMERATED that must lie in 0..maxInt (RFC 4511 §4.1.1:
 * message IDs; result codes, abandon and cancel targets in practice).
 * liblber's ber_get_int refuses more than 4 content octets and would let
 * a negative value through: decode it here, up to 8 octets, and check the
 * range. 0, or -1 with out->error naming the field. */
static int get_ranged(BerElement *ber, ber_tag_t want, li_pdu *out, const char *bad, const char *range,
		      int64_t *v)
{
	struct berval bv;
	uint64_t u;
	size_t i;

	if (ber_skip_element(ber, &bv) != want || bv.bv_len == 0)
		return fail(out, bad);
	if (bv.bv_len > 8)
		return fail(out, range);
	u = (unsigned char)bv.bv_val[0] & 0x80 ? UINT64_MAX : 0;
	for (i = 0; i < bv.bv_len; i++)
		u = u << 8 | (unsigned char)bv.bv_val[i];
	*v = (int64_t)u;
	if (*v < 0 || *v > MAXINT)
		return fail(out, range);
	return 0;
}

/* LDAPResult ::= SEQUENCE { resultCode, matchedDN, diagnosticMessage, referral [3] OPTIONAL } */
static int decode_result(BerElement *ber, li_pdu *out)
{
	ber_len_t len;
	int64_t code;

	if (ber_skip_tag(ber, &len) == LBER_DEFAULT)
		return fail(out, "bad result");
	if (get_ranged(ber, LBER_ENUMERATED, out, "bad resultCode", LI_PDU_BAD_RESULT_CODE, &code) < 0)
		return -1;
	if (get_bv(ber, &out->matched) < 0 || get_bv(ber, &out->diag) < 0)
		return fail(out, "bad LDAPResult");
	out->has_result = 1;
	out->result_code = (int)code;
	return 0;
}

static int decode_extended_response(BerElement *ber, li_pdu *out)
{
	ber_tag_t tag;
	ber_len_t len;

	if (decode_result(ber, out) < 0)
		return -1;
	tag = ber_peek_tag(ber, &len);
	if (tag == LDAP_TAG_REFERRAL) {
		if (ber_skip_element(ber, &out->value) == LBER_DEFAULT)
			return fail(out, "bad referral");
		out->value.bv_val = NULL;
		out->value.bv_len = 0;
		tag = ber_peek_tag(ber, &len);
	}
	if (tag == LDAP_TAG_EXOP_RES_OID) {
		if (get_bv(ber, &out->oid) < 0)
			return fail(out, "bad responseName");
		out->has_oid = 1;
		tag = ber_peek_tag(ber, &len);
	}
	if (tag == LDAP_TAG_EXOP_RES_VALUE) {
		if (get_bv(ber, &out->value) < 0)
			return fail(out, "bad responseValue");
		out->has_value = 1;
	}
	return 0;
}

static int decode_name_value(BerElement *ber, li_pdu *out, ber_tag_t name_tag, ber_tag_t value_tag, int need_name)
{
	ber_tag_t tag;
	ber_len_t len;

	if (ber_skip_tag(ber, &len) == LBER_DEFAULT)
		return fail(out, "bad extended message");
	tag = ber_peek_tag(ber, &len);
	if (tag == name_tag) {
		if (get_bv(ber, &out->oid) < 0)
			return fail(out, "bad OID");
		out->has_oid = 1;
		tag = ber_peek_tag(ber, &len);
	} else if (need_name) {
		return fail(out, "ExtendedRequest without requestName");
	}
	if (tag == value_tag) {
		if (get_bv(ber, &out->value) < 0)
			return fail(out, "bad value");
		out->has_value = 1;
	}
	return 0;
}

int li_pdu_cancel_id(BerElement *scratch, const struct berval *value, int64_t *id)
{
	BerElement *ber = scratch ? scratch : ber_alloc_t(0);
	ber_len_t len;
	li_pdu ignored;
	int rc = -1;

	if (ber == NULL)
		return -1;
	ber_init2(ber, (struct berval *)value, LBER_USE_DER);
	if (ber_skip_tag(ber, &len) == LBER_SEQUENCE &&
	    get_ranged(ber, LBER_INTEGER, &ignored, "", "", id) == 0)
		rc = 0;
	if (scratch == NULL)
		ber_free(ber, 0);
	return rc;
}

static int decode_op(BerElement *ber, li_pdu *out)
{
	switch (out->tag) {
	case LDAP_RES_BIND:
	case LDAP_RES_SEARCH_RESULT:
	case LDAP_RES_MODIFY:
	case LDAP_RES_ADD:
	case LDAP_RES_DELETE:
	case LDAP_RES_MODDN:
	case LDAP_RES_COMPARE:
		out->is_final = 1;
		return decode_result(ber, out);
	case LDAP_RES_EXTENDED:
		out->is_final = 1;
		return decode_extended_response(ber, out);
	case LDAP_RES_INTERMEDIATE:
		return decode_name_value(ber, out, LDAP_TAG_IM_RES_OID, LDAP_TAG_IM_RES_VALUE, 0);
	case LDAP_REQ_EXTENDED:
		if (decode_name_value(ber, out, LDAP_TAG_EXOP_REQ_OID, LDAP_TAG_EXOP_REQ_VALUE, 1) < 0)
			return -1;
		if (out->oid.bv_len == strlen(LI_OID_CANCEL) &&
		    memcmp(out->oid.bv_val, LI_OID_CANCEL, out->oid.bv_len) == 0) {
			struct berval val = out->value;

			if (!out->has_value || li_pdu_cancel_id(NULL, &val, &out->target) < 0)
				return fail(out, "Cancel without a cancelID");
		}
		return 0;
	case LDAP_REQ_ABANDON:
		return get_ranged(ber, LDAP_REQ_ABANDON, out, "bad AbandonRequest", "AbandonRequest out of range",
				  &out->target);
	case LDAP_RES_SEARCH_ENTRY:
	case LDAP_RES_SEARCH_REFERENCE:
		out->is_entry = 1;
		return 0;
	default:
		return 0;
	}
}

/* Where ber will read next: BerElement is opaque, its remainder is not. */
static const char *position(BerElement *ber, const char *end)
{
	ber_len_t left = 0;

	ber_get_option(ber, LBER_OPT_REMAINING_BYTES, &left);
	return end - left;
}

static int env_fail(li_envelope *env, const char *why)
{
	env->error = why;
	return -1;
}

int li_envelope_read(BerElement *ber, const unsigned char *p, size_t n, li_envelope *env)
{
	struct berval bv = { n, (char *)p }, msg;
	size_t hdr, total = 0;
	const char *end;
	ber_len_t len;
	li_pdu range;

	memset(env, 0, sizeof(*env));
	env->msgid = -1;
	env->tag = LBER_DEFAULT;
	/* The outer header by the framer's stricter rules (at most 4 length
	 * octets), then liblber for the rest. */
	switch (li_frame_header(p, n, LI_PDU_MAX, &hdr, &total, &env->error)) {
	case 0:
		if (total == n)
			break;
		return env_fail(env, total > n ? "truncated" : "bytes after the end of the LDAPMessage");
	case 1:
		return env_fail(env, "truncated");
	default:
		return -1;
	}
	ber_init2(ber, &bv, LBER_USE_DER);
	if (ber_peek_element(ber, &msg) != LBER_SEQUENCE || msg.bv_val + msg.bv_len != (char *)p + n)
		return env_fail(env, "not an LDAPMessage");
	/* Decode within the SEQUENCE's contents: nothing can reach past it. */
	end = msg.bv_val + msg.bv_len;
	ber_init2(ber, &msg, LBER_USE_DER);
	range.error = NULL;
	if (get_ranged(ber, LBER_INTEGER, &range, "bad messageID", LI_PDU_BAD_MSGID, &env->msgid) < 0) {
		env->msgid = -1;
		return env_fail(env, range.error);
	}
	env->rest.bv_val = (char *)position(ber, end);
	env->rest.bv_len = (size_t)(end - env->rest.bv_val);
	env->op.bv_val = env->rest.bv_val;
	env->tag = ber_skip_element(ber, &env->content);
	if (env->tag == LBER_DEFAULT)
		return env_fail(env, "missing or truncated protocolOp");
	env->op.bv_len = (size_t)(env->content.bv_val + env->content.bv_len - env->op.bv_val);
	if (li_op_name(env->tag) == NULL)
		return env_fail(env, "unknown protocolOp");
	if (ber_peek_tag(ber, &len) == LDAP_TAG_CONTROLS && ber_skip_element(ber, &env->controls) != LBER_DEFAULT)
		env->has_controls = 1;
	env->trailing = position(ber, end) < end;
	return 0;
}

int li_pdu_decode(BerElement *scratch, const unsigned char *p, size_t n, li_pdu *out)
{
	BerElement *ber = scratch ? scratch : ber_alloc_t(0);
	li_envelope env;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->msgid = -1;
	out->target = -1;
	out->tag = LBER_DEFAULT;
	out->op = "malformed";
	if (ber == NULL)
		return fail(out, "out of memory");
	if (li_envelope_read(ber, p, n, &env) < 0) {
		out->msgid = env.msgid;
		if (env.tag != LBER_DEFAULT && li_op_name(env.tag) == NULL)
			out->op = "unknown";
		fail(out, env.error);
		goto out;
	}
	out->msgid = env.msgid;
	out->tag = env.tag;
	out->op = li_op_name(env.tag);
	/* The protocolOp's fields are read from its start to the message's end,
	 * as liblber would: the controls are the only element after it. */
	ber_init2(ber, &env.rest, LBER_USE_DER);
	rc = decode_op(ber, out);
out:
	if (scratch == NULL)
		ber_free(ber, 0);
	return rc;
}
