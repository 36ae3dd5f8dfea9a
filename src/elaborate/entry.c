/*
 * Values taken at a kernel function's entry, read at its return: @entry(expr)
 * in a .return probe, and the parameters such a probe reads ($count,
 * $file->f_pos, $$parms), which the original also takes at entry (with a
 * "confusing usage" warning).  As the original does, each such expression
 * moves into a synthesized entry probe on the same function, which pushes its
 * value on a per-thread stack held in two global arrays:
 *
 *   probe F.call { _entry_tvar_tid = tid()
 *     G[_entry_tvar_tid, ++G_ctr[_entry_tvar_tid]] = EXPR }
 *   probe F.return { _entry_tvar_tid = tid()
 *     G_tmp = G[_entry_tvar_tid, G_ctr[_entry_tvar_tid]]
 *     delete G[_entry_tvar_tid, G_ctr[_entry_tvar_tid]--]
 *     if (!G_ctr[_entry_tvar_tid]) delete G_ctr[_entry_tvar_tid]
 *     ... G_tmp in place of EXPR ... }
 *
 * (the names are the original's: -p2 shows the same globals).  The counter
 * keeps nested and recursive calls apart.  So the return probe reads no
 * parameter and runs as well on a kretprobe as on fexit, and an
 * expression that changes while the function runs (a time, a member the
 * function updates) has its value at entry.  The entry probe is placed
 * before its return probe, so it is attached first: a return is only seen
 * for a call whose entry was (fexit and kretprobes see the returns of the
 * calls made after they are attached).
 */
#include <stdio.h>
#include <string.h>

#include "../kernel/kernel.h"
#include "internal.h"

struct capture {
	struct elab_state *st;
	const struct eprobe *p;
	struct vec exprs; /* of struct expr: the values to take at entry */
	int first;        /* the number of the first one, in the script */
};

/* A parameter (or $$parms...) of the probe's function: what a .return
 * probe of the original reads at entry. */
static bool is_entry_target(const struct eprobe *p, const struct expr *e)
{
	const char *name = e->str;
	/* a program's function: every variable of it but its return value
	 * (DWARF says in pass 2 whether it is one: read at entry, the error
	 * is the entry's) */
	if (p->kind == PROBE_UPROBE)
		return name[0] == '$' && strcmp(name, "$return") != 0 &&
		       strcmp(name, "$$return") != 0;
	if (p->kf_kprobe || !p->kf)
		return false;
	if (strcmp(name, "$$parms") == 0 || strcmp(name, "$$vars") == 0 ||
	    strcmp(name, "$$locals") == 0)
		return true;
	for (int i = 0; i < p->kf->nparams; i++)
		if (p->kf->params[i].name[0] && strcmp(p->kf->params[i].name, name + 1) == 0)
			return true;
	return false;
}

/* @entry(@entry(x)) is @entry(x). */
static struct expr *unwrap(struct expr *e)
{
	while (e && e->kind == EXPR_ENTRY)
		e = e->a;
	return e;
}

static void replace(struct capture *c, struct expr *e, struct expr *value)
{
	struct arena *a = c->st->a;
	int n = c->first + (int)c->exprs.len;
	vec_push_arena(a, &c->exprs, copy_expr(a, unwrap(value)));
	const struct token *tok = e->tok;
	memset(e, 0, sizeof(*e));
	e->kind = EXPR_SYMBOL;
	e->tok = tok;
	e->str = arena_printf(a, "__global_entry_tvar_entry_%d_tmp", n);
}

static void visit_stmt(struct capture *c, struct stmt *s);

static void visit_expr(struct capture *c, struct expr *e)
{
	if (!e)
		return;
	switch (e->kind) {
	case EXPR_ENTRY:
		if (e->a)
			replace(c, e, e->a);
		return;
	case EXPR_TARGET:
		if (is_entry_target(c->p, e)) {
			struct arena *a = c->st->a;
			diag_token_warning(c->st->d, e->tok,
					   "confusing usage, value is captured as @entry(%s) in "
					   ".return probe [man stapprobes] RETURN PROBES",
					   elab_expr_text(a, e));
			replace(c, e, e);
			return;
		}
		break;
	case EXPR_DEFINED:
		return; /* decided in pass 2, not a value */
	case EXPR_ASSIGN:
		/* an assignment to $var (guru) stays where it is */
		if (e->a && e->a->kind != EXPR_TARGET)
			visit_expr(c, e->a);
		visit_expr(c, e->b);
		return;
	default:
		break;
	}
	visit_expr(c, e->a);
	visit_expr(c, e->b);
	visit_expr(c, e->c);
	vec_foreach(&e->list, i)
		visit_expr(c, e->list.items[i]);
	vec_foreach(&e->comps, i) {
		struct component *k = e->comps.items[i];
		visit_expr(c, k->index);
	}
}

