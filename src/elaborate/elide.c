/*
 * The optimizer's elisions, as the original does them before type checking
 * (and, for empty probes, after): an assignment to a local or parameter
 * that nothing reads loses its target ("Eliding assignment to 'x'"; `x <<<
 * v` does not read x), an expression statement without side effects goes
 * ("Eliding side-effect-free expression"), a function left with nothing
 * is "side-effect-free", `if (0)` and `while (0)` go, a foreach whose body
 * is gone goes, and these repeat until nothing changes.  Side effects are
 * assignments, ++/--, printing, deletion and calls of functions that have
 * some; a call that could fail (a division by zero inside) but has none is
 * elided like any pure expression.  Then the reads and writes of every
 * symbol are counted again, locals no statement mentions are dropped, and
 * so are the functions no probe reaches.  -u turns all of this off, except
 * what the original does unoptimised too: statements whose value is unused
 * split into their parts, constants folded, constant conditions collapsed.
 */
#include <string.h>

#include "internal.h"

struct elider {
	struct elab_state *st;
	bool changed;
	bool assignments; /* this walk: assignments only (they warn first) */
};

static bool func_pure(struct efunction *f);

/* Inside a function body being judged: what it writes to its own locals
 * and parameters is not seen by its caller (the original elides a call of
 * `function f(x) { y = x + 1; return y }`). */
static bool in_function_body;

static bool is_own_local(const struct expr *target)
{
	return in_function_body && target && target->kind == EXPR_SYMBOL && target->sym &&
	       target->sym->kind != SYM_GLOBAL;
}

static bool expr_pure(const struct expr *e)
{
	if (!e)
		return true;
	switch (e->kind) {
	case EXPR_ASSIGN:
	case EXPR_PREINC:
	case EXPR_POSTINC:
		if (!is_own_local(e->a))
			return false;
		break;
	case EXPR_EMBEDDED:
		return false;
	case EXPR_PRINT:
		if (e->str[0] != 's')
			return false;
		break;
	case EXPR_CALL:
		if (!e->func || !func_pure(e->func))
			return false;
		break;
	default:
		break;
	}
	if (!expr_pure(e->a) || !expr_pure(e->b) || !expr_pure(e->c))
		return false;
	vec_foreach(&e->list, i)
		if (!expr_pure(e->list.items[i]))
			return false;
	return true;
}

static bool stmt_pure(const struct stmt *s)
{
	if (!s)
		return true;
	switch (s->kind) {
	case STMT_DELETE:
		return false;
	case STMT_BLOCK:
		vec_foreach(&s->stmts, i)
			if (!stmt_pure(s->stmts.items[i]))
				return false;
		return true;
	default:
		return expr_pure(s->expr) && expr_pure(s->init) && expr_pure(s->step) &&
		       expr_pure(s->limit) && stmt_pure(s->body) && stmt_pure(s->other);
	}
}

/* 0 unknown, 1 pure, 2 not; recursion counts as pure while it is decided */
static bool func_pure(struct efunction *f)
{
	if (f->purity == 0) {
		if (!f->decl->body) {
			f->purity = f->pure ? 1 : 2;
		} else {
			f->purity = 1;
			bool saved = in_function_body;
			in_function_body = true;
			f->purity = stmt_pure(f->decl->body) ? 1 : 2;
			in_function_body = saved;
		}
	}
	return f->purity == 1;
}

/* The leftmost token of an expression, which the warnings name. */
static const struct token *first_token(const struct expr *e)
{
	switch (e->kind) {
	case EXPR_BINARY:
	case EXPR_LOGICAL:
	case EXPR_COMPARE:
	case EXPR_CONCAT:
	case EXPR_REGEX:
	case EXPR_TERNARY:
	case EXPR_ASSIGN:
	case EXPR_POSTINC:
		return e->a ? first_token(e->a) : e->tok;
	case EXPR_INDEX:
		return e->a ? first_token(e->a) : e->tok;
	default:
		return e->tok;
	}
}

static bool is_empty(const struct stmt *s)
{
	if (!s || s->kind == STMT_NULL)
		return true;
	if (s->kind != STMT_BLOCK)
		return false;
	vec_foreach(&s->stmts, i)
		if (!is_empty(s->stmts.items[i]))
			return false;
	return true;
}

