/*
 * stp_host.h: what the generated C of the host target includes.  A module
 * (a shared object) holds the script's handlers, its globals and a
 * descriptor (struct stp_module); the runtime (stap and staprun, which export
 * the stp_* functions declared here with -rdynamic) loads it, creates its
 * arrays and statistics, runs the probes and prints what they write.
 *
 * The header is self-contained (no other project header): a module compiles
 * with nothing but this file.  Limits (MAXSTRINGLEN, MAXACTION...) are
 * macros the module is compiled with (-D), and the module tells the runtime
 * their values through its descriptor.
 *
 * Error protocol, shared with the BPF target: an operation that fails sets
 * c->last_error (the message) and c->last_stmt (where: "operator '/' at
 * x.stp:5:9", or NULL) and the generated code jumps to the innermost catch
 * or to the handler's end.  No longjmp.
 */
#ifndef STP_HOST_H
#define STP_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define STP_ABI_VERSION 4

#ifndef MAXSTRINGLEN
#define MAXSTRINGLEN 512
#endif
#ifndef MAXACTION
#define MAXACTION 1000
#endif
#ifndef MAXACTION_INTERRUPTIBLE
#define MAXACTION_INTERRUPTIBLE (MAXACTION * 10)
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
#ifndef HIST_WIDTH
#define HIST_WIDTH 50
#endif
#ifndef HIST_ELISION
#define HIST_ELISION 2
#endif
#ifndef MAXSKIPPED
#define MAXSKIPPED 100
#endif
#ifndef STP_PROCFS_BUFSIZE
#define STP_PROCFS_BUFSIZE MAXSTRINGLEN
#endif

#define STP_LIKELY(x)   __builtin_expect(!!(x), 1)
#define STP_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- the context of one running handler ---- */

struct stp_context {
	const char *last_error; /* set: the handler failed (message) */
	const char *last_stmt;  /* where, "operator '/' at F:L:C"; NULL: no location */
	int64_t actionremaining;
	int nesting;
	const struct stp_probe *probe; /* the probe running */
	char *error_buf;               /* MAXSTRINGLEN bytes for built messages */
	void *rt;                      /* the runtime's own state */
};

/* Fail the handler: message and where (may be NULL).  The message must live
 * until the handler ends (a literal, or c->error_buf). */
static inline void stp_fail(struct stp_context *c, const char *msg, const char *stmt)
{
	c->last_error = msg;
	c->last_stmt = stmt;
}

/* error("msg"): copies msg into c->error_buf; no location. */
void stp_error_msg(struct stp_context *c, const char *msg);

/* The messages the generated code fails with (the BPF target has codes). */
#define STP_MSG_DIV0       "division by 0"
#define STP_MSG_MAXACTION  "MAXACTION exceeded"
#define STP_MSG_MAXNESTING "MAXNESTING exceeded"
#define STP_MSG_EXHAUSTED  "all functions exhausted"
#define STP_NOWHERE        NULL

static inline void stp_clear_error(struct stp_context *c)
{
	c->last_error = NULL;
	c->last_stmt = NULL;
}

/* ---- strings: fixed buffers of MAXSTRINGLEN bytes, cut like strlcpy ---- */

static inline size_t stp_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);
	if (size) {
		size_t k = n < size - 1 ? n : size - 1;
		memmove(dst, src, k);
		dst[k] = 0;
	}
	return n;
}

static inline void stp_scpy(char *dst, const char *src)
{
	if (dst != src)
		stp_strlcpy(dst, src, MAXSTRINGLEN);
}

static inline int stp_strcmp(const char *a, const char *b)
{
	return strcmp(a, b);
}

static inline int64_t stp_strlen(const char *s)
{
	return (int64_t)strnlen(s, MAXSTRINGLEN - 1);
}

/* try/catch: the caught message. */
static inline void stp_catch(struct stp_context *c, char *dst)
{
	stp_scpy(dst, c->last_error);
}

