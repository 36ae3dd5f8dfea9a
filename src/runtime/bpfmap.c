/*
 * Host views of the arrays and statistics BPF code shares (see
 * stp_map_bpf() in stp_host.h): each operation of a host handler is one
 * system call on the BPF map, so kernel handlers keep running and updating
 * it meanwhile.  A key is the BPF key struct, built from the columns at the
 * offsets the module gives; a statistic is per CPU and merged (hist.c) on
 * every read.  A foreach copies the map into a host map first (map.c) and
 * sorts that, as the original iterates over a sorted copy.
 */
#include "bpfmap.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "bpf.h"

struct bpf_view {
	int fd;
	struct map_layout layout;
	struct stat_params p;
	uint32_t offsets[MAP_MAX_KEYS], sizes[MAP_MAX_KEYS];
	uint32_t key_size, value_size, max_entries;
	bool percpu;
	int ncpus;
	size_t max_string;
	char overflow[64];
	char *key;   /* key_size bytes: the key being built */
	char *value; /* value_size (* ncpus) bytes */
	char *str;   /* a string value read */
	struct stat_agg *merged;
};

static size_t round8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

struct bpf_view *bview_new(const char *name, const char *keytypes, const uint32_t *offsets,
			   const uint32_t *sizes, uint32_t key_size, enum map_type value,
			   const struct stat_params *p, int64_t declared, size_t max_string,
			   map_stats_fn stats_value)
{
	struct bpf_object *obj = bpf_session_object();
	struct bpf_map *m = obj ? bpf_object__find_map_by_name(obj, name) : NULL;
	if (!m)
		return NULL;
	struct bpf_view *bv = calloc(1, sizeof(*bv));
	if (!bv)
		return NULL;
	bv->fd = bpf_map__fd(m);
	bv->layout.nkeys = (unsigned)strlen(keytypes);
	for (unsigned i = 0; i < bv->layout.nkeys && i < MAP_MAX_KEYS; i++) {
		bv->layout.key[i] = keytypes[i] == 's' ? MAP_STRING : MAP_LONG;
		bv->offsets[i] = offsets ? offsets[i] : 0;
		bv->sizes[i] = sizes ? sizes[i] : 8;
	}
	bv->layout.value = value;
	if (value == MAP_STATS) {
		bv->layout.stats_size = stat_size(p);
		bv->layout.stats_value = stats_value;
	}
	bv->p = *p;
	bv->key_size = key_size ? key_size : bpf_map__key_size(m);
	bv->value_size = bpf_map__value_size(m);
	bv->max_entries = bpf_map__max_entries(m);
	enum bpf_map_type t = bpf_map__type(m);
	bv->percpu = t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_ARRAY;
	bv->ncpus = bpf_session_ncpus();
	bv->max_string = max_string;
	if (declared > 0)
		snprintf(bv->overflow, sizeof(bv->overflow),
			 "Array overflow, check size limit (%lld)", (long long)declared);
	else
		snprintf(bv->overflow, sizeof(bv->overflow), "Array overflow, check MAXMAPENTRIES");
	bv->key = calloc(1, bv->key_size + 8);
	bv->value = calloc((size_t)(bv->percpu ? bv->ncpus : 1), round8(bv->value_size) + 8);
	bv->str = calloc(1, max_string + 1);
	if (value == MAP_STATS)
		bv->merged = stat_new(p);
	if (!bv->key || !bv->value || !bv->str || (value == MAP_STATS && !bv->merged)) {
		bview_free(bv);
		return NULL;
	}
	return bv;
}

void bview_free(struct bpf_view *bv)
{
	if (!bv)
		return;
	free(bv->key);
	free(bv->value);
	free(bv->str);
	stat_free(bv->merged);
	free(bv);
}

const char *bview_overflow_message(const struct bpf_view *bv)
{
	return bv->overflow;
}

/* The BPF key of columns k (a scalar's: 0); *too_long when a string is
 * longer than its column, which every stored key fits (the translator
 * sizes the columns): then no element has that key. */
static const void *encode_key(struct bpf_view *bv, const union map_key *k, bool *too_long)
{
	memset(bv->key, 0, bv->key_size);
	*too_long = false;
	if (!k)
		return bv->key;
	for (unsigned i = 0; i < bv->layout.nkeys; i++) {
		char *dst = bv->key + bv->offsets[i];
		if (bv->layout.key[i] == MAP_LONG) {
			memcpy(dst, &k[i].l, 8);
		} else if (bv->sizes[i]) {
			const char *s = k[i].s ? k[i].s : "";
			size_t n = strnlen(s, bv->sizes[i]);
			if (n > bv->sizes[i] - 1) {
				n = bv->sizes[i] - 1;
				*too_long = bv->sizes[i] < bv->max_string;
			}
			memcpy(dst, s, n);
		}
	}
	return bv->key;
}

