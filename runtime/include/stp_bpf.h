/*
 * stp_bpf.h: what the generated C of the BPF target includes (compiled by
 * `clang -O2 -target bpf`).  It gives kernel-side handlers the operations
 * stp_host.h gives host handlers, under the same names where the emitter
 * writes the same text for both (arithmetic, strings, errors), and the BPF
 * forms of the rest (maps, statistics, records).
 *
 * Memory.  The BPF stack is 512 bytes, so strings never live there: each
 * CPU has a scratch area (an array map indexed by CPU) holding the error
 * buffer, the record being built and the frames of the handler and the
 * functions it calls.  A frame is a struct of the function's locals and
 * string temporaries; a callee's frame follows its caller's.  Every string
 * is a full MAXSTRINGLEN buffer (a frame slot, a map value, a padded
 * literal in .rodata), which lets the string operations be BPF global
 * functions, verified once whatever the number of call sites.
 *
 * Output and control go to user space through one ring buffer as records
 * (struct stp_rec_hdr and what follows): printf arguments, errors, exit(),
 * warnings, system() commands.  Records are written without waking the
 * reader until enough bytes are pending; the reader also polls.
 *
 * The generated file may define, before including this header: STP_REC_MAX
 * (a power of two, the largest record) and STP_ZERO_SIZE; after it: the
 * shared globals (struct stp_shared stp_shared in .data), the maps and the
 * scratch map.
 */
#ifndef STP_BPF_H
#define STP_BPF_H

#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <linux/types.h>

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

typedef __s8 int8_t;
typedef __u8 uint8_t;
typedef __s16 int16_t;
typedef __u16 uint16_t;
typedef __s32 int32_t;
typedef __u32 uint32_t;
typedef __s64 int64_t;
typedef __u64 uint64_t;
typedef unsigned long uintptr_t;
typedef _Bool bool;
#define true  1
#define false 0
#ifndef NULL
#define NULL ((void *)0)
#endif
#define INT64_C(v)  v##LL
#define INT64_MIN   (-9223372036854775807LL - 1)
#define INT64_MAX   9223372036854775807LL
#define UINT64_C(v) v##ULL

#ifndef MAXSTRINGLEN
#define MAXSTRINGLEN 512
#endif
#ifndef MAXACTION
#define MAXACTION 1000
#endif
#ifndef MAXNESTING
#define MAXNESTING 10
#endif
#ifndef MAXERRORS
#define MAXERRORS 0
#endif
#ifndef MAXMAPENTRIES
#define MAXMAPENTRIES 2048
#endif
#ifndef STP_REC_MAX
#define STP_REC_MAX 4096
#endif
/* Pending bytes in the ring buffer that make a record wake the reader. */
#ifndef STP_WAKEUP_BYTES
#define STP_WAKEUP_BYTES (64 * 1024)
#endif

#define STP_LIKELY(x)   __builtin_expect(!!(x), 1)
#define STP_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define STP_INLINE      static __attribute__((always_inline)) inline
#define STP_GLOBAL      __attribute__((noinline))
#define STP_MAX(a, b)   ((a) > (b) ? (a) : (b))

/* ---- what BPF and the runtime share (the runtime has copies: keep them
 * in step with src/runtime/bpf.h) ---- */

enum stp_state {
	STP_STARTING = 0, /* begin probes run; kernel handlers do nothing yet */
	STP_RUNNING = 1,
	STP_STOPPING = 2, /* exit(), errors, a signal: handlers do nothing */
};

/* The first member of the shared globals (.data). */
struct stp_rt_shared {
	int64_t state;
	int64_t lost;         /* records the ring buffer had no room for */
	int64_t errors;       /* errors kernel handlers hit */
	int64_t realtime_off; /* CLOCK_REALTIME - CLOCK_BOOTTIME, ns */
	int64_t target;       /* target() */
	int64_t skipped; /* handlers that could not run (no scratch area) */
	int64_t nr_cpus;
	int64_t start_ns; /* CLOCK_MONOTONIC when the probes were attached */
	int64_t hz; /* the kernel's HZ */
	int64_t reserved[7];
};

enum stp_rec_type {
	STP_REC_PRINT = 1, /* id: the print site; then its arguments */
	STP_REC_ERROR,     /* id: STP_E_*; then struct stp_rec_error, a message */
	STP_REC_EXIT,
	STP_REC_WARN,   /* a message */
	STP_REC_SYSTEM, /* a command */
	STP_REC_TEXT,   /* text for the output, deferred strings expanded */
	STP_REC_HIST,   /* id: a histogram's print site; then the element's key */
};

struct stp_rec_hdr {
	uint16_t type;
	uint16_t pad;
	uint32_t id;
};

struct stp_rec_error {
	int32_t stmt; /* the location's index, -1: none */
	int32_t arg;  /* STP_E_OVERFLOW: the array's declared size, 0 none */
};

/* Error codes; the runtime keeps their texts (the original's words). */
enum stp_error_code {
	STP_E_NONE,
	STP_E_DIV0,       /* "division by 0" */
	STP_E_MAXACTION,  /* "MAXACTION exceeded" */
	STP_E_MAXNESTING, /* "MAXNESTING exceeded" */
	STP_E_EXHAUSTED,  /* "all functions exhausted" */
	STP_E_OVERFLOW,   /* "Array overflow, check ..." */
	STP_E_MSG,        /* error(msg): the text is in the record */
	STP_E_NEXT,       /* `next` in a function: not an error, a jump */
	STP_E_EMPTY,      /* "empty aggregate" */
	STP_E_FAULT,      /* "kernel read fault at 0x..." (text in the record) */
};

#define STP_MSG_DIV0       STP_E_DIV0
#define STP_MSG_MAXACTION  STP_E_MAXACTION
#define STP_MSG_MAXNESTING STP_E_MAXNESTING
#define STP_MSG_EXHAUSTED  STP_E_EXHAUSTED
#define STP_NOWHERE        (-1)
#define stp_next           STP_E_NEXT

/* ---- the scratch area and the context ---- */

struct stp_str {
	char s[MAXSTRINGLEN];
};

/* A string operation's destination: the verifier must see room for two
 * strings after it, because a concatenation writes at a variable offset
 * (the scratch area ends with that much slack). */
struct stp_str2 {
	char s[2 * MAXSTRINGLEN];
};

