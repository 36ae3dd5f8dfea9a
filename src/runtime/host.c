/*
 * The host runtime library: every stp_* function that generated host C
 * calls (runtime/include/stp_host.h), built on the maps of map.c and the
 * formatting and statistics of print.c and hist.c.  Handlers run one at a
 * time on one thread, so the state is one static struct, owned by run.c
 * (host_rt), which also flushes the output after each handler.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <regex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../../runtime/include/stp_host.h"
#include "../kernel/kernel.h"
#include "bpf.h"
#include "bpfmap.h"
#include "host.h"
#include "map.h"
#include "output.h"
#include "symbols.h"

struct host_rt host_rt;

_Static_assert(sizeof(struct stp_stat_params) == sizeof(struct stat_params),
	       "stp_stat_params mirrors stat_params");

static const struct stat_params *params(const struct stp_stat_params *p)
{
	return (const struct stat_params *)p;
}

static size_t maxstr(void)
{
	return (size_t)host_rt.mod->maxstringlen;
}

/* ---- errors, warnings, control ---- */

void stp_error_msg(struct stp_context *c, const char *msg)
{
	stp_strlcpy(c->error_buf, msg, maxstr());
	stp_fail(c, c->error_buf, NULL);
}

void stp_warn(struct stp_context *c, const char *msg)
{
	(void)c;
	vec_foreach(&host_rt.warned, i)
		if (strcmp(host_rt.warned.items[i], msg) == 0)
			return;
	vec_push(&host_rt.warned, xstrdup(msg));
	host_flush();
	size_t n = strlen(msg);
	fprintf(stderr, "WARNING: %s%s", msg, n && msg[n - 1] == '\n' ? "" : "\n");
}

void stp_exit(struct stp_context *c)
{
	(void)c;
	host_rt.exiting = true;
}

void stp_system(struct stp_context *c, const char *cmd)
{
	(void)c;
	vec_push(&host_rt.commands, xstrdup(cmd));
}

int64_t stp_target(struct stp_context *c)
{
	(void)c;
	return host_rt.target_pid;
}

/* ---- output ---- */

#define MAX_ARGS 64

static size_t to_out_args(const struct stp_arg *args, int nargs, struct out_arg *out)
{
	size_t n = nargs < 0 ? 0 : (size_t)nargs;
	if (n > MAX_ARGS)
		n = MAX_ARGS;
	for (size_t i = 0; i < n; i++)
		out[i] = args[i].s ? OUT_CSTR(args[i].s) : OUT_LONG(args[i].n);
	symtab_expand_args(out, n);
	return n;
}

void stp_printf(struct stp_context *c, int fmt_id, const struct stp_arg *args, int nargs)
{
	(void)c;
	struct out_arg oa[MAX_ARGS];
	size_t n = to_out_args(args, nargs, oa);
	out_format(&host_rt.out, &host_rt.fmts[fmt_id], oa, n, OUT_PRINT_LIMIT);
}

static void copy_out(char *dst, struct strbuf *sb)
{
	size_t n = sb->len < maxstr() - 1 ? sb->len : maxstr() - 1;
	memcpy(dst, sb_str(sb), n);
	dst[n] = 0;
}

void stp_sprintf(struct stp_context *c, char *dst, int fmt_id, const struct stp_arg *args,
		 int nargs)
{
	(void)c;
	struct out_arg oa[MAX_ARGS];
	size_t n = to_out_args(args, nargs, oa);
	struct strbuf sb;
	sb_init(&sb);
	out_sprintf(&sb, &host_rt.fmts[fmt_id], oa, n, maxstr());
	copy_out(dst, &sb);
	sb_fini(&sb);
}

void stp_print(struct stp_context *c, const struct stp_arg *args, int nargs, const char *delim,
	       bool newline)
{
	(void)c;
	struct out_arg oa[MAX_ARGS];
	size_t n = to_out_args(args, nargs, oa);
	out_print(&host_rt.out, oa, n, delim, delim ? strlen(delim) : 0, newline, OUT_PRINT_LIMIT);
}

