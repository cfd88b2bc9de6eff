// SPDX-License-Identifier: GPL-2.0-only
/*
 * The xarray calls zbud needs, as a chained hash table under xa_lock.
 * Only the semantics zbud relies on are kept: one entry per index,
 * xa_insert() refuses a taken index with -EBUSY and can fail with -ENOMEM,
 * xa_erase() returns what it removed.
 */
#include <errno.h>
#include <stdlib.h>
#include <linux/gfp.h>
#include <linux/xarray.h>
#include "harness.h"

struct xa_slot {
	struct xa_slot *next;
	unsigned long index;
	void *entry;
};

static unsigned long xa_bucket(const struct xarray *xa, unsigned long index)
{
	unsigned long h = index * 0x9e3779b97f4a7c15UL;

	return (h ^ (h >> 32)) & (xa->buckets - 1);
}

void xa_init_flags(struct xarray *xa, gfp_t flags)
{
	pthread_mutex_init(&xa->xa_lock, NULL);
	xa->table = NULL;
	xa->buckets = 0;
	xa->count = 0;
}

static struct xa_slot **xa_find(struct xarray *xa, unsigned long index)
{
	struct xa_slot **link;

	if (!xa->buckets)
		return NULL;
	link = &xa->table[xa_bucket(xa, index)];
	while (*link && (*link)->index != index)
		link = &(*link)->next;
	return link;
}

void *xa_load(struct xarray *xa, unsigned long index)
{
	struct xa_slot **link;
	void *entry = NULL;

	pthread_mutex_lock(&xa->xa_lock);
	link = xa_find(xa, index);
	if (link && *link)
		entry = (*link)->entry;
	pthread_mutex_unlock(&xa->xa_lock);
	return entry;
}

/* Doubles the table; returns false if memory ran out, which is harmless. */
static bool xa_grow(struct xarray *xa)
{
	unsigned long old_buckets = xa->buckets, i;
	struct xa_slot **old = xa->table, *slot;

	xa->buckets = old_buckets ? old_buckets * 2 : 64;
	xa->table = calloc(xa->buckets, sizeof(*xa->table));
	if (!xa->table) {
		xa->table = old;
		xa->buckets = old_buckets;
		return false;
	}
	for (i = 0; i < old_buckets; i++) {
		while ((slot = old[i])) {
			struct xa_slot **head;

			old[i] = slot->next;
			head = &xa->table[xa_bucket(xa, slot->index)];
			slot->next = *head;
			*head = slot;
		}
	}
	free(old);
	return true;
}

int xa_insert(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp)
{
	struct xa_slot **link, *slot;
	int err = 0;

	if (gfpflags_allow_blocking(gfp) && shim_locks_held)
		shim_atomic_sleep("xa_insert");
	if (!entry || ((unsigned long)entry & 3) == 2)
		return -EINVAL;	/* reserving, or an internal entry */
	pthread_mutex_lock(&xa->xa_lock);
	if (should_fail(&fail_xa_insert)) {
		err = -ENOMEM;
		goto out;
	}
	if (xa->count >= xa->buckets && !xa_grow(xa) && !xa->buckets) {
		err = -ENOMEM;
		goto out;
	}
	link = xa_find(xa, index);
	if (*link) {
		err = -EBUSY;
		goto out;
	}
	slot = malloc(sizeof(*slot));
	if (!slot) {
		err = -ENOMEM;
		goto out;
	}
	slot->next = NULL;
	slot->index = index;
	slot->entry = entry;
	*link = slot;
	xa->count++;
out:
	pthread_mutex_unlock(&xa->xa_lock);
	return err;
}

void *xa_erase(struct xarray *xa, unsigned long index)
{
	struct xa_slot **link, *slot;
	void *entry = NULL;

	pthread_mutex_lock(&xa->xa_lock);
	link = xa_find(xa, index);
	if (link && *link) {
		slot = *link;
		*link = slot->next;
		entry = slot->entry;
		free(slot);
		xa->count--;
	}
	pthread_mutex_unlock(&xa->xa_lock);
	return entry;
}

bool xa_empty(struct xarray *xa)
{
	bool empty;

	pthread_mutex_lock(&xa->xa_lock);
	empty = !xa->count;
	pthread_mutex_unlock(&xa->xa_lock);
	return empty;
}

void xa_destroy(struct xarray *xa)
{
	unsigned long i;
	struct xa_slot *slot;

	pthread_mutex_lock(&xa->xa_lock);
	for (i = 0; i < xa->buckets; i++) {
		while ((slot = xa->table[i])) {
			xa->table[i] = slot->next;
			free(slot);
		}
	}
	free(xa->table);
	xa->table = NULL;
	xa->buckets = 0;
	xa->count = 0;
	pthread_mutex_unlock(&xa->xa_lock);
}
