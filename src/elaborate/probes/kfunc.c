/*
 * Kernel function probe points, resolved against the running kernel's BTF
 * (no debuginfo):
 *
 *   kernel.function("PATTERN")[.call|.exported][.return[.maxactive(N)]]
 *   module("MOD").function("PATTERN")...     module("*") for every module
 *   kprobe.function("NAME")[.return[.maxactive(N)]]
 *   kprobe.module("MOD").function("NAME")[.return...]
 *   kprobe.statement(ADDR).absolute          (guru mode)
 *
 * Each matching function becomes its own probe, in name order, named as
 * written with the function's own name in place of the pattern (the
 * original adds "@FILE:LINE", which BTF does not know).  kernel.function
 * and module().function probes have $param, $return and $$parms typed by
 * the function's BTF prototype; kprobe.* probes have none, as the
 * original's, which reads no debuginfo for them.  Which mechanism runs a
 * probe (fentry/fexit, or a kprobe/kretprobe) is decided when the module
 * is loaded, by what that kernel allows (runtime/bpf.c), so that the same
 * module serves kernels with either; a kernel with neither is reported
 * then, at the probe.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../kernel/kernel.h"
#include "../internal.h"

static void fail(struct elab_state *st, const struct probe_point *pt, const char *key,
		 const struct token *why_tok, const char *why)
{
	if (!pt->optional)
		probes_report_failure(st, pp_comp_at(pt, 0)->tok, key, why_tok, why);
}

/* " $return:T $a:T ...": what -L shows. */
static const char *vars_text(struct elab_state *st, const struct kfunc *f, bool ret)
{
	struct strbuf sb;
	sb_init(&sb);
	if (ret && f->returns)
		sb_printf(&sb, " $return:%s", f->ret.type);
	for (int i = 0; i < f->nparams; i++)
		if (f->params[i].name[0])
			sb_printf(&sb, " $%s:%s", f->params[i].name, f->params[i].value.type);
	const char *r = arena_strdup(st->a, sb_str(&sb));
	sb_fini(&sb);
	return r;
}

/* The suffixes after function("..."): .call .exported .return
 * .maxactive(N), in the original's order. */
struct suffixes {
	bool call, exported, ret;
	int64_t maxactive;
	const char *text; /* as they are appended to pp() */
};

static bool parse_suffixes(struct elab_state *st, const struct probe_point *pt, size_t from,
			   bool kprobe, struct suffixes *sf)
{
	struct strbuf sb;
	sb_init(&sb);
	memset(sf, 0, sizeof(*sf));
	for (size_t i = from; i < pt->comps.len; i++) {
		const struct pp_comp *c = pp_comp_at(pt, i);
		bool ok = false;
		if (strcmp(c->name, "call") == 0 && !c->arg && !sf->ret && !sf->call)
			ok = sf->call = true;
		else if (!kprobe && strcmp(c->name, "exported") == 0 && !c->arg && !sf->ret &&
			 !sf->exported)
			ok = sf->exported = true;
		else if (strcmp(c->name, "return") == 0 && !c->arg && !sf->ret && !sf->call)
			ok = sf->ret = true;
		else if (strcmp(c->name, "maxactive") == 0 && sf->ret && !sf->maxactive && c->arg &&
			 c->arg->kind == EXPR_NUMBER) {
			if (c->arg->num <= 0) {
				fail(st, pt, "probe point value", c->tok,
				     "maxactive value out of range (1, ...)");
				sb_fini(&sb);
				return false;
			}
			sf->maxactive = c->arg->num;
			ok = true;
		}
		if (!ok) {
			fail(st, pt, "probe point suffix", c->tok, "invalid suffix for probe");
			sb_fini(&sb);
			return false;
		}
		if (c->arg)
			sb_printf(&sb, ".%s(%lld)", c->name, c->arg->num);
		else
			sb_printf(&sb, ".%s", c->name);
	}
	sf->text = arena_strdup(st->a, sb_str(&sb));
	sb_fini(&sb);
	return true;
}