/* dst = a . b; dst may be a, not b. */
static inline void stp_scat(char *dst, const char *a, const char *b)
{
	size_t n = strnlen(a, MAXSTRINGLEN - 1);
	if (dst != a)
		memmove(dst, a, n);
	stp_strlcpy(dst + n, b, MAXSTRINGLEN - n);
}

/* ---- arithmetic with the original's rules ---- */

static inline int64_t stp_div(struct stp_context *c, int64_t a, int64_t b, const char *stmt)
{
	if (STP_UNLIKELY(b == 0)) {
		stp_fail(c, "division by 0", stmt);
		return 0;
	}
	if (STP_UNLIKELY(b == -1))
		return (int64_t)(0 - (uint64_t)a);
	return a / b;
}

static inline int64_t stp_mod(struct stp_context *c, int64_t a, int64_t b, const char *stmt)
{
	if (STP_UNLIKELY(b == 0)) {
		stp_fail(c, "division by 0", stmt);
		return 0;
	}
	if (STP_UNLIKELY(b == -1))
		return 0;
	return a % b;
}

#define stp_add(a, b) ((int64_t)((uint64_t)(a) + (uint64_t)(b)))
#define stp_sub(a, b) ((int64_t)((uint64_t)(a) - (uint64_t)(b)))
#define stp_mul(a, b) ((int64_t)((uint64_t)(a) * (uint64_t)(b)))
#define stp_neg(a)    ((int64_t)(0 - (uint64_t)(a)))
#define stp_shl(a, b) ((int64_t)((uint64_t)(a) << ((b) & 63)))
#define stp_shr(a, b) ((int64_t)(a) >> ((b) & 63))

/* ---- output ---- */

/* One printf/print argument: a long or a NUL-terminated string. */
struct stp_arg {
	int64_t n;
	const char *s; /* NULL: a long */
};

#define STP_L(v) ((struct stp_arg){.n = (v)})
#define STP_S(v) ((struct stp_arg){.s = (v)})

/* printf(formats[id], args...) to the output; sprintf into dst
 * (MAXSTRINGLEN bytes; dst is not one of the args). */
void stp_printf(struct stp_context *c, int fmt_id, const struct stp_arg *args, int nargs);
void stp_sprintf(struct stp_context *c, char *dst, int fmt_id, const struct stp_arg *args,
		 int nargs);
/* print/println/printd/printdln (delim NULL: none), and the sprint forms. */
void stp_print(struct stp_context *c, const struct stp_arg *args, int nargs, const char *delim,
	       bool newline);
void stp_sprint(struct stp_context *c, char *dst, const struct stp_arg *args, int nargs,
		const char *delim, bool newline);
/* Raw bytes to the output (embedded C). */
void stp_write(struct stp_context *c, const char *s, size_t len);

/* warn(): "WARNING: msg" on stderr, once per text. */
void stp_warn(struct stp_context *c, const char *msg);
/* exit(): the session stops after this handler. */
void stp_exit(struct stp_context *c);
/* system(cmd): run after the handler. */
void stp_system(struct stp_context *c, const char *cmd);

/* ---- statistics ---- */

/* The same layout as the runtime's struct stat_params. */
struct stp_stat_params {
	int kind; /* 0 none, 1 @hist_log, 2 @hist_linear */
	int start, stop, step;
	int shift;
};

enum stp_stat_op {
	STP_COUNT,
	STP_SUM,
	STP_MIN,
	STP_MAX,
	STP_AVG,
	STP_VARIANCE,
};

struct stp_stat; /* one statistic (merged view) */

/* A @hist_linear whose range the runtime refuses: the original's warning
 * and error (naming the global), and -EINVAL; 0 when it is good. */
