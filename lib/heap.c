/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * heap.c - malloc, calloc and free, and quiet sections (rt.h says why), for
 * the prebuilt libraries the decompressor calls (Debian's libz.a and
 * libzstd.a; their objects reference malloc, though the stream gives them
 * allocators of its own). In firmware they go to what the platform set
 * (efi/ uses AllocatePool, which needs no size to free, and RaiseTPL);
 * before one is set, or when it fails, malloc returns NULL. On the host
 * (tests, fuzzers) libc serves them.
 */
#include "rt.h"

#ifdef RT_HOST_TEST
#include <stdlib.h>

void *rt_malloc(size_t n)
{
	return malloc(n);
}
void *rt_calloc(size_t n, size_t size)
{
	return calloc(n, size);
}
void rt_free(void *p)
{
	free(p);
}
void rt_heap_set(const struct rt_heap *h)
{
}
uintptr_t rt_quiet(void)
{
	return 0;
}
void rt_unquiet(uintptr_t token)
{
}
#else
static struct rt_heap heap;

void rt_heap_set(const struct rt_heap *h)
{
	heap = *h;
}

uintptr_t rt_quiet(void)
{
	return heap.quiet ? heap.quiet() : 0;
}

void rt_unquiet(uintptr_t token)
{
	if (heap.unquiet)
		heap.unquiet(token);
}

void *malloc(size_t n)
{
	return heap.alloc ? heap.alloc(n ? n : 1) : NULL;
}

void *calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > (size_t)-1 / size)
		return NULL;
	p = malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void free(void *p)
{
	if (p && heap.free)
		heap.free(p);
}
#endif