/* "no match (similar functions: a, b)", as the original. */
static void no_match(struct elab_state *st, const struct probe_point *pt, const char *pattern,
		     struct vec *names)
{
	if (pt->optional)
		return;
	char *similar = NULL;
	if (!strpbrk(pattern, "*?[") && names->len)
		similar = suggest_names(pattern, (const char *const *)names->items, names->len, 5,
					(unsigned)strlen(pattern) * 2);
	char *msg = arena_printf(
		st->a, "no match%s%s%s", similar && *similar ? " (similar functions: " : "",
		similar && *similar ? similar : "", similar && *similar ? ")" : "");
	free(similar);
	fail(st, pt, "no match", NULL, msg);
}

static int add_functions(struct elab_state *st, const struct derive_ctx *dc, struct vec *fns,
			 const char *family, bool kprobe, const struct suffixes *sf)
{
	int n = 0;
	vec_foreach(fns, i) {
		const struct kfunc *f = fns->items[i];
		const struct kfunc *prev = i ? fns->items[i - 1] : NULL;
		if (prev && strcmp(prev->name, f->name) == 0 && prev->module == f->module)
			continue; /* two static functions of one name: one probe, as kallsyms */
		struct eprobe *p = arena_alloc(st->a, sizeof(*p));
		p->kind = PROBE_KFUNC;
		p->kernel = true;
		p->kf = f;
		p->kf_return = sf->ret;
		p->kf_kprobe = kprobe;
		p->maxactive = sf->maxactive;
		if (!kprobe)
			p->vars = vars_text(st, f, sf->ret);
		const char *pp;
		if (f->module)
			pp = arena_printf(st->a, "%smodule(\"%s\").function(\"%s\")%s", family,
					  f->module, f->name, sf->text);
		else
			pp = arena_printf(st->a, "%sfunction(\"%s\")%s", family, f->name, sf->text);
		probes_add(st, dc, p, pp);
		n++;
	}
	return n;
}

/* function("PATTERN")... of the kernel (module NULL) or of modules
 * matching a pattern; comps[at] is the function component. */
static int derive_function(struct elab_state *st, const struct derive_ctx *dc, const char *modpat,
			   size_t at, bool kprobe)
{
	const struct probe_point *pt = dc->pt;
	const struct pp_comp *cf = pp_comp_at(pt, at);
	if (!cf->arg || cf->arg->kind != EXPR_STRING) {
		fail(st, pt, "probe point mismatch", cf->tok, "probe point mismatch");
		return -1;
	}
	struct suffixes sf;
	if (!parse_suffixes(st, pt, at + 1, kprobe, &sf))
		return -1;
	const char *pattern = cf->arg->str;
	if (strchr(pattern, '@') || strchr(pattern, ':')) {
		fail(st, pt, "probe point value", cf->tok,
		     "a source file or line (FUNCTION@FILE:LINE) needs the kernel's debuginfo, "
		     "which is not installed; BTF names functions only");
		return -1;
	}
	if (sf.exported && kfunc_exported_available() != 0) {
		fail(st, pt, "probe point value", pp_comp_at(pt, at + 1)->tok,
		     "the kernel's exported symbols (__ksymtab_* in /proc/kallsyms) cannot be "
		     "read");
		return -1;
	}
	/* "kernel.function(...) !, kernel.trace(...)": where this kernel can run
	 * no kernel function probe (neither fentry nor kprobes), the point
	 * has no match, so that the next alternative serves, as the original
	 * passes over a function its kernel cannot probe */
	if (pt->sufficient && st->fallback_follows && !kfunc_kprobes_work() &&
	    !kfunc_fentry_works(NULL))
		return -1;
	const char *family = kprobe ? "kprobe." : "kernel.";
	struct vec fns = {0}, names = {0};
	const char *err = NULL;
	if (!modpat) {
		if (kfunc_list(st->a, NULL, pattern, sf.exported, &fns, &names, &err) != 0) {
			fail(st, pt, "probe point value", cf->tok, err);
			return -1;
		}
	} else {
		struct vec mods = {0};
		kfunc_modules(&mods);
		bool any = false;
		vec_foreach(&mods, i) {
			const char *m = mods.items[i];
			if (fnmatch(modpat, m, 0) == 0) {
				any = true;
				if (kfunc_list(st->a, m, pattern, sf.exported, &fns, &names,
					       &err) != 0 &&
				    !strpbrk(modpat, "*?[")) {
					fail(st, pt, "probe point value",
					     pp_comp_at(pt, at - 1)->tok, err);
					vec_foreach(&mods, j)
						free(mods.items[j]);
					vec_fini(&mods);
					return -1;
				}
			}
			free(mods.items[i]);
		}
		vec_fini(&mods);
		if (!any) {
			fail(st, pt, "probe point value", pp_comp_at(pt, at - 1)->tok,
			     arena_printf(st->a, "no module matches '%s' (/proc/modules)", modpat));
			return -1;
		}
		family = kprobe ? "kprobe." : "";
	}
	if (fns.len == 0) {
		no_match(st, pt, pattern, &names);
		return -1;
	}
	return add_functions(st, dc, &fns, family, kprobe, &sf);
}

