/*
 * What the files of pass 2 share: the elaboration state and the steps.
 */
#ifndef STAP_ELABORATE_INTERNAL_H
#define STAP_ELABORATE_INTERNAL_H

#include "../diag.h"
#include "../session.h"
#include "elaborate.h"

/* One tapset file of the library. */
struct tapset_file {
	const struct source *src;
	struct program *prog;
	bool pulled; /* the script uses something it defines */
};

/* A function definition that calls may resolve to. */
struct fdef {
	const struct function *decl;
	const char *file;
	struct efunction *ef; /* once used */
};

/* A global declaration that names may resolve to. */
struct gdef {
	const struct global *decl;
	bool from_tapset;
	struct symbol *sym; /* once used */
};

/* A probe alias definition: one of its names, its body and points. */
struct adef {
	const struct probe *probe;
	const struct alias_name *name;
	const char *file;
};

struct elab_state {
	struct session *s;
	struct arena *a;
	struct diag *d;
	const struct parse_opts *popts;
	struct elab *e;
	struct program *script;
	struct vec files; /* of struct tapset_file */
	struct vec funcs; /* of struct fdef: script's, then pulled tapsets' */
	struct vec gdefs; /* of struct gdef */
	struct vec adefs; /* of struct adef */
	struct vec queue; /* of struct efunction: to resolve */
	/* the scope being resolved */
	struct vec *locals;
	struct vec *params;
	bool in_function;
	const struct token *probe_tok;  /* of the script probe being derived */
	const struct token *point_tok;  /* the written point being derived */
	const char *alias_pp;           /* -l/-L: the alias the written point matched */
	bool fallback_follows;          /* the point being derived has alternatives after it */
	bool syscalls_loaded;           /* the generated syscall tapset (syscalls.c) */
	struct vec sc_vars;             /* syscalls.c: the family's variable names */
	struct vec sc_calls;            /* syscalls.c: its calls */
	struct vec sc_numbers;          /* syscalls.c: the system call table */
	int sc_dispatches;              /* syscalls.c: dispatch aliases made */
	const struct eprobe *probe;     /* the probe being resolved, NULL in functions */
	const struct token *assign_tok; /* the assignment whose target is resolved */
	const char *scope_name;         /* "probe begin", "function f" */
	int errors_at_start;
};

/* tapset.c */
void tapset_load(struct elab_state *st);
/* Pull in the tapset file defining a function / global / alias matching
 * NAME (kind 'f', 'g' or 'a'); true if one was pulled now. */
bool tapset_pull_for(struct elab_state *st, char kind, const char *name);
void tapset_pull(struct elab_state *st, struct tapset_file *f);

/* syscalls.c: generate and add the syscall family's tapset file, once,
 * when a lookup (kind and name as tapset_pull_for's) may concern it. */
void syscalls_tapset_load(struct elab_state *st, char kind, const char *name);
/* For a wildcard over the family (syscall.*, nd_syscall.open*.return)
 * whose body reads nothing but name (and retval, retstr): the name of an
 * alias, defined now, of one probe on raw_syscalls that dispatches on the
 * call's number, and in extra the names of the calls it matches that the
 * system call table does not number (each to be probed alone); NULL when
 * the point is not such a wildcard. */
const char *syscalls_dispatch(struct elab_state *st, const struct probe_point *pt,
			      const struct stmt *body, const struct expr *cond, struct vec *extra);

/* probes.c: derive the probes of the script (aliases, builtin kinds). */
void probes_derive(struct elab_state *st);

/* One point being derived: the body and condition accumulated so far. */
struct derive_ctx {
	const struct probe_point *pt;
	struct stmt *body;
	struct expr *cond;
	const char *chain;
	int depth;
	const char *from; /* -t: " from: POINT" per alias, then the point as written */
};

/* Append p (kind and details filled) as a derived probe named pp. */
void probes_add(struct elab_state *st, const struct derive_ctx *dc, struct eprobe *p,
		const char *pp);
/* "while resolving probe point" at `at`, then why (at why_tok). */
void probes_report_failure(struct elab_state *st, const struct token *at, const char *key,
			   const struct token *why_tok, const char *why);

/* Component i of a probe point, NULL past its end. */
static inline const struct pp_comp *pp_comp_at(const struct probe_point *pt, size_t i)
{
	return i < pt->comps.len ? pt->comps.items[i] : NULL;
}

/* A point that cannot be derived: reported (unless optional), -1. */
static inline int probe_fail(struct elab_state *st, const struct derive_ctx *dc, const char *key,
			     const struct token *tok, const char *msg)
{
	if (!dc->pt->optional)
		probes_report_failure(st, pp_comp_at(dc->pt, 0)->tok, key, tok, msg);
	return -1;
}

/* probes/kernel.c: kernel.trace(...) (and the kernel.* points we cannot
 * give); probes/perf.c: perf.*.  Each returns the number of probes derived,
 * or -1 after reporting (nothing reported for an optional point). */
int probes_derive_kernel(struct elab_state *st, const struct derive_ctx *dc);
int probes_derive_perf(struct elab_state *st, const struct derive_ctx *dc);
/* probes/kfunc.c: kernel.function, module().function, kprobe.* */
int probes_derive_kfunc(struct elab_state *st, const struct derive_ctx *dc);
/* The kernel function probes that one kprobe.multi program can serve
 * (eprobe.kp_group), once their bodies are final. */