static void make_null(struct stmt *s)
{
	s->kind = STMT_NULL;
	s->expr = NULL;
	s->body = s->other = NULL;
}

static void elide_stmt(struct elider *el, struct stmt *s)
{
	if (!s)
		return;
	switch (s->kind) {
	case STMT_BLOCK: {
		size_t kept = 0;
		vec_foreach(&s->stmts, i) {
			struct stmt *c = s->stmts.items[i];
			elide_stmt(el, c);
			if (c->kind != STMT_NULL)
				s->stmts.items[kept++] = c;
		}
		s->stmts.len = kept;
		/* a block of one statement is that statement */
		if (!el->assignments && kept == 1) {
			struct stmt *only = s->stmts.items[0];
			*s = *only;
		}
		return;
	}
	case STMT_EXPR: {
		struct expr *e = s->expr;
		if (e->kind == EXPR_ASSIGN && e->a->kind == EXPR_SYMBOL && e->a->sym &&
		    e->a->sym->kind != SYM_GLOBAL && !e->a->sym->read) {
			if (!e->tok->loc.src->library)
				diag_token_warning(el->st->d, e->tok, "Eliding assignment to '%s'",
						   e->a->sym->name);
			s->expr = expr_pure(e->b) ? e->a : e->b;
			el->changed = true;
			e = s->expr;
		}
		if (!el->assignments && expr_pure(e)) {
			if (!first_token(e)->loc.src->library)
				diag_token_warning(el->st->d, first_token(e),
						   "Eliding side-effect-free expression ");
			make_null(s);
			el->changed = true;
		}
		return;
	}
	case STMT_IF:
		elide_stmt(el, s->body);
		elide_stmt(el, s->other);
		if (!el->assignments && s->expr->kind == EXPR_NUMBER) {
			struct stmt *keep = s->expr->num ? s->body : s->other;
			if (keep)
				*s = *keep;
			else
				make_null(s);
			el->changed = true;
		}
		return;
	case STMT_FOR:
		elide_stmt(el, s->body);
		if (!el->assignments && s->expr && s->expr->kind == EXPR_NUMBER &&
		    s->expr->num == 0 && expr_pure(s->init)) {
			make_null(s);
			el->changed = true;
		}
		return;
	case STMT_FOREACH:
		elide_stmt(el, s->body);
		if (!el->assignments && is_empty(s->body) && expr_pure(s->limit)) {
			make_null(s);
			el->changed = true;
		}
		return;
	case STMT_TRY:
		elide_stmt(el, s->body);
		elide_stmt(el, s->other);
		return;
	default:
		return;
	}
}

/* ---- reads and writes, counted again ---- */

static void use_expr(struct expr *e, bool lvalue);

/* x++ and x += 1 read a local (they keep it alive), and a global only when
 * their value is used (y = ++x, f(x++)): a global only ever incremented as
 * a statement is still displayed at exit as written-only, as the original
 * does. */
static bool value_unused; /* the expression is a statement's whole value */

static void read_local(struct expr *lv, bool reads)
{
	if (!reads || !lv->sym)
		return;
	if (lv->kind == EXPR_SYMBOL && (lv->sym->kind != SYM_GLOBAL || !value_unused))
		lv->sym->read = true;
	else if (lv->kind == EXPR_INDEX && lv->sym->kind == SYM_GLOBAL && !value_unused)
		lv->sym->read = true;
}

static void use_expr(struct expr *e, bool lvalue);

/* An expression whose value is thrown away: a statement, for's init and step. */
static void use_expr_unused(struct expr *e)
{
	value_unused = true;
	use_expr(e, false);
	value_unused = false;
}

static void use_list(struct vec *v)
{
	vec_foreach(v, i)
		use_expr(v->items[i], false);
}

