/*
 * Statistics (`<<<`, @count @sum @min @max @avg @variance) and the
 * @hist_log / @hist_linear printers, with SystemTap 4.8's integer arithmetic
 * and layout (see output.h).  The behaviour comes from the original's
 * language reference (the histogram chapter and HIST_ELISION), the sample
 * outputs it ships under /usr/share/systemtap/examples (all 37 histograms
 * there come out byte for byte), and runs of its runtime's statistics code
 * in a user-space harness, against which every rule below was compared.
 *
 * Variance.  Each CPU runs Welford's online algorithm in fixed point with
 * SHIFT fractional bits (the N of @variance(s, N), 0 by default):
 *
 *     first value:   avg_s = v << SHIFT, m2 = 0
 *     then:          delta = (v << SHIFT) - avg_s, cut to a 32-bit int
 *                    avg_s += delta / count
 *                    m2 += delta * ((v << SHIFT) - avg_s)
 *                    variance_s = m2 / (count - 1)
 *
 * and reading merges the CPUs with the "total variance" formula the
 * original's NEWS names (Kamat and Nandi, SIGMOD Record 2015):
 *
 *     avg_s      = (sum << SHIFT) / count
 *     variance_s = (sum_i n_i (avg_s_i - avg_s)^2 + sum_i (n_i - 1) variance_s_i)
 *                  / (count - 1)
 *     @variance  = variance_s >> (2 * SHIFT)
 *
 * All divisions truncate toward zero, a division by zero gives 0 (so one
 * value has variance 0), and sums wrap at 64 bits; the 32-bit delta is the
 * original's and changes results for values far from the mean.  @avg is
 * sum / count, truncated.
 *
 * Histograms.  A log histogram has 128 buckets: 64 holds 0, 64 + k holds
 * [2^(k-1), 2^k) and 64 - k its negative mirror.  A linear one has an
 * underflow bucket, one per STEP from START to STOP, and an overflow bucket.
 * The printer shows the buckets from the first to the last non-empty one,
 * plus up to two empty ones on each side (a log histogram does not go below
 * 0 unless it holds negative values; a linear one shows under/overflow only
 * when they are non-empty), and replaces every empty row whose neighbours
 * within ELIDE rows are all empty by one "~" line per run.  The bars are
 * count / scale '@'s, scale = ceil(max / WIDTH), and the columns are as wide
 * as the widest label and count.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

/* ---- the original's integer arithmetic, without C's undefined cases ---- */

static int64_t wrap_add(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

static int64_t wrap_sub(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
}

static int64_t wrap_mul(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a * (uint64_t)b);
}

static int64_t shift_left(int64_t v, int n)
{
	return (int64_t)((uint64_t)v << (n & 63));
}

/* >> of a signed value, as the compilers the original runs on do it */
static int64_t shift_right(int64_t v, int n)
{
	n &= 63;
	return v < 0 ? ~(~v >> n) : v >> n;
}

/* The low 32 bits as a C int, as an int64_t assigned to an int keeps them. */
static int32_t low_int32(int64_t v)
{
	uint32_t u = (uint32_t)v;
	return u <= INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
}

/* The runtime's division: 0 for a zero divisor, no trap for INT64_MIN / -1. */
static int64_t div64(int64_t x, int64_t y)
{
	if (y == 0)
		return 0;
	if (y == -1)
		return wrap_sub(0, x);
	return x / y;
}

/* Characters "%lld" prints for V. */
static int digits(int64_t v)
{
	int n = v < 0;
	uint64_t m = v < 0 ? -(uint64_t)v : (uint64_t)v;
	do {
		n++;
		m /= 10;
	} while (m);
	return n;
}

/* ---- buckets ---- */

int hist_log_bucket(int64_t v)
{
	if (v == 0)
		return HIST_LOG_ZERO;
	uint64_t m = v < 0 ? -(uint64_t)v : (uint64_t)v;
	int bits = 64 - __builtin_clzll(m);
	return v > 0 ? HIST_LOG_ZERO + bits : HIST_LOG_ZERO - bits;
}

int64_t hist_log_value(int bucket)
{
	if (bucket == HIST_LOG_ZERO)
		return 0;
	if (bucket > HIST_LOG_ZERO)
		return (int64_t)(UINT64_C(1) << ((bucket - HIST_LOG_ZERO - 1) & 63));
	if (bucket <= 0)
		return INT64_MIN;
	return -(int64_t)(UINT64_C(1) << (63 - bucket));
}