/* kprobe.statement(ADDR).absolute: a kprobe at an address, in guru mode. */
static int derive_absolute(struct elab_state *st, const struct derive_ctx *dc)
{
	const struct probe_point *pt = dc->pt;
	const struct pp_comp *c1 = pp_comp_at(pt, 1), *c2 = pp_comp_at(pt, 2);
	if (!c1->arg || c1->arg->kind != EXPR_NUMBER || !c2 || strcmp(c2->name, "absolute") != 0 ||
	    c2->arg || pt->comps.len > 3) {
		fail(st, pt, "probe point mismatch", c2 ? c2->tok : c1->tok,
		     "probe point mismatch");
		return -1;
	}
	if (!st->s->guru) {
		/* the original points at the probe, not the point */
		fail(st, pt, "probe point value", st->probe_tok,
		     "absolute statement probe in unprivileged script; need stap -g");
		return -1;
	}
	struct eprobe *p = arena_alloc(st->a, sizeof(*p));
	p->kind = PROBE_KFUNC;
	p->kernel = true;
	p->kf_kprobe = true;
	p->kf_addr = (uint64_t)c1->arg->num;
	probes_add(st, dc, p,
		   arena_printf(st->a, "kprobe.statement(0x%llx).absolute",
				(unsigned long long)p->kf_addr));
	return 1;
}

int probes_derive_kfunc(struct elab_state *st, const struct derive_ctx *dc)
{
	const struct probe_point *pt = dc->pt;
	const struct pp_comp *c0 = pp_comp_at(pt, 0), *c1 = pp_comp_at(pt, 1),
			     *c2 = pp_comp_at(pt, 2);
	bool kprobe = strcmp(c0->name, "kprobe") == 0;
	bool module = strcmp(c0->name, "module") == 0;
	if (module) {
		if (!c0->arg || c0->arg->kind != EXPR_STRING || !c1 ||
		    strcmp(c1->name, "function") != 0) {
			fail(st, pt, "probe point mismatch", c1 ? c1->tok : c0->tok,
			     c1 ? "probe point mismatch (similar: function)"
				: "probe point truncated (follow:  function(string))");
			return -1;
		}
		return derive_function(st, dc, c0->arg->str, 1, false);
	}
	if (!c1) {
		fail(st, pt, "probe point mismatch", c0->tok,
		     kprobe ? "probe point truncated (follow:  function(string) module(string) "
			      "statement(number))"
			    : "probe point truncated (follow:  function(string) trace(string))");
		return -1;
	}
	if (strcmp(c1->name, "function") == 0)
		return derive_function(st, dc, NULL, 1, kprobe);
	if (kprobe && strcmp(c1->name, "module") == 0 && c1->arg && c1->arg->kind == EXPR_STRING &&
	    c2 && strcmp(c2->name, "function") == 0)
		return derive_function(st, dc, c1->arg->str, 2, true);
	if (kprobe && strcmp(c1->name, "statement") == 0)
		return derive_absolute(st, dc);
	if (strcmp(c1->name, "statement") == 0) {
		fail(st, pt, "probe point value", c1->tok,
		     "kernel.statement probes need the kernel's debuginfo (line tables), which is "
		     "not installed; BTF names functions only");
		return -1;
	}
	fail(st, pt, "probe point mismatch", c1->tok,
	     kprobe ? "probe point mismatch (similar: function, module, statement)"
		    : "probe point mismatch (similar: trace, function, statement)");
	return -1;
}

