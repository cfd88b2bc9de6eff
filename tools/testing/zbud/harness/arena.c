// SPDX-License-Identifier: GPL-2.0-only
/*
 * A page allocator for the harness.  Pages come from one reserved region
 * with a memmap beside it.  Freeing a page runs the checks 6.1 runs in
 * free_pages_prepare(), so a page that leaves zbud with a field still
 * set is reported as a bad page, and a freed page is filled with
 * PAGE_POISON (and poisoned for AddressSanitizer) until it is handed out
 * again, which catches a use after free.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include "harness.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(addr, size)	((void)(addr), (void)(size))
#define ASAN_UNPOISON_MEMORY_REGION(addr, size)	((void)(addr), (void)(size))
#endif

#define ARENA_DEFAULT_PAGES	(1UL << 20)	/* 4 GiB of address space */
#define PAGE_POISON		0xaa

/*
 * Bits a real page carries in flags from boot (zone and node numbers);
 * nobody may change them, so free insists they are exactly these.
 */
#define ARENA_PAGE_FLAGS	(2UL << 62)
/* page_type of a page in the buddy allocator: PG_buddy cleared. */
#define ARENA_PAGE_BUDDY	0xffffff7fU
/* page->index keeps whatever its last user left; make that visible. */
#define ARENA_STALE_INDEX	0x5a5a5a5a5a5a5a5aUL

struct arena_map arena_map;

static struct {
	harness_lock_t lock;
	pthread_once_t once;
	struct list_head free_pages;	/* linked by buddy_list, LIFO */
	unsigned long top;		/* pages ever handed out */
	unsigned long in_use;
	unsigned long want_pages;
	bool no_poison;
	bool exhausted;
} arena = {
	.once = PTHREAD_ONCE_INIT,
	.free_pages = LIST_HEAD_INIT(arena.free_pages),
};

static void *reserve(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED) {
		perror("harness: arena mmap");
		exit(2);
	}
	return p;
}

static void arena_setup(void)
{
	unsigned long pages = arena.want_pages ?: ARENA_DEFAULT_PAGES;

	arena_map.base = reserve(pages << PAGE_SHIFT);
	arena_map.memmap = reserve(pages * sizeof(struct page));
	arena_map.base_pfn = (unsigned long)arena_map.base >> PAGE_SHIFT;
	/* Published last: until then virt_addr_valid() says no to all. */
	__atomic_store_n(&arena_map.pages, pages, __ATOMIC_RELEASE);
}

void arena_init(unsigned long pages)
{
	if (!arena.want_pages)
		arena.want_pages = pages;
	pthread_once(&arena.once, arena_setup);
}

void arena_set_poison(bool on)
{
	arena.no_poison = !on;
}

unsigned long arena_pages_in_use(void)
{
	unsigned long n;

	harness_lock(&arena.lock);
	n = arena.in_use;
	harness_unlock(&arena.lock);
	return n;
}

void arena_bad_address(const void *addr)
{
	fprintf(stderr, "harness: virt_to_page(%p): not an arena address\n",
		addr);
	abort();
}

/* What boot leaves in the struct page of a page that was never used. */
static void init_struct_page(struct page *page)
{
	memset(page, 0, sizeof(*page));
	page->flags = ARENA_PAGE_FLAGS;
	page->index = ARENA_STALE_INDEX;
	page->page_type = ARENA_PAGE_BUDDY;
}

static struct page *take_page(void)
{
	struct page *page;

	if (!list_empty(&arena.free_pages)) {
		page = list_first_entry(&arena.free_pages, struct page,
					buddy_list);
		list_del(&page->buddy_list);
		return page;
	}
	if (arena.top == arena_map.pages) {
		if (!arena.exhausted)
			fprintf(stderr, "harness: arena of %lu pages is full\n",
				arena_map.pages);
		arena.exhausted = true;
		return NULL;
	}
	page = arena_map.memmap + arena.top++;
	init_struct_page(page);
	if (!arena.no_poison)
		memset(page_address(page), PAGE_POISON, PAGE_SIZE);
	return page;
}

static unsigned char poison_page[PAGE_SIZE];

static void fill_poison_page(void)
{
	memset(poison_page, PAGE_POISON, PAGE_SIZE);
}

static bool poison_intact(const void *addr)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, fill_poison_page);
	return !memcmp(addr, poison_page, PAGE_SIZE);
}

/* check_new_page() and post_alloc_hook() of an order-0 page. */
static void prep_new_page(struct page *page, bool poisoned)
{
	void *addr = page_address(page);

	if (page->page_type != ARENA_PAGE_BUDDY)
		shim_bad_page(page, "page on the free list is not PageBuddy");
	ASAN_UNPOISON_MEMORY_REGION(addr, PAGE_SIZE);
	if (poisoned && !poison_intact(addr))
		shim_bad_page(page, "free page poison overwritten");
	page->page_type = -1;
	page->private = 0;
	atomic_set(&page->_refcount, 1);
}

struct page *arena_alloc_page(unsigned int gfp)
{
	struct page *page;
	bool poisoned;

	if (gfpflags_allow_blocking(gfp) && shim_locks_held)
		shim_atomic_sleep("alloc_page");
	arena_init(0);
	harness_lock(&arena.lock);
	if (should_fail(&fail_page_alloc)) {
		harness_unlock(&arena.lock);
		return NULL;
	}
	page = take_page();
	if (page)
		arena.in_use++;
	poisoned = !arena.no_poison;
	harness_unlock(&arena.lock);
	if (page)
		prep_new_page(page, poisoned);
	return page;
}

bool arena_page_words_clear(unsigned long addr)
{
	const struct page *page = virt_to_page((void *)addr);

	return !page->index && !page_private(page);
}

/* The checks of 6.1's free_pages_prepare() for an order-0 page. */
static const char *bad_reason(const struct page *page)
{
	if (page->page_type == ARENA_PAGE_BUDDY)
		return "double free: page is already free";
	if (atomic_read(&page->_mapcount) != -1)
		return "nonzero mapcount (page_type not reset)";
	if (page->mapping)
		return "non-NULL mapping";
	if (atomic_read(&page->_refcount) != 1)
		return "_refcount is not 1 before the final put";
	if (page->flags != ARENA_PAGE_FLAGS)
		return "flags changed";
	if (page->compound_head & 1)
		return "PageTail: compound_head bit 0 set";
#ifdef CONFIG_MEMCG
	if (page->memcg_data)
		return "page still charged to cgroup";
#endif
	return NULL;
}

void arena_free_page(struct page *page)
{
	const char *reason;
	void *addr;

	if (page < arena_map.memmap ||
	    page >= arena_map.memmap + arena_map.pages)
		arena_bad_address(page);
	reason = bad_reason(page);
	if (reason) {
		/* As 6.1's bad_page(): report it and leak the page. */
		shim_bad_page(page, reason);
		if (page->page_type == ARENA_PAGE_BUDDY)
			return;		/* a double free */
		harness_lock(&arena.lock);
		arena.in_use--;
		harness_unlock(&arena.lock);
		return;
	}
	addr = page_address(page);
	atomic_set(&page->_refcount, 0);
	if (!arena.no_poison)
		memset(addr, PAGE_POISON, PAGE_SIZE);
	ASAN_POISON_MEMORY_REGION(addr, PAGE_SIZE);
	page->page_type = ARENA_PAGE_BUDDY;
	harness_lock(&arena.lock);
	arena.in_use--;
	list_add(&page->buddy_list, &arena.free_pages);
	harness_unlock(&arena.lock);
}
