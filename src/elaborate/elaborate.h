/*
 * Pass 2: elaboration.  elaborate() takes the parsed script, pulls in the
 * tapset files it needs, expands probe aliases and resolves probe points,
 * binds every name to a symbol, infers the types, drops what nothing uses
 * and adds the probes the original synthesizes (-T, the display of globals
 * that are written but never read).  The result is what pass 3 translates
 * and what `stap -p2` prints.  The AST nodes of the bodies are annotated in
 * place (struct expr: type, sym, func).
 */
#ifndef STAP_ELABORATE_H
#define STAP_ELABORATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../parse/parse.h"
#include "../runtime/output.h"

struct session;
struct diag;

enum vtype {
	TYPE_UNKNOWN,
	TYPE_LONG,
	TYPE_STRING,
	TYPE_STATS,
};

#define ELAB_MAX_KEYS 9

enum sym_kind {
	SYM_GLOBAL,
	SYM_LOCAL,
	SYM_PARAM,
};

struct symbol {
	const char *name;
	enum sym_kind kind;
	const struct token *tok; /* the declaration, or the first use of a local */
	enum vtype type;         /* the value type of an array */
	const struct token *type_tok;
	int arity; /* -1 not yet known, 0 a scalar, N an array of N keys */
	const struct token *arity_tok;
	enum vtype keys[ELAB_MAX_KEYS];
	const struct token *key_tok[ELAB_MAX_KEYS];
	const struct global *decl; /* globals */
	bool from_tapset;
	bool read, written;
	bool referenced;             /* some statement still mentions it (elide.c) */
	const struct token *use_tok; /* its first use in a body */
	struct stat_params stat;     /* statistics: the histogram they print */
	const struct token *hist_tok;
	const struct token *shift_tok; /* the first @variance(s[, shift]) */
	int index;                     /* the emitter's number */
	bool shared; /* globals: used by a BPF handler, so they live in BPF maps */
	/* shared arrays: bytes of each string key column in the BPF key (the
	 * longest string ever stored there, plus its NUL); 0: MAXSTRINGLEN */
	int key_width[ELAB_MAX_KEYS];
};

struct efunction {
	const char *name;
	const struct function *decl;
	const char *file; /* the tapset file, NULL for the script */
	enum vtype type;
	const struct token *type_tok;
	struct vec params; /* of struct symbol */
	struct vec locals; /* of struct symbol */
	bool used;
	bool in_kernel, in_host;         /* called from BPF handlers, from host ones */
	bool pure;                       /* embedded C marked pure, or no side effects */
	struct efunction *overload_next; /* where `next` in this one goes */
	int purity;                      /* elide.c: 0 unknown, 1 pure, 2 not */
	int overload_index;              /* among the definitions of its name */
	int index;
};

enum probe_kind {
	PROBE_BEGIN,
	PROBE_END,
	PROBE_ERROR,
	PROBE_NEVER,
	PROBE_TIMER,
	PROBE_TRACEPOINT, /* kernel.trace("group:event") */
	PROBE_PERF,       /* perf.sw.*, perf.hw.*, perf.type(T).config(C) */
	PROBE_KFUNC,      /* kernel.function, module().function, kprobe.*: fentry or kprobe */
	PROBE_UPROBE,     /* process("PATH").function("NAME")[.return] */
	PROBE_USDT,       /* process("PATH").mark("NAME") */
	PROBE_PROCESS,    /* process.begin, .end, .thread.begin/end, .syscall[.return] */
	PROBE_PROCFS,     /* procfs("NAME").read/.write: a file the runtime serves */
};

/* A context variable resolved in a kernel probe ($field, $$vars...): what
 * the translator reads.  EXPR_CONTEXT nodes point to one. */
