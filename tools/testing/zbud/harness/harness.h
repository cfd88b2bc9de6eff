/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The harness's own side of the shims: the page arena that stands in for
 * the page allocator, fault injection, and the counters through which
 * kernel warnings and page allocator complaints reach the tests.
 *
 * The shim headers under shim/ call into this; tests and the benchmark
 * use it to set up the arena, inject failures and read the counters.
 */
#ifndef ZBUD_HARNESS_H
#define ZBUD_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct page;

/*
 * The arena: one big page-aligned region and its memmap, so that
 * page_address(), virt_to_page() and page_to_pfn() are plain arithmetic.
 * A pfn is the address shifted right by PAGE_SHIFT, as in a direct map.
 */
struct arena_map {
	char *base;
	struct page *memmap;
	unsigned long pages;
	unsigned long base_pfn;
};

extern struct arena_map arena_map;

/* Reserves room for @pages pages; later calls keep the first size. */
void arena_init(unsigned long pages);
/* Pages handed out and not yet freed. */
unsigned long arena_pages_in_use(void);
/* Whether freed pages are filled with PAGE_POISON (default: yes). */
void arena_set_poison(bool on);

struct page *arena_alloc_page(unsigned int gfp);
void arena_free_page(struct page *page);
void __attribute__((noreturn)) arena_bad_address(const void *addr);
/* Whether the struct page of the page at @addr has index and private 0. */
bool arena_page_words_clear(unsigned long addr);

/*
 * Fault injection, modelled on the kernel's fail_page_alloc: after @skip
 * more calls succeed, the next @times calls fail, and after that one call
 * in @one_in fails at random (never if 0).  The counters show what
 * happened.
 */
struct fail_knob {
	unsigned long skip;
	unsigned long times;
	unsigned int one_in;
	uint64_t rng;
	unsigned long calls;
	unsigned long failures;
};

extern struct fail_knob fail_page_alloc;	/* alloc_page() */
extern struct fail_knob fail_xa_insert;		/* xa_insert() */
extern struct fail_knob fail_kmalloc;		/* kmalloc() and kzalloc() */
/* kmalloc() fails above PAGE_SIZE, as without high-order pages. */
extern bool shim_no_page_without_reclaim;

bool should_fail(struct fail_knob *knob);
void fail_knob_reset(struct fail_knob *knob);

/*
 * Events the kernel would print a splat for.  Tests read the counters and
 * fail on any they did not expect; none of them aborts the program.
 */
struct shim_events {
	unsigned long warnings;		/* WARN*() conditions that fired */
	unsigned long bad_pages;	/* pages freed in a state 6.1 rejects */
	unsigned long atomic_sleeps;	/* blocking gfp under a spinlock */
};

void shim_events(struct shim_events *out);
/* The text of the last warning or bad page report. */
const char *shim_last_report(void);

void shim_warn(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void shim_bad_page(const struct page *page, const char *reason);
/* A deadlock or a bad unlock: there is no sane way on, so it aborts. */
void __attribute__((noreturn)) shim_lock_error(const char *what);
void shim_atomic_sleep(const char *what);

/* Spinlocks this thread holds: the evict callback must see 0. */
extern __thread int shim_locks_held;

/*
 * A test-and-set lock for the harness's own data (the arena), and for
 * spinlock_t when HARNESS_FAST_LOCKS is defined.  ThreadSanitizer sees
 * its acquire and release.
 */
typedef struct {
	int locked;
} harness_lock_t;

void harness_lock_wait(harness_lock_t *lock);

static inline void harness_lock(harness_lock_t *lock)
{
	if (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
		harness_lock_wait(lock);
}

static inline void harness_unlock(harness_lock_t *lock)
{
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

/* Set HARNESS_VERBOSE=1 to see every report as it happens. */
bool shim_verbose(void);

/* Bytes kmalloc() handed out and kfree() has not taken back. */
unsigned long shim_kmalloc_bytes(void);

#endif /* ZBUD_HARNESS_H */
