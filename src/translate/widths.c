/*
 * How wide the string columns of BPF array keys need to be.  A BPF hash
 * map hashes and compares its whole key, so a MAXSTRINGLEN-byte string
 * column costs hundreds of nanoseconds an event; most keys are short and
 * known to be (execname() is at most 15 bytes).  So for each string column
 * of a shared array we find the longest string any store into it (an
 * assignment, ++, +=, <<<, anywhere in the program) can put there; if every
 * store has a bound, the column is that wide.  A lookup with a longer
 * string then cannot match (the BPF code checks), so the semantics stay
 * those of full-width keys.
 *
 * Bounds: a literal's length; execname() and pexecname() 15; a char[N]
 * tracepoint field or @cast member N; a concatenation the sum; a ternary
 * the larger; a script function the largest of its returns; anything else
 * (variables, sprintf, most functions) none.
 */
#include <stdlib.h>
#include <string.h>

#include "../kernel/kernel.h"
#include "internal.h"

#define UNBOUNDED (-1)

struct widths {
	long max; /* MAXSTRINGLEN - 1 */
	int depth;
};

static long maxlen(struct widths *w, const struct expr *e);

static long function_max(struct widths *w, const struct efunction *f)
{
	if (!f->decl->body) {
		/* embedded C: only what we know of our own tapset */
		if (strcmp(f->name, "execname") == 0 || strcmp(f->name, "pexecname") == 0)
			return 15;
		return UNBOUNDED;
	}
	if (w->depth > 8)
		return UNBOUNDED;
	/* every return's value: walk the body */
	long best = 0;
	struct vec todo = {0};
	vec_push(&todo, f->decl->body);
	w->depth++;
	while (todo.len && best != UNBOUNDED) {
		const struct stmt *s = todo.items[--todo.len];
		if (!s)
			continue;
		if (s->kind == STMT_RETURN && s->expr) {
			long m = maxlen(w, s->expr);
			best = m == UNBOUNDED ? UNBOUNDED : (m > best ? m : best);
		}
		vec_push(&todo, s->body);
		vec_push(&todo, s->other);
		vec_foreach(&s->stmts, i)
			vec_push(&todo, s->stmts.items[i]);
	}
	w->depth--;
	vec_fini(&todo);
	return best;
}

static long maxlen(struct widths *w, const struct expr *e)
{
	if (!e)
		return UNBOUNDED;
	long a, b;
	switch (e->kind) {
	case EXPR_STRING: {
		size_t len;
		char *bytes = fmt_unescape(e->str, &len);
		long n = (long)strnlen(bytes, len);
		free(bytes);
		return n;
	}
	case EXPR_CONTEXT:
		if (e->cv->kind == CV_TP_FIELD && e->cv->field->kind == TPF_CHAR_ARRAY)
			return e->cv->field->size;
		if ((e->cv->kind == CV_CAST || e->cv->kind == CV_DWARF) &&
		    e->cv->type == TYPE_STRING)
			return e->cv->value_size;
		return UNBOUNDED;
	case EXPR_CONCAT:
		a = maxlen(w, e->a);
		b = maxlen(w, e->b);
		return a == UNBOUNDED || b == UNBOUNDED ? UNBOUNDED : a + b;
	case EXPR_TERNARY:
		a = maxlen(w, e->b);
		b = maxlen(w, e->c);
		return a == UNBOUNDED || b == UNBOUNDED ? UNBOUNDED : (a > b ? a : b);
	case EXPR_CALL:
		return e->func ? function_max(w, e->func) : UNBOUNDED;
	default:
		return UNBOUNDED;
	}
}

/* A store of keys into sym: widen its columns. */
static void store(struct widths *w, const struct symbol *sym, const struct vec *keys)
{
	struct symbol *g = (struct symbol *)sym;
	if (!g || !g->shared || g->arity <= 0)
		return;
	vec_foreach(keys, i) {
		if (i >= ELAB_MAX_KEYS || g->keys[i] != TYPE_STRING || g->key_width[i] < 0)
			continue;
		long m = maxlen(w, keys->items[i]);
		if (m == UNBOUNDED || m >= w->max)
			g->key_width[i] = -1; /* full width */
		else if (m + 1 > g->key_width[i])
			g->key_width[i] = (int)m + 1;
	}
}

static void walk_expr(struct widths *w, const struct expr *e)
{
	if (!e)
		return;
	const struct expr *lv = NULL;
	if (e->kind == EXPR_ASSIGN || e->kind == EXPR_PREINC || e->kind == EXPR_POSTINC)
		lv = e->a;
	if (lv && lv->kind == EXPR_INDEX && lv->sym)
		store(w, lv->sym, &lv->list);
	walk_expr(w, e->a);
	walk_expr(w, e->b);
	walk_expr(w, e->c);
	vec_foreach(&e->list, i)
		walk_expr(w, e->list.items[i]);
}

static void walk_stmt(struct widths *w, const struct stmt *s)
{
	if (!s)
		return;
	walk_expr(w, s->expr);
	walk_expr(w, s->init);
	walk_expr(w, s->step);
	walk_expr(w, s->limit);
	walk_stmt(w, s->body);
	walk_stmt(w, s->other);
	vec_foreach(&s->stmts, i)
		walk_stmt(w, s->stmts.items[i]);
}

void translate_key_widths(const struct session *s, const struct elab *e)
{
	struct widths w = {.max = 511};
	vec_foreach(&s->defines, i) {
		const char *d = s->defines.items[i];
		if (strncmp(d, "MAXSTRINGLEN=", 13) == 0)
			w.max = strtol(d + 13, NULL, 0) - 1;
	}
	vec_foreach(&e->globals, i) {
		struct symbol *g = e->globals.items[i];
		for (int k = 0; k < ELAB_MAX_KEYS; k++)
			g->key_width[k] = 0;
	}
	vec_foreach(&e->probes, i) {
		const struct eprobe *p = e->probes.items[i];
		if (!p->elided)
			walk_stmt(&w, p->body);
	}
	vec_foreach(&e->functions, i)
		walk_stmt(&w, ((const struct efunction *)e->functions.items[i])->decl->body);
	/* no store, or a store of unbounded strings: full width */
	vec_foreach(&e->globals, i) {
		struct symbol *g = e->globals.items[i];
		for (int k = 0; k < ELAB_MAX_KEYS; k++)
			if (g->key_width[k] <= 0)
				g->key_width[k] = 0;
	}
}
