/*
 * Probe points: each point of each script probe becomes one derived probe
 * (struct eprobe) per match.  A point names either a built-in kind (begin,
 * end, error, never, timer.*) or a probe alias (the script's or a tapset's,
 * matched with wildcards per component); an alias' body is put before the
 * user's body ("=", a prologue) or after it ("+=", an epilogue) and its own
 * points are resolved in turn.  `?` drops a point that does not resolve,
 * `!` stops at the first point that does, `if (cond)` guards the probe.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../kernel/kernel.h"
#include "internal.h"

#define MAX_ALIAS_DEPTH 32

/* The reason a point did not resolve: a message and maybe its token. */
struct why {
	char msg[512];
	const struct token *tok;
};

static void point_text(struct strbuf *sb, const struct probe_point *pt, bool marks)
{
	vec_foreach(&pt->comps, i) {
		const struct pp_comp *c = pt->comps.items[i];
		if (i)
			sb_putc(sb, '.');
		sb_puts(sb, c->name);
		if (c->arg) {
			if (c->arg->kind == EXPR_NUMBER)
				sb_printf(sb, "(%lld)", c->arg->num);
			else
				sb_printf(sb, "(\"%s\")", c->arg->str);
		}
	}
	if (marks) {
		/* "!" implies "?" and prints alone */
		if (pt->sufficient)
			sb_putc(sb, '!');
		else if (pt->optional)
			sb_putc(sb, '?');
	}
}

static bool comp_number(const struct pp_comp *c, long long *v)
{
	if (!c->arg || c->arg->kind != EXPR_NUMBER)
		return false;
	*v = c->arg->num;
	return true;
}

