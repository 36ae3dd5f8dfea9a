/*
 * Type inference, as the original's typeresolution_info does it: every
 * expression, symbol, array key, parameter and function gets long, string
 * or statistics.  Each round visits the bodies of the functions (in name
 * order), then those of the probes (and their conditions), then checks the
 * globals; a node passes the type its context expects (t) down and takes
 * the types already known from its operands and its referent, one step a
 * round (a symbol learns its variable's type, and the variable its use's,
 * in the next round).  The rounds repeat until nothing more resolves; then
 * one more round runs asserting, and only that one reports.  Of the
 * conflicts it meets, only those of the most specific kind met in the last
 * silent round are reported ("type mismatch (T)" with where the type was
 * first inferred, over "expected X but found Y", over "left and right sides
 * don't agree", over "unresolved type"); -v reports every kind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Where a variable, key, parameter or function got its type: the first
 * inferred here of "type mismatch (T)".  Declared and initialised types
 * have none, and their conflicts are reported plainly. */
struct resolution {
	const void *decl; /* struct symbol or struct efunction */
	int index;        /* the key or argument, -1 the value */
	const struct token *tok;
};

struct typer {
	struct elab_state *st;
	enum vtype t;           /* the type the context expects */
	struct efunction *fn;   /* the function being typed, NULL in a probe */
	bool asserting;         /* the last round: report */
	int complexity;         /* the most specific kind of conflict met */
	int newly_resolved;     /* this round */
	int still_unresolved;   /* this round */
	struct vec resolutions; /* of struct resolution */
};

const char *vtype_name(enum vtype t)
{
	switch (t) {
	case TYPE_LONG:
		return "long";
	case TYPE_STRING:
		return "string";
	case TYPE_STATS:
		return "stats";
	default:
		return "unknown";
	}
}

static void resolved(struct typer *ty, const struct token *tok, enum vtype t, const void *decl,
		     int index)
{
	ty->newly_resolved++;
	if (ty->st->s->verbose > 4) {
		char desc[256];
		token_describe(tok, desc, sizeof(desc));
		fprintf(stderr, "resolved type %s to %s at %s:%d:%d\n", vtype_name(t), desc,
			tok->loc.src->name, tok->loc.line, tok->loc.col);
	}
	if (!decl)
		return;
	vec_foreach(&ty->resolutions, i) {
		struct resolution *r = ty->resolutions.items[i];
		if (r->decl == decl && r->index == index) {
			r->tok = tok;
			return;
		}
	}
	struct resolution *r = arena_alloc(ty->st->a, sizeof(*r));
	r->decl = decl;
	r->index = index;
	r->tok = tok;
	vec_push_arena(ty->st->a, &ty->resolutions, r);
}

static void unresolved(struct typer *ty, const struct token *tok)
{
	ty->still_unresolved++;
	if (ty->asserting && ty->complexity <= 0)
		diag_semantic(ty->st->d, "unresolved type", tok, "unresolved type ");
}

static void invalid(struct typer *ty, const struct token *tok, enum vtype t)
{
	ty->still_unresolved++;
	if (!ty->asserting)
		return;
	if (tok->type == TOK_OPERATOR)
		diag_semantic(ty->st->d, "invalid type", tok, "invalid operator");
	else
		diag_semantic(ty->st->d, "invalid type", tok, "invalid type %s", vtype_name(t));
}

/* A conflict of kind level (1: the two sides of an operator, 2: a value
 * against what its context expects, 3: a use against its variable): said
 * only when asserting, and only when no more specific kind was met. */
static bool conflict(struct typer *ty, int level)
{
	ty->still_unresolved++;
	if (ty->asserting)
		return ty->complexity <= level;
	if (ty->complexity < level)
		ty->complexity = level;
	return false;
}

static void mismatch_sides(struct typer *ty, const struct token *tok, const struct expr *a,
			   const struct expr *b)
{
	if (conflict(ty, 1))
		diag_semantic(ty->st->d, "mismatch sides", tok,
			      "type mismatch: left and right sides don't agree (%s vs %s)",
			      vtype_name((enum vtype)a->type), vtype_name((enum vtype)b->type));
}

/* want: the type expected, got: the type found */
static void mismatch(struct typer *ty, const struct token *tok, enum vtype want, enum vtype got)
{
	if (!conflict(ty, 2))
		return;
	if (got != TYPE_UNKNOWN)
		diag_semantic(ty->st->d, "mismatch expected", tok,
			      "type mismatch: expected %s but found %s", vtype_name(want),
			      vtype_name(got));
	else
		diag_semantic(ty->st->d, "mismatch expected", tok, "type mismatch: expected %s",
			      vtype_name(want));
}

/* A use of type t against the variable, key (index >= 0), parameter or
 * function decl of type decl_type. */
