/*
 * Associative arrays for the host runtime (see map.h for the semantics).
 *
 * An element is a fixed-size slot: a small header (its neighbours in the
 * insertion-order list, its hash, a generation number bumped each time the
 * slot is freed), the key columns as union map_key (strings point to a copy
 * the slot owns), then the value.  Slots are handed out from chunks that
 * double in size and never move, so pointers to values stay valid while the
 * map grows; freed slots go on a free list and keep their string-value
 * buffer for the next element.
 *
 * The hash table holds (hash, slot index) pairs, probed linearly from the
 * hash and kept at most half full; a deletion shifts the following entries
 * of its run back instead of leaving a tombstone, so lookups never slow down
 * with churn.  The hash of a key folds each column (a long as it is, a
 * string eight bytes at a time) into 64 bits and finishes with a full
 * avalanche, so sequential integers spread well.
 *
 * A foreach copies (slot, generation, sort key) triples into one array:
 * deleted elements are recognised by their generation, and sorting touches
 * only the array.  The sorts reproduce the orders the original's in-place
 * list sorts produce (stable merge sort; for a limit of 1..30, a partial
 * sort whose leftover order we rebuild), then relink the list to match.
 */
#include "map.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"

#define NONE        UINT32_MAX
#define CHUNK0_BITS 4 /* the first chunk holds 16 slots, each next one twice as many */
#define MAX_CHUNKS  29
/* Far more than memory holds; keeps slot indexes and the table size in 32 bits. */
#define MAX_ENTRIES (UINT32_C(1) << 30)
/* The original sorts the whole list unless 1 <= limit <= 30. */
#define PARTIAL_SORT_MAX 30

struct map_entry {
	uint32_t prev, next; /* insertion order; next also chains the free list */
	uint32_t hash;
	uint32_t gen;
	union map_key key[]; /* then the value, at map->value_off */
};

/* A string value: a buffer that grows as needed and stays with the slot. */
struct str_value {
	char *buf; /* NULL reads as "" */
	size_t cap;
};

struct bucket {
	uint32_t hash;
	uint32_t ref; /* slot index + 1; 0: empty, so a fresh table is calloc'd */
};

struct map_snap {
	union {
		int64_t l;
		const char *s;
	} sort;
	uint32_t idx;
	uint32_t gen;
};

struct map {
	struct map_layout layout;
	uint32_t max_entries;
	uint32_t max_string;
	bool wrap;
	bool has_string_key;
	size_t value_off;
	size_t value_size;
	size_t slot_size;

	char *chunks[MAX_CHUNKS];
	uint32_t nslots; /* slots ever handed out */
	uint32_t free_head;

	uint32_t count;
	uint32_t head, tail;

	struct bucket *buckets;
	uint32_t mask; /* buckets - 1 */

	char overflow[64];
};

/* A key being looked up, with its string columns measured once. */
struct probe {
	const union map_key *key;
	size_t len[MAP_MAX_KEYS];
	uint32_t hash;
};

/* ---- slots ---- */

/* calloc, which gets fresh zero pages from the kernel for big blocks instead
 * of writing zeros; dies like xmalloc when memory is out. */
static void *zalloc(size_t size)
{
	void *p = calloc(1, size);
	if (!p) {
		fputs("stap: out of memory\n", stderr);
		abort();
	}
	return p;
}

static struct map_entry *slot(const struct map *m, uint32_t idx)
{
	uint32_t q = (idx >> CHUNK0_BITS) + 1;
	unsigned k = 31 - (unsigned)__builtin_clz(q);
	size_t first = (((size_t)1 << k) - 1) << CHUNK0_BITS;
	return (struct map_entry *)(m->chunks[k] + (idx - first) * m->slot_size);
}

static void *value_of(const struct map *m, const struct map_entry *e)
{
	return (char *)e + m->value_off;
}

static uint32_t alloc_slot(struct map *m)
{
	if (m->free_head != NONE) {
		uint32_t idx = m->free_head;
		m->free_head = slot(m, idx)->next;
		return idx;
	}
	uint32_t idx = m->nslots;
	uint32_t q = (idx >> CHUNK0_BITS) + 1;
	unsigned k = 31 - (unsigned)__builtin_clz(q);
	if (!m->chunks[k]) {
		/* The chunk's share of the slots, up to the map's capacity. */
		size_t first = (((size_t)1 << k) - 1) << CHUNK0_BITS;
		size_t n = (size_t)1 << (k + CHUNK0_BITS);
		if (n > m->max_entries - first)
			n = m->max_entries - first;
		/* Zeroed: a fresh slot has generation 0 and no string buffer. */
		m->chunks[k] = zalloc(n * m->slot_size);
	}
	m->nslots++;
	return idx;
}

