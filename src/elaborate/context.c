/*
 * Kernel context: the context variables of kernel probes, and where each
 * piece of the program runs.
 *
 * Resolution (called from resolve.c): in a kernel.trace probe, $field names
 * a field of the event's record and becomes an EXPR_CONTEXT node; $$vars and
 * $$parms become sprintf("name=0x%x ...", $field...) of every field but the
 * common ones, $field$ a sprintf of the one field, $$name and $$system
 * string literals.  So only the plain field read reaches the translator.
 *
 * Placement (context_place, after the optimizer): a probe of a kernel event
 * runs in BPF; a function runs where its callers do (both, if called from
 * both); a global that BPF code touches is "shared" and lives in a BPF map
 * or BPF global data, which the host handlers reach through the runtime.
 * What BPF code cannot do is reported here, at the user's code, so that the
 * verifier never has to be the one who says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kernel/kernel.h"
#include "../parse/printf_fmt.h"
#include "internal.h"

/* ---- resolution ---- */

static const struct tp_field *find_field(const struct tp_format *fmt, const char *name)
{
	vec_foreach(&fmt->fields, i) {
		const struct tp_field *f = fmt->fields.items[i];
		if (strcmp(f->name, name) == 0)
			return f;
	}
	return NULL;
}

static enum vtype field_type(const struct tp_field *f)
{
	return f->kind == TPF_CHAR_ARRAY || f->kind == TPF_DATA_LOC ? TYPE_STRING : TYPE_LONG;
}

static struct expr *new_node(struct arena *a, enum expr_kind kind, const struct token *tok)
{
	struct expr *e = arena_alloc(a, sizeof(*e));
	e->kind = kind;
	e->tok = tok;
	return e;
}

static struct expr *field_read(struct elab_state *st, const struct tp_field *f,
			       const struct token *tok)
{
	struct expr *e = new_node(st->a, EXPR_CONTEXT, tok);
	struct ctxvar *cv = arena_alloc(st->a, sizeof(*cv));
	cv->kind = CV_TP_FIELD;
	cv->field = f;
	cv->type = field_type(f);
	e->cv = cv;
	return e;
}

static int find_arg(const struct eprobe *p, const char *name)
{
	for (int i = 0; i < p->tp_nargs; i++)
		if (strcmp(p->tp_args[i].name, name) == 0)
			return i;
	return -1;
}

/* $arg: the argument's 8 bytes of the raw_tp context, extended as its
 * type says (the kernel stores each zero-extended). */
static struct expr *arg_read(struct elab_state *st, const struct eprobe *p, int i,
			     const struct token *tok)
{
	struct kbtf_value v;
	kbtf_value(p->tp_args[i].type_id, &v);
	struct expr *e = new_node(st->a, EXPR_CONTEXT, tok);
	struct ctxvar *cv = arena_alloc(st->a, sizeof(*cv));
	cv->kind = CV_TP_ARG;
	cv->arg = i;
	cv->type = TYPE_LONG;
	cv->value_size = v.kind == KBTF_LONG && v.size <= 8 ? v.size : 8;
	cv->value_signed = v.kind == KBTF_LONG && v.is_signed;
	e->cv = cv;
	return e;
}

/* Turn e into the string literal str. */
void context_make_string(struct expr *e, const char *str)
{
	const struct token *tok = e->tok;
	memset(e, 0, sizeof(*e));
	e->kind = EXPR_STRING;
	e->tok = tok;
	e->str = str;
}

/* Turn e into sprintf(fmt, args...). */
void context_make_sprintf(struct elab_state *st, struct expr *e, const char *fmt, struct vec *args)
{
	const struct token *tok = e->tok;
	memset(e, 0, sizeof(*e));
	e->kind = EXPR_PRINT;
	e->tok = tok;
	e->str = "sprintf";
	struct expr *f = new_node(st->a, EXPR_STRING, tok);
	f->str = fmt;
	vec_push_arena(st->a, &e->list, f);
	vec_foreach(args, i)
		vec_push_arena(st->a, &e->list, args->items[i]);
}

/* The raw format (as a script writes it) and argument of one field. */
static void pretty_field(struct elab_state *st, struct strbuf *fmt, struct vec *args,
			 const struct tp_field *f, const struct token *tok, bool hex)
{
	if (field_type(f) == TYPE_STRING)
		sb_puts(fmt, "\\\"%s\\\"");
	else
		sb_puts(fmt, hex || f->kind == TPF_POINTER ? "0x%x" : "%d");
	vec_push_arena(st->a, args, field_read(st, f, tok));
}

/* The names a probe's $var may take: its arguments, then the fields of
 * its record that are no argument's name. */
static void alternatives(struct strbuf *sb, const struct eprobe *p)
{
	for (int i = 0; i < p->tp_nargs; i++)
		sb_printf(sb, "%s$%s", sb->len ? " " : "", p->tp_args[i].name);
	vec_foreach(&p->tp->fields, i) {
		const struct tp_field *f = p->tp->fields.items[i];
		if (f->common || find_arg(p, f->name) >= 0)
			continue;
		sb_printf(sb, "%s$%s", sb->len ? " " : "", f->name);
	}
}

static void resolve_chain(struct elab_state *st, struct expr *e, int id, struct expr *addr,
			  bool of_arg);
static void pretty_struct(struct elab_state *st, struct expr *e, const struct ctxvar *cv, int id,
			  struct expr *addr, const struct component *pretty);
static void pretty_parms(struct elab_state *st, struct expr *e, const struct component *pretty);

/* $arg, $arg->a->b[N], $arg$ */
static void resolve_arg(struct elab_state *st, struct expr *e, int i)
{
	const struct eprobe *p = st->probe;
	int type = p->tp_args[i].type_id;
	bool members = false;
	const struct component *pretty = NULL;
	vec_foreach(&e->comps, k) {
		const struct component *c = e->comps.items[k];
		if (c->kind == COMP_PRETTY)
			pretty = c;
		else
			members = true;
	}
	struct expr *read = arg_read(st, p, i, e->tok);
	if (members) {
		int root = kbtf_pointee(type);
		if (root < 0) {
			char *have = kbtf_type_text(type);
			diag_semantic(st->d, NULL, e->tok,
				      "'%s' is a '%s': only a pointer to a struct or union has "
				      "members here",
				      e->str, have);
			free(have);
			return;
		}
		resolve_chain(st, e, root, read, true);
		return;
	}
	if (pretty && kbtf_pointee(type) >= 0) {
		int root = kbtf_pointee(type);
		struct ctxvar *cv = arena_alloc(st->a, sizeof(*cv));
		cv->kind = CV_CAST;
		cv->root = arena_strdup(st->a, kbtf_type_name(root));
		cv->root_union = kbtf_is_union(root);
		pretty_struct(st, e, cv, type, read, pretty);
		return;
	}
	if (pretty && kbtf_is_char_pointer(type)) {
		diag_semantic(
			st->d, NULL, pretty->tok,
			"pretty-printing the string a pointer points to (%s$) is not supported "
			"yet",
			e->str);
		return;
	}
	if (pretty) {
		/* a number as the original's $var$ prints it */
		const struct token *tok = e->tok;
		struct vec args = {0};
		vec_push_arena(st->a, &args, read);
		memset(e, 0, sizeof(*e));
		e->tok = tok;
		struct kbtf_value v;
		kbtf_value(type, &v);
		context_make_sprintf(st, e,
				     v.is_pointer             ? "0x%x"
				     : read->cv->value_signed ? "%d"
							      : "%u",
				     &args);
		return;
	}
	*e = *read;
}