/* begin/end/error/never/timer.*: fill p, or explain in why. */
static bool resolve_builtin(const struct probe_point *pt, struct eprobe *p, struct why *why)
{
	const struct pp_comp *c0 = pt->comps.items[0];
	size_t n = pt->comps.len;
	why->tok = NULL;
	if (strcmp(c0->name, "begin") == 0 || strcmp(c0->name, "end") == 0 ||
	    strcmp(c0->name, "error") == 0 || strcmp(c0->name, "never") == 0) {
		bool never = c0->name[0] == 'n';
		p->kind = c0->name[0] == 'b'   ? PROBE_BEGIN
			  : c0->name[0] == 'e' ? (c0->name[1] == 'n' ? PROBE_END : PROBE_ERROR)
					       : PROBE_NEVER;
		if (n > 1) {
			const struct pp_comp *c1 = pt->comps.items[1];
			snprintf(why->msg, sizeof(why->msg), "invalid suffix for probe");
			why->tok = c1->tok;
			return false;
		}
		long long v = 0;
		if (c0->arg && (never || !comp_number(c0, &v))) {
			snprintf(why->msg, sizeof(why->msg), "probe point mismatch");
			why->tok = c0->tok;
			return false;
		}
		p->seq = v;
		return true;
	}
	if (strcmp(c0->name, "timer") != 0)
		return false;
	static const struct {
		const char *name;
		int64_t ns, lo, hi;
	} units[] = {
		{"s", 1000000000LL, 1, 86400},         {"sec", 1000000000LL, 1, 86400},
		{"ms", 1000000LL, 1, 86400000LL},      {"msec", 1000000LL, 1, 86400000LL},
		{"us", 1000LL, 100, 86400000000LL},    {"usec", 1000LL, 100, 86400000000LL},
		{"ns", 1LL, 100000, 86400000000000LL}, {"nsec", 1LL, 100000, 86400000000000LL},
	};
	if (n < 2) {
		snprintf(why->msg, sizeof(why->msg),
			 "probe point truncated (follow:  hz(number) jiffies(number) ms(number) "
			 "msec(number) ns(number) nsec(number) profile s(number) sec(number) "
			 "us(number) usec(number))");
		why->tok = c0->tok;
		return false;
	}
	const struct pp_comp *c1 = pt->comps.items[1];
	const struct pp_comp *c2 = n > 2 ? pt->comps.items[2] : NULL;
	long long v, r = 0;
	p->kind = PROBE_TIMER;
	if (n > 3 || (c2 && (strcmp(c2->name, "randomize") != 0 || !comp_number(c2, &r)))) {
		snprintf(why->msg, sizeof(why->msg), "invalid suffix for probe");
		why->tok = (n > 3 ? (const struct pp_comp *)pt->comps.items[3] : c2)->tok;
		return false;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(c1->name, units[i].name) != 0)
			continue;
		if (!comp_number(c1, &v))
			break;
		if (v < units[i].lo || v > units[i].hi) {
			snprintf(why->msg, sizeof(why->msg),
				 "interval value out of range (%lld, %lld)", (long long)units[i].lo,
				 (long long)units[i].hi);
			return false;
		}
		if (r < 0 || r > v) {
			snprintf(why->msg, sizeof(why->msg), "randomization value out of range");
			return false;
		}
		p->interval_ns = v * units[i].ns;
		p->randomize_ns = r * units[i].ns;
		return true;
	}
	if (strcmp(c1->name, "hz") == 0 && comp_number(c1, &v)) {
		if (v <= 0) {
			snprintf(why->msg, sizeof(why->msg), "frequency must be greater than 0");
			return false;
		}
		if (c2) {
			snprintf(why->msg, sizeof(why->msg), "invalid suffix for probe");
			why->tok = c2->tok;
			return false;
		}
		p->interval_ns = 1000000000LL / v;
		return true;
	}
	if (strcmp(c1->name, "jiffies") == 0 && comp_number(c1, &v)) {
		if (v <= 0 || v > 1000000) {
			snprintf(why->msg, sizeof(why->msg), "invalid interval for jiffies timer");
			return false;
		}
		if (r < 0 || r > v) {
			snprintf(why->msg, sizeof(why->msg), "randomization value out of range");
			return false;
		}
		int64_t j = 1000000000LL / kernel_hz();
		p->interval_ns = v * j;
		p->randomize_ns = r * j;
		return true;
	}
	/* the original suggests the timer's own sub-points (suggest_functors:
	 * five, within a distance of 10) */
	static const char *const names[] = {"s",  "sec",  "ms",      "msec", "us",     "usec",
					    "ns", "nsec", "jiffies", "hz",   "profile"};
	char *similar = suggest_names(c1->name, names, sizeof(names) / sizeof(names[0]), 5, 10);
	snprintf(why->msg, sizeof(why->msg), "probe point mismatch%s%s%s",
		 *similar ? " (similar: " : "", similar, *similar ? ")" : "");
	free(similar);
	why->tok = c1->tok;
	return false;
}

static bool is_builtin_name(const char *name)
{
	return strcmp(name, "begin") == 0 || strcmp(name, "end") == 0 ||
	       strcmp(name, "error") == 0 || strcmp(name, "never") == 0 ||
	       strcmp(name, "timer") == 0;
}

/* Whether the use point matches the alias name (wildcards in the use). */
static bool alias_matches(const struct probe_point *use, const struct probe_point *name)
{
	if (use->comps.len != name->comps.len)
		return false;
	vec_foreach(&use->comps, i) {
		const struct pp_comp *u = use->comps.items[i];
		const struct pp_comp *a = name->comps.items[i];
		if (fnmatch(u->name, a->name, 0) != 0)
			return false;
		if ((u->arg != NULL) != (a->arg != NULL))
			return false;
	}
	return true;
}

static bool has_wildcard(const struct probe_point *pt)
{
	vec_foreach(&pt->comps, i) {
		const struct pp_comp *c = pt->comps.items[i];
		if (strchr(c->name, '*'))
			return true;
	}
	return false;
}

