/* SPDX-License-Identifier: BSD-2-Clause */
#include "decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldap.h>

#include "buf.h"
#include "names.h"
#include "pdu.h"
#include "redact.h"

#define DEPTH 40 /* nested elements; filters are the deep ones */

#define PENDING 16 /* extended requests whose responses may carry no name */

struct li_decoder {
	li_arena arena;
	/* An ExtendedResponse need not repeat the request's OID (slapd's Password
	 * Modify and WhoAmI answers do not): remember which OID each message ID
	 * asked for, so that a generated password is still known as a secret. */
	struct { long long msgid; char oid[64]; } pending[PENDING];
	int next_pending;
	long long msgid;
	BerElement *pool[DEPTH];
	BerElement *tmp;
	int depth;
	const char *base; /* the message, for secret offsets */
	li_decoded *out;
	li_buf text;      /* scratch for filter text */
};

/* A position inside one constructed element: elements are read in order,
 * each with ber_skip_element, and never past `end`. */
typedef struct cur {
	BerElement *ber;
	const char *pos, *end;
} cur;

li_decoder *li_decoder_new(void)
{
	li_decoder *d = calloc(1, sizeof(*d));
	int i;

	if (d == NULL)
		return NULL;
	li_arena_init(&d->arena);
	d->tmp = ber_alloc_t(0);
	for (i = 0; i < DEPTH; i++)
		d->pool[i] = ber_alloc_t(0);
	for (i = 0; i < DEPTH; i++)
		if (d->pool[i] == NULL || d->tmp == NULL) {
			li_decoder_free(d);
			return NULL;
		}
	return d;
}

void li_decoder_free(li_decoder *d)
{
	int i;

	if (d == NULL)
		return;
	for (i = 0; i < DEPTH; i++)
		ber_free(d->pool[i], 0);
	ber_free(d->tmp, 0);
	li_arena_free(&d->arena);
	free(d->text.data);
	free(d);
}

/* ---- errors and nodes ---- */

static int bad(li_decoder *d, const char *why)
{
	if (d->out->error == NULL)
		d->out->error = why;
	return -1;
}

static li_node *node(li_decoder *d, li_node *parent, li_kind kind, const char *key)
{
	li_node *n = li_arena_alloc(&d->arena, sizeof(*n));

	if (n == NULL) {
		bad(d, "out of memory");
		return NULL;
	}
	n->kind = kind;
	n->key = key;
	if (parent) {
		if (parent->last)
			parent->last->next = n;
		else
			parent->first = n;
		parent->last = n;
	}
	return n;
}

static li_node *add_bv(li_decoder *d, li_node *parent, li_kind kind, const char *key, const struct berval *bv)
{
	li_node *n = node(d, parent, kind, key);

	if (n) {
		n->s = bv->bv_val;
		n->n = bv->bv_len;
	}
	return n;
}

static li_node *add_word(li_decoder *d, li_node *parent, const char *key, const char *word)
{
	li_node *n = node(d, parent, LI_K_WORD, key);

	if (n) {
		n->s = word;
		n->n = strlen(word);
	}
	return n;
}

static li_node *add_int(li_decoder *d, li_node *parent, li_kind kind, const char *key, long long v)
{
	li_node *n = node(d, parent, kind, key);

	if (n)
		n->i = v;
	return n;
}

static li_node *add_text(li_decoder *d, li_node *parent, li_kind kind, const char *key, const char *s, size_t len)
{
	char *copy = li_arena_alloc(&d->arena, len + 1);
	li_node *n;

	if (copy == NULL) {
		bad(d, "out of memory");
		return NULL;
	}
	memcpy(copy, s, len);
	n = node(d, parent, kind, key);
	if (n) {
		n->s = copy;
		n->n = len;
	}
	return n;
}

/* Remembers a secret's bytes, so that --hex masks them. */
static void record_secret(li_decoder *d, const struct berval *bv)
{
	li_decoded *o = d->out;

	if (o->nsecrets == LI_MAX_SECRETS) {
		o->secrets_overflow = 1;
		return;
	}
	o->secrets[o->nsecrets].off = (size_t)(bv->bv_val - d->base);
	o->secrets[o->nsecrets].len = bv->bv_len;
	o->nsecrets++;
}

/* A secret value: only its length is kept. */
static li_node *add_secret(li_decoder *d, li_node *parent, const char *key, const struct berval *bv)
{
	record_secret(d, bv);
	return add_int(d, parent, LI_K_SECRET, key, (long long)bv->bv_len);
}

/* ---- cursors over liblber ---- */

static int enter(li_decoder *d, const struct berval *content, cur *c)
{
	if (d->depth == DEPTH)
		return bad(d, "nested too deeply");
	c->ber = d->pool[d->depth++];
	ber_init2(c->ber, (struct berval *)content, LBER_USE_DER);
	c->pos = content->bv_val;
	c->end = content->bv_val + content->bv_len;
	return 0;
}

static void leave(li_decoder *d)
{
	d->depth--;
}

static int more(const cur *c)
{
	return c->pos < c->end;
}

static ber_tag_t peek(const cur *c)
{
	ber_len_t len;

	return more(c) ? ber_peek_tag(c->ber, &len) : LBER_DEFAULT;
}

/* The next element's tag and contents; LBER_DEFAULT when there is none or
 * it does not fit. */
static ber_tag_t next(cur *c, struct berval *content)
{
	ber_tag_t tag;

	if (!more(c))
		return LBER_DEFAULT;
	tag = ber_skip_element(c->ber, content);
	if (tag == LBER_DEFAULT || content->bv_val + content->bv_len > c->end)
		return LBER_DEFAULT;
	c->pos = content->bv_val + content->bv_len;
	return tag;
}

static int expect(li_decoder *d, cur *c, ber_tag_t want, struct berval *content, const char *what)
{
	ber_tag_t tag = next(c, content);

	if (tag == LBER_DEFAULT || (want != LBER_DEFAULT && tag != want))
		return bad(d, what);
	return 0;
}