static void mismatch_decl(struct typer *ty, const struct token *tok, enum vtype t, const void *decl,
			  enum vtype decl_type, int index)
{
	if (!conflict(ty, 3))
		return;
	/* a parameter met inside its function counts as that argument */
	if (ty->fn && index == -1)
		vec_foreach(&ty->fn->params, i)
			if (ty->fn->params.items[i] == decl)
				index = (int)i;
	const struct resolution *first = NULL;
	vec_foreach(&ty->resolutions, i) {
		const struct resolution *r = ty->resolutions.items[i];
		if (r->decl == decl && r->index == index) {
			first = r;
			break;
		}
	}
	if (!first) {
		/* a declared type: the original's words are swapped here */
		diag_semantic(ty->st->d, "mismatch declared", tok,
			      "type mismatch: expected %s but found %s", vtype_name(t),
			      vtype_name(decl_type));
		return;
	}
	bool shown;
	if (index >= 0)
		shown = diag_semantic(ty->st->d, "type mismatch", tok,
				      "index %d type mismatch (%s)", index, vtype_name(t));
	else
		shown = diag_semantic(ty->st->d, "type mismatch", tok, "type mismatch (%s)",
				      vtype_name(t));
	if (!shown)
		return;
	if (index >= 0)
		diag_semantic_part(ty->st->d, true, true, first->tok,
				   "type of index %d was first inferred here (%s)", index,
				   vtype_name(decl_type));
	else
		diag_semantic_part(ty->st->d, true, true, first->tok,
				   "type was first inferred here (%s)", vtype_name(decl_type));
}

/* A use (its type in *re, its token tok) of a declaration (its type in *te)
 * in a context that expects t: one step of agreement between the three. */
static void resolve_2types(struct typer *ty, int *re, const struct token *tok, enum vtype *te,
			   const void *decl, enum vtype t, bool accept_unknown)
{
	enum vtype r = (enum vtype) * re;
	if (t != TYPE_UNKNOWN && r == t && r == *te)
		;
	else if (t == TYPE_UNKNOWN && r != TYPE_UNKNOWN && r == *te)
		;
	else if (r != TYPE_UNKNOWN && *te != TYPE_UNKNOWN && r != *te)
		mismatch_decl(ty, tok, r, decl, *te, -1);
	else if (r != TYPE_UNKNOWN && t != TYPE_UNKNOWN && r != t)
		mismatch_decl(ty, tok, t, decl, *te, -1);
	else if (*te != TYPE_UNKNOWN && t != TYPE_UNKNOWN && *te != t)
		mismatch_decl(ty, tok, t, decl, *te, -1);
	else if (r == TYPE_UNKNOWN && t != TYPE_UNKNOWN) {
		*re = (int)t;
		resolved(ty, tok, t, NULL, -1);
	} else if (r == TYPE_UNKNOWN && *te != TYPE_UNKNOWN) {
		*re = (int)*te;
		resolved(ty, tok, *te, NULL, -1);
	} else if (r != TYPE_UNKNOWN && *te == TYPE_UNKNOWN) {
		*te = r;
		resolved(ty, tok, r, decl, -1);
	} else if (!accept_unknown)
		unresolved(ty, tok);
}

static void set_arity(struct typer *ty, struct symbol *sym, int arity, const struct token *tok)
{
	if (sym->arity < 0 && !(arity == 0 && sym->decl && (sym->decl->size || sym->decl->wrap))) {
		sym->arity = arity;
		sym->arity_tok = tok;
	} else if (sym->arity < 0 || sym->arity != arity) {
		if (sym->arity <= 0 && sym->decl && (sym->decl->size || sym->decl->wrap) &&
		    arity == 0) {
			diag_semantic(ty->st->d, "inconsistent arity", sym->decl->tok,
				      "inconsistent arity");
			return;
		}
		if (diag_semantic(ty->st->d, "inconsistent arity", tok,
				  "inconsistent arity (%d vs %d)", sym->arity, arity))
			diag_semantic_part(ty->st->d, true, true, sym->arity_tok,
					   "arity %d first inferred here", sym->arity);
	}
}

static void ty_expr(struct typer *ty, struct expr *e);

/* The key e (visited with its key type expected) against key i of sym. */
static void ty_key(struct typer *ty, struct symbol *sym, size_t i, struct expr *e)
{
	if (!e || e->kind == EXPR_WILDCARD)
		return;
	if (i >= ELAB_MAX_KEYS) {
		ty->t = TYPE_UNKNOWN;
		ty_expr(ty, e);
		return;
	}
	enum vtype *ft = &sym->keys[i];
	ty->t = *ft;
	ty_expr(ty, e);
	enum vtype at = (enum vtype)e->type;
	if ((at == TYPE_STRING || at == TYPE_LONG) && *ft == TYPE_UNKNOWN) {
		*ft = at;
		resolved(ty, e->tok, at, sym, (int)i);
	}
	if (at == TYPE_STATS)
		invalid(ty, e->tok, at);
	if (*ft == TYPE_STATS)
		invalid(ty, e->tok, *ft);
	if (at != TYPE_UNKNOWN && *ft != TYPE_UNKNOWN && *ft != at)
		mismatch_decl(ty, e->tok, at, sym, sym->type, (int)i);
	if (at == TYPE_UNKNOWN)
		unresolved(ty, e->tok);
}

static void ty_keys(struct typer *ty, struct symbol *sym, const struct token *tok, struct vec *keys)
{
	if ((int)keys->len != sym->arity) {
		unresolved(ty, tok); /* symbol resolution prevents this */
		return;
	}
	vec_foreach(keys, i)
		ty_key(ty, sym, i, keys->items[i]);
}

/* A[keys] (or a histogram's bucket): its type in *type.  The element's
 * token is the array's (as the original makes it). */