static struct stmt *join_bodies(struct arena *a, struct stmt *first, struct stmt *second)
{
	if (!first)
		return second;
	if (!second)
		return first;
	/* one block of both statement lists, as the original splices them */
	struct stmt *b = arena_alloc(a, sizeof(*b));
	b->kind = STMT_BLOCK;
	b->tok = first->tok;
	b->sort_key = -1;
	const struct stmt *parts[2] = {first, second};
	for (int k = 0; k < 2; k++) {
		if (parts[k]->kind == STMT_BLOCK) {
			vec_foreach(&parts[k]->stmts, i)
				vec_push_arena(a, &b->stmts, parts[k]->stmts.items[i]);
		} else {
			vec_push_arena(a, &b->stmts, (void *)parts[k]);
		}
	}
	return b;
}

static struct expr *join_conds(struct arena *a, struct expr *c1, struct expr *c2)
{
	if (!c1)
		return c2;
	if (!c2)
		return c1;
	struct expr *e = arena_alloc(a, sizeof(*e));
	e->kind = EXPR_LOGICAL;
	e->op = "&&";
	e->tok = c1->tok;
	e->a = c1;
	e->b = c2;
	return e;
}

void probes_add(struct elab_state *st, const struct derive_ctx *dc, struct eprobe *p,
		const char *pp)
{
	const struct probe_point *pt = dc->pt;
	p->pp = pp;
	p->marks = pt->sufficient ? "!" : pt->optional ? "?" : "";
	p->chain = dc->chain;
	p->tok = ((const struct pp_comp *)pt->comps.items[0])->tok;
	p->probe_tok = st->probe_tok;
	p->from = dc->from;
	p->where_tok = dc->depth == 0 ? st->probe_tok : st->point_tok;
	p->direct = dc->depth == 0;
	p->cond = dc->cond;
	p->body = dc->body;
	p->alias_pp = st->alias_pp;
	vec_push_arena(st->a, &st->e->probes, p);
}

/* timer.profile is the tapset's alias (to a perf event), not a timer. */
static bool is_timer_profile(const struct probe_point *pt)
{
	const struct pp_comp *c0 = pt->comps.items[0];
	if (strcmp(c0->name, "timer") != 0 || pt->comps.len < 2)
		return false;
	const struct pp_comp *c1 = pt->comps.items[1];
	return strcmp(c1->name, "profile") == 0 && !c1->arg;
}

void probes_report_failure(struct elab_state *st, const struct token *at, const char *key,
			   const struct token *why_tok, const char *why)
{
	if (diag_semantic(st->d, key, at, "while resolving probe point"))
		diag_semantic_part(st->d, true, true, why_tok, "%s", why);
}

/* "while resolving probe point" at the point, then the reason; the
 * original counts repeats by the kind of reason (key). */
static void report_failure(struct elab_state *st, const struct token *at, const char *key,
			   const struct token *why_tok, const char *why)
{
	if (diag_semantic(st->d, key, at, "while resolving probe point"))
		diag_semantic_part(st->d, true, true, why_tok, "%s", why);
}

static const char *reason_key(const char *msg)
{
	if (strncmp(msg, "invalid suffix", 14) == 0)
		return "probe point suffix";
	if (strncmp(msg, "probe point", 11) == 0)
		return "probe point mismatch";
	return "probe point value";
}

