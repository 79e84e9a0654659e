/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * alloc_fail.h - allocation-failure injection for a unit test binary:
 * interposes malloc, calloc, realloc and free (glibc's __libc_* underneath)
 * so that the alloc_fail_at-th allocation after alloc_fail_arm() returns
 * NULL, and counts the blocks still allocated (alloc_live) to catch leaks on
 * the error paths.  Include it in ONE file of a test binary, after the
 * standard headers.  Under AddressSanitizer (which owns malloc) it defines
 * ALLOC_FAIL_UNDER_ASAN and nothing else: such tests skip themselves.
 *
 * A test file may define ALLOC_FAIL_EXEMPT(caller) before including this to
 * let some callers' allocations through (e.g. a library's own), where caller
 * is the allocation's return address.
 */
#ifndef STRATA_TESTS_UNIT_ALLOC_FAIL_H
#define STRATA_TESTS_UNIT_ALLOC_FAIL_H

#include <stdbool.h>
#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define ALLOC_FAIL_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ALLOC_FAIL_UNDER_ASAN 1
#endif
#endif

#ifndef ALLOC_FAIL_UNDER_ASAN
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

#ifndef ALLOC_FAIL_EXEMPT
#define ALLOC_FAIL_EXEMPT(caller) false
#endif

static bool alloc_armed;    /* counting and failing only while set */
static long alloc_count;    /* allocations since alloc_fail_arm() */
static long alloc_fail_at;  /* the one that fails (1 = the next) */
static long alloc_live;     /* blocks allocated and not freed since alloc_fail_arm() */

#define ALLOC_SHOULD_FAIL() \
	(alloc_armed && !ALLOC_FAIL_EXEMPT(__builtin_return_address(0)) && ++alloc_count == alloc_fail_at)

/* Arm: the n-th allocation from now fails (n >= 1); counters reset. */
static inline void alloc_fail_arm(long n)
{
	alloc_count = 0;
	alloc_live = 0;
	alloc_fail_at = n;
	alloc_armed = true;
}

/* Disarm: allocations succeed and are no longer counted. */
static inline void alloc_fail_disarm(void)
{
	alloc_armed = false;
}

void *malloc(size_t n)
{
	if (ALLOC_SHOULD_FAIL())
		return NULL;
	void *p = __libc_malloc(n);
	if (p != NULL && alloc_armed)
		alloc_live++;
	return p;
}

void *calloc(size_t a, size_t b)
{
	if (ALLOC_SHOULD_FAIL())
		return NULL;
	void *p = __libc_calloc(a, b);
	if (p != NULL && alloc_armed)
		alloc_live++;
	return p;
}

void *realloc(void *old, size_t n)
{
	if (ALLOC_SHOULD_FAIL())
		return NULL;
	void *p = __libc_realloc(old, n);
	if (p != NULL && old == NULL && alloc_armed)
		alloc_live++;
	return p;
}

void free(void *p)
{
	if (p != NULL && alloc_armed)
		alloc_live--;
	__libc_free(p);
}
#endif /* ALLOC_FAIL_UNDER_ASAN */

#endif