static void resolve_trace_target(struct elab_state *st, struct expr *e)
{
	const struct eprobe *p = st->probe;
	const char *name = e->str;
	int arg = name[0] == '$' && name[1] != '$' ? find_arg(p, name + 1) : -1;
	bool members = false;
	vec_foreach(&e->comps, i)
		members |= ((const struct component *)e->comps.items[i])->kind != COMP_PRETTY;
	if (arg >= 0 && (members || !e->addressof)) {
		resolve_arg(st, e, arg);
		/* a name that is also a field: the field in a probe that
		 * reads fields (tracepoint_contexts) */
		const struct tp_field *f = find_field(p->tp, name + 1);
		if (!members && f && field_type(f) == TYPE_LONG && f->kind != TPF_OTHER) {
			struct expr *read = e->kind == EXPR_PRINT ? e->list.items[1] : e;
			((struct ctxvar *)read->cv)->field = f;
		}
		return;
	}
	if (e->addressof) {
		diag_semantic(st->d, NULL, e->tok,
			      "cannot take the address of tracepoint variable '%s'", name);
		return;
	}
	const struct component *pretty = NULL;
	vec_foreach(&e->comps, i) {
		const struct component *c = e->comps.items[i];
		if (c->kind == COMP_PRETTY)
			pretty = c;
		else {
			diag_semantic(st->d, NULL, c->tok,
				      "tracepoint fields are read as they are: '%s' has no "
				      "members or elements here",
				      name);
			return;
		}
	}
	if (strcmp(name, "$$name") == 0 || strcmp(name, "$$system") == 0) {
		context_make_string(e, name[2] == 'n' ? p->tp_event : p->tp_group);
		return;
	}
	if (strcmp(name, "$$vars") == 0 || strcmp(name, "$$parms") == 0) {
		if (pretty && p->tp_nargs) {
			pretty_parms(st, e, pretty);
			return;
		}
		/* the arguments when the event has them, as the original;
		 * "0x%x" is its %p and %#x (which bpf_snprintf lacks) */
		struct strbuf fmt;
		sb_init(&fmt);
		struct vec args = {0};
		for (int i = 0; i < p->tp_nargs; i++) {
			sb_printf(&fmt, "%s%s=0x%%x", fmt.len ? " " : "", p->tp_args[i].name);
			vec_push_arena(st->a, &args, arg_read(st, p, i, e->tok));
		}
		vec_foreach(&p->tp->fields, i) {
			const struct tp_field *f = p->tp->fields.items[i];
			if (p->tp_nargs || f->common || f->kind == TPF_OTHER)
				continue;
			sb_printf(&fmt, "%s%s=", fmt.len ? " " : "", f->name);
			pretty_field(st, &fmt, &args, f, e->tok, true);
		}
		context_make_sprintf(st, e, arena_strdup(st->a, sb_str(&fmt)), &args);
		sb_fini(&fmt);
		return;
	}
	const struct tp_field *f =
		name[0] == '$' && name[1] != '$' ? find_field(p->tp, name + 1) : NULL;
	if (!f || f->kind == TPF_OTHER) {
		struct strbuf sb;
		sb_init(&sb);
		alternatives(&sb, p);
		if (f)
			diag_semantic(
				st->d, NULL, e->tok,
				"tracepoint variable '%s' has a type scripts cannot read (%s)",
				name, f->type);
		else
			diag_semantic(st->d, NULL, e->tok,
				      "unable to find tracepoint variable '%s' (alternatives: %s)",
				      name, sb_str(&sb));
		sb_fini(&sb);
		return;
	}
	if (pretty) {
		struct strbuf fmt;
		sb_init(&fmt);
		struct vec args = {0};
		pretty_field(st, &fmt, &args, f, e->tok, false);
		context_make_sprintf(st, e, arena_strdup(st->a, sb_str(&fmt)), &args);
		sb_fini(&fmt);
		return;
	}
	*e = *field_read(st, f, e->tok);
}

/* ---- kernel functions: $param, $return, $$parms ---- */

static struct expr *kf_read(struct elab_state *st, const struct kfunc_value *v, int index,
			    const struct token *tok)
{
	struct expr *e = new_node(st->a, EXPR_CONTEXT, tok);
	struct ctxvar *cv = arena_alloc(st->a, sizeof(*cv));
	cv->kind = index < 0 ? CV_KF_RETURN : CV_KF_ARG;
	if (index >= 0 && st->probe && st->probe->kf_return)
		((struct eprobe *)st->probe)->entry_args = true;
	if (index >= 0 && index < 32 && st->probe)
		((struct eprobe *)st->probe)->args_used |= 1u << index;
	cv->index = index;
	cv->type = TYPE_LONG;
	cv->value_size = v->size;
	cv->value_signed = v->is_signed;
	e->cv = cv;
	return e;
}

static void kf_alternatives(struct strbuf *sb, const struct eprobe *p)
{
	const struct kfunc *f = p->kf;
	if (p->kf_return && f->returns)
		sb_puts(sb, "$return");
	for (int i = 0; i < f->nparams; i++)
		if (f->params[i].name[0])
			sb_printf(sb, "%s$%s", sb->len ? " " : "", f->params[i].name);
}

/* The parameter (or return value) named $name; NULL (and *index) when none. */
static const struct kfunc_value *kf_find(const struct eprobe *p, const char *name, int *index)
{
	const struct kfunc *f = p->kf;
	if (name[0] != '$' || name[1] == '$')
		return NULL;
	if (strcmp(name + 1, "return") == 0) {
		*index = -1;
		return p->kf_return && f->returns ? &f->ret : NULL;
	}
	for (int i = 0; i < f->nparams; i++)
		if (strcmp(f->params[i].name, name + 1) == 0) {
			*index = i;
			return &f->params[i].value;
		}
	return NULL;
}

