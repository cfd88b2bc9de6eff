/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small test runner.  TEST(name) defines a test; test_main() runs them
 * in source order (or those named on the command line), prints "ok" or
 * "not ok" for each, then "N passed, N failed" as its last line, and
 * exits non-zero if any failed.
 *
 * Besides its own CHECKs, every test fails if, while it ran, a page was
 * freed in a bad state, a blocking allocation ran under a spinlock, the
 * number of WARN*() hits differs from what it announced with
 * expect_warnings() (default 0), or it leaked arena pages, kmalloc()
 * memory, debugfs entries or pending work items.
 */
#ifndef ZBUD_TEST_H
#define ZBUD_TEST_H

#include <stdbool.h>

struct test {
	const char *name;
	const char *file;
	int line;
	void (*fn)(void);
	struct test *next;
};

void test_register(struct test *test);

#define TEST(test_fn)						\
	static void test_fn(void);					\
	static struct test test_##test_fn = {				\
		.name = #test_fn, .file = __FILE__, .line = __LINE__,	\
		.fn = test_fn,						\
	};								\
	static void __attribute__((constructor))			\
	register_##test_fn(void)					\
	{								\
		test_register(&test_##test_fn);				\
	}								\
	static void test_fn(void)

/*
 * Fails the running test and leaves it.  From any other thread than the
 * test's, it ends the run instead, counting the test as failed.
 */
void __attribute__((noreturn, format(printf, 3, 4)))
test_fail(const char *file, int line, const char *fmt, ...);

/* A note printed as a "# " line under the test's result. */
void test_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define CHECK(cond) do {						\
	if (!(cond))							\
		test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);	\
} while (0)

#define CHECK_EQ(a, b) do {						\
	long long __a = (long long)(a), __b = (long long)(b);		\
									\
	if (__a != __b)							\
		test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld",	\
			  #a, #b, __a, __b);				\
} while (0)

/*
 * The decimal number in the environment variable @name, or @dflt if it is
 * unset or empty; anything else fails the running test.
 */
unsigned long test_env_ulong(const char *name, unsigned long dflt);

/* The running test expects exactly @n WARN*() hits in all. */
void expect_warnings(unsigned long n);
/* WARN*() hits since the running test started. */
unsigned long test_warnings(void);

int test_main(int argc, char **argv);

#endif /* ZBUD_TEST_H */