static void use_expr(struct expr *e, bool lvalue)
{
	if (!e)
		return;
	bool unused = value_unused;
	value_unused = false; /* what is inside is used */
	switch (e->kind) {
	case EXPR_SYMBOL:
		if (e->sym) {
			e->sym->referenced = true;
			if (lvalue)
				e->sym->written = true;
			else
				e->sym->read = true;
		}
		return;
	case EXPR_INDEX:
		if (e->sym) {
			e->sym->referenced = true;
			if (lvalue)
				e->sym->written = true;
			else
				e->sym->read = true;
		} else {
			use_expr(e->a, false);
		}
		use_list(&e->list);
		return;
	case EXPR_IN:
		if (e->sym) {
			e->sym->referenced = true;
			e->sym->read = true;
		}
		use_list(&e->list);
		return;
	case EXPR_ASSIGN:
		use_expr(e->a, true);
		use_expr(e->b, false);
		/* (x <<< v adds to x without reading it) */
		value_unused = unused;
		read_local(e->a, strcmp(e->op, "=") != 0 && strcmp(e->op, "<<<") != 0);
		value_unused = false;
		return;
	case EXPR_PREINC:
	case EXPR_POSTINC:
		use_expr(e->a, true);
		value_unused = unused;
		read_local(e->a, true);
		value_unused = false;
		return;
	default:
		use_expr(e->a, false);
		use_expr(e->b, false);
		use_expr(e->c, false);
		use_list(&e->list);
		return;
	}
}

static void use_stmt(struct stmt *s)
{
	if (!s)
		return;
	switch (s->kind) {
	case STMT_BLOCK:
		vec_foreach(&s->stmts, i)
			use_stmt(s->stmts.items[i]);
		return;
	case STMT_FOREACH: {
		struct expr *arr = s->array;
		if (arr->kind == EXPR_INDEX) {
			use_list(&arr->list);
			if (arr->sym) {
				arr->sym->referenced = true;
				arr->sym->read = true;
			}
		} else {
			use_expr(arr, false);
		}
		vec_foreach(&s->keys, i)
			use_expr(s->keys.items[i], true);
		use_expr(s->value, true);
		use_expr(s->limit, false);
		use_stmt(s->body);
		return;
	}
	case STMT_DELETE: {
		struct expr *e = s->expr;
		if (e->kind == EXPR_INDEX) {
			use_expr(e, true);
			if (e->sym)
				e->sym->read = true;
		} else {
			use_expr(e, true);
		}
		return;
	}
	case STMT_TRY:
		use_stmt(s->body);
		use_expr(s->value, true);
		use_stmt(s->other);
		return;
	case STMT_EXPR:
		use_expr_unused(s->expr);
		return;
	default:
		use_expr(s->expr, false);
		use_expr_unused(s->init);
		use_expr_unused(s->step);
		use_stmt(s->body);
		use_stmt(s->other);
		return;
	}
}

static void clear_uses(struct vec *syms)
{
	vec_foreach(syms, i) {
		struct symbol *sym = syms->items[i];
		sym->read = sym->written = sym->referenced = false;
	}
}

static void prune_locals(struct elab_state *st, struct vec *locals)
{
	struct vec kept = {0};
	vec_foreach(locals, i) {
		struct symbol *sym = locals->items[i];
		if (sym->referenced)
			vec_push_arena(st->a, &kept, sym);
	}
	*locals = kept;
}

static void mark_reached(struct efunction *f);

static void reach_expr(const struct expr *e)
{
	if (!e)
		return;
	if (e->kind == EXPR_CALL && e->func)
		for (struct efunction *f = e->func; f; f = f->overload_next)
			mark_reached(f);
	reach_expr(e->a);
	reach_expr(e->b);
	reach_expr(e->c);
	vec_foreach(&e->list, i)
		reach_expr(e->list.items[i]);
}

static void reach_stmt(const struct stmt *s)
{
	if (!s)
		return;
	reach_expr(s->expr);
	reach_expr(s->init);
	reach_expr(s->step);
	reach_expr(s->limit);
	reach_expr(s->array);
	reach_stmt(s->body);
	reach_stmt(s->other);
	vec_foreach(&s->stmts, i)
		reach_stmt(s->stmts.items[i]);
}

static void mark_reached(struct efunction *f)
{
	if (f->used)
		return;
	f->used = true;
	reach_stmt(f->decl->body);
}