static void ty_index(struct typer *ty, struct expr *e, int *type)
{
	const struct token *tok = e->a->tok;
	if (e->a->kind == EXPR_HIST) {
		if (e->list.len != 1)
			unresolved(ty, tok);
		ty->t = TYPE_LONG;
		ty_expr(ty, e->list.items[0]);
		if (((struct expr *)e->list.items[0])->type != TYPE_LONG)
			unresolved(ty, tok);
		ty_expr(ty, e->a);
		if (*type != TYPE_LONG) {
			*type = TYPE_LONG;
			resolved(ty, tok, TYPE_LONG, NULL, -1);
		}
		return;
	}
	if (!e->sym)
		return;
	resolve_2types(ty, type, tok, &e->sym->type, e->sym, ty->t, false);
	ty_keys(ty, e->sym, tok, &e->list);
}

/* Operands that must be long: a binary operator, or a compound assignment. */
static void ty_binary(struct typer *ty, struct expr *e, struct expr *a, struct expr *b)
{
	if (ty->t == TYPE_STATS || ty->t == TYPE_STRING)
		invalid(ty, e->tok, ty->t);
	ty->t = TYPE_LONG;
	ty_expr(ty, a);
	ty->t = TYPE_LONG;
	ty_expr(ty, b);
	if (a->type != TYPE_UNKNOWN && b->type != TYPE_UNKNOWN && a->type != b->type)
		mismatch_sides(ty, e->tok, a, b);
	if (e->type == TYPE_UNKNOWN) {
		e->type = TYPE_LONG;
		resolved(ty, e->tok, TYPE_LONG, NULL, -1);
	}
}

static void ty_unary(struct typer *ty, struct expr *e)
{
	if (ty->t == TYPE_STATS || ty->t == TYPE_STRING)
		invalid(ty, e->tok, ty->t);
	ty->t = TYPE_LONG;
	ty_expr(ty, e->a);
	if (e->type == TYPE_UNKNOWN) {
		e->type = TYPE_LONG;
		resolved(ty, e->tok, TYPE_LONG, NULL, -1);
	}
}

/* The value of a (visited expecting want) must be of type want. */
static void check_arg_type(struct typer *ty, enum vtype want, struct expr *a)
{
	ty->t = want;
	ty_expr(ty, a);
	if (a->type == TYPE_UNKNOWN) {
		a->type = want;
		resolved(ty, a->tok, want, NULL, -1);
	} else if (a->type != (int)want) {
		mismatch(ty, a->tok, want, (enum vtype)a->type);
	}
}

static void ty_assign(struct typer *ty, struct expr *e)
{
	const char *op = e->op;
	if (ty->t == TYPE_STATS)
		invalid(ty, e->tok, ty->t);
	if (strcmp(op, "<<<") == 0) {
		if (ty->t == TYPE_STRING)
			invalid(ty, e->tok, ty->t);
		ty->t = TYPE_STATS;
		ty_expr(ty, e->a);
		ty->t = TYPE_LONG;
		ty_expr(ty, e->b);
		if (e->type == TYPE_UNKNOWN || e->type == TYPE_STATS) {
			e->type = TYPE_LONG;
			resolved(ty, e->tok, TYPE_LONG, NULL, -1);
		}
	} else if (e->a->type == TYPE_STATS) {
		invalid(ty, e->a->tok, TYPE_STATS);
	} else if (e->b->type == TYPE_STATS) {
		invalid(ty, e->b->tok, TYPE_STATS);
	} else if (strcmp(op, ".=") == 0) {
		if (ty->t == TYPE_LONG)
			invalid(ty, e->tok, ty->t);
		ty->t = TYPE_STRING;
		ty_expr(ty, e->a);
		ty->t = TYPE_STRING;
		ty_expr(ty, e->b);
		if (e->type == TYPE_UNKNOWN) {
			e->type = TYPE_STRING;
			resolved(ty, e->tok, TYPE_STRING, NULL, -1);
		}
	} else if (strcmp(op, "=") == 0) {
		/* as ?: does, across the two sides */
		enum vtype sub = ty->t;
		if (sub == TYPE_UNKNOWN && e->type != TYPE_UNKNOWN)
			sub = (enum vtype)e->type;
		ty->t = sub != TYPE_UNKNOWN ? sub : (enum vtype)e->b->type;
		ty_expr(ty, e->a);
		ty->t = sub != TYPE_UNKNOWN ? sub : (enum vtype)e->a->type;
		ty_expr(ty, e->b);
		if (sub != TYPE_UNKNOWN && e->type == TYPE_UNKNOWN) {
			e->type = sub;
			resolved(ty, e->tok, sub, NULL, -1);
		}
		if (sub == TYPE_UNKNOWN && e->a->type != TYPE_UNKNOWN) {
			e->type = e->a->type;
			resolved(ty, e->tok, (enum vtype)e->a->type, NULL, -1);
		}
		if (e->a->type != TYPE_UNKNOWN && e->b->type != TYPE_UNKNOWN &&
		    e->a->type != e->b->type)
			mismatch_sides(ty, e->tok, e->a, e->b);
	} else {
		ty_binary(ty, e, e->a, e->b);
	}
}

