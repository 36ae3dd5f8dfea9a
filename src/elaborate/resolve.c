/*
 * Symbol resolution and the pass-2 driver.  Every name in a probe or
 * function body is bound to a struct symbol: a parameter, a local of the
 * body (created at its first use), or a global of the script or of a tapset
 * file (pulled in on first use).  Calls bind to a function definition of
 * the script or the library by name and number of arguments; the functions
 * reached are resolved in turn.  Whether each global is read or written is
 * noted on the way, for the display of unread globals at exit.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- deep copies: each derived probe annotates its own tree ---- */

struct expr *copy_expr(struct arena *a, const struct expr *e)
{
	if (!e)
		return NULL;
	struct expr *c = arena_alloc(a, sizeof(*c));
	*c = *e;
	c->a = copy_expr(a, e->a);
	c->b = copy_expr(a, e->b);
	c->c = copy_expr(a, e->c);
	c->list = (struct vec){0};
	vec_foreach(&e->list, i)
		vec_push_arena(a, &c->list, copy_expr(a, e->list.items[i]));
	c->comps = (struct vec){0};
	vec_foreach(&e->comps, i) {
		const struct component *oc = e->comps.items[i];
		struct component *nc = arena_alloc(a, sizeof(*nc));
		*nc = *oc;
		nc->index = copy_expr(a, oc->index);
		vec_push_arena(a, &c->comps, nc);
	}
	return c;
}

struct stmt *copy_stmt(struct arena *a, const struct stmt *s)
{
	if (!s)
		return NULL;
	struct stmt *c = arena_alloc(a, sizeof(*c));
	*c = *s;
	c->expr = copy_expr(a, s->expr);
	c->body = copy_stmt(a, s->body);
	c->other = copy_stmt(a, s->other);
	c->init = copy_expr(a, s->init);
	c->step = copy_expr(a, s->step);
	c->value = copy_expr(a, s->value);
	c->array = copy_expr(a, s->array);
	c->limit = copy_expr(a, s->limit);
	c->stmts = (struct vec){0};
	vec_foreach(&s->stmts, i)
		vec_push_arena(a, &c->stmts, copy_stmt(a, s->stmts.items[i]));
	c->keys = (struct vec){0};
	vec_foreach(&s->keys, i)
		vec_push_arena(a, &c->keys, copy_expr(a, s->keys.items[i]));
	return c;
}

/* ---- symbols ---- */

static struct symbol *new_symbol(struct elab_state *st, const char *name, enum sym_kind kind,
				 const struct token *tok)
{
	struct symbol *sym = arena_alloc(st->a, sizeof(*sym));
	sym->name = name;
	sym->kind = kind;
	sym->tok = tok;
	sym->arity = kind == SYM_GLOBAL ? -1 : 0;
	return sym;
}