/* An INTEGER, ENUMERATED or BOOLEAN: liblber decodes the whole element. */
static int scalar(li_decoder *d, cur *c, ber_tag_t want, ber_int_t *v, const char *what)
{
	const char *start = c->pos;
	struct berval content, whole;
	ber_tag_t tag = next(c, &content);

	/* liblber takes no content octets for 0: BER requires one. */
	if (tag == LBER_DEFAULT || (want != LBER_DEFAULT && tag != want) || content.bv_len == 0)
		return bad(d, what);
	whole.bv_val = (char *)start;
	whole.bv_len = (size_t)(c->pos - start);
	ber_init2(d->tmp, &whole, LBER_USE_DER);
	if (want == LBER_BOOLEAN) {
		if (ber_get_boolean(d->tmp, v) == LBER_ERROR)
			return bad(d, what);
	} else if (ber_get_int(d->tmp, v) == LBER_ERROR) {
		return bad(d, what);
	}
	return 0;
}

static int string(li_decoder *d, cur *c, li_node *parent, li_kind kind, const char *key, const char *what)
{
	struct berval bv;

	if (expect(d, c, LBER_OCTETSTRING, &bv, what) < 0)
		return -1;
	return add_bv(d, parent, kind, key, &bv) ? 0 : -1;
}

/* ---- shared pieces ---- */

static const char *result_word(int code)
{
	const char *n = li_result_name(code);

	return n ? n : "unknown";
}

/* The rest of c, a sequence of strings: URIs, attribute selections. */
static int strings(li_decoder *d, cur *c, li_node *parent, const char *key, li_kind kind, const char *what)
{
	li_node *list = node(d, parent, LI_K_LIST, key);
	int rc = list ? 0 : -1;

	while (rc == 0 && more(c))
		rc = string(d, c, list, kind, NULL, what);
	return rc;
}

/* A SEQUENCE OF strings: the next element of c. */
static int string_seq(li_decoder *d, cur *c, ber_tag_t tag, li_node *parent, const char *key, li_kind kind,
		      const char *what)
{
	struct berval seq;
	cur s;
	int rc;

	if (expect(d, c, tag, &seq, what) < 0 || enter(d, &seq, &s) < 0)
		return -1;
	rc = strings(d, &s, parent, key, kind, what);
	leave(d);
	return rc;
}

/* LDAPResult's components, read from an already entered response. */
static int result(li_decoder *d, cur *c, li_node *root)
{
	struct berval bv;
	ber_int_t code;

	if (scalar(d, c, LBER_ENUMERATED, &code, "bad resultCode") < 0)
		return -1;
	if (code < 0)
		return bad(d, LI_PDU_BAD_RESULT_CODE);
	add_int(d, root, LI_K_INT, "code", code);
	add_word(d, root, "name", result_word(code));
	if (expect(d, c, LBER_OCTETSTRING, &bv, "bad matchedDN") < 0)
		return -1;
	if (bv.bv_len)
		add_bv(d, root, LI_K_STR, "matched", &bv);
	if (expect(d, c, LBER_OCTETSTRING, &bv, "bad diagnosticMessage") < 0)
		return -1;
	if (bv.bv_len)
		add_bv(d, root, LI_K_STR, "message", &bv);
	if (peek(c) == LDAP_TAG_REFERRAL)
		return string_seq(d, c, LDAP_TAG_REFERRAL, root, "referral", LI_K_STR, "bad referral URI");
	return 0;
}

/* An OID, and its name when it is one we know. */
static void oid_node(li_decoder *d, li_node *parent, const struct berval *oid)
{
	const char *name = li_oid_name(oid->bv_val, oid->bv_len);

	add_bv(d, parent, LI_K_WORD, "oid", oid);
	if (name)
		add_word(d, parent, "oid_name", name);
}

/* SEQUENCE OF SEQUENCE { type, vals SET OF value }: entries, adds,
 * pre/post-read controls. */
/* The SET OF value after an attribute type, into list; the values of
 * userPassword-like types become secrets. */
static int value_set(li_decoder *d, cur *c, const struct berval *type, li_node *list)
{
	int secret = li_is_secret_attr(type->bv_val, type->bv_len), rc = 0;
	struct berval vals, val;
	cur set;

	list->flags = LI_NF_VALUES;
	if (expect(d, c, LBER_SET, &vals, "bad attribute values") < 0 || enter(d, &vals, &set) < 0)
		return -1;
	while (rc == 0 && more(&set)) {
		if (expect(d, &set, LBER_OCTETSTRING, &val, "bad attribute value") < 0)
			rc = -1;
		else if (secret)
			add_secret(d, list, NULL, &val);
		else
			add_bv(d, list, LI_K_STR, NULL, &val);
	}
	leave(d);
	return rc;
}

static int attributes(li_decoder *d, cur *c, li_node *parent, const char *key)
{
	struct berval seq, attr, type;
	li_node *obj = node(d, parent, LI_K_OBJ, key);
	cur list, one;
	int rc = 0;

	if (obj == NULL || expect(d, c, LBER_SEQUENCE, &seq, "bad attribute list") < 0 || enter(d, &seq, &list) < 0)
		return -1;
	obj->flags = LI_NF_ATTRS;
	while (rc == 0 && more(&list)) {
		li_node *values;

		rc = -1;
		if (expect(d, &list, LBER_SEQUENCE, &attr, "bad attribute") < 0 || enter(d, &attr, &one) < 0)
			break;
		if (expect(d, &one, LBER_OCTETSTRING, &type, "bad attribute type") == 0) {
			values = add_text(d, obj, LI_K_LIST, NULL, type.bv_val, type.bv_len);
			if (values) {
				values->key = values->s;
				rc = value_set(d, &one, &type, values);
			}
		}
		leave(d);
	}
	leave(d);
	return rc;
}

/* ---- filters (RFC 4515 text) ---- */