static void ty_ternary(struct typer *ty, struct expr *e)
{
	enum vtype sub = ty->t;
	ty->t = TYPE_LONG;
	ty_expr(ty, e->a);
	if (sub == TYPE_UNKNOWN && e->type != TYPE_UNKNOWN)
		sub = (enum vtype)e->type;
	ty->t = sub;
	ty_expr(ty, e->b);
	ty->t = sub;
	ty_expr(ty, e->c);
	if (sub == TYPE_UNKNOWN && e->type != TYPE_UNKNOWN)
		;
	else if (sub != TYPE_UNKNOWN && e->type == TYPE_UNKNOWN) {
		e->type = sub;
		resolved(ty, e->tok, sub, NULL, -1);
	} else if (sub == TYPE_UNKNOWN && e->b->type != TYPE_UNKNOWN) {
		e->type = e->b->type;
		resolved(ty, e->tok, (enum vtype)e->type, NULL, -1);
	} else if (sub == TYPE_UNKNOWN && e->c->type != TYPE_UNKNOWN) {
		e->type = e->c->type;
		resolved(ty, e->tok, (enum vtype)e->type, NULL, -1);
	} else if (e->type != (int)sub)
		mismatch(ty, e->tok, sub, (enum vtype)e->type);
}

static void ty_call(struct typer *ty, struct expr *e)
{
	enum vtype original = ty->t;
	/* every definition the call may reach (`next` passes it on) */
	for (struct efunction *f = e->func; f; f = f->overload_next) {
		ty->t = original;
		resolve_2types(ty, &e->type, e->tok, &f->type, f, ty->t, true);
		if (e->type == TYPE_STATS)
			invalid(ty, e->tok, TYPE_STATS);
		if (e->list.len != f->params.len) {
			unresolved(ty, e->tok);
			continue;
		}
		vec_foreach(&e->list, i) {
			struct expr *a = e->list.items[i];
			struct symbol *p = f->params.items[i];
			ty->t = p->type;
			ty_expr(ty, a);
			enum vtype at = (enum vtype)a->type;
			if ((at == TYPE_STRING || at == TYPE_LONG) && p->type == TYPE_UNKNOWN) {
				p->type = at;
				resolved(ty, a->tok, at, p, (int)i);
			}
			if (at == TYPE_STATS)
				invalid(ty, a->tok, at);
			if (p->type == TYPE_STATS)
				invalid(ty, p->tok, p->type);
			if (at != TYPE_UNKNOWN && p->type != TYPE_UNKNOWN && p->type != at)
				mismatch_decl(ty, a->tok, at, p, p->type, (int)i);
			if (at == TYPE_UNKNOWN)
				unresolved(ty, a->tok);
		}
	}
}

static void ty_print(struct typer *ty, struct expr *e)
{
	const char *n = e->str;
	size_t first = 0, unresolved_args = 0;
	if (strstr(n, "printd") && e->list.len) {
		/* the delimiter is part of the operator, not an argument */
		ty->t = TYPE_STRING;
		ty_expr(ty, e->list.items[0]);
		first = 1;
	}
	struct fmt fmt;
	const char *err;
	if (e->list.len == 1 && ((struct expr *)e->list.items[0])->kind == EXPR_HIST) {
		ty_expr(ty, e->list.items[0]);
	} else if (n[strlen(n) - 1] == 'f' && e->list.len) {
		struct expr *f = e->list.items[0];
		ty->t = TYPE_STRING;
		ty_expr(ty, f);
		/* the number of arguments was checked with symbol resolution */
		if (fmt_parse(f->str, &fmt, &err) != 0)
			return;
		size_t arg = 1;
		for (size_t i = 0; i < fmt.n && arg < e->list.len; i++) {
			const struct fmt_piece *p = &fmt.pieces[i];
			if (p->kind != FMT_CONV)
				continue;
			if (p->width_star && arg < e->list.len)
				check_arg_type(ty, TYPE_LONG, e->list.items[arg++]);
			if (p->precision_star && arg < e->list.len)
				check_arg_type(ty, TYPE_LONG, e->list.items[arg++]);
			if (arg < e->list.len)
				check_arg_type(ty, p->type == FMT_STRING ? TYPE_STRING : TYPE_LONG,
					       e->list.items[arg++]);
		}
		fmt_free(&fmt);
	} else {
		/* without a format, each argument must get some type */
		for (size_t i = first; i < e->list.len; i++) {
			struct expr *a = e->list.items[i];
			ty->t = TYPE_UNKNOWN;
			ty_expr(ty, a);
			if (a->type == TYPE_UNKNOWN) {
				unresolved(ty, a->tok);
				unresolved_args++;
			}
		}
	}
	if (unresolved_args == 0) {
		if (e->type == TYPE_UNKNOWN) {
			e->type = n[0] == 's' ? TYPE_STRING : TYPE_LONG;
			resolved(ty, e->tok, (enum vtype)e->type, NULL, -1);
		}
	} else {
		e->type = TYPE_UNKNOWN;
		unresolved(ty, e->tok);
	}
}

