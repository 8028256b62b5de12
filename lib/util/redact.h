/* SPDX-License-Identifier: BSD-2-Clause */
/* What is secret, decided in one place: the wire decoder (lib/wire/decode.c)
 * and the text of a filter as typed (reports, error messages, -n) use the
 * same rule and show a secret the same way. */
#ifndef LI_REDACT_H
#define LI_REDACT_H

#include <stddef.h>

#include "buf.h"

/* userPassword, authPassword and their OIDs, with or without options
 * ("userPassword;binary"), in any case. */
int li_is_secret_attr(const char *name, size_t len);
/* What a secret value of len bytes shows: "<redacted N bytes>". */
void li_buf_add_redacted(li_buf *out, size_t len);
/* A filter as typed, with the values of assertions on secret attributes
 * replaced by li_buf_add_redacted (a presence test stays "*"). */
void li_filter_redacted(li_buf *out, const char *filter);

#endif