/* Why no alias matches: the first component where the names part. */
static void explain_mismatch(struct elab_state *st, const struct probe_point *pt)
{
	const struct pp_comp *c0 = pt->comps.items[0];
	/* the library's aliases under the same first name, for "similar:" */
	if (!strchr(c0->name, '*')) {
		tapset_pull_for(st, 'a', c0->name);
		tapset_pull_for(st, 'a', arena_printf(st->a, "%s.*", c0->name));
	}
	struct vec cands = {0}; /* aliases matching every component so far */
	vec_foreach(&st->adefs, i)
		vec_push(&cands, st->adefs.items[i]);
	for (size_t k = 0; k < pt->comps.len; k++) {
		const struct pp_comp *u = pt->comps.items[k];
		struct vec next = {0};
		struct vec names = {0};
		bool ended = false;
		vec_foreach(&cands, i) {
			const struct adef *ad = cands.items[i];
			const struct vec *ac = &ad->name->point->comps;
			if (ac->len <= k) {
				ended = true;
				continue;
			}
			const struct pp_comp *a = ac->items[k];
			if (fnmatch(u->name, a->name, 0) == 0)
				vec_push(&next, (void *)ad);
			else
				vec_push(&names, (void *)a->name);
		}
		if (next.len == 0) {
			if (k == 0) {
				report_failure(st, c0->tok, "probe point mismatch", c0->tok,
					       has_wildcard(pt)
						       ? "probe point mismatch: didn't find "
							 "any wildcard matches"
						       : "probe point mismatch");
			} else if (ended && names.len == 0) {
				report_failure(st, c0->tok, "probe point suffix", u->tok,
					       "invalid suffix for probe");
			} else {
				/* up to five names, nearest first, as the original's
				 * suggest_functors */
				struct strbuf sb;
				sb_init(&sb);
				sb_puts(&sb,
					strchr(u->name, '*')
						? "probe point mismatch: didn't find any wildcard "
						  "matches"
						: "probe point mismatch");
				char *similar =
					suggest_names(u->name, (const char *const *)names.items,
						      names.len, 5, 10);
				if (*similar)
					sb_printf(&sb, " (similar: %s)", similar);
				free(similar);
				/* the token names the component as written, "zzz*" */
				struct token *shown_tok = arena_alloc(st->a, sizeof(*shown_tok));
				*shown_tok = *u->tok;
				shown_tok->text = u->name;
				report_failure(st, c0->tok, "probe point mismatch", shown_tok,
					       sb_str(&sb));
				sb_fini(&sb);
			}
			vec_fini(&next);
			vec_fini(&names);
			vec_fini(&cands);
			return;
		}
		vec_fini(&names);
		vec_fini(&cands);
		cands = next;
	}
	vec_fini(&cands);
	report_failure(st, c0->tok, "probe point mismatch", c0->tok, "probe point mismatch");
}

static int cmp_adef_name(const void *a, const void *b)
{
	const struct adef *x = *(const struct adef *const *)a;
	const struct adef *y = *(const struct adef *const *)b;
	struct strbuf sx, sy;
	sb_init(&sx);
	sb_init(&sy);
	point_text(&sx, x->name->point, false);
	point_text(&sy, y->name->point, false);
	int r = strcmp(sb_str(&sx), sb_str(&sy));
	sb_fini(&sx);
	sb_fini(&sy);
	return r;
}

/* Resolve one point with the body accumulated so far; derived probes are
 * appended to the program.  Returns how many, or -1 after reporting.
 * stack holds the aliases being expanded, to catch recursion. */
