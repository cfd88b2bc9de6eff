// SPDX-License-Identifier: GPL-2.0-only
/*
 * pagesizes - write a zbud_bench trace: the compressed size of every page
 * of a live process's private writable anonymous memory, or of files.
 *
 * usage: pagesizes [-c lzo|lz4|zstd] [-p PID]... [FILE]...
 *
 * Each 4096-byte page is compressed on its own, as zswap compresses it.
 * Pages that repeat one machine word are skipped, because zswap 6.1 keeps
 * those without calling its allocator.  A page that does not shrink is
 * recorded as 4096: zswap would try to store whatever the compressor
 * returned, and every allocator refuses that anyway.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <lz4.h>
#include <lzo/lzo1x.h>
#include <zstd.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PG_SIZE		4096
#define DST_SIZE	(2 * PG_SIZE)	/* above every worst case here */

struct compressor {
	const char *name;
	const char *desc;
	int (*init)(void);
	/* Returns the compressed length, or 0 on failure. */
	size_t (*compress)(const void *src, void *dst);
};

struct stats {
	unsigned long pages;
	unsigned long same;
	unsigned long unreadable;
};

static const struct compressor *comp;
static struct stats stats;
static void *lzo_wrkmem;
static ZSTD_CCtx *zstd_cctx;

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("pagesizes: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int lzo_setup(void)
{
	lzo_wrkmem = malloc(LZO1X_1_MEM_COMPRESS);
	return lzo_init() != LZO_E_OK || !lzo_wrkmem;
}

static size_t lzo_comp(const void *src, void *dst)
{
	lzo_uint len = DST_SIZE;

	if (lzo1x_1_compress(src, PG_SIZE, dst, &len, lzo_wrkmem) != LZO_E_OK)
		return 0;
	return len;
}

static int lz4_setup(void)
{
	return LZ4_compressBound(PG_SIZE) > DST_SIZE;
}

static size_t lz4_comp(const void *src, void *dst)
{
	int len = LZ4_compress_default(src, dst, PG_SIZE, DST_SIZE);

	return len > 0 ? len : 0;
}

static int zstd_setup(void)
{
	zstd_cctx = ZSTD_createCCtx();
	return !zstd_cctx || ZSTD_compressBound(PG_SIZE) > DST_SIZE;
}

static size_t zstd_comp(const void *src, void *dst)
{
	size_t len = ZSTD_compressCCtx(zstd_cctx, dst, DST_SIZE, src, PG_SIZE,
				       1);

	return ZSTD_isError(len) ? 0 : len;
}

static const struct compressor compressors[] = {
	{ "lzo", "lzo1x-1 (liblzo2 lzo1x_1_compress)", lzo_setup, lzo_comp },
	{ "lz4", "lz4 (LZ4_compress_default)", lz4_setup, lz4_comp },
	{ "zstd", "zstd level 1 (ZSTD_compressCCtx)", zstd_setup, zstd_comp },
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pagesizes [-c lzo|lz4|zstd] [-p PID]... [FILE]...\n"
		"Writes to stdout the compressed size of each %d-byte page of the\n"
		"private writable anonymous mappings of process PID (read through\n"
		"/proc/PID/mem; unreadable pages are skipped) and of each FILE\n"
		"(the last partial page is zero-padded), one per line, in the\n"
		"trace format of zbud_bench.  Pages filled with one repeated\n"
		"machine word are skipped, as zswap skips them.  A page that does\n"
		"not compress below %d bytes is written as %d.\n"
		"  -c NAME  compressor: lzo (lzo1x-1, default), lz4, zstd (level 1)\n"
		"  -p PID   read a live process; may be given more than once\n"
		"  -h       this help\n", PG_SIZE, PG_SIZE, PG_SIZE);
}

/* zswap_is_page_same_filled() of 6.1: one unsigned long throughout. */
static int same_filled(const void *page)
{
	const unsigned long *w = page;
	size_t i;

	for (i = 1; i < PG_SIZE / sizeof(*w); i++)
		if (w[i] != w[0])
			return 0;
	return 1;
}

static void record(const void *page)
{
	static unsigned char dst[DST_SIZE];
	size_t len;

	stats.pages++;
	if (same_filled(page)) {
		stats.same++;
		return;
	}
	len = comp->compress(page, dst);
	if (!len)
		die("%s failed to compress a page", comp->name);
	if (len > PG_SIZE)
		len = PG_SIZE;
	if (printf("%zu\n", len) < 0)
		die("writing the trace: %s", strerror(errno));
}