static const void *encode(struct bpf_view *bv, const union map_key *k)
{
	bool too_long;
	return encode_key(bv, k, &too_long);
}

/* A lookup's key, or NULL when no element can have it. */
static const void *lookup_key(struct bpf_view *bv, const union map_key *k)
{
	bool too_long;
	const void *key = encode_key(bv, k, &too_long);
	return too_long ? NULL : key;
}

/* Columns of a BPF key into k (strings point into the key). */
static void decode(const struct bpf_view *bv, const char *key, union map_key *k)
{
	for (unsigned i = 0; i < bv->layout.nkeys; i++) {
		const char *src = key + bv->offsets[i];
		if (bv->layout.key[i] == MAP_LONG)
			memcpy(&k[i].l, src, 8);
		else
			k[i].s = src;
	}
}

/* Merge the per-CPU statistics at bv->value into bv->merged. */
static const struct stat_agg *merge(struct bpf_view *bv)
{
	const struct stat_agg *parts[1024];
	size_t n = (size_t)(bv->ncpus < 1024 ? bv->ncpus : 1024);
	size_t stride = round8(bv->value_size);
	for (size_t i = 0; i < n; i++)
		parts[i] = (const struct stat_agg *)(bv->value + i * stride);
	stat_merge(bv->merged, parts, n, &bv->p);
	return bv->merged;
}

bool bview_exists(struct bpf_view *bv, const union map_key *k)
{
	const void *key = lookup_key(bv, k);
	return key && bpf_map_lookup_elem(bv->fd, key, bv->value) == 0;
}

int64_t bview_get_long(struct bpf_view *bv, const union map_key *k)
{
	int64_t v = 0;
	const void *key = lookup_key(bv, k);
	if (key && bpf_map_lookup_elem(bv->fd, key, bv->value) == 0)
		memcpy(&v, bv->value, 8);
	return v;
}

const char *bview_get_string(struct bpf_view *bv, const union map_key *k)
{
	bv->str[0] = 0;
	const void *key = lookup_key(bv, k);
	if (key && bpf_map_lookup_elem(bv->fd, key, bv->value) == 0) {
		size_t n = strnlen(bv->value, bv->value_size);
		if (n > bv->max_string - 1)
			n = bv->max_string - 1;
		memcpy(bv->str, bv->value, n);
		bv->str[n] = 0;
	}
	return bv->str;
}

const struct stat_agg *bview_get_stats(struct bpf_view *bv, const union map_key *k)
{
	const void *key = lookup_key(bv, k);
	if (!key || bpf_map_lookup_elem(bv->fd, key, bv->value) != 0)
		return NULL;
	return merge(bv);
}

int bview_set_long(struct bpf_view *bv, const union map_key *k, int64_t v)
{
	return bpf_map_update_elem(bv->fd, encode(bv, k), &v, BPF_ANY) == 0 ? 0 : -ENOSPC;
}

int bview_set_string(struct bpf_view *bv, const union map_key *k, const char *v)
{
	memset(bv->value, 0, bv->value_size);
	size_t n = strnlen(v, bv->value_size - 1);
	memcpy(bv->value, v, n);
	return bpf_map_update_elem(bv->fd, encode(bv, k), bv->value, BPF_ANY) == 0 ? 0 : -ENOSPC;
}

int bview_stat_add(struct bpf_view *bv, const union map_key *k, int64_t v)
{
	const void *key = encode(bv, k);
	size_t stride = round8(bv->value_size);
	if (bpf_map_lookup_elem(bv->fd, key, bv->value) != 0)
		memset(bv->value, 0, stride * (size_t)bv->ncpus);
	/* user space counts on the first CPU's record */
	stat_add((struct stat_agg *)bv->value, &bv->p, v);
	return bpf_map_update_elem(bv->fd, key, bv->value, BPF_ANY) == 0 ? 0 : -ENOSPC;
}

void bview_stat_clear(struct bpf_view *bv)
{
	memset(bv->value, 0, round8(bv->value_size) * (size_t)bv->ncpus);
	bpf_map_update_elem(bv->fd, encode(bv, NULL), bv->value, BPF_ANY);
}

