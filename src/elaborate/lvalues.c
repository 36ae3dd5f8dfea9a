/*
 * The operands of ++ and -- that are not variables, array elements or
 * context variables: `([k] in a)++`, `(x + 1)++`, `f()--`.  Pass 2 takes
 * them (the original's does too) and the original's translator refuses
 * them, in pass 3, with "invalid lvalue type" at the operand's token, once
 * for the read and once for the write of the increment; what the elider
 * dropped (an assignment nothing reads) is not checked.  They are
 * collected here, after the optimizer, and main.c reports them as pass 3.
 */
#include "internal.h"

static bool is_lvalue(const struct expr *e)
{
	switch (e->kind) {
	case EXPR_SYMBOL:
	case EXPR_INDEX:
	case EXPR_TARGET:
	case EXPR_CAST:
	case EXPR_ATVAR:
	case EXPR_AUTOCAST:
	case EXPR_CONTEXT:
		return true;
	default:
		return false;
	}
}

static void lv_expr(struct elab *el, struct arena *a, const struct expr *e)
{
	if (!e)
		return;
	if ((e->kind == EXPR_PREINC || e->kind == EXPR_POSTINC) && e->a && !is_lvalue(e->a))
		vec_push_arena(a, &el->bad_lvalues, (void *)e->a);
	lv_expr(el, a, e->a);
	lv_expr(el, a, e->b);
	lv_expr(el, a, e->c);
	vec_foreach(&e->list, i)
		lv_expr(el, a, e->list.items[i]);
}

static void lv_stmt(struct elab *el, struct arena *a, const struct stmt *s)
{
	if (!s)
		return;
	lv_expr(el, a, s->expr);
	lv_expr(el, a, s->init);
	lv_expr(el, a, s->step);
	lv_expr(el, a, s->limit);
	lv_stmt(el, a, s->body);
	lv_stmt(el, a, s->other);
	vec_foreach(&s->stmts, i)
		lv_stmt(el, a, s->stmts.items[i]);
}

void lvalues_collect(struct elab_state *st)
{
	struct elab *e = st->e;
	vec_foreach(&e->functions, i) {
		const struct efunction *f = e->functions.items[i];
		if (f->used && f->decl->body)
			lv_stmt(e, st->a, f->decl->body);
	}
	vec_foreach(&e->probes, i) {
		const struct eprobe *p = e->probes.items[i];
		if (!p->elided)
			lv_stmt(e, st->a, p->body);
	}
}
