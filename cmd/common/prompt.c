/* SPDX-License-Identifier: BSD-2-Clause */
/* Questions asked on the terminal, never through stdin or stdout: those
 * may carry LDIF, a trace or a report. */
#include "prompt.h"

#include "secret.h"
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>

int prompt_read_tty(const char *prompt, int echo, char **answer, const char **why)
{
	struct termios old, quiet;
	size_t n;
	FILE *tty = fopen("/dev/tty", "r+");
	int restore = 0, rc;

	*why = NULL;
	if (tty == NULL)
		return -1;
	/* Echo off before the prompt, and without flushing: an answer typed (or
	 * sent) as soon as the prompt shows must not be thrown away. */
	if (!echo && tcgetattr(fileno(tty), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(fileno(tty), TCSANOW, &quiet) == 0;
	}
	fprintf(tty, "%s", prompt);
	fflush(tty);
	/* Not through stdio: its buffer would keep a copy of the answer. */
	rc = cmd_secret_read_line(fileno(tty), answer, &n, why);
	if (restore) {
		tcsetattr(fileno(tty), TCSANOW, &old);
		fputc('\n', tty);
	}
	fclose(tty);
	return rc == 0 ? 0 : -1;
}

int prompt_sasl(void *arg, const li_prompt *p, char **answer)
{
	prompt_ctx *ctx = arg;
	const char *why;
	char *text;
	size_t len;
	FILE *f;
	int rc;

	f = open_memstream(&text, &len);
	if (f == NULL)
		return -1;
	if (p->first)
		fputs("SASL Interaction\n", f);
	if (p->challenge)
		fprintf(f, "Challenge: %s\n", p->challenge);
	if (p->dflt)
		fprintf(f, "Default: %s\n", p->echo ? p->dflt : "<redacted>");
	fprintf(f, "%s: ", p->text);
	if (fclose(f) != 0) {
		free(text);
		return -1;
	}
	/* The bind waits for the answer: no status over the question. */
	status_hold(ctx->status, 1);
	rc = prompt_read_tty(text, p->echo, answer, &why);
	status_hold(ctx->status, 0);
	free(text);
	if (rc == 0)
		return 0;
	if (why)
		snprintf(ctx->failure, sizeof(ctx->failure), "the %s typed %s", p->echo ? "answer" : "password", why);
	else if (!p->echo)
		snprintf(ctx->failure, sizeof(ctx->failure),
			 "cannot read a password from the terminal (give one with -w or -y)");
	else
		snprintf(ctx->failure, sizeof(ctx->failure), "cannot read an answer to \"%s\" from the terminal",
			 p->text);
	return -1;
}