/* ---- hashing ---- */

#define HASH_MUL 0x9e3779b97f4a7c15ULL

static uint64_t fold(uint64_t h, uint64_t v)
{
	h = (h ^ v) * HASH_MUL;
	return (h << 29) | (h >> 35);
}

static uint64_t finish(uint64_t h)
{
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 29;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 32;
	return h;
}

static uint64_t fold_bytes(uint64_t h, const char *s, size_t len)
{
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		h = fold(h, w);
	}
	uint64_t w = 0;
	memcpy(&w, s + i, len - i);
	return fold(h, w ^ ((uint64_t)len << 56));
}

static void probe_init(const struct map *m, struct probe *p, const union map_key *key)
{
	uint64_t h = 0x243f6a8885a308d3ULL;
	p->key = key;
	for (unsigned i = 0; i < m->layout.nkeys; i++) {
		if (m->layout.key[i] == MAP_LONG) {
			h = fold(h, (uint64_t)key[i].l);
		} else {
			const char *s = key[i].s ? key[i].s : "";
			p->len[i] = strnlen(s, m->max_string - 1);
			h = fold_bytes(h, s, p->len[i]);
		}
	}
	h = finish(h);
	p->hash = (uint32_t)(h ^ (h >> 32));
}

static bool key_equal(const struct map *m, const struct map_entry *e, const struct probe *p)
{
	for (unsigned i = 0; i < m->layout.nkeys; i++) {
		if (m->layout.key[i] == MAP_LONG) {
			if (e->key[i].l != p->key[i].l)
				return false;
		} else {
			const char *s = p->key[i].s ? p->key[i].s : "";
			size_t len = p->len[i];
			if (memcmp(e->key[i].s, s, len) != 0 || e->key[i].s[len] != '\0')
				return false;
		}
	}
	return true;
}

/* ---- the hash table ---- */

/* The bucket holding the key, or NONE. */
static uint32_t find_bucket(const struct map *m, const struct probe *p)
{
	for (uint32_t i = p->hash & m->mask;; i = (i + 1) & m->mask) {
		const struct bucket *b = &m->buckets[i];
		if (b->ref == 0)
			return NONE;
		if (b->hash == p->hash && key_equal(m, slot(m, b->ref - 1), p))
			return i;
	}
}

static struct map_entry *find(const struct map *m, const struct probe *p)
{
	uint32_t b = find_bucket(m, p);
	return b == NONE ? NULL : slot(m, m->buckets[b].ref - 1);
}

static void table_put(struct bucket *buckets, uint32_t mask, uint32_t hash, uint32_t idx)
{
	uint32_t i = hash & mask;
	while (buckets[i].ref != 0)
		i = (i + 1) & mask;
	buckets[i].hash = hash;
	buckets[i].ref = idx + 1;
}

static void table_alloc(struct map *m, uint32_t nbuckets)
{
	m->buckets = zalloc((size_t)nbuckets * sizeof(*m->buckets));
	m->mask = nbuckets - 1;
}

static void table_grow(struct map *m)
{
	struct bucket *old = m->buckets;
	uint32_t n = m->mask + 1;
	table_alloc(m, n * 2);
	for (uint32_t i = 0; i < n; i++)
		if (old[i].ref != 0)
			table_put(m->buckets, m->mask, old[i].hash, old[i].ref - 1);
	free(old);
}

/* Empties bucket i, moving back the entries after it that may fill the hole. */
static void table_remove(struct map *m, uint32_t i)
{
	uint32_t j = i;
	for (;;) {
		j = (j + 1) & m->mask;
		if (m->buckets[j].ref == 0)
			break;
		uint32_t home = m->buckets[j].hash & m->mask;
		/* Movable when the hole lies between its home and j. */
		if (((j - home) & m->mask) >= ((j - i) & m->mask)) {
			m->buckets[i] = m->buckets[j];
			i = j;
		}
	}
	m->buckets[i].ref = 0;
}