static int derive_point(struct elab_state *st, const struct probe_point *pt, struct stmt *body,
			struct expr *cond, const char *chain, const char *from, int depth,
			const struct adef **stack)
{
	struct why why = {.msg = ""};
	const struct pp_comp *c0 = pt->comps.items[0];
	cond = join_conds(st->a, cond, pt->cond);
	const struct derive_ctx dc = {pt, body, cond, chain, depth, from};
	if (strcmp(c0->name, "kernel") == 0)
		return probes_derive_kernel(st, &dc);
	if (strcmp(c0->name, "kprobe") == 0 || strcmp(c0->name, "module") == 0)
		return probes_derive_kfunc(st, &dc);
	if (strcmp(c0->name, "perf") == 0)
		return probes_derive_perf(st, &dc);
	if (strcmp(c0->name, "process") == 0)
		return probes_derive_process(st, &dc);
	if (strcmp(c0->name, "procfs") == 0)
		return probes_derive_procfs(st, &dc);
	if (is_builtin_name(c0->name) && !is_timer_profile(pt)) {
		struct eprobe *p = arena_alloc(st->a, sizeof(*p));
		if (resolve_builtin(pt, p, &why)) {
			struct strbuf sb;
			sb_init(&sb);
			point_text(&sb, pt, false);
			probes_add(st, &dc, p, arena_strdup(st->a, sb_str(&sb)));
			sb_fini(&sb);
			return 1;
		}
		if (why.msg[0] && !pt->optional)
			report_failure(st, c0->tok, reason_key(why.msg), why.tok, why.msg);
		return -1;
	}
	/* a wildcard over the syscall family that reads only the call's name:
	 * one program on raw_syscalls instead of one per call */
	struct vec extra = {0};
	const char *dispatch = syscalls_dispatch(st, pt, body, cond, &extra);
	if (dispatch) {
		int total = 0;
		for (size_t k = 0; k <= extra.len; k++) {
			struct probe_point *dp = arena_alloc(st->a, sizeof(*dp));
			*dp = *pt;
			dp->comps = (struct vec){0};
			dp->cond = NULL; /* already in cond */
			struct pp_comp *dc0 = arena_alloc(st->a, sizeof(*dc0));
			*dc0 = *c0;
			if (k == 0)
				dc0->name = dispatch;
			vec_push_arena(st->a, &dp->comps, dc0);
			/* then FAMILY.NAME[.return] for each call it leaves out */
			for (size_t j = 1; k > 0 && j < pt->comps.len; j++) {
				struct pp_comp *c = arena_alloc(st->a, sizeof(*c));
				*c = *(const struct pp_comp *)pt->comps.items[j];
				if (j == 1)
					c->name = extra.items[k - 1];
				vec_push_arena(st->a, &dp->comps, c);
			}
			int n = derive_point(st, dp, body, cond, chain, from, depth, stack);
			if (n < 0)
				return -1;
			total += n;
		}
		return total;
	}
	/* aliases: pull in the tapset files that define a match */
	struct strbuf pat;
	sb_init(&pat);
	point_text(&pat, pt, false);
	tapset_pull_for(st, 'a', sb_str(&pat));
	int total = 0;
	bool matched = false, failed = false;
	/* the aliases a wildcard matches expand in name order */
	struct vec matches = {0};
	vec_foreach(&st->adefs, i) {
		const struct adef *ad = st->adefs.items[i];
		if (alias_matches(pt, ad->name->point))
			vec_push_arena(st->a, &matches, (void *)ad);
	}
	if (matches.len > 1 && has_wildcard(pt))
		qsort(matches.items, matches.len, sizeof(void *), cmp_adef_name);
	vec_foreach(&matches, i) {
		const struct adef *ad = matches.items[i];
		matched = true;
		/* the original expands an alias inside itself once more before it
		 * sees the loop */
		int seen = 0;
		for (int k = 0; k < depth; k++)
			seen += stack[k] == ad;
		if (seen >= 2) {
			if (!pt->optional) {
				char *msg =
					arena_printf(st->a,
						     "recursive loop in alias expansion of %s at "
						     "%s:%d:%d",
						     sb_str(&pat), c0->tok->loc.src->name,
						     c0->tok->loc.line, c0->tok->loc.col);
				report_failure(st, c0->tok, "recursive alias", NULL, msg);
			}
			sb_fini(&pat);
			return -1;
		}
		if (depth >= MAX_ALIAS_DEPTH)
			break;
		stack[depth] = ad;
		const struct probe *al = ad->probe;
		struct stmt *nb = body;
		if (ad->name->epilogue)
			nb = join_bodies(st->a, body, al->body);
		else
			nb = join_bodies(st->a, al->body, body);
		if (al->epilogue_body)
			nb = join_bodies(st->a, nb, al->epilogue_body);
		struct strbuf sb;
		sb_init(&sb);
		sb_puts(&sb, "<- ");
		point_text(&sb, ad->name->point, false);
		sb_puts(&sb, ad->name->epilogue ? " += " : " = ");
		vec_foreach(&al->points, j) {
			const struct probe_point *ap = al->points.items[j];
			if (j)
				sb_puts(&sb, ", ");
			point_text(&sb, ap, true);
			if (ap->cond)
				sb_printf(&sb, " if (%s)", elab_expr_text(st->a, ap->cond));
		}
		sb_printf(&sb, " %s", chain);
		const char *nchain = arena_strdup(st->a, sb_str(&sb));
		sb.len = 0;
		sb_puts(&sb, " from: ");
		point_text(&sb, ad->name->point, false);
		sb_puts(&sb, from);
		const char *nfrom = arena_strdup(st->a, sb_str(&sb));
		sb_fini(&sb);
		if (depth == 0) {
			sb_init(&sb);
			point_text(&sb, ad->name->point, false);
			st->alias_pp = arena_strdup(st->a, sb_str(&sb));
			sb_fini(&sb);
		}
		/* -l/-L over a wildcard: an alias this kernel cannot give is left
		 * out of the list quietly, as the original's listing mode does */
		bool quiet = depth == 0 && st->s->list_probes && has_wildcard(pt);
		FILE *out = st->d->out;
		int errors = st->d->errors;
		size_t nprobes = st->e->probes.len;
		int subtotal = 0;
		if (quiet)
			st->d->out = NULL;
		vec_foreach(&al->points, j) {
			const struct probe_point *ap = al->points.items[j];
			st->fallback_follows = j + 1 < al->points.len;
			int n = derive_point(st, ap, nb, cond, nchain, nfrom, depth + 1, stack);
			if (n > 0) {
				subtotal += n;
				if (ap->sufficient)
					break;
			} else if (n < 0 && !ap->optional) {
				failed = true;
				break;
			}
		}
		if (quiet) {
			st->d->out = out;
			if (failed) {
				st->d->errors = errors;
				st->e->probes.len = nprobes;
				subtotal = 0;
				failed = false;
			}
		}
		total += subtotal;
		if (depth == 0)
			st->alias_pp = NULL;
		if (failed)
			break;
	}
	sb_fini(&pat);
	if (failed) {
		/* the alias' own points failed: this use has no match */
		if (!pt->optional)
			report_failure(st, c0->tok, "no match", NULL, "no match");
		return -1;
	}
	if (matched)
		return total;
	if (!pt->optional)
		explain_mismatch(st, pt);
	return -1;
}

