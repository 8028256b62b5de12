/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cancel-search: search a subtree and cancel the search (RFC 3909) after
 * N entries, through libldapinterrupt.
 *
 *   cc cancel-search.c $(pkg-config --cflags --libs ldapinterrupt)
 *   ./a.out ldap://localhost:3890 dc=example,dc=com 10
 *
 * Exits 0 when the server confirmed the cancel, 1 for any other outcome,
 * 2 when the run could not be made.
 */
#include <ldapinterrupt.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	li_params *p = NULL;
	li_run *run = NULL;
	li_error err = { 0 };
	const li_result *res;
	li_search search = { 0 };
	long long n = 10;
	char *end = NULL, line[2048];
	int status = 2;

	if (argc > 3)
		n = strtoll(argv[3], &end, 10);
	if (argc < 3 || argc > 4 || (end != NULL && (*end != '\0' || end == argv[3]))) {
		fprintf(stderr, "usage: %s URI BASE [N]\n", argv[0]);
		return 2;
	}
	p = li_params_new();
	if (p == NULL)
		goto nomem;

	/* What to do: every setter checks its value and explains a refusal in
	 * err, so that one error path serves them all. Without a bind setter
	 * the connection stays anonymous. The scope comes by its ldapsearch(1)
	 * name, so LDAP_SCOPE_SUBTREE (and <ldap.h>) is not needed. */
	search.base = argv[2];
	search.scope = li_scope_code("sub");
	if (li_params_set_name(p, "cancel-search", &err) < 0 ||
	    li_params_set_uri(p, argv[1], &err) < 0 ||
	    li_params_set_search(p, &search, &err) < 0 ||
	    li_params_set_interrupt(p, LI_INTERRUPT_CANCEL, &err) < 0 ||
	    li_params_set_after_entries(p, n, &err) < 0 ||
	    li_params_check(p, &err) < 0)
		goto failed;

	/* The run: connect (and bind, if asked), then send the search, wait for
	 * the Nth entry, send the Cancel, listen for both answers and decide.
	 * The library prints nothing; we print what the result holds. */
	run = li_run_new(p);
	if (run == NULL)
		goto nomem;
	if (li_run_connect(run, &err) < 0 || li_run_execute(run, &err) < 0)
		goto failed;
	li_run_close(run);

	/* A plain value: counts are [0] before and [1] after the Cancel went
	 * out; op is the search's final response, intr the Cancel's. */
	res = li_run_result(run);
	printf("outcome: %s\n", li_outcome_name(res->outcome));
	printf("entries before cancel: %llu\n", (unsigned long long)res->entries[0]);
	printf("entries after cancel: %llu\n", (unsigned long long)res->entries[1]);
	printf("search result code: %d\n", res->op.code);
	printf("cancel result code: %d\n", res->intr.code);
	status = res->outcome == LI_OUTCOME_CANCELED ? 0 : 1;
	goto out;
failed:
	/* "cancel-search: what failed: text (code)", as the tools print it. */
	li_error_format(&err, "cancel-search", line, sizeof(line));
	fputs(line, stderr);
	goto out;
nomem:
	fputs("cancel-search: out of memory\n", stderr);
out:
	/* _free(NULL) is a no-op; the run before the parameters it uses. */
	li_run_free(run);
	li_params_free(p);
	return status;
}
