/* SPDX-License-Identifier: BSD-2-Clause */
/* LDIF as ldapsearch(1) writes it with -L, -LL and -LLL, from the
 * operation's entries and references as they crossed the wire: after an
 * abandon libldap delivers none, the tap sees them all. Every line is
 * written by libldap's own LDIF writer (ldif_sput_wrap) straight into the
 * caller's buffer, with no allocation per value; the message is read in
 * place with liblber, never copied. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lber.h>
#include <ldap.h>
#include <ldif.h>

#include "buf.h"
#include "pdu.h"
#include "redact.h"
#include "wire.h"

#define LDIF_DEPTH 3
#define OID_SYNC_INFO "1.3.6.1.4.1.4203.1.9.1.4"
#define OID_PAGED "1.2.840.113556.1.4.319"

struct li_ldif {
	int level;            /* 1 -L, 2 -LL, 3 -LLL */
	size_t wrap;          /* ldif_sput_wrap's: 0 its default, LI_LDIF_NO_WRAP */
	int attrsonly;
	uint64_t responses, entries, refs, partials;
	int page_ended;       /* the last thing written ended a page */
	li_buf *text;         /* a comment's text, built before it is written */
	li_buf *head;         /* what li_ldif_begin wrote: again before each page */
	BerElement *ber[LDIF_DEPTH];
	char *name;           /* the attribute type (or DN) NUL-terminated */
	size_t name_cap;
};

li_ldif *li_ldif_new(int level, size_t wrap, int attrsonly)
{
	li_ldif *l;
	int i;

	/* libldap sizes a line by dividing by wrap - 1. */
	if (level < 1 || level > 3 || wrap == 1)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return NULL;
	l->level = level;
	l->wrap = wrap;
	l->attrsonly = attrsonly;
	l->text = li_buf_new();
	l->head = li_buf_new();
	if (l->text == NULL || l->head == NULL) {
		li_buf_free(l->text);
		li_buf_free(l->head);
		free(l);
		return NULL;
	}
	for (i = 0; i < LDIF_DEPTH; i++) {
		l->ber[i] = ber_alloc_t(0);
		if (l->ber[i] == NULL) {
			li_ldif_free(l);
			return NULL;
		}
	}
	return l;
}

void li_ldif_free(li_ldif *l)
{
	int i;

	if (l == NULL)
		return;
	for (i = 0; i < LDIF_DEPTH; i++)
		if (l->ber[i])
			ber_free(l->ber[i], 0);
	free(l->name);
	li_buf_free(l->text);
	li_buf_free(l->head);
	free(l);
}

/* One line (or folded lines) of LDIF, as ldapsearch's tool_write_ldif. */
static int put(const li_ldif *l, li_buf *out, int type, const char *name, const char *val, size_t vlen)
{
	size_t nlen = name ? strlen(name) : 0;
	char *p = li_buf_room(out, LDIF_SIZE_NEEDED_WRAP(nlen, vlen, l->wrap) + 1);

	if (p == NULL)
		return -1;
	ldif_sput_wrap(&p, type, name, val, vlen, l->wrap);
	li_buf_grew(out, p);
	return 0;
}

/* bv as a C string in l's own buffer (ldif_sput_wrap takes the name so). */
static const char *cstr(li_ldif *l, const struct berval *bv)
{
	if (bv->bv_len + 1 > l->name_cap) {
		size_t cap = bv->bv_len + 64;
		char *p = realloc(l->name, cap);

		if (p == NULL)
			return NULL;
		l->name = p;
		l->name_cap = cap;
	}
	memcpy(l->name, bv->bv_val, bv->bv_len);
	l->name[bv->bv_len] = '\0';
	return l->name;
}

static int more(BerElement *ber)
{
	ber_len_t left = 0;

	ber_get_option(ber, LBER_OPT_REMAINING_BYTES, &left);
	return left > 0;
}

static int enter(BerElement *ber, struct berval *content)
{
	ber_init2(ber, content, LBER_USE_DER);
	return 0;
}

/* ldapsearch prints a blank line before every response but the first. */
static void separate(li_ldif *l, li_buf *out)
{
	if (l->responses++)
		li_buf_addc(out, '\n');
	l->page_ended = 0;
}