/* Count reads and writes, drop unmentioned locals and unreached functions. */
void elide_recount(struct elab_state *st)
{
	struct elab *e = st->e;
	clear_uses(&e->globals);
	vec_foreach(&e->functions, i) {
		struct efunction *f = e->functions.items[i];
		clear_uses(&f->locals);
		clear_uses(&f->params);
		f->used = false;
	}
	vec_foreach(&e->probes, i) {
		struct eprobe *p = e->probes.items[i];
		clear_uses(&p->locals);
		use_stmt(p->body);
		use_expr(p->cond, false);
		reach_stmt(p->body);
		reach_expr(p->cond);
	}
	struct vec used = {0};
	vec_foreach(&e->functions, i) {
		struct efunction *f = e->functions.items[i];
		if (!f->used)
			continue;
		use_stmt(f->decl->body);
		f->index = (int)used.len;
		vec_push_arena(st->a, &used, f);
	}
	e->functions = used;
	vec_foreach(&e->probes, i)
		prune_locals(st, &((struct eprobe *)e->probes.items[i])->locals);
	vec_foreach(&e->functions, i)
		prune_locals(st, &((struct efunction *)e->functions.items[i])->locals);
}

/* Round 1, before types. */
void elide_statements(struct elab_state *st)
{
	struct elider el = {.st = st};
	for (int round = 0; round < 20; round++) {
		el.changed = false;
		for (int walk = 0; walk < 2; walk++) {
			el.assignments = walk == 0;
			elide_recount(st);
			/* the original warns of never-assigned variables first, before
			 * the assignments it elides take the reads away */
			if (round == 0 && walk == 0)
				warn_never_assigned(st);
			vec_foreach(&st->e->probes, i)
				elide_stmt(&el, ((struct eprobe *)st->e->probes.items[i])->body);
			vec_foreach(&st->e->functions, i) {
				struct efunction *f = st->e->functions.items[i];
				struct stmt *body = (struct stmt *)f->decl->body;
				elide_stmt(&el, body);
				/* (the original warns in its first round only) */
				if (round == 0 && !el.assignments && body && is_empty(body))
					diag_token_warning(st->d, f->decl->tok,
							   "side-effect-free function '%s'",
							   f->name);
			}
		}
		if (!el.changed)
			break;
	}
	elide_recount(st);
}

/* Round 2, after types: probes left with nothing to do. */
void elide_empty_probes(struct elab_state *st)
{
	vec_foreach(&st->e->probes, i) {
		struct eprobe *p = st->e->probes.items[i];
		if (p->synthetic || !is_empty(p->body))
			continue;
		p->elided = true;
		const struct token *kw = p->probe_tok ? p->probe_tok : p->tok;
		diag_token_warning(st->d, kw, "Probe '%s' has been elided", p->tok->text);
	}
}

/* ---- arrays changed while a foreach walks them ---- */

struct walk_check {
	struct elab_state *st;
	const struct symbol *iterating[32];
	int depth;
};

static bool func_writes(struct efunction *f, const struct symbol *sym, int depth);

static bool expr_writes(const struct expr *e, const struct symbol *sym, int depth)
{
	if (!e)
		return false;
	if ((e->kind == EXPR_ASSIGN || e->kind == EXPR_PREINC || e->kind == EXPR_POSTINC) && e->a &&
	    e->a->kind == EXPR_INDEX && e->a->sym == sym)
		return true;
	if (e->kind == EXPR_CALL && e->func && func_writes(e->func, sym, depth + 1))
		return true;
	if (expr_writes(e->a, sym, depth) || expr_writes(e->b, sym, depth) ||
	    expr_writes(e->c, sym, depth))
		return true;
	vec_foreach(&e->list, i)
		if (expr_writes(e->list.items[i], sym, depth))
			return true;
	return false;
}

static bool stmt_writes(const struct stmt *s, const struct symbol *sym, int depth)
{
	if (!s)
		return false;
	if (s->kind == STMT_DELETE && s->expr->kind == EXPR_INDEX && s->expr->sym == sym)
		return true;
	vec_foreach(&s->stmts, i)
		if (stmt_writes(s->stmts.items[i], sym, depth))
			return true;
	return expr_writes(s->expr, sym, depth) || expr_writes(s->init, sym, depth) ||
	       expr_writes(s->step, sym, depth) || stmt_writes(s->body, sym, depth) ||
	       stmt_writes(s->other, sym, depth);
}

static bool func_writes(struct efunction *f, const struct symbol *sym, int depth)
{
	return depth < 16 && f->decl->body && stmt_writes(f->decl->body, sym, depth);
}

