/*
 * Unit test for src/runtime/map.c, the host runtime's associative arrays.
 * Each case builds a small map, runs the operations a script would, and
 * compares what foreach visits (written as "key=value key=value ...") with
 * what SystemTap 4.8's kernel runtime does; where that runtime cannot run
 * here the expected orders were worked out from its documented behaviour
 * (see map.h).  A randomised case checks the hash table against a plain
 * array, and a last case times a million long-key operations without
 * asserting on the time.
 *
 *   cc -std=gnu11 -Isrc tests/unit/test_map.c src/runtime/map.c \
 *      src/util/util.c -o test_map && ./test_map
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/map.h"

static int passed, failed;

#define CHECK(cond)          check((cond), #cond, __FILE__, __LINE__)
#define CHECK_STR(got, want) check_str((got), (want), __FILE__, __LINE__)

static void check(int ok, const char *what, const char *file, int line)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL %s:%d: %s\n", file, line, what);
}

static void check_str(const char *got, const char *want, const char *file, int line)
{
	if (strcmp(got, want) == 0) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL %s:%d:\n  got:  \"%s\"\n  want: \"%s\"\n", file, line, got, want);
}

/* ---- helpers ---- */

static struct map *new_map(const char *keys, enum map_type value, uint32_t max_entries, bool wrap)
{
	struct map_layout layout = {.nkeys = (unsigned)strlen(keys), .value = value};
	for (unsigned i = 0; i < layout.nkeys; i++)
		layout.key[i] = keys[i] == 's' ? MAP_STRING : MAP_LONG;
	struct map_limits limits = {
		.max_entries = max_entries, .declared = max_entries != 0, .wrap = wrap};
	return map_new(&layout, &limits);
}

static union map_key L(int64_t l) {
	return (union map_key){.l = l};
}

static union map_key
S(const char *s) {
	return (union map_key){.s = s};
}

/* Every element foreach visits, "k1,k2=value" separated by spaces. */
static const char *
walk(struct map *m, const struct map_order *order)
{
	static char out[8192];
	const struct map_layout *layout = map_layout(m);
	struct map_iter it;
	size_t n = 0;

	out[0] = '\0';
	map_iter_init(&it, m, order);
	while (map_iter_next(&it)) {
		const union map_key *k = map_iter_key(&it);
		if (n)
			n += (size_t)snprintf(out + n, sizeof(out) - n, " ");
		for (unsigned i = 0; i < layout->nkeys; i++) {
			const char *sep = i ? "," : "";
			if (layout->key[i] == MAP_STRING)
				n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", sep,
						      k[i].s);
			else
				n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%" PRId64, sep,
						      k[i].l);
		}
		if (layout->value == MAP_LONG)
			n += (size_t)snprintf(out + n, sizeof(out) - n, "=%" PRId64,
					      map_iter_long(&it));
		else if (layout->value == MAP_STRING)
			n += (size_t)snprintf(out + n, sizeof(out) - n, "=%s",
					      map_iter_string(&it));
	}
	map_iter_fini(&it);
	return out;
}

static struct map_order sorted(enum map_dir dir, unsigned column)
{
	return (struct map_order){.dir = dir, .column = column};
}

static struct map_order limited(enum map_dir dir, unsigned column, int64_t limit)
{
	return (struct map_order){.dir = dir, .column = column, .has_limit = true, .limit = limit};
}

/* Sets a[k] = v for long keys and values, for short tests. */
static void put(struct map *m, int64_t k, int64_t v)
{
	union map_key key[1] = {L(k)};
	CHECK(map_set_long(m, key, v) == 0);
}

/* ---- the basic operations ---- */

static void test_long_basics(void)
{
	struct map *m = new_map("l", MAP_LONG, 0, false);
	union map_key k1[1] = {L(1)}, k2[1] = {L(-7)};

	CHECK(map_count(m) == 0);
	CHECK(map_get_long(m, k1) == 0);
	CHECK(!map_exists(m, k1));
	CHECK(map_count(m) == 0); /* reading did not create it */

	CHECK(map_set_long(m, k1, 42) == 0);
	CHECK(map_exists(m, k1));
	CHECK(map_get_long(m, k1) == 42);
	CHECK(map_set_long(m, k1, 43) == 0);
	CHECK(map_get_long(m, k1) == 43);
	CHECK(map_count(m) == 1);

	/* Setting 0 still creates the element: "1 in a" after a[1]=0 is 1. */
	CHECK(map_set_long(m, k2, 0) == 0);
	CHECK(map_exists(m, k2));
	CHECK(map_count(m) == 2);

	int64_t *v = map_ref_long(m, k1);
	CHECK(v && *v == 43);
	(*v)++;
	CHECK(map_get_long(m, k1) == 44);
	union map_key k3[1] = {L(INT64_MIN)};
	v = map_ref_long(m, k3); /* a[k]++ on a missing element creates it at 0 */
	CHECK(v && *v == 0);
	*v += 5;
	CHECK(map_get_long(m, k3) == 5);
	CHECK(map_count(m) == 3);

	CHECK(map_delete(m, k1));
	CHECK(!map_delete(m, k1));
	CHECK(!map_exists(m, k1));
	CHECK(map_get_long(m, k1) == 0);
	CHECK(map_count(m) == 2);

	map_clear(m);
	CHECK(map_count(m) == 0);
	CHECK(!map_exists(m, k2));
	CHECK_STR(walk(m, NULL), "");
	put(m, 9, 9);
	CHECK_STR(walk(m, NULL), "9=9");
	map_free(m);
}