/* ---- elements ---- */

static void list_unlink(struct map *m, struct map_entry *e)
{
	if (e->prev != NONE)
		slot(m, e->prev)->next = e->next;
	else
		m->head = e->next;
	if (e->next != NONE)
		slot(m, e->next)->prev = e->prev;
	else
		m->tail = e->prev;
}

static void list_append(struct map *m, struct map_entry *e, uint32_t idx)
{
	e->prev = m->tail;
	e->next = NONE;
	if (m->tail != NONE)
		slot(m, m->tail)->next = idx;
	else
		m->head = idx;
	m->tail = idx;
}

/* Frees an element already out of the table and the list. */
static void release(struct map *m, struct map_entry *e, uint32_t idx)
{
	for (unsigned i = 0; i < m->layout.nkeys; i++) {
		if (m->layout.key[i] == MAP_STRING) {
			free((char *)e->key[i].s);
			e->key[i].s = NULL;
		}
	}
	e->gen++;
	e->next = m->free_head;
	m->free_head = idx;
	m->count--;
}

static uint32_t index_of(const struct map *m, const struct map_entry *e)
{
	uint32_t i = e->hash & m->mask;
	while (m->buckets[i].ref == 0 || slot(m, m->buckets[i].ref - 1) != e)
		i = (i + 1) & m->mask;
	return i;
}

static void remove_entry(struct map *m, struct map_entry *e)
{
	uint32_t b = index_of(m, e);
	uint32_t idx = m->buckets[b].ref - 1;
	table_remove(m, b);
	list_unlink(m, e);
	release(m, e, idx);
}

static void init_value(struct map *m, struct map_entry *e)
{
	void *v = value_of(m, e);
	switch (m->layout.value) {
	case MAP_LONG:
		*(int64_t *)v = 0;
		break;
	case MAP_STRING: {
		struct str_value *sv = v;
		if (sv->buf)
			sv->buf[0] = '\0';
		break;
	}
	case MAP_STATS:
		memset(v, 0, m->layout.stats_size);
		break;
	}
}

/* The element for the key, created if missing; NULL when the map is full.
 * A string value is left as the slot had it when the caller stores one next:
 * the new value may be the evicted element's, whose buffer the new element
 * inherits. */
static struct map_entry *find_or_insert(struct map *m, const struct probe *p, bool will_store)
{
	struct map_entry *e = find(m, p);
	if (e)
		return e;

	bool full = m->count >= m->max_entries;
	if (full && !m->wrap)
		return NULL;

	/* Copy the string columns before evicting: the key may point into the
	 * element that goes. */
	char *copies[MAP_MAX_KEYS];
	if (m->has_string_key) {
		for (unsigned i = 0; i < m->layout.nkeys; i++) {
			if (m->layout.key[i] != MAP_STRING)
				continue;
			const char *s = p->key[i].s ? p->key[i].s : "";
			copies[i] = xmalloc(p->len[i] + 1);
			memcpy(copies[i], s, p->len[i]);
			copies[i][p->len[i]] = '\0';
		}
	}
	if (full)
		remove_entry(m, slot(m, m->head));

	if ((size_t)(m->count + 1) * 2 > (size_t)m->mask + 1)
		table_grow(m);

	uint32_t idx = alloc_slot(m);
	e = slot(m, idx);
	e->hash = p->hash;
	for (unsigned i = 0; i < m->layout.nkeys; i++) {
		if (m->layout.key[i] == MAP_LONG)
			e->key[i].l = p->key[i].l;
		else
			e->key[i].s = copies[i];
	}
	if (!will_store)
		init_value(m, e);
	table_put(m->buckets, m->mask, p->hash, idx);
	list_append(m, e, idx);
	m->count++;
	return e;
}

static void store_string(struct map *m, struct map_entry *e, const char *s)
{
	struct str_value *sv = value_of(m, e);
	if (!s)
		s = "";
	size_t len = strnlen(s, m->max_string - 1);
	if (len + 1 > sv->cap) {
		size_t cap = 16;
		while (cap < len + 1)
			cap *= 2;
		if (cap > m->max_string)
			cap = m->max_string;
		/* s cannot be this buffer: it would fit. */
		sv->buf = xrealloc(sv->buf, cap);
		sv->cap = cap;
	}
	memmove(sv->buf, s, len);
	sv->buf[len] = '\0';
}