void stp_sprint(struct stp_context *c, char *dst, const struct stp_arg *args, int nargs,
		const char *delim, bool newline)
{
	(void)c;
	struct out_arg oa[MAX_ARGS];
	size_t n = to_out_args(args, nargs, oa);
	struct strbuf sb;
	sb_init(&sb);
	out_sprint(&sb, oa, n, delim, delim ? strlen(delim) : 0, newline, maxstr());
	copy_out(dst, &sb);
	sb_fini(&sb);
}

void stp_write(struct stp_context *c, const char *s, size_t len)
{
	(void)c;
	sb_putn(&host_rt.out, s, len);
}

/* ---- statistics ---- */

int stp_stat_check(const struct stp_stat_params *p, const char *name)
{
	if (p->kind != 2 || stat_buckets(params(p)) > 0)
		return 0;
	/* the original's runtime refuses the histogram when it makes the
	 * global, with these words; a negative step is refused here too */
	if (p->step == 0)
		stp_warn(NULL, "histogram: interval cannot be zero.");
	else
		stp_warn(NULL, "histogram: Number of buckets must be between 1 and 126\n"
			       "Number_of_buckets = (stop - start) / interval.\n"
			       "Please adjust your start, stop, and interval values.\n");
	host_flush();
	fprintf(stderr, "ERROR: global variable '__global_%s' allocation failed\n", name);
	return -EINVAL;
}

struct stp_stat *stp_stat_new(const struct stp_stat_params *p)
{
	struct stat_agg *s = stat_new(params(p));
	if (s)
		vec_push(&host_rt.stats, s);
	return (struct stp_stat *)s;
}

/* A statistic BPF code shares: a host copy (what the handlers read),
 * refreshed from the per-CPU map before each read. */
struct bpf_stat {
	struct stat_agg *copy;
	struct bpf_view *bv;
	size_t size;
};

static struct bpf_stat *bpf_stat_of(const struct stp_stat *s)
{
	vec_foreach(&host_rt.bpf_stats, i) {
		struct bpf_stat *b = host_rt.bpf_stats.items[i];
		if ((const void *)b->copy == (const void *)s)
			return b;
	}
	return NULL;
}

/* s, refreshed if BPF code shares it. */
static const struct stat_agg *stat_now(const struct stp_stat *s)
{
	struct bpf_stat *b = s ? bpf_stat_of(s) : NULL;
	if (b) {
		const struct stat_agg *m = bview_get_stats(b->bv, NULL);
		if (m)
			memcpy(b->copy, m, b->size);
	}
	return (const struct stat_agg *)s;
}

struct stp_stat *stp_stat_bpf(const char *name, const struct stp_stat_params *p)
{
	struct bpf_view *bv =
		bview_new(name, "", NULL, NULL, 4, MAP_STATS, params(p), 0, maxstr(), NULL);
	if (!bv)
		return NULL;
	struct bpf_stat *b = xmalloc(sizeof(*b));
	b->bv = bv;
	b->size = stat_size(params(p));
	b->copy = stat_new(params(p));
	vec_push(&host_rt.bpf_stats, b);
	return (struct stp_stat *)b->copy;
}

void stp_stat_add(struct stp_stat *s, const struct stp_stat_params *p, int64_t v)
{
	struct bpf_stat *b = bpf_stat_of(s);
	if (b)
		bview_stat_add(b->bv, NULL, v);
	else
		stat_add((struct stat_agg *)s, params(p), v);
}

void stp_stat_clear(struct stp_stat *s, const struct stp_stat_params *p)
{
	struct bpf_stat *b = bpf_stat_of(s);
	if (b)
		bview_stat_clear(b->bv);
	stat_clear((struct stat_agg *)s, params(p));
}