static void check_modify(struct walk_check *wc, const struct symbol *sym, const struct token *tok)
{
	for (int i = 0; i < wc->depth; i++)
		if (wc->iterating[i] == sym)
			diag_semantic(wc->st->d, "modified during foreach", tok,
				      "variable '%s' modified during 'foreach' iteration",
				      sym->name);
}

static void check_expr(struct walk_check *wc, const struct expr *e)
{
	if (!e)
		return;
	if ((e->kind == EXPR_ASSIGN || e->kind == EXPR_PREINC || e->kind == EXPR_POSTINC) && e->a &&
	    e->a->kind == EXPR_INDEX && e->a->sym)
		check_modify(wc, e->a->sym, e->a->a->tok);
	if (e->kind == EXPR_CALL && e->func)
		for (int i = 0; i < wc->depth; i++)
			if (func_writes(e->func, wc->iterating[i], 0))
				diag_semantic(wc->st->d, "modified during foreach", e->tok,
					      "function call modifies var '%s' during 'foreach' "
					      "iteration",
					      wc->iterating[i]->name);
	check_expr(wc, e->a);
	check_expr(wc, e->b);
	check_expr(wc, e->c);
	vec_foreach(&e->list, i)
		check_expr(wc, e->list.items[i]);
}

static void check_stmt(struct walk_check *wc, const struct stmt *s)
{
	if (!s)
		return;
	if (s->kind == STMT_DELETE && s->expr->kind == EXPR_INDEX && s->expr->sym)
		check_modify(wc, s->expr->sym, s->expr->a->tok);
	bool pushed = false;
	if (s->kind == STMT_FOREACH && s->array->sym && wc->depth < 32) {
		wc->iterating[wc->depth++] = s->array->sym;
		pushed = true;
	}
	vec_foreach(&s->stmts, i)
		check_stmt(wc, s->stmts.items[i]);
	check_expr(wc, s->expr);
	check_expr(wc, s->init);
	check_expr(wc, s->step);
	check_stmt(wc, s->body);
	check_stmt(wc, s->other);
	if (pushed)
		wc->depth--;
}

void check_foreach_modifications(struct elab_state *st)
{
	struct walk_check wc = {.st = st};
	vec_foreach(&st->e->probes, i)
		check_stmt(&wc, ((struct eprobe *)st->e->probes.items[i])->body);
	vec_foreach(&st->e->functions, i)
		check_stmt(&wc, ((struct efunction *)st->e->functions.items[i])->decl->body);
}

/* ---- variables read but never assigned ---- */

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];
	if (lb >= 64)
		return la > lb ? la : lb;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

struct candidate {
	const char *name;
	size_t dist;
};

/* " (similar: a, b)": up to five names nearest to name, ties by name. */
static const char *similar(struct elab_state *st, const struct symbol *self, const struct vec *a,
			   const struct vec *b)
{
	struct candidate best[5];
	size_t n = 0;
	const struct vec *sets[2] = {a, b};
	for (int k = 0; k < 2; k++) {
		if (!sets[k])
			continue;
		vec_foreach(sets[k], i) {
			const struct symbol *c = sets[k]->items[i];
			if (c == self && c->kind != SYM_GLOBAL)
				continue;
			struct candidate x = {c->name, edit_distance(self->name, c->name)};
			size_t pos = n;
			while (pos > 0 && (best[pos - 1].dist > x.dist ||
					   (best[pos - 1].dist == x.dist &&
					    strcmp(best[pos - 1].name, x.name) > 0)))
				pos--;
			if (pos >= 5)
				continue;
			size_t last = n < 5 ? n : 4;
			for (size_t j = last; j > pos; j--)
				best[j] = best[j - 1];
			best[pos] = x;
			if (n < 5)
				n++;
		}
	}
	if (!n)
		return "";
	struct strbuf sb;
	sb_init(&sb);
	sb_puts(&sb, " (similar: ");
	for (size_t i = 0; i < n; i++)
		sb_printf(&sb, "%s%s", i ? ", " : "", best[i].name);
	sb_putc(&sb, ')');
	const char *r = arena_strdup(st->a, sb_str(&sb));
	sb_fini(&sb);
	return r;
}