/* Reads up to a page, retrying short reads; returns the bytes read. */
static size_t read_page(const char *path, int fd, unsigned char *buf)
{
	size_t got = 0;
	ssize_t n;

	while (got < PG_SIZE) {
		n = read(fd, buf + got, PG_SIZE - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("%s: %s", path, strerror(errno));
		if (!n)
			break;
		got += n;
	}
	return got;
}

static void do_file(const char *path, int fd)
{
	unsigned char page[PG_SIZE];
	size_t n;

	do {
		n = read_page(path, fd, page);
		if (!n)
			break;
		if (n < PG_SIZE)
			memset(page + n, 0, PG_SIZE - n);
		record(page);
	} while (n == PG_SIZE);
	close(fd);
}

/* One maps line: is it private, writable and backed by no file? */
static int anon_rw(const char *line, unsigned long *start,
		   unsigned long *end)
{
	char perms[5], dev[16];
	unsigned long off, inode;
	int name = 0;

	if (sscanf(line, "%lx-%lx %4s %lx %15s %lu %n", start, end, perms,
		   &off, dev, &inode, &name) < 6)
		return -1;
	if (strcmp(perms, "rw-p") || inode)
		return 0;
	/* [heap] and [stack] are anonymous; other [names] are special. */
	if (name && line[name] == '[')
		return !strncmp(line + name, "[heap]", 6) ||
		       !strncmp(line + name, "[stack", 6);
	return !name || line[name] == '\n' || !line[name];
}

static void read_range(const char *pid, int mem, unsigned long start,
		       unsigned long end)
{
	unsigned char page[PG_SIZE];
	unsigned long addr;
	ssize_t n;

	for (addr = start; addr + PG_SIZE <= end; addr += PG_SIZE) {
		n = pread(mem, page, PG_SIZE, addr);
		if (n == PG_SIZE) {
			record(page);
			continue;
		}
		/* Pages that vanished or cannot be faulted in are skipped. */
		if (n >= 0 || errno == EIO || errno == EFAULT) {
			stats.unreadable++;
			continue;
		}
		die("pid %s: reading memory: %s", pid, strerror(errno));
	}
}

struct proc {
	const char *pid;
	FILE *maps;
	int mem;
};

static void open_proc(struct proc *p, const char *pid)
{
	char path[64];
	char *end;
	long v;

	errno = 0;
	v = strtol(pid, &end, 10);
	if (!*pid || *end || v <= 0 || errno)
		die("-p wants a process id, got '%s'", pid);
	p->pid = pid;
	snprintf(path, sizeof(path), "/proc/%ld/maps", v);
	p->maps = fopen(path, "r");
	if (!p->maps)
		die("pid %s: %s: %s", pid, path, strerror(errno));
	snprintf(path, sizeof(path), "/proc/%ld/mem", v);
	p->mem = open(path, O_RDONLY);
	if (p->mem < 0)
		die("pid %s: %s: %s", pid, path, strerror(errno));
}

static void do_proc(struct proc *p)
{
	unsigned long start, end;
	size_t len = 0;
	char *line = NULL;
	int r;

	while (getline(&line, &len, p->maps) != -1) {
		r = anon_rw(line, &start, &end);
		if (r < 0)
			die("pid %s: cannot parse maps line '%s'", p->pid,
			    line);
		if (r)
			read_range(p->pid, p->mem, start, end);
	}
	if (ferror(p->maps))
		die("pid %s: reading maps: %s", p->pid, strerror(errno));
	free(line);
	fclose(p->maps);
	close(p->mem);
}

static const struct compressor *find_compressor(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(compressors); i++)
		if (!strcmp(name, compressors[i].name))
			return &compressors[i];
	die("unknown compressor '%s' (want lzo, lz4 or zstd)", name);
	return NULL;
}

int main(int argc, char **argv)
{
	struct proc *procs;
	struct stat st;
	int *fds, nprocs = 0, i, opt;

	comp = &compressors[0];
	procs = calloc(argc, sizeof(*procs));
	fds = calloc(argc, sizeof(*fds));
	if (!procs || !fds)
		die("out of memory");
	while ((opt = getopt(argc, argv, "c:p:h")) != -1) {
		switch (opt) {
		case 'c':
			comp = find_compressor(optarg);
			break;
		case 'p':
			open_proc(&procs[nprocs++], optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!nprocs && optind == argc)
		die("nothing to read: give -p PID or files (-h for help)");
	/* Open everything first, so that a bad name fails before output. */
	for (i = optind; i < argc; i++) {
		fds[i] = open(argv[i], O_RDONLY);
		if (fds[i] < 0)
			die("%s: %s", argv[i], strerror(errno));
		if (fstat(fds[i], &st))
			die("%s: %s", argv[i], strerror(errno));
		if (S_ISDIR(st.st_mode))
			die("%s: %s", argv[i], strerror(EISDIR));
	}
	if (comp->init())
		die("cannot set up %s", comp->name);

	printf("# pagesizes: compressed sizes of %d-byte pages\n", PG_SIZE);
	printf("# compressor: %s\n", comp->desc);
	for (i = 0; i < nprocs; i++)
		printf("# source: pid %s, private writable anonymous mappings\n",
		       procs[i].pid);
	for (i = optind; i < argc; i++)
		printf("# source: file %s\n", argv[i]);
	printf("# same-filled pages skipped; %d means did not shrink\n",
	       PG_SIZE);
	for (i = 0; i < nprocs; i++)
		do_proc(&procs[i]);
	for (i = optind; i < argc; i++)
		do_file(argv[i], fds[i]);
	printf("# pages %lu, same-filled %lu, written %lu, unreadable %lu\n",
	       stats.pages, stats.same, stats.pages - stats.same,
	       stats.unreadable);
	if (fflush(stdout) || ferror(stdout))
		die("writing the trace: %s", strerror(errno));
	return 0;
}