void probes_derive(struct elab_state *st)
{
	size_t first = st->e->probes.len;
	vec_foreach(&st->script->probes, i) {
		const struct probe *pr = st->script->probes.items[i];
		struct strbuf sb;
		sb_init(&sb);
		sb_puts(&sb, "<- ");
		vec_foreach(&pr->points, j) {
			const struct probe_point *pt = pr->points.items[j];
			if (j)
				sb_putc(&sb, ',');
			point_text(&sb, pt, true);
			if (pt->cond)
				sb_printf(&sb, " if (%s)", elab_expr_text(st->a, pt->cond));
		}
		const char *chain = arena_strdup(st->a, sb_str(&sb));
		sb_fini(&sb);
		st->probe_tok = pr->tok;
		vec_foreach(&pr->points, j) {
			const struct probe_point *pt = pr->points.items[j];
			const struct adef *stack[MAX_ALIAS_DEPTH];
			struct strbuf from;
			sb_init(&from);
			sb_puts(&from, " from: ");
			point_text(&from, pt, false);
			st->point_tok = ((const struct pp_comp *)pt->comps.items[0])->tok;
			st->fallback_follows = j + 1 < pr->points.len;
			int n = derive_point(st, pt, pr->body, NULL, chain,
					     arena_strdup(st->a, sb_str(&from)), 0, stack);
			sb_fini(&from);
			if (n > 0 && pt->sufficient)
				break;
		}
	}
	/* every derived probe gets its own copy of the body to annotate */
	for (size_t i = first; i < st->e->probes.len; i++) {
		struct eprobe *p = st->e->probes.items[i];
		p->body = copy_stmt(st->a, p->body);
		p->cond = copy_expr(st->a, p->cond);
		p->index = (int)i;
	}
}
