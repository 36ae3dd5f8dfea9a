/*
 * The runtime's output library: what printf, print and the statistics
 * printers write, byte for byte as SystemTap 4.8's default (kernel-module)
 * runtime writes it.  It is plain C over a struct strbuf with no global
 * state, so the host runtime calls it for handlers that run in user space and
 * the ring-buffer reader calls it for records that BPF programs send.
 *
 * Formatting (print.c) takes a format parsed by fmt_parse() and the values as
 * struct out_arg.  The original formats into a bounded buffer (8192 bytes for
 * one printf, MAXSTRINGLEN for sprintf) and clamps every width and precision
 * to the room left, so "%5000d%5000d" gives the second number a narrower
 * field rather than cutting it off; the LIMIT parameters below carry that.
 *
 * Statistics (hist.c) keep what `<<<` collects in a struct stat_agg, one per
 * CPU (or one in the host runtime), merge them as the original does before
 * any extractor reads them, and print @hist_log/@hist_linear from bucket
 * counts alone, so the same printer serves BPF per-CPU maps.
 */
#ifndef STAP_RUNTIME_OUTPUT_H
#define STAP_RUNTIME_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../parse/printf_fmt.h"
#include "../util/util.h"

/* ---- printf and print (print.c) ---- */

/* The most one printf or print writes (STP_BUFFER_SIZE). */
#define OUT_PRINT_LIMIT 8192

/*
 * One value for a conversion: a long, or a string's bytes (which need not be
 * NUL-terminated; a NUL ends the string as it does in the original).  '*'
 * widths and precisions and %d %u %x %o %p %c %b take a long; %s takes a
 * string; %m and %M take the bytes read at the address the script gave, at
 * least out_memory_count() of them, or the missing ones print as zero bytes
 * (reading kernel or user memory is the caller's job: the BPF side copies
 * the bytes into its record).
 */
struct out_arg {
	bool is_string;
	int64_t n;
	const char *s;
	size_t len;
};

#define OUT_LONG(v)   ((struct out_arg){.n = (v)})
#define OUT_STR(p, l) ((struct out_arg){.is_string = true, .s = (p), .len = (l)})
#define OUT_CSTR(p)   OUT_STR((p), strlen(p))

/*
 * Append what printf(F, ARGS...) writes to SB.  As the original, it sizes the
 * output with every width and precision clamped to LIMIT (OUT_PRINT_LIMIT),
 * takes a buffer of that size but at most LIMIT bytes, and writes into it with
 * each width and precision clamped to the room left; a format without
 * conversions is written whole.  ARGS are consumed as F->nargs says: a '*'
 * before its conversion's value.  Returns 0, or -EINVAL with nothing written
 * when NARGS or an argument's kind does not match F.  The output may hold NUL
 * bytes (%c of 0, %b, "%05s"), as the original's does.
 */
int out_format(struct strbuf *sb, const struct fmt *f, const struct out_arg *args, size_t nargs,
	       size_t limit);

/*
 * sprintf: the conversions written straight into a MAXSTRINGLEN buffer (each
 * field clamped to the room left), then made the original's C string: cut to
 * MAXSTRINGLEN - 1 bytes and at the first NUL.
 */
int out_sprintf(struct strbuf *sb, const struct fmt *f, const struct out_arg *args, size_t nargs,
		size_t maxstringlen);

/*
 * How many bytes %m / %M read for a precision: the piece's, -1 when it has
 * none, or the value of its '*'.
 */
size_t out_memory_count(int64_t precision);

/* print(v) of a long ("%d") and of a string ("%s": up to a NUL). */
void out_long(struct strbuf *sb, int64_t v);
void out_string(struct strbuf *sb, const char *s, size_t len);

/*
 * print, println, printd and printdln of ARGS: each long as "%d", each
 * string as "%s", DELIM (escapes already interpreted; may be NULL) between
 * them and a newline after them when NEWLINE, within LIMIT bytes as
 * out_format.  The original builds exactly that format, so "%" in a
 * delimiter is literal and a NUL in it ends it.
 */
void out_print(struct strbuf *sb, const struct out_arg *args, size_t nargs, const char *delim,
	       size_t delimlen, bool newline, size_t limit);

