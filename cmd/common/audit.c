/* SPDX-License-Identifier: BSD-2-Clause */
/* ldapcancel --audit: the library's checks, printed as rows or JSON, and
 * the exit status they call for. */
#include "tool.h"

#include "exit.h"

#include <stdio.h>

/* The checks could not begin (the first connection or bind failed). */
static int audit_failed(tool_ctx *ctx, const li_error *err)
{
	char line[2048];
	int status = exit_for_error(err);

	li_error_format(err, ctx->spec->name, line, sizeof(line));
	fputs(line, stderr);
	if (err->code == 0)
		return status;
	li_buf_reset(ctx->buf);
	li_error_json(&(li_result){ .name = ctx->spec->name, .uri = ctx->cl->uri }, err, status, ctx->buf);
	tool_row(ctx, ctx->buf);
	if (!ctx->cl->json || ctx->cl->quiet)
		return status;
	return tool_print(ctx) ? EXIT_WRITE_ERROR : status;
}

int tool_audit(tool_ctx *ctx)
{
	li_audit audit;
	li_error err;
	int status;

	if (li_audit_cancel(ctx->cl->params, &audit, &err) < 0)
		return audit_failed(ctx, &err);
	status = audit.unsupported ? EXIT_UNSUPPORTED : audit.count[LI_VERDICT_FAIL] ? EXIT_AUDIT_FAILED : EXIT_OK;
	li_buf_reset(ctx->buf);
	if (ctx->row) {
		li_audit_json(&audit, status, ctx->buf);
		tool_row(ctx, ctx->buf);
		li_buf_reset(ctx->buf);
	}
	if (ctx->cl->quiet)
		return status;
	if (ctx->cl->json)
		li_audit_json(&audit, status, ctx->buf);
	else
		li_audit_text(&audit, ctx->buf);
	return tool_print(ctx) ? EXIT_WRITE_ERROR : status;
}
