/* SPDX-License-Identifier: BSD-2-Clause */
/* A bump allocator for one message's decoded fields: reset, never freed
 * piece by piece, so decoding 200,000 entries allocates almost nothing. */
#ifndef LI_ARENA_H
#define LI_ARENA_H

#include <stddef.h>

typedef struct li_arena_block li_arena_block;

typedef struct li_arena {
	li_arena_block *head; /* the block in use; older blocks are kept for reuse */
	li_arena_block *all;
	size_t used;
} li_arena;

void li_arena_init(li_arena *a);
void li_arena_reset(li_arena *a);
void li_arena_free(li_arena *a);
/* Zeroed memory, or NULL when out of memory. */
void *li_arena_alloc(li_arena *a, size_t n);

#endif