int64_t stp_stat_get(struct stp_context *c, const struct stp_stat *s,
		     const struct stp_stat_params *p, enum stp_stat_op op, const char *stmt)
{
	static const struct stat_agg empty;
	s = (const struct stp_stat *)stat_now(s);
	const struct stat_agg *a = s ? (const struct stat_agg *)s : &empty;
	int64_t v = 0;
	int rc;
	if (op == STP_VARIANCE && a->count) {
		struct stat_agg *m = stat_new(params(p));
		stat_merge(m, &a, 1, params(p));
		rc = stat_get(m, STAT_VARIANCE, &v);
		stat_free(m);
	} else {
		rc = stat_get(a, (enum stat_op)op, &v);
	}
	if (rc) {
		stp_fail(c, "empty aggregate", stmt);
		return 0;
	}
	return v;
}

int64_t stp_stat_bucket(struct stp_context *c, const struct stp_stat *s,
			const struct stp_stat_params *p, int64_t i, const char *stmt)
{
	int nb = stat_buckets(params(p));
	s = (const struct stp_stat *)stat_now(s);
	if (i < 0 || i >= nb) {
		stp_fail(c, "histogram index out of range", stmt);
		return 0;
	}
	return s ? ((const struct stat_agg *)s)->buckets[i] : 0;
}

void stp_stat_print_hist(struct stp_context *c, const struct stp_stat *s,
			 const struct stp_stat_params *p, char *dst, const char *stmt)
{
	struct strbuf sb;
	sb_init(&sb);
	int rc = -ENODATA;
	s = (const struct stp_stat *)stat_now(s);
	if (s && ((const struct stat_agg *)s)->count)
		rc = hist_print(&sb, params(p), ((const struct stat_agg *)s)->buckets,
				(int)host_rt.mod->hist_width, (int)host_rt.mod->hist_elision);
	if (rc)
		stp_fail(c, "empty aggregate", stmt);
	else if (dst)
		copy_out(dst, &sb);
	else
		sb_putn(&host_rt.out, sb.buf ? sb.buf : "", sb.len);
	sb_fini(&sb);
}

void stp_stat_print_buckets(struct stp_context *c, const struct stp_stat_params *p,
			    const int64_t *buckets, size_t nb, const char *stmt)
{
	struct strbuf sb;
	sb_init(&sb);
	int rc = -ENODATA;
	if (nb >= (size_t)stat_buckets(params(p)))
		rc = hist_print(&sb, params(p), buckets, (int)host_rt.mod->hist_width,
				(int)host_rt.mod->hist_elision);
	if (rc)
		stp_fail(c, "empty aggregate", stmt);
	else
		sb_putn(&host_rt.out, sb.buf ? sb.buf : "", sb.len);
	sb_fini(&sb);
}

/* ---- arrays ---- */

struct stp_map {
	struct map *m;       /* in process memory, or */
	struct bpf_view *bv; /* a view of the BPF map of the same name */
	struct stat_params p;
};

static int64_t stats_value(const void *stats, enum map_agg agg)
{
	const struct stat_agg *s = stats;
	switch (agg) {
	case MAP_AGG_SUM:
		return s->sum;
	case MAP_AGG_MIN:
		return s->min;
	case MAP_AGG_MAX:
		return s->max;
	case MAP_AGG_AVG:
		return s->count ? s->sum / s->count : 0;
	default:
		return s->count;
	}
}