static void test_string_values(void)
{
	struct map *m = new_map("s", MAP_STRING, 0, false);
	union map_key a[1] = {S("a")}, b[1] = {S("b")}, none[1] = {S(NULL)};

	CHECK_STR(map_get_string(m, a), "");
	CHECK(map_count(m) == 0);
	CHECK(map_set_string(m, a, "hello") == 0);
	CHECK_STR(map_get_string(m, a), "hello");
	CHECK(map_set_string(m, a, "a much longer string than the first one") == 0);
	CHECK_STR(map_get_string(m, a), "a much longer string than the first one");
	CHECK(map_set_string(m, a, "x") == 0);
	CHECK_STR(map_get_string(m, a), "x");
	/* The value may be the element's own: a[k] = a[k]. */
	CHECK(map_set_string(m, a, map_get_string(m, a)) == 0);
	CHECK_STR(map_get_string(m, a), "x");

	CHECK(map_set_string(m, b, "") == 0); /* "" creates too */
	CHECK(map_exists(m, b));
	CHECK(map_set_string(m, none, NULL) == 0); /* NULL is "" */
	union map_key empty[1] = {S("")};
	CHECK(map_exists(m, empty));
	CHECK(map_count(m) == 3);
	CHECK_STR(walk(m, NULL), "a=x b= =");

	/* A deleted slot's buffer is reused without leaking its old text. */
	CHECK(map_delete(m, a));
	union map_key c[1] = {S("c")};
	CHECK_STR(map_get_string(m, c), "");
	CHECK(map_set_string(m, c, "y") == 0);
	CHECK_STR(walk(m, NULL), "b= = c=y");
	map_free(m);
}

static void test_mixed_keys(void)
{
	struct map *m = new_map("lsl", MAP_LONG, 0, false);
	union map_key k[3] = {L(1), S("x"), L(2)};

	CHECK(map_set_long(m, k, 100) == 0);
	union map_key k_other_str[3] = {L(1), S("y"), L(2)};
	union map_key k_other_last[3] = {L(1), S("x"), L(3)};
	union map_key k_prefix[3] = {L(1), S(""), L(2)};
	union map_key k_same[3] = {L(1), S("x"), L(2)};
	CHECK(!map_exists(m, k_other_str));
	CHECK(!map_exists(m, k_other_last));
	CHECK(!map_exists(m, k_prefix));
	CHECK(map_get_long(m, k_same) == 100);

	/* Column boundaries matter: ("ab","c") is not ("a","bc"). */
	struct map *m2 = new_map("ss", MAP_LONG, 0, false);
	union map_key ab_c[2] = {S("ab"), S("c")}, a_bc[2] = {S("a"), S("bc")};
	CHECK(map_set_long(m2, ab_c, 1) == 0);
	CHECK(!map_exists(m2, a_bc));
	CHECK(map_set_long(m2, a_bc, 2) == 0);
	CHECK(map_get_long(m2, ab_c) == 1 && map_get_long(m2, a_bc) == 2);
	CHECK_STR(walk(m2, NULL), "ab,c=1 a,bc=2");
	map_free(m2);

	/* Nine columns, alternating types; long strings cross the 8-byte words. */
	struct map *m9 = new_map("lslslslsl", MAP_STRING, 0, false);
	union map_key k9[9], k9b[9];
	char text[9][40];
	for (int i = 0; i < 9; i++) {
		snprintf(text[i], sizeof(text[i]), "column %d with some length", i);
		k9[i] = i % 2 ? S(text[i]) : L(i * 1000003LL);
		k9b[i] = k9[i];
	}
	CHECK(map_set_string(m9, k9, "nine") == 0);
	CHECK_STR(map_get_string(m9, k9b), "nine");
	char changed[40];
	snprintf(changed, sizeof(changed), "column %d with some lengtH", 7);
	k9b[7] = S(changed);
	CHECK(!map_exists(m9, k9b));
	CHECK(map_set_string(m9, k9b, "other") == 0);
	CHECK(map_count(m9) == 2);
	CHECK_STR(map_get_string(m9, k9), "nine");
	map_free(m9);

	/* Invalid layouts are refused. */
	struct map_layout bad = {.nkeys = 0, .value = MAP_LONG};
	CHECK(map_new(&bad, NULL) == NULL);
	bad.nkeys = 10;
	CHECK(map_new(&bad, NULL) == NULL);
	bad = (struct map_layout){.nkeys = 1, .key = {MAP_STATS}, .value = MAP_LONG};
	CHECK(map_new(&bad, NULL) == NULL);
	bad = (struct map_layout){.nkeys = 1, .key = {MAP_LONG}, .value = MAP_STATS};
	CHECK(map_new(&bad, NULL) == NULL); /* a statistics value needs its size */
	map_free(m);
}