/* What a handler and the functions it calls share.  A handler that uses
 * its CPU's scratch area keeps it there, first in the area (the verifier
 * does not follow values through map memory, so the loop bodies that
 * count down actionremaining are checked once, not once per turn); one
 * that does not (no strings, loops, calls, output, kernel reads or error
 * messages) keeps it on its stack.
 *
 * Which of the two a context is, is known when the handler is written,
 * never tested at run time: a helper that reaches the scratch area through
 * STP_SCRATCH(c) is only ever emitted in a handler that has one (pass 3
 * checks it, see emit_bpf.c), so no pointer is ever formed past the end of
 * a context on the stack. */
struct stp_context {
	int32_t last_error; /* STP_E_*, 0: none */
	int32_t last_stmt;  /* location index, -1: none */
	int32_t err_arg;
	int32_t nesting;
	int64_t actionremaining;
	int64_t probe; /* the probe's index */
	int64_t ip;    /* addr(): where the interrupted code was, 0 unknown */
	/* kernel function probes: the parameters and the return value, as the
	 * program's mechanism (fentry/fexit, kprobe/kretprobe) delivered them */
	uint64_t kargs[6];
	uint64_t kret;
	int64_t uaddr; /* uaddr(): the user-space instruction pointer, 0 unknown */
};

struct stp_scratch_hdr {
	struct stp_context ctx;
	char errbuf[MAXSTRINGLEN];
	char rec[STP_REC_MAX + MAXSTRINGLEN + 16];
};

/* c must be the context of a handler with a scratch area: its first member. */
#define STP_SCRATCH(c) ((struct stp_scratch_hdr *)(void *)(c))

/* A loop body's state, in its function's frame, and what the body's
 * callback gets (on the stack: pointers only). */
struct stp_loop_state {
	int64_t limit; /* foreach ... limit N; -1 none */
	int64_t count;
	int64_t flow; /* out of the body: 1 an error, 2 return or next */
};

struct stp_loop {
	struct stp_context *c;
	void *F;
	void *ctx; /* the BPF program's context */
	struct stp_loop_state *ls;
};

/* The ring buffer all records go through (size set by the runtime, -s). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} stp_rb SEC(".maps");

/* Zeros for new per-CPU statistics (their values are bigger than the stack). */
#ifndef STP_ZERO_SIZE
#define STP_ZERO_SIZE 1088
#endif
static const char stp_zero[STP_ZERO_SIZE];

/* The runtime's part of the shared data, in its own section (the runtime
 * mmaps it as the map ".data.stp"). */
struct stp_rt_shared stp_rt SEC(".data.stp") = {0};
#define stp_rt_ptr (&stp_rt)

STP_INLINE void stp_fail(struct stp_context *c, int32_t code, int32_t stmt)
{
	c->last_error = code;
	c->last_stmt = stmt;
}

STP_INLINE void stp_clear_error(struct stp_context *c)
{
	c->last_error = 0;
	c->last_stmt = -1;
}

/* ---- records ---- */

STP_INLINE uint64_t stp_wakeup_flags(void)
{
	return bpf_ringbuf_query(&stp_rb, BPF_RB_AVAIL_DATA) >= STP_WAKEUP_BYTES
		       ? BPF_RB_FORCE_WAKEUP
		       : BPF_RB_NO_WAKEUP;
}

STP_INLINE void stp_rec_send(struct stp_rt_shared *rt, void *rec, uint32_t len, uint64_t flags)
{
	if (len > STP_REC_MAX)
		len = STP_REC_MAX;
	if (bpf_ringbuf_output(&stp_rb, rec, len, flags))
		__sync_fetch_and_add(&rt->lost, 1);
}

/* A long at off (8-aligned); the next offset. */
STP_INLINE uint32_t stp_rec_long(char *rec, uint32_t off, int64_t v)
{
	off &= STP_REC_MAX - 1;
	*(int64_t *)(rec + off) = v;
	return off + 8;
}

/* A string at off with its NUL, padded to 8; the next offset. */
STP_INLINE uint32_t stp_rec_str(char *rec, uint32_t off, const char *s)
{
	off &= STP_REC_MAX - 1;
	long n = bpf_probe_read_kernel_str(rec + off, MAXSTRINGLEN, s);
	if (n <= 0) {
		rec[off] = 0;
		n = 1;
	}
	return off + (((uint32_t)n + 7) & ~7u);
}

STP_INLINE void stp_rec_start(char *rec, uint16_t type, uint32_t id)
{
	struct stp_rec_hdr *h = (struct stp_rec_hdr *)rec;
	h->type = type;
	h->pad = 0;
	h->id = id;
}

/* A record of just a header and a message (or none), sent at once. */
STP_INLINE void stp_send_text(struct stp_context *c, uint16_t type, const char *msg,
			      uint64_t flags)
{
	char *r = STP_SCRATCH(c)->rec;
	stp_rec_start(r, type, 0);
	uint32_t off = 8;
	if (msg)
		off = stp_rec_str(r, off, msg);
	stp_rec_send(stp_rt_ptr, r, off, flags);
}

/* An error's count, and whether the session stops on it; 0 for `next`. */
STP_INLINE int stp_count_error(struct stp_context *c)
{
	struct stp_rt_shared *rt = stp_rt_ptr;
	if (c->last_error == STP_E_NEXT)
		return 0;
	int64_t n = __sync_fetch_and_add(&rt->errors, 1) + 1;
	if (n > MAXERRORS)
		rt->state = STP_STOPPING;
	return 1;
}

/* At the end of a handler without a scratch area: report its error's code
 * (such a handler has no message to send). */
STP_INLINE void stp_report_error_code(struct stp_context *c)
{
	if (!stp_count_error(c))
		return;
	struct {
		struct stp_rec_hdr h;
		struct stp_rec_error e;
	} rec = {{STP_REC_ERROR, 0, (uint32_t)c->last_error}, {c->last_stmt, c->err_arg}};
	stp_rec_send(stp_rt_ptr, &rec, sizeof(rec), BPF_RB_FORCE_WAKEUP);
}

/* At the end of a handler with a scratch area: report its error, with the
 * message error() or a fault left in errbuf. */
STP_INLINE void stp_report_error(struct stp_context *c)
{
	if (!stp_count_error(c))
		return;
	char *r = STP_SCRATCH(c)->rec;
	stp_rec_start(r, STP_REC_ERROR, (uint32_t)c->last_error);
	*(struct stp_rec_error *)(r + 8) = (struct stp_rec_error){c->last_stmt, c->err_arg};
	uint32_t off = 16;
	if (c->last_error == STP_E_MSG || c->last_error == STP_E_FAULT)
		off = stp_rec_str(r, 16, STP_SCRATCH(c)->errbuf);
	stp_rec_send(stp_rt_ptr, r, off, BPF_RB_FORCE_WAKEUP);
}

/* ---- arithmetic with the original's rules (BPF has no signed division) ---- */