static void filter_value(li_decoder *d, const struct berval *v, int secret)
{
	size_t i;

	if (secret) {
		record_secret(d, v);
		li_buf_addf(&d->text, "<redacted %zu bytes>", v->bv_len);
		return;
	}
	for (i = 0; i < v->bv_len; i++) {
		unsigned char ch = (unsigned char)v->bv_val[i];

		if (ch == '*' || ch == '(' || ch == ')' || ch == '\\' || ch < 0x20 || ch == 0x7f)
			li_buf_addf(&d->text, "\\%02x", ch);
		else
			li_buf_addc(&d->text, (char)ch);
	}
}

static int filter(li_decoder *d, cur *c);

static int filter_set(li_decoder *d, const struct berval *content, char op)
{
	cur set;
	int rc = 0;

	if (enter(d, content, &set) < 0)
		return -1;
	li_buf_addc(&d->text, op);
	while (rc == 0 && more(&set))
		rc = filter(d, &set);
	leave(d);
	return rc;
}

static int filter_ava(li_decoder *d, const struct berval *content, const char *op)
{
	struct berval attr, value;
	cur ava;
	int rc = -1;

	if (enter(d, content, &ava) < 0)
		return -1;
	if (expect(d, &ava, LBER_OCTETSTRING, &attr, "bad filter attribute") == 0 &&
	    expect(d, &ava, LBER_OCTETSTRING, &value, "bad filter value") == 0) {
		li_buf_add(&d->text, attr.bv_val, attr.bv_len);
		li_buf_adds(&d->text, op);
		filter_value(d, &value, li_is_secret_attr(attr.bv_val, attr.bv_len));
		rc = 0;
	}
	leave(d);
	return rc;
}

static int filter_substrings(li_decoder *d, const struct berval *content)
{
	struct berval attr, subs, piece;
	cur f, s;
	ber_tag_t tag;
	int rc = -1, secret, last = -1;

	if (enter(d, content, &f) < 0)
		return -1;
	if (expect(d, &f, LBER_OCTETSTRING, &attr, "bad substrings attribute") == 0 &&
	    expect(d, &f, LBER_SEQUENCE, &subs, "bad substrings") == 0 && enter(d, &subs, &s) == 0) {
		secret = li_is_secret_attr(attr.bv_val, attr.bv_len);
		li_buf_add(&d->text, attr.bv_val, attr.bv_len);
		li_buf_addc(&d->text, '=');
		rc = more(&s) ? 0 : bad(d, "empty substrings");
		while (rc == 0 && more(&s)) {
			tag = next(&s, &piece);
			if (tag == LDAP_SUBSTRING_INITIAL && last == -1) {
				filter_value(d, &piece, secret);
			} else if (tag == LDAP_SUBSTRING_ANY || tag == LDAP_SUBSTRING_FINAL) {
				li_buf_addc(&d->text, '*');
				filter_value(d, &piece, secret);
			} else {
				rc = bad(d, "bad substring");
			}
			last = (int)tag;
		}
		if (rc == 0 && last != (int)LDAP_SUBSTRING_FINAL)
			li_buf_addc(&d->text, '*');
		leave(d);
	}
	leave(d);
	return rc;
}

static int filter_extensible(li_decoder *d, const struct berval *content)
{
	struct berval rule = { 0, NULL }, type = { 0, NULL }, value = { 0, NULL };
	ber_int_t dn = 0;
	cur f;
	int rc = 0;

	if (enter(d, content, &f) < 0)
		return -1;
	if (peek(&f) == LDAP_FILTER_EXT_OID)
		next(&f, &rule);
	if (peek(&f) == LDAP_FILTER_EXT_TYPE)
		next(&f, &type);
	if (expect(d, &f, LDAP_FILTER_EXT_VALUE, &value, "extensible match without a value") < 0)
		rc = -1;
	else if (peek(&f) == LDAP_FILTER_EXT_DNATTRS)
		rc = scalar(d, &f, LDAP_FILTER_EXT_DNATTRS, &dn, "bad dnAttributes");
	if (rc == 0) {
		li_buf_add(&d->text, type.bv_val, type.bv_len);
		if (dn)
			li_buf_adds(&d->text, ":dn");
		if (rule.bv_len) {
			li_buf_addc(&d->text, ':');
			li_buf_add(&d->text, rule.bv_val, rule.bv_len);
		}
		li_buf_adds(&d->text, ":=");
		filter_value(d, &value, li_is_secret_attr(type.bv_val, type.bv_len));
	}
	leave(d);
	return rc;
}

static int filter(li_decoder *d, cur *c)
{
	struct berval content;
	ber_tag_t tag = next(c, &content);
	int rc;

	li_buf_addc(&d->text, '(');
	switch (tag) {
	case LDAP_FILTER_AND: rc = filter_set(d, &content, '&'); break;
	case LDAP_FILTER_OR: rc = filter_set(d, &content, '|'); break;
	case LDAP_FILTER_NOT: rc = filter_set(d, &content, '!'); break;
	case LDAP_FILTER_EQUALITY: rc = filter_ava(d, &content, "="); break;
	case LDAP_FILTER_GE: rc = filter_ava(d, &content, ">="); break;
	case LDAP_FILTER_LE: rc = filter_ava(d, &content, "<="); break;
	case LDAP_FILTER_APPROX: rc = filter_ava(d, &content, "~="); break;
	case LDAP_FILTER_SUBSTRINGS: rc = filter_substrings(d, &content); break;
	case LDAP_FILTER_EXT: rc = filter_extensible(d, &content); break;
	case LDAP_FILTER_PRESENT:
		li_buf_add(&d->text, content.bv_val, content.bv_len);
		li_buf_adds(&d->text, "=*");
		rc = 0;
		break;
	default:
		rc = bad(d, "bad filter");
		break;
	}
	li_buf_addc(&d->text, ')');
	return rc;
}

/* ---- sync (RFC 4533) ---- */

