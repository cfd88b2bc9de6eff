// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel services for the harness: warnings and bad page reports as
 * counted events, kmalloc() over malloc(), spinlock setup, fault injection,
 * module parameters and the zpool driver list.
 */
#include <malloc.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/zpool.h>
#include "harness.h"

static struct shim_events events;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static char last_report[256];
static unsigned long kmalloc_bytes;

__thread int shim_locks_held;

bool shim_verbose(void)
{
	static int verbose = -1;

	if (__atomic_load_n(&verbose, __ATOMIC_RELAXED) < 0) {
		const char *env = getenv("HARNESS_VERBOSE");

		__atomic_store_n(&verbose, env && *env && *env != '0',
				 __ATOMIC_RELAXED);
	}
	return __atomic_load_n(&verbose, __ATOMIC_RELAXED);
}

static void count(unsigned long *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

static void report(const char *kind, const char *text)
{
	pthread_mutex_lock(&report_lock);
	snprintf(last_report, sizeof(last_report), "%s: %s", kind, text);
	pthread_mutex_unlock(&report_lock);
	if (shim_verbose())
		fprintf(stderr, "%s: %s\n", kind, text);
}

void shim_events(struct shim_events *out)
{
	out->warnings = __atomic_load_n(&events.warnings, __ATOMIC_RELAXED);
	out->bad_pages = __atomic_load_n(&events.bad_pages, __ATOMIC_RELAXED);
	out->atomic_sleeps = __atomic_load_n(&events.atomic_sleeps,
					     __ATOMIC_RELAXED);
}

const char *shim_last_report(void)
{
	static char copy[sizeof(last_report)];

	pthread_mutex_lock(&report_lock);
	memcpy(copy, last_report, sizeof(copy));
	pthread_mutex_unlock(&report_lock);
	return copy;
}

void shim_warn(const char *file, int line, const char *fmt, ...)
{
	char msg[160], text[224];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	msg[strcspn(msg, "\n")] = '\0';
	snprintf(text, sizeof(text), "%s:%d: %s", file, line, msg);
	count(&events.warnings);
	report("WARNING", text);
}

void shim_bad_page(const struct page *page, const char *reason)
{
	char text[96];

	snprintf(text, sizeof(text), "page %p: %s", (const void *)page, reason);
	count(&events.bad_pages);
	report("BUG: Bad page state", text);
}

void shim_atomic_sleep(const char *what)
{
	count(&events.atomic_sleeps);
	report("BUG: sleeping function called from invalid context", what);
}

void shim_lock_error(const char *what)
{
	fprintf(stderr, "harness: %s\n", what);
	abort();
}

void harness_lock_wait(harness_lock_t *lock)
{
	unsigned int spins = 0;

	do {
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED)) {
			if (++spins % 128 == 0)
				sched_yield();
#if defined(__x86_64__) || defined(__i386__)
			else
				__builtin_ia32_pause();
#endif
		}
	} while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE));
}

#ifndef HARNESS_FAST_LOCKS
void spin_lock_init(spinlock_t *lock)
{
	pthread_mutexattr_t attr;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&lock->mutex, &attr);
	pthread_mutexattr_destroy(&attr);
}
#endif

/* xorshift64*, enough to spread injected failures. */
static uint64_t knob_random(struct fail_knob *knob)
{
	uint64_t x = knob->rng ? knob->rng : 0x9e3779b97f4a7c15ULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	knob->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

bool should_fail(struct fail_knob *knob)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	bool fail = false;

	__atomic_fetch_add(&knob->calls, 1, __ATOMIC_RELAXED);
	if (!knob->times && !knob->one_in)
		return false;
	pthread_mutex_lock(&lock);
	if (knob->skip) {
		knob->skip--;
	} else if (knob->times) {
		knob->times--;
		fail = true;
	} else if (knob->one_in) {
		fail = knob_random(knob) % knob->one_in == 0;
	}
	if (fail)
		knob->failures++;
	pthread_mutex_unlock(&lock);
	return fail;
}

void fail_knob_reset(struct fail_knob *knob)
{
	knob->skip = 0;
	knob->times = 0;
	knob->one_in = 0;
}

struct fail_knob fail_page_alloc;
struct fail_knob fail_xa_insert;
struct fail_knob fail_kmalloc;

/*
 * With shim_no_page_without_reclaim set, kmalloc() fails a page or more
 * asked for with a mask that may not reclaim, as the kernel's may when
 * memory is short.
 */