/* ---- one kprobe.multi program for many functions ---- */

static bool reads_kf_context(const struct expr *e);

static bool stmt_reads_kf_context(const struct stmt *s)
{
	if (!s)
		return false;
	if (reads_kf_context(s->expr) || reads_kf_context(s->init) || reads_kf_context(s->step) ||
	    reads_kf_context(s->value) || reads_kf_context(s->array) ||
	    reads_kf_context(s->limit) || stmt_reads_kf_context(s->body) ||
	    stmt_reads_kf_context(s->other))
		return true;
	vec_foreach(&s->stmts, i)
		if (stmt_reads_kf_context(s->stmts.items[i]))
			return true;
	return false;
}

static bool reads_kf_context(const struct expr *e)
{
	if (!e)
		return false;
	if (e->kind == EXPR_CONTEXT && e->cv &&
	    (e->cv->kind == CV_KF_ARG || e->cv->kind == CV_KF_RETURN))
		return true;
	if (reads_kf_context(e->a) || reads_kf_context(e->b) || reads_kf_context(e->c))
		return true;
	vec_foreach(&e->list, i)
		if (reads_kf_context(e->list.items[i]))
			return true;
	vec_foreach(&e->comps, i)
		if (reads_kf_context(((const struct component *)e->comps.items[i])->index))
			return true;
	return false;
}

/* Probes derived from one written point (kernel.function("vfs_*")) whose
 * handlers read no parameter and no $return are the same program but for
 * the probe they are (pp(), ppfunc(), their statistics): on kprobes, one
 * kprobe.multi program attached to all their functions at once, with each
 * function's probe index as its cookie, runs them all (runtime/bpf.c).
 * Module functions are left alone: 6.1's kprobe.multi finds vmlinux
 * symbols only. */
void kfunc_group_probes(struct elab_state *st)
{
	struct vec *probes = &st->e->probes;
	const char **texts = arena_alloc(st->a, (probes->len + 1) * sizeof(*texts));
	vec_foreach(probes, i) {
		struct eprobe *p = probes->items[i];
		if (p->kind != PROBE_KFUNC || !p->kf || p->kf->module || p->elided ||
		    p->args_used || p->maxactive || stmt_reads_kf_context(p->body) ||
		    reads_kf_context(p->cond))
			continue;
		texts[i] = arena_printf(st->a, "%s\n%s", elab_stmt_text(st->a, p->body),
					p->cond ? elab_expr_text(st->a, p->cond) : "");
		for (size_t j = 0; j < i; j++) {
			struct eprobe *q = probes->items[j];
			if (texts[j] && q->tok == p->tok && q->kf_return == p->kf_return &&
			    q->locals.len == p->locals.len && strcmp(texts[j], texts[i]) == 0) {
				p->kp_group = q->kp_group ? q->kp_group : (int)j + 1;
				q->kp_group = p->kp_group;
				break;
			}
		}
	}
}