#define stp_add(a, b) ((int64_t)((uint64_t)(a) + (uint64_t)(b)))
#define stp_sub(a, b) ((int64_t)((uint64_t)(a) - (uint64_t)(b)))
#define stp_mul(a, b) ((int64_t)((uint64_t)(a) * (uint64_t)(b)))
#define stp_neg(a)    ((int64_t)(0 - (uint64_t)(a)))
#define stp_shl(a, b) ((int64_t)((uint64_t)(a) << ((b) & 63)))
#define stp_shr(a, b) ((int64_t)(a) >> ((b) & 63))

/* a / b truncated toward zero, for b != 0 */
STP_INLINE int64_t stp_sdiv(int64_t a, int64_t b)
{
	uint64_t ua = a < 0 ? 0 - (uint64_t)a : (uint64_t)a;
	uint64_t ub = b < 0 ? 0 - (uint64_t)b : (uint64_t)b;
	uint64_t q = ua / ub;
	return (a < 0) != (b < 0) ? (int64_t)(0 - q) : (int64_t)q;
}

STP_INLINE int64_t stp_smod(int64_t a, int64_t b)
{
	return stp_sub(a, stp_mul(stp_sdiv(a, b), b));
}

STP_INLINE int64_t stp_div(struct stp_context *c, int64_t a, int64_t b, int32_t stmt)
{
	if (STP_UNLIKELY(b == 0)) {
		stp_fail(c, STP_E_DIV0, stmt);
		return 0;
	}
	if (STP_UNLIKELY(b == -1))
		return stp_neg(a);
	return stp_sdiv(a, b);
}

STP_INLINE int64_t stp_mod(struct stp_context *c, int64_t a, int64_t b, int32_t stmt)
{
	if (STP_UNLIKELY(b == 0)) {
		stp_fail(c, STP_E_DIV0, stmt);
		return 0;
	}
	if (STP_UNLIKELY(b == -1))
		return 0;
	return stp_smod(a, b);
}

/* ---- strings (global functions: verified once) ---- */

STP_GLOBAL int64_t stp_strlen_(const struct stp_str *s)
{
	if (!s)
		return 0;
	for (int i = 0; i < MAXSTRINGLEN - 1; i++)
		if (!s->s[i])
			return i;
	return MAXSTRINGLEN - 1;
}

STP_GLOBAL int stp_strcmp_(const struct stp_str *a, const struct stp_str *b)
{
	if (!a || !b)
		return 0;
	for (int i = 0; i < MAXSTRINGLEN; i++) {
		unsigned char x = a->s[i], y = b->s[i];
		if (x != y)
			return x < y ? -1 : 1;
		if (!x)
			return 0;
	}
	return 0;
}

STP_GLOBAL int stp_scpy_(struct stp_str *dst, const struct stp_str *src)
{
	if (!dst || !src)
		return 0;
	if ((void *)dst != (void *)src) {
		long n = bpf_probe_read_kernel_str(dst->s, MAXSTRINGLEN, src->s);
		if (n < 0)
			dst->s[0] = 0;
	}
	return 0;
}

/* dst = a . b; dst may be a, not b. */
STP_GLOBAL int stp_scat_(struct stp_str2 *dst, const struct stp_str *a, const struct stp_str *b)
{
	if (!dst || !a || !b)
		return 0;
	long n;
	if ((void *)dst == (void *)a) {
		n = stp_strlen_(a);
	} else {
		n = bpf_probe_read_kernel_str(dst->s, MAXSTRINGLEN, a->s) - 1;
		if (n < 0) {
			dst->s[0] = 0;
			n = 0;
		}
	}
	n &= MAXSTRINGLEN - 1;
	if (bpf_probe_read_kernel_str(dst->s + n, MAXSTRINGLEN - n, b->s) < 0)
		dst->s[n] = 0;
	return 0;
}

#define STP_STR(p)   ((const struct stp_str *)(const void *)(p))
#define stp_strlen(s) stp_strlen_(STP_STR(s))
#define stp_strcmp(a, b) stp_strcmp_(STP_STR(a), STP_STR(b))
#define stp_scpy(d, s)  stp_scpy_((struct stp_str *)(void *)(d), STP_STR(s))
#define stp_scat(d, a, b) stp_scat_((struct stp_str2 *)(void *)(d), STP_STR(a), STP_STR(b))

/* try/catch: the caught message, as the runtime would print it. */
static const char stp_overflow_size_fmt[] = "Array overflow, check size limit (%d)";

STP_INLINE void stp_catch(struct stp_context *c, char *dst)
{
	static struct stp_str msgs[] SEC(".data.lits") = {
		{""},
		{"division by 0"},
		{"MAXACTION exceeded"},
		{"MAXNESTING exceeded"},
		{"all functions exhausted"},
		{"Array overflow, check MAXMAPENTRIES"},
		{""},
		{""},
		{"empty aggregate"},
	};
	int32_t e = c->last_error;
	if (e == STP_E_MSG || e == STP_E_FAULT) {
		stp_scpy(dst, STP_SCRATCH(c)->errbuf);
	} else if (e == STP_E_OVERFLOW && c->err_arg > 0) {
		uint64_t a[1] = {(uint64_t)c->err_arg};
		bpf_snprintf(dst, MAXSTRINGLEN, stp_overflow_size_fmt, a, 8);
	} else if (e > 0 && e < (int32_t)(sizeof(msgs) / sizeof(msgs[0]))) {
		stp_scpy(dst, msgs[e].s);
	} else {
		dst[0] = 0;
	}
}

/* error(msg) */
STP_INLINE void stp_error_msg(struct stp_context *c, const char *msg)
{
	if (bpf_probe_read_kernel_str(STP_SCRATCH(c)->errbuf, MAXSTRINGLEN, msg) < 0)
		STP_SCRATCH(c)->errbuf[0] = 0;
	stp_fail(c, STP_E_MSG, -1);
}

STP_INLINE void stp_exit(struct stp_context *c)
{
	stp_rt_ptr->state = STP_STOPPING;
	stp_send_text(c, STP_REC_EXIT, NULL, BPF_RB_FORCE_WAKEUP);
}

STP_INLINE void stp_warn(struct stp_context *c, const char *msg)
{
	stp_send_text(c, STP_REC_WARN, msg, BPF_RB_FORCE_WAKEUP);
}

STP_INLINE void stp_system(struct stp_context *c, const char *cmd)
{
	stp_send_text(c, STP_REC_SYSTEM, cmd, BPF_RB_FORCE_WAKEUP);
}

STP_INLINE int64_t stp_target(struct stp_context *c)
{
	(void)c;
	return stp_rt_ptr->target;
}