bool shim_no_page_without_reclaim;

static void *shim_malloc(size_t size, gfp_t gfp)
{
	void *p = (gfp & __GFP_ZERO) ? calloc(1, size) : malloc(size);

	if (p)
		__atomic_fetch_add(&kmalloc_bytes, malloc_usable_size(p),
				   __ATOMIC_RELAXED);
	return p;
}

void *kmalloc(size_t size, gfp_t gfp)
{
	if (gfpflags_allow_blocking(gfp) && shim_locks_held)
		shim_atomic_sleep("kmalloc");
	if (should_fail(&fail_kmalloc))
		return NULL;
	if (shim_no_page_without_reclaim && size >= PAGE_SIZE &&
	    !gfpflags_allow_blocking(gfp))
		return NULL;
	return shim_malloc(size, gfp);
}

/*
 * As 6.1's kvmalloc_node(): only a mask that includes GFP_KERNEL may fall
 * back to vmalloc, which needs no high-order page.
 */
void *kvmalloc(size_t size, gfp_t gfp)
{
	void *p = kmalloc(size, gfp);

	if (p || (gfp & GFP_KERNEL) != GFP_KERNEL)
		return p;
	return shim_malloc(size, gfp);
}

void kfree(const void *p)
{
	if (!p)
		return;
	__atomic_fetch_sub(&kmalloc_bytes, malloc_usable_size((void *)p),
			   __ATOMIC_RELAXED);
	free((void *)p);
}

unsigned long shim_kmalloc_bytes(void)
{
	return __atomic_load_n(&kmalloc_bytes, __ATOMIC_RELAXED);
}

static LIST_HEAD(zpool_drivers);
static pthread_mutex_t zpool_lock = PTHREAD_MUTEX_INITIALIZER;

void zpool_register_driver(struct zpool_driver *driver)
{
	pthread_mutex_lock(&zpool_lock);
	atomic_set(&driver->refcount, 0);
	list_add(&driver->list, &zpool_drivers);
	pthread_mutex_unlock(&zpool_lock);
}

int zpool_unregister_driver(struct zpool_driver *driver)
{
	pthread_mutex_lock(&zpool_lock);
	list_del(&driver->list);
	pthread_mutex_unlock(&zpool_lock);
	return 0;
}

struct zpool_driver *zpool_find_driver(const char *type)
{
	struct zpool_driver *driver, *found = NULL;

	pthread_mutex_lock(&zpool_lock);
	list_for_each_entry(driver, &zpool_drivers, list) {
		if (!strcmp(driver->type, type)) {
			found = driver;
			break;
		}
	}
	pthread_mutex_unlock(&zpool_lock);
	return found;
}

/* The module parameters of every unit, registered before main(). */
static struct {
	const char *name;
	const char *type;
	void *var;
} params[16];
static unsigned int nr_params;

void harness_param_register(const char *name, const char *type, void *var)
{
	if (nr_params == ARRAY_SIZE(params))
		shim_lock_error("harness_param_register: too many parameters");
	params[nr_params].name = name;
	params[nr_params].type = type;
	params[nr_params].var = var;
	nr_params++;
}

static int parse_bool(const char *val, bool *out)
{
	switch (val[0]) {
	case 'y': case 'Y': case '1':
		*out = true;
		return 0;
	case 'n': case 'N': case '0':
		*out = false;
		return 0;
	}
	return -EINVAL;
}

int harness_param_set(const char *name, const char *val)
{
	unsigned int i;
	char *end;
	long n;
	bool b;

	for (i = 0; i < nr_params && strcmp(params[i].name, name); i++)
		;
	if (i == nr_params)
		return -ENOENT;
	if (!strcmp(params[i].type, "bool")) {
		if (parse_bool(val, &b))
			return -EINVAL;
		__atomic_store_n((bool *)params[i].var, b, __ATOMIC_RELAXED);
		return 0;
	}
	n = strtol(val, &end, 0);
	if (!*val || *end)
		return -EINVAL;
	if (!strcmp(params[i].type, "int"))
		__atomic_store_n((int *)params[i].var, (int)n,
				 __ATOMIC_RELAXED);
	else if (!strcmp(params[i].type, "uint") && n >= 0)
		__atomic_store_n((unsigned int *)params[i].var,
				 (unsigned int)n, __ATOMIC_RELAXED);
	else
		return -EINVAL;
	return 0;
}