/* ldapsearch would print the value (base64); the tools never print a
 * secret, so the line says what was there, as a comment. */
static void redacted(li_buf *out, const char *name, size_t len)
{
	li_buf_addf(out, "# %s: ", name);
	li_buf_add_redacted(out, len);
	li_buf_addc(out, '\n');
}

static int values(li_ldif *l, const char *name, struct berval *vals, li_buf *out)
{
	BerElement *ber = l->ber[2];
	struct berval v;
	int secret = li_is_secret_attr(name, strlen(name));

	enter(ber, vals);
	while (more(ber)) {
		if (ber_skip_element(ber, &v) != LBER_OCTETSTRING)
			return -1;
		if (secret)
			redacted(out, name, v.bv_len);
		else if (put(l, out, LDIF_PUT_VALUE, name, v.bv_val, v.bv_len) < 0)
			return -1;
	}
	return 0;
}

static int ufn_comment(li_ldif *l, const struct berval *dn, li_buf *out)
{
	const char *s = cstr(l, dn);
	char *ufn;
	int rc;

	if (s == NULL)
		return -1;
	ufn = ldap_dn2ufn(s);
	rc = put(l, out, LDIF_PUT_COMMENT, NULL, ufn, ufn ? strlen(ufn) : 0);
	ldap_memfree(ufn);
	return rc;
}

/* SearchResultEntry ::= SEQUENCE { objectName LDAPDN, attributes
 * SEQUENCE OF SEQUENCE { type, vals SET OF value } } (RFC 4511 4.5.2). */
static int entry(li_ldif *l, struct berval *content, li_buf *out)
{
	BerElement *op = l->ber[0], *attr = l->ber[1];
	struct berval dn, attrs, pa, type, vals;
	const char *name;

	enter(op, content);
	if (ber_skip_element(op, &dn) != LBER_OCTETSTRING || ber_skip_element(op, &attrs) != LBER_SEQUENCE)
		return -1;
	separate(l, out);
	l->entries++;
	if (l->level < 2 && ufn_comment(l, &dn, out) < 0)
		return -1;
	if (put(l, out, LDIF_PUT_VALUE, "dn", dn.bv_val, dn.bv_len) < 0)
		return -1;
	enter(op, &attrs);
	while (more(op)) {
		if (ber_skip_element(op, &pa) != LBER_SEQUENCE)
			return -1;
		enter(attr, &pa);
		if (ber_skip_element(attr, &type) != LBER_OCTETSTRING || ber_skip_element(attr, &vals) != LBER_SET ||
		    (name = cstr(l, &type)) == NULL)
			return -1;
		if (l->attrsonly) {
			if (put(l, out, LDIF_PUT_NOVALUE, name, NULL, 0) < 0)
				return -1;
		} else if (values(l, name, &vals, out) < 0) {
			return -1;
		}
	}
	return 0;
}

/* SearchResultReference ::= SEQUENCE OF uri: ldapsearch writes each as a
 * comment under every -L level ("# ref" and the URI). */
static int reference(li_ldif *l, struct berval *content, li_buf *out)
{
	BerElement *ber = l->ber[0];
	struct berval uri;

	enter(ber, content);
	separate(l, out);
	l->refs++;
	if (l->level < 2)
		li_buf_adds(out, "# search reference\n");
	while (more(ber))
		if (ber_skip_element(ber, &uri) != LBER_OCTETSTRING ||
		    put(l, out, LDIF_PUT_COMMENT, "ref", uri.bv_val, uri.bv_len) < 0)
			return -1;
	return 0;
}

/* An IntermediateResponse is a response too (its separator); -L names it. */
static int intermediate(li_ldif *l, const li_pdu *p, li_buf *out)
{
	separate(l, out);
	l->partials++;
	if (l->level > 1)
		return 0;
	if (p->has_oid && p->oid.bv_len == strlen(OID_SYNC_INFO) &&
	    memcmp(p->oid.bv_val, OID_SYNC_INFO, p->oid.bv_len) == 0) {
		li_buf_adds(out, "# SyncInfo Received\n");
		return 0;
	}
	li_buf_adds(out, "# extended partial response\n");
	if (put(l, out, LDIF_PUT_COMMENT, "partial", p->has_oid ? p->oid.bv_val : NULL,
		p->has_oid ? p->oid.bv_len : 0) < 0)
		return -1;
	if (p->has_value && put(l, out, LDIF_PUT_COMMENT, "data", p->value.bv_val, p->value.bv_len) < 0)
		return -1;
	return 0;
}

