/*
 * procfs probe points: procfs("NAME").read, .write, procfs.read (the name
 * "command"), .umask(M) before .read/.write, .read.maxsize(N).  BPF cannot
 * make files in /proc, so the runtime serves each as a named pipe in the
 * session's directory (src/runtime/procfs.c) and runs the handler in user
 * space: these are host probes.
 *
 * In their bodies $value is the file's text.  As the original does, it
 * becomes calls of functions (tapset/procfs.stp): `$value = v` sets what a
 * reader gets, `$value .= v` appends to it, and in a .write probe `$value`
 * reads what the writer wrote.  The original's rules hold: a .read probe
 * cannot read $value, a .write probe cannot set it.
 */
#include <stdio.h>
#include <string.h>

#include "../internal.h"

/* The original's checks of the name, in its words; NULL when it is good. */
static const char *bad_path(const char *path)
{
	size_t n = strlen(path);
	if (n == 0 || path[n - 1] == '/')
		return "procfs path cannot end with a '/'";
	if (path[0] == '/')
		return "procfs path cannot start with a '/'";
	for (const char *p = path; *p;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (len == 0)
			return "procfs path component cannot be empty";
		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return "procfs path cannot be relative (and contain '.' or '..')";
		p += len + (slash != NULL);
	}
	return NULL;
}

/* procfs[("NAME")][.umask(M)].read[.maxsize(N)] | ....write */
int probes_derive_procfs(struct elab_state *st, const struct derive_ctx *dc)
{
	const struct probe_point *pt = dc->pt;
	const struct pp_comp *c0 = pp_comp_at(pt, 0);
	const struct token *at = c0->tok;
	if (c0->arg && c0->arg->kind != EXPR_STRING)
		return probe_fail(st, dc, "probe point mismatch", at, "probe point mismatch");
	const char *path = c0->arg ? c0->arg->str : "command";
	struct eprobe *p = arena_alloc(st->a, sizeof(*p));
	p->kind = PROBE_PROCFS;
	p->procfs_umask = -1;
	struct strbuf sb;
	sb_init(&sb);
	sb_puts(&sb, "procfs");
	if (c0->arg)
		sb_printf(&sb, "(\"%s\")", path);
	size_t i = 1;
	const struct pp_comp *c = pp_comp_at(pt, i);
	if (c && strcmp(c->name, "umask") == 0 && c->arg && c->arg->kind == EXPR_NUMBER) {
		p->procfs_umask = c->arg->num;
		sb_printf(&sb, ".umask(%lld)", c->arg->num);
		c = pp_comp_at(pt, ++i);
	}
	if (!c) {
		sb_fini(&sb);
		return probe_fail(
			st, dc, "probe point mismatch", at,
			p->procfs_umask < 0
				? "probe point truncated (follow:  read umask(number) write)"
				: "probe point truncated (follow:  read write)");
	}
	if ((strcmp(c->name, "read") != 0 && strcmp(c->name, "write") != 0) || c->arg) {
		sb_fini(&sb);
		return probe_fail(st, dc, "probe point suffix", c->tok, "invalid suffix for probe");
	}
	p->procfs_write = c->name[0] == 'w';
	sb_printf(&sb, ".%s", c->name);
	c = pp_comp_at(pt, ++i);
	if (c && !p->procfs_write && strcmp(c->name, "maxsize") == 0 && c->arg &&
	    c->arg->kind == EXPR_NUMBER) {
		if (c->arg->num <= 0) {
			sb_fini(&sb);
			return probe_fail(st, dc, "probe point value", NULL,
					  "maxsize must be greater than 0");
		}
		p->procfs_maxsize = c->arg->num;
		sb_printf(&sb, ".maxsize(%lld)", c->arg->num);
		c = pp_comp_at(pt, ++i);
	}
	if (c) {
		sb_fini(&sb);
		return probe_fail(st, dc, "probe point suffix", c->tok, "invalid suffix for probe");
	}
	const char *why = bad_path(path);
	if (why) {
		sb_fini(&sb);
		return probe_fail(st, dc, "probe point value", at, why);
	}
	p->procfs_path = arena_strdup(st->a, path);
	probes_add(st, dc, p, arena_strdup(st->a, sb_str(&sb)));
	sb_fini(&sb);
	return 1;
}

