// SPDX-License-Identifier: GPL-2.0-only
/* The runner behind test.h. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/debugfs.h>
#include <linux/workqueue.h>
#include "harness.h"
#include "test.h"

static struct test *tests;
static jmp_buf test_exit;
static pthread_t test_thread;
static const struct test *test_running;
static unsigned int tests_passed, tests_failed, tests_run;
static unsigned long warnings_expected;
static struct shim_events start_events;

/* Keeps the list in source order, whatever order constructors run in. */
void test_register(struct test *test)
{
	struct test **link = &tests;

	while (*link && (strcmp((*link)->file, test->file) < 0 ||
			 (!strcmp((*link)->file, test->file) &&
			  (*link)->line < test->line)))
		link = &(*link)->next;
	test->next = *link;
	*link = test;
}

void test_note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void print_result(const struct test *test, bool ok)
{
	printf("%sok %u - %s\n", ok ? "" : "not ", ++tests_run, test->name);
	/* check.sh counts these lines for its progress reports. */
	fflush(stdout);
	if (ok)
		tests_passed++;
	else
		tests_failed++;
}

/* The last line of the run; returns the program's exit status. */
static int print_totals(void)
{
	printf("%u passed, %u failed\n", tests_passed, tests_failed);
	fflush(stdout);
	return tests_failed ? 1 : 0;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	/*
	 * test_exit lives on the test's thread: another thread cannot
	 * jump there, and the test may wait on this one forever.
	 */
	if (!pthread_equal(pthread_self(), test_thread)) {
		const struct test *test = __atomic_load_n(&test_running,
							  __ATOMIC_ACQUIRE);

		printf("# that failure was off the test's thread: no more tests run\n");
		/* Between tests the failure is no test's: count it alone. */
		if (test)
			print_result(test, false);
		else
			tests_failed++;
		_exit(print_totals());
	}
	longjmp(test_exit, 1);
}

unsigned long test_env_ulong(const char *name, unsigned long dflt)
{
	const char *s = getenv(name);
	unsigned long v;
	char *end;

	if (!s || !*s)
		return dflt;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end || errno)
		test_fail(__FILE__, __LINE__, "%s='%s': not a whole number",
			  name, s);
	return v;
}

void expect_warnings(unsigned long n)
{
	warnings_expected = n;
}

unsigned long test_warnings(void)
{
	struct shim_events now;

	shim_events(&now);
	return now.warnings - start_events.warnings;
}

struct snapshot {
	struct shim_events events;
	unsigned long pages;
	unsigned long kmalloc_bytes;
	unsigned long debugfs;
	unsigned long work;
};

static void take_snapshot(struct snapshot *s)
{
	shim_events(&s->events);
	s->pages = arena_pages_in_use();
	s->kmalloc_bytes = shim_kmalloc_bytes();
	s->debugfs = debugfs_entries();
	s->work = harness_work_pending();
}

/* The checks every test gets for free; returns false if one failed. */
static bool after_test(const struct snapshot *before)
{
	struct snapshot now;
	bool ok = true;

	take_snapshot(&now);
#define AFTER(cond, fmt, ...) do {					\
	if (!(cond)) {							\
		printf("# " fmt "\n", ##__VA_ARGS__);			\
		ok = false;						\
	}								\
} while (0)
	AFTER(now.events.bad_pages == before->events.bad_pages,
	      "%lu bad page(s), last: %s",
	      now.events.bad_pages - before->events.bad_pages,
	      shim_last_report());
	AFTER(now.events.atomic_sleeps == before->events.atomic_sleeps,
	      "%lu blocking allocation(s) under a spinlock",
	      now.events.atomic_sleeps - before->events.atomic_sleeps);
	AFTER(now.events.warnings - before->events.warnings ==
	      warnings_expected, "%lu warning(s), expected %lu; last: %s",
	      now.events.warnings - before->events.warnings,
	      warnings_expected, shim_last_report());
	AFTER(now.pages == before->pages, "arena pages in use: %lu -> %lu",
	      before->pages, now.pages);
	AFTER(now.kmalloc_bytes == before->kmalloc_bytes,
	      "kmalloc bytes: %lu -> %lu", before->kmalloc_bytes,
	      now.kmalloc_bytes);
	AFTER(now.debugfs == before->debugfs, "debugfs entries: %lu -> %lu",
	      before->debugfs, now.debugfs);
	AFTER(now.work == before->work, "work items pending: %lu -> %lu",
	      before->work, now.work);
#undef AFTER
	return ok;
}

static const struct test *find_test(const char *name)
{
	const struct test *test;

	for (test = tests; test; test = test->next)
		if (!strcmp(name, test->name))
			break;
	return test;
}

/* With names on the command line, only the tests they name run. */
static bool wanted(const struct test *test, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], test->name))
			return true;
	return argc < 2;
}

static bool run_one(struct test *test, bool *stop)
{
	volatile bool ok = true;
	struct snapshot before;

	take_snapshot(&before);
	start_events = before.events;
	warnings_expected = 0;
	if (setjmp(test_exit))
		ok = false;
	else
		test->fn();
	fail_knob_reset(&fail_page_alloc);
	fail_knob_reset(&fail_xa_insert);
	fail_knob_reset(&fail_kmalloc);
	/* After a failed CHECK the test's leftovers are not news. */
	if (ok)
		ok = after_test(&before);
	/* Its queued work, on a pool never destroyed, must not fail the next. */
	if (!ok && harness_work_discard()) {
		printf("# %s left the worker thread on: no more tests run\n",
		       test->name);
		*stop = true;
	}
	return ok;
}

/* A name on the command line that no test has is a typo, not a pass. */
static bool names_known(int argc, char **argv)
{
	bool known = true;
	int i;

	for (i = 1; i < argc; i++) {
		if (!find_test(argv[i])) {
			fprintf(stderr, "no test named '%s'\n", argv[i]);
			known = false;
		}
	}
	return known;
}

int test_main(int argc, char **argv)
{
	bool stop = false, ok;
	struct test *test;

	if (!names_known(argc, argv))
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_thread = pthread_self();
	for (test = tests; test && !stop; test = test->next) {
		if (!wanted(test, argc, argv))
			continue;
		__atomic_store_n(&test_running, test, __ATOMIC_RELEASE);
		ok = run_one(test, &stop);
		__atomic_store_n(&test_running, NULL, __ATOMIC_RELEASE);
		print_result(test, ok);
	}
	return print_totals();
}
