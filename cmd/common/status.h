/* SPDX-License-Identifier: BSD-2-Clause */
/* The status line: on a terminal, a wait longer than 2 s shows on stderr
 * what the run waits for, redrawn in place, erased before anything else is
 * written. Drawn from the library's progress hook (li_run_set_progress),
 * which may call it from the library's own thread while connecting. */
#ifndef CMD_STATUS_H
#define CMD_STATUS_H

#include <ldapinterrupt.h>

typedef struct statusline statusline;

/* NULL when there is no status to show (stderr is not a terminal, or
 * out of memory): every function takes NULL and does nothing, but
 * status_line, which then writes its line to stderr. */
statusline *status_new(const char *prog);
void status_free(statusline *s);
/* The li_progress_fn; arg is the status. */
void status_progress(void *arg, const li_progress *p);
/* 1: erase it and show none until 0 (a question on the terminal). */
void status_hold(statusline *s, int hold);
/* --audit: the check under way (index of n, its id): from now on the
 * line shows it and what its run does, at once, e.g. "ldapabandon: audit
 * 3/6 unknown-msgid: listening 0.4s". */
void status_audit_check(statusline *s, int index, int n, const char *id);
/* Erases the status line if it shows. */
void status_erase(statusline *s);
/* Writes a whole line (with its newline) to stderr, erasing the status
 * line first, so that the two never share a row. */
void status_line(statusline *s, const char *line);

#endif
