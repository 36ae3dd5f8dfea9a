/*
 * Associative arrays for the host runtime: the data structure behind a
 * SystemTap global array when its handlers run in user space.  A map is keyed
 * by a tuple of 1..9 columns, each a 64-bit integer or a string, and holds a
 * long, a string or a statistics aggregate (an opaque blob of a size the
 * caller gives; the statistics code owns what is inside).
 *
 * Entries live in slabs that never move, found through an open-addressing
 * hash table (linear probing, backward-shift deletion, no tombstones) and
 * chained in a doubly linked list that keeps the order the elements were
 * inserted in.  A long-only key costs no allocation; a string key column is
 * copied once when its element is created.
 *
 * Semantics follow SystemTap 4.8's kernel runtime (runtime/map.c), which is
 * the reference for the language:
 *
 *  - Reading a missing element gives 0, "" or NULL (statistics) and does not
 *    create it; setting an element, even to 0 or "", creates it.
 *  - Strings, keys and values, are cut to MAXSTRINGLEN - 1 bytes (the limit
 *    counts the NUL), byte-wise like strlcpy, so keys that differ only after
 *    that point name the same element.  (The original compares the cut keys
 *    but hashes the whole string, so there an over-long key can miss its own
 *    element; script strings never are, and we hash the cut key.)
 *  - Inserting into a full map fails with -ENOSPC; the caller reports
 *    map_overflow_message() as "ERROR: <message> near identifier 'a' at
 *    FILE:L:C".  Updating an existing element of a full map succeeds.
 *  - A wrap-around map (global a%[N]) instead evicts the element at the head
 *    of its list: the oldest inserted (updating a value does not make an
 *    element younger), unless a sorted foreach reordered the list.
 *  - foreach visits the elements in list order, or sorted on one column with
 *    a *stable* sort, so ties keep list order.  Like the original, which
 *    sorts the array's own list in place, a sorted foreach over a long or
 *    string array leaves the array in that order: a later unsorted foreach,
 *    the tie order of a later sort and the victim of a wrap-around eviction
 *    all see it.  With a limit of 1..30 the original keeps only the top N in
 *    order and leaves the rest partly shuffled; we reproduce that order too.
 *    A statistics array is sorted on a copy (the original sorts its
 *    aggregated per-CPU copy), so its own order never changes.
 *  - A foreach iterates over a snapshot of the elements taken when it starts:
 *    deleting the current element, any other element or the whole array
 *    inside the loop is safe, elements deleted before being reached are
 *    skipped, and elements inserted during the loop are not visited.  (The
 *    translator rejects modifying an array inside a foreach over it, except
 *    "delete a"; in the original that case walks freed nodes.)
 *  - A foreach over a slice (a[1,*]) is filtered by the caller, which counts
 *    the limit before filtering as the original does.
 *
 * Nothing here is thread-safe: the caller holds the global's lock.
 */
#ifndef STAP_RUNTIME_MAP_H
#define STAP_RUNTIME_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAP_MAX_KEYS 9
/* The original's defaults: MAXMAPENTRIES, and MAXSTRINGLEN on 64-bit machines
 * (language reference section 1.6; man stap still says 128). */
#define MAP_DEFAULT_MAX_ENTRIES 2048
#define MAP_DEFAULT_MAX_STRING  512

enum map_type {
	MAP_LONG,
	MAP_STRING,
	MAP_STATS, /* values only */
};

/* What a foreach on a statistics array sorts by: "foreach (k in s @sum-)". */
enum map_agg {
	MAP_AGG_COUNT, /* the default when no @op is written */
	MAP_AGG_SUM,
	MAP_AGG_MIN,
	MAP_AGG_MAX,
	MAP_AGG_AVG,
};

/* Gives one aggregate of a statistics blob, for sorting. */
typedef int64_t (*map_stats_fn)(const void *stats, enum map_agg agg);

