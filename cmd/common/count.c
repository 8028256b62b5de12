/* SPDX-License-Identifier: BSD-2-Clause */
#include "count.h"

#include "exit.h"
#include "stats.h"
#include "tool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int print_summary(tool_ctx *ctx, stats *s)
{
	stats_sort(s);
	if (ctx->row)
		stats_json(s, ctx->row);
	if (ctx->cl->quiet)
		return 0;
	if (ctx->cl->json)
		stats_json(s, stdout);
	else
		stats_text(s, stdout);
	if ((ferror(stdout) || fflush(stdout) == EOF) && errno != EPIPE) {
		fprintf(stderr, "%s: write error: %s\n", ctx->spec->name, strerror(errno));
		return EXIT_WRITE_ERROR;
	}
	return 0;
}

int count_main(tool_ctx *ctx)
{
	stats s;
	long i;
	int status;

	stats_init(&s, ctx->spec->name, ctx->cl->interrupt, ctx->cl->count);
	for (i = 0; i < ctx->cl->count && !tool_signalled(); i++) {
		int rc = tool_run_once(ctx);

		if (ctx->run == NULL) {
			s.exit_status = rc;
			break;
		}
		if (stats_add_run(&s, li_run_result(ctx->run), rc) < 0) {
			fprintf(stderr, "%s: out of memory\n", ctx->spec->name);
			stats_free(&s);
			return EXIT_USAGE;
		}
	}
	s.stopped = s.runs < s.count;
	/* --each: each server's summary names it, even when no run connected. */
	if (ctx->row && s.uri == NULL && ctx->cl->uri)
		s.uri = strdup(ctx->cl->uri);
	status = print_summary(ctx, &s);
	if (status == 0)
		status = s.exit_status;
	stats_free(&s);
	return status;
}