static const char *string_of(const struct map *m, const struct map_entry *e)
{
	const struct str_value *sv = value_of(m, e);
	return sv->buf ? sv->buf : "";
}

/* ---- the public operations ---- */

struct map *map_new(const struct map_layout *layout, const struct map_limits *limits)
{
	if (layout->nkeys < 1 || layout->nkeys > MAP_MAX_KEYS)
		return NULL;
	for (unsigned i = 0; i < layout->nkeys; i++)
		if (layout->key[i] != MAP_LONG && layout->key[i] != MAP_STRING)
			return NULL;
	if (layout->value == MAP_STATS && layout->stats_size == 0)
		return NULL;
	if (layout->value != MAP_LONG && layout->value != MAP_STRING && layout->value != MAP_STATS)
		return NULL;

	struct map *m = xmalloc(sizeof(*m));
	memset(m, 0, sizeof(*m));
	m->layout = *layout;
	struct map_limits none = {0};
	if (!limits)
		limits = &none;
	m->max_entries = limits->max_entries ? limits->max_entries : MAP_DEFAULT_MAX_ENTRIES;
	if (m->max_entries > MAX_ENTRIES)
		m->max_entries = MAX_ENTRIES;
	m->max_string = limits->max_string ? limits->max_string : MAP_DEFAULT_MAX_STRING;
	m->wrap = limits->wrap;
	for (unsigned i = 0; i < layout->nkeys; i++)
		if (layout->key[i] == MAP_STRING)
			m->has_string_key = true;

	switch (layout->value) {
	case MAP_LONG:
		m->value_size = sizeof(int64_t);
		break;
	case MAP_STRING:
		m->value_size = sizeof(struct str_value);
		break;
	case MAP_STATS:
		m->value_size = (layout->stats_size + 7) & ~(size_t)7;
		break;
	}
	m->value_off = sizeof(struct map_entry) + layout->nkeys * sizeof(union map_key);
	m->slot_size = (m->value_off + m->value_size + 7) & ~(size_t)7;

	m->free_head = NONE;
	m->head = m->tail = NONE;
	table_alloc(m, 16);

	if (limits->declared)
		snprintf(m->overflow, sizeof(m->overflow), "Array overflow, check size limit (%u)",
			 (unsigned)m->max_entries);
	else
		snprintf(m->overflow, sizeof(m->overflow), "Array overflow, check MAXMAPENTRIES");
	return m;
}

void map_free(struct map *m)
{
	if (!m)
		return;
	for (uint32_t idx = m->head; idx != NONE;) {
		struct map_entry *e = slot(m, idx);
		idx = e->next;
		for (unsigned i = 0; i < m->layout.nkeys; i++)
			if (m->layout.key[i] == MAP_STRING)
				free((char *)e->key[i].s);
	}
	if (m->layout.value == MAP_STRING)
		for (uint32_t idx = 0; idx < m->nslots; idx++)
			free(((struct str_value *)value_of(m, slot(m, idx)))->buf);
	for (unsigned k = 0; k < MAX_CHUNKS; k++)
		free(m->chunks[k]);
	free(m->buckets);
	free(m);
}

const struct map_layout *map_layout(const struct map *m)
{
	return &m->layout;
}

size_t map_count(const struct map *m)
{
	return m->count;
}

const char *map_overflow_message(const struct map *m)
{
	return m->overflow;
}

bool map_exists(const struct map *m, const union map_key *key)
{
	struct probe p;
	probe_init(m, &p, key);
	return find(m, &p) != NULL;
}

int64_t map_get_long(const struct map *m, const union map_key *key)
{
	struct probe p;
	probe_init(m, &p, key);
	struct map_entry *e = find(m, &p);
	return e ? *(int64_t *)value_of(m, e) : 0;
}

const char *map_get_string(const struct map *m, const union map_key *key)
{
	struct probe p;
	probe_init(m, &p, key);
	struct map_entry *e = find(m, &p);
	return e ? string_of(m, e) : "";
}

const void *map_get_stats(const struct map *m, const union map_key *key)
{
	struct probe p;
	probe_init(m, &p, key);
	struct map_entry *e = find(m, &p);
	return e ? value_of(m, e) : NULL;
}

