/*
 * What the files of pass 3 share: the emitter's state.  emit.c walks
 * expressions and statements for both targets; where the targets differ
 * (where strings and locals live, arrays, output, loops), it calls the
 * target's piece: emit_bpf.c for the BPF target, the stp_host.h API inline
 * for the host target.  emit_host.c and emit_bpf.c assemble their file.
 */
#ifndef STAP_TRANSLATE_INTERNAL_H
#define STAP_TRANSLATE_INTERNAL_H

#include <stdarg.h>

#include "../session.h"
#include "translate.h"

struct emitter {
	const struct session *s;
	const struct elab *e;
	struct arena *arena;
	bool bpf;            /* the target */
	struct strbuf *out;  /* the body being written */
	struct strbuf decls; /* the temporaries of the body */
	int ntemps;
	int *nlabels;           /* shared by both targets' emitters: unique names */
	const char *err_label;  /* where a failure jumps */
	const char *ret_label;  /* where return and next jump */
	const char *cont_label; /* "continue" of the innermost loop */
	const char *break_stmt; /* "break" of the innermost loop */
	const struct efunction *fn;
	struct translation_tables *tables; /* shared between the targets */

	/* BPF: the frame of the function being written */
	struct strbuf *frame;     /* its members */
	const char *frame_type;   /* "struct probe3_frame" */
	bool uses_scratch;        /* the handler needs this CPU's scratch area */
	struct strbuf *callbacks; /* loop bodies, written before the function */
	struct vec *callees;      /* of struct efunction: the frames after this one */
	int in_callback;          /* loop bodies being written */
};

/* What both targets' files index: printf formats, print sites, the
 * locations runtime errors name, BPF literals. */
struct translation_tables {
	struct strbuf formats; /* the format table's entries */
	int nformats;
	struct strbuf sites; /* BPF print sites: {kind, fmt, delim, sig} */
	int nsites;
	struct vec locations; /* arena strings: "operator '/' at F:L:C" */
	struct vec literals;  /* arena strings: C literals of BPF strings */
	struct vec kformats;  /* arena strings: C literals of bpf_snprintf formats */
	struct vec core;      /* of const struct kbtf_step: members the BPF code reads */
	struct strbuf hsites; /* BPF print(@hist_*()) sites: {global, array, params, where} */
	int nhsites;
	int max_record; /* bytes of the biggest BPF print record */
};

__attribute__((format(printf, 2, 3))) void emit(struct emitter *em, const char *fmt, ...);
__attribute__((format(printf, 2, 3))) const char *fmt_str(struct emitter *em, const char *fmt, ...);
const char *new_temp(struct emitter *em, enum vtype t);
const char *new_label(struct emitter *em, const char *what);
void check_error(struct emitter *em);
const char *where(struct emitter *em, const struct token *tok);
const char *c_string(struct emitter *em, const char *s, size_t len);
const char *script_string(struct emitter *em, const char *raw);
const char *sym_name(struct emitter *em, const struct symbol *sym);
bool has_side_effects(const struct expr *e);
const char *ex(struct emitter *em, struct expr *e);
const char *ex_stable(struct emitter *em, struct expr *e, bool later_effects);
void st(struct emitter *em, struct stmt *s);
void count_action(struct emitter *em, const struct token *tok);
int add_format(struct emitter *em, const char *raw);
/* A printf format as --compatible has it print (see emit.c). */
const char *compat_format(struct emitter *em, const char *raw);
const char *stat_op_name(const char *op);
bool is_empty_stmt(const struct stmt *s);
void number_symbols(struct vec *v);

/* The body of a handler or function: its temporaries, prologue and code. */
void emit_body(struct emitter *em, struct strbuf *out, struct stmt *body, const char *prologue);

/* The two files (emit_host.c, emit_bpf.c), and what both declare. */
void translate_host(struct emitter *em, struct strbuf *out, const char *shared_decls);
void translate_bpf(struct emitter *em, struct strbuf *out, const char *shared_decls);
char *bpf_shared_decls(const struct elab *e);
/* widths.c: sets the key_width of shared arrays' string columns */
void translate_key_widths(const struct session *s, const struct elab *e);

/* emit_bpf.c: one BPF program of probe p: its section, name, the frame
 * struct it uses, what fills the context, the body */
void bpf_program(struct emitter *em, struct strbuf *out, const struct eprobe *p, const char *sec,
		 const char *name, const char *frame, const char *prologue, const char *body);
/* emit_procev.c: the programs of a process event (PROBE_PROCESS), named
 * NAME_pe0...; how many such probes there are */
void bpf_procev_programs(struct emitter *em, struct strbuf *out, const struct eprobe *p,
			 const char *name, const char *body);
int bpf_procev_count(const struct elab *e);

/* emit_bpf.c: the BPF forms of what emit.c writes */
const char *bpf_literal(struct emitter *em, const char *c_literal);
const char *bpf_keys(struct emitter *em, struct vec *keys, const struct symbol *sym,
		     const char **miss);
const char *bpf_index(struct emitter *em, struct expr *e);
const char *bpf_in(struct emitter *em, struct expr *e);
void bpf_store(struct emitter *em, struct expr *lv, const char *v, const char *keys);
const char *bpf_load(struct emitter *em, struct expr *lv, const char *keys);
const char *bpf_compound(struct emitter *em, struct expr *lv, const char *keys, const char *v,
			 bool negate, bool post);
void bpf_stat_add(struct emitter *em, struct expr *lv, const char *keys, const char *v);
const char *bpf_print(struct emitter *em, struct expr *e);
const char *bpf_call(struct emitter *em, struct expr *e, const char **vals, size_t n);
const char *bpf_context(struct emitter *em, struct expr *e);
const char *bpf_stat(struct emitter *em, struct expr *e);
void bpf_delete(struct emitter *em, struct stmt *s);
void bpf_foreach(struct emitter *em, struct stmt *s);
void bpf_for(struct emitter *em, struct stmt *s);

#endif