static const char *const sync_modes[] = { "?", "refreshOnly", "?", "refreshAndPersist" };
static const char *const sync_states[] = { "present", "add", "modify", "delete" };

static void uuid_node(li_decoder *d, li_node *parent, const char *key, const struct berval *u)
{
	char text[40];
	const unsigned char *b = (const unsigned char *)u->bv_val;

	if (u->bv_len != 16) {
		add_bv(d, parent, LI_K_STR, key, u);
		return;
	}
	snprintf(text, sizeof(text), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
		 b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	add_text(d, parent, LI_K_WORD, key, text, strlen(text));
}

static int is_oid(const struct berval *oid, const char *want);

static int sync_control(li_decoder *d, const struct berval *oid, const struct berval *value, li_node *ctl)
{
	int request = is_oid(oid, LDAP_CONTROL_SYNC), state = is_oid(oid, LDAP_CONTROL_SYNC_STATE);
	struct berval seq, bv;
	ber_int_t v;
	cur outer, c;
	int rc = 0;

	if (enter(d, value, &outer) < 0)
		return -1;
	if (expect(d, &outer, LBER_SEQUENCE, &seq, "bad sync control") < 0 || enter(d, &seq, &c) < 0) {
		leave(d);
		return -1;
	}
	if (request) {
		rc = scalar(d, &c, LBER_ENUMERATED, &v, "bad sync mode");
		if (rc == 0)
			add_word(d, ctl, "mode", v >= 0 && v <= 3 ? sync_modes[v] : "?");
	} else if (state) {
		rc = scalar(d, &c, LBER_ENUMERATED, &v, "bad sync state");
		if (rc == 0)
			add_word(d, ctl, "state", v >= 0 && v <= 3 ? sync_states[v] : "?");
		if (rc == 0 && (rc = expect(d, &c, LBER_OCTETSTRING, &bv, "bad entryUUID")) == 0)
			uuid_node(d, ctl, "entryUUID", &bv);
	}
	/* cookie (all three), then reloadHint or refreshDeletes */
	if (rc == 0 && peek(&c) == LBER_OCTETSTRING && next(&c, &bv) != LBER_DEFAULT)
		add_bv(d, ctl, LI_K_STR, "cookie", &bv);
	if (rc == 0 && peek(&c) == LBER_BOOLEAN && scalar(d, &c, LBER_BOOLEAN, &v, "bad sync flag") == 0)
		add_int(d, ctl, LI_K_BOOL, request ? "reloadHint" : "refreshDeletes", v != 0);
	leave(d);
	leave(d);
	return rc;
}

static int sync_info(li_decoder *d, const struct berval *value, li_node *root)
{
	static const char *const kinds[] = { "newcookie", "refreshDelete", "refreshPresent", "syncIdSet" };
	li_node *info = node(d, root, LI_K_OBJ, "syncinfo");
	struct berval content, bv;
	ber_tag_t tag;
	ber_int_t v;
	cur outer, c;
	int rc = 0, k, uuids = 0;

	if (info == NULL || enter(d, value, &outer) < 0)
		return -1;
	tag = next(&outer, &content);
	k = tag == LDAP_TAG_SYNC_NEW_COOKIE ? 0 : tag == LDAP_TAG_SYNC_REFRESH_DELETE ? 1
		: tag == LDAP_TAG_SYNC_REFRESH_PRESENT ? 2 : tag == LDAP_TAG_SYNC_ID_SET ? 3 : -1;
	if (k < 0) {
		leave(d);
		return bad(d, "bad SyncInfo");
	}
	add_word(d, info, "kind", kinds[k]);
	if (k == 0) {
		add_bv(d, info, LI_K_STR, "cookie", &content);
		leave(d);
		return 0;
	}
	if (enter(d, &content, &c) == 0) {
		if (peek(&c) == LBER_OCTETSTRING && next(&c, &bv) != LBER_DEFAULT)
			add_bv(d, info, LI_K_STR, "cookie", &bv);
		if (peek(&c) == LBER_BOOLEAN && (rc = scalar(d, &c, LBER_BOOLEAN, &v, "bad SyncInfo flag")) == 0)
			add_int(d, info, LI_K_BOOL, k == 3 ? "refreshDeletes" : "refreshDone", v != 0);
		if (rc == 0 && k == 3 && peek(&c) == LBER_SET && next(&c, &bv) != LBER_DEFAULT) {
			cur set;

			if (enter(d, &bv, &set) == 0) {
				while (more(&set) && next(&set, &bv) != LBER_DEFAULT)
					uuids++;
				leave(d);
			}
			add_int(d, info, LI_K_INT, "uuids", uuids);
		}
		leave(d);
	}
	leave(d);
	return rc;
}

/* ---- controls ---- */

static int is_oid(const struct berval *oid, const char *want)
{
	return oid->bv_len == strlen(want) && memcmp(oid->bv_val, want, oid->bv_len) == 0;
}

/* A control whose value is a filter (Assertion, RFC 4528) or a SEQUENCE OF
 * them (ValuesReturnFilter, RFC 3876): decoded as a search filter is, so
 * that its secrets are redacted and masked in --hex alike. */
static int filter_control(li_decoder *d, const struct berval *value, li_node *ctl, int list)
{
	struct berval seq;
	cur v, items;
	int rc = 0;

	li_buf_reset(&d->text);
	if (enter(d, value, &v) < 0)
		return -1;
	if (!list) {
		rc = filter(d, &v);
	} else if (expect(d, &v, LBER_SEQUENCE, &seq, "bad ValuesReturnFilter") < 0 || enter(d, &seq, &items) < 0) {
		rc = -1;
	} else {
		while (rc == 0 && more(&items))
			rc = filter(d, &items);
		leave(d);
	}
	if (rc == 0 && more(&v))
		rc = bad(d, "unexpected data after the filter");
	leave(d);
	if (rc < 0)
		return -1;
	return add_text(d, ctl, LI_K_STR, "filter", li_buf_data(&d->text), li_buf_len(&d->text)) ? 0 : -1;
}

static void hex_node(li_decoder *d, li_node *parent, const char *key, const struct berval *bv)
{
	static const char digits[] = "0123456789abcdef";
	li_buf hex = { 0 };
	size_t i;

	for (i = 0; i < bv->bv_len; i++) {
		char two[2] = { digits[(unsigned char)bv->bv_val[i] >> 4], digits[bv->bv_val[i] & 0xf] };

		li_buf_add(&hex, two, 2);
	}
	add_text(d, parent, LI_K_WORD, key, hex.data ? hex.data : "", hex.len);
	free(hex.data);
}

/* The result of a SortResponse or VLV response: code and name. */
static int ctl_result(li_decoder *d, cur *c, li_node *ctl, const char *what)
{
	ber_int_t v;

	if (scalar(d, c, LBER_ENUMERATED, &v, what) < 0)
		return -1;
	add_int(d, ctl, LI_K_INT, "code", v);
	add_word(d, ctl, "name", result_word(v));
	return 0;
}

/* SortResponse (RFC 2891): sortResult, attributeType [0] OPTIONAL.
 * VLV response (draft-ietf-ldapext-ldapv3-vlv-09): targetPosition,
 * contentCount, virtualListViewResult, contextID OPTIONAL.
 * PagedResults (RFC 2696), request and response alike: size, cookie. */
static int result_control(li_decoder *d, const struct berval *oid, const struct berval *value, li_node *ctl)
{
	struct berval seq, bv;
	ber_int_t v;
	cur outer, c;
	int rc;

	if (enter(d, value, &outer) < 0)
		return -1;
	if (expect(d, &outer, LBER_SEQUENCE, &seq, "bad control value") < 0 || enter(d, &seq, &c) < 0) {
		leave(d);
		return -1;
	}
	if (is_oid(oid, LDAP_CONTROL_SORTRESPONSE)) {
		rc = ctl_result(d, &c, ctl, "bad sortResult");
		if (rc == 0 && peek(&c) == (LBER_CLASS_CONTEXT | 0) /* attributeType [0] */ && next(&c, &bv) != LBER_DEFAULT)
			add_bv(d, ctl, LI_K_WORD, "attr", &bv);
	} else if (is_oid(oid, LDAP_CONTROL_VLVRESPONSE)) {
		rc = scalar(d, &c, LBER_INTEGER, &v, "bad targetPosition");
		if (rc == 0)
			add_int(d, ctl, LI_K_INT, "targetPosition", v);
		if (rc == 0 && (rc = scalar(d, &c, LBER_INTEGER, &v, "bad contentCount")) == 0)
			add_int(d, ctl, LI_K_INT, "contentCount", v);
		if (rc == 0)
			rc = ctl_result(d, &c, ctl, "bad virtualListViewResult");
		if (rc == 0 && peek(&c) == LBER_OCTETSTRING && next(&c, &bv) != LBER_DEFAULT)
			hex_node(d, ctl, "contextID", &bv);
	} else {
		rc = scalar(d, &c, LBER_INTEGER, &v, "bad paged results size");
		if (rc == 0)
			add_int(d, ctl, LI_K_INT, "size", v);
		if (rc == 0 && (rc = expect(d, &c, LBER_OCTETSTRING, &bv, "bad paged results cookie")) == 0)
			hex_node(d, ctl, "cookie", &bv);
	}
	if (rc == 0 && more(&c))
		rc = bad(d, "unexpected data in the control value");
	leave(d);
	leave(d);
	return rc;
}

static int control(li_decoder *d, cur *c, li_node *list)
{
	struct berval seq, oid, value = { 0, NULL };
	li_node *ctl = node(d, list, LI_K_OBJ, NULL);
	ber_int_t crit = 0;
	cur one;
	int rc = 0, has_value = 0;

	if (ctl == NULL || expect(d, c, LBER_SEQUENCE, &seq, "bad control") < 0 || enter(d, &seq, &one) < 0)
		return -1;
	if (expect(d, &one, LBER_OCTETSTRING, &oid, "bad control type") < 0)
		rc = -1;
	if (rc == 0 && peek(&one) == LBER_BOOLEAN)
		rc = scalar(d, &one, LBER_BOOLEAN, &crit, "bad criticality");
	if (rc == 0 && peek(&one) == LBER_OCTETSTRING)
		has_value = next(&one, &value) != LBER_DEFAULT;
	if (rc == 0 && more(&one))
		rc = bad(d, "bad control");
	leave(d);
	if (rc < 0)
		return -1;
	oid_node(d, ctl, &oid);
	add_int(d, ctl, LI_K_BOOL, "critical", crit != 0);
	if (!has_value)
		return 0;
	if (is_oid(&oid, LDAP_CONTROL_SYNC) || is_oid(&oid, LDAP_CONTROL_SYNC_STATE) ||
	    is_oid(&oid, LDAP_CONTROL_SYNC_DONE))
		return sync_control(d, &oid, &value, ctl);
	if (is_oid(&oid, LDAP_CONTROL_SORTRESPONSE) || is_oid(&oid, LDAP_CONTROL_VLVRESPONSE) ||
	    is_oid(&oid, LDAP_CONTROL_PAGEDRESULTS))
		return result_control(d, &oid, &value, ctl);
	if (is_oid(&oid, LDAP_CONTROL_ASSERT))
		return filter_control(d, &value, ctl, 0);
	if (is_oid(&oid, LDAP_CONTROL_VALUESRETURNFILTER))
		return filter_control(d, &value, ctl, 1);
	if (is_oid(&oid, LDAP_CONTROL_PRE_READ) || is_oid(&oid, LDAP_CONTROL_POST_READ)) {
		/* A response carries an entry (with its secrets); a request, a list. */
		cur v;
		struct berval entry;

		if (enter(d, &value, &v) < 0)
			return -1;
		if (peek(&v) != LDAP_RES_SEARCH_ENTRY) {
			/* a request: the attribute selection */
			rc = string_seq(d, &v, LBER_SEQUENCE, ctl, "attrs", LI_K_WORD, "bad attribute selection");
		} else if (next(&v, &entry) != LBER_DEFAULT) {
			cur e;

			if (enter(d, &entry, &e) == 0) {
				rc = string(d, &e, ctl, LI_K_STR, "dn", "bad entry DN");
				if (rc == 0)
					rc = attributes(d, &e, ctl, "attrs");
				leave(d);
			}
		}
		leave(d);
		return rc;
	}
	add_int(d, ctl, LI_K_INT, "value_bytes", (long long)value.bv_len);
	return 0;
}

static int controls(li_decoder *d, const struct berval *content, li_node *root)
{
	li_node *list = node(d, root, LI_K_LIST, "controls");
	cur c;
	int rc = 0;

	if (list == NULL || enter(d, content, &c) < 0)
		return -1;
	while (rc == 0 && more(&c))
		rc = control(d, &c, list);
	leave(d);
	return rc;
}

/* ---- protocol operations ---- */

static const char *const modops[] = { "add", "delete", "replace", "increment" };

static int bind_request(li_decoder *d, cur *c, li_node *root)
{
	struct berval bv, sasl;
	ber_int_t version;
	ber_tag_t tag;
	cur s;
	int rc = 0;

	if (scalar(d, c, LBER_INTEGER, &version, "bad version") < 0)
		return -1;
	add_int(d, root, LI_K_INT, "version", version);
	if (string(d, c, root, LI_K_STR, "dn", "bad bind name") < 0)
		return -1;
	tag = next(c, &bv);
	if (tag == LDAP_AUTH_SIMPLE) {
		add_secret(d, root, "simple", &bv);
		return 0;
	}
	if (tag != LDAP_AUTH_SASL)
		return bad(d, "unknown authentication choice");
	if (enter(d, &bv, &s) < 0)
		return -1;
	if (string(d, &s, root, LI_K_WORD, "sasl", "bad SASL mechanism") < 0)
		rc = -1;
	else if (more(&s) && expect(d, &s, LBER_OCTETSTRING, &sasl, "bad SASL credentials") == 0)
		add_secret(d, root, "credentials", &sasl);
	leave(d);
	return rc;
}

static int search_request(li_decoder *d, cur *c, li_node *root)
{
	ber_int_t scope, deref, size, time, types;
	int rc;

	if (string(d, c, root, LI_K_STR, "base", "bad search base") < 0 ||
	    scalar(d, c, LBER_ENUMERATED, &scope, "bad scope") < 0 ||
	    scalar(d, c, LBER_ENUMERATED, &deref, "bad derefAliases") < 0 ||
	    scalar(d, c, LBER_INTEGER, &size, "bad sizeLimit") < 0 ||
	    scalar(d, c, LBER_INTEGER, &time, "bad timeLimit") < 0 ||
	    scalar(d, c, LBER_BOOLEAN, &types, "bad typesOnly") < 0)
		return -1;
	add_word(d, root, "scope", li_scope_name(scope) ? li_scope_name(scope) : "?");
	add_word(d, root, "deref", li_deref_name(deref) ? li_deref_name(deref) : "?");
	add_int(d, root, LI_K_INT, "sizelimit", size);
	add_int(d, root, LI_K_INT, "timelimit", time);
	add_int(d, root, LI_K_BOOL, "typesonly", types != 0);
	li_buf_reset(&d->text);
	rc = filter(d, c);
	if (rc < 0)
		return -1;
	add_text(d, root, LI_K_STR, "filter", li_buf_data(&d->text), li_buf_len(&d->text));
	return string_seq(d, c, LBER_SEQUENCE, root, "attrs", LI_K_WORD, "bad attribute selection");
}

static int modify_request(li_decoder *d, cur *c, li_node *root)
{
	struct berval seq, change, type;
	li_node *list = NULL;
	ber_int_t op;
	cur changes, one, mod;
	int rc = 0;

	if (string(d, c, root, LI_K_STR, "dn", "bad DN") < 0 ||
	    expect(d, c, LBER_SEQUENCE, &seq, "bad changes") < 0 || enter(d, &seq, &changes) < 0)
		return -1;
	list = node(d, root, LI_K_LIST, "changes");
	while (rc == 0 && list && more(&changes)) {
		li_node *ch = node(d, list, LI_K_OBJ, NULL), *vals;

		rc = -1;
		if (ch == NULL || expect(d, &changes, LBER_SEQUENCE, &change, "bad change") < 0 ||
		    enter(d, &change, &one) < 0)
			break;
		if (scalar(d, &one, LBER_ENUMERATED, &op, "bad modification type") == 0 &&
		    expect(d, &one, LBER_SEQUENCE, &seq, "bad modification") == 0 && enter(d, &seq, &mod) == 0) {
			add_word(d, ch, "op", op >= 0 && op <= 3 ? modops[op] : "?");
			if (expect(d, &mod, LBER_OCTETSTRING, &type, "bad attribute type") == 0) {
				add_bv(d, ch, LI_K_WORD, "attr", &type);
				vals = node(d, ch, LI_K_LIST, "values");
				rc = vals ? value_set(d, &mod, &type, vals) : -1;
			}
			leave(d);
		}
		leave(d);
	}
	leave(d);
	return rc;
}

static int compare_request(li_decoder *d, cur *c, li_node *root)
{
	struct berval ava, attr, value;
	cur a;
	int rc = -1;

	if (string(d, c, root, LI_K_STR, "dn", "bad DN") < 0 ||
	    expect(d, c, LBER_SEQUENCE, &ava, "bad assertion") < 0 || enter(d, &ava, &a) < 0)
		return -1;
	if (expect(d, &a, LBER_OCTETSTRING, &attr, "bad attribute") == 0 &&
	    expect(d, &a, LBER_OCTETSTRING, &value, "bad value") == 0) {
		add_bv(d, root, LI_K_WORD, "attr", &attr);
		if (li_is_secret_attr(attr.bv_val, attr.bv_len))
			add_secret(d, root, "value", &value);
		else
			add_bv(d, root, LI_K_STR, "value", &value);
		rc = 0;
	}
	leave(d);
	return rc;
}

static int modifydn_request(li_decoder *d, cur *c, li_node *root)
{
	ber_int_t del;
	struct berval bv;

	if (string(d, c, root, LI_K_STR, "dn", "bad DN") < 0 ||
	    string(d, c, root, LI_K_STR, "newrdn", "bad newrdn") < 0 ||
	    scalar(d, c, LBER_BOOLEAN, &del, "bad deleteoldrdn") < 0)
		return -1;
	add_int(d, root, LI_K_BOOL, "deleteoldrdn", del != 0);
	if (peek(c) == LDAP_TAG_NEWSUPERIOR && next(c, &bv) != LBER_DEFAULT)
		add_bv(d, root, LI_K_STR, "newsuperior", &bv);
	return 0;
}

/* Password Modify (RFC 3062): the passwords are secrets. */
static int passwd_value(li_decoder *d, const struct berval *value, li_node *root, int response)
{
	struct berval seq, bv;
	ber_tag_t tag;
	cur outer, c;
	int rc = 0;

	if (enter(d, value, &outer) < 0)
		return -1;
	if (next(&outer, &seq) != LBER_SEQUENCE || enter(d, &seq, &c) < 0) {
		leave(d);
		add_secret(d, root, "value", value); /* undecodable: hide it whole */
		return 0;
	}
	while (rc == 0 && more(&c)) {
		tag = next(&c, &bv);
		if (!response && tag == LDAP_TAG_EXOP_MODIFY_PASSWD_ID)
			add_bv(d, root, LI_K_STR, "user", &bv);
		else if (!response && tag == LDAP_TAG_EXOP_MODIFY_PASSWD_OLD)
			add_secret(d, root, "oldPasswd", &bv);
		else if (!response && tag == LDAP_TAG_EXOP_MODIFY_PASSWD_NEW)
			add_secret(d, root, "newPasswd", &bv);
		else if (response && tag == LDAP_TAG_EXOP_MODIFY_PASSWD_GEN)
			add_secret(d, root, "genPasswd", &bv);
		else
			rc = bad(d, "bad Password Modify value");
	}
	leave(d);
	leave(d);
	return rc;
}

static int extended_value(li_decoder *d, const struct berval *oid, const struct berval *value, li_node *root,
			  int response)
{
	if (oid && is_oid(oid, LI_OID_CANCEL) && !response) {
		struct berval seq;
		ber_int_t id;
		cur outer, c;
		int rc = -1;

		if (enter(d, value, &outer) < 0)
			return -1;
		if (expect(d, &outer, LBER_SEQUENCE, &seq, "bad Cancel value") == 0 && enter(d, &seq, &c) == 0) {
			if (scalar(d, &c, LBER_INTEGER, &id, "bad cancelID") == 0) {
				add_int(d, root, LI_K_INT, "cancelID", id);
				rc = 0;
			}
			leave(d);
		}
		leave(d);
		return rc;
	}
	if (oid && is_oid(oid, LI_OID_PASSWD_MODIFY))
		return passwd_value(d, value, root, response);
	if (oid && is_oid(oid, LDAP_SYNC_INFO))
		return sync_info(d, value, root);
	if (response && oid && is_oid(oid, LDAP_EXOP_WHO_AM_I)) {
		add_bv(d, root, LI_K_STR, "authzid", value); /* RFC 4532 */
		return 0;
	}
	add_int(d, root, LI_K_INT, "value_bytes", (long long)value->bv_len);
	return 0;
}

static void remember(li_decoder *d, const struct berval *oid)
{
	int i = d->next_pending, k;

	for (k = 0; k < PENDING; k++) /* a message ID names one request */
		if (d->pending[k].msgid == d->msgid)
			d->pending[k].oid[0] = '\0';
	if (oid->bv_len >= sizeof(d->pending[i].oid))
		return;
	d->pending[i].msgid = d->msgid;
	memcpy(d->pending[i].oid, oid->bv_val, oid->bv_len);
	d->pending[i].oid[oid->bv_len] = '\0';
	d->next_pending = (i + 1) % PENDING;
}

/* The OID this message ID's request asked for, if we saw it; the final
 * response ends the request, so it is forgotten. buf holds the copy. */
static int recall(li_decoder *d, struct berval *oid, char *buf, size_t size)
{
	int i;

	for (i = 0; i < PENDING; i++)
		if (d->pending[i].oid[0] && d->pending[i].msgid == d->msgid) {
			snprintf(buf, size, "%s", d->pending[i].oid);
			d->pending[i].oid[0] = '\0';
			oid->bv_val = buf;
			oid->bv_len = strlen(buf);
			return 1;
		}
	return 0;
}

static int extended(li_decoder *d, cur *c, li_node *root, ber_tag_t tag)
{
	char asked[sizeof(d->pending[0].oid)];
	struct berval oid = { 0, NULL }, value;
	int has_oid = 0, rc;
	ber_tag_t name_tag = tag == LDAP_REQ_EXTENDED ? LDAP_TAG_EXOP_REQ_OID
			     : tag == LDAP_RES_EXTENDED ? LDAP_TAG_EXOP_RES_OID : LDAP_TAG_IM_RES_OID;
	ber_tag_t value_tag = tag == LDAP_REQ_EXTENDED ? LDAP_TAG_EXOP_REQ_VALUE
			      : tag == LDAP_RES_EXTENDED ? LDAP_TAG_EXOP_RES_VALUE : LDAP_TAG_IM_RES_VALUE;

	if (tag == LDAP_RES_EXTENDED && result(d, c, root) < 0)
		return -1;
	if (peek(c) == name_tag) {
		next(c, &oid);
		has_oid = 1;
		oid_node(d, root, &oid);
		if (tag == LDAP_REQ_EXTENDED)
			remember(d, &oid);
	} else if (tag == LDAP_REQ_EXTENDED) {
		return bad(d, "ExtendedRequest without requestName");
	} else if (tag == LDAP_RES_EXTENDED) {
		has_oid = recall(d, &oid, asked, sizeof(asked));
	}
	if (peek(c) != value_tag) {
		if (tag == LDAP_REQ_EXTENDED && is_oid(&oid, LI_OID_CANCEL))
			return bad(d, "Cancel without a cancelID");
		return more(c) ? bad(d, "bad extended message") : 0;
	}
	next(c, &value);
	rc = extended_value(d, has_oid ? &oid : NULL, &value, root, tag != LDAP_REQ_EXTENDED);
	return rc < 0 ? -1 : more(c) ? bad(d, "bad extended message") : 0;
}

static int search_entry(li_decoder *d, cur *c, li_node *root)
{
	if (string(d, c, root, LI_K_STR, "dn", "bad entry DN") < 0)
		return -1;
	return attributes(d, c, root, "attrs");
}

/* whole: the protocolOp element itself, for the primitive AbandonRequest. */
static int operation(li_decoder *d, ber_tag_t tag, const struct berval *content, const struct berval *whole,
		     li_node *root)
{
	ber_int_t id;
	cur c;
	int rc;

	/* The primitive choices hold their value directly. */
	switch (tag) {
	case LDAP_REQ_UNBIND:
		return content->bv_len ? bad(d, "UnbindRequest with contents") : 0;
	case LDAP_REQ_DELETE:
		add_bv(d, root, LI_K_STR, "dn", content);
		return 0;
	case LDAP_REQ_ABANDON:
		ber_init2(d->tmp, (struct berval *)whole, LBER_USE_DER);
		if (ber_get_int(d->tmp, &id) == LBER_ERROR || id < 0)
			return bad(d, "bad AbandonRequest");
		add_int(d, root, LI_K_INT, "id", id);
		return 0;
	default:
		break;
	}
	if (enter(d, content, &c) < 0)
		return -1;
	switch (tag) {
	case LDAP_REQ_BIND: rc = bind_request(d, &c, root); break;
	case LDAP_REQ_SEARCH: rc = search_request(d, &c, root); break;
	case LDAP_REQ_MODIFY: rc = modify_request(d, &c, root); break;
	case LDAP_REQ_ADD:
		rc = string(d, &c, root, LI_K_STR, "dn", "bad DN");
		if (rc == 0)
			rc = attributes(d, &c, root, "attrs");
		break;
	case LDAP_REQ_MODDN: rc = modifydn_request(d, &c, root); break;
	case LDAP_REQ_COMPARE: rc = compare_request(d, &c, root); break;
	case LDAP_REQ_EXTENDED:
	case LDAP_RES_EXTENDED:
	case LDAP_RES_INTERMEDIATE: rc = extended(d, &c, root, tag); break;
	case LDAP_RES_SEARCH_ENTRY: rc = search_entry(d, &c, root); break;
	case LDAP_RES_SEARCH_REFERENCE: rc = strings(d, &c, root, "uris", LI_K_STR, "bad reference URI"); break;
	case LDAP_RES_BIND:
		rc = result(d, &c, root);
		if (rc == 0 && peek(&c) == LDAP_TAG_SASL_RES_CREDS) {
			struct berval creds;

			next(&c, &creds);
			add_secret(d, root, "serverSaslCreds", &creds);
		}
		break;
	default: /* the other responses are an LDAPResult */
		rc = result(d, &c, root);
		break;
	}
	if (rc == 0 && more(&c))
		rc = bad(d, "unexpected data at the end of the protocolOp");
	leave(d);
	return rc;
}

int li_decode(li_decoder *d, const unsigned char *p, size_t n, li_decoded *out)
{
	li_envelope env;
	int rc;

	memset(out, 0, sizeof(*out));
	li_arena_reset(&d->arena);
	d->depth = 0;
	d->base = (const char *)p;
	d->out = out;
	out->root = node(d, NULL, LI_K_OBJ, NULL);
	if (out->root == NULL)
		return -1;
	if (li_envelope_read(d->tmp, p, n, &env) < 0)
		return bad(d, env.error);
	d->msgid = env.msgid;
	rc = operation(d, env.tag, &env.content, &env.op, out->root);
	if (rc == 0 && env.has_controls)
		rc = controls(d, &env.controls, out->root);
	if (rc == 0 && env.trailing)
		rc = bad(d, "unexpected data after the controls");
	return out->error ? -1 : rc;
}

/* ---- the public view of the tree ---- */

const char *li_field_key(const li_field *f)
{
	return f ? f->key : NULL;
}

li_field_type li_field_kind(const li_field *f)
{
	return f ? (li_field_type)f->kind : LI_FIELD_OBJECT;
}

const li_field *li_field_first(const li_field *f)
{
	return f ? f->first : NULL;
}

const li_field *li_field_next(const li_field *f)
{
	return f ? f->next : NULL;
}

const li_field *li_field_find(const li_field *f, const char *key)
{
	const li_field *c;

	for (c = li_field_first(f); c; c = c->next)
		if (c->key && strcmp(c->key, key) == 0)
			return c;
	return NULL;
}

long long li_field_int(const li_field *f)
{
	if (f == NULL || (f->kind != LI_K_INT && f->kind != LI_K_BOOL && f->kind != LI_K_SECRET))
		return 0;
	return f->i;
}

const unsigned char *li_field_bytes(const li_field *f, size_t *len)
{
	if (f == NULL || (f->kind != LI_K_STR && f->kind != LI_K_WORD)) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (len)
		*len = f->n;
	return (const unsigned char *)f->s;
}