struct stp_map *stp_map_new(const char *keytypes, enum stp_vtype value,
			    const struct stp_stat_params *p, int64_t size, bool wrap)
{
	struct map_layout layout = {0};
	layout.nkeys = (unsigned)strlen(keytypes);
	for (unsigned i = 0; i < layout.nkeys && i < MAP_MAX_KEYS; i++)
		layout.key[i] = keytypes[i] == 's' ? MAP_STRING : MAP_LONG;
	layout.value = value == STP_TSTRING  ? MAP_STRING
		       : value == STP_TSTATS ? MAP_STATS
					     : MAP_LONG;
	if (value == STP_TSTATS) {
		layout.stats_size = stat_size(params(p));
		layout.stats_value = stats_value;
	}
	struct map_limits limits = {
		.max_entries = (uint32_t)(size > 0 ? size : host_rt.mod->maxmapentries),
		.declared = size > 0,
		.wrap = wrap,
		.max_string = (uint32_t)maxstr(),
	};
	struct map *m = map_new(&layout, &limits);
	if (!m)
		return NULL;
	struct stp_map *sm = xmalloc(sizeof(*sm));
	sm->m = m;
	sm->bv = NULL;
	sm->p = *params(p);
	vec_push(&host_rt.maps, sm);
	return sm;
}

struct stp_map *stp_map_bpf(const char *name, const char *keytypes, const uint32_t *offsets,
			    const uint32_t *sizes, uint32_t key_size, enum stp_vtype value,
			    const struct stp_stat_params *p, int64_t size)
{
	enum map_type t = value == STP_TSTRING  ? MAP_STRING
			  : value == STP_TSTATS ? MAP_STATS
						: MAP_LONG;
	struct bpf_view *bv = bview_new(name, keytypes, offsets, sizes, key_size, t, params(p),
					size, maxstr(), stats_value);
	if (!bv)
		return NULL;
	struct stp_map *sm = xmalloc(sizeof(*sm));
	sm->m = NULL;
	sm->bv = bv;
	sm->p = *params(p);
	vec_push(&host_rt.maps, sm);
	return sm;
}

void host_free_maps(void)
{
	vec_foreach(&host_rt.maps, i) {
		struct stp_map *sm = host_rt.maps.items[i];
		map_free(sm->m);
		bview_free(sm->bv);
		free(sm);
	}
	vec_foreach(&host_rt.bpf_stats, i) {
		struct bpf_stat *b = host_rt.bpf_stats.items[i];
		bview_free(b->bv);
		stat_free(b->copy);
		free(b);
	}
	vec_fini(&host_rt.bpf_stats);
	vec_fini(&host_rt.maps);
	vec_foreach(&host_rt.stats, i)
		stat_free(host_rt.stats.items[i]);
	vec_fini(&host_rt.stats);
}

#define KEY(k) ((const union map_key *)(k))

bool stp_map_exists(struct stp_map *m, const union stp_key *k)
{
	return m->bv ? bview_exists(m->bv, KEY(k)) : map_exists(m->m, KEY(k));
}

int64_t stp_map_get_l(struct stp_map *m, const union stp_key *k)
{
	return m->bv ? bview_get_long(m->bv, KEY(k)) : map_get_long(m->m, KEY(k));
}

const char *stp_map_get_s(struct stp_map *m, const union stp_key *k)
{
	return m->bv ? bview_get_string(m->bv, KEY(k)) : map_get_string(m->m, KEY(k));
}

const struct stp_stat *stp_map_get_stat(struct stp_map *m, const union stp_key *k)
{
	if (m->bv)
		return (const struct stp_stat *)bview_get_stats(m->bv, KEY(k));
	return map_get_stats(m->m, KEY(k));
}

static void overflow(struct stp_context *c, struct stp_map *m, const char *stmt)
{
	stp_fail(c, m->bv ? bview_overflow_message(m->bv) : map_overflow_message(m->m), stmt);
}

void stp_map_set_l(struct stp_context *c, struct stp_map *m, const union stp_key *k, int64_t v,
		   const char *stmt)
{
	if (m->bv ? bview_set_long(m->bv, KEY(k), v) : map_set_long(m->m, KEY(k), v))
		overflow(c, m, stmt);
}

