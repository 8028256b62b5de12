/* SPDX-License-Identifier: BSD-2-Clause */
/* The argv slots popt takes option values from, found by popt's own
 * grammar (popt 1.19 without aliases): "--" ends the options (so does the
 * first operand under POSIXLY_CORRECT); "--name=value" or "--name value";
 * short options cluster ("-xw pw", "-xwpw", "-w=pw"); a value is taken
 * whole from the next argument, whatever it starts with. Scanning stops
 * where popt would stop with an error. */
#include "argv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*value_fn)(void *arg, const struct poptOption *o, char **argv, int slot, size_t off);

static const struct poptOption *find_option(const struct poptOption *t, const char *name, size_t len,
					    char letter, int onedash)
{
	const struct poptOption *in;

	for (; t->longName || t->shortName || t->arg; t++) {
		unsigned type = t->argInfo & POPT_ARG_MASK;

		if (type == POPT_ARG_INCLUDE_TABLE) {
			if (t->arg && (in = find_option(t->arg, name, len, letter, onedash)) != NULL)
				return in;
			continue;
		}
		if (type == POPT_ARG_CALLBACK)
			continue;
		if (name && t->longName && (!onedash || (t->argInfo & POPT_ARGFLAG_ONEDASH)) &&
		    strlen(t->longName) == len && strncmp(t->longName, name, len) == 0)
			return t;
		if (letter && letter == t->shortName)
			return t;
	}
	return NULL;
}

static int takes_value(const struct poptOption *o)
{
	unsigned type = o->argInfo & POPT_ARG_MASK;

	return type != POPT_ARG_NONE && type != POPT_ARG_VAL;
}

/* The value of o given as the next argument, which popt takes whatever it
 * starts with; 0, or -1 where popt reports a missing argument. */
static int next_value(const struct poptOption *o, int argc, char **argv, int *next, value_fn fn, void *arg)
{
	if (*next == argc)
		return -1;
	if ((o->argInfo & POPT_ARGFLAG_OPTIONAL) && argv[*next][0] == '-')
		return 0;
	fn(arg, o, argv, *next, 0);
	(*next)++;
	return 0;
}

/* A cluster of short options, argv[slot] from off; -1 where popt stops. */
static int short_options(const struct poptOption *table, int argc, char **argv, int slot, int *next, value_fn fn,
			 void *arg)
{
	const char *s = argv[slot];
	size_t off = 1;

	while (s[off]) {
		const struct poptOption *o = find_option(table, NULL, 0, s[off], 0);

		if (o == NULL)
			return -1;
		off++;
		if (!takes_value(o)) {
			if (s[off] == '=')
				return -1;
			continue;
		}
		if (s[off] == '\0')
			return next_value(o, argc, argv, next, fn, arg);
		fn(arg, o, argv, slot, off + (s[off] == '='));
		return 0;
	}
	return 0;
}

static void scan_argv(const struct poptOption *table, int argc, char **argv, value_fn fn, void *arg)
{
	int posix = getenv("POSIXLY_CORRECT") || getenv("POSIX_ME_HARDER");
	int next = 1, rest = 0;

	while (next < argc) {
		int slot = next++;
		const char *s = argv[slot], *name, *eq;
		const struct poptOption *o;
		int onedash;

		if (rest || s[0] != '-' || s[1] == '\0') {
			rest |= posix;
			continue;
		}
		if (strcmp(s, "--") == 0) {
			rest = 1;
			continue;
		}
		onedash = s[1] != '-';
		name = s + (onedash ? 1 : 2);
		eq = strchr(name, '=');
		o = find_option(table, name, eq ? (size_t)(eq - name) : strlen(name), '\0', onedash);
		if (o == NULL && !onedash)
			return;
		if (o == NULL) {
			if (short_options(table, argc, argv, slot, &next, fn, arg) < 0)
				return;
			continue;
		}
		if (!takes_value(o)) {
			if (eq)
				return;
			continue;
		}
		if (eq)
			fn(arg, o, argv, slot, (size_t)(eq + 1 - s));
		else if (next_value(o, argc, argv, &next, fn, arg) < 0)
			return;
	}
}

static void hide_value(void *arg, const struct poptOption *o, char **argv, int slot, size_t off)
{
	(void)arg;
	if (o->val == 'w')
		memset(argv[slot] + off, '*', strlen(argv[slot] + off));
}

void argv_hide_passwords(const struct poptOption *table, int argc, char **argv)
{
	scan_argv(table, argc, argv, hide_value, NULL);
}

/* popt replaces "!#:+" in an option's value with the next operand (and
 * loops forever when there is none), so such a value cannot be passed as
 * typed: a password would silently change, or the tool hang. */
static void check_value(void *arg, const struct poptOption *o, char **argv, int slot, size_t off)
{
	const struct poptOption **bad = arg;

	if (*bad == NULL && strstr(argv[slot] + off, "!#:+"))
		*bad = o;
}

int argv_check(const struct poptOption *table, int argc, char **argv, const char *prog)
{
	const struct poptOption *bad = NULL;

	scan_argv(table, argc, argv, check_value, &bad);
	if (bad == NULL)
		return 0;
	if (bad->longName)
		fprintf(stderr, "%s: --%s", prog, bad->longName);
	else
		fprintf(stderr, "%s: -%c", prog, bad->shortName);
	fprintf(stderr, ": a value holding \"!#:+\" cannot be given: popt, the option parser, replaces it with a "
		"later argument%s\n", bad->val == 'w' ? " (use -y or -W)" : "");
	return -1;
}