int map_set_long(struct map *m, const union map_key *key, int64_t value)
{
	int64_t *v = map_ref_long(m, key);
	if (!v)
		return -ENOSPC;
	*v = value;
	return 0;
}

int map_set_string(struct map *m, const union map_key *key, const char *value)
{
	struct probe p;
	probe_init(m, &p, key);
	struct map_entry *e = find_or_insert(m, &p, true);
	if (!e)
		return -ENOSPC;
	store_string(m, e, value);
	return 0;
}

int64_t *map_ref_long(struct map *m, const union map_key *key)
{
	struct probe p;
	probe_init(m, &p, key);
	struct map_entry *e = find_or_insert(m, &p, false);
	return e ? value_of(m, e) : NULL;
}

void *map_ref_stats(struct map *m, const union map_key *key)
{
	struct probe p;
	probe_init(m, &p, key);
	struct map_entry *e = find_or_insert(m, &p, false);
	return e ? value_of(m, e) : NULL;
}

bool map_delete(struct map *m, const union map_key *key)
{
	struct probe p;
	probe_init(m, &p, key);
	uint32_t b = find_bucket(m, &p);
	if (b == NONE)
		return false;
	uint32_t idx = m->buckets[b].ref - 1;
	struct map_entry *e = slot(m, idx);
	table_remove(m, b);
	list_unlink(m, e);
	release(m, e, idx);
	return true;
}

void map_clear(struct map *m)
{
	for (uint32_t idx = m->head; idx != NONE;) {
		struct map_entry *e = slot(m, idx);
		uint32_t next = e->next;
		release(m, e, idx);
		idx = next;
	}
	m->head = m->tail = NONE;
	memset(m->buckets, 0, ((size_t)m->mask + 1) * sizeof(*m->buckets));
}

/* ---- foreach ---- */

struct sorter {
	bool is_string;
	enum map_dir dir;
};

/* Whether a belongs strictly after b: equal elements never move past each
 * other, which is what makes both sorts stable. */
static bool goes_after(const struct sorter *s, const struct map_snap *a, const struct map_snap *b)
{
	int c;
	if (s->is_string)
		c = strcmp(a->sort.s, b->sort.s);
	else
		c = (a->sort.l > b->sort.l) - (a->sort.l < b->sort.l);
	return s->dir == MAP_ASCENDING ? c > 0 : c < 0;
}

/* Bottom-up merge sort of v[0..n) using tmp[0..n). */
static void merge_sort(const struct sorter *s, struct map_snap *v, struct map_snap *tmp, size_t n)
{
	struct map_snap *src = v, *dst = tmp;
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				dst[k++] = goes_after(s, &src[i], &src[j]) ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		struct map_snap *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
}

/*
 * The order the original leaves behind when asked for the top n (1..30):
 * it sorts the first n elements, then walks the rest; an element that beats
 * the current n-th is inserted among the top n (after its equals) and
 * pushes the n-th out to just behind the top.  The list ends up as the top
 * n, the pushed-out elements (last pushed first), then the elements that
 * never entered, in their old order.  The top n equal a stable sort's.
 */
static void partial_sort(const struct sorter *s, struct map_snap *v, struct map_snap *tmp,
			 size_t len, size_t n)
{
	struct map_snap top[PARTIAL_SORT_MAX];
	size_t m = n < len ? n : len;

	for (size_t i = 0; i < m; i++) {
		size_t j = i;
		while (j > 0 && goes_after(s, &top[j - 1], &v[i])) {
			top[j] = top[j - 1];
			j--;
		}
		top[j] = v[i];
	}

	size_t rest = 0, pushed = 0;
	for (size_t i = m; i < len; i++) {
		if (!goes_after(s, &top[m - 1], &v[i])) {
			tmp[rest++] = v[i];
			continue;
		}
		tmp[len - 1 - pushed++] = top[m - 1];
		size_t j = m - 1;
		while (j > 0 && goes_after(s, &top[j - 1], &v[i])) {
			top[j] = top[j - 1];
			j--;
		}
		top[j] = v[i];
	}

	memcpy(v, top, m * sizeof(*v));
	memcpy(v + m, tmp + len - pushed, pushed * sizeof(*v));
	memcpy(v + m + pushed, tmp, rest * sizeof(*v));
}