void stp_map_set_s(struct stp_context *c, struct stp_map *m, const union stp_key *k, const char *v,
		   const char *stmt)
{
	if (m->bv ? bview_set_string(m->bv, KEY(k), v) : map_set_string(m->m, KEY(k), v))
		overflow(c, m, stmt);
}

int64_t *stp_map_ref_l(struct stp_context *c, struct stp_map *m, const union stp_key *k,
		       const char *stmt)
{
	int64_t *r = m->bv ? NULL : map_ref_long(m->m, KEY(k));
	if (!r)
		overflow(c, m, stmt);
	return r;
}

void stp_map_stat_add(struct stp_context *c, struct stp_map *m, const union stp_key *k, int64_t v,
		      const char *stmt)
{
	if (m->bv) {
		if (bview_stat_add(m->bv, KEY(k), v))
			overflow(c, m, stmt);
		return;
	}
	struct stat_agg *s = map_ref_stats(m->m, KEY(k));
	if (!s) {
		overflow(c, m, stmt);
		return;
	}
	stat_add(s, &m->p, v);
}

const struct stp_stat *stp_map_get_stat_raw(struct stp_map *m, const void *key)
{
	return m->bv ? (const struct stp_stat *)bview_get_stats_raw(m->bv, key) : NULL;
}

void stp_map_delete(struct stp_map *m, const union stp_key *k)
{
	if (m->bv)
		bview_delete(m->bv, KEY(k));
	else
		map_delete(m->m, KEY(k));
}

void stp_map_clear(struct stp_map *m)
{
	if (m->bv)
		bview_clear(m->bv);
	else
		map_clear(m->m);
}

int64_t stp_map_count(struct stp_map *m)
{
	return m->bv ? bview_count(m->bv) : (int64_t)map_count(m->m);
}

/* ---- foreach ---- */

struct stp_iter {
	struct map_iter it;
	struct map *copy; /* a BPF map's copy, iterated instead */
};

struct stp_iter *stp_iter_start(struct stp_context *c, struct stp_map *m, int column, int dir,
				enum stp_stat_op agg, bool has_limit, int64_t limit)
{
	(void)c;
	static const enum map_agg aggs[] = {
		[STP_COUNT] = MAP_AGG_COUNT, [STP_SUM] = MAP_AGG_SUM,
		[STP_MIN] = MAP_AGG_MIN,     [STP_MAX] = MAP_AGG_MAX,
		[STP_AVG] = MAP_AGG_AVG,     [STP_VARIANCE] = MAP_AGG_COUNT,
	};
	struct map_order order = {
		.dir = dir < 0   ? MAP_DESCENDING
		       : dir > 0 ? MAP_ASCENDING
				 : MAP_UNSORTED,
		.column = (unsigned)column,
		.agg = aggs[agg],
		.has_limit = has_limit,
		.limit = limit,
	};
	struct stp_iter *it = xmalloc(sizeof(*it));
	it->copy = m->bv ? bview_snapshot(m->bv) : NULL;
	map_iter_init(&it->it, m->bv ? it->copy : m->m, &order);
	vec_push(&host_rt.iters, it);
	return it;
}

bool stp_iter_next(struct stp_iter *it)
{
	return map_iter_next(&it->it);
}

int64_t stp_iter_key_l(struct stp_iter *it, int column)
{
	return map_iter_key(&it->it)[column - 1].l;
}

const char *stp_iter_key_s(struct stp_iter *it, int column)
{
	const char *s = map_iter_key(&it->it)[column - 1].s;
	return s ? s : "";
}

int64_t stp_iter_val_l(struct stp_iter *it)
{
	return map_iter_long(&it->it);
}

const char *stp_iter_val_s(struct stp_iter *it)
{
	return map_iter_string(&it->it);
}

void stp_iter_end(struct stp_context *c, struct stp_iter *it)
{
	(void)c;
	vec_foreach(&host_rt.iters, i) {
		if (host_rt.iters.items[i] != it)
			continue;
		host_rt.iters.items[i] = host_rt.iters.items[--host_rt.iters.len];
		break;
	}
	map_iter_fini(&it->it);
	map_free(it->copy);
	free(it);
}