static void test_string_truncation(void)
{
	/* MAXSTRINGLEN counts the NUL: a limit of 8 keeps 7 bytes. */
	struct map_layout layout = {.nkeys = 1, .key = {MAP_STRING}, .value = MAP_STRING};
	struct map_limits limits = {.max_string = 8};
	struct map *m = map_new(&layout, &limits);
	union map_key long_key[1] = {S("abcdefghij")};
	union map_key cut_key[1] = {S("abcdefg")};
	union map_key other_tail[1] = {S("abcdefgXYZ")};
	union map_key shorter[1] = {S("abcdef")};

	CHECK(map_set_string(m, long_key, "0123456789") == 0);
	CHECK_STR(map_get_string(m, long_key), "0123456");
	CHECK(map_exists(m, cut_key));
	CHECK(map_exists(m, other_tail)); /* differs only past the limit */
	CHECK(!map_exists(m, shorter));
	CHECK(map_set_string(m, other_tail, "v2") == 0);
	CHECK(map_count(m) == 1);
	CHECK_STR(walk(m, NULL), "abcdefg=v2");
	map_free(m);

	/* The default is 512, the original's on 64-bit machines: 511 bytes. */
	m = new_map("s", MAP_STRING, 0, false);
	char big[700], want[512];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memset(want, 'a', 511);
	want[511] = '\0';
	union map_key k[1] = {S(big)};
	CHECK(map_set_string(m, k, big) == 0);
	CHECK(strlen(map_get_string(m, k)) == 511);
	union map_key kw[1] = {S(want)};
	CHECK(map_exists(m, kw));
	struct map_iter it;
	map_iter_init(&it, m, NULL);
	CHECK(map_iter_next(&it));
	CHECK(strlen(map_iter_key(&it)[0].s) == 511);
	CHECK(strlen(map_iter_string(&it)) == 511);
	map_iter_fini(&it);
	map_free(m);
}

/* ---- foreach orders ---- */

static void test_insertion_order(void)
{
	struct map *m = new_map("l", MAP_LONG, 0, false);
	put(m, 5, 1);
	put(m, 3, 1);
	put(m, 9, 1);
	put(m, 1, 2);
	put(m, 7, 1);
	CHECK_STR(walk(m, NULL), "5=1 3=1 9=1 1=2 7=1");
	put(m, 3, 8); /* an update keeps its place */
	CHECK_STR(walk(m, NULL), "5=1 3=8 9=1 1=2 7=1");
	union map_key k[1] = {L(9)};
	CHECK(map_delete(m, k));
	CHECK_STR(walk(m, NULL), "5=1 3=8 1=2 7=1");
	put(m, 9, 0); /* re-inserted: now the youngest */
	CHECK_STR(walk(m, NULL), "5=1 3=8 1=2 7=1 9=0");

	struct map_order lim = {.has_limit = true, .limit = 2};
	CHECK_STR(walk(m, &lim), "5=1 3=8");
	lim.limit = 0;
	CHECK_STR(walk(m, &lim), "");
	lim.limit = -3;
	CHECK_STR(walk(m, &lim), "");
	lim.limit = 100;
	CHECK_STR(walk(m, &lim), "5=1 3=8 1=2 7=1 9=0");
	map_free(m);
}

