/* SPDX-License-Identifier: BSD-2-Clause */
/* The servers of --each and --each-file: kept in the order given, each one
 * LDAP URI checked before the first server is contacted, so that a typo on
 * line 40 of a file stops the command before any probe runs. */
#include "servers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldap.h>

static int no_memory(li_error *err, const char *opt)
{
	return li_ldap_error(err, opt, LDAP_NO_MEMORY, NULL, NULL);
}

int servers_add(cmdline *cl, char **uri, li_error *err)
{
	if (cl->neach == cl->each_cap) {
		size_t cap = cl->each_cap ? cl->each_cap * 2 : 8;
		char **p = realloc(cl->each, cap * sizeof(*p));

		if (p == NULL)
			return no_memory(err, "--each");
		cl->each = p;
		cl->each_cap = cap;
	}
	cl->each[cl->neach++] = *uri;
	*uri = NULL;
	return 0;
}

void servers_free(cmdline *cl)
{
	size_t i;

	for (i = 0; i < cl->neach; i++)
		free(cl->each[i]);
	free(cl->each);
	free(cl->each_file);
}

/* One server: one URI the library takes (-H's list of failover URIs
 * belongs to -H). where: "--each" or "FILE:LINE", for the message. */
static int check_uri(cmdline *cl, const char *uri, const char *opt, const char *where, li_error *err)
{
	if (uri[strcspn(uri, ", \t")] != '\0')
		return li_usage_error(err, opt, "%s'%s' is not one URI (one server per %s; a failover list is -H's)",
				      where, uri, strcmp(opt, "--each") == 0 ? "--each" : "line");
	if (li_params_set_uri(cl->params, uri, err) < 0) {
		char text[sizeof(err->text)];

		snprintf(text, sizeof(text), "%s", err->text);
		return li_usage_error(err, opt, "%s%s", where, text);
	}
	return 0;
}

/* The line without its line ending and surrounding blanks; NULL for a
 * blank line or a comment. */
static char *trim(char *line)
{
	char *end;

	line += strspn(line, " \t");
	end = line + strlen(line);
	while (end > line && strchr(" \t\r\n", end[-1]))
		*--end = '\0';
	return *line == '\0' || *line == '#' ? NULL : line;
}

static int read_lines(cmdline *cl, FILE *f, const char *name, li_error *err)
{
	char *line = NULL, *uri, where[300];
	size_t cap = 0;
	long n = 0;
	int rc = 0;

	errno = 0;
	while (rc == 0 && getline(&line, &cap, f) >= 0) {
		n++;
		if ((uri = trim(line)) == NULL)
			continue;
		snprintf(where, sizeof(where), "%s:%ld: ", name, n);
		if (check_uri(cl, uri, "--each-file", where, err) < 0)
			rc = -1;
		else if ((uri = strdup(uri)) == NULL || servers_add(cl, &uri, err) < 0)
			rc = no_memory(err, "--each-file");
	}
	if (rc == 0 && ferror(f))
		rc = li_usage_error(err, "--each-file", "cannot read '%s': %s", name, strerror(errno));
	free(line);
	return rc;
}

static int read_file(cmdline *cl, li_error *err)
{
	const char *file = cl->each_file;
	int stdin_ = strcmp(file, "-") == 0;
	size_t before = cl->neach;
	FILE *f = stdin_ ? stdin : fopen(file, "re");
	int rc;

	if (f == NULL)
		return li_usage_error(err, "--each-file", "cannot read '%s': %s", file, strerror(errno));
	rc = read_lines(cl, f, stdin_ ? "standard input" : file, err);
	if (!stdin_)
		fclose(f);
	if (rc == 0 && cl->neach == before)
		return li_usage_error(err, "--each-file", "%s%s%s names no server", stdin_ ? "" : "'",
				      stdin_ ? "standard input" : file, stdin_ ? "" : "'");
	return rc;
}

int servers_finish(cmdline *cl, li_error *err)
{
	size_t i;

	if (cl->neach == 0 && cl->each_file == NULL) {
		if (cl->jobs)
			return li_usage_error(err, "--jobs", "runs several servers at once: give them with --each or "
					      "--each-file");
		return 0;
	}
	if (cl->uri)
		return li_usage_error(err, "-H", "names one server (several URIs are libldap's failover list): give "
				      "the servers with --each or --each-file instead");
	if (cl->dry_run || cl->ldif)
		return li_usage_error(err, "--each", "-n and -L describe one server: give -H instead");
	if (cl->sasl_flags == 'I')
		return li_usage_error(err, "--each", "-I would ask the SASL questions of several servers at once: "
				      "give the answers with -U, -R, -X and -w or -y");
	if (cl->each_file && strcmp(cl->each_file, "-") == 0 && cl->ldif_file && strcmp(cl->ldif_file, "-") == 0)
		return li_usage_error(err, "--each-file", "standard input cannot hold both the servers and -f's "
				      "LDIF record");
	for (i = 0; i < cl->neach; i++)
		if (check_uri(cl, cl->each[i], "--each", "", err) < 0)
			return -1;
	if (cl->each_file && read_file(cl, err) < 0)
		return -1;
	if (cl->jobs == 0)
		cl->jobs = SERVERS_JOBS_DEFAULT;
	/* Each server's URI is set again by the process that probes it. */
	return li_params_set_uri(cl->params, NULL, err);
}