/* The paged-results control among a result's controls (RFC 2696: the
 * value is SEQUENCE { size INTEGER, cookie OCTET STRING }): 1 and its
 * estimate and cookie, 0 when there is none, -1 when it does not decode. */
static int paged_control(li_ldif *l, struct berval *controls, ber_int_t *estimate, struct berval *cookie)
{
	BerElement *all = l->ber[0], *ctl = l->ber[1], *val = l->ber[2];
	struct berval c, oid, v, seq;
	ber_tag_t tag;

	enter(all, controls);
	while (more(all)) {
		if (ber_skip_element(all, &c) != LBER_SEQUENCE)
			return -1;
		enter(ctl, &c);
		if (ber_skip_element(ctl, &oid) != LBER_OCTETSTRING)
			return -1;
		if (oid.bv_len != strlen(OID_PAGED) || memcmp(oid.bv_val, OID_PAGED, oid.bv_len) != 0)
			continue;
		tag = ber_skip_element(ctl, &v);
		if (tag == LBER_BOOLEAN)
			tag = ber_skip_element(ctl, &v);
		if (tag != LBER_OCTETSTRING)
			return -1;
		enter(val, &v);
		if (ber_skip_element(val, &seq) != LBER_SEQUENCE)
			return -1;
		enter(val, &seq);
		if (ber_get_int(val, estimate) == LBER_ERROR || ber_skip_element(val, cookie) != LBER_OCTETSTRING)
			return -1;
		return 1;
	}
	return 0;
}

/* A page's SearchResultDone: ldapsearch writes the blank line before it
 * and its paged-results control as "# pagedresults: [estimate=N ]cookie=
 * <base64>", and starts the next page as a new search (no blank line
 * before its first entry). A result without that control is the
 * search's end: li_ldif_end. */
static int page_end(li_ldif *l, struct berval *controls, li_buf *out)
{
	li_buf *t = l->text;
	ber_int_t estimate = 0;
	struct berval cookie;
	size_t pre;
	char *p;
	int rc = paged_control(l, controls, &estimate, &cookie);

	if (rc <= 0)
		return rc;
	li_buf_reset(t);
	if (estimate > 0)
		li_buf_addf(t, "estimate=%d ", (int)estimate);
	li_buf_adds(t, "cookie=");
	pre = t->len;
	if (cookie.bv_len) {
		/* libldap's base64, as "x:: <base64>\n": keep the base64. */
		p = li_buf_room(t, LDIF_SIZE_NEEDED_WRAP(1, cookie.bv_len, LDIF_LINE_WIDTH_MAX) + 1);
		if (p == NULL)
			return -1;
		ldif_sput_wrap(&p, LDIF_PUT_BINARY, "x", cookie.bv_val, cookie.bv_len, LDIF_LINE_WIDTH_MAX);
		li_buf_grew(t, p - 1);
		memmove(t->data + pre, t->data + pre + 4, t->len - pre - 4);
		li_buf_grew(t, t->data + t->len - 4);
	}
	if (t->failed)
		return -1;
	separate(l, out);
	if (l->level < 2)
		li_buf_adds(out, "# search result\n");
	if (put(l, out, LDIF_PUT_COMMENT, "pagedresults: ", t->data, t->len) < 0)
		return -1;
	/* ldapsearch asks for the next page as a new search, opening lines
	 * and all. */
	if (cookie.bv_len)
		li_buf_add(out, li_buf_data(l->head), li_buf_len(l->head));
	l->responses = 0;
	l->page_ended = 1;
	return out->failed ? -1 : 0;
}