static void test_sort_by_value(void)
{
	struct map_order asc = sorted(MAP_ASCENDING, 0), desc = sorted(MAP_DESCENDING, 0);
	struct map *m = new_map("l", MAP_LONG, 0, false);
	put(m, 5, 1);
	put(m, 3, 1);
	put(m, 9, 1);
	put(m, 1, 2);
	put(m, 7, 1);
	put(m, 4, -6);

	/* Ties keep list order: stable sorts. */
	CHECK_STR(walk(m, &desc), "1=2 5=1 3=1 9=1 7=1 4=-6");
	/* The array is now in that order, as the original's in-place sort
	 * leaves it: an unsorted foreach sees it, and so does the next sort's
	 * tie order. */
	CHECK_STR(walk(m, NULL), "1=2 5=1 3=1 9=1 7=1 4=-6");
	CHECK_STR(walk(m, &asc), "4=-6 5=1 3=1 9=1 7=1 1=2");
	CHECK_STR(walk(m, NULL), "4=-6 5=1 3=1 9=1 7=1 1=2");
	map_free(m);

	/* Strings compare byte-wise (strcmp): "B" < "a" < "ab". */
	m = new_map("l", MAP_STRING, 0, false);
	const char *vals[] = {"ab", "a", "B", "a", ""};
	for (int i = 0; i < 5; i++) {
		union map_key k[1] = {L(i)};
		CHECK(map_set_string(m, k, vals[i]) == 0);
	}
	CHECK_STR(walk(m, &asc), "4= 2=B 1=a 3=a 0=ab");
	CHECK_STR(walk(m, &desc), "0=ab 1=a 3=a 2=B 4=");
	map_free(m);
}

static void test_sort_by_key(void)
{
	struct map *m = new_map("sl", MAP_LONG, 0, false);
	struct {
		const char *s;
		int64_t l, v;
	} rows[] = {
		{"b", 2, 10}, {"a", 9, 20}, {"b", 1, 30}, {"c", -5, 40}, {"a", 2, 50},
	};
	for (int i = 0; i < 5; i++) {
		union map_key k[2] = {S(rows[i].s), L(rows[i].l)};
		CHECK(map_set_long(m, k, rows[i].v) == 0);
	}
	struct map_order by1 = sorted(MAP_ASCENDING, 1);
	/* Ties on the first key keep list order; the second key is not looked at. */
	CHECK_STR(walk(m, &by1), "a,9=20 a,2=50 b,2=10 b,1=30 c,-5=40");
	struct map_order by2 = sorted(MAP_DESCENDING, 2);
	CHECK_STR(walk(m, &by2), "a,9=20 a,2=50 b,2=10 b,1=30 c,-5=40");
	struct map_order by2a = sorted(MAP_ASCENDING, 2);
	CHECK_STR(walk(m, &by2a), "c,-5=40 b,1=30 a,2=50 b,2=10 a,9=20");
	struct map_order by1d = sorted(MAP_DESCENDING, 1);
	CHECK_STR(walk(m, &by1d), "c,-5=40 b,1=30 b,2=10 a,2=50 a,9=20");
	/* Out-of-range column: unsorted. */
	struct map_order bad = sorted(MAP_ASCENDING, 3);
	CHECK_STR(walk(m, &bad), "c,-5=40 b,1=30 b,2=10 a,2=50 a,9=20");
	map_free(m);

	/* Extreme longs compare without overflow. */
	m = new_map("l", MAP_LONG, 0, false);
	put(m, INT64_MAX, 1);
	put(m, INT64_MIN, 2);
	put(m, 0, 3);
	struct map_order by = sorted(MAP_ASCENDING, 1);
	CHECK_STR(walk(m, &by), "-9223372036854775808=2 0=3 9223372036854775807=1");
	map_free(m);
}

static void test_sort_limit(void)
{
	/* limit 1..30: the top N are a stable sort's; the rest of the list is
	 * left as the original's partial sort leaves it. */
	struct map *m = new_map("l", MAP_LONG, 0, false);
	int64_t vals[] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3};
	for (int i = 0; i < 10; i++)
		put(m, i, vals[i]);
	struct map_order top3 = limited(MAP_DESCENDING, 0, 3);
	CHECK_STR(walk(m, &top3), "5=9 7=6 4=5");
	/*
	 * Worked by hand: the first three sorted are 2=4 0=3 1=1; 3=1 does not
	 * beat 1=1; 4=5 enters, pushing out 1=1; 5=9 enters, pushing out 0=3;
	 * 6=2 stays; 7=6 enters, pushing out 2=4; 8=5 ties 4=5 and stays; 9=3
	 * stays.  List: top, pushed (latest first), then the rest in order.
	 */
	CHECK_STR(walk(m, NULL), "5=9 7=6 4=5 2=4 0=3 1=1 3=1 6=2 8=5 9=3");
	map_free(m);

	m = new_map("l", MAP_LONG, 0, false);
	for (int i = 0; i < 10; i++)
		put(m, i, vals[i]);
	struct map_order top5a = limited(MAP_ASCENDING, 0, 5);
	CHECK_STR(walk(m, &top5a), "1=1 3=1 6=2 0=3 9=3");
	map_free(m);

	/* A limit above the count, or above 30, sorts everything. */
	m = new_map("l", MAP_LONG, 0, false);
	for (int i = 0; i < 40; i++)
		put(m, i, i % 4);
	struct map_order top31 = limited(MAP_DESCENDING, 0, 31);
	const char *got = walk(m, &top31);
	CHECK(strncmp(got, "3=3 7=3 11=3 ", 13) == 0);
	CHECK_STR(walk(m, &(struct map_order){.has_limit = true, .limit = 4}), "3=3 7=3 11=3 15=3");
	map_free(m);

	/* limit 0 visits nothing but still sorts the array, as the original
	 * sorts before counting. */
	m = new_map("l", MAP_LONG, 0, false);
	put(m, 1, 1);
	put(m, 2, 2);
	put(m, 3, 3);
	struct map_order zero = limited(MAP_DESCENDING, 0, 0);
	CHECK_STR(walk(m, &zero), "");
	CHECK_STR(walk(m, NULL), "3=3 2=2 1=1");
	/* A negative limit behaves as 1 for the order left behind. */
	map_clear(m);
	put(m, 1, 1);
	put(m, 2, 2);
	put(m, 3, 3);
	put(m, 4, 0);
	struct map_order neg = limited(MAP_DESCENDING, 0, -1);
	CHECK_STR(walk(m, &neg), "");
	CHECK_STR(walk(m, NULL), "3=3 2=2 1=1 4=0");
	/* The original hands the limit to an int: 2^32 + 2 sorts the top 2
	 * but visits everything. */
	map_clear(m);
	put(m, 1, 5);
	put(m, 2, 6);
	put(m, 3, 1);
	put(m, 4, 3);
	put(m, 5, 2);
	struct map_order wide = limited(MAP_DESCENDING, 0, (INT64_C(1) << 32) + 2);
	CHECK_STR(walk(m, &wide), "2=6 1=5 3=1 4=3 5=2");
	map_free(m);
}