/* sprint and sprintln: out_print made a string as out_sprintf does. */
void out_sprint(struct strbuf *sb, const struct out_arg *args, size_t nargs, const char *delim,
		size_t delimlen, bool newline, size_t maxstringlen);

/* ---- statistics and histograms (hist.c) ---- */

enum hist_kind {
	HIST_NONE,
	HIST_LOG,    /* 128 buckets: bucket 64 is 0, 65 + log2(v) above, mirrored below */
	HIST_LINEAR, /* underflow, (stop - start) / step + 1 ranges, overflow */
};

#define HIST_LOG_BUCKETS   128
#define HIST_LOG_ZERO      64  /* the bucket of the value 0 */
#define HIST_MAX_BUCKETS   128 /* STP_MAX_BUCKETS: linear buckets incl. under/overflow */
#define HIST_DEFAULT_WIDTH 50  /* -D HIST_WIDTH: bar columns */
#define HIST_DEFAULT_ELIDE 2   /* -D HIST_ELISION: zero rows kept each side of data */

/*
 * What the translator knows about one statistic: its histogram, if any, and
 * the shift of @variance(s, SHIFT).  The original keeps start, stop and step
 * in C ints, and so do we.
 */
struct stat_params {
	enum hist_kind kind;
	int start, stop, step; /* HIST_LINEAR */
	int shift;             /* fixed-point bits for the variance, 0 by default */
};

/*
 * One CPU's statistic, or the merge of all of them.  avg_s, m2 and
 * variance_s are Welford's running mean, sum of squared deviations and
 * variance in fixed point (scaled by 2^shift, 4^shift, 4^shift); variance is
 * set by stat_merge() only.  The buckets follow the fields, so the record
 * is stat_size() bytes: the same layout as a BPF per-CPU map value.
 */
struct stat_agg {
	int64_t count, sum, min, max;
	int64_t avg_s, m2, variance_s;
	int64_t variance;
	int64_t buckets[];
};

/* The extractors; @count and @sum of an empty statistic are 0, the rest fail. */
enum stat_op {
	STAT_COUNT,
	STAT_SUM,
	STAT_MIN,
	STAT_MAX,
	STAT_AVG,
	STAT_VARIANCE,
};

/* Buckets of a histogram: 0 for none, -EINVAL if the original refuses it. */
int stat_buckets(const struct stat_params *p);
size_t stat_size(const struct stat_params *p);
struct stat_agg *stat_new(const struct stat_params *p); /* zeroed; NULL if stat_buckets() < 0 */
void stat_free(struct stat_agg *s);
void stat_clear(struct stat_agg *s, const struct stat_params *p);

/* `s <<< v` on one CPU's record. */
void stat_add(struct stat_agg *s, const struct stat_params *p, int64_t v);

/*
 * Set OUT to the merge of N per-CPU records (N = 1 for the host runtime);
 * extractors and printers read only merged records.  OUT may not be one of
 * PARTS.
 */
void stat_merge(struct stat_agg *out, const struct stat_agg *const *parts, size_t n,
		const struct stat_params *p);

/* @count(s) ... @variance(s): 0, or -ENODATA ("empty aggregate"). */
int stat_get(const struct stat_agg *s, enum stat_op op, int64_t *out);

/* The bucket a value goes in, and the value a bucket's row is labelled with. */
int hist_log_bucket(int64_t v);
int64_t hist_log_value(int bucket);
int hist_linear_bucket(int64_t v, int start, int step, int nbuckets);

/*
 * print(@hist_log(s)) or print(@hist_linear(s, ...)) from the merged bucket
 * counts: the header, one row per bucket between the data's ends widened by
 * two empty buckets, runs of empty rows elided to a "~" line, and an empty
 * line.  WIDTH and ELIDE are HIST_WIDTH and HIST_ELISION.  Returns 0, or
 * -ENODATA with nothing written when every bucket is empty (the original
 * reports "empty aggregate" before printing), -EINVAL for a bad P.
 */
int hist_print(struct strbuf *sb, const struct stat_params *p, const int64_t *buckets, int width,
	       int elide);

#endif
