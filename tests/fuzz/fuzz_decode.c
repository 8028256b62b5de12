/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer target: any bytes, as one message and as a stream, through the
 * wire (framer, head and full decoders) and both trace renderers. Nothing
 * may crash, leak or read outside the input (plus the one byte liblber
 * peeks at). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static li_buf *out;

static void render(void *arg, const li_event *ev)
{
	(void)arg;
	li_buf_reset(out);
	li_trace_text(ev, LI_RENDER_VALUES | LI_RENDER_HEX, out);
	li_trace_json(ev, LI_RENDER_VALUES | LI_RENDER_HEX, out);
	li_buf_reset(out);
	li_trace_text(ev, 0, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy;
	li_wire *w;
	li_event ev;
	size_t i, step;

	if (out == NULL)
		out = li_buf_new();
	w = li_wire_new(render, NULL);
	if (w == NULL)
		return 0;
	/* One message, exactly as the framer would hand it over, whatever its
	 * outer header says: the decoders see bytes the framer would refuse. */
	copy = malloc(size + 1);
	if (copy == NULL)
		goto out;
	memcpy(copy, data, size);
	copy[size] = 0;
	li_wire_message(w, &ev, copy, size);
	render(NULL, &ev);
	free(copy);
	/* A stream in each direction, in chunks whose size comes from the first
	 * byte; then its end and the close. */
	step = size ? (size_t)(data[0] % 17) + 1 : 1;
	for (i = 0; i < size; i += step) {
		li_wire_feed(w, LI_DIR_RECV, data + i, size - i < step ? size - i : step, (int64_t)i);
		li_wire_feed(w, LI_DIR_SEND, data + i, size - i < step ? size - i : step, (int64_t)i);
	}
	li_wire_end(w, LI_DIR_RECV, (int64_t)size);
	li_wire_end(w, LI_DIR_SEND, (int64_t)size);
	li_wire_close(w, LI_DIR_RECV, "fuzz", (int64_t)size);
out:
	li_wire_free(w);
	return 0;
}