/* ---- capacity ---- */

static void test_overflow(void)
{
	struct map *m = new_map("l", MAP_LONG, 3, false);
	CHECK_STR(map_overflow_message(m), "Array overflow, check size limit (3)");
	put(m, 1, 1);
	put(m, 2, 2);
	put(m, 3, 3);
	union map_key k4[1] = {L(4)}, k2[1] = {L(2)};
	CHECK(map_set_long(m, k4, 4) == -ENOSPC);
	CHECK(map_ref_long(m, k4) == NULL);
	CHECK(!map_exists(m, k4));
	CHECK(map_count(m) == 3);
	CHECK(map_set_long(m, k2, 20) == 0); /* updating a full map is fine */
	CHECK(map_delete(m, k2));
	CHECK(map_set_long(m, k4, 4) == 0);
	CHECK_STR(walk(m, NULL), "1=1 3=3 4=4");
	map_free(m);

	/* A full map with string keys frees the copies it made. */
	m = new_map("s", MAP_STRING, 1, false);
	union map_key a[1] = {S("a")}, b[1] = {S("b")};
	CHECK(map_set_string(m, a, "1") == 0);
	CHECK(map_set_string(m, b, "2") == -ENOSPC);
	map_free(m);

	/* Without a declared size: MAXMAPENTRIES, 2048 by default. */
	m = new_map("l", MAP_LONG, 0, false);
	CHECK_STR(map_overflow_message(m), "Array overflow, check MAXMAPENTRIES");
	int rc = 0;
	for (int i = 0; i < 2048 && rc == 0; i++) {
		union map_key k[1] = {L(i)};
		rc = map_set_long(m, k, i);
	}
	CHECK(rc == 0);
	union map_key extra[1] = {L(5000)};
	CHECK(map_set_long(m, extra, 1) == -ENOSPC);
	CHECK(map_count(m) == 2048);
	map_free(m);

	/* -D MAXMAPENTRIES=N: a different limit, the same message. */
	struct map_layout layout = {.nkeys = 1, .key = {MAP_LONG}, .value = MAP_LONG};
	struct map_limits limits = {.max_entries = 2};
	m = map_new(&layout, &limits);
	CHECK_STR(map_overflow_message(m), "Array overflow, check MAXMAPENTRIES");
	put(m, 1, 1);
	put(m, 2, 1);
	union map_key k3[1] = {L(3)};
	CHECK(map_set_long(m, k3, 1) == -ENOSPC);
	map_free(m);
}

