/* SPDX-License-Identifier: BSD-2-Clause */
/* -f: reading the LDIF file of --op add and --op modify, within its
 * limits, with the file's own line numbers in every complaint; the library
 * parses the record (li_params_set_add, li_params_set_modify). */
#include "ldiffile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldap.h>
#include <ldif.h>

#include "apply.h"

#define LI_LDIF_MAX (64u << 20)

/* A growable text, its allocation failure remembered. */
struct tbuf {
	char *data;
	size_t len, cap;
	int failed;
};

static void tbuf_add(struct tbuf *b, const void *p, size_t n)
{
	char *q;
	size_t cap;

	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 8192;
		while (cap < b->len + n + 1)
			cap *= 2;
		q = realloc(b->data, cap);
		if (q == NULL) {
			b->failed = 1;
			return;
		}
		b->data = q;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void tbuf_adds(struct tbuf *b, const char *s)
{
	tbuf_add(b, s, strlen(s));
}

static void tbuf_addc(struct tbuf *b, char c)
{
	tbuf_add(b, &c, 1);
}

static int read_bounded(FILE *fp, size_t limit, char **out, size_t *outlen)
{
	char *buf = NULL, *p;
	size_t len = 0, cap = 0, n;

	/* One byte past the limit tells "exactly the limit" from "more". */
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 8192;
			if (cap > limit + 1)
				cap = limit + 1;
			p = realloc(buf, cap + 1);
			if (p == NULL) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
	} while (n > 0 && len <= limit);
	if (ferror(fp)) {
		free(buf);
		return -EIO;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

static unsigned long line_of(const char *text, size_t off)
{
	unsigned long line = 1;
	const char *p = text, *end = text + off;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		line++;
		p++;
	}
	return line;
}

static int slurp(const char *path, char **out, size_t *outlen, li_error *err)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	const char *nul;
	int rc;

	if (fp == NULL)
		return li_usage_error(err, "-f", "cannot open '%s': %s", path, strerror(errno));
	rc = read_bounded(fp, LI_LDIF_MAX, out, outlen);
	if (fp != stdin)
		fclose(fp);
	if (rc == -ENOMEM)
		return li_ldap_error(err, "-f", LDAP_NO_MEMORY, NULL, NULL);
	if (rc < 0)
		return li_usage_error(err, "-f", "cannot read '%s'", path);
	if (*outlen > LI_LDIF_MAX)
		rc = li_usage_error(err, "-f", "'%s' is larger than 64 MiB", path);
	/* libldap's reader stops at a NUL: the rest would vanish unseen. */
	else if ((nul = memchr(*out, '\0', *outlen)) != NULL)
		rc = li_usage_error(err, "-f", "'%s' line %lu: holds a NUL byte (give binary values as attr:: base64)",
				    path, line_of(*out, (size_t)(nul - *out)));
	if (rc < 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

/* A logical LDIF line: its physical lines joined (RFC 2849 folding). */
struct lline {
	const char *start, *end; /* the physical text, folds included */
	unsigned long lineno;    /* of its first physical line */
};

/* The unfolded text of l, without its line end. */
static char *unfold(const struct lline *l)
{
	char *out = malloc((size_t)(l->end - l->start) + 1), *o = out;
	const char *p;

	if (out == NULL)
		return NULL;
	for (p = l->start; p < l->end; p++) {
		if (*p == '\n' && p + 1 < l->end && p[1] == ' ') {
			p++;
			if (o > out && o[-1] == '\r')
				o--;
			continue;
		}
		*o++ = *p;
	}
	while (o > out && (o[-1] == '\n' || o[-1] == '\r'))
		o--;
	*o = '\0';
	return out;
}

static void add_base64(struct tbuf *b, const unsigned char *p, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char q[4];
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		q[0] = a[p[i] >> 2];
		q[1] = a[(p[i] & 3) << 4 | p[i + 1] >> 4];
		q[2] = a[(p[i + 1] & 15) << 2 | p[i + 2] >> 6];
		q[3] = a[p[i + 2] & 63];
		tbuf_add(b, q, 4);
	}
	if (i < n) {
		q[0] = a[p[i] >> 2];
		q[1] = a[(p[i] & 3) << 4 | (i + 1 < n ? p[i + 1] >> 4 : 0)];
		q[2] = i + 1 < n ? a[(p[i + 1] & 15) << 2] : '=';
		q[3] = '=';
		tbuf_add(b, q, 4);
	}
}

struct expand {
	const char *path;
	struct tbuf *out;
	size_t total; /* bytes of the file plus bytes read from URLs */
	li_error *err;
};

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "file:///p%20q" -> "/p q", as libldap's ldif_fetch_url reads it. */
static char *url_path(const char *url)
{
	char *path, *o;

	if (strncasecmp(url, "file://", 7) != 0)
		return NULL;
	path = o = strdup(url + 7);
	if (path == NULL)
		return NULL;
	for (url += 7; *url; url++) {
		if (*url == '%' && hexval(url[1]) >= 0 && hexval(url[2]) >= 0) {
			*o++ = (char)(hexval(url[1]) * 16 + hexval(url[2]));
			url += 2;
		} else {
			*o++ = *url;
		}
	}
	*o = '\0';
	return path;
}

/* "attr:< URL" becomes "attr:: base64", read here within what is left of
 * the limit: libldap would read the URL whole, however large (or endless,
 * as /dev/zero) it is. The folds stay as empty continuation lines, so
 * line numbers keep meaning the file's lines. */
static int expand_url(struct expand *x, const struct lline *l, const char *text, const char *lt)
{
	const char *url = lt + 2;
	char *path, *data = NULL;
	size_t len = 0, left = LI_LDIF_MAX - x->total, folds = 0;
	const char *p;
	FILE *fp;
	int rc;

	while (*url == ' ')
		url++;
	path = url_path(url);
	if (path == NULL)
		return li_usage_error(x->err, "-f", "'%s' line %lu: '%s' is not a file:// URL", x->path, l->lineno,
				      url);
	fp = fopen(path, "r");
	if (fp == NULL) {
		rc = li_usage_error(x->err, "-f", "'%s' line %lu: cannot open '%s': %s", x->path, l->lineno, url,
				    strerror(errno));
		free(path);
		return rc;
	}
	free(path);
	rc = read_bounded(fp, left, &data, &len);
	fclose(fp);
	if (rc == -ENOMEM)
		return li_ldap_error(x->err, "-f", LDAP_NO_MEMORY, NULL, NULL);
	if (rc < 0)
		return li_usage_error(x->err, "-f", "'%s' line %lu: cannot read '%s'", x->path, l->lineno, url);
	if (len > left) {
		free(data);
		return li_usage_error(x->err, "-f", "'%s' line %lu: the value of '%s' takes the record past 64 MiB",
				      x->path, l->lineno, url);
	}
	x->total += len;
	tbuf_add(x->out, text, (size_t)(lt - text));
	tbuf_adds(x->out, ":: ");
	add_base64(x->out, (const unsigned char *)data, len);
	free(data);
	for (p = l->start; p < l->end; p++)
		folds += *p == '\n' && p + 1 < l->end;
	while (folds-- > 0)
		tbuf_adds(x->out, "\n ");
	tbuf_addc(x->out, '\n');
	return 0;
}
static int check_line(struct expand *x, const struct lline *l, int *record_start)
{
	char *t = unfold(l), *colon;
	struct berval type, val;
	int freeval = 0, rc = 0;

	if (t == NULL)
		return li_ldap_error(x->err, "-f", LDAP_NO_MEMORY, NULL, NULL);
	if (t[0] == '\0' || t[0] == '#' || strcmp(t, "-") == 0) {
		*record_start |= t[0] == '\0';
		tbuf_add(x->out, l->start, (size_t)(l->end - l->start));
		goto out;
	}
	/* libldap would open these itself, unbounded. */
	if (*record_start && strncasecmp(t, "include:", 8) == 0) {
		rc = li_usage_error(x->err, "-f", "'%s' line %lu: include: is not supported; put the record in "
				    "the file", x->path, l->lineno);
		goto out;
	}
	*record_start = 0;
	if (strncasecmp(t, "control:", 8) == 0) {
		rc = li_usage_error(x->err, "-f", "'%s' line %lu: control: lines are not supported; give controls "
				    "with -e", x->path, l->lineno);
		goto out;
	}
	colon = strchr(t, ':');
	if (colon != NULL && colon[1] == '<') {
		rc = expand_url(x, l, t, colon);
		goto out;
	}
	/* libldap names a bad line by its place among the record's unfolded,
	 * uncommented lines; the file's own line number is what helps. */
	if ((colon != NULL && colon[1] == ':' && !li_is_base64(colon + 2)) ||
	    ldif_parse_line2(t, &type, &val, &freeval) < 0) {
		rc = li_usage_error(x->err, "-f", "'%s' line %lu: not an LDIF line (attr: value, attr:: base64 "
				    "or attr:< URL)", x->path, l->lineno);
		goto out;
	}
	if (freeval)
		ber_memfree(val.bv_val);
	tbuf_add(x->out, l->start, (size_t)(l->end - l->start));
out:
	free(t);
	return rc;
}

/* Checks every line against the file's own line numbers and reads the
 * :< values into the text, all within the 64 MiB limit. */
static int expand(const char *path, char **text, size_t len, li_error *err)
{
	struct expand x = { .path = path, .total = len, .err = err };
	struct lline l;
	const char *p = *text;
	unsigned long lineno = 1;
	int record_start = 1, rc = 0;

	x.out = calloc(1, sizeof(*x.out));
	if (x.out == NULL)
		return li_ldap_error(err, "-f", LDAP_NO_MEMORY, NULL, NULL);
	while (rc == 0 && *p) {
		l.start = p;
		l.lineno = lineno;
		p = l.end = li_ldif_line_end(p, &lineno);
		rc = check_line(&x, &l, &record_start);
	}
	if (rc == 0 && x.out->failed)
		rc = li_ldap_error(err, "-f", LDAP_NO_MEMORY, NULL, NULL);
	if (rc == 0) {
		tbuf_addc(x.out, '\0');
		free(*text);
		*text = x.out->data;
		x.out->data = NULL;
	}
	free(x.out->data);
	free(x.out);
	return rc;
}

int cmd_ldif_read(const char *path, char **text, li_error *err)
{
	size_t len;

	*text = NULL;
	if (slurp(path, text, &len, err) < 0)
		return -1;
	if (expand(path, text, len, err) < 0) {
		free(*text);
		*text = NULL;
		return -1;
	}
	return 0;
}