static void warn_locals(struct elab_state *st, struct vec *locals)
{
	vec_foreach(locals, i) {
		const struct symbol *sym = locals->items[i];
		if (sym->read && !sym->written)
			diag_token_warning(st->d, sym->tok, "never-assigned local variable '%s'%s",
					   sym->name, similar(st, sym, &st->e->globals, locals));
	}
}

/* -G NAME=VALUE sets the global at start-up: never-assigned it is not
 * (though it still has no type here). */
static bool is_set_by_option(const struct elab_state *st, const char *name)
{
	size_t len = strlen(name);
	vec_foreach(&st->s->global_inits, i) {
		const char *opt = st->s->global_inits.items[i];
		if (strncmp(opt, name, len) == 0 && opt[len] == '=')
			return true;
	}
	return false;
}

void warn_never_assigned(struct elab_state *st)
{
	vec_foreach(&st->e->probes, i)
		warn_locals(st, &((struct eprobe *)st->e->probes.items[i])->locals);
	vec_foreach(&st->e->functions, i)
		warn_locals(st, &((struct efunction *)st->e->functions.items[i])->locals);
	vec_foreach(&st->e->globals, i) {
		const struct symbol *g = st->e->globals.items[i];
		if (g->read && !g->written && !(g->decl && g->decl->init) && g->arity <= 0 &&
		    !is_set_by_option(st, g->name))
			diag_token_warning(st->d, g->tok, "never-assigned global variable '%s'%s",
					   g->name, similar(st, g, &st->e->globals, NULL));
	}
}

/* ---- constant folding ---- */

static bool is_num(const struct expr *e)
{
	return e && e->kind == EXPR_NUMBER;
}

static void fold_expr(struct elab_state *st, struct expr *e);

static void fold_children(struct elab_state *st, struct expr *e)
{
	fold_expr(st, e->a);
	fold_expr(st, e->b);
	fold_expr(st, e->c);
	vec_foreach(&e->list, i)
		fold_expr(st, e->list.items[i]);
}

/* Make e the number v, keeping the token of its left operand (which the
 * warnings name, as the original's do). */
static void set_number(struct expr *e, long long v, const struct token *tok)
{
	e->kind = EXPR_NUMBER;
	e->num = v;
	e->tok = tok;
	e->a = e->b = e->c = NULL;
	e->type = TYPE_LONG;
}

static void fold_expr(struct elab_state *st, struct expr *e)
{
	if (!e)
		return;
	fold_children(st, e);
	const struct token *tok = e->a ? e->a->tok : e->tok;
	switch (e->kind) {
	case EXPR_BINARY: {
		if (!is_num(e->a) || !is_num(e->b))
			return;
		uint64_t a = (uint64_t)e->a->num, b = (uint64_t)e->b->num;
		long long sa = e->a->num, sb = e->b->num, v;
		const char *op = e->op;
		if (strcmp(op, "+") == 0)
			v = (long long)(a + b);
		else if (strcmp(op, "-") == 0)
			v = (long long)(a - b);
		else if (strcmp(op, "*") == 0)
			v = (long long)(a * b);
		else if (strcmp(op, "/") == 0 && sb != 0 && sb != -1)
			v = sa / sb;
		else if (strcmp(op, "%") == 0 && sb != 0 && sb != -1)
			v = sa % sb;
		else if (strcmp(op, "&") == 0)
			v = sa & sb;
		else if (strcmp(op, "|") == 0)
			v = sa | sb;
		else if (strcmp(op, "^") == 0)
			v = sa ^ sb;
		else if (strcmp(op, "<<") == 0)
			v = (long long)(a << (b & 63));
		else if (strcmp(op, ">>") == 0)
			v = sa >> (b & 63);
		else
			return;
		set_number(e, v, tok);
		return;
	}
	case EXPR_COMPARE: {
		int c;
		if (is_num(e->a) && is_num(e->b))
			c = e->a->num < e->b->num ? -1 : e->a->num > e->b->num;
		else if (e->a && e->b && e->a->kind == EXPR_STRING && e->b->kind == EXPR_STRING)
			c = strcmp(e->a->str, e->b->str);
		else
			return;
		const char *op = e->op;
		long long v = strcmp(op, "<") == 0    ? c < 0
			      : strcmp(op, "<=") == 0 ? c <= 0
			      : strcmp(op, ">") == 0  ? c > 0
			      : strcmp(op, ">=") == 0 ? c >= 0
			      : strcmp(op, "==") == 0 ? c == 0
						      : c != 0;
		set_number(e, v, tok);
		return;
	}
	case EXPR_CONCAT:
		if (e->a && e->b && e->a->kind == EXPR_STRING && e->b->kind == EXPR_STRING) {
			e->str = arena_printf(st->a, "%s%s", e->a->str, e->b->str);
			e->kind = EXPR_STRING;
			e->tok = tok;
			e->a = e->b = NULL;
		}
		return;
	case EXPR_TERNARY:
		/* types are checked before folding: literal branches of two
		 * types stay, for the type checker to refuse */
		if (is_num(e->a) && !((e->b->kind == EXPR_NUMBER && e->c->kind == EXPR_STRING) ||
				      (e->b->kind == EXPR_STRING && e->c->kind == EXPR_NUMBER)))
			*e = *(e->a->num ? e->b : e->c);
		return;
	default:
		return;
	}
}