int stp_stat_check(const struct stp_stat_params *p, const char *name);
struct stp_stat *stp_stat_new(const struct stp_stat_params *p);
void stp_stat_add(struct stp_stat *s, const struct stp_stat_params *p, int64_t v);
void stp_stat_clear(struct stp_stat *s, const struct stp_stat_params *p);
/* An extractor; on an empty statistic @min/@max/@avg/@variance fail with
 * "empty aggregate".  s may be NULL (a missing array element): empty. */
int64_t stp_stat_get(struct stp_context *c, const struct stp_stat *s,
		     const struct stp_stat_params *p, enum stp_stat_op op, const char *stmt);
/* @hist_log(s)[i] / @hist_linear(s, ...)[i]: bucket i's count. */
int64_t stp_stat_bucket(struct stp_context *c, const struct stp_stat *s,
			const struct stp_stat_params *p, int64_t i, const char *stmt);
/* print(@hist_*(s)) to the output, or into dst (sprint). */
void stp_stat_print_hist(struct stp_context *c, const struct stp_stat *s,
			 const struct stp_stat_params *p, char *dst, const char *stmt);
/* print(@hist_*(s)) of BPF code: the NB buckets its record holds. */
void stp_stat_print_buckets(struct stp_context *c, const struct stp_stat_params *p,
			    const int64_t *buckets, size_t nb, const char *stmt);

/* ---- arrays ---- */

union stp_key {
	int64_t l;
	const char *s;
};

enum stp_vtype {
	STP_TLONG,
	STP_TSTRING,
	STP_TSTATS,
};

struct stp_map;

/* keytypes: one char per key column, 'l' or 's'.  size 0: MAXMAPENTRIES. */
struct stp_map *stp_map_new(const char *keytypes, enum stp_vtype value,
			    const struct stp_stat_params *p, int64_t size, bool wrap);

bool stp_map_exists(struct stp_map *m, const union stp_key *k);
int64_t stp_map_get_l(struct stp_map *m, const union stp_key *k);
const char *stp_map_get_s(struct stp_map *m, const union stp_key *k); /* "" if missing */
const struct stp_stat *stp_map_get_stat(struct stp_map *m, const union stp_key *k);
/* Set or create; a full array fails with the original's message. */
void stp_map_set_l(struct stp_context *c, struct stp_map *m, const union stp_key *k, int64_t v,
		   const char *stmt);
void stp_map_set_s(struct stp_context *c, struct stp_map *m, const union stp_key *k,
		   const char *v, const char *stmt);
/* The element's long for an update in place (created as 0); NULL when full. */
int64_t *stp_map_ref_l(struct stp_context *c, struct stp_map *m, const union stp_key *k,
		       const char *stmt);
void stp_map_stat_add(struct stp_context *c, struct stp_map *m, const union stp_key *k, int64_t v,
		      const char *stmt);
void stp_map_delete(struct stp_map *m, const union stp_key *k);
void stp_map_clear(struct stp_map *m);
int64_t stp_map_count(struct stp_map *m);

/* foreach.  column: 0 the value, 1..N a key; dir 0 unsorted, 1 +, -1 -;
 * agg: the extractor a statistics array sorts on.  Iterators left open by
 * return, next or an error are closed when the handler ends. */
struct stp_iter;
struct stp_iter *stp_iter_start(struct stp_context *c, struct stp_map *m, int column, int dir,
				enum stp_stat_op agg, bool has_limit, int64_t limit);
bool stp_iter_next(struct stp_iter *it);
int64_t stp_iter_key_l(struct stp_iter *it, int column); /* columns from 1 */
const char *stp_iter_key_s(struct stp_iter *it, int column);
int64_t stp_iter_val_l(struct stp_iter *it);
const char *stp_iter_val_s(struct stp_iter *it);
void stp_iter_end(struct stp_context *c, struct stp_iter *it);

/* ---- regular expressions (=~, matched()) ---- */

/* 1 if s matches the extended regex re, remembering the submatches for
 * matched(); a bad regex fails the handler. */
int64_t stp_regex_match(struct stp_context *c, const char *s, const char *re, const char *stmt);
void stp_regex_matched(struct stp_context *c, char *dst, int64_t n, const char *stmt);