static void resolve_kfunc_target(struct elab_state *st, struct expr *e)
{
	const struct eprobe *p = st->probe;
	const struct kfunc *f = p->kf;
	const char *name = e->str;
	if (strcmp(name, "$$vars") == 0 || strcmp(name, "$$parms") == 0 ||
	    strcmp(name, "$$return") == 0 || strcmp(name, "$$locals") == 0) {
		if (e->comps.len) {
			diag_semantic(st->d, NULL, e->tok,
				      "pretty-printing %s$ is not supported yet", name);
			return;
		}
		struct strbuf fmt;
		sb_init(&fmt);
		struct vec args = {0};
		if (name[2] == 'r') {
			if (p->kf_return && f->returns) {
				sb_puts(&fmt, "return=0x%x");
				vec_push_arena(st->a, &args, kf_read(st, &f->ret, -1, e->tok));
			}
		} else if (name[2] != 'l') {
			for (int i = 0; i < f->nparams; i++) {
				const struct kfunc_param *prm = &f->params[i];
				if (!prm->name[0])
					continue;
				sb_printf(&fmt, "%s%s=", fmt.len ? " " : "", prm->name);
				if (prm->value.scalar) {
					/* sign-extended, as the original: int -100 is
					 * 0xffffffffffffff9c */
					sb_puts(&fmt, "0x%x");
					vec_push_arena(st->a, &args,
						       kf_read(st, &prm->value, i, e->tok));
				} else {
					sb_puts(&fmt, "{...}");
				}
			}
		}
		context_make_sprintf(st, e, arena_strdup(st->a, sb_str(&fmt)), &args);
		sb_fini(&fmt);
		return;
	}
	int index = 0;
	const struct kfunc_value *v = kf_find(p, name, &index);
	if (!v) {
		struct strbuf sb;
		sb_init(&sb);
		kf_alternatives(&sb, p);
		diag_semantic(st->d, NULL, e->tok,
			      "unable to find local '%s' in %s (alternatives: %s)", name + 1,
			      f->name, sb_str(&sb));
		sb_fini(&sb);
		return;
	}
	if (!v->scalar) {
		diag_semantic(st->d, NULL, e->tok,
			      "'%s' is a %s, passed by value: only integers and pointers can be "
			      "read yet",
			      name, v->type);
		return;
	}
	if (e->addressof) {
		diag_semantic(st->d, NULL, e->tok,
			      "cannot take the address of '%s': it lives in a register", name);
		return;
	}
	const struct component *first = e->comps.len ? e->comps.items[0] : NULL;
	if (first && first->kind == COMP_PRETTY) {
		if (v->is_pointer) {
			diag_semantic(st->d, NULL, first->tok,
				      "pretty-printing the %s '%s' ($) is not supported yet",
				      v->type, name);
			return;
		}
		struct vec args = {0};
		vec_push_arena(st->a, &args, kf_read(st, v, index, e->tok));
		context_make_sprintf(st, e, "%d", &args);
		return;
	}
	if (first) {
		/* $p->a->b is @cast($p, "struct T")->a->b */
		if (!v->pointee) {
			diag_semantic(st->d, NULL, first->tok,
				      "'%s' is a %s: only a pointer to a struct or union has "
				      "members",
				      name, v->type);
			return;
		}
		e->kind = EXPR_CAST;
		e->str = v->pointee;
		e->module = NULL;
		e->a = kf_read(st, v, index, e->tok);
		context_resolve_cast(st, e);
		return;
	}
	*e = *kf_read(st, v, index, e->tok);
}

/* @cast(addr, "type" [, "module"])->a->b[N]...: each member from the
 * kernel's BTF; the node becomes an EXPR_CONTEXT whose a is the address. */
void context_resolve_cast(struct elab_state *st, struct expr *e)
{
	const char *err = NULL;
	if (e->module && strcmp(e->module, "kernel") != 0 &&
	    strncmp(e->module, "kernel<", 7) != 0) {
		if (dwarf_resolve_cast(st, e))
			return;
		diag_semantic(st->d, NULL, e->tok,
			      "@cast of a type in module '%s': only kernel types are known here",
			      e->module);
		return;
	}
	int id = kbtf_root(e->str, &err);
	if (id < 0) {
		diag_semantic(st->d, NULL, e->tok, "type definition '%s' not found: %s", e->str,
			      err);
		return;
	}
	resolve_chain(st, e, id, e->a, false);
}

/* ---- $var$ and $var$$ of a struct or union ---- */

/* "{.a=1, .b=0x..., .c={...}, .d=[...], .comm=\"sh\", <union>={...}}", as
 * the original prints it: $ one level, $$ every level; numbers in
 * decimal, pointers in hex, char arrays quoted.  Each member is one read
 * (a chain from the same address); members whose text could no longer fit
 * in MAXSTRINGLEN are left out, as the original's string ends there. */
struct pretty {
	struct elab_state *st;
	const struct ctxvar *base; /* the chain to the struct: root and steps */
	struct expr *addr;
	const struct token *tok;
	struct strbuf fmt;
	struct vec args;
	long room; /* bytes of text that can still show */
	bool all;  /* $$ */
	bool failed;
};

static long max_string_len(const struct session *s)
{
	vec_foreach(&s->defines, i) {
		const char *d = s->defines.items[i];
		if (strncmp(d, "MAXSTRINGLEN=", 13) == 0)
			return strtol(d + 13, NULL, 0);
	}
	return 512;
}

static void pretty_text(struct pretty *pp, const char *text, long shown)
{
	sb_puts(&pp->fmt, text);
	pp->room -= shown;
}

/* One member read: the base chain, prefix, then step. */
static void pretty_value(struct pretty *pp, const struct vec *prefix, struct kbtf_step *step,
			 const struct kbtf_value *v)
{
	struct arena *a = pp->st->a;
	struct ctxvar *cv = arena_alloc(a, sizeof(*cv));
	*cv = *pp->base;
	cv->steps = (struct vec){0};
	vec_foreach(&pp->base->steps, i)
		vec_push_arena(a, &cv->steps, pp->base->steps.items[i]);
	vec_foreach(prefix, i)
		vec_push_arena(a, &cv->steps, prefix->items[i]);
	struct kbtf_step *copy = arena_alloc(a, sizeof(*copy));
	*copy = *step;
	if (step->decl) {
		copy->decl = arena_strdup(a, step->decl);
		free(step->decl);
	}
	vec_push_arena(a, &cv->steps, copy);
	cv->type = v->kind == KBTF_STRING ? TYPE_STRING : TYPE_LONG;
	cv->value_size = v->size;
	cv->value_signed = v->is_signed;
	cv->chars = false;
	cv->addressof = false;
	struct expr *e = new_node(a, EXPR_CONTEXT, pp->tok);
	e->cv = cv;
	e->a = arena_alloc(a, sizeof(*e->a));
	*e->a = *pp->addr;
	vec_push_arena(a, &pp->args, e);
	pretty_text(pp,
		    v->kind == KBTF_STRING ? "\\\"%s\\\""
		    : v->is_pointer        ? "0x%x"
		    : v->is_signed         ? "%d"
					   : "%u",
		    v->kind == KBTF_STRING ? 2 : 1);
}

/* The members of list_id, each stepped to from step_id (the same, but for
 * an anonymous member's, which are its container's, and a pointer's). */