/* Makes the list follow the snapshot, as the original's in-place sort does. */
static void relink(struct map *m, const struct map_snap *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct map_entry *e = slot(m, v[i].idx);
		e->prev = i > 0 ? v[i - 1].idx : NONE;
		e->next = i + 1 < n ? v[i + 1].idx : NONE;
	}
	m->head = v[0].idx;
	m->tail = v[n - 1].idx;
}

static void snap_sort_key(struct map *m, const struct map_order *order, struct map_snap *sn,
			  const struct map_entry *e)
{
	if (order->column > 0) {
		sn->sort.l = 0;
		if (m->layout.key[order->column - 1] == MAP_STRING)
			sn->sort.s = e->key[order->column - 1].s;
		else
			sn->sort.l = e->key[order->column - 1].l;
		return;
	}
	switch (m->layout.value) {
	case MAP_LONG:
		sn->sort.l = *(const int64_t *)value_of(m, e);
		break;
	case MAP_STRING:
		sn->sort.s = string_of(m, e);
		break;
	case MAP_STATS:
		sn->sort.l = m->layout.stats_value
				     ? m->layout.stats_value(value_of(m, e), order->agg)
				     : 0;
		break;
	}
}

void map_iter_init(struct map_iter *it, struct map *m, const struct map_order *order)
{
	bool sorted = order && order->dir != MAP_UNSORTED && order->column <= m->layout.nkeys;
	size_t n = m->count;

	memset(it, 0, sizeof(*it));
	it->map = m;
	it->left = INT64_MAX;
	if (order && order->has_limit)
		it->left = order->limit > 0 ? order->limit : 0;
	if (n == 0)
		return;

	it->snap = xmalloc((sorted ? 2 : 1) * n * sizeof(*it->snap));
	it->len = n;
	size_t i = 0;
	for (uint32_t idx = m->head; idx != NONE; idx = slot(m, idx)->next, i++) {
		struct map_entry *e = slot(m, idx);
		struct map_snap *sn = &it->snap[i];
		sn->idx = idx;
		sn->gen = e->gen;
		sn->sort.l = 0;
		if (sorted)
			snap_sort_key(m, order, sn, e);
	}
	if (!sorted)
		return;

	struct sorter s = {
		.dir = order->dir,
		.is_string = order->column > 0 ? m->layout.key[order->column - 1] == MAP_STRING
					       : m->layout.value == MAP_STRING,
	};
	/* The original hands the limit to an int; 0 or above 30 sorts all,
	 * below 0 behaves as 1. */
	int32_t top = order->has_limit ? (int32_t)(uint32_t)(uint64_t)order->limit : 0;
	if (top == 0 || top > PARTIAL_SORT_MAX)
		merge_sort(&s, it->snap, it->snap + n, n);
	else
		partial_sort(&s, it->snap, it->snap + n, n, top < 1 ? 1 : (size_t)top);
	if (m->layout.value != MAP_STATS)
		relink(m, it->snap, n);
}

bool map_iter_next(struct map_iter *it)
{
	while (it->left > 0 && it->pos < it->len) {
		const struct map_snap *sn = &it->snap[it->pos++];
		struct map_entry *e = slot(it->map, sn->idx);
		if (e->gen != sn->gen)
			continue;
		it->cur = e;
		it->cur_gen = sn->gen;
		it->left--;
		return true;
	}
	it->cur = NULL;
	return false;
}

static bool is_live(const struct map_iter *it)
{
	return it->cur && it->cur->gen == it->cur_gen;
}

const union map_key *map_iter_key(const struct map_iter *it)
{
	return it->cur->key;
}

int64_t map_iter_long(const struct map_iter *it)
{
	return is_live(it) ? *(const int64_t *)value_of(it->map, it->cur) : 0;
}

const char *map_iter_string(const struct map_iter *it)
{
	return is_live(it) ? string_of(it->map, it->cur) : "";
}

const void *map_iter_stats(const struct map_iter *it)
{
	return is_live(it) ? value_of(it->map, it->cur) : NULL;
}

void map_iter_fini(struct map_iter *it)
{
	free(it->snap);
	it->snap = NULL;
	it->len = it->pos = 0;
	it->cur = NULL;
}