enum ctxvar_kind {
	CV_TP_FIELD,      /* $field of a trace event's record */
	CV_TP_VARS,       /* $$vars, $$parms: "name=value ..." of the fields */
	CV_TP_NAME,       /* $$name: the event */
	CV_TP_SYSTEM,     /* $$system: its group */
	CV_CAST,          /* @cast(addr, "type")->member...: kernel memory, by BTF */
	CV_KF_ARG,        /* $param of a kernel function: register `index` */
	CV_KF_RETURN,     /* $return of a kernel function */
	CV_TP_ARG,        /* $arg: a C argument of a tracepoint (raw_tp context) */
	CV_UPROBE_RETURN, /* $return of process(...).function(...).return */
	CV_USDT_ARG,      /* $argN of process(...).mark(...): arg_index N-1 */
	CV_DWARF,         /* $var of a user-space function, by its DWARF location: uops */
};

/* One step of a CV_DWARF read (probes/dwarf.c writes them, emit_bpf.c
 * turns them into C): the value t starts as a C expression of the probe's
 * registers (ctx), then is read through and offset along the member chain. */
enum uloc_kind {
	ULOC_SET,  /* t = text */
	ULOC_READ, /* t = the 8 bytes of user memory at t (a fault is an error) */
	ULOC_ADD,  /* t += num */
};

/* How a CV_DWARF's value ends. */
enum uloc_end {
	ULOC_END_MEMORY, /* an integer of value_size bytes at address t */
	ULOC_END_VALUE,  /* t itself, an integer of value_size bytes */
	ULOC_END_ADDR,   /* t, an address (arrays) */
	ULOC_END_STRING, /* the string at address t, at most value_size bytes */
};

struct uloc_op {
	enum uloc_kind kind;
	const char *text;
	int64_t num;
};

struct tp_field;
struct tp_format;
struct kfunc;
struct kbtf_param;

struct ctxvar {
	enum ctxvar_kind kind;
	const struct tp_field *field; /* CV_TP_FIELD */
	const struct tp_format *fmt;  /* CV_TP_VARS */
	bool pretty;                  /* $field$, $$vars$ */
	enum vtype type;
	/* CV_CAST: the chain (struct kbtf_step), what it ends on */
	const char *root; /* the struct or union the address points to */
	bool root_union;
	struct vec steps; /* of struct kbtf_step */
	int value_size;   /* bytes of the integer read; N of a char[N] */
	bool value_signed;
	bool addressof; /* &@cast(...)->m: the member's address */
	int index;      /* CV_KF_ARG: the parameter's position */
	int arg_index;  /* CV_USDT_ARG */
	int arg;        /* CV_TP_ARG: its position; value_size, value_signed */
	/* CV_CAST ending on char name[N]: the original's value is the array's
	 * address (kernel_string() reads it); where a string is wanted, ours
	 * is its text.  The typer decides (type TYPE_UNKNOWN until then). */
	bool chars;
	struct vec uops; /* CV_DWARF: of struct uloc_op */
	enum uloc_end uend;
};