/* ---- arrays: BPF hash maps keyed by a struct of the key columns ---- */

STP_INLINE void stp_overflow(struct stp_context *c, int32_t size, int32_t stmt)
{
	c->err_arg = size;
	stp_fail(c, STP_E_OVERFLOW, stmt);
}

STP_INLINE int64_t stp_bmap_get_l(void *map, const void *key)
{
	int64_t *v = bpf_map_lookup_elem(map, key);
	return v ? *v : 0;
}

STP_INLINE void stp_bmap_set_l(struct stp_context *c, void *map, const void *key, int64_t v,
			       int32_t size, int32_t stmt)
{
	if (bpf_map_update_elem(map, key, &v, BPF_ANY))
		stp_overflow(c, size, stmt);
}

/* v: a full string buffer */
STP_INLINE void stp_bmap_set_s(struct stp_context *c, void *map, const void *key, const char *v,
			       int32_t size, int32_t stmt)
{
	if (bpf_map_update_elem(map, key, v, BPF_ANY))
		stp_overflow(c, size, stmt);
}

STP_INLINE void stp_bmap_get_s(void *map, const void *key, char *dst)
{
	const char *v = bpf_map_lookup_elem(map, key);
	if (v)
		stp_scpy(dst, v);
	else
		dst[0] = 0;
}

/* a[k] += v, atomically; the new value. */
STP_INLINE int64_t stp_bmap_add_l(struct stp_context *c, void *map, const void *key, int64_t v,
				  int32_t size, int32_t stmt)
{
	int64_t *p = bpf_map_lookup_elem(map, key);
	if (p)
		return __sync_fetch_and_add(p, v) + v;
	if (bpf_map_update_elem(map, key, &v, BPF_NOEXIST) == 0)
		return v;
	p = bpf_map_lookup_elem(map, key); /* another CPU made it meanwhile */
	if (p)
		return __sync_fetch_and_add(p, v) + v;
	stp_overflow(c, size, stmt);
	return 0;
}

STP_INLINE bool stp_bmap_exists(void *map, const void *key)
{
	/* a 0/1 the compiler cannot see through: it would fold the test into
	 * the expression around it ("x | (k in a)" as x | pointer), which
	 * the verifier refuses on a pointer that may be NULL */
	int64_t r = bpf_map_lookup_elem(map, key) != NULL;
	asm volatile("" : "+r"(r));
	return r;
}

STP_INLINE void stp_bmap_delete(void *map, const void *key)
{
	bpf_map_delete_elem(map, key);
}

static long stp_clear_cb(void *map, const void *key, void *val, void *ctx)
{
	(void)val;
	(void)ctx;
	bpf_map_delete_elem(map, key);
	return 0;
}

STP_INLINE void stp_bmap_clear(void *map)
{
	bpf_for_each_map_elem(map, stp_clear_cb, NULL, 0);
}

/* A string key column for a lookup: 1 when src is longer than the column
 * holds (then no element has it: every stored key fits). */
STP_INLINE int stp_key_str_tr(char *dst, uint32_t width, const char *src)
{
	long n = bpf_probe_read_kernel_str(dst, width, src);
	if (n < 0) {
		dst[0] = 0;
		return 0;
	}
	return n == width && src[width - 1] != 0;
}

/* Zeroes a map key before its columns are written.  clang's BPF backend
 * inlines a memset of at most 128 stores and cannot call one, so a key over
 * 1 KiB (two string columns at MAXSTRINGLEN 512, and two numbers) failed
 * to compile; it is zeroed in 512-byte pieces, kept apart by a barrier so
 * that clang does not merge them back into one memset.  n is a constant. */
STP_INLINE void stp_key_zero(void *p, uint32_t n)
{
	char *z = p;
	uint32_t o = 0;
#pragma unroll
	for (; o + 512 <= n; o += 512) {
		__builtin_memset(z + o, 0, 512);
		asm volatile("" ::: "memory");
	}
	if (n % 512)
		__builtin_memset(z + n / 512 * 512, 0, n % 512);
}

/* Key columns compared (zero-padded, so as strings). */
STP_INLINE int stp_kcmp(const char *a, const char *b, uint32_t w)
{
	for (uint32_t i = 0; i < w && i < MAXSTRINGLEN; i++) {
		unsigned char x = a[i], y = b[i];
		if (x != y)
			return x < y ? -1 : 1;
		if (!x)
			return 0;
	}
	return 0;
}

/* A string key column: copied and cut to width - 1 bytes.  Narrow columns
 * (execname()'s 16 bytes) are copied inline, which costs less than the
 * helper; the key is zeroed before, so the bytes after the NUL stay 0. */
STP_INLINE void stp_key_str(char *dst, uint32_t width, const char *src)
{
	if (width <= 32) {
		uint32_t i = 0;
#pragma unroll
		for (; i < 31; i++) {
			if (i + 1 >= width)
				break;
			char ch = src[i];
			if (!ch)
				break;
			dst[i] = ch;
		}
		/* (clang would fold a mask into pointer arithmetic the verifier
		 * refuses; it cannot see through the barrier) */
		asm volatile("" : "+r"(i));
		if (i < 32)
			dst[i] = 0;
		return;
	}
	if (bpf_probe_read_kernel_str(dst, width, src) < 0)
		dst[0] = 0;
}

/* ---- statistics: per-CPU values, merged by the runtime ---- */

struct stp_stat_hdr {
	int64_t count, sum, min, max;
	int64_t avg_s, m2, variance_s;
	int64_t variance;
};

STP_INLINE int64_t stp_div64(int64_t x, int64_t y)
{
	if (y == 0)
		return 0;
	if (y == -1)
		return stp_neg(x);
	return stp_sdiv(x, y);
}

STP_INLINE int32_t stp_low_int32(int64_t v)
{
	return (int32_t)(uint32_t)(uint64_t)v;
}

STP_INLINE int stp_log2_bits(uint64_t m)
{
	int n = 0;
	if (m >> 32) {
		n += 32;
		m >>= 32;
	}
	if (m >> 16) {
		n += 16;
		m >>= 16;
	}
	if (m >> 8) {
		n += 8;
		m >>= 8;
	}
	if (m >> 4) {
		n += 4;
		m >>= 4;
	}
	if (m >> 2) {
		n += 2;
		m >>= 2;
	}
	if (m >> 1) {
		n += 1;
		m >>= 1;
	}
	return n + (int)m;
}