static void ty_expr(struct typer *ty, struct expr *e)
{
	if (!e)
		return;
	switch (e->kind) {
	case EXPR_NUMBER:
	case EXPR_STRING: {
		enum vtype lit = e->kind == EXPR_NUMBER ? TYPE_LONG : TYPE_STRING;
		e->type = lit;
		if (ty->t != lit && ty->t != TYPE_UNKNOWN)
			mismatch(ty, e->tok, ty->t, lit);
		return;
	}
	case EXPR_CONTEXT: {
		/* a context variable: typed by the event's format or BTF; a
		 * @cast's address is a long */
		struct ctxvar *c = (struct ctxvar *)e->cv; /* typed here */
		if (c->chars && c->type == TYPE_UNKNOWN) {
			if (ty->t == TYPE_UNKNOWN && !ty->asserting) {
				unresolved(ty, e->tok);
				return;
			}
			/* a char array: its text where a string is wanted, else
			 * its address, as the original */
			c->type = ty->t == TYPE_STRING ? TYPE_STRING : TYPE_LONG;
			c->addressof = c->type == TYPE_LONG;
			resolved(ty, e->tok, c->type, NULL, -1);
		}
		enum vtype cv = c->type;
		if (ty->t != cv && ty->t != TYPE_UNKNOWN)
			mismatch(ty, e->tok, ty->t, cv);
		if (e->a)
			check_arg_type(ty, TYPE_LONG, e->a);
		e->type = cv;
		return;
	}
	case EXPR_EMBEDDED:
		if (e->type == TYPE_UNKNOWN) {
			e->type =
				e->str && strstr(e->str, "/* string */") ? TYPE_STRING : TYPE_LONG;
			resolved(ty, e->tok, (enum vtype)e->type, NULL, -1);
		}
		return;
	case EXPR_PERF:
		if (ty->t == TYPE_STATS || ty->t == TYPE_STRING)
			invalid(ty, e->tok, ty->t);
		e->type = TYPE_LONG;
		return;
	case EXPR_SYMBOL:
		if (e->sym)
			resolve_2types(ty, &e->type, e->tok, &e->sym->type, e->sym, ty->t, false);
		return;
	case EXPR_INDEX:
		ty_index(ty, e, &e->type);
		return;
	case EXPR_IN: {
		enum vtype t1 = ty->t;
		/* the element looked up: its type has the array name's slot */
		ty->t = TYPE_UNKNOWN;
		if (e->sym) {
			resolve_2types(ty, &e->a->type, e->a->tok, &e->sym->type, e->sym, ty->t,
				       false);
			ty_keys(ty, e->sym, e->a->tok, &e->list);
		}
		if (t1 == TYPE_UNKNOWN && e->type != TYPE_UNKNOWN)
			;
		else if (t1 == TYPE_STRING || t1 == TYPE_STATS)
			mismatch(ty, e->tok, t1, TYPE_LONG);
		else if (e->type == TYPE_UNKNOWN) {
			e->type = TYPE_LONG;
			resolved(ty, e->tok, TYPE_LONG, NULL, -1);
		}
		return;
	}
	case EXPR_BINARY:
	case EXPR_LOGICAL:
		ty_binary(ty, e, e->a, e->b);
		return;
	case EXPR_UNARY:
	case EXPR_PREINC:
	case EXPR_POSTINC:
		ty_unary(ty, e);
		return;
	case EXPR_COMPARE:
		if (ty->t == TYPE_STATS || ty->t == TYPE_STRING)
			invalid(ty, e->tok, ty->t);
		ty->t = (enum vtype)e->b->type;
		ty_expr(ty, e->a);
		ty->t = (enum vtype)e->a->type;
		ty_expr(ty, e->b);
		if (e->a->type != TYPE_UNKNOWN && e->b->type != TYPE_UNKNOWN &&
		    e->a->type != e->b->type)
			mismatch_sides(ty, e->tok, e->a, e->b);
		if (e->type == TYPE_UNKNOWN) {
			e->type = TYPE_LONG;
			resolved(ty, e->tok, TYPE_LONG, NULL, -1);
		}
		return;
	case EXPR_CONCAT:
		if (ty->t != TYPE_UNKNOWN && ty->t != TYPE_STRING)
			invalid(ty, e->tok, ty->t);
		ty->t = TYPE_STRING;
		ty_expr(ty, e->a);
		ty->t = TYPE_STRING;
		ty_expr(ty, e->b);
		if (e->type == TYPE_UNKNOWN) {
			e->type = TYPE_STRING;
			resolved(ty, e->tok, TYPE_STRING, NULL, -1);
		}
		return;
	case EXPR_REGEX:
		if (ty->t == TYPE_STATS || ty->t == TYPE_STRING)
			invalid(ty, e->tok, ty->t);
		ty->t = TYPE_STRING;
		ty_expr(ty, e->a);
		ty->t = TYPE_STRING;
		ty_expr(ty, e->b);
		if (e->type == TYPE_UNKNOWN) {
			e->type = TYPE_LONG;
			resolved(ty, e->tok, TYPE_LONG, NULL, -1);
		}
		return;
	case EXPR_TERNARY:
		ty_ternary(ty, e);
		return;
	case EXPR_ASSIGN:
		ty_assign(ty, e);
		return;
	case EXPR_CALL:
		ty_call(ty, e);
		return;
	case EXPR_PRINT:
		ty_print(ty, e);
		return;
	case EXPR_STAT:
		ty->t = TYPE_STATS;
		ty_expr(ty, e->a);
		if (e->type == TYPE_UNKNOWN) {
			e->type = TYPE_LONG;
			resolved(ty, e->tok, TYPE_LONG, NULL, -1);
		} else if (e->type != TYPE_LONG) {
			mismatch(ty, e->tok, TYPE_LONG, (enum vtype)e->type);
		}
		return;
	case EXPR_HIST:
		ty->t = TYPE_STATS;
		ty_expr(ty, e->a);
		return;
	default:
		return;
	}
}