int hist_linear_bucket(int64_t v, int start, int step, int nbuckets)
{
	int64_t off = wrap_sub(v, start);
	if (off < 0)
		return 0;
	uint64_t b = (uint64_t)off / (uint32_t)step + 1;
	/*
	 * The original adds that 1 to a signed 64-bit index: for INT64_MAX
	 * above START in steps of 1 it wraps to INT64_MIN, escapes the
	 * overflow test, and the counter it then increments, 2^63 eight-byte
	 * slots away, is bucket 0's own.
	 */
	if (b == UINT64_C(1) << 63)
		return 0;
	if (b >= (uint64_t)(nbuckets - 1))
		return nbuckets - 1;
	return (int)b;
}

int stat_buckets(const struct stat_params *p)
{
	switch (p->kind) {
	case HIST_NONE:
		return 0;
	case HIST_LOG:
		return HIST_LOG_BUCKETS;
	case HIST_LINEAR:
		break;
	}
	/*
	 * The translator refuses a step that is not positive; the runtime
	 * refuses a range of more than HIST_MAX_BUCKETS - 2 steps.
	 */
	if (p->step <= 0)
		return -EINVAL;
	int n = low_int32((int64_t)p->stop - p->start) / p->step + 3;
	if (n < 3 || n > HIST_MAX_BUCKETS)
		return -EINVAL;
	return n;
}

/* ---- statistics ---- */

size_t stat_size(const struct stat_params *p)
{
	int n = stat_buckets(p);
	return sizeof(struct stat_agg) + (n > 0 ? (size_t)n : 0) * sizeof(int64_t);
}

struct stat_agg *stat_new(const struct stat_params *p)
{
	if (stat_buckets(p) < 0)
		return NULL;
	struct stat_agg *s = xmalloc(stat_size(p));
	memset(s, 0, stat_size(p));
	return s;
}

void stat_free(struct stat_agg *s)
{
	free(s);
}

void stat_clear(struct stat_agg *s, const struct stat_params *p)
{
	memset(s, 0, stat_size(p));
}

void stat_add(struct stat_agg *s, const struct stat_params *p, int64_t v)
{
	int64_t vs = shift_left(v, p->shift);

	if (s->count == 0) {
		s->count = 1;
		s->sum = s->min = s->max = v;
		s->avg_s = vs;
		s->m2 = 0;
	} else {
		s->count++;
		s->sum = wrap_add(s->sum, v);
		if (v > s->max)
			s->max = v;
		if (v < s->min)
			s->min = v;
		int32_t delta = low_int32(wrap_sub(vs, s->avg_s));
		s->avg_s = wrap_add(s->avg_s, div64(delta, s->count));
		s->m2 = wrap_add(s->m2, wrap_mul(delta, wrap_sub(vs, s->avg_s)));
		s->variance_s = div64(s->m2, s->count - 1);
	}

	int n = stat_buckets(p);
	if (p->kind == HIST_LOG)
		s->buckets[hist_log_bucket(v)]++;
	else if (p->kind == HIST_LINEAR && n > 0)
		s->buckets[hist_linear_bucket(v, p->start, p->step, n)]++;
}

void stat_merge(struct stat_agg *out, const struct stat_agg *const *parts, size_t n,
		const struct stat_params *p)
{
	int nb = stat_buckets(p);
	int64_t s1 = 0, s2 = 0;

	stat_clear(out, p);
	for (size_t i = 0; i < n; i++) {
		const struct stat_agg *s = parts[i];
		if (s->count == 0)
			continue;
		if (out->count == 0) {
			out->min = s->min;
			out->max = s->max;
		}
		out->count = wrap_add(out->count, s->count);
		out->sum = wrap_add(out->sum, s->sum);
		if (s->max > out->max)
			out->max = s->max;
		if (s->min < out->min)
			out->min = s->min;
		for (int b = 0; b < nb; b++)
			out->buckets[b] = wrap_add(out->buckets[b], s->buckets[b]);
	}
	out->avg_s = div64(shift_left(out->sum, p->shift), out->count);
	for (size_t i = 0; i < n; i++) {
		const struct stat_agg *s = parts[i];
		if (s->count == 0)
			continue;
		int64_t d = wrap_sub(s->avg_s, out->avg_s);
		s1 = wrap_add(s1, wrap_mul(wrap_mul(s->count, d), d));
		s2 = wrap_add(s2, wrap_mul(s->count - 1, s->variance_s));
	}
	out->variance_s = div64(wrap_add(s1, s2), out->count - 1);
	out->variance = shift_right(out->variance_s, 2 * p->shift);
}

