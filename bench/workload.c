/* The workload: N cheap system calls that each hit one tracepoint,
 * syscalls:sys_enter_getppid, timed with CLOCK_MONOTONIC.
 *
 * getppid does almost nothing in the kernel, so the time of one call is the
 * system call round trip plus whatever a tracer attached to its tracepoint
 * adds; the bench subtracts a baseline run with nothing attached.  The calls
 * are made in chunks of 1000 (-s), each timed on its own, and the figure the
 * bench uses is the median chunk's ns/call.  On a shared machine the
 * workload's CPU is taken from it now and then: CLOCK_MONOTONIC goes on
 * meanwhile, so the chunk in which that happened is slow, but with chunks of
 * about a millisecond, shorter than a scheduler slice, such chunks are a
 * minority and the median is the cost of a call while we had the CPU.  The
 * mean over all calls (all that time included) is printed too.
 *
 * With -r RATE the calls are paced to RATE per second (busy-waiting between
 * bursts of 64) instead of made back to back: that is for the loss test of
 * the printf workload, where the question is "at this rate, does any event
 * get lost", not "how long does a call take".
 *
 *   workload -n CALLS [-c CPU] [-s CHUNK_CALLS] [-r RATE]
 *
 * prints one line:
 *   pid P warmup W calls N mean_ns M median_ns D p10_ns T min_ns L seconds S
 *
 * W untimed calls (20000, none when paced) come first, to fault in and
 * warm up the path; a tracer sees W + N events.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define WARMUP_CALLS 20000
#define PACE_BURST   64

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void call_n(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		syscall(SYS_getppid);
}

/* Make n calls at rate calls per second: a burst of PACE_BURST calls, then
 * spin until the schedule says the next burst is due. */
static void call_paced(uint64_t n, uint64_t rate)
{
	uint64_t start = now_ns();
	uint64_t done = 0;

	while (done < n) {
		uint64_t burst = n - done < PACE_BURST ? n - done : PACE_BURST;

		call_n(burst);
		done += burst;
		uint64_t due = start + done * 1000000000u / rate;
		while (now_ns() < due)
			;
	}
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void usage(void)
{
	fprintf(stderr, "usage: workload -n CALLS [-c CPU] [-s CHUNK_CALLS] [-r RATE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t calls = 0, rate = 0, chunk_calls = 1000;
	int cpu = -1, opt;

	while ((opt = getopt(argc, argv, "n:c:s:r:")) != -1) {
		switch (opt) {
		case 'n':
			calls = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		case 's':
			chunk_calls = strtoull(optarg, NULL, 0);
			break;
		case 'r':
			rate = strtoull(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (calls == 0 || chunk_calls == 0)
		usage();
	int chunks = (int)((calls + chunk_calls - 1) / chunk_calls);

	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0) {
			fprintf(stderr, "workload: cannot pin to CPU %d: %s\n", cpu,
				strerror(errno));
			return 1;
		}
	}

	uint64_t warmup = rate ? 0 : WARMUP_CALLS;
	call_n(warmup);

	double *chunk_ns = calloc((size_t)chunks, sizeof(*chunk_ns));
	if (!chunk_ns)
		return 1;
	uint64_t total_start = now_ns();
	uint64_t left = calls;
	for (int c = 0; c < chunks; c++) {
		uint64_t n = left / (uint64_t)(chunks - c);
		uint64_t t0 = now_ns();

		if (rate)
			call_paced(n, rate);
		else
			call_n(n);
		chunk_ns[c] = (double)(now_ns() - t0) / (double)n;
		left -= n;
	}
	uint64_t total = now_ns() - total_start;

	qsort(chunk_ns, (size_t)chunks, sizeof(*chunk_ns), compare_double);
	double median = chunks % 2 ? chunk_ns[chunks / 2]
				   : (chunk_ns[chunks / 2 - 1] + chunk_ns[chunks / 2]) / 2;
	printf("pid %d warmup %llu calls %llu mean_ns %.2f median_ns %.2f p10_ns %.2f min_ns %.2f "
	       "seconds %.3f\n",
	       (int)getpid(), (unsigned long long)warmup, (unsigned long long)calls,
	       (double)total / (double)calls, median, chunk_ns[chunks / 10], chunk_ns[0],
	       (double)total / 1e9);
	free(chunk_ns);
	return 0;
}