/* ---- arrays and statistics BPF code shares: views of its maps ---- */

/* The BPF map NAME, keyed by a struct of columns (keytypes 'l' or 's') at
 * offsets, of sizes, key_size bytes in all; size: its declared size. */
struct stp_map *stp_map_bpf(const char *name, const char *keytypes, const uint32_t *offsets,
			    const uint32_t *sizes, uint32_t key_size, enum stp_vtype value,
			    const struct stp_stat_params *p, int64_t size);
/* The per-CPU statistic NAME. */
struct stp_stat *stp_stat_bpf(const char *name, const struct stp_stat_params *p);
/* The element of a BPF statistics array whose BPF key is key; NULL if none. */
const struct stp_stat *stp_map_get_stat_raw(struct stp_map *m, const void *key);

/* ---- context ---- */

/* In begin, end and timer probes: stap's own process, as the original's
 * describe its user-space helper. */
int64_t stp_pid(struct stp_context *c);
int64_t stp_tid(struct stp_context *c);
int64_t stp_ppid(struct stp_context *c);
int64_t stp_uid(struct stp_context *c);
int64_t stp_gid(struct stp_context *c);
int64_t stp_euid(struct stp_context *c);
int64_t stp_egid(struct stp_context *c);
int64_t stp_cpu(struct stp_context *c);
void stp_execname(struct stp_context *c, char *dst);
void stp_pexecname(struct stp_context *c, char *dst);
void stp_pp(struct stp_context *c, char *dst);
void stp_probe_type(struct stp_context *c, char *dst);
void stp_ppfunc(struct stp_context *c, char *dst);
/* addr(): the interrupted instruction; user-space probes have none (0). */
int64_t stp_addr(struct stp_context *c);
int64_t stp_uaddr(struct stp_context *c);
int64_t stp_gettimeofday_ns(struct stp_context *c);
int64_t stp_local_clock_ns(struct stp_context *c);
int64_t stp_jiffies(struct stp_context *c);
int64_t stp_hz(struct stp_context *c);

/* ---- reading memory (conversions tapset) ---- */

/* A string at addr, at most size - 1 bytes, into dst (MAXSTRINGLEN bytes):
 * its length, or -errno.  User memory is stap's own here; kernel memory
 * cannot be read from user space (-EFAULT). */
int64_t stp_user_str(char *dst, int64_t addr, int64_t size);
int64_t stp_kernel_str(char *dst, int64_t addr, int64_t size);
/* size (1, 2, 4 or 8) bytes at addr, sign-extended: 0, or -errno. */
int stp_user_int(int64_t *out, int64_t addr, int size);
int stp_kernel_int(int64_t *out, int64_t addr, int size);
/* The original's fault errors: "user string copy fault -14 at 0x0 [man
 * error::fault]" (what "string"), "kernel long copy fault at 0x...". */
void stp_user_fault(struct stp_context *c, const char *what, int64_t rc, int64_t addr);
void stp_kernel_fault(struct stp_context *c, const char *what, int64_t addr);
/* The same text as a warning (the _warn variants). */
void stp_user_fault_warn(struct stp_context *c, const char *what, int64_t rc, int64_t addr);

/* ---- procfs probes: $value (src/runtime/procfs.c) ---- */

/* In a .read probe: set or append to the text the reader gets (maxsize - 1
 * bytes at most: past them it fails, where: "identifier '$value' at F:L:C");
 * in a .write probe: what was written, into dst (MAXSTRINGLEN bytes). */
void stp_procfs_set(struct stp_context *c, const char *v, const char *where);
void stp_procfs_append(struct stp_context *c, const char *v, const char *where);
void stp_procfs_get(struct stp_context *c, char *dst);

/* ---- symbols and stacks ---- */