static void test_wrap(void)
{
	struct map *m = new_map("l", MAP_LONG, 3, true);
	put(m, 1, 1);
	put(m, 2, 2);
	put(m, 3, 3);
	put(m, 1, 10); /* an update does not make 1 younger */
	put(m, 4, 4);
	CHECK(map_count(m) == 3);
	CHECK_STR(walk(m, NULL), "2=2 3=3 4=4");
	union map_key k5[1] = {L(5)};
	int64_t *v = map_ref_long(m, k5);
	CHECK(v && *v == 0);
	CHECK_STR(walk(m, NULL), "3=3 4=4 5=0");

	/* After a sorted foreach the head of the list is the first sorted. */
	struct map_order desc = sorted(MAP_DESCENDING, 0);
	CHECK_STR(walk(m, &desc), "4=4 3=3 5=0");
	put(m, 6, 6);
	CHECK_STR(walk(m, NULL), "3=3 5=0 6=6");
	map_free(m);

	/* Strings: the new key or value may be the evicted element's own. */
	m = new_map("s", MAP_STRING, 2, true);
	union map_key a[1] = {S("a")}, b[1] = {S("b")};
	CHECK(map_set_string(m, a, "value of a") == 0);
	CHECK(map_set_string(m, b, "value of b") == 0);
	union map_key c[1] = {S("c")};
	CHECK(map_set_string(m, c, map_get_string(m, a)) == 0);
	CHECK_STR(walk(m, NULL), "b=value of b c=value of a");
	struct map_iter it;
	map_iter_init(&it, m, NULL);
	CHECK(map_iter_next(&it));
	union map_key same[1] = {S(map_iter_key(&it)[0].s)}; /* points into "b" */
	CHECK(map_set_string(m, same, "x") == 0);            /* update, no eviction */
	union map_key d[1] = {S("d")};
	CHECK(map_set_string(m, d, "y") == 0); /* evicts b */
	map_iter_fini(&it);
	CHECK_STR(walk(m, NULL), "c=value of a d=y");
	map_free(m);

	/* A new key that points into the key of the element it evicts. */
	m = new_map("s", MAP_LONG, 1, true);
	union map_key longname[1] = {S("a rather long key name")};
	CHECK(map_set_long(m, longname, 1) == 0);
	map_iter_init(&it, m, NULL);
	CHECK(map_iter_next(&it));
	union map_key inside[1] = {S(map_iter_key(&it)[0].s + 2)};
	CHECK(map_set_long(m, inside, 2) == 0);
	map_iter_fini(&it);
	CHECK_STR(walk(m, NULL), "rather long key name=2");
	/* Deleting by the element's own key. */
	map_iter_init(&it, m, NULL);
	CHECK(map_iter_next(&it));
	union map_key own[1] = {S(map_iter_key(&it)[0].s)};
	CHECK(map_delete(m, own));
	map_iter_fini(&it);
	CHECK(map_count(m) == 0);
	map_free(m);
}

/* ---- changing the array inside foreach ---- */

static void test_modify_during_foreach(void)
{
	struct map *m = new_map("l", MAP_LONG, 0, false);
	for (int i = 1; i <= 6; i++)
		put(m, i, i * 10);

	/* Deleting the current element and one ahead of it. */
	struct map_iter it;
	char seen[256] = "";
	map_iter_init(&it, m, NULL);
	while (map_iter_next(&it)) {
		int64_t k = map_iter_key(&it)[0].l;
		int64_t v = map_iter_long(&it);
		snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen),
			 "%" PRId64 "=%" PRId64 " ", k, v);
		union map_key cur[1] = {L(k)};
		CHECK(map_delete(m, cur));
		CHECK(map_iter_long(&it) == 0); /* its value is gone */
		if (k == 2) {
			union map_key ahead[1] = {L(4)};
			CHECK(map_delete(m, ahead));
		}
		if (k == 3)
			put(m, 100, 1); /* not visited: not in the snapshot */
	}
	map_iter_fini(&it);
	CHECK_STR(seen, "1=10 2=20 3=30 5=50 6=60 ");
	CHECK_STR(walk(m, NULL), "100=1");

	/* "delete a" inside the loop: nothing more is visited, even when the
	 * freed slots are reused by new elements. */
	map_clear(m);
	for (int i = 1; i <= 6; i++)
		put(m, i, i);
	int visits = 0;
	map_iter_init(&it, m, &(struct map_order){.dir = MAP_DESCENDING});
	while (map_iter_next(&it)) {
		visits++;
		map_clear(m);
		put(m, 7, 7);
		put(m, 8, 8);
	}
	map_iter_fini(&it);
	CHECK(visits == 1);
	CHECK_STR(walk(m, NULL), "7=7 8=8");

	/* Nested loops over the same array. */
	map_clear(m);
	put(m, 1, 1);
	put(m, 2, 2);
	struct map_iter outer, inner;
	char pairs[128] = "";
	map_iter_init(&outer, m, NULL);
	while (map_iter_next(&outer)) {
		map_iter_init(&inner, m, &(struct map_order){.dir = MAP_DESCENDING, .column = 1});
		while (map_iter_next(&inner))
			snprintf(pairs + strlen(pairs), sizeof(pairs) - strlen(pairs),
				 "%" PRId64 "%" PRId64 " ", map_iter_key(&outer)[0].l,
				 map_iter_key(&inner)[0].l);
		map_iter_fini(&inner);
	}
	map_iter_fini(&outer);
	CHECK_STR(pairs, "12 11 22 21 ");

	/* Empty map: nothing, and no snapshot. */
	map_clear(m);
	map_iter_init(&it, m, &(struct map_order){.dir = MAP_ASCENDING});
	CHECK(!map_iter_next(&it));
	CHECK(it.snap == NULL);
	map_iter_fini(&it);
	map_free(m);
}