/* `s <<< v` on this CPU's record; kind 0 none, 1 log, 2 linear. */
STP_INLINE void stp_stat_add_hdr(struct stp_stat_hdr *s, int shift, int64_t v)
{
	int64_t vs = stp_shl(v, shift);
	if (s->count == 0) {
		s->count = 1;
		s->sum = s->min = s->max = v;
		s->avg_s = vs;
		s->m2 = 0;
	} else {
		s->count++;
		s->sum = stp_add(s->sum, v);
		if (v > s->max)
			s->max = v;
		if (v < s->min)
			s->min = v;
		int32_t delta = stp_low_int32(stp_sub(vs, s->avg_s));
		s->avg_s = stp_add(s->avg_s, stp_div64(delta, s->count));
		s->m2 = stp_add(s->m2, stp_mul(delta, stp_sub(vs, s->avg_s)));
		s->variance_s = stp_div64(s->m2, s->count - 1);
	}
}

STP_INLINE int stp_hist_log_bucket(int64_t v)
{
	if (v == 0)
		return 64;
	uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	int bits = stp_log2_bits(m);
	return v > 0 ? 64 + bits : 64 - bits;
}

STP_INLINE int stp_hist_linear_bucket(int64_t v, int start, int step, int nbuckets)
{
	int64_t off = stp_sub(v, start);
	if (off < 0)
		return 0;
	uint64_t b = (uint64_t)off / (uint32_t)step + 1;
	if (b == UINT64_C(1) << 63)
		return 0;
	if (b >= (uint64_t)(nbuckets - 1))
		return nbuckets - 1;
	return (int)b;
}

/* -t: a handler's time, from its start to its end, into this CPU's
 * statistic of the probe (the map stp_timing, emitted with STP_TIMING);
 * nothing at all without -t. */
#ifdef STP_TIMING
#define STP_TIMING_START uint64_t stp_t0 = bpf_ktime_get_ns()
#define STP_TIMING_END(i)                                                                          \
	do {                                                                                       \
		uint32_t stp_tk = (i);                                                             \
		struct stp_stat_hdr *stp_ts = bpf_map_lookup_elem(&stp_timing, &stp_tk);           \
		if (stp_ts)                                                                        \
			stp_stat_add_hdr(stp_ts, 0, (int64_t)(bpf_ktime_get_ns() - stp_t0));       \
	} while (0)
#else
#define STP_TIMING_START                                                                           \
	do {                                                                                       \
	} while (0)
#define STP_TIMING_END(i)                                                                          \
	do {                                                                                       \
	} while (0)
#endif

/* A statistics array's element on this CPU, made (zero) if missing; NULL
 * when the map is full. */
