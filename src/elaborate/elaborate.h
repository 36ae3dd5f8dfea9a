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
	int index; /* the emitter's number */
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
	struct expr *cond;             /* if (cond), NULL */
	struct stmt *body;             /* a private copy */
	struct vec locals;             /* of struct symbol */
	bool synthetic;                /* added by pass 2 */
	bool elided;
	int index;
};

struct elab {
	struct vec embeds;    /* of const struct token: top-level %{ %} */
	struct vec globals;   /* of struct symbol, in the resolver's order */
	struct vec functions; /* of struct efunction, sorted by name */
	struct vec probes;    /* of struct eprobe */
	struct vec inputs;    /* of const struct source: script and tapset files used */
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