/* The shape of a map's elements. */
struct map_layout {
	unsigned nkeys;                  /* 1..MAP_MAX_KEYS */
	enum map_type key[MAP_MAX_KEYS]; /* MAP_LONG or MAP_STRING each */
	enum map_type value;             /* MAP_LONG, MAP_STRING or MAP_STATS */
	size_t stats_size;               /* bytes of a MAP_STATS value, kept 8-aligned */
	map_stats_fn stats_value;        /* MAP_STATS: needed to sort on the value */
};

/* How big a map may grow.  Zero fields take the defaults. */
struct map_limits {
	uint32_t max_entries; /* global a[N]: N, else MAXMAPENTRIES (at most 2^30) */
	bool declared;        /* N was written: changes the overflow message */
	bool wrap;            /* global a%: evict the oldest instead of failing */
	uint32_t max_string;  /* MAXSTRINGLEN, counting the NUL */
};

/* One key column; a key is an array of layout.nkeys of them.  A NULL string
 * reads as "". */
union map_key {
	int64_t l;
	const char *s;
};

struct map;
struct map_entry;

/* A NULL limits takes every default.  NULL if the layout is invalid. */
struct map *map_new(const struct map_layout *layout, const struct map_limits *limits);
void map_free(struct map *m);

const struct map_layout *map_layout(const struct map *m);
size_t map_count(const struct map *m);
/* "Array overflow, check size limit (5)" or "Array overflow, check
 * MAXMAPENTRIES": the words of the original's runtime error. */
const char *map_overflow_message(const struct map *m);

/* Reads never create.  A string stays valid until its element is changed or
 * deleted; a missing element reads as "" (a static string). */
bool map_exists(const struct map *m, const union map_key *key);
int64_t map_get_long(const struct map *m, const union map_key *key);
const char *map_get_string(const struct map *m, const union map_key *key);
const void *map_get_stats(const struct map *m, const union map_key *key);

/* 0, or -ENOSPC when the element is new and the map is full. */
int map_set_long(struct map *m, const union map_key *key, int64_t value);
int map_set_string(struct map *m, const union map_key *key, const char *value);

/* The element's value, created (0, or a zeroed blob) if missing, for an
 * update in place: a[k]++, a[k] += v, s[k] <<< v, merging per-CPU data.
 * NULL when the element is new and the map is full.  The pointer stays valid
 * until the element is deleted. */
int64_t *map_ref_long(struct map *m, const union map_key *key);
void *map_ref_stats(struct map *m, const union map_key *key);

/* Whether the element existed. */
bool map_delete(struct map *m, const union map_key *key);
void map_clear(struct map *m);

/* ---- foreach ---- */

enum map_dir {
	MAP_UNSORTED = 0,
	MAP_ASCENDING = 1,   /* + */
	MAP_DESCENDING = -1, /* - */
};

struct map_order {
	enum map_dir dir;
	unsigned column;  /* 0 the value, 1..nkeys that key column */
	enum map_agg agg; /* column 0 of a statistics map */
	bool has_limit;   /* "limit EXP" was written */
	int64_t limit;    /* its value; 0 or less visits nothing */
};

struct map_snap;

struct map_iter {
	struct map *map;
	struct map_snap *snap; /* the elements at the start, in visiting order */
	size_t len;
	size_t pos;
	int64_t left; /* visits the limit still allows */
	struct map_entry *cur;
	uint32_t cur_gen;
};

/* Takes the snapshot (and sorts it: one allocation).  A NULL order visits
 * every element in list order. */
void map_iter_init(struct map_iter *it, struct map *m, const struct map_order *order);
/* Moves to the next element still present; false at the end. */
bool map_iter_next(struct map_iter *it);
/* The current element's key: valid until that element is deleted, so copy
 * the columns at the top of the loop body as the original does. */
const union map_key *map_iter_key(const struct map_iter *it);
/* The current element's value; 0, "" or NULL once it has been deleted. */
int64_t map_iter_long(const struct map_iter *it);
const char *map_iter_string(const struct map_iter *it);
const void *map_iter_stats(const struct map_iter *it);
void map_iter_fini(struct map_iter *it);

#endif