static void pretty_members(struct pretty *pp, int list_id, int step_id, bool first,
			   struct vec *prefix, int depth)
{
	struct kbtf_member ms[256];
	int n = kbtf_members(list_id, ms, 256);
	if (n > 256)
		n = 256;
	pretty_text(pp, "{", 1);
	for (int i = 0; i < n && pp->room > 0 && !pp->failed; i++) {
		const struct kbtf_member *m = &ms[i];
		if (i)
			pretty_text(pp, ", ", 2);
		if (!m->name) {
			pretty_text(pp, m->is_union ? "<union>=" : "<struct>=", 8);
			if (pp->all || depth == 0)
				pretty_members(pp, m->type_id, step_id, first, prefix, depth + 1);
			else
				pretty_text(pp, "{...}", 5);
			continue;
		}
		char label[160];
		snprintf(label, sizeof(label), ".%s=", m->name);
		pretty_text(pp, label, (long)strlen(label));
		if (m->bitfield) {
			diag_semantic(pp->st->d, NULL, pp->tok,
				      "pretty-printing the bit field '%s' is not supported yet",
				      m->name);
			pp->failed = true;
			return;
		}
		struct kbtf_step step;
		const char *err;
		if (kbtf_step(step_id, first, m->name, 0, false, &step, &err) != 0) {
			diag_semantic(pp->st->d, NULL, pp->tok,
				      "cannot pretty-print member '%s': %s", m->name, err);
			pp->failed = true;
			return;
		}
		struct kbtf_value v;
		kbtf_value(step.id, &v);
		if (v.kind != KBTF_AGGREGATE) {
			pretty_value(pp, prefix, &step, &v);
			continue;
		}
		struct kbtf_member probe;
		bool composite = kbtf_members(step.id, &probe, 1) >= 0;
		if (!composite || !pp->all) {
			free(step.decl);
			pretty_text(pp, composite ? "{...}" : "[...]", 5);
			continue;
		}
		struct kbtf_step *kept = arena_alloc(pp->st->a, sizeof(*kept));
		*kept = step;
		if (step.decl) {
			kept->decl = arena_strdup(pp->st->a, step.decl);
			free(step.decl);
		}
		vec_push(prefix, kept);
		pretty_members(pp, step.id, step.id, false, prefix, depth + 1);
		prefix->len--;
	}
	pretty_text(pp, "}", 1);
}

/* e (a chain whose value is cv, ending on struct or union id, or a
 * pointer to one) becomes sprintf() of the pretty form. */
static void pretty_struct(struct elab_state *st, struct expr *e, const struct ctxvar *cv, int id,
			  struct expr *addr, const struct component *pretty)
{
	int list_id = kbtf_pointee(id);
	if (list_id < 0)
		list_id = id;
	struct pretty pp = {.st = st, .base = cv, .addr = addr, .tok = e->tok};
	pp.room = max_string_len(st->s) - 1;
	pp.all = strcmp(pretty->name, "$$") == 0;
	sb_init(&pp.fmt);
	struct vec prefix = {0};
	/* from the address itself (an argument), or on from the chain */
	bool first = cv->steps.len == 0;
	pretty_members(&pp, list_id, first ? list_id : id, first, &prefix, 0);
	vec_fini(&prefix);
	if (!pp.failed)
		context_make_sprintf(st, e, arena_strdup(st->a, sb_str(&pp.fmt)), &pp.args);
	sb_fini(&pp.fmt);
}

/* $$parms$, $$vars$ (and $$): "name=VALUE ..." of the arguments, a
 * pointer to a struct as $arg$ prints it, a number in decimal. */
static void pretty_parms(struct elab_state *st, struct expr *e, const struct component *pretty)
{
	const struct eprobe *p = st->probe;
	struct pretty pp = {.st = st, .tok = e->tok};
	pp.room = max_string_len(st->s) - 1;
	pp.all = strcmp(pretty->name, "$$") == 0;
	sb_init(&pp.fmt);
	for (int i = 0; i < p->tp_nargs && pp.room > 0 && !pp.failed; i++) {
		int type = p->tp_args[i].type_id;
		char label[160];
		snprintf(label, sizeof(label), "%s%s=", i ? " " : "", p->tp_args[i].name);
		pretty_text(&pp, label, (long)strlen(label));
		struct expr *read = arg_read(st, p, i, e->tok);
		int root = kbtf_pointee(type);
		if (root >= 0) {
			struct ctxvar *cv = arena_alloc(st->a, sizeof(*cv));
			cv->kind = CV_CAST;
			cv->root = arena_strdup(st->a, kbtf_type_name(root));
			cv->root_union = kbtf_is_union(root);
			pp.base = cv;
			pp.addr = read;
			struct vec prefix = {0};
			pretty_members(&pp, root, root, true, &prefix, 0);
			vec_fini(&prefix);
			continue;
		}
		if (kbtf_is_char_pointer(type)) {
			diag_semantic(st->d, NULL, pretty->tok,
				      "pretty-printing the string argument '%s' points to is not "
				      "supported yet",
				      p->tp_args[i].name);
			pp.failed = true;
			break;
		}
		struct kbtf_value v;
		kbtf_value(type, &v);
		vec_push_arena(st->a, &pp.args, read);
		pretty_text(&pp, v.is_pointer ? "0x%x" : v.is_signed ? "%d" : "%u", 1);
	}
	if (!pp.failed)
		context_make_sprintf(st, e, arena_strdup(st->a, sb_str(&pp.fmt)), &pp.args);
	sb_fini(&pp.fmt);
}

/* e's member chain from struct or union id at address addr (a @cast's,
 * or a pointer argument's value): e becomes an EXPR_CONTEXT reading the
 * member the chain ends on, each from the kernel's BTF. */