int li_ldif_event(li_ldif *l, const li_event *ev, li_buf *out)
{
	BerElement *ber = l->ber[0];
	size_t start = out->len;
	uint64_t responses = l->responses, entries = l->entries, refs = l->refs, partials = l->partials;
	int page_ended = l->page_ended;
	li_envelope env;
	int rc;

	if (ev->kind != LI_EVENT_MESSAGE || ev->dir != LI_DIR_RECV || !ev->decoded)
		return 0;
	switch (ev->pdu.tag) {
	case LDAP_RES_SEARCH_ENTRY:
	case LDAP_RES_SEARCH_REFERENCE:
		/* The framer leaves the spare byte liblber peeks at. */
		if (li_envelope_read(ber, ev->bytes, ev->len, &env) < 0)
			return -1;
		rc = ev->pdu.tag == LDAP_RES_SEARCH_ENTRY ? entry(l, &env.content, out)
							  : reference(l, &env.content, out);
		break;
	case LDAP_RES_INTERMEDIATE:
		rc = intermediate(l, &ev->pdu, out);
		break;
	case LDAP_RES_SEARCH_RESULT:
		if (li_envelope_read(ber, ev->bytes, ev->len, &env) < 0)
			return -1;
		rc = env.has_controls ? page_end(l, &env.controls, out) : 0;
		break;
	default:
		return 0;
	}
	if (rc < 0 || out->failed) {
		/* Nothing of a message that does not decode. */
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
		l->responses = responses;
		l->entries = entries;
		l->refs = refs;
		l->partials = partials;
		l->page_ended = page_ended;
		return -1;
	}
	return 0;
}

static const char *scope_word(int scope)
{
	switch (scope) {
	case LDAP_SCOPE_BASE: return "baseObject";
	case LDAP_SCOPE_ONELEVEL: return "oneLevel";
	case LDAP_SCOPE_SUBORDINATE: return "children";
	default: return "subtree";
	}
}

static int ldif_head(const li_ldif *l, const li_ldif_search *s, li_buf *out)
{
	size_t i;

	if (l->level > 2)
		return 0;
	li_buf_adds(out, "version: 1\n\n");
	if (l->level > 1)
		return out->failed ? -1 : 0;
	li_buf_addf(out, "#\n# LDAPv3\n# base <%s>%s with scope %s\n# filter: ", s->base ? s->base : "",
		    s->base_is_default ? " (default)" : "", scope_word(s->scope));
	/* As typed, but a userPassword assertion's value is a secret too. */
	li_filter_redacted(out, s->filter ? s->filter : "(objectclass=*)");
	li_buf_adds(out, "\n# requesting: ");
	if (s->attrs == NULL)
		li_buf_adds(out, "ALL");
	for (i = 0; s->attrs && s->attrs[i]; i++)
		li_buf_addf(out, "%s ", s->attrs[i]);
	li_buf_adds(out, "\n#\n\n");
	return out->failed ? -1 : 0;
}

int li_ldif_begin(li_ldif *l, const li_ldif_search *s, li_buf *out)
{
	size_t start = out->len;
	int rc = ldif_head(l, s, out);

	li_buf_reset(l->head);
	if (out->len > start)
		li_buf_add(l->head, out->data + start, out->len - start);
	return rc < 0 || l->head->failed ? -1 : 0;
}

int li_ldif_end(li_ldif *l, int result_seen, li_buf *out)
{
	uint64_t n;

	if (l->page_ended) {
		/* The last page's result is written already. */
	} else if (result_seen) {
		separate(l, out);
		if (l->level < 2)
			li_buf_adds(out, "# search result\n");
	} else if (l->responses) {
		/* Cut short: the blank line that ends the last record all the same. */
		li_buf_addc(out, '\n');
	}
	if (l->level < 2) {
		n = l->responses;
		li_buf_addf(out, "\n# numResponses: %llu\n", (unsigned long long)n);
		if (l->entries)
			li_buf_addf(out, "# numEntries: %llu\n", (unsigned long long)l->entries);
		if (l->partials)
			li_buf_addf(out, "# numPartial: %llu\n", (unsigned long long)l->partials);
		if (l->refs)
			li_buf_addf(out, "# numReferences: %llu\n", (unsigned long long)l->refs);
	}
	return out->failed ? -1 : 0;
}