void kfunc_group_probes(struct elab_state *st);
/* probes/process.c: process(...).function/.mark (uprobes, USDT) */
int probes_derive_process(struct elab_state *st, const struct derive_ctx *dc);
/* $return, $argN, $$name, $$provider, $$parms of the probe being resolved;
 * whether one is defined (@defined) */
void process_resolve_target(struct elab_state *st, struct expr *e);
int process_target_defined(const struct elab_state *st, const struct expr *x);
/* The executable NAME names (through PATH without a slash), of process
 * PID: absolute heap strings, NULL when there is none. */
char *process_resolve_path(const char *name);
char *process_pid_path(long pid);
/* probes/procevents.c: process.begin/.end/.thread.begin/.thread.end/
 * .syscall/.syscall.return (NAME: the component after process) */
bool procev_is_event(const char *name);
int probes_derive_procevents(struct elab_state *st, const struct derive_ctx *dc);
void procev_resolve_target(struct elab_state *st, struct expr *e);
int procev_target_defined(const struct elab_state *st, const struct expr *x);
/* probes/dwarf.c: the DWARF context of uprobes.  $var (and $return,
 * $$parms...) rewritten as its read, or an error reported: true; false when
 * the name is none of the program's. */
bool dwarf_resolve_target(struct elab_state *st, struct expr *e);
int dwarf_target_defined(const struct elab_state *st, const struct expr *x);
/* NAME@FILE:LINE (or :FIRST-LAST) split; *last -1 when no line.  Heap
 * strings; false when the line part is malformed. */
bool dwarf_split_spec(const char *spec, char **name, char **file, int *first, int *last);
/* process(...).statement("NAME@FILE:LINE"), .statement(ADDR), and
 * .function("NAME@FILE").label("PATTERN"): the probes derived. */
int dwarf_derive_statements(struct elab_state *st, const struct derive_ctx *dc, const char *prefix,
			    const char *path, long pid, const char *spec);
int dwarf_derive_address(struct elab_state *st, const struct derive_ctx *dc, const char *path,
			 long pid, uint64_t vaddr, const char *pp);
int dwarf_derive_labels(struct elab_state *st, const struct derive_ctx *dc, const char *prefix,
			const char *path, long pid, const char *spec, const char *pattern);
/* @cast(addr, "type", "PATH") from PATH's DWARF, @var("name@file") from the
 * uprobe's program: true when done (rewritten or reported). */
bool dwarf_resolve_cast(struct elab_state *st, struct expr *e);
bool dwarf_resolve_atvar(struct elab_state *st, struct expr *e);
/* A FILE pattern against a DWARF file name (whole, or a tail after '/'). */
bool dwarf_file_matches(const char *pattern, const char *file);
/* -L: " $name:type ..." of the variables at pc. */
const char *dwarf_probe_vars(struct elab_state *st, const char *path, uint64_t pc, bool ret);

/* entry.c: @entry(expr) and the parameters of .return probes, taken at
 * entry by a synthesized entry probe placed before each such probe */
void entry_capture(struct elab_state *st);
/* probes/procfs.c: procfs("NAME").read/.write; $value in their bodies
 * (true when e was $value and is now a call, or reported); the files
 * each have one probe (after elision) */
int probes_derive_procfs(struct elab_state *st, const struct derive_ctx *dc);
bool procfs_resolve_value(struct elab_state *st, struct expr *e, struct expr *assign);
void procfs_check_files(struct elab_state *st);

/* resolve.c */
/* A probe or declarations parsed from text as if the user wrote them. */
struct program *parse_synthetic(struct elab_state *st, const char *text);
void resolve_probe(struct elab_state *st, struct eprobe *p);
void resolve_functions(struct elab_state *st);
struct stmt *copy_stmt(struct arena *a, const struct stmt *s);
struct expr *copy_expr(struct arena *a, const struct expr *e);

/* print.c: an expression as -p2 prints it */
const char *elab_expr_text(struct arena *a, const struct expr *e);
const char *elab_stmt_text(struct arena *a, const struct stmt *s);

/* types.c */
void types_infer(struct elab_state *st);
void types_check_arity(struct elab_state *st);

/* context.c: context variables of kernel probes, and placement */
bool context_resolve_target(struct elab_state *st, struct expr *e);
void context_resolve_cast(struct elab_state *st, struct expr *e);
/* @defined(x) of a context variable: 1, 0, or -1 when not one. */
int context_defined(const struct elab_state *st, const struct expr *x);
void context_place(struct elab_state *st);
/* resolve.c: parse, derive and resolve probes written as text. */
void elab_add_synthetic(struct elab_state *st, const char *text);
/* Rewrite e in place as a string literal, or as sprintf(fmt, args...). */
void context_make_string(struct expr *e, const char *str);
void context_make_sprintf(struct elab_state *st, struct expr *e, const char *fmt, struct vec *args);

/* lvalues.c: the ++/-- operands pass 3 refuses, into e->bad_lvalues. */
void lvalues_collect(struct elab_state *st);

/* optimize.c: the synthesized probes */
void optimize(struct elab_state *st);

/* elide.c: the optimizer's elisions */
void elide_statements(struct elab_state *st);
void elide_empty_probes(struct elab_state *st);
void elide_recount(struct elab_state *st);
void check_foreach_modifications(struct elab_state *st);
void warn_never_assigned(struct elab_state *st);
void fold_constants(struct elab_state *st);
/* -u: statements whose value is unused reduced, constants folded. */
void reduce_unoptimised(struct elab_state *st);

#endif