static void ty_stmt(struct typer *ty, struct stmt *s);

static void ty_foreach(struct typer *ty, struct stmt *s)
{
	struct expr *arr = s->array;
	enum vtype wanted = TYPE_UNKNOWN;
	struct symbol *sym = arr->sym;
	if (arr->kind == EXPR_HIST) {
		if (s->keys.len != 1)
			unresolved(ty, s->tok);
		ty->t = TYPE_LONG;
		ty_expr(ty, s->keys.items[0]);
		if (((struct expr *)s->keys.items[0])->type != TYPE_LONG)
			unresolved(ty, s->tok);
		ty_expr(ty, arr);
		wanted = TYPE_LONG;
	} else if (sym) {
		/* the array itself (or the one a slice names) */
		struct expr *base = arr->kind == EXPR_INDEX ? arr->a : arr;
		if ((int)s->keys.len != sym->arity) {
			unresolved(ty, s->tok);
		} else {
			vec_foreach(&s->keys, i)
				ty_key(ty, sym, i, s->keys.items[i]);
			if (arr->kind == EXPR_INDEX)
				vec_foreach(&arr->list, i)
					ty_key(ty, sym, i, arr->list.items[i]);
		}
		ty->t = TYPE_UNKNOWN;
		resolve_2types(ty, &base->type, base->tok, &sym->type, sym, ty->t, false);
		wanted = (enum vtype)base->type;
	}
	if (s->value) {
		if (wanted == TYPE_STATS)
			invalid(ty, s->value->tok, wanted);
		else if (wanted != TYPE_UNKNOWN)
			check_arg_type(ty, wanted, s->value);
		else {
			ty->t = TYPE_UNKNOWN;
			ty_expr(ty, s->value);
		}
	}
	/* sorting by @sum and the like wants a statistics array */
	if (wanted != TYPE_UNKNOWN && s->sort_aggr && wanted != TYPE_STATS)
		invalid(ty, (arr->kind == EXPR_INDEX ? arr->a : arr)->tok, wanted);
	if (s->limit) {
		ty->t = TYPE_LONG;
		ty_expr(ty, s->limit);
	}
	ty->t = TYPE_UNKNOWN;
	ty_stmt(ty, s->body);
}

static void ty_stmt(struct typer *ty, struct stmt *s)
{
	if (!s)
		return;
	switch (s->kind) {
	case STMT_BLOCK:
		vec_foreach(&s->stmts, i) {
			ty->t = TYPE_UNKNOWN;
			ty_stmt(ty, s->stmts.items[i]);
		}
		return;
	case STMT_EXPR:
		ty->t = TYPE_UNKNOWN;
		ty_expr(ty, s->expr);
		return;
	case STMT_IF:
		ty->t = TYPE_LONG;
		ty_expr(ty, s->expr);
		ty->t = TYPE_UNKNOWN;
		ty_stmt(ty, s->body);
		ty->t = TYPE_UNKNOWN;
		ty_stmt(ty, s->other);
		return;
	case STMT_FOR:
		ty->t = TYPE_UNKNOWN;
		ty_expr(ty, s->init);
		ty->t = TYPE_LONG;
		ty_expr(ty, s->expr);
		ty->t = TYPE_UNKNOWN;
		ty_expr(ty, s->step);
		ty->t = TYPE_UNKNOWN;
		ty_stmt(ty, s->body);
		return;
	case STMT_FOREACH:
		ty_foreach(ty, s);
		return;
	case STMT_RETURN: {
		/* a probe's return is refused by the parser */
		struct efunction *f = ty->fn;
		if (!f)
			return;
		ty->t = f->type;
		if (!s->expr) {
			if (f->type != TYPE_UNKNOWN)
				mismatch_decl(ty, s->tok, TYPE_UNKNOWN, f, f->type, -1);
			return;
		}
		ty_expr(ty, s->expr);
		enum vtype vt = (enum vtype)s->expr->type;
		if (f->type != TYPE_UNKNOWN && vt != TYPE_UNKNOWN && f->type != vt)
			mismatch_decl(ty, s->expr->tok, vt, f, f->type, -1);
		if (f->type == TYPE_UNKNOWN && (vt == TYPE_LONG || vt == TYPE_STRING)) {
			f->type = vt;
			resolved(ty, s->expr->tok, vt, f, -1);
		}
		if (vt == TYPE_STATS)
			invalid(ty, s->expr->tok, vt);
		return;
	}
	case STMT_DELETE: {
		struct expr *e = s->expr;
		ty->t = TYPE_UNKNOWN;
		if (e->kind == EXPR_INDEX)
			ty_index(ty, e, &e->type);
		else if (e->kind == EXPR_SYMBOL && e->sym)
			resolve_2types(ty, &e->type, e->tok, &e->sym->type, e->sym, TYPE_UNKNOWN,
				       false);
		return;
	}
	case STMT_TRY:
		ty_stmt(ty, s->body);
		if (s->value) {
			ty->t = TYPE_STRING;
			ty_expr(ty, s->value);
		}
		ty_stmt(ty, s->other);
		return;
	default:
		return;
	}
}

