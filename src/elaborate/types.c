/*
 * Type inference: long, string or statistics for every expression, symbol,
 * array key and function, propagated in both directions (an assignment
 * types its target from its value and the value from the target) and
 * repeated over the whole program until nothing changes.  Conflicts are
 * reported in the original's words: "type mismatch (string)" with "type
 * was first inferred here (long)", "inconsistent arity", "expected long but
 * found string".
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* An "expected X but found Y" conflict, reported at the end. */
struct expected {
	const struct token *tok;
	enum vtype want, got;
};

struct typer {
	struct elab_state *st;
	bool changed;
	struct efunction *fn; /* the function being typed */
	bool had_mismatch;    /* a "type mismatch (T)" was reported */
	struct vec expected;  /* of struct expected, this round's */
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

static void mismatch(struct typer *ty, const struct token *tok, enum vtype t,
		     const struct token *first, enum vtype was)
{
	ty->had_mismatch = true;
	if (diag_semantic(ty->st->d, "type mismatch", tok, "type mismatch (%s)", vtype_name(t)) &&
	    first)
		diag_semantic_part(ty->st->d, true, true, first,
				   "type was first inferred here (%s)", vtype_name(was));
}

static void set_type(struct typer *ty, enum vtype *slot, const struct token **slot_tok,
		     enum vtype t, const struct token *tok)
{
	if (t == TYPE_UNKNOWN)
		return;
	if (*slot == TYPE_UNKNOWN) {
		*slot = t;
		*slot_tok = tok;
		ty->changed = true;
	} else if (*slot != t) {
		mismatch(ty, tok, t, *slot_tok, *slot);
	}
}

static void set_arity(struct typer *ty, struct symbol *sym, int arity, const struct token *tok)
{
	if (sym->arity < 0 && !(arity == 0 && sym->decl && (sym->decl->size || sym->decl->wrap))) {
		sym->arity = arity;
		sym->arity_tok = tok;
		ty->changed = true;
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

/* The original reports these only when no "type mismatch (T)" error was
 * reported at all; so they wait for the end of the last round. */
static void expect(struct typer *ty, const struct expr *e, enum vtype want, enum vtype got)
{
	if (want == TYPE_UNKNOWN || got == TYPE_UNKNOWN || want == got)
		return;
	struct expected *x = arena_alloc(ty->st->a, sizeof(*x));
	x->tok = e->tok;
	x->want = want;
	x->got = got;
	vec_push_arena(ty->st->a, &ty->expected, x);
}

static enum vtype ty_expr(struct typer *ty, struct expr *e, enum vtype want);

static void ty_keys(struct typer *ty, struct symbol *sym, struct vec *keys)
{
	vec_foreach(keys, i) {
		struct expr *k = keys->items[i];
		if (k->kind == EXPR_WILDCARD)
			continue;
		if (!sym || i >= ELAB_MAX_KEYS) {
			ty_expr(ty, k, TYPE_UNKNOWN);
			continue;
		}
		enum vtype t = ty_expr(ty, k, TYPE_UNKNOWN);
		if (t == TYPE_UNKNOWN && sym->keys[i] != TYPE_UNKNOWN)
			t = ty_expr(ty, k, sym->keys[i]);
		if (t != TYPE_UNKNOWN && sym->keys[i] != TYPE_UNKNOWN && t != sym->keys[i]) {
			if (diag_semantic(ty->st->d, "type mismatch", k->tok,
					  "index %zu type mismatch (%s)", i, vtype_name(t)))
				/* the original names the type of the first key here,
				 * whichever key it is about */
				diag_semantic_part(ty->st->d, true, true, sym->key_tok[i],
						   "type of index %zu was first inferred here (%s)",
						   i, vtype_name(sym->keys[0]));
		} else {
			set_type(ty, &sym->keys[i], &sym->key_tok[i], t, k->tok);
		}
	}
}

/* A symbol used as a value of type want. */
static enum vtype ty_symbol(struct typer *ty, struct expr *e, enum vtype want)
{
	struct symbol *sym = e->sym;
	if (!sym)
		return TYPE_UNKNOWN;
	if (sym->kind == SYM_GLOBAL)
		set_arity(ty, sym, 0, e->tok);
	if (want != TYPE_UNKNOWN && sym->type != TYPE_UNKNOWN && want != sym->type) {
		/* against an initialiser's type the original words it like a
		 * declared type */
		if (sym->decl && sym->decl->init && sym->type_tok == sym->decl->init->tok)
			expect(ty, e, want, sym->type);
		else
			mismatch(ty, e->tok, want, sym->type_tok, sym->type);
		return sym->type;
	}
	set_type(ty, &sym->type, &sym->type_tok, want, e->tok);
	return sym->type;
}

static void note_hist(struct typer *ty, struct expr *h)
{
	struct expr *base = h->a;
	struct symbol *sym = base ? base->sym : NULL;
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
		diag_semantic(ty->st->d, NULL, h->tok,
			      "multiple histogram types declared on '__global_%s'", sym->name);
	}
}

/* The operand of @count(...), @hist_log(...): a statistic or an element. */
static void ty_stat_operand(struct typer *ty, struct expr *e)
{
	if (e->kind == EXPR_SYMBOL || e->kind == EXPR_INDEX)
		ty_expr(ty, e, TYPE_STATS);
	else
		expect(ty, e, TYPE_STATS, ty_expr(ty, e, TYPE_UNKNOWN));
}

static void ty_printf(struct typer *ty, struct expr *e)
{
	struct expr *f = e->list.items[0];
	struct fmt fmt;
	const char *err;
	ty_expr(ty, f, TYPE_STRING);
	if (fmt_parse(f->str, &fmt, &err) != 0) {
		for (size_t i = 1; i < e->list.len; i++)
			ty_expr(ty, e->list.items[i], TYPE_UNKNOWN);
		return;
	}
	if (fmt.nargs != e->list.len - 1) {
		diag_semantic(ty->st->d, NULL, e->tok,
			      "Wrong number of args to formatted print operator");
		fmt_free(&fmt);
		return;
	}
	size_t arg = 1;
	for (size_t i = 0; i < fmt.n; i++) {
		const struct fmt_piece *p = &fmt.pieces[i];
		if (p->kind != FMT_CONV)
			continue;
		if (p->width_star)
			expect(ty, e->list.items[arg], TYPE_LONG,
			       ty_expr(ty, e->list.items[arg], TYPE_LONG)),
				arg++;
		if (p->precision_star)
			expect(ty, e->list.items[arg], TYPE_LONG,
			       ty_expr(ty, e->list.items[arg], TYPE_LONG)),
				arg++;
		enum vtype want = p->type == FMT_STRING ? TYPE_STRING : TYPE_LONG;
		struct expr *a = e->list.items[arg++];
		expect(ty, a, want, ty_expr(ty, a, want));
	}
	fmt_free(&fmt);
}

static enum vtype ty_expr(struct typer *ty, struct expr *e, enum vtype want)
{
	if (!e)
		return TYPE_UNKNOWN;
	enum vtype t = TYPE_UNKNOWN;
	switch (e->kind) {
	case EXPR_NUMBER:
	case EXPR_DEFINED:
		t = TYPE_LONG;
		break;
	case EXPR_STRING:
		t = TYPE_STRING;
		break;
	case EXPR_CONTEXT:
		t = e->cv->type;
		break;
	case EXPR_EMBEDDED:
		t = want != TYPE_UNKNOWN ? want : TYPE_LONG;
		break;
	case EXPR_SYMBOL:
		e->type = ty_symbol(ty, e, want);
		return e->type;
	case EXPR_INDEX:
		if (e->a->kind == EXPR_HIST) {
			ty_expr(ty, e->a, TYPE_UNKNOWN);
			vec_foreach(&e->list, i)
				ty_expr(ty, e->list.items[i], TYPE_LONG);
			t = TYPE_LONG;
			break;
		}
		if (!e->sym) {
			ty_keys(ty, NULL, &e->list);
			break;
		}
		set_arity(ty, e->sym, (int)e->list.len, e->a->tok);
		ty_keys(ty, e->sym, &e->list);
		if (want != TYPE_UNKNOWN && e->sym->type != TYPE_UNKNOWN && want != e->sym->type)
			mismatch(ty, e->a->tok, want, e->sym->type_tok, e->sym->type);
		else
			set_type(ty, &e->sym->type, &e->sym->type_tok, want, e->a->tok);
		e->type = e->sym->type;
		return e->type;
	case EXPR_IN:
		if (e->sym) {
			set_arity(ty, e->sym, (int)e->list.len, e->a->tok);
			ty_keys(ty, e->sym, &e->list);
		}
		t = TYPE_LONG;
		break;
	case EXPR_BINARY:
	case EXPR_LOGICAL:
		ty_expr(ty, e->a, TYPE_LONG);
		ty_expr(ty, e->b, TYPE_LONG);
		t = TYPE_LONG;
		break;
	case EXPR_UNARY:
	case EXPR_PREINC:
	case EXPR_POSTINC:
		ty_expr(ty, e->a, TYPE_LONG);
		t = TYPE_LONG;
		break;
	case EXPR_COMPARE: {
		enum vtype ta = ty_expr(ty, e->a, TYPE_UNKNOWN);
		enum vtype tb = ty_expr(ty, e->b, ta);
		if (ta == TYPE_UNKNOWN && tb != TYPE_UNKNOWN)
			ta = ty_expr(ty, e->a, tb);
		if (ta != TYPE_UNKNOWN && tb != TYPE_UNKNOWN && ta != tb)
			expect(ty, e->b, ta, tb);
		t = TYPE_LONG;
		break;
	}
	case EXPR_CONCAT:
		ty_expr(ty, e->a, TYPE_STRING);
		ty_expr(ty, e->b, TYPE_STRING);
		t = TYPE_STRING;
		break;
	case EXPR_REGEX:
		ty_expr(ty, e->a, TYPE_STRING);
		ty_expr(ty, e->b, TYPE_STRING);
		t = TYPE_LONG;
		break;
	case EXPR_TERNARY: {
		ty_expr(ty, e->a, TYPE_LONG);
		enum vtype tb = ty_expr(ty, e->b, want);
		enum vtype tc = ty_expr(ty, e->c, tb != TYPE_UNKNOWN ? tb : want);
		if (tb == TYPE_UNKNOWN && tc != TYPE_UNKNOWN)
			tb = ty_expr(ty, e->b, tc);
		if (tb != TYPE_UNKNOWN && tc != TYPE_UNKNOWN && tb != tc)
			expect(ty, e->c, tb, tc);
		t = tb != TYPE_UNKNOWN ? tb : tc;
		break;
	}
	case EXPR_ASSIGN: {
		const char *op = e->op;
		if (strcmp(op, "<<<") == 0) {
			ty_expr(ty, e->a, TYPE_STATS);
			ty_expr(ty, e->b, TYPE_LONG);
			t = TYPE_LONG;
		} else if (strcmp(op, "=") == 0) {
			/* the value first: a conflict is the target's "type mismatch" */
			enum vtype tb = ty_expr(ty, e->b, TYPE_UNKNOWN);
			enum vtype ta = ty_expr(ty, e->a, tb != TYPE_UNKNOWN ? tb : want);
			if (tb == TYPE_UNKNOWN && ta != TYPE_UNKNOWN)
				tb = ty_expr(ty, e->b, ta);
			if (tb == TYPE_STATS || ta == TYPE_STATS)
				diag_semantic(ty->st->d, NULL, e->tok,
					      "type mismatch: expected %s but found stats",
					      ta == TYPE_STATS ? "long" : vtype_name(ta));
			t = ta;
		} else if (strcmp(op, ".=") == 0) {
			ty_expr(ty, e->a, TYPE_STRING);
			ty_expr(ty, e->b, TYPE_STRING);
			t = TYPE_STRING;
		} else {
			ty_expr(ty, e->a, TYPE_LONG);
			ty_expr(ty, e->b, TYPE_LONG);
			t = TYPE_LONG;
		}
		break;
	}
	case EXPR_CALL: {
		struct efunction *f = e->func;
		vec_foreach(&e->list, i) {
			struct expr *a = e->list.items[i];
			if (!f || i >= f->params.len) {
				ty_expr(ty, a, TYPE_UNKNOWN);
				continue;
			}
			struct symbol *p = f->params.items[i];
			enum vtype ta = ty_expr(ty, a, TYPE_UNKNOWN);
			if (ta == TYPE_UNKNOWN && p->type != TYPE_UNKNOWN)
				ta = ty_expr(ty, a, p->type);
			if (ta != TYPE_UNKNOWN && p->type != TYPE_UNKNOWN && ta != p->type) {
				if (p->type_tok && p->type_tok == p->tok)
					expect(ty, a, ta, p->type);
				else if (diag_semantic(ty->st->d, "type mismatch", a->tok,
						       "index %zu type mismatch (%s)", i,
						       vtype_name(ta)))
					diag_semantic_part(
						ty->st->d, true, true, p->type_tok,
						"type of index %zu was first inferred here (%s)", i,
						vtype_name(p->type));
			} else {
				set_type(ty, &p->type, &p->type_tok, ta, a->tok);
			}
		}
		for (struct efunction *o = f ? f->overload_next : NULL; o; o = o->overload_next) {
			vec_foreach(&e->list, i) {
				struct expr *a = e->list.items[i];
				if (i < o->params.len && a->type != TYPE_UNKNOWN) {
					struct symbol *p = o->params.items[i];
					set_type(ty, &p->type, &p->type_tok, (enum vtype)a->type,
						 a->tok);
				}
			}
			if (o->decl->body && want != TYPE_UNKNOWN)
				set_type(ty, &o->type, &o->type_tok, want, e->tok);
		}
		if (f) {
			if (f->decl->body && want != TYPE_UNKNOWN)
				set_type(ty, &f->type, &f->type_tok, want, e->tok);
			t = f->type;
		}
		break;
	}
	case EXPR_PRINT: {
		const char *n = e->str;
		bool formatted = n[strlen(n) - 1] == 'f';
		if (formatted && e->list.len) {
			ty_printf(ty, e);
		} else {
			vec_foreach(&e->list, i) {
				struct expr *a = e->list.items[i];
				if (a->kind == EXPR_HIST)
					ty_expr(ty, a, TYPE_UNKNOWN);
				else if (strstr(n, "printd") && i == 0)
					ty_expr(ty, a, TYPE_STRING);
				else
					ty_expr(ty, a, TYPE_UNKNOWN);
			}
		}
		t = n[0] == 's' ? TYPE_STRING : TYPE_LONG; /* print's value is a long */
		break;
	}
	case EXPR_STAT:
		ty_stat_operand(ty, e->a);
		t = TYPE_LONG;
		break;
	case EXPR_HIST:
		ty_stat_operand(ty, e->a);
		if (e->a->sym)
			note_hist(ty, e);
		t = TYPE_UNKNOWN;
		break;
	default:
		break;
	}
	e->type = t;
	expect(ty, e, want, t);
	return t;
}

static void ty_stmt(struct typer *ty, struct stmt *s)
{
	if (!s)
		return;
	switch (s->kind) {
	case STMT_BLOCK:
		vec_foreach(&s->stmts, i)
			ty_stmt(ty, s->stmts.items[i]);
		return;
	case STMT_EXPR:
		ty_expr(ty, s->expr, TYPE_UNKNOWN);
		return;
	case STMT_IF:
		ty_expr(ty, s->expr, TYPE_LONG);
		ty_stmt(ty, s->body);
		ty_stmt(ty, s->other);
		return;
	case STMT_FOR:
		ty_expr(ty, s->init, TYPE_UNKNOWN);
		if (s->expr)
			ty_expr(ty, s->expr, TYPE_LONG);
		ty_expr(ty, s->step, TYPE_UNKNOWN);
		ty_stmt(ty, s->body);
		return;
	case STMT_FOREACH: {
		struct expr *arr = s->array;
		struct symbol *sym = NULL;
		if (arr->kind == EXPR_INDEX) {
			sym = arr->sym;
			if (sym) {
				set_arity(ty, sym, (int)arr->list.len, arr->a->tok);
				ty_keys(ty, sym, &arr->list);
			}
		} else if (arr->kind == EXPR_SYMBOL) {
			sym = arr->sym;
		} else {
			ty_expr(ty, arr, TYPE_UNKNOWN);
			/* the buckets of a histogram are numbered */
			vec_foreach(&s->keys, i)
				ty_expr(ty, s->keys.items[i], TYPE_LONG);
		}
		if (sym) {
			set_arity(ty, sym, (int)s->keys.len, arr->tok);
			vec_foreach(&s->keys, i) {
				struct expr *k = s->keys.items[i];
				if (i >= ELAB_MAX_KEYS || !k->sym)
					continue;
				enum vtype tk = ty_expr(ty, k, sym->keys[i]);
				set_type(ty, &sym->keys[i], &sym->key_tok[i], tk, k->tok);
			}
			if (s->value && s->value->sym) {
				if (sym->type == TYPE_STATS)
					diag_semantic(ty->st->d, NULL, s->value->tok,
						      "invalid type stats");
				else
					ty_expr(ty, s->value, sym->type);
				if (sym->type == TYPE_UNKNOWN &&
				    s->value->sym->type != TYPE_UNKNOWN)
					set_type(ty, &sym->type, &sym->type_tok,
						 s->value->sym->type, s->value->tok);
			}
			if (s->sort_aggr && sym->type != TYPE_UNKNOWN && sym->type != TYPE_STATS)
				diag_semantic(ty->st->d, NULL, arr->tok, "invalid type %s",
					      vtype_name(sym->type));
		}
		if (s->limit)
			ty_expr(ty, s->limit, TYPE_LONG);
		ty_stmt(ty, s->body);
		return;
	}
	case STMT_RETURN:
		if (!ty->fn)
			return;
		if (s->expr) {
			enum vtype want = ty->fn->type;
			enum vtype t = ty_expr(ty, s->expr, TYPE_UNKNOWN);
			if (want != TYPE_UNKNOWN && t != TYPE_UNKNOWN && t != want) {
				if (ty->fn->decl->type)
					expect(ty, s->expr, t, want);
				else
					mismatch(ty, s->expr->tok, t, ty->fn->type_tok, want);
			} else {
				if (want != TYPE_UNKNOWN)
					ty_expr(ty, s->expr, want);
				set_type(ty, &ty->fn->type, &ty->fn->type_tok, t, s->expr->tok);
			}
		} else if (ty->fn->type == TYPE_UNKNOWN) {
			set_type(ty, &ty->fn->type, &ty->fn->type_tok, TYPE_LONG, s->tok);
		}
		return;
	case STMT_DELETE:
		if (s->expr->kind == EXPR_INDEX && s->expr->sym) {
			set_arity(ty, s->expr->sym, (int)s->expr->list.len, s->expr->a->tok);
			ty_keys(ty, s->expr->sym, &s->expr->list);
		}
		return;
	case STMT_TRY:
		ty_stmt(ty, s->body);
		if (s->value)
			ty_expr(ty, s->value, TYPE_STRING);
		ty_stmt(ty, s->other);
		return;
	default:
		return;
	}
}

static void check_symbols(struct typer *ty, struct vec *syms)
{
	vec_foreach(syms, i) {
		struct symbol *sym = syms->items[i];
		if (sym->type == TYPE_STATS && sym->kind != SYM_GLOBAL)
			diag_semantic(ty->st->d, NULL, sym->tok,
				      "stat locals not supported, missing global declaration? ");
		else if (sym->type == TYPE_UNKNOWN)
			/* the original's checker reports it on four passes over the
			 * program; the repeats show as "similar messages suppressed" */
			for (int k = 0; k < 4; k++)
				diag_semantic(ty->st->d, "unresolved type",
					      sym->use_tok ? sym->use_tok : sym->tok,
					      "unresolved type ");
		for (int k = 0; k < sym->arity && k < ELAB_MAX_KEYS; k++)
			if (sym->keys[k] == TYPE_UNKNOWN)
				diag_semantic(ty->st->d, "unresolved type", sym->tok,
					      "unresolved type ");
	}
}

void types_infer(struct elab_state *st)
{
	struct typer ty = {.st = st};
	int errors0 = st->d->errors;
	/* an initialiser types its global */
	vec_foreach(&st->e->globals, i) {
		struct symbol *g = st->e->globals.items[i];
		const struct expr *init = g->decl ? g->decl->init : NULL;
		if (!init || g->type != TYPE_UNKNOWN)
			continue;
		g->type = init->kind == EXPR_STRING ? TYPE_STRING : TYPE_LONG;
		g->type_tok = init->tok;
		if (g->arity < 0 && !g->decl->size && !g->decl->wrap)
			g->arity = 0;
	}
	for (int round = 0; round < 50; round++) {
		ty.changed = false;
		ty.expected = (struct vec){0};
		vec_foreach(&st->e->probes, i) {
			struct eprobe *p = st->e->probes.items[i];
			ty.fn = NULL;
			ty_stmt(&ty, p->body);
			if (p->cond)
				ty_expr(&ty, p->cond, TYPE_LONG);
		}
		vec_foreach(&st->e->functions, i) {
			struct efunction *f = st->e->functions.items[i];
			ty.fn = f;
			ty_stmt(&ty, f->decl->body);
		}
		if (!ty.changed || st->d->errors > errors0)
			break;
	}
	if (!ty.had_mismatch)
		vec_foreach(&ty.expected, i) {
			const struct expected *x = ty.expected.items[i];
			diag_semantic(st->d, "expected type", x->tok,
				      "type mismatch: expected %s but found %s",
				      vtype_name(x->want), vtype_name(x->got));
		}
	if (st->d->errors > errors0)
		return;
	vec_foreach(&st->e->probes, i) {
		struct eprobe *p = st->e->probes.items[i];
		check_symbols(&ty, &p->locals);
	}
	vec_foreach(&st->e->functions, i) {
		struct efunction *f = st->e->functions.items[i];
		check_symbols(&ty, &f->locals);
		check_symbols(&ty, &f->params);
	}
	check_symbols(&ty, &st->e->globals);
}

/* ---- arity, checked with symbol resolution (before types) ---- */

static void arity_expr(struct typer *ty, const struct expr *e)
{
	if (!e)
		return;
	if (e->kind == EXPR_SYMBOL && e->sym && e->sym->kind == SYM_GLOBAL)
		set_arity(ty, e->sym, 0, e->tok);
	else if ((e->kind == EXPR_INDEX || e->kind == EXPR_IN) && e->sym &&
		 e->a->kind == EXPR_SYMBOL)
		set_arity(ty, e->sym, (int)e->list.len, e->a->tok);
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