static struct symbol *find_in(struct vec *v, const char *name)
{
	if (!v)
		return NULL;
	vec_foreach(v, i) {
		struct symbol *s = v->items[i];
		if (strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

static struct symbol *use_gdef(struct elab_state *st, struct gdef *g)
{
	if (!g->sym) {
		struct symbol *sym = new_symbol(st, g->decl->name, SYM_GLOBAL, g->decl->tok);
		sym->decl = g->decl;
		sym->from_tapset = g->from_tapset;
		if (g->decl->size || g->decl->wrap) {
			sym->arity = -1;
			sym->arity_tok = g->decl->tok;
		}
		sym->index = (int)st->e->globals.len;
		g->sym = sym;
		vec_push_arena(st->a, &st->e->globals, sym);
	}
	return g->sym;
}

static struct symbol *find_global(struct elab_state *st, const char *name, const struct token *use)
{
	for (int round = 0; round < 2; round++) {
		vec_foreach(&st->gdefs, i) {
			struct gdef *g = st->gdefs.items[i];
			if (strcmp(g->decl->name, name) == 0) {
				struct symbol *sym = use_gdef(st, g);
				if (!sym->use_tok)
					sym->use_tok = use;
				return sym;
			}
		}
		if (!tapset_pull_for(st, 'g', name))
			break;
	}
	return NULL;
}

/* A scalar name: parameter, local, global, or a new local. */
static struct symbol *resolve_scalar(struct elab_state *st, const struct expr *e)
{
	struct symbol *sym = find_in(st->params, e->str);
	if (!sym)
		sym = find_in(st->locals, e->str);
	if (!sym)
		sym = find_global(st, e->str, e->tok);
	if (!sym) {
		sym = new_symbol(st, e->str, SYM_LOCAL, e->tok);
		vec_push_arena(st->a, st->locals, sym);
	}
	return sym;
}

/* An array name: only globals can be arrays. */
static struct symbol *resolve_array(struct elab_state *st, struct expr *e, size_t arity)
{
	struct symbol *sym = find_in(st->params, e->str);
	if (!sym)
		sym = find_in(st->locals, e->str);
	if (!sym)
		sym = find_global(st, e->str, e->tok);
	if (sym && sym->kind == SYM_LOCAL) {
		/* a scalar local (or parameter) used as an array */
		if (diag_semantic(st->d, "inconsistent arity", e->tok,
				  "inconsistent arity (0 vs %zu)", arity))
			diag_semantic_part(st->d, true, true, sym->tok,
					   "arity 0 first inferred here");
		return NULL;
	}
	if (!sym || sym->kind != SYM_GLOBAL) {
		diag_semantic(st->d, "unresolved arity global array", e->tok,
			      "unresolved arity-%zu global array %s, missing global declaration?",
			      arity, e->str);
		return NULL;
	}
	e->sym = sym;
	return sym;
}

/* ---- functions ---- */

static struct efunction *use_fdef(struct elab_state *st, struct fdef *fd)
{
	if (fd->ef)
		return fd->ef;
	struct efunction *ef = arena_alloc(st->a, sizeof(*ef));
	ef->name = fd->decl->name;
	ef->decl = fd->decl;
	ef->file = fd->file;
	ef->used = true;
	if (fd->decl->type) {
		ef->type = strcmp(fd->decl->type, "string") == 0 ? TYPE_STRING : TYPE_LONG;
		ef->type_tok = fd->decl->tok;
	}
	vec_foreach(&fd->decl->params, i) {
		const struct param *pa = fd->decl->params.items[i];
		struct symbol *sym = new_symbol(st, pa->name, SYM_PARAM, pa->tok);
		if (pa->type) {
			sym->type = strcmp(pa->type, "string") == 0 ? TYPE_STRING : TYPE_LONG;
			sym->type_tok = pa->tok;
		}
		vec_push_arena(st->a, &ef->params, sym);
	}
	if (fd->decl->code && strstr(fd->decl->code->text, "/* pure */"))
		ef->pure = true;
	fd->ef = ef;
	vec_foreach(&st->funcs, i) {
		const struct fdef *o = st->funcs.items[i];
		if (o == fd)
			break;
		if (strcmp(o->decl->name, fd->decl->name) == 0)
			ef->overload_index++;
	}
	vec_push_arena(st->a, &st->queue, ef);
	return ef;
}

/* The later definitions of the same name and arity: `next` in one passes
 * the call to the following one. */
static bool has_next(const struct stmt *s)
{
	if (!s)
		return false;
	if (s->kind == STMT_NEXT)
		return true;
	vec_foreach(&s->stmts, i)
		if (has_next(s->stmts.items[i]))
			return true;
	return has_next(s->body) || has_next(s->other);
}

static void chain_overloads(struct elab_state *st, struct fdef *first, size_t at)
{
	struct efunction *prev = first->ef;
	if (prev->overload_next || !has_next(prev->decl->body))
		return;
	for (size_t i = at + 1; i < st->funcs.len; i++) {
		struct fdef *fd = st->funcs.items[i];
		if (strcmp(fd->decl->name, first->decl->name) != 0 ||
		    fd->decl->params.len != first->decl->params.len)
			continue;
		if (!has_next(prev->decl->body))
			break;
		prev->overload_next = use_fdef(st, fd);
		prev = prev->overload_next;
	}
}

static void resolve_call(struct elab_state *st, struct expr *e)
{
	struct fdef *other = NULL;
	for (int round = 0; round < 2; round++) {
		vec_foreach(&st->funcs, i) {
			struct fdef *fd = st->funcs.items[i];
			if (strcmp(fd->decl->name, e->str) != 0)
				continue;
			if (fd->decl->params.len == e->list.len) {
				e->func = use_fdef(st, fd);
				chain_overloads(st, fd, i);
				return;
			}
			other = fd;
		}
		if (other || !tapset_pull_for(st, 'f', e->str))
			break;
	}
	if (other) {
		if (diag_semantic_open(st->d, NULL, e->tok,
				       "arity mismatch found (function '%s' takes %zu args)",
				       e->str, other->decl->params.len))
			diag_semantic_part(st->d, false, true, other->decl->tok, NULL);
		return;
	}
	diag_semantic(st->d, "unresolved function", e->tok, "unresolved function %s", e->str);
}

/* ---- bodies ---- */

static void res_expr(struct elab_state *st, struct expr *e);

static void res_list(struct elab_state *st, struct vec *v)
{
	vec_foreach(v, i)
		res_expr(st, v->items[i]);
}

/* The target of an assignment, ++/--, <<< or delete. */
static void res_lvalue(struct elab_state *st, struct expr *e, bool also_read)
{
	if (e->kind != EXPR_SYMBOL && e->kind != EXPR_INDEX && e->kind != EXPR_TARGET &&
	    e->kind != EXPR_CAST && e->kind != EXPR_ATVAR && e->kind != EXPR_AUTOCAST &&
	    e->kind != EXPR_EMBEDDED && st->assign_tok) {
		if (diag_semantic_open(st->d, NULL, st->assign_tok,
				       "Expecting lvalue for assignment"))
			diag_semantic_part(st->d, false, true, e->tok, NULL);
		res_expr(st, e);
		return;
	}
	if (e->kind == EXPR_TARGET && st->probe && st->probe->kind == PROBE_KFUNC) {
		diag_semantic(st->d, NULL, e->tok,
			      "writing a kernel function's parameters is not supported");
		return;
	}
	if (e->kind == EXPR_TARGET && st->probe && st->probe->kind == PROBE_TRACEPOINT) {
		diag_semantic(st->d, NULL, e->tok, "tracepoint variables cannot be modified");
		return;
	}
	if (e->kind == EXPR_TARGET && st->probe &&
	    (st->probe->kind == PROBE_UPROBE || st->probe->kind == PROBE_USDT ||
	     st->probe->kind == PROBE_PROCESS)) {
		diag_semantic(st->d, NULL, e->tok,
			      "user-space context variables cannot be modified yet");
		return;
	}
	if (e->kind == EXPR_CAST) {
		diag_semantic(st->d, NULL, e->tok, "writing kernel memory is not supported");
		return;
	}
	if (e->kind == EXPR_SYMBOL) {
		e->sym = resolve_scalar(st, e);
		e->sym->written = true;
		if (also_read)
			e->sym->read = true;
	} else if (e->kind == EXPR_INDEX && e->a->kind == EXPR_SYMBOL) {
		struct symbol *sym = resolve_array(st, e->a, e->list.len);
		if (sym) {
			e->sym = sym;
			sym->written = true;
		}
		res_list(st, &e->list);
	} else {
		res_expr(st, e);
	}
}

/* The array an index or `in` reads (or a histogram's statistic). */
static void res_array_read(struct elab_state *st, struct expr *e)
{
	if (e->a->kind != EXPR_SYMBOL) {
		res_expr(st, e->a);
		return;
	}
	struct symbol *sym = resolve_array(st, e->a, e->list.len);
	if (sym) {
		e->sym = sym;
		sym->read = true;
	}
}

/* @defined(x): 1 or 0; -1 when e is not a @defined. */
static int defined_value(const struct elab_state *st, const struct expr *e)
{
	if (!e || e->kind != EXPR_DEFINED)
		return -1;
	const struct expr *x = e->a;
	if (!x)
		return 0;
	int cv = context_defined(st, x);
	if (cv >= 0)
		return cv;
	switch (x->kind) {
	case EXPR_TARGET:
	case EXPR_CAST:
	case EXPR_ATVAR:
	case EXPR_AUTOCAST:
	case EXPR_ENTRY:
	case EXPR_PERF:
		return 0;
	default:
		return 1;
	}
}

static void res_expr(struct elab_state *st, struct expr *e)
{
	if (!e)
		return;
	switch (e->kind) {
	case EXPR_NUMBER:
	case EXPR_STRING:
	case EXPR_EMBEDDED:
	case EXPR_WILDCARD:
	case EXPR_PERF:
		return;
	case EXPR_SYMBOL:
		e->sym = resolve_scalar(st, e);
		e->sym->read = true;
		return;
	case EXPR_CONTEXT:
		return;
	case EXPR_CAST:
		res_expr(st, e->a);
		context_resolve_cast(st, e);
		return;
	case EXPR_TARGET:
		if (context_resolve_target(st, e)) {
			if (e->kind == EXPR_PRINT || e->kind == EXPR_CALL)
				res_expr(st, e); /* $$vars became a sprintf, $value a call */
			return;
		}
		/* fall through */
	case EXPR_ATVAR:
		if (e->kind == EXPR_ATVAR && dwarf_resolve_atvar(st, e))
			return;
		/* fall through */
	case EXPR_AUTOCAST:
		diag_semantic(st->d, NULL, e->tok, "unresolved target-symbol expression");
		/* the original's type checker then meets it untyped, twice */
		for (int k = 0; k < 2; k++)
			diag_semantic(st->d, "unresolved type", e->tok, "unresolved type ");
		return;
	case EXPR_DEFINED: {
		/* known now: only context variables can be missing, and host
		 * probes have none */
		int v = defined_value(st, e);
		e->kind = EXPR_NUMBER;
		e->num = v;
		e->a = NULL;
		return;
	}
	case EXPR_TERNARY: {
		int v = defined_value(st, e->a);
		if (v < 0) {
			res_expr(st, e->a);
			res_expr(st, e->b);
			res_expr(st, e->c);
			return;
		}
		*e = *(v ? e->b : e->c);
		res_expr(st, e);
		return;
	}
	case EXPR_ENTRY:
		/* entry.c moved those of .return probes to their entry probes */
		if (diag_semantic(st->d, NULL, NULL, "while processing %s", st->scope_name))
			diag_semantic_part(
				st->d, true, true, e->tok,
				"internal error: @entry is only valid in .return probes");
		return;
	case EXPR_ASSIGN:
		if (e->a->kind == EXPR_TARGET && procfs_resolve_value(st, e->a, e)) {
			/* $value = v: now a call, unless refused */
			if (e->kind == EXPR_CALL)
				res_expr(st, e);
			else
				res_expr(st, e->b);
			return;
		}
		st->assign_tok = e->tok;
		res_lvalue(st, e->a, false);
		st->assign_tok = NULL;
		res_expr(st, e->b);
		return;
	case EXPR_PREINC:
	case EXPR_POSTINC:
		res_lvalue(st, e->a, false);
		return;
	case EXPR_INDEX:
		res_array_read(st, e);
		vec_foreach(&e->list, i) {
			struct expr *k = e->list.items[i];
			if (k->kind == EXPR_WILDCARD)
				diag_semantic(st->d, NULL, e->a->tok,
					      "wildcard not allowed in array index");
			else
				res_expr(st, k);
		}
		return;
	case EXPR_IN:
		res_array_read(st, e);
		res_list(st, &e->list);
		return;
	case EXPR_CALL:
		res_list(st, &e->list);
		resolve_call(st, e);
		return;
	case EXPR_PRINT:
		res_list(st, &e->list);
		return;
	case EXPR_STAT:
	case EXPR_HIST:
		res_expr(st, e->a);
		res_list(st, &e->list);
		return;
	default:
		res_expr(st, e->a);
		res_expr(st, e->b);
		res_expr(st, e->c);
		res_list(st, &e->list);
		return;
	}
}

static void res_stmt(struct elab_state *st, struct stmt *s)
{
	if (!s)
		return;
	switch (s->kind) {
	case STMT_BLOCK:
		vec_foreach(&s->stmts, i)
			res_stmt(st, s->stmts.items[i]);
		return;
	case STMT_FOREACH: {
		struct expr *arr = s->array;
		if (arr->kind == EXPR_INDEX) { /* a slice a[k, *] */
			vec_foreach(&arr->list, i) {
				struct expr *k = arr->list.items[i];
				if (k->kind != EXPR_WILDCARD)
					res_expr(st, k);
			}
			arr = arr->a;
		}
		if (arr->kind == EXPR_SYMBOL) {
			struct symbol *sym = resolve_array(st, arr, s->keys.len);
			if (sym)
				sym->read = true;
			if (s->array->kind == EXPR_INDEX)
				s->array->sym = sym;
		} else {
			res_expr(st, arr);
		}
		vec_foreach(&s->keys, i)
			res_lvalue(st, s->keys.items[i], true);
		if (s->value)
			res_lvalue(st, s->value, true);
		res_expr(st, s->limit);
		res_stmt(st, s->body);
		return;
	}
	case STMT_DELETE: {
		struct expr *e = s->expr;
		if (e->kind == EXPR_SYMBOL) {
			e->sym = resolve_scalar(st, e);
			e->sym->written = true;
		} else if (e->kind == EXPR_INDEX && e->a->kind == EXPR_SYMBOL) {
			res_lvalue(st, e, false);
			if (e->sym)
				e->sym->read = true;
		} else {
			diag_semantic(st->d, NULL, e->tok, "invalid operand of delete expression");
		}
		return;
	}
	case STMT_TRY:
		res_stmt(st, s->body);
		if (s->value)
			res_lvalue(st, s->value, true);
		res_stmt(st, s->other);
		return;
	default:
		res_expr(st, s->expr);
		res_expr(st, s->init);
		res_expr(st, s->step);
		res_stmt(st, s->body);
		res_stmt(st, s->other);
		return;
	}
}

/* A probe condition may only read globals. */
static bool check_condition(struct elab_state *st, const struct expr *e)
{
	if (!e)
		return true;
	switch (e->kind) {
	case EXPR_ASSIGN:
	case EXPR_PREINC:
	case EXPR_POSTINC:
		diag_semantic(st->d, NULL, e->tok, "probe condition must not modify any variables");
		return false;
	case EXPR_CALL:
		diag_semantic(st->d, NULL, e->tok, "probe condition must not reference function");
		return false;
	case EXPR_TARGET:
		/* a condition is the probe's switch, read where no context is;
		 * the original raises it twice (one counted as suppressed) */
		diag_semantic(st->d, NULL, e->tok, "unresolved target-symbol expression");
		diag_semantic(st->d, NULL, e->tok, "unresolved target-symbol expression");
		return false;
	case EXPR_ENTRY:
		if (diag_semantic(st->d, NULL, NULL, "while processing %s", st->scope_name))
			diag_semantic_part(
				st->d, true, true, e->tok,
				"internal error: @entry is only valid in .return probes");
		return false;
	case EXPR_SYMBOL:
		if (!find_global(st, e->str, e->tok)) {
			diag_semantic(st->d, NULL, e->tok,
				      "probe condition must not reference undeclared global");
			return false;
		}
		return true;
	default:
		break;
	}
	if (!check_condition(st, e->a) || !check_condition(st, e->b) || !check_condition(st, e->c))
		return false;
	vec_foreach(&e->list, i)
		if (!check_condition(st, e->list.items[i]))
			return false;
	return true;
}

void resolve_probe(struct elab_state *st, struct eprobe *p)
{
	/* the point as written after the derived one, when they differ, as
	 * the original says it */
	st->scope_name = p->from && strcmp(p->from, arena_printf(st->a, " from: %s", p->pp)) != 0
				 ? arena_printf(st->a, "probe %s%s", p->pp, p->from)
				 : arena_printf(st->a, "probe %s", p->pp);
	st->probe = p;
	st->locals = &p->locals;
	st->params = NULL;
	st->in_function = false;
	res_stmt(st, p->body);
	if (p->cond && check_condition(st, p->cond))
		res_expr(st, p->cond);
	st->locals = NULL;
	st->probe = NULL;
}

static int cmp_function_name(const void *a, const void *b)
{
	const struct efunction *fa = *(const struct efunction *const *)a;
	const struct efunction *fb = *(const struct efunction *const *)b;
	return strcmp(fa->name, fb->name);
}

void resolve_functions(struct elab_state *st)
{
	/* in name order, as the original's map of functions */
	while (st->queue.len) {
		struct vec batch = st->queue;
		st->queue = (struct vec){0};
		qsort(batch.items, batch.len, sizeof(void *), cmp_function_name);
		vec_foreach(&batch, i) {
			struct efunction *ef = batch.items[i];
			vec_push_arena(st->a, &st->e->functions, ef);
			st->locals = &ef->locals;
			st->params = &ef->params;
			st->in_function = true;
			st->scope_name = arena_printf(st->a, "function %s", ef->name);
			res_stmt(st, ef->decl->body);
		}
	}
	st->locals = NULL;
	st->params = NULL;
	if (st->e->functions.len > 1)
		qsort(st->e->functions.items, st->e->functions.len, sizeof(void *),
		      cmp_function_name);
	vec_foreach(&st->e->functions, i)
		((struct efunction *)st->e->functions.items[i])->index = (int)i;
}

/* ---- the driver ---- */

/* A probe the driver adds, parsed from text as if the user wrote it. */
struct program *parse_synthetic(struct elab_state *st, const char *text)
{
	struct source *src = arena_alloc(st->a, sizeof(*src));
	src->name = "<synthetic>";
	src->text = arena_strdup(st->a, text);
	src->len = strlen(text);
	struct parse_opts opts = *st->popts;
	opts.privileged = true;
	return parse_script(st->a, src, &opts, st->d);
}

struct elab *elaborate(struct session *s, struct arena *arena, struct program *prog,
		       const struct parse_opts *popts, struct diag *diag)
{
	struct elab_state st = {.s = s, .a = arena, .d = diag, .popts = popts, .script = prog};
	struct elab *e = arena_alloc(arena, sizeof(*e));
	st.e = e;
	int errors0 = diag->errors;
	diag->elide_file = true;
	vec_push_arena(arena, &e->inputs, (void *)prog->src);
	vec_foreach(&prog->embeds, i)
		vec_push_arena(arena, &e->embeds, prog->embeds.items[i]);
	vec_foreach(&prog->functions, i) {
		struct fdef *fd = arena_alloc(arena, sizeof(*fd));
		fd->decl = prog->functions.items[i];
		vec_push_arena(arena, &st.funcs, fd);
	}
	vec_foreach(&prog->globals, i) {
		struct gdef *g = arena_alloc(arena, sizeof(*g));
		g->decl = prog->globals.items[i];
		vec_push_arena(arena, &st.gdefs, g);
	}
	vec_foreach(&prog->aliases, i) {
		const struct probe *pr = prog->aliases.items[i];
		vec_foreach(&pr->aliases, j) {
			const struct alias_name *an = pr->aliases.items[j];
			vec_foreach(&an->point->comps, k) {
				const struct pp_comp *c = an->point->comps.items[k];
				if (c->arg && diag_semantic(diag, NULL, pr->tok,
							    "while registering probe alias"))
					diag_semantic_part(diag, true, true, NULL,
							   "alias component %s contains illegal "
							   "parameter",
							   c->name);
			}
			struct adef *ad = arena_alloc(arena, sizeof(*ad));
			ad->probe = pr;
			ad->name = pr->aliases.items[j];
			vec_push_arena(arena, &st.adefs, ad);
		}
	}
	tapset_load(&st);
	if (s->timeout_secs > 0) {
		/* -T: the original adds this probe, first */
		char text[128];
		snprintf(text, sizeof(text), "probe timer.ms(%ld) { exit() }\n",
			 s->timeout_secs * 1000);
		struct program *t = parse_synthetic(&st, text);
		struct vec probes = {0};
		vec_foreach(&t->probes, i)
			vec_push_arena(arena, &probes, t->probes.items[i]);
		vec_foreach(&prog->probes, i)
			vec_push_arena(arena, &probes, prog->probes.items[i]);
		prog->probes = probes;
	}
	probes_derive(&st);
	if (diag->errors > errors0)
		return NULL;
	entry_capture(&st);
	vec_foreach(&e->probes, i)
		resolve_probe(&st, e->probes.items[i]);
	resolve_functions(&st);
	if (diag->errors > errors0)
		return NULL;
	types_check_arity(&st);
	if (diag->errors > errors0)
		return NULL;
	check_foreach_modifications(&st);
	if (diag->errors > errors0)
		return NULL;
	if (!s->unoptimized) {
		fold_constants(&st);
		elide_statements(&st);
	} else {
		reduce_unoptimised(&st);
		warn_never_assigned(&st);
	}
	types_infer(&st);
	if (!s->unoptimized)
		elide_empty_probes(&st);
	procfs_check_files(&st);
	if (diag->errors > errors0)
		return NULL;
	optimize(&st);
	if (diag->errors > errors0)
		return NULL;
	context_place(&st);
	if (diag->errors > errors0)
		return NULL;
	lvalues_collect(&st);
	kfunc_group_probes(&st);
	size_t live = 0;
	vec_foreach(&e->probes, i)
		live += !((struct eprobe *)e->probes.items[i])->elided;
	if (live == 0) {
		diag_semantic(diag, NULL, NULL, "no probes found");
		return NULL;
	}
	return e;
}

/* Used by optimize.c and context.c: parse, derive and resolve extra probes. */
void elab_add_synthetic(struct elab_state *st, const char *text)
{
	struct program *p = parse_synthetic(st, text);
	size_t first = st->e->probes.len;
	struct program *saved = st->script;
	st->script = p;
	probes_derive(st);
	st->script = saved;
	for (size_t i = first; i < st->e->probes.len; i++) {
		struct eprobe *ep = st->e->probes.items[i];
		ep->synthetic = true;
		resolve_probe(st, ep);
	}
	resolve_functions(st);
}
