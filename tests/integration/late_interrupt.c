/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * late_interrupt: what test_late.py runs. A search of the root DSE (base
 * scope: one entry, then its result), interrupted with li_params_set_after
 * LI_NEVER, so that only the operation's result can fire a late interrupt:
 *
 *   late_interrupt URI abandon|cancel late(0|1) WAIT_US
 *
 * Writes the run's JSON report (li_report_json) on stdout and exits 0, or
 * one error line on stderr and exits 2.
 */
#include <ldapinterrupt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	static const char *const attrs[] = { "1.1", NULL };
	li_search search = { .base = "", .attrs = attrs };
	li_params *p = li_params_new();
	li_buf *out = li_buf_new();
	li_run *run = NULL;
	li_error err = { 0 };
	long long late = 0, wait_us = 0;
	const char *why = NULL;
	char line[2048];
	int status = 2;

	if (p == NULL || out == NULL) {
		fputs("late_interrupt: out of memory\n", stderr);
		goto out;
	}
	if (argc != 5 || (strcmp(argv[2], "abandon") != 0 && strcmp(argv[2], "cancel") != 0) ||
	    li_parse_int(argv[3], 0, 1, &late, &why) < 0 || li_parse_int(argv[4], 0, 60000000, &wait_us, &why) < 0) {
		fprintf(stderr, "usage: %s URI abandon|cancel 0|1 WAIT_US\n", argv[0]);
		goto out;
	}
	search.scope = li_scope_code("base");
	if (li_params_set_name(p, "late_interrupt", &err) < 0 || li_params_set_uri(p, argv[1], &err) < 0 ||
	    li_params_set_search(p, &search, &err) < 0 ||
	    li_params_set_interrupt(p, argv[2][0] == 'a' ? LI_INTERRUPT_ABANDON : LI_INTERRUPT_CANCEL, &err) < 0 ||
	    li_params_set_after(p, LI_NEVER, &err) < 0 || li_params_set_interrupt_late(p, (int)late, &err) < 0 ||
	    li_params_set_wait(p, wait_us, &err) < 0 || li_params_check(p, &err) < 0)
		goto failed;
	run = li_run_new(p);
	if (run == NULL) {
		fputs("late_interrupt: out of memory\n", stderr);
		goto out;
	}
	if (li_run_connect(run, &err) < 0 || li_run_execute(run, &err) < 0)
		goto failed;
	li_run_close(run);
	if (li_report_json(li_run_result(run), 0, out) == 0 && fputs(li_buf_data(out), stdout) >= 0)
		status = 0;
	goto out;
failed:
	li_error_format(&err, "late_interrupt", line, sizeof(line));
	fputs(line, stderr);
out:
	li_run_free(run);
	li_params_free(p);
	li_buf_free(out);
	return status;
}