STP_INLINE void *stp_bstat_ref(void *map, const void *key)
{
	void *v = bpf_map_lookup_elem(map, key);
	if (v)
		return v;
	bpf_map_update_elem(map, key, stp_zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

/* The extractors in kernel context: every CPU's record merged (count,
 * sum, min, max; what @count @sum @min @max @avg need). */
struct stp_agg {
	int64_t count, sum, min, max;
};

/* A map, for a bpf_loop() callback (its argument must be on the stack). */
struct stp_map_arg {
	void *map;
};

struct stp_agg_ctx {
	void *map;
	const void *key;
	struct stp_agg *out;
};

static long stp_agg_cb(uint32_t cpu, void *arg)
{
	struct stp_agg_ctx *a = arg;
	struct stp_stat_hdr *s = bpf_map_lookup_percpu_elem(a->map, a->key, cpu);
	if (!s || !s->count)
		return 0;
	struct stp_agg *o = a->out;
	if (o->count == 0) {
		o->min = s->min;
		o->max = s->max;
	} else {
		if (s->min < o->min)
			o->min = s->min;
		if (s->max > o->max)
			o->max = s->max;
	}
	o->count = stp_add(o->count, s->count);
	o->sum = stp_add(o->sum, s->sum);
	return 0;
}

/* print(@hist_*(s)): gN_hist_cb sums every CPU's buckets into out (the
 * record), so that the host prints the histogram as it was at the print. */
struct stp_hist_arg {
	void *map;
	const void *key;
	int64_t *out;
};

STP_INLINE void stp_bstat_merge(void *map, const void *key, struct stp_agg *out)
{
	out->count = out->sum = out->min = out->max = 0;
	struct stp_agg_ctx a = {map, key, out};
	bpf_loop((uint32_t)stp_rt.nr_cpus, stp_agg_cb, &a, 0);
}

/* @variance(s, shift) in kernel context, once stp_bstat_merge() has made AGG
 * (count > 0): the CPUs' Welford records merged by the "total variance"
 * formula, as the runtime does it (src/runtime/hist.c, stat_merge()). */
struct stp_var_ctx {
	void *map;
	const void *key;
	int64_t avg_s, s1, s2;
};

static long stp_var_cb(uint32_t cpu, void *arg)
{
	struct stp_var_ctx *a = arg;
	struct stp_stat_hdr *s = bpf_map_lookup_percpu_elem(a->map, a->key, cpu);
	if (!s || !s->count)
		return 0;
	int64_t d = stp_sub(s->avg_s, a->avg_s);
	a->s1 = stp_add(a->s1, stp_mul(stp_mul(s->count, d), d));
	a->s2 = stp_add(a->s2, stp_mul(s->count - 1, s->variance_s));
	return 0;
}

STP_INLINE int64_t stp_bstat_variance(void *map, const void *key, const struct stp_agg *agg,
				      int shift)
{
	struct stp_var_ctx a = {map, key, stp_div64(stp_shl(agg->sum, shift), agg->count), 0, 0};
	bpf_loop((uint32_t)stp_rt.nr_cpus, stp_var_cb, &a, 0);
	return stp_shr(stp_div64(stp_add(a.s1, a.s2), agg->count - 1), 2 * shift);
}

/* ---- kernel function probes ---- */

/* A parameter or return value of `size` bytes from its 64-bit slot. */
STP_INLINE int64_t stp_kf_value(uint64_t v, int size, bool is_signed)
{
	switch (size) {
	case 1:
		return is_signed ? (int64_t)(int8_t)v : (int64_t)(uint8_t)v;
	case 2:
		return is_signed ? (int64_t)(int16_t)v : (int64_t)(uint16_t)v;
	case 4:
		return is_signed ? (int64_t)(int32_t)v : (int64_t)(uint32_t)v;
	default:
		return (int64_t)v;
	}
}

/* x86-64's struct pt_regs, as a kprobe's context: the argument registers
 * (di, si, dx, cx, r8, r9), ax (the return value) and ip, by offset. */
#define STP_REGS_AX 80
#define STP_REGS_IP 128
STP_INLINE uint64_t stp_kp_reg(void *ctx, uint32_t off)
{
	return *(uint64_t *)((char *)ctx + off);
}

STP_INLINE uint64_t stp_kp_arg(void *ctx, int i)
{
	static const uint32_t offs[6] = {112, 104, 96, 88, 72, 64};
	return stp_kp_reg(ctx, offs[i]);
}

/* ---- tracepoint records ---- */

STP_INLINE int64_t stp_tp_long(void *ctx, uint32_t off, int size, bool is_signed)
{
	char *p = (char *)ctx + off;
	switch (size) {
	case 1:
		return is_signed ? (int64_t) * (int8_t *)p : (int64_t) * (uint8_t *)p;
	case 2:
		return is_signed ? (int64_t) * (int16_t *)p : (int64_t) * (uint16_t *)p;
	case 4:
		return is_signed ? (int64_t) * (int32_t *)p : (int64_t) * (uint32_t *)p;
	default:
		return *(int64_t *)p;
	}
}

/* char name[size]: may lack its NUL. */
STP_INLINE void stp_tp_chars(void *ctx, uint32_t off, uint32_t size, char *dst)
{
	if (size > MAXSTRINGLEN - 1)
		size = MAXSTRINGLEN - 1;
	if (bpf_probe_read_kernel(dst, size & (MAXSTRINGLEN - 1), (char *)ctx + off) < 0)
		size = 0;
	dst[size & (MAXSTRINGLEN - 1)] = 0;
	/* the string ends at its first NUL; the copy holds the rest, unread */
}

/* __data_loc char[] name: a 32-bit (length << 16 | offset) in the record. */
STP_INLINE void stp_tp_data_loc(void *ctx, uint32_t off, char *dst)
{
	uint32_t loc = *(uint32_t *)((char *)ctx + off);
	uint32_t where = loc & 0xffff;
	if (bpf_probe_read_kernel_str(dst, MAXSTRINGLEN, (char *)ctx + where) < 0)
		dst[0] = 0;
}

/* ---- reading memory (conversions tapset) ---- */

/* A string at addr, at most size - 1 bytes (size clamped to MAXSTRINGLEN):
 * its length, or -errno. */
STP_INLINE int64_t stp_user_str(char *dst, int64_t addr, int64_t size)
{
	uint32_t n = size <= 0 ? 1 : size >= MAXSTRINGLEN ? MAXSTRINGLEN : (uint32_t)size;
	long rc = bpf_probe_read_user_str(dst, n, (const void *)addr);
	if (rc < 0) {
		dst[0] = 0;
		return rc;
	}
	return rc - 1;
}

STP_INLINE int64_t stp_kernel_str(char *dst, int64_t addr, int64_t size)
{
	uint32_t n = size <= 0 ? 1 : size >= MAXSTRINGLEN ? MAXSTRINGLEN : (uint32_t)size;
	long rc = bpf_probe_read_kernel_str(dst, n, (const void *)addr);
	if (rc < 0) {
		dst[0] = 0;
		return rc;
	}
	return rc - 1;
}

STP_INLINE int64_t stp_extend(uint64_t v, int size)
{
	switch (size) {
	case 1:
		return (int8_t)v;
	case 2:
		return (int16_t)v;
	case 4:
		return (int32_t)v;
	default:
		return (int64_t)v;
	}
}

/* Argument i of a raw_tp program's tracepoint (bpf_trace_run<N>() stores
 * each in 8 bytes, zero-extended from its size), as its C type reads. */
#define stp_tp_arg(ctx, i, size, is_signed) stp_tp_arg_extend(stp_tp_arg_load(ctx, i), size, is_signed)
/* one load at a constant offset from the context register itself: the
 * verifier refuses a load through a copy clang moved (ctx + 8, then +0) */
#define stp_tp_arg_load(ctx, i)                                                                    \
	({                                                                                         \
		uint64_t stp_v_;                                                                   \
		asm volatile("%0 = *(u64 *)(%1 + %2)" : "=r"(stp_v_) : "r"(ctx), "i"((i) * 8));    \
		stp_v_;                                                                            \
	})
STP_INLINE int64_t stp_tp_arg_extend(uint64_t v, int size, bool is_signed)
{
	if (is_signed)
		return stp_extend(v, size);
	return size >= 8 ? (int64_t)v : (int64_t)(v & ((UINT64_C(1) << (8 * (size & 7))) - 1));
}

STP_INLINE int stp_user_int(int64_t *out, int64_t addr, int size)
{
	uint64_t v = 0;
	long rc = bpf_probe_read_user(&v, size & 15, (const void *)addr);
	*out = rc ? 0 : stp_extend(v, size);
	return (int)rc;
}

STP_INLINE int stp_kernel_int(int64_t *out, int64_t addr, int size)
{
	uint64_t v = 0;
	long rc = bpf_probe_read_kernel(&v, size & 15, (const void *)addr);
	*out = rc ? 0 : stp_extend(v, size);
	return (int)rc;
}

static const char stp_user_str_fault_fmt[] = "user string copy fault %lld at 0x%llx [man error::fault]";
static const char stp_user_fault_fmt[] = "user %s copy fault at 0x%llx [man error::fault]";
static const char stp_kernel_fault_fmt[] = "kernel %s copy fault at 0x%llx [man error::fault]";
static const char stp_user_warn_fmt[] = "user %s copy fault %lld at 0x%llx [man error::fault]";

STP_INLINE void stp_user_fault(struct stp_context *c, const char *what, int64_t rc, int64_t addr)
{
	uint64_t a[3] = {(uint64_t)what, (uint64_t)rc, (uint64_t)addr};
	if (what[0] == 's' && what[1] == 't') {
		a[0] = (uint64_t)rc;
		a[1] = (uint64_t)addr;
		bpf_snprintf(STP_SCRATCH(c)->errbuf, MAXSTRINGLEN, stp_user_str_fault_fmt, a, 16);
	} else {
		a[1] = (uint64_t)addr;
		bpf_snprintf(STP_SCRATCH(c)->errbuf, MAXSTRINGLEN, stp_user_fault_fmt, a, 16);
	}
	stp_fail(c, STP_E_FAULT, -1);
}

STP_INLINE void stp_kernel_fault(struct stp_context *c, const char *what, int64_t addr)
{
	uint64_t a[2] = {(uint64_t)what, (uint64_t)addr};
	bpf_snprintf(STP_SCRATCH(c)->errbuf, MAXSTRINGLEN, stp_kernel_fault_fmt, a, 16);
	stp_fail(c, STP_E_FAULT, -1);
}

STP_INLINE void stp_user_fault_warn(struct stp_context *c, const char *what, int64_t rc,
				    int64_t addr)
{
	uint64_t a[3] = {(uint64_t)what, (uint64_t)rc, (uint64_t)addr};
	char *r = STP_SCRATCH(c)->rec;
	stp_rec_start(r, STP_REC_WARN, 0);
	long n = bpf_snprintf(r + 8, MAXSTRINGLEN, stp_user_warn_fmt, a, 24);
	if (n < 1)
		n = 1;
	stp_rec_send(stp_rt_ptr, r, 8 + (((uint32_t)n + 7) & ~7u), BPF_RB_FORCE_WAKEUP);
}

/* Kernel memory a @cast chain reads: 0, or the original's fault error. */
static const char stp_read_fault_fmt[] = "read fault [man error::fault] at 0x%llx";

STP_INLINE int stp_kread(struct stp_context *c, void *dst, uint32_t size, const void *addr,
			 int32_t stmt)
{
	if (bpf_probe_read_kernel(dst, size, addr) == 0)
		return 0;
	uint64_t a[1] = {(uint64_t)addr};
	bpf_snprintf(STP_SCRATCH(c)->errbuf, MAXSTRINGLEN, stp_read_fault_fmt, a, 8);
	stp_fail(c, STP_E_FAULT, stmt);
	return -1;
}

/* An integer of size bytes, sign-extended. */
STP_INLINE int stp_kread_int(struct stp_context *c, int64_t *out, int size, bool is_signed,
			     const void *addr, int32_t stmt)
{
	uint64_t v = 0;
	int rc = stp_kread(c, &v, (uint32_t)size & 15, addr, stmt);
	*out = is_signed ? stp_extend(v, size)
	       : size == 8 ? (int64_t)v
			   : (int64_t)(v & ((UINT64_C(1) << (8 * (size & 7))) - 1));
	return rc;
}

/* char name[n]: a string of at most n bytes. */
STP_INLINE int stp_kread_chars(struct stp_context *c, char *dst, uint32_t n, const void *addr,
			       int32_t stmt)
{
	if (n > MAXSTRINGLEN - 1)
		n = MAXSTRINGLEN - 1;
	int rc = stp_kread(c, dst, n, addr, stmt);
	dst[rc ? 0 : n] = 0;
	return rc;
}

/* ---- user-space variables by their DWARF location (probes/dwarf.c) ---- */

/* size bytes of user memory at addr: 0, or -1 after the original's fault. */
STP_INLINE int stp_uread(struct stp_context *c, void *dst, uint32_t size, int64_t addr,
			 int32_t stmt)
{
	if (bpf_probe_read_user(dst, size, (const void *)addr) == 0)
		return 0;
	uint64_t a[1] = {(uint64_t)addr};
	bpf_snprintf(STP_SCRATCH(c)->errbuf, MAXSTRINGLEN, stp_read_fault_fmt, a, 8);
	stp_fail(c, STP_E_FAULT, stmt);
	return -1;
}

/* An integer of size bytes at addr, extended as its type says. */
STP_INLINE int stp_uread_int(struct stp_context *c, int64_t *out, int size, bool is_signed,
			     int64_t addr, int32_t stmt)
{
	uint64_t v = 0;
	int rc = stp_uread(c, &v, (uint32_t)size & 15, addr, stmt);
	*out = stp_tp_arg_extend(v, size, is_signed);
	return rc;
}

/* A register of the probed thread, by its offset in x86-64's pt_regs. */
#define stp_ureg(ctx, off) ((int64_t)stp_kp_reg(ctx, off))

/* Where the probed file was loaded: the probe's address less its address
 * in the file (a uprobe's ip is the probed instruction's). */
#define stp_ubias(ctx, vaddr) ((int64_t)PT_REGS_IP((struct pt_regs *)(ctx)) - (int64_t)(vaddr))

/* ---- symbols and stacks: deferred strings (src/runtime/symbols.h) ---- */

#define STP_PROG_CTX ctx
#ifndef MAXBACKTRACE
#define MAXBACKTRACE 20
#endif

/* (bpf_snprintf takes only printable formats: the marks are arguments) */
static const char stp_sym_kernel_fmt[] = "%c%c%llx%c";
static const char stp_sym_user_fmt[] = "%c%c%lld:%llx%c";
static const char stp_hex_fmt[] = "0x%llx";

STP_INLINE void stp_sym_marker(char *dst, char kind, int64_t addr, bool user)
{
	uint64_t a[5] = {1, (uint64_t)kind, (uint64_t)addr, 2, 2};
	if (user) {
		a[2] = bpf_get_current_pid_tgid() >> 32;
		a[3] = (uint64_t)addr;
		bpf_snprintf(dst, MAXSTRINGLEN, stp_sym_user_fmt, a, 40);
	} else {
		bpf_snprintf(dst, MAXSTRINGLEN, stp_sym_kernel_fmt, a, 32);
	}
}

STP_INLINE void stp_symname(struct stp_context *c, char *dst, int64_t addr)
{
	(void)c;
	stp_sym_marker(dst, 'n', addr, false);
}

STP_INLINE void stp_symdata(struct stp_context *c, char *dst, int64_t addr)
{
	(void)c;
	stp_sym_marker(dst, 'd', addr, false);
}

STP_INLINE void stp_usymname(struct stp_context *c, char *dst, int64_t addr)
{
	(void)c;
	stp_sym_marker(dst, 'n', addr, true);
}

STP_INLINE void stp_usymdata(struct stp_context *c, char *dst, int64_t addr)
{
	(void)c;
	stp_sym_marker(dst, 'd', addr, true);
}

/* "0x... 0x..." of the kernel (or user) stack, at most MAXBACKTRACE frames;
 * the record buffer holds the frames meanwhile. */
STP_INLINE void stp_backtrace(struct stp_context *c, char *dst, void *prog_ctx, int user)
{
	dst[0] = 0;
	uint64_t *frames = (uint64_t *)(void *)STP_SCRATCH(c)->rec;
	long n = bpf_get_stack(prog_ctx, frames, MAXBACKTRACE * 8, user ? BPF_F_USER_STACK : 0);
	if (n <= 0)
		return;
	n /= 8;
	uint32_t off = 0;
	for (int i = 0; i < MAXBACKTRACE && i < n; i++) {
		if (off > MAXSTRINGLEN - 24)
			break;
		if (i)
			dst[off++ & (MAXSTRINGLEN - 1)] = ' ';
		uint64_t a[1] = {frames[i]};
		long w = bpf_snprintf(dst + (off & (MAXSTRINGLEN - 1)), 24, stp_hex_fmt, a, 8);
		if (w <= 1)
			break;
		off += (uint32_t)w - 1;
	}
	dst[off & (MAXSTRINGLEN - 1)] = 0;
}

/* A stack's lines: deferred, "\x01s[PID:]HEX HEX...\x02". */
static const char stp_stack_kernel_fmt[] = "%cs%s%c";
static const char stp_stack_user_fmt[] = "%cs%lld:%s%c";

STP_INLINE void stp_sprint_stack(struct stp_context *c, char *dst, const char *stk, int user)
{
	(void)c;
	uint64_t a[4] = {1, (uint64_t)stk, 2, 2};
	if (user) {
		a[1] = bpf_get_current_pid_tgid() >> 32;
		a[2] = (uint64_t)stk;
		bpf_snprintf(dst, MAXSTRINGLEN, stp_stack_user_fmt, a, 32);
	} else {
		bpf_snprintf(dst, MAXSTRINGLEN, stp_stack_kernel_fmt, a, 24);
	}
}

STP_INLINE void stp_print_stack(struct stp_context *c, const char *stk, int user)
{
	char *r = STP_SCRATCH(c)->rec;
	stp_rec_start(r, STP_REC_TEXT, 0);
	stp_sprint_stack(c, r + 8, stk, user);
	uint32_t n = (uint32_t)stp_strlen(r + 8) + 1;
	stp_rec_send(stp_rt_ptr, r, 8 + ((n + 7) & ~7u), stp_wakeup_flags());
}

/* ---- context ---- */

STP_INLINE int64_t stp_pid(struct stp_context *c)
{
	(void)c;
	return (int64_t)(bpf_get_current_pid_tgid() >> 32);
}

STP_INLINE int64_t stp_tid(struct stp_context *c)
{
	(void)c;
	return (int64_t)(uint32_t)bpf_get_current_pid_tgid();
}

STP_INLINE int64_t stp_uid(struct stp_context *c)
{
	(void)c;
	return (int64_t)(uint32_t)bpf_get_current_uid_gid();
}

STP_INLINE int64_t stp_gid(struct stp_context *c)
{
	(void)c;
	return (int64_t)(bpf_get_current_uid_gid() >> 32);
}

STP_INLINE void stp_execname(struct stp_context *c, char *dst)
{
	(void)c;
	if (bpf_get_current_comm(dst, 16) < 0)
		dst[0] = 0;
}

STP_INLINE int64_t stp_cpu(struct stp_context *c)
{
	(void)c;
	return bpf_get_smp_processor_id();
}

STP_INLINE int64_t stp_gettimeofday_ns(struct stp_context *c)
{
	(void)c;
	return (int64_t)bpf_ktime_get_boot_ns() + stp_rt_ptr->realtime_off;
}

STP_INLINE int64_t stp_local_clock_ns(struct stp_context *c)
{
	(void)c;
	return (int64_t)bpf_ktime_get_ns();
}

STP_INLINE int64_t stp_jiffies(struct stp_context *c)
{
	(void)c;
	return (int64_t)bpf_jiffies64();
}

STP_INLINE int64_t stp_hz(struct stp_context *c)
{
	(void)c;
	return stp_rt_ptr->hz;
}

/* The parts of struct task_struct the runtime reads, relocated by libbpf
 * against the running kernel's BTF (CO-RE): no kernel headers.  The
 * ___stp "flavour" keeps these apart from the declarations generated for
 * the script's @cast chains; libbpf ignores it when matching. */
struct kuid___stp {
	unsigned int val;
} __attribute__((preserve_access_index));

struct cred___stp {
	struct kuid___stp uid, gid, suid, sgid, euid, egid;
} __attribute__((preserve_access_index));

struct task_struct___stp {
	int pid;
	int tgid;
	struct task_struct___stp *real_parent;
	const struct cred___stp *cred;
	char comm[16];
} __attribute__((preserve_access_index));

STP_INLINE struct task_struct___stp *stp_current_task(void)
{
	return (struct task_struct___stp *)bpf_get_current_task();
}

/* pid2task: the kernel's bpf_task_from_pid (6.2 on), a kfunc the verifier
 * allows in tracepoint, perf-event and fentry programs but not in raw_tp
 * ones; weak, so 0 where the kernel lacks it.  The address outlives the
 * reference as the original's (an RCU-protected pointer) does. */
extern struct task_struct___stp *bpf_task_from_pid(int32_t pid) __ksym __weak;
extern void bpf_task_release(struct task_struct___stp *p) __ksym __weak;

STP_INLINE int64_t stp_pid2task(int64_t pid)
{
	if (!bpf_task_from_pid)
		return 0;
	struct task_struct___stp *t = bpf_task_from_pid((int32_t)pid);
	if (!t)
		return 0;
	int64_t addr = (int64_t)t;
	bpf_task_release(t);
	return addr;
}

STP_INLINE int64_t stp_addr(struct stp_context *c)
{
	return c->ip;
}

STP_INLINE int64_t stp_uaddr(struct stp_context *c)
{
	return c->uaddr;
}

/* A uprobe's registers (struct pt_regs): where the program was, and what
 * a function returns (in a uretprobe). */
STP_INLINE int64_t stp_uprobe_ip(void *ctx)
{
	return (int64_t)PT_REGS_IP((struct pt_regs *)ctx);
}

STP_INLINE int64_t stp_uprobe_rc(void *ctx)
{
	return (int64_t)PT_REGS_RC((struct pt_regs *)ctx);
}

/* A perf event's registers: where the CPU was. */
STP_INLINE int64_t stp_perf_ip(void *ctx)
{
	return (int64_t)PT_REGS_IP(&((struct bpf_perf_event_data *)ctx)->regs);
}

STP_INLINE int64_t stp_ppid(struct stp_context *c)
{
	(void)c;
	return BPF_CORE_READ(stp_current_task(), real_parent, tgid);
}

STP_INLINE int64_t stp_euid(struct stp_context *c)
{
	(void)c;
	return BPF_CORE_READ(stp_current_task(), cred, euid.val);
}

STP_INLINE int64_t stp_egid(struct stp_context *c)
{
	(void)c;
	return BPF_CORE_READ(stp_current_task(), cred, egid.val);
}

STP_INLINE void stp_pexecname(struct stp_context *c, char *dst)
{
	(void)c;
	struct task_struct___stp *parent = BPF_CORE_READ(stp_current_task(), real_parent);
	if (bpf_probe_read_kernel_str(dst, 16, &parent->comm) < 0)
		dst[0] = 0;
}

#include "stp_bpf_string.h"
#ifdef STP_PROCEV
#include "stp_bpf_proc.h"
#endif
#endif
