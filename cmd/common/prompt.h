/* SPDX-License-Identifier: BSD-2-Clause */
/* Questions asked on the terminal: the -W password and the SASL prompts. */
#ifndef CMD_PROMPT_H
#define CMD_PROMPT_H

#include <ldapinterrupt.h>

/* Shows prompt on /dev/tty and reads one line (without echo unless echo),
 * under cmd_secret_read_line's rules. 0 with *answer (malloc'ed; wipe it
 * before freeing); -1 with *why, or with *why NULL when there is no
 * terminal or nothing was read. */
int prompt_read_tty(const char *prompt, int echo, char **answer, const char **why);

/* Why the last SASL question went unanswered, for the error line; and
 * the status line, held while a question is on the terminal. */
typedef struct prompt_ctx {
	char failure[256];
	struct statusline *status;
} prompt_ctx;

/* An li_sasl_prompt_fn (arg: a prompt_ctx) that asks as ldapsearch(1)
 * does: "SASL Interaction" first under -I, then "Challenge: ..." and
 * "Default: ..." lines (a secret default is never shown), then
 * "question: ". */
int prompt_sasl(void *arg, const li_prompt *p, char **answer);

#endif