/* symname, symdata and the user forms; a backtrace as "0x... 0x..." (none
 * in user space); a stack's lines from such a string; prog_ctx is the BPF
 * program's context (STP_PROG_CTX), NULL here. */
void stp_symname(struct stp_context *c, char *dst, int64_t addr);
void stp_symdata(struct stp_context *c, char *dst, int64_t addr);
void stp_usymname(struct stp_context *c, char *dst, int64_t addr);
void stp_usymdata(struct stp_context *c, char *dst, int64_t addr);
void stp_backtrace(struct stp_context *c, char *dst, void *prog_ctx, int user);
void stp_sprint_stack(struct stp_context *c, char *dst, const char *stk, int user);
void stp_print_stack(struct stp_context *c, const char *stk, int user);
#define STP_PROG_CTX NULL

/* ---- string functions of the tapset (src/runtime/strings.c) ---- */

/* What the embedded C of string.stp, text.stp, tokenize.stp, errno.stp and
 * ctime.stp calls; stp_bpf_string.h gives kernel-side handlers the same
 * functions with the same results.  A dst is a string buffer of
 * MAXSTRINGLEN bytes, not one of the arguments. */
void stp_substr(char *dst, const char *s, int64_t start, int64_t length);
/* stringat(): the byte as a signed char, or STP_NO_BYTE when pos is out of range */
#define STP_NO_BYTE (-256)
int64_t stp_stringat(const char *s, int64_t pos);
int64_t stp_strpos(const char *s, const char *pat); /* -1: not found */
int64_t stp_isinstr(const char *s, const char *pat);
void stp_str_replace(char *dst, const char *s, const char *srch, const char *rplc);
int64_t stp_isdigit(const char *s);
int64_t stp_strtol(const char *s, int64_t base);
void stp_toupper(char *dst, const char *s);
void stp_tolower(char *dst, const char *s);
/* s escaped for display within len bytes (0: no limit); quoted: in quotes,
 * and "..." after them when it was cut */
void stp_text_strn(char *dst, const char *s, int64_t len, int quoted);
/* input "" goes on splitting the last string */
void stp_tokenize(char *dst, const char *input, const char *delim);
void stp_errno_str(char *dst, int64_t err);
void stp_ctime(char *dst, int64_t epochsecs); /* UTC */

/* ---- the module descriptor ---- */

enum stp_probe_kind {
	STP_PROBE_BEGIN,
	STP_PROBE_END,
	STP_PROBE_ERROR,
	STP_PROBE_TIMER,
	STP_PROBE_TRACEPOINT, /* a BPF program: kernel.trace */
	STP_PROBE_PERF,       /* a BPF program on a perf event, every CPU */
	STP_PROBE_KFUNC,      /* BPF programs on a kernel function: fentry/fexit or kprobe */
	STP_PROBE_UPROBE,     /* a BPF program on a uprobe or uretprobe */
	STP_PROBE_USDT,       /* a BPF program on a USDT mark (libbpf's usdt) */
	STP_PROBE_PROCESS,    /* BPF programs bpf_prog_pe0...: process.begin, .syscall... */
	STP_PROBE_PROCFS,     /* a file of the session's directory, read or written */
};