static void fold_stmt(struct elab_state *st, struct stmt *s)
{
	if (!s)
		return;
	fold_expr(st, s->expr);
	fold_expr(st, s->init);
	fold_expr(st, s->step);
	fold_expr(st, s->limit);
	fold_stmt(st, s->body);
	fold_stmt(st, s->other);
	vec_foreach(&s->stmts, i)
		fold_stmt(st, s->stmts.items[i]);
}

void fold_constants(struct elab_state *st)
{
	vec_foreach(&st->e->probes, i)
		fold_stmt(st, ((struct eprobe *)st->e->probes.items[i])->body);
	vec_foreach(&st->e->functions, i)
		fold_stmt(st, ((struct efunction *)st->e->functions.items[i])->decl->body);
}

/* ---- -u: what the original still does unoptimised ---- */

static struct stmt *new_stmt(struct arena *a, enum stmt_kind kind, const struct token *tok)
{
	struct stmt *s = arena_alloc(a, sizeof(*s));
	s->kind = kind;
	s->tok = tok;
	s->sort_key = -1;
	return s;
}

static struct stmt *expr_stmt(struct arena *a, struct expr *e)
{
	struct stmt *s = new_stmt(a, STMT_EXPR, e->tok);
	s->expr = e;
	return s;
}

static void reduce_stmt(struct elab_state *st, struct stmt *s, bool *changed);

/* s becomes a block of one statement for each of the n expressions. */
static void reduce_to_block(struct elab_state *st, struct stmt *s, const struct token *tok,
			    struct expr **parts, size_t n, bool *changed)
{
	struct stmt b = {.kind = STMT_BLOCK, .tok = tok, .sort_key = -1};
	for (size_t i = 0; i < n; i++)
		vec_push_arena(st->a, &b.stmts, expr_stmt(st->a, parts[i]));
	*s = b;
	*changed = true;
	reduce_stmt(st, s, changed);
}

/* s becomes "if (cond) then [else other]". */
static void reduce_to_if(struct elab_state *st, struct stmt *s, const struct token *tok,
			 struct expr *cond, struct expr *then, struct expr *other, bool *changed)
{
	struct stmt is = {.kind = STMT_IF, .tok = tok, .sort_key = -1, .expr = cond};
	is.body = expr_stmt(st->a, then);
	is.other = other ? expr_stmt(st->a, other) : NULL;
	*s = is;
	*changed = true;
	reduce_stmt(st, s, changed);
}

/* An expression statement, whose value nobody uses, becomes the statements
 * that evaluate its parts (the original's void_statement_reducer, which
 * runs with -u too): `a + b` (or a comparison, a concatenation) the block
 * `{ a; b; }`, `a && b` `if (a) b`, `a || b` `if (!a) b`, `a ? b : c` an
 * if-else, `-a` (or `a =~ "re"`) `a`, a call of a function without side
 * effects or an sprintf the block of its arguments. */
