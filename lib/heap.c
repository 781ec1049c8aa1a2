/*
 * heap.c - malloc, calloc and free for the prebuilt libraries that call
 * them (Debian's libz.a and libzstd.a, inside the decompressor). In firmware
 * they go to the allocator the platform set (efi/ uses AllocatePool, which
 * needs no size to free); before one is set, or when it fails, malloc
 * returns NULL and the library reports out of memory. On the host (tests,
 * fuzzers) libc serves them.
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
#else
static struct rt_heap heap;

void rt_heap_set(const struct rt_heap *h)
{
	heap = *h;
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
