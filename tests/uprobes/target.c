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
	return total == 0 && n > 0 ? 1 : 0;
}