void bview_delete(struct bpf_view *bv, const union map_key *k)
{
	const void *key = lookup_key(bv, k);
	if (key)
		bpf_map_delete_elem(bv->fd, key);
}

void bview_clear(struct bpf_view *bv)
{
	/* the keys there now, then each deleted: kernel handlers may insert
	 * meanwhile (some on the deletions' own system calls), and those stay */
	struct vec keys = {0};
	char *prev = NULL;
	for (;;) {
		char *next = xmalloc(bv->key_size);
		if (bpf_map_get_next_key(bv->fd, prev, next) != 0) {
			free(next);
			break;
		}
		vec_push(&keys, next);
		prev = next;
		if (keys.len > bv->max_entries)
			break; /* never more than the map holds */
	}
	vec_foreach(&keys, i) {
		bpf_map_delete_elem(bv->fd, keys.items[i]);
		free(keys.items[i]);
	}
	vec_fini(&keys);
}

int64_t bview_count(struct bpf_view *bv)
{
	char *cur = malloc(bv->key_size), *next = malloc(bv->key_size);
	int64_t n = 0;
	if (cur && next) {
		void *prev = NULL;
		/* a key deleted meanwhile restarts the walk: bounded */
		while (n <= (int64_t)bv->max_entries &&
		       bpf_map_get_next_key(bv->fd, prev, next) == 0) {
			n++;
			memcpy(cur, next, bv->key_size);
			prev = cur;
		}
	}
	free(cur);
	free(next);
	return n;
}

/* Key order for a copy: column by column, longs as numbers. */
static const struct bpf_view *sort_view;

static int cmp_keys(const void *a, const void *b)
{
	const struct bpf_view *bv = sort_view;
	const char *ka = *(const char *const *)a, *kb = *(const char *const *)b;
	for (unsigned i = 0; i < bv->layout.nkeys; i++) {
		const char *pa = ka + bv->offsets[i], *pb = kb + bv->offsets[i];
		if (bv->layout.key[i] == MAP_LONG) {
			int64_t x, y;
			memcpy(&x, pa, 8);
			memcpy(&y, pb, 8);
			if (x != y)
				return x < y ? -1 : 1;
		} else {
			int r = strncmp(pa, pb, bv->sizes[i]);
			if (r)
				return r;
		}
	}
	return 0;
}

struct map *bview_snapshot(struct bpf_view *bv)
{
	struct map_limits limits = {
		.max_entries = bv->max_entries ? bv->max_entries : 1,
		.max_string = (uint32_t)bv->max_string,
	};
	struct map *m = map_new(&bv->layout, &limits);
	/* the keys first; a BPF hash map walks in no fixed order, so the copy
	 * is made in key order: an unsorted foreach over it is repeatable
	 * (the original's is in insertion order, which BPF does not keep) */
	struct vec keys = {0};
	char *prev = NULL;
	for (;;) {
		char *next = xmalloc(bv->key_size);
		if (bpf_map_get_next_key(bv->fd, prev, next) != 0) {
			free(next);
			break;
		}
		vec_push(&keys, next);
		prev = next;
		if (keys.len > bv->max_entries)
			break;
	}
	sort_view = bv;
	if (keys.len > 1)
		qsort(keys.items, keys.len, sizeof(void *), cmp_keys);
	union map_key k[MAP_MAX_KEYS];
	vec_foreach(&keys, i) {
		const char *key = keys.items[i];
		if (!m || bpf_map_lookup_elem(bv->fd, key, bv->value) != 0)
			continue; /* deleted meanwhile */
		decode(bv, key, k);
		if (bv->layout.value == MAP_LONG) {
			int64_t v;
			memcpy(&v, bv->value, 8);
			map_set_long(m, k, v);
		} else if (bv->layout.value == MAP_STRING) {
			map_set_string(m, k, bv->value);
		} else {
			void *s = map_ref_stats(m, k);
			if (s)
				memcpy(s, merge(bv), bv->layout.stats_size);
		}
	}
	vec_foreach(&keys, i)
		free(keys.items[i]);
	vec_fini(&keys);
	return m;
}

const struct stat_agg *bview_get_stats_raw(struct bpf_view *bv, const void *key)
{
	if (bpf_map_lookup_elem(bv->fd, key, bv->value) != 0)
		return NULL;
	return merge(bv);
}
