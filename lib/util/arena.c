/* SPDX-License-Identifier: BSD-2-Clause */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK 16384

struct li_arena_block {
	li_arena_block *next;
	size_t cap;
	max_align_t data[];
};

void li_arena_init(li_arena *a)
{
	memset(a, 0, sizeof(*a));
}

void li_arena_reset(li_arena *a)
{
	a->head = a->all;
	a->used = 0;
}

void li_arena_free(li_arena *a)
{
	li_arena_block *b = a->all, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	memset(a, 0, sizeof(*a));
}

static li_arena_block *next_block(li_arena *a, size_t n)
{
	li_arena_block *b = a->head ? a->head->next : a->all;
	li_arena_block **link;

	/* Reuse a kept block if it is big enough. */
	if (b && b->cap >= n)
		return b;
	b = malloc(sizeof(*b) + (n > BLOCK ? n : BLOCK));
	if (b == NULL)
		return NULL;
	b->cap = n > BLOCK ? n : BLOCK;
	/* Insert after head (or first), keeping the rest for later. */
	link = a->head ? &a->head->next : &a->all;
	b->next = *link;
	*link = b;
	return b;
}

void *li_arena_alloc(li_arena *a, size_t n)
{
	void *p;

	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	if (a->head == NULL || a->used + n > a->head->cap) {
		li_arena_block *b = next_block(a, n);

		if (b == NULL)
			return NULL;
		a->head = b;
		a->used = 0;
	}
	p = (char *)a->head->data + a->used;
	a->used += n;
	memset(p, 0, n);
	return p;
}