static void reduce_expr_stmt(struct elab_state *st, struct stmt *s, bool *changed)
{
	for (;;) {
		struct expr *e = s->expr;
		switch (e->kind) {
		case EXPR_BINARY:
		case EXPR_COMPARE:
		case EXPR_CONCAT: {
			struct expr *parts[2] = {e->a, e->b};
			reduce_to_block(st, s, e->tok, parts, 2, changed);
			return;
		}
		case EXPR_LOGICAL: {
			struct expr *cond = e->a;
			if (strcmp(e->op, "||") == 0) {
				cond = arena_alloc(st->a, sizeof(*cond));
				cond->kind = EXPR_UNARY;
				cond->op = "!";
				cond->tok = e->tok;
				cond->a = e->a;
			}
			reduce_to_if(st, s, e->tok, cond, e->b, NULL, changed);
			return;
		}
		case EXPR_TERNARY:
			reduce_to_if(st, s, e->tok, e->a, e->b, e->c, changed);
			return;
		case EXPR_UNARY:
		case EXPR_REGEX:
			s->expr = e->a;
			*changed = true;
			continue;
		case EXPR_CALL: {
			bool pure = e->list.len > 0 && e->func;
			for (struct efunction *f = e->func; f && pure; f = f->overload_next)
				pure = func_pure(f);
			if (pure)
				reduce_to_block(st, s, e->tok, (struct expr **)e->list.items,
						e->list.len, changed);
			return;
		}
		case EXPR_PRINT: {
			/* the format or delimiter is no argument */
			const char *n = e->str;
			size_t first = n[strlen(n) - 1] == 'f' || strstr(n, "printd") ? 1 : 0;
			if (n[0] == 's' && e->list.len > first)
				reduce_to_block(st, s, e->tok,
						(struct expr **)e->list.items + first,
						e->list.len - first, changed);
			return;
		}
		default:
			return;
		}
	}
}

static void reduce_stmt(struct elab_state *st, struct stmt *s, bool *changed)
{
	if (!s)
		return;
	switch (s->kind) {
	case STMT_EXPR:
		reduce_expr_stmt(st, s, changed);
		return;
	case STMT_BLOCK:
		vec_foreach(&s->stmts, i)
			reduce_stmt(st, s->stmts.items[i], changed);
		return;
	default:
		reduce_stmt(st, s->body, changed);
		reduce_stmt(st, s->other, changed);
		return;
	}
}

/* The statements of the constant folder: if, for and foreach with a
 * constant condition or limit give way to what they would run. */
static void collapse_stmt(struct elab_state *st, struct stmt *s, bool *changed)
{
	if (!s)
		return;
	vec_foreach(&s->stmts, i)
		collapse_stmt(st, s->stmts.items[i], changed);
	collapse_stmt(st, s->body, changed);
	collapse_stmt(st, s->other, changed);
	if (s->kind == STMT_IF && s->expr->kind == EXPR_NUMBER) {
		struct stmt *keep = s->expr->num ? s->body : s->other;
		if (keep)
			*s = *keep;
		else
			make_null(s);
		*changed = true;
	} else if (s->kind == STMT_FOR && s->expr && s->expr->kind == EXPR_NUMBER &&
		   s->expr->num == 0) {
		if (s->init)
			*s = *expr_stmt(st->a, s->init);
		else
			make_null(s);
		*changed = true;
	} else if (s->kind == STMT_FOREACH && s->limit && s->limit->kind == EXPR_NUMBER &&
		   s->limit->num <= 0) {
		make_null(s);
		*changed = true;
	}
}

void reduce_unoptimised(struct elab_state *st)
{
	for (int round = 0; round < 20; round++) {
		bool changed = false;
		elide_recount(st);
		for (int pass = 0; pass < 2; pass++) {
			if (pass == 1)
				fold_constants(st);
			vec_foreach(&st->e->probes, i) {
				struct stmt *body = ((struct eprobe *)st->e->probes.items[i])->body;
				if (pass == 0)
					reduce_stmt(st, body, &changed);
				else
					collapse_stmt(st, body, &changed);
			}
			vec_foreach(&st->e->functions, i) {
				struct stmt *body =
					(struct stmt *)((struct efunction *)
								st->e->functions.items[i])
						->decl->body;
				if (pass == 0)
					reduce_stmt(st, body, &changed);
				else
					collapse_stmt(st, body, &changed);
			}
		}
		if (!changed)
			break;
	}
	elide_recount(st);
}