int stat_get(const struct stat_agg *s, enum stat_op op, int64_t *out)
{
	if (op == STAT_COUNT) {
		*out = s->count;
		return 0;
	}
	if (op == STAT_SUM) {
		*out = s->count ? s->sum : 0;
		return 0;
	}
	if (s->count == 0)
		return -ENODATA;
	switch (op) {
	case STAT_MIN:
		*out = s->min;
		break;
	case STAT_MAX:
		*out = s->max;
		break;
	case STAT_AVG:
		*out = div64(s->sum, s->count);
		break;
	case STAT_VARIANCE:
		*out = s->variance;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/* ---- printing ---- */

static void put_spaces(struct strbuf *sb, long n)
{
	for (; n > 0; n--)
		sb_putc(sb, ' ');
}

/* S in a field of N columns as "%*s" does: right-aligned, left-aligned if N < 0. */
static void put_field(struct strbuf *sb, const char *s, long n)
{
	long pad = (n < 0 ? -n : n) - (long)strlen(s);
	if (n >= 0)
		put_spaces(sb, pad);
	sb_puts(sb, s);
	if (n < 0)
		put_spaces(sb, pad);
}

/* The value a row is labelled with, and "<" or ">" before it for under/overflow. */
static int64_t row_label(const struct stat_params *p, int nb, int i, const char **prefix)
{
	*prefix = "";
	if (p->kind == HIST_LOG)
		return hist_log_value(i);
	if (i == 0) {
		*prefix = "<";
		return p->start;
	}
	if (i == nb - 1) {
		*prefix = ">";
		return p->start + (int64_t)(i - 2) * p->step;
	}
	return p->start + (int64_t)(i - 1) * p->step;
}

/* Whether every bucket within ELIDE of I (inside [LOW, HIGH]) is empty. */
static bool is_elided(const int64_t *buckets, int nb, int low, int high, int i, int elide)
{
	int reach = elide < nb ? elide : nb;
	int from = i - reach > low ? i - reach : low;
	int to = i + reach < high ? i + reach : high;
	for (int k = from; k <= to; k++)
		if (buckets[k] != 0)
			return false;
	return true;
}

int hist_print(struct strbuf *sb, const struct stat_params *p, const int64_t *buckets, int width,
	       int elide)
{
	int nb = stat_buckets(p);
	int low = -1, high = 0;
	int64_t valmax = 0;

	if (nb <= 0 || width <= 0)
		return -EINVAL;
	for (int i = 0; i < nb; i++) {
		if (buckets[i] > 0) {
			if (low < 0)
				low = i;
			high = i;
		}
		if (buckets[i] > valmax)
			valmax = buckets[i];
	}
	if (low < 0)
		return -ENODATA;

	for (int k = 0; k < 2; k++) {
		if (low > 0 && (p->kind == HIST_LINEAR || low != HIST_LOG_ZERO))
			low--;
		if (high < nb - 1)
			high++;
	}
	bool under = false, over = false;
	if (p->kind == HIST_LINEAR) {
		if (low == 0 && buckets[0] == 0)
			low++;
		if (high == nb - 1 && buckets[high] == 0)
			high--;
		under = low == 0;
		over = high == nb - 1;
	}

	uint64_t scale = 1;
	if (valmax > width)
		scale = ((uint64_t)valmax + (uint64_t)width - 1) / (uint64_t)width;
	int count_space = digits(valmax);
	int val_space;
	if (p->kind == HIST_LINEAR) {
		/* the original sizes the top label as START + STEP * HIGH, in int */
		int top = low_int32((int64_t)p->start + (int64_t)p->step * high);
		int a = digits(p->start) + under, b = digits(top) + over;
		val_space = a > b ? a : b;
	} else {
		int a = digits(hist_log_value(high)), b = digits(hist_log_value(low));
		val_space = a > b ? a : b;
	}
	if (val_space < 5)
		val_space = 5; /* "value" */

	put_field(sb, "value", val_space);
	sb_puts(sb, " |");
	for (int j = 0; j < width; j++)
		sb_putc(sb, '-');
	sb_puts(sb, " count\n");

	bool eliding = false;
	for (int i = low; i <= high; i++) {
		if (elide >= 0) {
			if (is_elided(buckets, nb, low, high, i, elide)) {
				eliding = true;
				continue;
			}
			if (eliding) {
				put_spaces(sb, val_space);
				sb_puts(sb, " ~\n");
				eliding = false;
			}
		}
		const char *prefix;
		int64_t label = row_label(p, nb, i, &prefix);
		put_field(sb, prefix, val_space - digits(label));
		sb_printf(sb, "%lld |", (long long)label);
		uint64_t bar = (uint64_t)buckets[i] / scale;
		for (uint64_t j = 0; j < bar; j++)
			sb_putc(sb, '@');
		sb_printf(sb, "%*lld\n", (int)(width - (int64_t)bar + 1 + count_space),
			  (long long)buckets[i]);
	}
	sb_putc(sb, '\n');
	return 0;
}