void host_close_iters(void)
{
	while (host_rt.iters.len)
		stp_iter_end(NULL, host_rt.iters.items[host_rt.iters.len - 1]);
}

/* ---- regular expressions ---- */

struct cached_regex {
	char *pattern;
	regex_t re;
};

#define MAX_SUBMATCH 10

static char *last_subject;
static regmatch_t last_match[MAX_SUBMATCH];
static bool have_match;

int64_t stp_regex_match(struct stp_context *c, const char *s, const char *re, const char *stmt)
{
	struct cached_regex *cr = NULL;
	vec_foreach(&host_rt.regexes, i) {
		struct cached_regex *x = host_rt.regexes.items[i];
		if (strcmp(x->pattern, re) == 0)
			cr = x;
	}
	if (!cr) {
		cr = xmalloc(sizeof(*cr));
		if (regcomp(&cr->re, re, REG_EXTENDED) != 0) {
			free(cr);
			stp_fail(c, "regular expression compilation failed", stmt);
			return 0;
		}
		cr->pattern = xstrdup(re);
		vec_push(&host_rt.regexes, cr);
	}
	regmatch_t m[MAX_SUBMATCH];
	if (regexec(&cr->re, s, MAX_SUBMATCH, m, 0) != 0)
		return 0;
	free(last_subject);
	last_subject = xstrdup(s);
	memcpy(last_match, m, sizeof(m));
	have_match = true;
	return 1;
}

void stp_regex_matched(struct stp_context *c, char *dst, int64_t n, const char *stmt)
{
	dst[0] = 0;
	if (!have_match || n < 0 || n >= MAX_SUBMATCH) {
		stp_fail(c, "matched() called without a successful match", stmt);
		return;
	}
	if (last_match[n].rm_so < 0)
		return;
	size_t len = (size_t)(last_match[n].rm_eo - last_match[n].rm_so);
	if (len > maxstr() - 1)
		len = maxstr() - 1;
	memcpy(dst, last_subject + last_match[n].rm_so, len);
	dst[len] = 0;
}

void host_free_regexes(void)
{
	vec_foreach(&host_rt.regexes, i) {
		struct cached_regex *cr = host_rt.regexes.items[i];
		regfree(&cr->re);
		free(cr->pattern);
		free(cr);
	}
	vec_fini(&host_rt.regexes);
	free(last_subject);
	last_subject = NULL;
	have_match = false;
}

/* ---- output buffer ---- */

void host_flush(void)
{
	if (host_rt.out.len && host_rt.outf) {
		errno = 0;
		if ((fwrite(host_rt.out.buf, 1, host_rt.out.len, host_rt.outf) != host_rt.out.len ||
		     fflush(host_rt.outf) != 0) &&
		    !host_rt.write_errno) {
			/* lost output ends the session, which then fails */
			host_rt.write_errno = errno ? errno : EIO;
			host_rt.exiting = true;
		}
	}
	host_rt.out.len = 0;
	if (host_rt.out.buf)
		host_rt.out.buf[0] = 0;
}

/* ---- context: stap's own process ---- */

int64_t stp_pid(struct stp_context *c)
{
	(void)c;
	return getpid();
}

int64_t stp_tid(struct stp_context *c)
{
	(void)c;
	return (int64_t)syscall(SYS_gettid);
}

int64_t stp_ppid(struct stp_context *c)
{
	(void)c;
	return getppid();
}

int64_t stp_uid(struct stp_context *c)
{
	(void)c;
	return getuid();
}

int64_t stp_gid(struct stp_context *c)
{
	(void)c;
	return getgid();
}

int64_t stp_euid(struct stp_context *c)
{
	(void)c;
	return geteuid();
}