static void check_locals(struct typer *ty, struct vec *locals)
{
	vec_foreach(locals, i) {
		struct symbol *v = locals->items[i];
		if (v->type == TYPE_UNKNOWN) {
			unresolved(ty, v->tok);
		} else if (v->type == TYPE_STATS) {
			ty->still_unresolved++;
			if (ty->asserting)
				diag_semantic(
					ty->st->d, NULL, v->tok,
					"stat locals not supported, missing global declaration? ");
		}
	}
}

/* One round over the program. */
static void ty_round(struct typer *ty)
{
	struct elab *e = ty->st->e;
	ty->newly_resolved = 0;
	ty->still_unresolved = 0;
	vec_foreach(&e->functions, i) {
		struct efunction *f = e->functions.items[i];
		ty->fn = f;
		ty->t = TYPE_UNKNOWN;
		ty_stmt(ty, f->decl->body);
		check_locals(ty, &f->locals);
	}
	ty->fn = NULL;
	vec_foreach(&e->probes, i) {
		struct eprobe *p = e->probes.items[i];
		if (p->elided)
			continue;
		ty->t = TYPE_UNKNOWN;
		ty_stmt(ty, p->body);
		check_locals(ty, &p->locals);
		if (p->cond) {
			ty->t = TYPE_LONG;
			ty_expr(ty, p->cond);
		}
	}
	vec_foreach(&e->globals, i) {
		struct symbol *g = e->globals.items[i];
		if (g->type == TYPE_UNKNOWN)
			unresolved(ty, g->tok);
	}
}

/* ---- histograms, checked once the types are known ---- */

static void note_hist(struct elab_state *st, const struct expr *h)
{
	struct symbol *sym = h->a ? h->a->sym : NULL;
	if (!sym)
		return;
	struct stat_params p = {.kind = HIST_LOG};
	if (strcmp(h->tok->text, "@hist_linear") == 0) {
		p.kind = HIST_LINEAR;
		long long v[3] = {0, 0, 0};
		for (size_t i = 0; i < 3 && i < h->list.len; i++) {
			const struct expr *x = h->list.items[i];
			v[i] = x->kind == EXPR_NUMBER ? x->num : 0;
		}
		p.start = (int)v[0];
		p.stop = (int)v[1];
		p.step = (int)v[2];
	}
	if (sym->stat.kind == HIST_NONE) {
		sym->stat.kind = p.kind;
		sym->stat.start = p.start;
		sym->stat.stop = p.stop;
		sym->stat.step = p.step;
		sym->hist_tok = h->tok;
	} else if (sym->stat.kind != p.kind ||
		   (p.kind == HIST_LINEAR &&
		    (sym->stat.start != p.start || sym->stat.stop != p.stop ||
		     sym->stat.step != p.step))) {
		diag_semantic(st->d, NULL, h->tok,
			      "multiple histogram types declared on '__global_%s'", sym->name);
	}
}

/* @variance(s, shift): one shift per statistic, 0 when not given. */
static void note_shift(struct elab_state *st, const struct expr *e)
{
	const struct expr *ref = e->a;
	struct symbol *sym = ref ? ref->sym : NULL;
	if (!sym)
		return;
	long long shift = e->b && e->b->kind == EXPR_NUMBER ? e->b->num : 0;
	if (shift < 0 || shift > 62) {
		diag_semantic(st->d, NULL, e->tok, "bit shift (%lld) out of range <0..62>", shift);
		return;
	}
	if (!sym->shift_tok) {
		sym->shift_tok = e->tok;
		sym->stat.shift = (int)shift;
	} else if (sym->stat.shift != shift) {
		diag_semantic(st->d, NULL, e->tok,
			      "conflicting bit shifts declared (previously %d)", sym->stat.shift);
	}
}

static void hist_expr(struct elab_state *st, const struct expr *e)
{
	if (!e)
		return;
	if (e->kind == EXPR_HIST)
		note_hist(st, e);
	if (e->kind == EXPR_STAT && strcmp(e->str, "@variance") == 0)
		note_shift(st, e);
	hist_expr(st, e->a);
	hist_expr(st, e->b);
	hist_expr(st, e->c);
	vec_foreach(&e->list, i)
		hist_expr(st, e->list.items[i]);
}

static void hist_stmt(struct elab_state *st, const struct stmt *s)
{
	if (!s)
		return;
	hist_expr(st, s->expr);
	hist_expr(st, s->init);
	hist_expr(st, s->step);
	hist_expr(st, s->array);
	hist_expr(st, s->limit);
	hist_stmt(st, s->body);
	hist_stmt(st, s->other);
	vec_foreach(&s->stmts, i)
		hist_stmt(st, s->stmts.items[i]);
}

/* Literals are typed from the start (the original's parser types them), so
 * that a first round can already take an assignment's type from them. */
static void type_literals(struct expr *e)
{
	if (!e)
		return;
	if (e->kind == EXPR_NUMBER)
		e->type = TYPE_LONG;
	else if (e->kind == EXPR_STRING)
		e->type = TYPE_STRING;
	type_literals(e->a);
	type_literals(e->b);
	type_literals(e->c);
	vec_foreach(&e->list, i)
		type_literals(e->list.items[i]);
}

