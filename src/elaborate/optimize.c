/*
 * After types: what the original's optimizer and its "display unread
 * globals" step do.  A global of the script that is written but never read
 * gets an end probe (sequence 0, after the script's probes) that prints its
 * value in the original's format: `x=5`, `s="text"`, one `a[k1,"k2"]=v`
 * line per element sorted by value (largest first), and statistics as
 * `st @count=N @min=N @max=N @sum=N @avg=N` (`st @count=0x0` when empty).
 * The probes are written as script text and elaborated like the user's.
 */
#include <string.h>

#include "internal.h"

static const char *conv(enum vtype t)
{
	return t == TYPE_STRING ? "\\\"%#s\\\"" : "%#d";
}

/* Statistics print in decimal, or before 1.4 (--compatible) in hex. */
static bool stats_in_hex;

static void display_stats(struct strbuf *sb, const char *label, const char *ref,
			  const char *args_prefix)
{
	const char *c = stats_in_hex ? "%#x" : "%#d";
	sb_printf(sb, "printf(\"%s @count=%s @min=%s @max=%s @sum=%s @avg=%s\\n\"%s, ", label, c, c,
		  c, c, c, args_prefix);
	sb_printf(sb, "@count(%s), @min(%s), @max(%s), @sum(%s), @avg(%s))", ref, ref, ref, ref,
		  ref);
}

static void display_probe(struct strbuf *sb, const struct symbol *g)
{
	sb_puts(sb, "probe end {\n");
	if (g->arity <= 0) {
		if (g->type == TYPE_STATS) {
			sb_printf(sb, "if (@count(%s) == 0) printf(\"%s @count=0x0\\n\") else ",
				  g->name, g->name);
			display_stats(sb, g->name, g->name, "");
		} else {
			/* a long scalar prints with %d, everything else with %#d, %#s */
			sb_printf(sb, "printf(\"%s=%s\\n\", %s)", g->name,
				  g->type == TYPE_STRING ? conv(g->type) : "%d", g->name);
		}
		sb_puts(sb, "\n}\n");
		return;
	}
	struct strbuf keys, fmt, ref;
	sb_init(&keys);
	sb_init(&fmt);
	sb_init(&ref);
	for (int i = 0; i < g->arity; i++) {
		sb_printf(&keys, "%s__idx%d", i ? ", " : "", i);
		sb_printf(&fmt, "%s%s", i ? "," : "", conv(g->keys[i]));
	}
	sb_printf(&ref, "%s[%s]", g->name, sb_str(&keys));
	if (g->type == TYPE_STATS)
		sb_printf(sb, "foreach ([%s] in %s-) ", sb_str(&keys), g->name);
	else
		sb_printf(sb, "foreach (__val = [%s] in %s-) ", sb_str(&keys), g->name);
	char *label = NULL;
	struct strbuf lb;
	sb_init(&lb);
	sb_printf(&lb, "%s[%s]", g->name, sb_str(&fmt));
	label = (char *)sb_str(&lb);
	if (g->type == TYPE_STATS) {
		struct strbuf pre;
		sb_init(&pre);
		sb_printf(&pre, ", %s", sb_str(&keys));
		display_stats(sb, label, sb_str(&ref), sb_str(&pre));
		sb_fini(&pre);
	} else {
		/* the original: keys %#d, a long value plain %d */
		sb_printf(sb, "printf(\"%s=%s\\n\", %s, __val)", label,
			  g->type == TYPE_LONG ? "%d" : conv(g->type), sb_str(&keys));
	}
	sb_puts(sb, "\n}\n");
	sb_fini(&lb);
	sb_fini(&keys);
	sb_fini(&fmt);
	sb_fini(&ref);
}

static bool reads_global(const struct expr *e)
{
	if (!e)
		return false;
	if (e->sym && e->sym->kind == SYM_GLOBAL)
		return true;
	if (reads_global(e->a) || reads_global(e->b) || reads_global(e->c))
		return true;
	vec_foreach(&e->list, i)
		if (reads_global(e->list.items[i]))
			return true;
	return false;
}

/* "probe P if (cond) { body }" runs as "{ if (!(cond)) next; body }". */
static bool guard_conditions(struct elab_state *st)
{
	bool needs_init = false;
	vec_foreach(&st->e->probes, i) {
		struct eprobe *p = st->e->probes.items[i];
		if (!p->cond)
			continue;
		p->cond_text = elab_expr_text(st->a, p->cond);
		if (p->direct)
			p->chain = arena_printf(st->a, "<- %s%s if (%s)", p->pp, p->marks,
						p->cond_text);
		needs_init |= reads_global(p->cond);
		struct expr *neg = arena_alloc(st->a, sizeof(*neg));
		neg->kind = EXPR_UNARY;
		neg->op = "!";
		neg->tok = p->cond->tok;
		neg->a = p->cond;
		neg->type = TYPE_LONG;
		struct stmt *next = arena_alloc(st->a, sizeof(*next));
		next->kind = STMT_NEXT;
		next->tok = p->cond->tok;
		next->sort_key = -1;
		struct stmt *guard = arena_alloc(st->a, sizeof(*guard));
		guard->kind = STMT_IF;
		guard->tok = p->cond->tok;
		guard->sort_key = -1;
		guard->expr = neg;
		guard->body = next;
		struct stmt *blk = arena_alloc(st->a, sizeof(*blk));
		blk->kind = STMT_BLOCK;
		blk->tok = p->cond->tok;
		blk->sort_key = -1;
		vec_push_arena(st->a, &blk->stmts, guard);
		if (p->body && p->body->kind == STMT_BLOCK) {
			vec_foreach(&p->body->stmts, j)
				vec_push_arena(st->a, &blk->stmts, p->body->stmts.items[j]);
		} else if (p->body) {
			vec_push_arena(st->a, &blk->stmts, p->body);
		}
		p->body = blk;
	}
	return needs_init;
}

void optimize(struct elab_state *st)
{
	struct strbuf sb;
	sb_init(&sb);
	/* the original adds a begin probe that (re)computes conditions on
	 * globals; ours are evaluated at each firing, so it has nothing to do */
	if (guard_conditions(st))
		sb_puts(&sb, "probe begin { ; }\n");
	const struct pp_env *env = st->popts ? st->popts->env : NULL;
	stats_in_hex = env && env->systemtap_v && pp_version_before(env->systemtap_v, "1.4");
	size_t nglobals = st->e->globals.len;
	for (size_t i = 0; i < nglobals; i++) {
		const struct symbol *g = st->e->globals.items[i];
		if (g->from_tapset || g->read || !g->written)
			continue;
		display_probe(&sb, g);
	}
	if (sb.len) {
		size_t first = st->e->probes.len;
		elab_add_synthetic(st, sb_str(&sb));
		types_infer(st);
		/* the condition initialiser's body is the empty statement itself */
		for (size_t i = first; i < st->e->probes.len; i++) {
			struct eprobe *p = st->e->probes.items[i];
			if (p->body && p->body->kind == STMT_BLOCK && p->body->stmts.len == 1 &&
			    ((struct stmt *)p->body->stmts.items[0])->kind == STMT_NULL)
				p->body = p->body->stmts.items[0];
		}
	}
	sb_fini(&sb);
}