static void resolve_chain(struct elab_state *st, struct expr *e, int id, struct expr *addr,
			  bool of_arg)
{
	const char *err = NULL;
	struct ctxvar *cv = arena_alloc(st->a, sizeof(*cv));
	cv->kind = CV_CAST;
	cv->root = arena_strdup(st->a, kbtf_type_name(id));
	cv->root_union = kbtf_is_union(id);
	cv->addressof = e->addressof;
	bool first = true;
	const struct component *pretty = NULL;
	vec_foreach(&e->comps, i) {
		const struct component *c = e->comps.items[i];
		if (c->kind == COMP_PRETTY) {
			pretty = c;
			continue;
		}
		if (c->kind == COMP_EXPR) {
			diag_semantic(st->d, NULL, c->tok,
				      "only a number can index a @cast member here");
			return;
		}
		struct kbtf_step *step = arena_alloc(st->a, sizeof(*step));
		bool is_index = c->kind == COMP_INDEX;
		int rc = kbtf_step(id, first, c->name, (long)c->num, is_index, step, &err);
		if (rc == -2 && of_arg) {
			char *have = kbtf_type_text(id), *names = kbtf_member_names(id);
			diag_semantic(st->d, NULL, c->op_tok ? c->op_tok : c->tok,
				      "unable to find member '%s' for %s (alternatives: %s)",
				      c->name, have, names);
			free(have);
			free(names);
			/* the original's type checker then meets it untyped, twice */
			for (int k = 0; k < 2; k++)
				diag_semantic(st->d, "unresolved type", e->tok, "unresolved type ");
			return;
		}
		if (rc != 0) {
			char *have = kbtf_describe(id);
			if (is_index)
				diag_semantic(st->d, NULL, c->tok,
					      "invalid index [%lld] of '%s': %s", c->num, have,
					      err);
			else
				diag_semantic(st->d, NULL, c->tok,
					      "invalid access '->%s' of '%s': %s", c->name, have,
					      err);
			free(have);
			return;
		}
		if (step->deref && !first && !is_index && (!step->owner || !*step->owner)) {
			diag_semantic(st->d, NULL, c->tok,
				      "a pointer to an anonymous struct cannot be followed yet");
			return;
		}
		if (step->decl) {
			char *d = arena_strdup(st->a, step->decl);
			free(step->decl);
			step->decl = d;
		}
		vec_push_arena(st->a, &cv->steps, step);
		id = step->id;
		first = false;
	}
	if (!cv->steps.len) {
		diag_semantic(st->d, NULL, e->tok, "a @cast needs a member (->name) to read");
		return;
	}
	struct kbtf_value v;
	kbtf_value(id, &v);
	struct kbtf_member probe;
	if (pretty && !cv->addressof &&
	    (kbtf_pointee(id) >= 0 ||
	     (v.kind == KBTF_AGGREGATE && kbtf_members(id, &probe, 1) >= 0))) {
		pretty_struct(st, e, cv, id, addr, pretty);
		return;
	}
	if (pretty && (v.kind == KBTF_AGGREGATE || kbtf_is_char_pointer(id))) {
		diag_semantic(st->d, NULL, pretty->tok,
			      "pretty-printing an array or the string a pointer points to ($) is "
			      "not supported yet");
		return;
	}
	if (cv->addressof) {
		cv->type = TYPE_LONG;
	} else if (v.kind == KBTF_AGGREGATE) {
		char *have = kbtf_describe(id);
		diag_semantic(st->d, NULL, e->tok,
			      "%s must end on a number, pointer or char array, not '%s'",
			      of_arg ? "a member chain" : "a @cast chain", have);
		free(have);
		return;
	} else {
		cv->type = v.kind == KBTF_STRING ? TYPE_STRING : TYPE_LONG;
		cv->value_size = v.size;
		cv->value_signed = v.is_signed;
		if (v.kind == KBTF_STRING && !pretty) {
			cv->chars = true;
			cv->type = TYPE_UNKNOWN;
		}
	}
	const struct token *tok = e->tok;
	memset(e, 0, sizeof(*e));
	e->kind = EXPR_CONTEXT;
	e->tok = tok;
	e->a = addr;
	e->cv = cv;
	if (pretty && !cv->addressof) {
		/* the member as the original's $ prints it: a char array
		 * quoted, a pointer in hex, a number in decimal */
		struct expr *read = arena_alloc(st->a, sizeof(*read));
		*read = *e;
		struct vec args = {0};
		vec_push_arena(st->a, &args, read);
		context_make_sprintf(st, e,
				     v.kind == KBTF_STRING ? "\\\"%s\\\""
				     : v.is_pointer        ? "0x%x"
				     : v.is_signed         ? "%d"
							   : "%u",
				     &args);
	}
}

bool context_resolve_target(struct elab_state *st, struct expr *e)
{
	if (procfs_resolve_value(st, e, NULL))
		return true;
	if (st->probe && st->probe->kind == PROBE_KFUNC && st->probe->kf && !st->probe->kf_kprobe &&
	    e->kind == EXPR_TARGET) {
		resolve_kfunc_target(st, e);
		return true;
	}
	if (st->probe && (st->probe->kind == PROBE_UPROBE || st->probe->kind == PROBE_USDT) &&
	    e->kind == EXPR_TARGET) {
		process_resolve_target(st, e);
		return true;
	}
	if (st->probe && st->probe->kind == PROBE_PROCESS && e->kind == EXPR_TARGET) {
		procev_resolve_target(st, e);
		return true;
	}
	if (!st->probe || st->probe->kind != PROBE_TRACEPOINT || e->kind != EXPR_TARGET)
		return false;
	resolve_trace_target(st, e);
	return true;
}

/* Whether a member chain from struct or union id resolves (for @defined). */
static int chain_defined(const struct expr *x, int id)
{
	const char *err;
	bool first = true;
	vec_foreach(&x->comps, i) {
		const struct component *c = x->comps.items[i];
		if (c->kind == COMP_PRETTY)
			continue;
		if (c->kind == COMP_EXPR)
			return 0;
		struct kbtf_step step;
		if (kbtf_step(id, first, c->name, (long)c->num, c->kind == COMP_INDEX, &step,
			      &err) != 0)
			return 0;
		free(step.decl);
		id = step.id;
		first = false;
	}
	return 1;
}

int context_defined(const struct elab_state *st, const struct expr *x)
{
	const char *err;
	if (st->probe && st->probe->kind == PROBE_PROCFS && x->kind == EXPR_TARGET)
		return strcmp(x->str, "$value") == 0 && x->comps.len == 0;
	if (x->kind == EXPR_CAST) {
		int id = kbtf_root(x->str, &err);
		return id < 0 ? 0 : chain_defined(x, id);
	}
	if (st->probe && st->probe->kind == PROBE_KFUNC && x->kind == EXPR_TARGET) {
		if (!st->probe->kf || st->probe->kf_kprobe)
			return 0;
		const char *n = x->str;
		if (strcmp(n, "$$vars") == 0 || strcmp(n, "$$parms") == 0 ||
		    strcmp(n, "$$locals") == 0)
			return 1;
		if (strcmp(n, "$$return") == 0)
			return st->probe->kf_return;
		int index;
		const struct kfunc_value *v = kf_find(st->probe, n, &index);
		if (!v || !v->scalar)
			return 0;
		if (!x->comps.len ||
		    ((const struct component *)x->comps.items[0])->kind == COMP_PRETTY)
			return 1;
		if (!v->pointee)
			return 0;
		struct expr tmp = *x;
		tmp.kind = EXPR_CAST;
		tmp.str = v->pointee;
		int tid = kbtf_root(tmp.str, &err);
		return tid < 0 ? 0 : chain_defined(&tmp, tid);
	}
	if (st->probe && (st->probe->kind == PROBE_UPROBE || st->probe->kind == PROBE_USDT) &&
	    x->kind == EXPR_TARGET)
		return process_target_defined(st, x);
	if (st->probe && st->probe->kind == PROBE_PROCESS && x->kind == EXPR_TARGET)
		return procev_target_defined(st, x);
	if (!st->probe || st->probe->kind != PROBE_TRACEPOINT || x->kind != EXPR_TARGET)
		return -1;
	int arg = x->str[0] == '$' && x->str[1] != '$' ? find_arg(st->probe, x->str + 1) : -1;
	if (arg >= 0) {
		bool members = false;
		vec_foreach(&x->comps, i)
			members |=
				((const struct component *)x->comps.items[i])->kind != COMP_PRETTY;
		int root = kbtf_pointee(st->probe->tp_args[arg].type_id);
		return !members ? 1 : root < 0 ? 0 : chain_defined(x, root);
	}
	if (x->comps.len && ((const struct component *)x->comps.items[0])->kind != COMP_PRETTY)
		return 0;
	const char *n = x->str;
	if (strcmp(n, "$$vars") == 0 || strcmp(n, "$$parms") == 0 || strcmp(n, "$$name") == 0 ||
	    strcmp(n, "$$system") == 0)
		return 1;
	const struct tp_field *f =
		n[0] == '$' && n[1] != '$' ? find_field(st->probe->tp, n + 1) : NULL;
	return f && f->kind != TPF_OTHER;
}