static void type_literals_stmt(struct stmt *s)
{
	if (!s)
		return;
	type_literals(s->expr);
	type_literals(s->init);
	type_literals(s->step);
	type_literals(s->value);
	type_literals(s->array);
	type_literals(s->limit);
	type_literals_stmt(s->body);
	type_literals_stmt(s->other);
	vec_foreach(&s->stmts, i)
		type_literals_stmt(s->stmts.items[i]);
	vec_foreach(&s->keys, i)
		type_literals(s->keys.items[i]);
}

void types_infer(struct elab_state *st)
{
	struct typer ty = {.st = st};
	int errors0 = st->d->errors;
	/* an initialiser types its global (as a declared type would) */
	vec_foreach(&st->e->globals, i) {
		struct symbol *g = st->e->globals.items[i];
		const struct expr *init = g->decl ? g->decl->init : NULL;
		if (!init || g->type != TYPE_UNKNOWN)
			continue;
		g->type = init->kind == EXPR_STRING ? TYPE_STRING : TYPE_LONG;
		if (g->arity < 0 && !g->decl->size && !g->decl->wrap)
			g->arity = 0;
	}
	vec_foreach(&st->e->probes, i) {
		struct eprobe *p = st->e->probes.items[i];
		type_literals_stmt(p->body);
		type_literals(p->cond);
	}
	vec_foreach(&st->e->functions, i)
		type_literals_stmt(((struct efunction *)st->e->functions.items[i])->decl->body);
	/* (the original has no bound; ours guards against a round that never
	 * stops resolving) */
	for (int round = 0; round < 1000; round++) {
		ty_round(&ty);
		if (ty.newly_resolved) {
			ty.complexity = 0;
			continue;
		}
		if (ty.still_unresolved == 0 || ty.asserting)
			break;
		/* converged with problems: once more, saying them */
		ty.asserting = true;
		if (st->d->verbose)
			ty.complexity = 0;
	}
	if (st->d->errors > errors0)
		return;
	vec_foreach(&st->e->probes, i)
		hist_stmt(st, ((struct eprobe *)st->e->probes.items[i])->body);
	vec_foreach(&st->e->functions, i)
		hist_stmt(st, ((struct efunction *)st->e->functions.items[i])->decl->body);
}

/* ---- arity and printf arguments, checked with symbol resolution (before
 * the optimizer and types) ---- */

static void check_format_args(struct typer *ty, const struct expr *e)
{
	const char *n = e->str;
	if (n[strlen(n) - 1] != 'f' || !e->list.len)
		return;
	const struct expr *f = e->list.items[0];
	struct fmt fmt;
	const char *err;
	if (f->kind != EXPR_STRING || fmt_parse(f->str, &fmt, &err) != 0)
		return;
	if (fmt.nargs != e->list.len - 1)
		diag_semantic(ty->st->d, NULL, e->tok,
			      "Wrong number of args to formatted print operator");
	fmt_free(&fmt);
}

static void arity_expr(struct typer *ty, const struct expr *e)
{
	if (!e)
		return;
	if (e->kind == EXPR_SYMBOL && e->sym && e->sym->kind == SYM_GLOBAL)
		set_arity(ty, e->sym, 0, e->tok);
	else if ((e->kind == EXPR_INDEX || e->kind == EXPR_IN) && e->sym &&
		 e->a->kind == EXPR_SYMBOL)
		set_arity(ty, e->sym, (int)e->list.len, e->a->tok);
	else if (e->kind == EXPR_PRINT)
		check_format_args(ty, e);
	if (e->kind != EXPR_INDEX && e->kind != EXPR_IN)
		arity_expr(ty, e->a);
	arity_expr(ty, e->b);
	arity_expr(ty, e->c);
	vec_foreach(&e->list, i)
		arity_expr(ty, e->list.items[i]);
}

static void arity_stmt(struct typer *ty, const struct stmt *s)
{
	if (!s)
		return;
	if (s->kind == STMT_FOREACH) {
		const struct expr *arr = s->array;
		if (arr->kind == EXPR_SYMBOL && arr->sym)
			set_arity(ty, arr->sym, (int)s->keys.len, arr->tok);
		else
			arity_expr(ty, arr);
		arity_expr(ty, s->limit);
	} else if (s->kind == STMT_DELETE) {
		if (s->expr->kind != EXPR_SYMBOL)
			arity_expr(ty, s->expr);
	} else {
		arity_expr(ty, s->expr);
		arity_expr(ty, s->init);
		arity_expr(ty, s->step);
	}
	arity_stmt(ty, s->body);
	arity_stmt(ty, s->other);
	vec_foreach(&s->stmts, i)
		arity_stmt(ty, s->stmts.items[i]);
}

void types_check_arity(struct elab_state *st)
{
	struct typer ty = {.st = st};
	vec_foreach(&st->e->probes, i) {
		const struct eprobe *p = st->e->probes.items[i];
		arity_stmt(&ty, p->body);
		arity_expr(&ty, p->cond);
	}
	vec_foreach(&st->e->functions, i)
		arity_stmt(&ty, ((const struct efunction *)st->e->functions.items[i])->decl->body);
}
