/*
 * The user-space probes' test program: known functions called a known
 * number of times, and USDT marks (sys/sdt.h).  `target N` calls
 * up_add N times (which calls up_leaf each time), up_twice once, and
 * passes each mark N times with known arguments.  noinline and the
 * volatile sink keep every call where the source has it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/sdt.h>

long up_leaf(long x);
long up_add(long a, long b);
int up_twice(int x);

static volatile long sink;

__attribute__((noinline)) long up_leaf(long x)
{
	sink += x;
	return x * 2;
}

__attribute__((noinline)) long up_add(long a, long b)
{
	return up_leaf(a) + b;
}

__attribute__((noinline)) int up_twice(int x)
{
	return x + x;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 3;
	long total = 0;
	for (long i = 0; i < n; i++) {
		total += up_add(i, 100);
		DTRACE_PROBE2(uptest, tick, i, total);
	}
	DTRACE_PROBE3(uptest, done, n, -5, "bye");
	sink = up_twice(21);
	long up_extra(long n); /* after main: the lines above keep their numbers */
	sink = up_extra(n);
	return total == 0 && n > 0 ? 1 : 0;
}

/* ---- DWARF context: parameters of every C type, structs, arrays, an
 * inlined function, locals and a label in an unoptimized function ---- */

enum up_color { UP_RED, UP_GREEN = 5, UP_BLUE };

struct up_point {
	int x;
	long y;
	char name[8];
	short vals[3];
	struct up_point *next;
};

struct up_point up_origin = {-1, 2, "origin", {7, 8, 9}, NULL};
static int up_counter = 40;

long up_types(char c, unsigned char uc, short s, unsigned short us, int i, unsigned int ui, long l,
	      unsigned long ul, const char *str, enum up_color color, struct up_point *pt,
	      long long ll);
int up_local(struct up_point p, int k);

__attribute__((noinline)) long up_types(char c, unsigned char uc, short s, unsigned short us, int i,
					unsigned int ui, long l, unsigned long ul, const char *str,
					enum up_color color, struct up_point *pt, long long ll)
{
	sink += c + uc + s + us + i + ui + l + (long)ul + str[0] + color + pt->x + ll;
	return ll;
}

static inline __attribute__((always_inline)) int up_inl(int v)
{
	sink += v;
	return v * 3;
}

__attribute__((noinline, optimize("O0"))) int up_local(struct up_point p, int k)
{
	int sum = p.x + k;
	long arr[3] = {10, 20, 30};
	struct up_point *q = &p;
again:
	sum += (int)arr[k % 3] + q->vals[1];
	if (sum < 100) {
		k++;
		goto again;
	}
	up_counter++;
	return sum;
}

long up_extra(long n);
long up_extra(long n)
{
	struct up_point second = {3, -4, "second", {1, 2, 3}, &up_origin};
	long r = up_types(-3, 250, -300, 65000, -70000, 4000000000u, -5000000000L,
			  18000000000000000000ul, "hello", UP_BLUE, &second, -9);
	r += up_inl((int)n);
	r += up_local(second, 1);
	long up_depth(long d);
	r += up_depth(3);
	return r;
}

/* recursion (the volatile sink between the call and the return keeps it
 * one, not a loop): a .return's @entry per call */
long up_depth(long d);
__attribute__((noinline)) long up_depth(long d)
{
	if (d <= 0)
		return 0;
	long r = up_depth(d - 1);
	sink += r;
	return r + d;
}