struct stp_probe {
	enum stp_probe_kind kind;
	int64_t seq;          /* begin/end/error(N) */
	int64_t interval_ns;  /* timers: the period */
	int64_t randomize_ns; /* timers: +/- this much at random each time */
	const char *pp;       /* pp(): the probe point as resolved */
	void (*handler)(struct stp_context *c);
	/* kernel probes */
	const char *bpf_prog; /* the program's name in the BPF object */
	const char *tp_group, *tp_event;
	uint32_t perf_type;
	uint64_t perf_config, sample_period, sample_freq;
	int index;    /* the probe's number in the BPF code */
	bool one_cpu; /* a perf event on the first online CPU only (kernel timers) */
	bool first;   /* attached before the others: runs first on its event */
	/* -t's report: where the probe is written (NULL: added by pass 2, not
	 * reported), " from: ..." its derivation */
	const char *location, *derivation;
	/* kernel function probes: the function (NULL: the address kf_addr),
	 * its module (NULL: vmlinux); bpf_prog is the fentry/fexit program,
	 * kp_prog the kprobe/kretprobe one; entry_args: a .return probe that
	 * reads parameters, which only fexit gives */
	const char *kf_name, *kf_module, *kp_prog;
	bool kf_return, entry_args;
	int64_t maxactive;
	uint64_t kf_addr;
	/* 1 + the probe whose kprobe.multi program (kpm_prog, its own) runs
	 * this one too, its index the cookie; 0: none */
	int kp_group;
	const char *kpm_prog;
	/* uprobes and USDT: the executable, the function's file offset, a
	 * uretprobe, the process (-1 every one); the mark's provider and name */
	const char *up_path;
	uint64_t up_offset;
	bool up_retprobe;
	int64_t up_pid;
	const char *usdt_provider, *usdt_name;
	/* procfs: the file's name, .write (else .read), the most a reader
	 * gets (bytes), the umask given (-1: the default modes) */
	const char *procfs_path;
	bool procfs_write;
	int64_t procfs_maxsize, procfs_umask;
};

/* A global -G may set: name, type, address (a long, or MAXSTRINGLEN bytes);
 * addr NULL: at offset in the shared data. */
struct stp_global {
	const char *name;
	enum stp_vtype type;
	void *addr;
	size_t offset;
};

/* A printf/print of BPF code: the record's arguments ('l' or 's' each,
 * sig), and how to print them. */
enum stp_site_kind {
	STP_SITE_PRINTF,
	STP_SITE_PRINT,
	STP_SITE_PRINTLN,
	STP_SITE_PRINTD,
	STP_SITE_PRINTDLN,
};

/* A print(@hist_*()) of BPF code: the statistic (the address of its
 * struct stp_stat *, or of its array's struct stp_map *), where. */
struct stp_hist_site {
	void *global;
	int is_array; /* the record holds the element's BPF key */
	const struct stp_stat_params *p;
	const char *where;
};

struct stp_print_site {
	int kind;          /* enum stp_site_kind */
	int fmt;           /* printf: the format's index */
	const char *delim; /* printd: the delimiter, escapes interpreted */
	const char *sig;
};

struct stp_module {
	int abi;     /* STP_ABI_VERSION */
	int64_t maxstringlen, maxaction, maxaction_interruptible, maxnesting;
	int64_t maxerrors, maxskipped, maxmapentries, hist_width, hist_elision;
	const char *const *formats; /* printf formats, as written in the script (fmt_parse raw text) */
	int nformats;
	const struct stp_probe *probes;
	int nprobes;
	const struct stp_global *globals;
	int nglobals;
	/* Creates arrays and statistics, sets initial values; 0 or -ENOMEM. */
	int (*init)(struct stp_context *c);
	void (*fini)(void); /* frees them */
	bool suppress_handler_errors;
	/* BPF code: its print sites and error locations; the object; where
	 * the runtime puts the address of the shared globals (.data) */
	const struct stp_print_site *sites;
	int nsites;
	const char *const *locations;
	size_t nlocations;
	const struct stp_hist_site *hsites;
	int nhsites;
	const char *bpf_obj, *bpf_obj_end;
	void **shared;
	size_t shared_size;
	bool timing; /* built with -t (STP_TIMING): time each handler */
};

/* The module exports its descriptor under this name. */
#define STP_MODULE_SYMBOL "stp_module_desc"

/* target(): the -x PID or the -c command's pid, 0 without either. */
int64_t stp_target(struct stp_context *c);

/* ---- embedded C in functions (%{ %}), SystemTap's conventions ---- */
/* In a function body: STAP_ARG_name, STAP_RETVALUE, STAP_RETURN(v),
 * STAP_ERROR(msg), CONTEXT; the translator defines them around the code. */

#endif