static struct expr *make_call(struct elab_state *st, struct expr *e, const char *fn,
			      struct expr *arg)
{
	const struct token *tok = e->tok;
	memset(e, 0, sizeof(*e));
	e->kind = EXPR_CALL;
	e->tok = tok;
	e->str = fn;
	if (arg)
		vec_push_arena(st->a, &e->list, arg);
	return e;
}

/* $value in a procfs probe (e), or an assignment to it (assign, e its
 * left side): becomes a call of the tapset's _procfs_value_*. */
bool procfs_resolve_value(struct elab_state *st, struct expr *e, struct expr *assign)
{
	const struct eprobe *p = st->probe;
	if (!p || p->kind != PROBE_PROCFS || e->kind != EXPR_TARGET)
		return false;
	if (strcmp(e->str, "$value") != 0) {
		diag_semantic(st->d, NULL, e->tok,
			      "invalid target symbol for procfs probe, $value expected");
		return true;
	}
	vec_foreach(&e->comps, i) {
		const struct component *cp = e->comps.items[i];
		if (cp->kind == COMP_PRETTY)
			continue;
		diag_semantic(st->d, NULL, cp->op_tok ? cp->op_tok : cp->tok,
			      cp->kind == COMP_FIELD
				      ? "procfs variable '$value' may not be used as a structure"
				      : "procfs variable '$value' may not be used as array");
		return true;
	}
	if (assign) {
		if (p->procfs_write) {
			diag_semantic(
				st->d, NULL, e->tok,
				"procfs $value variable is read-only in a procfs write probe");
			return true;
		}
		if (strcmp(assign->op, "=") != 0 && strcmp(assign->op, ".=") != 0) {
			diag_semantic(st->d, NULL, e->tok,
				      "Only the following assign operators are implemented on "
				      "procfs read target variables: '=', '.='");
			return true;
		}
		/* where an overflowing $value is reported, as a second argument */
		char desc[256];
		token_describe(e->tok, desc, sizeof(desc));
		struct expr *where = arena_alloc(st->a, sizeof(*where));
		where->kind = EXPR_STRING;
		where->tok = e->tok;
		where->str = arena_printf(st->a, "%s at %s:%d:%d", desc, e->tok->loc.src->name,
					  e->tok->loc.line, e->tok->loc.col);
		make_call(st, assign,
			  assign->op[0] == '=' ? "_procfs_value_set" : "_procfs_value_append",
			  assign->b);
		vec_push_arena(st->a, &assign->list, where);
		return true;
	}
	if (!p->procfs_write) {
		diag_semantic(st->d, NULL, e->tok,
			      "procfs $value variable cannot be read in a procfs read probe");
		return true;
	}
	make_call(st, e, "_procfs_value_get", NULL);
	return true;
}

/* A named pipe carries data one way only, and one handler makes a
 * file's text: the original's bpf runtime has the same two rules. */
void procfs_check_files(struct elab_state *st)
{
	vec_foreach(&st->e->probes, i) {
		const struct eprobe *p = st->e->probes.items[i];
		if (p->kind != PROBE_PROCFS || p->elided)
			continue;
		for (size_t j = 0; j < i; j++) {
			const struct eprobe *q = st->e->probes.items[j];
			if (q->kind != PROBE_PROCFS || q->elided ||
			    strcmp(q->procfs_path, p->procfs_path) != 0)
				continue;
			if (q->procfs_write != p->procfs_write)
				diag_semantic(st->d, NULL, NULL,
					      "both read and write procfs probes cannot exist for "
					      "the same procfs path \"%s\" in the bpf runtime.",
					      p->procfs_path);
			else
				diag_semantic(st->d, NULL, NULL,
					      "only one %s procfs probe can exist for procfs path "
					      "\"%s\"",
					      p->procfs_write ? "write" : "read", p->procfs_path);
			break;
		}
	}
}