/* ---- placement ---- */

struct placer {
	struct elab_state *st;
	bool kernel; /* walking code that runs in BPF */
	const struct efunction *stack[64];
	int depth;
};

static void place_stmt(struct placer *pl, const struct stmt *s);

static void kernel_error(struct placer *pl, const struct token *tok, const char *what)
{
	diag_semantic(pl->st->d, NULL, tok, "%s cannot run in kernel context yet", what);
}

/* sprintf in BPF code is the kernel's bpf_snprintf(), which knows no
 * precision, no '#' and no %o %p %b %m %M (fmt_kernel): refused here, at
 * the conversion, rather than formatted otherwise than in user space. */
static void kernel_sprintf_check(struct placer *pl, const struct expr *e)
{
	if (strcmp(e->str, "sprintf") != 0 || e->list.len == 0)
		return;
	const struct expr *f = e->list.items[0];
	struct fmt fmt;
	const char *err, *bad = NULL;
	char *kbuf = NULL;
	size_t klen;
	if (f->kind != EXPR_STRING || fmt_parse(f->str, &fmt, &err) != 0)
		return; /* pass 1 reported it */
	if (fmt_kernel(&fmt, &kbuf, &klen, &bad) != 0 && bad) {
		diag_semantic(pl->st->d, NULL, f->tok,
			      "sprintf conversion '%s' cannot run in kernel context yet (BPF's "
			      "bpf_snprintf has no precision, no '#' and no %%o %%p %%b %%m %%M)",
			      bad);
	} else {
		/* "%0s" writes a NUL after the string, which ends sprintf's
		 * result there (the original's runtime); bpf_snprintf pads */
		for (size_t i = 0; i < fmt.n; i++)
			if (fmt.pieces[i].kind != FMT_LITERAL && fmt.pieces[i].type == FMT_STRING &&
			    (fmt.pieces[i].flags & FMT_FLAG_ZERO)) {
				diag_semantic(pl->st->d, NULL, f->tok,
					      "sprintf conversion '%s' cannot run in kernel "
					      "context yet (the '0' flag of %%s ends the string "
					      "with a NUL)",
					      fmt.pieces[i].text);
				break;
			}
	}
	free(kbuf);
	fmt_free(&fmt);
}

static void place_function(struct placer *pl, struct efunction *f, const struct token *call)
{
	for (int i = 0; i < pl->depth; i++) {
		if (pl->stack[i] != f)
			continue;
		if (pl->kernel)
			diag_semantic(pl->st->d, NULL, call,
				      "recursive call of '%s' cannot run in kernel context (BPF "
				      "has no recursion)",
				      f->name);
		return;
	}
	bool *seen = pl->kernel ? &f->in_kernel : &f->in_host;
	if (*seen || pl->depth >= 64)
		return;
	*seen = true;
	if (!pl->kernel && !f->decl->body && f->decl->code &&
	    strstr(f->decl->code->text, "/* kernel */")) {
		diag_semantic(pl->st->d, NULL, call,
			      "function '%s' needs kernel context and cannot be called in a "
			      "user-space probe (begin, end, timer)",
			      f->name);
		return;
	}
	if (pl->kernel && !f->decl->body && f->decl->code &&
	    strstr(f->decl->code->text, "/* host */")) {
		diag_semantic(pl->st->d, NULL, call,
			      "function '%s' needs user space and cannot be called in kernel "
			      "context",
			      f->name);
		return;
	}
	pl->stack[pl->depth++] = f;
	place_stmt(pl, f->decl->body);
	pl->depth--;
}

static void place_symbol(struct placer *pl, struct symbol *sym)
{
	if (pl->kernel && sym && sym->kind == SYM_GLOBAL)
		sym->shared = true;
}

static void place_expr(struct placer *pl, const struct expr *e)
{
	if (!e)
		return;
	place_symbol(pl, e->sym);
	if (pl->kernel) {
		switch (e->kind) {
		case EXPR_REGEX:
			kernel_error(pl, e->tok, "a regular expression match");
			break;
		case EXPR_HIST:
			kernel_error(pl, e->tok, "a histogram other than print()ed");
			break;
		case EXPR_EMBEDDED:
			kernel_error(pl, e->tok, "embedded C in an expression");
			break;
		case EXPR_PRINT:
			kernel_sprintf_check(pl, e);
			break;
		default:
			break;
		}
	} else if (e->kind == EXPR_CONTEXT && e->cv->kind == CV_CAST) {
		diag_semantic(pl->st->d, NULL, e->tok,
			      "@cast reads kernel memory, which a user-space probe (begin, end, "
			      "timer) cannot");
	}
	if (pl->kernel && e->kind == EXPR_PRINT && e->str[0] != 's' && e->list.len == 1 &&
	    ((const struct expr *)e->list.items[0])->kind == EXPR_HIST) {
		/* print(@hist_log(s)): a record; user space prints it */
		const struct expr *h = e->list.items[0];
		place_expr(pl, h->a);
		vec_foreach(&h->list, i)
			place_expr(pl, h->list.items[i]);
		return;
	}
	if (e->kind == EXPR_CALL && e->func) {
		/* `next` in a function passes the call to the later overloads */
		for (struct efunction *f = e->func; f; f = f->overload_next)
			place_function(pl, f, e->tok);
	}
	place_expr(pl, e->a);
	place_expr(pl, e->b);
	place_expr(pl, e->c);
	vec_foreach(&e->list, i)
		place_expr(pl, e->list.items[i]);
}

static void place_stmt(struct placer *pl, const struct stmt *s)
{
	if (!s)
		return;
	if (s->kind == STMT_FOREACH && pl->kernel) {
		const struct expr *arr = s->array;
		if (s->sort_key >= 0 && arr && arr->sym && arr->sym->type == TYPE_STATS)
			kernel_error(pl, s->tok, "a sorted foreach over statistics");
		if (s->array && s->array->kind == EXPR_HIST)
			kernel_error(pl, s->tok, "a foreach over histogram buckets");
	}
	place_expr(pl, s->expr);
	place_expr(pl, s->init);
	place_expr(pl, s->step);
	place_expr(pl, s->value);
	place_expr(pl, s->array);
	place_expr(pl, s->limit);
	vec_foreach(&s->keys, i)
		place_expr(pl, s->keys.items[i]);
	place_stmt(pl, s->body);
	place_stmt(pl, s->other);
	vec_foreach(&s->stmts, i)
		place_stmt(pl, s->stmts.items[i]);
}

/* How deep loops nest in s and what it calls (each loop body is a BPF
 * function: the kernel allows 8 frames in all). */
static int loop_depth_expr(const struct expr *e, int guard);