struct eprobe {
	enum probe_kind kind;
	int64_t seq;           /* begin/end/error(N) */
	int64_t interval_ns;   /* timers */
	int64_t randomize_ns;  /* timers */
	const char *pp;        /* the resolved point, as pp() gives it */
	const char *marks;     /* "?" or "!" as written on it, for -p2 */
	const char *cond_text; /* -p2: the condition, resolved */
	bool direct;           /* not through an alias */
	const char *chain;     /* -p2: " /" "* <- ... *" "/" derivation */
	const struct token *tok;
	const struct token *probe_tok; /* the "probe" keyword it came from */
	const char *from;              /* -t: " from: foo from: foo" */
	const struct token *where_tok; /* -t: the "probe" keyword, or the alias's use */
	struct expr *cond;             /* if (cond), NULL */
	struct stmt *body;             /* a private copy */
	struct vec locals;             /* of struct symbol */
	bool synthetic;                /* added by pass 2 */
	bool elided;
	int index;
	/* kernel probes: the handler runs in BPF (context.c decides) */
	bool kernel;
	const char *tp_group, *tp_event; /* PROBE_TRACEPOINT */
	const struct tp_format *tp;
	/* the tracepoint's C arguments (struct kbtf_param, from BTF); a
	 * handler that reads one is attached as raw_tp, which sees the
	 * arguments but not the event's record */
	const struct kbtf_param *tp_args;
	int tp_nargs;
	bool tp_raw;
	/* a syscalls:sys_enter_* handler reading user strings (bit i: the
	 * field at offset 8*i) runs later, at the call's exit, when one of
	 * them cannot be read yet (a page not faulted in); replays: the exit
	 * probe pass 2 adds to run that entry probe's deferred handler */
	uint32_t defer_mask;
	const struct eprobe *replays;
	uint32_t perf_type; /* PROBE_PERF */
	uint64_t perf_config;
	uint64_t sample_period; /* or */
	uint64_t sample_freq;
	bool one_cpu;         /* a timer in kernel context: one event, on the first CPU */
	const char *vars;     /* -L: " $name:type ..." */
	const char *alias_pp; /* -l/-L: the alias name the script's point matched */
	/* PROBE_KFUNC: the function, its BTF prototype (NULL for an address) */
	const struct kfunc *kf;
	bool kf_return;     /* .return: fexit or kretprobe */
	bool kf_kprobe;     /* kprobe.*: no context variables, as the original */
	int64_t maxactive;  /* .maxactive(N), 0: the kernel's default */
	uint64_t kf_addr;   /* kprobe.statement(ADDR).absolute */
	bool entry_args;    /* .return reading parameters: fexit only */
	uint32_t args_used; /* bit i: the body reads parameter i */
	/* 1 + the index of the probe whose kprobe.multi program can run this
	 * one too (on a cookie naming it): probes of one written point whose
	 * bodies read no parameter nor $return, so are the same; 0: none */
	int kp_group;
	/* PROBE_UPROBE, PROBE_USDT (probes/process.c) */
	const char *up_path; /* the executable, absolute */
	uint64_t up_offset;  /* the function's file offset */
	uint64_t up_vaddr;   /* its address in the file (the DWARF's pc) */
	bool up_return;      /* .return */
	long up_pid;         /* process(PID): that process only; -1 every one */
	const char *usdt_provider, *usdt_name;
	int usdt_nargs;
	/* PROBE_PROCESS (probes/procevents.c): the event, and which tasks:
	 * those running the executable of inode pe_ino on device pe_dev (the
	 * kernel's dev_t; 0: any), whose comm is pe_comm (once the task has no
	 * memory map left to say), of process up_pid (> 0), or of the
	 * target's process hierarchy (pe_target: -c/-x without a path) */
	int pe_event; /* enum procev_event */
	uint64_t pe_ino;
	uint32_t pe_dev;
	const char *pe_comm;
	bool pe_target;
	/* PROBE_PROCFS (probes/procfs.c): the file's name in the session's
	 * directory, .write (else .read), .maxsize(N) (0: MAXSTRINGLEN),
	 * .umask(M) (-1: none given) */
	const char *procfs_path;
	bool procfs_write;
	int64_t procfs_maxsize;
	int64_t procfs_umask;
};

enum procev_event {
	PE_BEGIN = 1,
	PE_END,
	PE_THREAD_BEGIN,
	PE_THREAD_END,
	PE_SYSCALL,
	PE_SYSCALL_RETURN,
};

struct elab {
	struct vec embeds;        /* of const struct token: top-level %{ %} */
	struct vec globals;       /* of struct symbol, in the resolver's order */
	struct vec functions;     /* of struct efunction, sorted by name */
	struct vec probes;        /* of struct eprobe */
	struct vec inputs;        /* of const struct source: script and tapset files used */
	bool has_kernel;          /* some handler runs in BPF */
	struct vec kernel_inputs; /* arena strings: the tracefs formats used (cache key) */
	struct vec bad_lvalues;   /* of struct expr: ++/-- operands pass 3 refuses */
};

/* Pass 2: NULL after reporting the errors (and the pass failure line is
 * the caller's).  Everything lives in the arena. */
struct elab *elaborate(struct session *s, struct arena *arena, struct program *prog,
		       const struct parse_opts *popts, struct diag *diag);

/* `stap -p2` (verbose: with the bodies, as -v -p2). */
void elab_print(FILE *out, const struct elab *e, bool verbose);

const char *vtype_name(enum vtype t);

/* --dump-functions and --dump-probe-types (dump.c). */
void elab_dump_functions(struct session *s, struct arena *arena, const struct parse_opts *popts,
			 FILE *out);
void elab_dump_probe_types(FILE *out);

#endif
