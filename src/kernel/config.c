/*
 * The running kernel's configuration and clock, as far as stap needs them:
 * HZ (for timer.jiffies and jiffies()) and the jiffies counter itself for
 * user-space handlers.
 *
 * HZ comes from CONFIG_HZ in /boot/config-RELEASE or /proc/config.gz; when
 * neither is there, from the resolution of CLOCK_MONOTONIC_COARSE, which the
 * kernel reports as its tick length, TICK_NSEC = (10^9 + HZ/2) / HZ (nothing
 * is assumed).
 *
 * jiffies in user space: the kernel's counter is only shown in
 * /proc/timer_list ("jiffies: N").  It advances by one every TICK_NSEC of
 * the monotonic clock, so the first call reads that file until the value
 * changes (at most one tick of reads, ~0.2 ms each), which pins both the
 * count and the phase of the tick; later calls count ticks of
 * CLOCK_MONOTONIC from there, and agree with bpf_jiffies64() in kernel
 * handlers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "kernel.h"

static int config_hz(void)
{
	char path[256], rel[128] = "";
	int hz = 0;
	FILE *f = fopen("/proc/sys/kernel/osrelease", "r");
	if (f) {
		if (!fgets(rel, sizeof(rel), f))
			rel[0] = 0;
		fclose(f);
		rel[strcspn(rel, "\n")] = 0;
	}
	snprintf(path, sizeof(path), "/boot/config-%s", rel);
	gzFile g = gzopen(path, "r");
	if (!g)
		g = gzopen("/proc/config.gz", "r");
	if (g) {
		char line[256];
		while (gzgets(g, line, sizeof(line)))
			if (strncmp(line, "CONFIG_HZ=", 10) == 0)
				hz = atoi(line + 10);
		gzclose(g);
	}
	return hz > 0 ? hz : 0;
}

int kernel_hz(void)
{
	static int hz;
	if (hz)
		return hz;
	hz = config_hz();
	if (!hz) {
		struct timespec res;
		if (clock_getres(CLOCK_MONOTONIC_COARSE, &res) == 0 && res.tv_sec == 0 &&
		    res.tv_nsec > 0)
			hz = (int)((1000000000L + res.tv_nsec / 2) / res.tv_nsec);
		else
			hz = 1; /* no tick to be seen: jiffies() then counts seconds */
	}
	return hz;
}

static int64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* jiffies from /proc/timer_list, or -1 when it cannot be read. */
static int64_t timer_list_jiffies(void)
{
	FILE *f = fopen("/proc/timer_list", "r");
	long long j = -1;
	if (!f)
		return -1;
	char line[256];
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "jiffies: %lld", &j) == 1)
			break;
	fclose(f);
	return j;
}

int64_t kernel_jiffies(void)
{
	static int64_t base, t0, tick;
	if (!tick) {
		tick = 1000000000LL / kernel_hz();
		int64_t j = timer_list_jiffies(), now = monotonic_ns();
		t0 = now;
		base = j < 0 ? 0 : j;
		/* wait for the next tick, for at most two ticks */
		for (int64_t end = now + 2 * tick; j >= 0 && monotonic_ns() < end;) {
			int64_t before = monotonic_ns();
			int64_t k = timer_list_jiffies();
			if (k != j) {
				base = k;
				t0 = before;
				break;
			}
		}
	}
	return base + (monotonic_ns() - t0) / tick;
}