int64_t stp_egid(struct stp_context *c)
{
	(void)c;
	return getegid();
}

int64_t stp_cpu(struct stp_context *c)
{
	(void)c;
	int cpu = sched_getcpu();
	return cpu < 0 ? 0 : cpu;
}

/* The command name of a process, from /proc. */
static void comm_of(const char *path, char *dst)
{
	dst[0] = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(dst, (int)maxstr(), f))
		dst[strcspn(dst, "\n")] = 0;
	fclose(f);
}

void stp_execname(struct stp_context *c, char *dst)
{
	(void)c;
	comm_of("/proc/self/comm", dst);
}

void stp_pexecname(struct stp_context *c, char *dst)
{
	(void)c;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)getppid());
	comm_of(path, dst);
}

void stp_pp(struct stp_context *c, char *dst)
{
	stp_strlcpy(dst, c->probe ? c->probe->pp : "", maxstr());
}

void stp_probe_type(struct stp_context *c, char *dst)
{
	static const char *const names[] = {
		/* the original's names: its begin, end and error probes are one kind */
		[STP_PROBE_BEGIN] = "begin_end",
		[STP_PROBE_END] = "begin_end",
		[STP_PROBE_ERROR] = "begin_end",
		[STP_PROBE_TIMER] = "timer",
		[STP_PROBE_TRACEPOINT] = "kernel_tracepoint",
		[STP_PROBE_PERF] = "perf_event",
		[STP_PROBE_UPROBE] = "uprobe",
		[STP_PROBE_USDT] = "uprobe",
		[STP_PROBE_PROCESS] = "utrace",
		[STP_PROBE_PROCFS] = "procfs",
	};
	const char *name = c->probe ? names[c->probe->kind] : "";
	/* the original's timers are hrtimers but for timer.jiffies */
	if (c->probe && c->probe->kind == STP_PROBE_TIMER &&
	    strncmp(c->probe->pp, "timer.jiffies", 13))
		name = "hrtimer";
	stp_strlcpy(dst, name, maxstr());
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t stp_gettimeofday_ns(struct stp_context *c)
{
	(void)c;
	return clock_ns(CLOCK_REALTIME);
}

int64_t stp_local_clock_ns(struct stp_context *c)
{
	(void)c;
	return clock_ns(CLOCK_MONOTONIC);
}

int64_t stp_jiffies(struct stp_context *c)
{
	(void)c;
	return kernel_jiffies();
}

int64_t stp_hz(struct stp_context *c)
{
	(void)c;
	return kernel_hz();
}

/* ---- reading memory: stap's own for user space, none for the kernel ---- */

static int read_self(void *dst, int64_t addr, size_t len)
{
	struct iovec local = {dst, len};
	struct iovec remote = {(void *)(uintptr_t)addr, len};
	ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

int64_t stp_user_str(char *dst, int64_t addr, int64_t size)
{
	dst[0] = 0;
	if (size <= 0)
		return 0;
	if (size > (int64_t)maxstr())
		size = (int64_t)maxstr();
	int64_t n = 0;
	for (; n < size - 1; n++) {
		char ch;
		if (read_self(&ch, addr + n, 1) != 0) {
			dst[0] = 0;
			return -EFAULT;
		}
		if (!ch)
			break;
		dst[n] = ch;
	}
	dst[n] = 0;
	return n;
}

int64_t stp_kernel_str(char *dst, int64_t addr, int64_t size)
{
	(void)addr;
	(void)size;
	dst[0] = 0;
	return -EFAULT;
}

static int64_t sign_extend(const unsigned char *b, int size)
{
	switch (size) {
	case 1:
		return (int8_t)b[0];
	case 2: {
		int16_t v;
		memcpy(&v, b, 2);
		return v;
	}
	case 4: {
		int32_t v;
		memcpy(&v, b, 4);
		return v;
	}
	default: {
		int64_t v;
		memcpy(&v, b, 8);
		return v;
	}
	}
}

int stp_user_int(int64_t *out, int64_t addr, int size)
{
	unsigned char b[8];
	*out = 0;
	if (read_self(b, addr, (size_t)size) != 0)
		return -EFAULT;
	*out = sign_extend(b, size);
	return 0;
}

int stp_kernel_int(int64_t *out, int64_t addr, int size)
{
	(void)addr;
	(void)size;
	*out = 0;
	return -EFAULT;
}

void stp_user_fault(struct stp_context *c, const char *what, int64_t rc, int64_t addr)
{
	if (strcmp(what, "string") == 0)
		snprintf(c->error_buf, maxstr(),
			 "user string copy fault %lld at 0x%llx [man error::fault]", (long long)rc,
			 (unsigned long long)addr);
	else
		snprintf(c->error_buf, maxstr(), "user %s copy fault at 0x%llx [man error::fault]",
			 what, (unsigned long long)addr);
	stp_fail(c, c->error_buf, NULL);
}

void stp_kernel_fault(struct stp_context *c, const char *what, int64_t addr)
{
	snprintf(c->error_buf, maxstr(), "kernel %s copy fault at 0x%llx [man error::fault]", what,
		 (unsigned long long)addr);
	stp_fail(c, c->error_buf, NULL);
}

void stp_user_fault_warn(struct stp_context *c, const char *what, int64_t rc, int64_t addr)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "user %s copy fault %lld at 0x%llx [man error::fault]", what,
		 (long long)rc, (unsigned long long)addr);
	stp_warn(c, buf);
}