static void visit_stmt(struct capture *c, struct stmt *s)
{
	if (!s)
		return;
	visit_expr(c, s->expr);
	visit_expr(c, s->init);
	visit_expr(c, s->step);
	visit_expr(c, s->array);
	visit_expr(c, s->limit);
	visit_stmt(c, s->body);
	visit_stmt(c, s->other);
	vec_foreach(&s->stmts, i)
		visit_stmt(c, s->stmts.items[i]);
}

/* "kernel.function("f").call" for "kernel.function("f").return...". */
static const char *entry_pp(struct arena *a, const struct eprobe *p)
{
	const char *ret = strstr(p->pp, ").return");
	size_t len = ret ? (size_t)(ret - p->pp) + 1 : strlen(p->pp);
	return arena_printf(a, "%.*s%s", (int)len, p->pp, p->kf_kprobe ? "" : ".call");
}

/* The entry probe of p, or NULL when p takes nothing at entry. */
static struct eprobe *capture_probe(struct elab_state *st, struct eprobe *p, int *counter)
{
	struct capture c = {.st = st, .p = p, .first = *counter};
	visit_stmt(&c, p->body);
	if (!c.exprs.len)
		return NULL;
	*counter += (int)c.exprs.len;
	struct strbuf sb;
	sb_init(&sb);
	const char *tid = "_entry_tvar_tid";
	sb_puts(&sb, "global ");
	for (size_t i = 0; i < c.exprs.len; i++)
		sb_printf(&sb, "%s__global_entry_tvar_entry_%zu, __global_entry_tvar_entry_%zu_ctr",
			  i ? ", " : "", c.first + i, c.first + i);
	sb_printf(&sb, "\nprobe begin { %s = tid()\n", tid);
	for (size_t i = 0; i < c.exprs.len; i++) {
		size_t n = c.first + i;
		sb_printf(&sb,
			  "__global_entry_tvar_entry_%zu[%s, "
			  "++__global_entry_tvar_entry_%zu_ctr[%s]] "
			  "= 0\n",
			  n, tid, n, tid);
	}
	sb_printf(&sb, "}\nprobe begin { %s = tid()\n", tid);
	for (size_t i = 0; i < c.exprs.len; i++) {
		size_t n = c.first + i;
		sb_printf(&sb,
			  "__global_entry_tvar_entry_%zu_tmp = __global_entry_tvar_entry_%zu[%s, "
			  "__global_entry_tvar_entry_%zu_ctr[%s]]\n"
			  "delete __global_entry_tvar_entry_%zu[%s, "
			  "__global_entry_tvar_entry_%zu_ctr[%s]--]\n"
			  "if (!__global_entry_tvar_entry_%zu_ctr[%s]) delete "
			  "__global_entry_tvar_entry_%zu_ctr[%s]\n",
			  n, n, tid, n, tid, n, tid, n, tid, n, tid, n, tid);
	}
	sb_puts(&sb, "}\n");
	struct program *prog = parse_synthetic(st, sb_str(&sb));
	sb_fini(&sb);
	if (!prog || prog->probes.len != 2 || prog->globals.len != 2 * c.exprs.len)
		return NULL; /* cannot happen: the text is ours */
	vec_foreach(&prog->globals, i) {
		struct gdef *g = arena_alloc(st->a, sizeof(*g));
		g->decl = prog->globals.items[i];
		g->from_tapset = true;
		vec_push_arena(st->a, &st->gdefs, g);
	}
	/* the entry probe: each "= 0" gets its expression */
	const struct probe *pe = prog->probes.items[0], *pr = prog->probes.items[1];
	struct stmt *entry_body = pe->body;
	vec_foreach(&c.exprs, i) {
		struct stmt *s = entry_body->stmts.items[i + 1];
		s->expr->b = c.exprs.items[i];
	}
	/* the return probe: the pops, then its own body */
	struct stmt *ret_body = pr->body;
	vec_push_arena(st->a, &ret_body->stmts, p->body);
	p->body = ret_body;

	struct eprobe *ep = arena_alloc(st->a, sizeof(*ep));
	*ep = *p;
	ep->pp = entry_pp(st->a, p);
	ep->kf_return = false;
	ep->up_return = false;
	ep->maxactive = 0;
	ep->body = entry_body;
	ep->cond = NULL;
	ep->locals = (struct vec){0};
	ep->synthetic = true;
	ep->vars = NULL;
	return ep;
}

void entry_capture(struct elab_state *st)
{
	struct vec probes = {0};
	int counter = 0;
	vec_foreach(&st->e->probes, i) {
		struct eprobe *p = st->e->probes.items[i];
		if ((p->kind == PROBE_KFUNC && p->kf_return) ||
		    (p->kind == PROBE_UPROBE && p->up_return)) {
			struct eprobe *ep = capture_probe(st, p, &counter);
			if (ep)
				vec_push_arena(st->a, &probes, ep);
		}
		vec_push_arena(st->a, &probes, p);
	}
	if (probes.len == st->e->probes.len)
		return;
	st->e->probes = probes;
	vec_foreach(&st->e->probes, i)
		((struct eprobe *)st->e->probes.items[i])->index = (int)i;
}