static int loop_depth_stmt(const struct stmt *s, int guard)
{
	if (!s || guard > 32)
		return 0;
	int d = 0, k;
	const struct expr *es[] = {s->expr, s->init, s->step, s->limit, s->array};
	for (size_t i = 0; i < sizeof(es) / sizeof(es[0]); i++)
		if ((k = loop_depth_expr(es[i], guard)) > d)
			d = k;
	int inner = loop_depth_stmt(s->body, guard);
	if (s->kind == STMT_FOR || s->kind == STMT_FOREACH)
		inner++;
	if (s->kind == STMT_FOREACH && s->sort_key >= 0)
		inner++; /* and the walk that finds each next element */
	if (inner > d)
		d = inner;
	if ((k = loop_depth_stmt(s->other, guard)) > d)
		d = k;
	vec_foreach(&s->stmts, i)
		if ((k = loop_depth_stmt(s->stmts.items[i], guard)) > d)
			d = k;
	return d;
}

static int loop_depth_expr(const struct expr *e, int guard)
{
	if (!e)
		return 0;
	int d = 0, k;
	if (e->kind == EXPR_CALL && e->func && e->func->decl->body)
		d = loop_depth_stmt(e->func->decl->body, guard + 1);
	const struct expr *es[] = {e->a, e->b, e->c};
	for (size_t i = 0; i < 3; i++)
		if ((k = loop_depth_expr(es[i], guard)) > d)
			d = k;
	vec_foreach(&e->list, i)
		if ((k = loop_depth_expr(e->list.items[i], guard)) > d)
			d = k;
	return d;
}

/* Whether code reads the interrupted task's context: a @cast, or a
 * function marked kernel or context (pid(), execname(), backtrace()...),
 * directly or through the functions it calls. */
static bool needs_kernel_stmt(const struct stmt *s, int guard);

static bool needs_kernel_expr(const struct expr *e, int guard)
{
	if (!e || guard > 32)
		return false;
	if (e->kind == EXPR_CONTEXT && (e->cv->kind == CV_CAST || e->cv->kind == CV_DWARF))
		return true;
	if (e->kind == EXPR_CALL && e->func) {
		const struct function *d = e->func->decl;
		if (!d->body && d->code &&
		    (strstr(d->code->text, "/* kernel */") ||
		     strstr(d->code->text, "/* context */")))
			return true;
		if (d->body && needs_kernel_stmt(d->body, guard + 1))
			return true;
	}
	if (needs_kernel_expr(e->a, guard) || needs_kernel_expr(e->b, guard) ||
	    needs_kernel_expr(e->c, guard))
		return true;
	vec_foreach(&e->list, i)
		if (needs_kernel_expr(e->list.items[i], guard))
			return true;
	return false;
}

static bool needs_kernel_stmt(const struct stmt *s, int guard)
{
	if (!s)
		return false;
	const struct expr *es[] = {s->expr, s->init, s->step, s->limit, s->array};
	for (size_t i = 0; i < sizeof(es) / sizeof(es[0]); i++)
		if (needs_kernel_expr(es[i], guard))
			return true;
	if (needs_kernel_stmt(s->body, guard) || needs_kernel_stmt(s->other, guard))
		return true;
	vec_foreach(&s->stmts, i)
		if (needs_kernel_stmt(s->stmts.items[i], guard))
			return true;
	return false;
}

/* A timer whose handler reads the interrupted task runs in BPF: the CPU
 * clock's perf event at its period, on one CPU, as the original's kernel
 * timer interrupts whatever runs there. */
static void timers_to_kernel(struct elab_state *st)
{
	vec_foreach(&st->e->probes, i) {
		struct eprobe *p = st->e->probes.items[i];
		if (p->kind != PROBE_TIMER || p->elided || !needs_kernel_stmt(p->body, 0))
			continue;
		if (p->randomize_ns)
			diag_token_warning(st->d, p->tok,
					   "a timer in kernel context cannot be randomized: it "
					   "fires every %lld ns",
					   (long long)p->interval_ns);
		p->kind = PROBE_PERF;
		p->kernel = true;
		p->perf_type = 1;   /* PERF_TYPE_SOFTWARE */
		p->perf_config = 0; /* PERF_COUNT_SW_CPU_CLOCK */
		p->sample_period = (uint64_t)p->interval_ns;
		p->one_cpu = true;
	}
}

/* BPF's 8 frames: the handler, a loop body each, one for a string helper. */
#define MAX_KERNEL_LOOP_DEPTH 6

/* BPF code bounds a string offset by masking it with MAXSTRINGLEN - 1. */
static void check_kernel_strings(struct elab_state *st, const struct eprobe *p)
{
	vec_foreach(&st->s->defines, i) {
		const char *d = st->s->defines.items[i];
		if (strncmp(d, "MAXSTRINGLEN=", 13) != 0)
			continue;
		long n = strtol(d + 13, NULL, 0);
		if (n < 16 || (n & (n - 1)) != 0)
			diag_semantic(st->d, NULL, p->tok,
				      "-D%s: strings in kernel context need MAXSTRINGLEN to be a "
				      "power of two, at least 16 (say 128, 256 or 1024)",
				      d);
	}
}

/* The first context variable of kind k that s reads. */
static const struct expr *find_cv_stmt(const struct stmt *s, enum ctxvar_kind k);

static const struct expr *find_cv_expr(const struct expr *e, enum ctxvar_kind k)
{
	if (!e)
		return NULL;
	if (e->kind == EXPR_CONTEXT && e->cv->kind == k)
		return e;
	const struct expr *r;
	const struct expr *es[] = {e->a, e->b, e->c};
	for (size_t i = 0; i < 3; i++)
		if ((r = find_cv_expr(es[i], k)))
			return r;
	vec_foreach(&e->list, i)
		if ((r = find_cv_expr(e->list.items[i], k)))
			return r;
	return NULL;
}

static const struct expr *find_cv_stmt(const struct stmt *s, enum ctxvar_kind k)
{
	if (!s)
		return NULL;
	const struct expr *r;
	const struct expr *es[] = {s->expr, s->init, s->step, s->value, s->array, s->limit};
	for (size_t i = 0; i < sizeof(es) / sizeof(es[0]); i++)
		if ((r = find_cv_expr(es[i], k)))
			return r;
	vec_foreach(&s->keys, i)
		if ((r = find_cv_expr(s->keys.items[i], k)))
			return r;
	if ((r = find_cv_stmt(s->body, k)) || (r = find_cv_stmt(s->other, k)))
		return r;
	vec_foreach(&s->stmts, i)
		if ((r = find_cv_stmt(s->stmts.items[i], k)))
			return r;
	return NULL;
}

/* Read the fields for the arguments of the same name (and type). */
static void args_to_fields_stmt(const struct stmt *s);

static void args_to_fields_expr(const struct expr *e)
{
	if (!e)
		return;
	if (e->kind == EXPR_CONTEXT && e->cv->kind == CV_TP_ARG && e->cv->field) {
		struct ctxvar *cv = (struct ctxvar *)e->cv;
		cv->kind = CV_TP_FIELD;
	}
	args_to_fields_expr(e->a);
	args_to_fields_expr(e->b);
	args_to_fields_expr(e->c);
	vec_foreach(&e->list, i)
		args_to_fields_expr(e->list.items[i]);
}