/* ---- statistics values ---- */

struct test_stats {
	int64_t count, sum, min, max;
};

static int64_t test_stats_value(const void *blob, enum map_agg agg)
{
	const struct test_stats *st = blob;
	switch (agg) {
	case MAP_AGG_COUNT:
		return st->count;
	case MAP_AGG_SUM:
		return st->sum;
	case MAP_AGG_MIN:
		return st->min;
	case MAP_AGG_MAX:
		return st->max;
	case MAP_AGG_AVG:
		return st->count ? st->sum / st->count : 0;
	}
	return 0;
}

static void add_sample(struct map *m, int64_t k, int64_t v)
{
	union map_key key[1] = {L(k)};
	struct test_stats *st = map_ref_stats(m, key);
	CHECK(st != NULL);
	if (!st)
		return;
	if (st->count == 0 || v < st->min)
		st->min = v;
	if (st->count == 0 || v > st->max)
		st->max = v;
	st->count++;
	st->sum += v;
}

static const char *stats_order(struct map *m, enum map_dir dir, enum map_agg agg, int64_t limit)
{
	static char out[256];
	struct map_order order = {.dir = dir, .agg = agg, .has_limit = limit >= 0, .limit = limit};
	struct map_iter it;
	out[0] = '\0';
	map_iter_init(&it, m, &order);
	while (map_iter_next(&it)) {
		const struct test_stats *st = map_iter_stats(&it);
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%" PRId64 ":%" PRId64,
			 out[0] ? " " : "", map_iter_key(&it)[0].l, test_stats_value(st, agg));
	}
	map_iter_fini(&it);
	return out;
}

static void test_stats(void)
{
	struct map_layout layout = {.nkeys = 1,
				    .key = {MAP_LONG},
				    .value = MAP_STATS,
				    .stats_size = sizeof(struct test_stats),
				    .stats_value = test_stats_value};
	struct map *m = map_new(&layout, NULL);
	union map_key k9[1] = {L(9)};

	CHECK(map_get_stats(m, k9) == NULL);
	CHECK(map_count(m) == 0);
	/* 1: 5 5 5   2: 1 100   3: -4   4: 2 2 2 2 */
	add_sample(m, 1, 5);
	add_sample(m, 2, 1);
	add_sample(m, 1, 5);
	add_sample(m, 3, -4);
	add_sample(m, 2, 100);
	add_sample(m, 1, 5);
	for (int i = 0; i < 4; i++)
		add_sample(m, 4, 2);
	union map_key k2[1] = {L(2)};
	const struct test_stats *st = map_get_stats(m, k2);
	CHECK(st && st->count == 2 && st->sum == 101 && st->min == 1 && st->max == 100);

	CHECK_STR(stats_order(m, MAP_DESCENDING, MAP_AGG_COUNT, -1), "4:4 1:3 2:2 3:1");
	CHECK_STR(stats_order(m, MAP_ASCENDING, MAP_AGG_SUM, -1), "3:-4 4:8 1:15 2:101");
	CHECK_STR(stats_order(m, MAP_ASCENDING, MAP_AGG_MIN, -1), "3:-4 2:1 4:2 1:5");
	CHECK_STR(stats_order(m, MAP_DESCENDING, MAP_AGG_MAX, -1), "2:100 1:5 4:2 3:-4");
	CHECK_STR(stats_order(m, MAP_DESCENDING, MAP_AGG_AVG, 2), "2:50 1:5");
	/* Sorting a statistics array leaves its own order alone. */
	CHECK_STR(stats_order(m, MAP_UNSORTED, MAP_AGG_COUNT, -1), "1:3 2:2 3:1 4:4");
	/* Ties keep insertion order: 5 gets the same @count as 2. */
	add_sample(m, 5, 0);
	add_sample(m, 5, 0);
	CHECK_STR(stats_order(m, MAP_DESCENDING, MAP_AGG_COUNT, -1), "4:4 1:3 2:2 5:2 3:1");

	/* Deleting and re-adding starts from a zeroed blob. */
	CHECK(map_delete(m, k2));
	CHECK(map_get_stats(m, k2) == NULL);
	add_sample(m, 2, 7);
	st = map_get_stats(m, k2);
	CHECK(st && st->count == 1 && st->sum == 7);

	/* A wrap-around statistics array evicts the oldest too. */
	struct map_limits limits = {.max_entries = 2, .declared = true, .wrap = true};
	struct map *w = map_new(&layout, &limits);
	add_sample(w, 1, 1);
	add_sample(w, 2, 2);
	add_sample(w, 1, 1);
	add_sample(w, 3, 3);
	CHECK_STR(stats_order(w, MAP_UNSORTED, MAP_AGG_COUNT, -1), "2:1 3:1");
	map_free(w);
	map_free(m);
}