/* ---- symbols: in user space, looked up at once ---- */

static void copy_sb(char *dst, struct strbuf *sb)
{
	stp_strlcpy(dst, sb_str(sb), maxstr());
	sb_fini(sb);
}

void stp_symname(struct stp_context *c, char *dst, int64_t addr)
{
	(void)c;
	struct strbuf sb;
	sb_init(&sb);
	symtab_name(&sb, 0, (uint64_t)addr);
	copy_sb(dst, &sb);
}

void stp_symdata(struct stp_context *c, char *dst, int64_t addr)
{
	(void)c;
	struct strbuf sb;
	sb_init(&sb);
	symtab_data(&sb, 0, (uint64_t)addr);
	copy_sb(dst, &sb);
}

void stp_usymname(struct stp_context *c, char *dst, int64_t addr)
{
	(void)c;
	struct strbuf sb;
	sb_init(&sb);
	symtab_name(&sb, getpid(), (uint64_t)addr);
	copy_sb(dst, &sb);
}

void stp_usymdata(struct stp_context *c, char *dst, int64_t addr)
{
	(void)c;
	struct strbuf sb;
	sb_init(&sb);
	symtab_data(&sb, getpid(), (uint64_t)addr);
	copy_sb(dst, &sb);
}

void stp_backtrace(struct stp_context *c, char *dst, void *prog_ctx, int user)
{
	/* user space has no kernel stack to show, and stap's own is of no use */
	(void)c;
	(void)prog_ctx;
	(void)user;
	dst[0] = 0;
}

void stp_sprint_stack(struct stp_context *c, char *dst, const char *stk, int user)
{
	(void)c;
	struct strbuf sb;
	sb_init(&sb);
	symtab_stack(&sb, user ? getpid() : 0, stk);
	copy_sb(dst, &sb);
}

void stp_print_stack(struct stp_context *c, const char *stk, int user)
{
	(void)c;
	symtab_stack(&host_rt.out, user ? getpid() : 0, stk);
}

void stp_ppfunc(struct stp_context *c, char *dst)
{
	pp_function(c->probe ? c->probe->pp : "", dst, maxstr());
}

int64_t stp_addr(struct stp_context *c)
{
	(void)c;
	return 0;
}

int64_t stp_uaddr(struct stp_context *c)
{
	(void)c;
	return 0;
}