static void args_to_fields_stmt(const struct stmt *s)
{
	if (!s)
		return;
	const struct expr *es[] = {s->expr, s->init, s->step, s->value, s->array, s->limit};
	for (size_t i = 0; i < sizeof(es) / sizeof(es[0]); i++)
		args_to_fields_expr(es[i]);
	vec_foreach(&s->keys, i)
		args_to_fields_expr(s->keys.items[i]);
	args_to_fields_stmt(s->body);
	args_to_fields_stmt(s->other);
	vec_foreach(&s->stmts, i)
		args_to_fields_stmt(s->stmts.items[i]);
}

/* A tracepoint probe that reads an argument runs as a raw_tp program,
 * which has the arguments but not the event's record: a probe cannot
 * have both (a script of the original's kind reads arguments, one of
 * its BPF runtime's kind fields).  A name that is both ($old_pid of
 * sched_process_exec) is the argument, as in the original, unless the
 * probe reads a field that is no argument: then it is the field. */
static void tracepoint_contexts(struct elab_state *st)
{
	vec_foreach(&st->e->probes, i) {
		struct eprobe *p = st->e->probes.items[i];
		if (p->elided || p->kind != PROBE_TRACEPOINT)
			continue;
		const struct expr *field = find_cv_stmt(p->body, CV_TP_FIELD);
		if (!field)
			field = find_cv_expr(p->cond, CV_TP_FIELD);
		if (field) {
			args_to_fields_stmt(p->body);
			args_to_fields_expr(p->cond);
		}
		const struct expr *arg = find_cv_stmt(p->body, CV_TP_ARG);
		if (!arg)
			arg = find_cv_expr(p->cond, CV_TP_ARG);
		if (!arg)
			continue;
		p->tp_raw = true;
		if (field)
			diag_semantic(st->d, NULL, field->tok,
				      "tracepoint field '%s' cannot be read in a probe that also "
				      "reads the tracepoint's arguments ('%s' here): the event "
				      "gives one or the other",
				      field->tok->text, arg->tok->text);
	}
}

/* The user-string fields (char pointers) of a syscall entry record that an
 * expression reads: bit i for the field at offset 8*i. */
static uint32_t user_string_fields_stmt(const struct stmt *s);

static uint32_t user_string_fields_expr(const struct expr *e)
{
	if (!e)
		return 0;
	uint32_t m = 0;
	if (e->kind == EXPR_CONTEXT && e->cv->kind == CV_TP_FIELD && e->cv->field) {
		const struct tp_field *f = e->cv->field;
		if ((strcmp(f->type, "const char *") == 0 || strcmp(f->type, "char *") == 0) &&
		    f->offset % 8 == 0 && f->offset < 64)
			m |= 1u << (f->offset / 8);
	}
	m |= user_string_fields_expr(e->a) | user_string_fields_expr(e->b) |
	     user_string_fields_expr(e->c);
	vec_foreach(&e->list, i)
		m |= user_string_fields_expr(e->list.items[i]);
	return m;
}

static uint32_t user_string_fields_stmt(const struct stmt *s)
{
	if (!s)
		return 0;
	uint32_t m = 0;
	const struct expr *es[] = {s->expr, s->init, s->step, s->value, s->array, s->limit};
	for (size_t i = 0; i < sizeof(es) / sizeof(es[0]); i++)
		m |= user_string_fields_expr(es[i]);
	vec_foreach(&s->keys, i)
		m |= user_string_fields_expr(s->keys.items[i]);
	m |= user_string_fields_stmt(s->body) | user_string_fields_stmt(s->other);
	vec_foreach(&s->stmts, i)
		m |= user_string_fields_stmt(s->stmts.items[i]);
	return m;
}

/* A system call's entry handler that reads a user string (syscall.open's
 * filename): a BPF program cannot fault a page in, so a string in a page
 * the process has not touched yet (the dynamic loader's paths, a fresh
 * mapping) cannot be read at the entry.  By the exit the kernel has
 * copied it, so the page is there: such a handler is deferred when a
 * string it reads faults (stp_bpf.h's stp_defer_*), and run from a
 * probe on the call's exit that pass 2 adds here, with the entry's record
 * and before the script's own exit handlers; not execve's, whose memory
 * is the new program's at its exit.  STAP_NO_DEFER=1 turns it
 * off (to measure what it gains). */
static void syscall_replays(struct elab_state *st)
{
	const char *off = getenv("STAP_NO_DEFER");
	if (off && strcmp(off, "1") == 0)
		return;
	size_t n = st->e->probes.len;
	for (size_t i = 0; i < n; i++) {
		struct eprobe *p = st->e->probes.items[i];
		if (p->elided || p->synthetic || p->kind != PROBE_TRACEPOINT || p->tp_raw ||
		    !p->tp_group || strcmp(p->tp_group, "syscalls") != 0 ||
		    strncmp(p->tp_event, "sys_enter_", 10) != 0 ||
		    /* at a successful exec's exit the strings' memory is the new
		     * program's: no reading it then */
		    strncmp(p->tp_event + 10, "execve", 6) == 0)
			continue;
		uint32_t m = user_string_fields_stmt(p->body) | user_string_fields_expr(p->cond);
		if (!m)
			continue;
		const char *exit_event = arena_printf(st->a, "sys_exit_%s", p->tp_event + 10);
		struct tp_format fmt;
		if (tracefs_format(st->a, "syscalls", exit_event, &fmt) != 0)
			continue;
		size_t first = st->e->probes.len;
		elab_add_synthetic(st,
				   arena_printf(st->a, "probe kernel.trace(\"syscalls:%s\") { }\n",
						exit_event));
		if (st->e->probes.len != first + 1)
			continue;
		struct eprobe *r = st->e->probes.items[first];
		r->replays = p;
		r->kernel = true;
		p->defer_mask = m;
	}
}

void context_place(struct elab_state *st)
{
	syscall_replays(st);
	tracepoint_contexts(st);
	timers_to_kernel(st);
	vec_foreach(&st->e->probes, i) {
		const struct eprobe *p = st->e->probes.items[i];
		if (p->elided || !p->kernel)
			continue;
		int d = loop_depth_stmt(p->body, 0);
		if (d > MAX_KERNEL_LOOP_DEPTH)
			diag_semantic(
				st->d, NULL, p->tok,
				"loops nested %d deep (with the functions they call) cannot run "
				"in kernel context: BPF allows %d",
				d, MAX_KERNEL_LOOP_DEPTH);
	}
	vec_foreach(&st->e->probes, i) {
		struct eprobe *p = st->e->probes.items[i];
		if (p->elided || p->kind == PROBE_NEVER)
			continue;
		struct placer pl = {.st = st, .kernel = p->kernel};
		if (p->kernel && !st->e->has_kernel)
			check_kernel_strings(st, p);
		st->e->has_kernel |= p->kernel;
		place_stmt(&pl, p->body);
	}
}