/* ---- the hash table against a plain array ---- */

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_random_against_model(void)
{
	enum { RANGE = 3000, OPS = 300000 };
	static int64_t value[RANGE];
	static uint64_t born[RANGE]; /* insertion stamp; 0: absent */
	uint64_t clock = 0;
	size_t count = 0;
	struct map *m = new_map("ls", MAP_LONG, RANGE, false);
	int mismatches = 0;

	for (int op = 0; op < OPS; op++) {
		int64_t k = (int64_t)(rng() % RANGE);
		char s[16];
		snprintf(s, sizeof(s), "s%" PRId64, k % 7);
		union map_key key[2] = {L(k), S(s)};
		switch (rng() % 8) {
		case 0:
		case 1:
		case 2: {
			int64_t v = (int64_t)(rng() % 1000);
			if (map_set_long(m, key, v) != 0)
				mismatches++;
			if (!born[k]) {
				born[k] = ++clock;
				count++;
			}
			value[k] = v;
			break;
		}
		case 3:
		case 4:
			if (map_delete(m, key) != (born[k] != 0))
				mismatches++;
			if (born[k]) {
				born[k] = 0;
				count--;
			}
			break;
		case 5:
			if (map_exists(m, key) != (born[k] != 0))
				mismatches++;
			break;
		default:
			if (map_get_long(m, key) != (born[k] ? value[k] : 0))
				mismatches++;
			break;
		}
		if (map_count(m) != count)
			mismatches++;
		if (op % 50000 == 49999) {
			/* Every element once, oldest first. */
			struct map_iter it;
			uint64_t last = 0;
			size_t seen = 0;
			map_iter_init(&it, m, NULL);
			while (map_iter_next(&it)) {
				int64_t ik = map_iter_key(&it)[0].l;
				if (!born[ik] || born[ik] <= last ||
				    map_iter_long(&it) != value[ik])
					mismatches++;
				last = born[ik];
				seen++;
			}
			map_iter_fini(&it);
			if (seen != count)
				mismatches++;
		}
	}
	CHECK(mismatches == 0);
	map_free(m);
}

/* ---- a million operations ---- */

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_performance(void)
{
	enum { N = 1000000 };
	struct map_layout layout = {.nkeys = 1, .key = {MAP_LONG}, .value = MAP_LONG};
	struct map_limits limits = {.max_entries = N + 1000};
	struct map *m = map_new(&layout, &limits);
	double t0 = seconds();
	int rc = 0;
	for (int64_t i = 0; i < N; i++) {
		union map_key k[1] = {L(i * 7919)};
		rc |= map_set_long(m, k, i);
	}
	double t1 = seconds();
	int64_t sum = 0;
	for (int64_t i = 0; i < N; i++) {
		union map_key k[1] = {L(i * 7919)};
		sum += map_get_long(m, k);
	}
	double t2 = seconds();
	for (int64_t i = 0; i < N; i++) {
		union map_key k[1] = {L(i % 1000)};
		(*map_ref_long(m, k))++;
	}
	double t3 = seconds();
	CHECK(rc == 0);
	CHECK(sum == (int64_t)N * (N - 1) / 2);
	CHECK(map_count(m) == N + 999); /* 0 existed; 1..999 are not multiples of 7919 */
	struct map_iter it;
	map_iter_init(&it, m,
		      &(struct map_order){.dir = MAP_DESCENDING, .has_limit = true, .limit = 3});
	CHECK(map_iter_next(&it) && map_iter_long(&it) == N - 1);
	map_iter_fini(&it);
	double t4 = seconds();
	printf("performance: %d sets %.0f ns/op, gets %.0f ns/op, increments %.0f ns/op, "
	       "top-3 foreach %.1f ms\n",
	       N, (t1 - t0) * 1e9 / N, (t2 - t1) * 1e9 / N, (t3 - t2) * 1e9 / N, (t4 - t3) * 1e3);
	map_free(m);
}

int main(void)
{
	test_long_basics();
	test_string_values();
	test_mixed_keys();
	test_string_truncation();
	test_insertion_order();
	test_sort_by_value();
	test_sort_by_key();
	test_sort_limit();
	test_overflow();
	test_wrap();
	test_modify_during_foreach();
	test_stats();
	test_random_against_model();
	test_performance();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
