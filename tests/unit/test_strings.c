/*
 * Unit test for src/runtime/strings.c, the host half of the tapset's string
 * functions.  errno_str() is what the original prints when run
 * (original-in-qemu, tests/kernel/string-errno-str.out): the names of
 * glibc's strerrorname_np() for 1 to 131 and "" for every other number
 * (0, 41, 58, 132 on, INT64_MIN); the table is ours so that the BPF half,
 * stp_bpf_string.h, can repeat it.  ctime() agrees with a civil-date
 * computation written independently of gmtime_r(), as stp_bpf_string.h
 * computes it, over a sweep of times (the tapset refuses times outside
 * 32 bits before calling it; the C function takes any).
 * The kernel-context golden tests (tests/kernel/string-*.stp) compare the
 * two halves.
 *
 *   make build/unit/test_strings && build/unit/test_strings
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../../runtime/include/stp_host.h"

static int passed, failed;

static void check_str(const char *got, const char *want, const char *what)
{
	if (strcmp(got, want) == 0) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL %s: got \"%s\", want \"%s\"\n", what, got, want);
}

static void test_errno_names(void)
{
	char buf[MAXSTRINGLEN], want[64], what[64];
	for (int64_t e = -4100; e <= 4100; e++) {
		int64_t a = e < 0 ? -e : e;
		const char *name = a > 0 && a <= 131 ? strerrorname_np((int)a) : NULL;
		snprintf(want, sizeof(want), "%s", name ? name : "");
		stp_errno_str(buf, e);
		snprintf(what, sizeof(what), "errno_str(%" PRId64 ")", e);
		check_str(buf, want, what);
	}
	stp_errno_str(buf, INT64_MIN);
	check_str(buf, "", "errno_str(INT64_MIN)");
}

/* The date of t as stp_bpf_string.h works it out (C's / and % here). */
static void civil(int64_t t, char *out, size_t size)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	int64_t d = t / 86400 - (t % 86400 < 0), secs = t - d * 86400;
	int64_t z = d + 719468, era = z / 146097 - (z % 146097 < 0);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int64_t mday = doy - (153 * mp + 2) / 5 + 1, mon = mp < 10 ? mp + 2 : mp - 10;
	int64_t year = yoe + era * 400 + (mon <= 1), wday = ((d + 4) % 7 + 7) % 7;
	if (year - 1900 < INT32_MIN || year - 1900 > INT32_MAX) {
		snprintf(out, size, "<invalid time>");
		return;
	}
	snprintf(out, size, "%s %s %2d %02d:%02d:%02d %d", days[wday], months[mon], (int)mday,
		 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60),
		 (int32_t)(uint32_t)year);
}

static void test_ctime(void)
{
	char buf[MAXSTRINGLEN], want[64], what[64];
	uint64_t x = 12345;
	for (int i = 0; i < 100000; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		int64_t t = (int64_t)x >> (i % 64);
		if (i % 3 == 0)
			t %= 100000000000;
		civil(t, want, sizeof(want));
		stp_ctime(buf, t);
		snprintf(what, sizeof(what), "ctime(%" PRId64 ")", t);
		check_str(buf, want, what);
	}
	/* the ends of gmtime_r's range: tm_year an int */
	const int64_t edges[] = {67768036191676799,  67768036191676800, -67768040609740800,
				 -67768040609740801, INT64_MAX,         INT64_MIN};
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		civil(edges[i], want, sizeof(want));
		stp_ctime(buf, edges[i]);
		snprintf(what, sizeof(what), "ctime(%" PRId64 ")", edges[i]);
		check_str(buf, want, what);
	}
}

int main(void)
{
	test_errno_names();
	test_ctime();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
