/*
 * The BPF target's file: the handlers of kernel probes and the functions
 * they call, compiled by `clang -O2 -target bpf` against stp_bpf.h.
 *
 * Layout.  Shared scalars are members of `struct stp_shared stp_shared` in
 * .data (the host maps it); each shared array is a map named like the
 * global (gN) with a key struct gN_key of its columns (a long, or a string
 * buffer), shared statistics are per-CPU maps of a gN_val (the runtime's
 * struct stat_agg layout, then the buckets).  Each function has a frame
 * struct (its parameters, locals, string temporaries, key buffers) in the
 * per-CPU scratch area, the callee's after the caller's; the scratch size
 * is the deepest chain, computed by the compiler from enum constants (one
 * per function, in call order).
 *
 * Loops.  A for/while body becomes a bpf_loop() callback and a foreach body
 * a bpf_for_each_map_elem() callback, so the verifier checks each body once
 * however many times it runs: a loop shows through `struct stp_loop` (the
 * context, the frame, a limit, and the flow out of the body: 1 an error, 2
 * return/next), and MAXACTION bounds it as in user space.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../kernel/kernel.h"
#include "internal.h"

/* MAXSTRINGLEN as -D sets it: the size of records. */
static long max_string(const struct session *s)
{
	vec_foreach(&s->defines, i) {
		const char *d = s->defines.items[i];
		if (strncmp(d, "MAXSTRINGLEN=", 13) == 0)
			return strtol(d + 13, NULL, 0);
	}
	return 512;
}

const char *bpf_literal(struct emitter *em, const char *c_literal)
{
	struct vec *lits = &em->tables->literals;
	vec_foreach(lits, i)
		if (strcmp(lits->items[i], c_literal) == 0)
			return fmt_str(em, "stp_lits[%zu].s", i);
	vec_push_arena(em->arena, lits, (void *)c_literal);
	return fmt_str(em, "stp_lits[%zu].s", lits->len - 1);
}

static long declared_size(const struct symbol *sym)
{
	return sym->decl ? (long)sym->decl->size : 0;
}

/* A frame member: "F->name", declared in the frame. */
static const char *frame_member(struct emitter *em, const char *decl, const char *name)
{
	sb_printf(em->frame, "\t%s;\n", decl);
	em->uses_scratch = true;
	return fmt_str(em, "F->%s", name);
}

/* execname() as a key whose column holds a whole comm (16 bytes, or 0:
 * MAXSTRINGLEN): the kernel writes the comm into the key itself, padded
 * with NULs, instead of into the frame to be copied byte by byte (it has
 * no side effects, so when it is read does not matter). */
static bool is_comm_key(const struct expr *e, int width)
{
	return e->kind == EXPR_CALL && e->func && e->func->file && !e->func->decl->body &&
	       strcmp(e->func->name, "execname") == 0 && e->list.len == 0 &&
	       (width == 0 || width >= 16);
}

/* The key struct of an index, built from the key values; a pointer to it.
 * miss (a lookup, not a store): set to a C expression true when a string
 * is too long for its column, so no element can have that key. */
const char *bpf_keys(struct emitter *em, struct vec *keys, const struct symbol *sym,
		     const char **miss)
{
	const char *vals[ELAB_MAX_KEYS];
	size_t n = keys->len < ELAB_MAX_KEYS ? keys->len : ELAB_MAX_KEYS;
	for (size_t i = 0; i < n; i++) {
		if (sym->keys[i] == TYPE_STRING && is_comm_key(keys->items[i], sym->key_width[i])) {
			vals[i] = NULL; /* written straight into the column, below */
			continue;
		}
		bool later = false;
		for (size_t j = i + 1; j < n; j++)
			later |= has_side_effects(keys->items[j]);
		vals[i] = ex_stable(em, keys->items[i], later);
	}
	int k = (*em->nlabels)++;
	/* in the frame, not on the stack: a handler that builds many keys,
	 * inside loop callbacks and calls, would pass BPF's 512 bytes of
	 * combined stack (map helpers take a key in a map value too) */
	const char *key = frame_member(em, fmt_str(em, "struct g%d_key k%d", sym->index, k),
				       fmt_str(em, "k%d", k));
	const char *tr = NULL;
	emit(em, "\tstp_key_zero(&%s, sizeof(%s));\n", key, key);
	for (size_t i = 0; i < n; i++) {
		if (sym->keys[i] != TYPE_STRING) {
			emit(em, "\t%s.k%zu = %s;\n", key, i, vals[i]);
		} else if (!vals[i]) {
			emit(em, "\tstp_execname(c, %s.k%zu);\n", key, i);
		} else if (miss && sym->key_width[i] > 0) {
			if (!tr) {
				tr = new_temp(em, TYPE_LONG);
				emit(em, "\t%s = 0;\n", tr);
			}
			emit(em, "\t%s |= stp_key_str_tr(%s.k%zu, sizeof(%s.k%zu), %s);\n", tr, key,
			     i, key, i, vals[i]);
		} else {
			emit(em, "\tstp_key_str(%s.k%zu, sizeof(%s.k%zu), %s);\n", key, i, key, i,
			     vals[i]);
		}
	}
	if (miss)
		*miss = tr ? tr : "0";
	return fmt_str(em, "&%s", key);
}

const char *bpf_index(struct emitter *em, struct expr *e)
{
	const struct symbol *sym = e->sym;
	const char *miss;
	const char *keys = bpf_keys(em, &e->list, sym, &miss);
	if (sym->type == TYPE_STRING) {
		const char *t = new_temp(em, TYPE_STRING);
		emit(em, "\tif (%s)\n\t%s[0] = 0;\n\telse\n\tstp_bmap_get_s(&g%d, %s, %s);\n", miss,
		     t, sym->index, keys, t);
		return t;
	}
	const char *t = new_temp(em, TYPE_LONG);
	emit(em, "\t%s = %s ? 0 : stp_bmap_get_l(&g%d, %s);\n", t, miss, sym->index, keys);
	return t;
}

const char *bpf_in(struct emitter *em, struct expr *e)
{
	const char *miss;
	const char *keys = bpf_keys(em, &e->list, e->sym, &miss);
	const char *t = new_temp(em, TYPE_LONG);
	emit(em, "\t%s = !%s && stp_bmap_exists(&g%d, %s);\n", t, miss, e->sym->index, keys);
	return t;
}

void bpf_store(struct emitter *em, struct expr *lv, const char *v, const char *keys)
{
	const struct symbol *sym = lv->sym;
	emit(em, "\tstp_bmap_set_%c(c, &g%d, %s, %s, %ld, %s);\n",
	     sym->type == TYPE_STRING ? 's' : 'l', sym->index, keys, v, declared_size(sym),
	     where(em, lv->a->tok));
	check_error(em);
}

const char *bpf_load(struct emitter *em, struct expr *lv, const char *keys)
{
	const struct symbol *sym = lv->sym;
	if (sym->type != TYPE_STRING)
		return fmt_str(em, "stp_bmap_get_l(&g%d, %s)", sym->index, keys);
	const char *t = new_temp(em, TYPE_STRING);
	emit(em, "\tstp_bmap_get_s(&g%d, %s, %s);\n", sym->index, keys, t);
	return t;
}

const char *bpf_compound(struct emitter *em, struct expr *lv, const char *keys, const char *v,
			 bool negate, bool post)
{
	const struct symbol *sym = lv->sym;
	const char *d = negate ? fmt_str(em, "stp_neg(%s)", v) : v;
	const char *t = new_temp(em, TYPE_LONG);
	emit(em, "\t%s = stp_bmap_add_l(c, &g%d, %s, %s, %ld, %s);\n", t, sym->index, keys, d,
	     declared_size(sym), where(em, lv->a->tok));
	check_error(em);
	return post ? fmt_str(em, "stp_sub(%s, %s)", t, d) : t;
}

void bpf_stat_add(struct emitter *em, struct expr *lv, const char *keys, const char *v)
{
	const struct symbol *sym = lv->sym;
	if (lv->kind == EXPR_INDEX) {
		emit(em,
		     "\t{\n\tstruct g%d_val *sv = stp_bstat_ref(&g%d, %s);\n\tif "
		     "(sv)\n\tg%d_add(sv, "
		     "%s);\n\telse\n\tstp_overflow(c, %ld, %s);\n\t}\n",
		     sym->index, sym->index, keys, sym->index, v, declared_size(sym),
		     where(em, lv->a->tok));
		check_error(em);
		return;
	}
	emit(em,
	     "\t{\n\tuint32_t z = 0;\n\tstruct g%d_val *sv = bpf_map_lookup_elem(&g%d, &z);\n\tif "
	     "(sv)\n\tg%d_add(sv, %s);\n\t}\n",
	     sym->index, sym->index, sym->index, v);
}

/* Every CPU's record of statistic ref (s or s[k]) merged into a frame
 * member, which is returned; *key is the element's key, NULL for s. */
static const char *merge_stat(struct emitter *em, struct expr *ref, const char **key)
{
	const struct symbol *sym = ref->sym;
	int n = (*em->nlabels)++;
	const char *agg =
		frame_member(em, fmt_str(em, "struct stp_agg agg%d", n), fmt_str(em, "agg%d", n));
	*key = NULL;
	if (ref->kind == EXPR_INDEX) {
		const char *miss;
		*key = bpf_keys(em, &ref->list, sym, &miss);
		emit(em, "\tif (%s)\n\t%s.count = 0;\n\telse\n\tstp_bstat_merge(&g%d, %s, &%s);\n",
		     miss, agg, sym->index, *key, agg);
	} else {
		emit(em, "\t{\n\tuint32_t z = 0;\n\tstp_bstat_merge(&g%d, &z, &%s);\n\t}\n",
		     sym->index, agg);
	}
	return agg;
}

/* @count(s) ... @avg(s[k]) in kernel context: every CPU's record merged. */
const char *bpf_stat(struct emitter *em, struct expr *e)
{
	struct expr *ref = e->a;
	const struct symbol *sym = ref->sym;
	if (!sym)
		return "0";
	const char *op = e->str;
	const char *key;
	const char *agg = merge_stat(em, ref, &key);
	if (strcmp(op, "@count") == 0)
		return fmt_str(em, "%s.count", agg);
	if (strcmp(op, "@sum") == 0)
		return fmt_str(em, "%s.sum", agg);
	emit(em, "\tif (%s.count == 0) {\n\tstp_fail(c, STP_E_EMPTY, %s);\n\tgoto %s;\n\t}\n", agg,
	     where(em, e->tok), em->err_label);
	if (strcmp(op, "@min") == 0)
		return fmt_str(em, "%s.min", agg);
	if (strcmp(op, "@max") == 0)
		return fmt_str(em, "%s.max", agg);
	if (strcmp(op, "@variance") == 0) {
		int n = (*em->nlabels)++;
		const char *v =
			frame_member(em, fmt_str(em, "int64_t var%d", n), fmt_str(em, "var%d", n));
		emit(em,
		     "\t{\n\tuint32_t z = 0;\n\t(void)z;\n\t%s = stp_bstat_variance(&g%d, %s, &%s, "
		     "%d);\n\t}\n",
		     v, sym->index, key ? key : "&z", agg, sym->stat.shift);
		return v;
	}
	return fmt_str(em, "stp_sdiv(%s.sum, %s.count)", agg, agg);
}

void bpf_delete(struct emitter *em, struct stmt *s)
{
	struct expr *e = s->expr;
	const struct symbol *sym = e->sym;
	if (e->kind == EXPR_INDEX) {
		const char *miss;
		const char *keys = bpf_keys(em, &e->list, sym, &miss);
		emit(em, "\tif (!%s)\n\tstp_bmap_delete(&g%d, %s);\n", miss, sym->index, keys);
	} else if (sym->arity > 0) {
		emit(em, "\tstp_bmap_clear(&g%d);\n", sym->index);
	} else if (sym->type == TYPE_STATS) {
		emit(em,
		     "\t{\n\tstruct stp_map_arg ma = {&g%d};\n\tbpf_loop((uint32_t)stp_rt.nr_cpus, "
		     "g%d_clear_cb, &ma, 0);\n\t}\n",
		     sym->index, sym->index);
	}
}

/* Remember a member the BPF code reads, for its CO-RE declaration. */
static void core_member(struct emitter *em, const struct kbtf_step *step)
{
	struct vec *core = &em->tables->core;
	if (!step->owner || !*step->owner)
		return; /* inside an anonymous struct: declared whole, inline */
	vec_foreach(core, i) {
		const struct kbtf_step *k = core->items[i];
		if (strcmp(k->owner, step->owner) == 0 && strcmp(k->member, step->member) == 0)
			return;
	}
	vec_push_arena(em->arena, core, (void *)step);
}

/* @cast(addr, "T")->a->b...: the chain as C on CO-RE declared structs,
 * each pointer read on the way with a fault check. */
static const char *bpf_cast(struct emitter *em, struct expr *e)
{
	const struct ctxvar *cv = e->cv;
	const char *where_s = where(em, e->tok);
	em->uses_scratch = true; /* a fault's message goes to errbuf */
	/* in a C local: the builtin below would relocate any member access
	 * in the address's expression too */
	const char *base = new_temp(em, TYPE_LONG);
	emit(em, "\t%s = %s;\n", base, ex(em, e->a));
	struct strbuf acc;
	sb_init(&acc);
	sb_printf(&acc, "((%s %s *)(uintptr_t)(%s))", cv->root_union ? "union" : "struct", cv->root,
		  base);
	vec_foreach(&cv->steps, i) {
		const struct kbtf_step *step = cv->steps.items[i];
		if (step->deref && i > 0) {
			/* the pointer so far, read from kernel memory */
			const char *p = new_temp(em, TYPE_LONG);
			emit(em,
			     "\tif (stp_kread(c, &%s, 8, __builtin_preserve_access_index(&(%s)), "
			     "%s))\n"
			     "\tgoto %s;\n",
			     p, sb_str(&acc), where_s, em->err_label);
			sb_fini(&acc);
			sb_init(&acc);
			sb_printf(&acc, "((%s %s *)(uintptr_t)%s)",
				  step->owner_union ? "union" : "struct", step->owner, p);
		}
		if (step->is_index) {
			sb_printf(&acc, "[%ld]", step->index);
			continue;
		}
		core_member(em, step);
		char *prev = xstrdup(sb_str(&acc));
		sb_fini(&acc);
		sb_init(&acc);
		sb_printf(&acc, "%s%s%s", prev, step->deref ? "->" : ".", step->member);
		free(prev);
	}
	const char *addr = fmt_str(em, "__builtin_preserve_access_index(&(%s))", sb_str(&acc));
	sb_fini(&acc);
	if (cv->addressof)
		return fmt_str(em, "((int64_t)(uintptr_t)%s)", addr);
	if (cv->type == TYPE_STRING) {
		const char *t = new_temp(em, TYPE_STRING);
		emit(em, "\tif (stp_kread_chars(c, %s, %d, %s, %s))\n\tgoto %s;\n", t,
		     cv->value_size, addr, where_s, em->err_label);
		return t;
	}
	const char *t = new_temp(em, TYPE_LONG);
	emit(em, "\tif (stp_kread_int(c, &%s, %d, %d, %s, %s))\n\tgoto %s;\n", t, cv->value_size,
	     cv->value_signed, addr, where_s, em->err_label);
	return t;
}

/* The CO-RE declarations: every struct a chain goes through, with just the
 * members read, those embedded whole first. */
static void core_decls(struct emitter *em, struct strbuf *out)
{
	const struct vec *core = &em->tables->core;
	struct vec names = {0}; /* owners, in an order where embedded ones come first */
	vec_foreach(core, i) {
		const struct kbtf_step *k = core->items[i];
		bool seen = false;
		vec_foreach(&names, j)
			seen |= strcmp(names.items[j], k->owner) == 0;
		if (!seen)
			vec_push(&names, (void *)k->owner);
	}
	vec_foreach(core, i) {
		const struct kbtf_step *k = core->items[i];
		sb_printf(out, "%s %s;\n", k->owner_union ? "union" : "struct", k->owner);
	}
	/* the enums of enum members, each once, with one constant (a C enum
	 * cannot be declared without) */
	vec_foreach(core, i) {
		const struct kbtf_step *k = core->items[i];
		if (strncmp(k->decl, "enum ", 5) != 0)
			continue;
		size_t len = strcspn(k->decl + 5, " ");
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++) {
			const struct kbtf_step *e = core->items[j];
			seen = strncmp(e->decl, "enum ", 5) == 0 &&
			       strncmp(e->decl + 5, k->decl + 5, len + 1) == 0;
		}
		if (!seen)
			sb_printf(out, "enum %.*s { %.*s___stp_ };\n", (int)len, k->decl + 5,
				  (int)len, k->decl + 5);
	}
	/* a struct embedded whole whose members nothing reads (the chain only
	 * takes its address, &$sk->__sk_common->skc_v6_daddr): complete, and
	 * empty, so that the member holding it can be declared */
	vec_foreach(core, i) {
		const struct kbtf_step *k = core->items[i];
		if (!k->complete)
			continue;
		bool seen = false;
		vec_foreach(&names, j)
			seen |= strcmp(names.items[j], k->complete) == 0;
		for (size_t j = 0; j < i && !seen; j++) {
			const struct kbtf_step *e = core->items[j];
			seen = e->complete && strcmp(e->complete, k->complete) == 0;
		}
		if (!seen)
			sb_printf(out, "%s %s {\n} __attribute__((preserve_access_index));\n",
				  strncmp(k->decl, "union ", 6) == 0 ? "union" : "struct",
				  k->complete);
	}
	char *done = calloc(names.len + 1, 1);
	for (size_t pass = 0; pass <= names.len; pass++) {
		vec_foreach(&names, i) {
			if (done[i])
				continue;
			/* ready when every struct it embeds whole is done */
			bool ready = true, is_union = false;
			vec_foreach(core, j) {
				const struct kbtf_step *k = core->items[j];
				if (strcmp(k->owner, names.items[i]) != 0)
					continue;
				is_union = k->owner_union;
				if (!k->complete)
					continue;
				vec_foreach(&names, n)
					if (!done[n] && n != i &&
					    strcmp(names.items[n], k->complete) == 0)
						ready = false;
			}
			if (!ready && pass < names.len)
				continue;
			sb_printf(out, "%s %s {\n", is_union ? "union" : "struct",
				  (char *)names.items[i]);
			vec_foreach(core, j) {
				const struct kbtf_step *k = core->items[j];
				if (strcmp(k->owner, names.items[i]) == 0)
					sb_printf(out, "\t%s;\n", k->decl);
			}
			sb_puts(out, "} __attribute__((preserve_access_index));\n");
			done[i] = 1;
		}
	}
	free(done);
	vec_fini(&names);
}

/* A user-space variable: its location's registers, then the reads and
 * offsets along its member chain, each read checked for a fault. */
static const char *bpf_dwarf(struct emitter *em, struct expr *e)
{
	const struct ctxvar *cv = e->cv;
	const char *where_s = where(em, e->tok);
	const char *t = new_temp(em, TYPE_LONG);
	vec_foreach(&cv->uops, i) {
		const struct uloc_op *op = cv->uops.items[i];
		if (op->kind == ULOC_SET) {
			/* no text: @cast's address */
			emit(em, "\t%s = %s;\n", t, op->text ? op->text : ex(em, e->a));
		} else if (op->kind == ULOC_ADD) {
			emit(em, "\t%s += %lld;\n", t, (long long)op->num);
		} else {
			em->uses_scratch = true;
			emit(em, "\tif (stp_uread(c, &%s, 8, %s, %s))\n\tgoto %s;\n", t, t, where_s,
			     em->err_label);
		}
	}
	if (cv->uend == ULOC_END_STRING) {
		/* $var$ of a char array or string: its text (empty on a fault) */
		const char *str = new_temp(em, TYPE_STRING);
		emit(em, "\tstp_user_str(%s, %s, %d);\n", str, t, cv->value_size + 1);
		return str;
	}
	if (cv->uend == ULOC_END_MEMORY) {
		em->uses_scratch = true;
		emit(em, "\tif (stp_uread_int(c, &%s, %d, %d, %s, %s))\n\tgoto %s;\n", t,
		     cv->value_size, cv->value_signed, t, where_s, em->err_label);
	} else if (cv->uend == ULOC_END_VALUE) {
		emit(em, "\t%s = stp_tp_arg_extend((uint64_t)%s, %d, %d);\n", t, t, cv->value_size,
		     cv->value_signed);
	}
	return t;
}

const char *bpf_context(struct emitter *em, struct expr *e)
{
	if (e->cv->kind == CV_DWARF)
		return bpf_dwarf(em, e);
	const struct ctxvar *cv = e->cv;
	if (cv->kind == CV_CAST)
		return bpf_cast(em, e);
	if (cv->kind == CV_KF_ARG)
		return fmt_str(em, "stp_kf_value(c->kargs[%d], %d, %d)", cv->index, cv->value_size,
			       cv->value_signed);
	if (cv->kind == CV_KF_RETURN)
		return fmt_str(em, "stp_kf_value(c->kret, %d, %d)", cv->value_size,
			       cv->value_signed);
	if (cv->kind == CV_UPROBE_RETURN)
		return "stp_uprobe_rc(ctx)";
	if (cv->kind == CV_USDT_ARG)
		return fmt_str(em, "stp_usdt_arg(ctx, %d)", cv->arg_index);
	if (cv->kind == CV_TP_ARG)
		return fmt_str(em, "stp_tp_arg(ctx, %d, %d, %d)", cv->arg, cv->value_size,
			       cv->value_signed);
	const struct tp_field *f = cv->field;
	if (cv->kind != CV_TP_FIELD || !f)
		return "0";
	if (cv->type != TYPE_STRING)
		return fmt_str(em, "stp_tp_long(ctx, %d, %d, %d)", f->offset, f->size,
			       f->is_signed && f->kind == TPF_INT);
	const char *t = new_temp(em, TYPE_STRING);
	if (f->kind == TPF_DATA_LOC)
		emit(em, "\tstp_tp_data_loc(ctx, %d, %s);\n", f->offset, t);
	else
		emit(em, "\tstp_tp_chars(ctx, %d, %d, %s);\n", f->offset, f->size, t);
	return t;
}

/* The values of a print's arguments, evaluated left to right. */
static size_t print_args(struct emitter *em, struct vec *list, size_t first, const char **vals)
{
	size_t n = list->len - first;
	if (n > 64)
		n = 64;
	for (size_t i = 0; i < n; i++) {
		bool later = false;
		for (size_t j = first + i + 1; j < list->len; j++)
			later |= has_side_effects(list->items[j]);
		vals[i] = ex_stable(em, list->items[first + i], later);
	}
	return n;
}

/* Append bytes to a kernel format, '%' doubled. */
static void kfmt_text(struct strbuf *sb, const char *s, size_t len)
{
	for (size_t i = 0; i < len && s[i]; i++) {
		if (s[i] == '%')
			sb_putc(sb, '%');
		sb_putc(sb, s[i]);
	}
}

/* One piece of a kernel format: literal text, or one conversion with it. */
struct kpiece {
	const char *text;
	size_t len;
	bool conv; /* consumes one argument */
	bool str;  /* a %s: its argument is copied whole into the helper's buffer */
};

static void kpiece_push(struct emitter *em, struct vec *v, const char *text, size_t len, bool conv,
			bool str)
{
	struct kpiece *k = arena_alloc(em->arena, sizeof(*k));
	char *t = arena_alloc(em->arena, len + 1);
	memcpy(t, text, len);
	t[len] = 0;
	*k = (struct kpiece){t, len, conv, str};
	vec_push_arena(em->arena, v, k);
}

/* The kernel format of sprintf's format, piece by piece. */
static void kpieces_printf(struct emitter *em, const char *raw, struct vec *v)
{
	raw = compat_format(em, raw);
	struct fmt f;
	const char *err, *bad;
	if (fmt_parse(raw, &f, &err) != 0)
		return;
	for (size_t i = 0; i < f.n; i++) {
		struct fmt one = {.pieces = &f.pieces[i], .n = 1};
		char *kbuf;
		size_t klen;
		if (fmt_kernel(&one, &kbuf, &klen, &bad) != 0)
			continue; /* refused by pass 2 */
		bool conv = f.pieces[i].kind != FMT_LITERAL;
		kpiece_push(em, v, kbuf, klen, conv, conv && f.pieces[i].type == FMT_STRING);
		free(kbuf);
	}
	fmt_free(&f);
}

/* The kernel format of sprint, sprintln, sprintd or sprintdln. */
static size_t kpieces_print(struct emitter *em, struct expr *e, const char *base, struct vec *v)
{
	size_t first = 0, dlen = 0;
	char *delim = NULL;
	if (strncmp(base, "printd", 6) == 0) {
		delim = fmt_unescape(((struct expr *)e->list.items[0])->str, &dlen);
		first = 1;
	}
	struct strbuf d;
	sb_init(&d);
	if (delim)
		kfmt_text(&d, delim, dlen);
	for (size_t i = first; i < e->list.len; i++) {
		const struct expr *a = e->list.items[i];
		if (i > first && d.len)
			kpiece_push(em, v, sb_str(&d), d.len, false, false);
		bool str = a->type == TYPE_STRING;
		kpiece_push(em, v, str ? "%s" : "%lld", str ? 2 : 4, true, str);
	}
	if (strstr(base, "ln"))
		kpiece_push(em, v, "\n", 1, false, false);
	sb_fini(&d);
	free(delim);
	return first;
}

/* bpf_snprintf copies every argument, each %s whole, into one buffer of
 * 512 bytes (MAX_BPRINTF_BUF); what does not fit is cut or fails.  So the
 * format is cut into groups whose arguments fit, each formatted on its
 * own, and the results are concatenated. */
#define KFMT_ARG_BUF 512
/* and takes at most 12 arguments (MAX_BPRINTF_VARARGS): more fail whole */
#define KFMT_MAX_ARGS 12

/* bpf_snprintf of pieces [from, to) with the arguments from sa<k>[arg]. */
static void bpf_snprintf_group(struct emitter *em, const char *dst, struct vec *pieces, size_t from,
			       size_t to, int k, size_t arg)
{
	struct strbuf kf;
	sb_init(&kf);
	size_t nargs = 0;
	for (size_t i = from; i < to; i++) {
		const struct kpiece *p = pieces->items[i];
		sb_putn(&kf, p->text, p->len);
		nargs += p->conv;
	}
	/* bpf_snprintf wants its format in read-only data */
	struct vec *kfs = &em->tables->kformats;
	vec_push_arena(em->arena, kfs, (void *)c_string(em, sb_str(&kf), kf.len));
	sb_fini(&kf);
	if (nargs == 0)
		emit(em, "\tbpf_snprintf(%s, MAXSTRINGLEN, stp_kfmt%zu, NULL, 0);\n", dst,
		     kfs->len - 1);
	else
		emit(em, "\tbpf_snprintf(%s, MAXSTRINGLEN, stp_kfmt%zu, &F->sa%d[%zu], %zu);\n",
		     dst, kfs->len - 1, k, arg, nargs * 8);
}

/* sprintf and the sprint forms: bpf_snprintf into a string temporary. */
static const char *bpf_sprint(struct emitter *em, struct expr *e, const char *base)
{
	struct vec pieces = {0};
	size_t first = 1;
	if (strcmp(base, "printf") == 0)
		kpieces_printf(em, ((struct expr *)e->list.items[0])->str, &pieces);
	else
		first = kpieces_print(em, e, base, &pieces);
	const char *vals[64];
	size_t n = print_args(em, &e->list, first, vals);
	const char *t = new_temp(em, TYPE_STRING);
	int k = (*em->nlabels)++;
	if (n > 0) {
		/* the arguments in the frame, as keys (bpf_keys) */
		frame_member(em, fmt_str(em, "uint64_t sa%d[%zu]", k, n), "");
		for (size_t i = 0; i < n; i++)
			emit(em, "\tF->sa%d[%zu] = (uint64_t)(%s);\n", k, i, vals[i]);
	}
	long maxstr = max_string(em->s);
	size_t from = 0, arg = 0, group_arg = 0;
	long used = 0;
	const char *part = NULL;
	for (size_t i = 0; i <= pieces.len; i++) {
		const struct kpiece *p = i < pieces.len ? pieces.items[i] : NULL;
		long cost = !p || !p->conv ? 0 : p->str ? maxstr : 8;
		/* the kernel refuses a %s followed by a letter or digit ("Invalid
		 * format string": %pks and the like): such text starts a group */
		const struct kpiece *prev = i > from ? pieces.items[i - 1] : NULL;
		bool cut = p && !p->conv && p->len > 0 && prev && prev->str &&
			   isalnum((unsigned char)p->text[0]);
		bool fits = p && used + cost <= KFMT_ARG_BUF &&
			    arg - group_arg + p->conv <= KFMT_MAX_ARGS;
		if (p && !cut && (fits || i == from)) {
			used += cost;
			arg += p && p->conv;
			continue;
		}
		/* pieces [from, i) are a group */
		if (from == 0) {
			bpf_snprintf_group(em, t, &pieces, from, i, k, group_arg);
		} else {
			if (!part)
				part = new_temp(em, TYPE_STRING);
			bpf_snprintf_group(em, part, &pieces, from, i, k, group_arg);
			emit(em, "\tstp_scat(%s, %s, %s);\n", t, t, part);
		}
		if (!p)
			break;
		from = i;
		group_arg = arg;
		used = cost;
		arg += p->conv;
	}
	return t;
}

/* print(@hist_log(s)), print(@hist_linear(a[k], ...)): a record naming the
 * statistic (and the element's key); user space prints the histogram. */
static const char *bpf_print_hist(struct emitter *em, struct expr *e)
{
	struct expr *ref = ((struct expr *)e->list.items[0])->a;
	const struct symbol *sym = ref->sym;
	if (!sym)
		return "0";
	struct translation_tables *tab = em->tables;
	const char *loc = c_string(em, "", 0);
	{
		/* the location, for "empty aggregate" (a C literal here) */
		bool saved = em->bpf;
		em->bpf = false;
		loc = where(em, e->tok);
		em->bpf = saved;
	}
	int site = tab->nhsites++;
	sb_printf(&tab->hsites, "\t{(void *)&g%d, %d, &g%d_p, %s},\n", sym->index,
		  ref->kind == EXPR_INDEX, sym->index, loc);
	/* an empty statistic is an error here, where try/catch sees it, as in
	 * user space; the record then holds the buckets summed at the print */
	const char *key;
	const char *agg = merge_stat(em, ref, &key);
	emit(em, "\tif (%s.count == 0) {\n\tstp_fail(c, STP_E_EMPTY, %s);\n\tgoto %s;\n\t}\n", agg,
	     where(em, e->tok), em->err_label);
	/* the record holds the buckets as they are now, every CPU's summed:
	 * values added after the print do not show, as in user space */
	int nb = stat_buckets(&sym->stat);
	em->uses_scratch = true;
	emit(em, "\t{\n\tchar *r = STP_SCRATCH(c)->rec;\n\tstp_rec_start(r, STP_REC_HIST, %d);\n",
	     site);
	if (nb < 1) {
		/* parameters the runtime refuses when it makes the global (the
		 * session ends before any handler runs): no buckets, no callback */
		nb = 1;
		emit(em, "\t*(int64_t *)(void *)(r + 8) = 0;\n");
	} else {
		if (!key)
			emit(em, "\tuint32_t z = 0;\n");
		emit(em,
		     "\tstruct stp_hist_arg ha = {&g%d, %s, (int64_t *)(void *)(r + 8)};\n"
		     "\tbpf_loop((uint32_t)stp_rt.nr_cpus, g%d_hist_cb, &ha, 0);\n",
		     sym->index, key ? key : "&z", sym->index);
	}
	emit(em, "\tstp_rec_send(stp_rt_ptr, r, 8 + %d, stp_wakeup_flags());\n\t}\n", 8 * nb);
	if (8 + 8 * nb > tab->max_record)
		tab->max_record = 8 + 8 * nb;
	return "0";
}

const char *bpf_print(struct emitter *em, struct expr *e)
{
	const char *name = e->str;
	if (name[0] == 's')
		return bpf_sprint(em, e, name + 1);
	if (e->list.len == 1 && ((struct expr *)e->list.items[0])->kind == EXPR_HIST)
		return bpf_print_hist(em, e);
	struct translation_tables *tab = em->tables;
	int kind, fmt = -1;
	const char *delim = "NULL";
	size_t first = 0;
	if (strcmp(name, "printf") == 0) {
		kind = 0;
		fmt = add_format(em, ((struct expr *)e->list.items[0])->str);
		first = 1;
	} else if (strncmp(name, "printd", 6) == 0) {
		kind = strcmp(name, "printdln") == 0 ? 4 : 3;
		size_t dlen;
		char *d = fmt_unescape(((struct expr *)e->list.items[0])->str, &dlen);
		delim = c_string(em, d, strnlen(d, dlen));
		free(d);
		first = 1;
	} else {
		kind = strcmp(name, "println") == 0 ? 2 : 1;
	}
	const char *vals[64];
	size_t n = print_args(em, &e->list, first, vals);
	char sig[65];
	long size = 8, maxstr = max_string(em->s);
	for (size_t i = 0; i < n; i++) {
		const struct expr *a = e->list.items[first + i];
		sig[i] = a->type == TYPE_STRING ? 's' : 'l';
		size += a->type == TYPE_STRING ? ((maxstr + 7) & ~7L) : 8;
	}
	sig[n] = 0;
	if (size > tab->max_record)
		tab->max_record = (int)size;
	int site = tab->nsites++;
	sb_printf(&tab->sites, "\t{%d, %d, %s, \"%s\"},\n", kind, fmt, delim, sig);
	em->uses_scratch = true;
	emit(em,
	     "\t{\n\tchar *r = STP_SCRATCH(c)->rec;\n\tstp_rec_start(r, STP_REC_PRINT, %d);\n"
	     "\tuint32_t o = 8;\n",
	     site);
	for (size_t i = 0; i < n; i++)
		emit(em, "\to = stp_rec_%s(r, o, %s);\n", sig[i] == 's' ? "str" : "long", vals[i]);
	emit(em, "\tstp_rec_send(stp_rt_ptr, r, o, stp_wakeup_flags());\n\t}\n");
	return "0";
}

/* The callee's frame: right after this one. */
#define CALLEE_FRAME "((void *)((char *)F + sizeof(*F)))"

static void add_callee(struct emitter *em, const struct efunction *f)
{
	vec_foreach(em->callees, i)
		if (em->callees->items[i] == f)
			return;
	vec_push_arena(em->arena, em->callees, (void *)f);
}

static void call_one(struct emitter *em, const struct efunction *f, const char **vals, size_t n,
		     const char *r)
{
	add_callee(em, f);
	struct strbuf sb;
	sb_init(&sb);
	if (f->type == TYPE_LONG)
		sb_printf(&sb, "\t%s = f%d(c, " CALLEE_FRAME ", ctx", r, f->index);
	else
		sb_printf(&sb, "\tf%d(c, " CALLEE_FRAME ", ctx", f->index);
	for (size_t i = 0; i < n; i++)
		sb_printf(&sb, ", %s", vals[i]);
	sb_puts(&sb, ");\n");
	emit(em, "%s", sb_str(&sb));
	sb_fini(&sb);
	(void)r;
}

/* A string function's result stays in its frame (ret is the frame's first
 * member) until the next call at that depth: every operand that another
 * call could follow is evaluated with ex_stable(), which copies it, and the
 * arguments of a call are copied here. */
#define CALLEE_RET "((char *)" CALLEE_FRAME ")"

const char *bpf_call(struct emitter *em, struct expr *e, const char **vals, size_t n)
{
	const struct efunction *f = e->func;
	em->uses_scratch = true;
	const char *args[64];
	for (size_t i = 0; i < n; i++) {
		args[i] = vals[i];
		if (strcmp(vals[i], CALLEE_RET) == 0) {
			/* a nested call's result: its frame is this callee's */
			args[i] = new_temp(em, TYPE_STRING);
			emit(em, "\tstp_scpy(%s, %s);\n", args[i], vals[i]);
		}
	}
	vals = args;
	const char *r = f->type == TYPE_STRING ? CALLEE_RET
			: f->type == TYPE_LONG ? new_temp(em, TYPE_LONG)
					       : "0";
	call_one(em, f, vals, n, r);
	/* `next` in the callee passes the call to the next overload */
	for (const struct efunction *o = f->overload_next; o; o = o->overload_next) {
		emit(em, "\tif (c->last_error == stp_next) {\n\tstp_clear_error(c);\n");
		call_one(em, o, vals, n, r);
		emit(em, "\t}\n");
	}
	emit(em,
	     "\tif (STP_UNLIKELY(c->last_error == stp_next)) stp_fail(c, STP_MSG_EXHAUSTED, "
	     "%s);\n",
	     where(em, e->tok));
	check_error(em);
	return r;
}

/* ---- loops: bodies as callbacks ---- */

typedef void (*body_fn)(struct emitter *em, struct stmt *s);

/* Write a loop body as the callback NAME(SIG), before the function: BODY,
 * the continue label, TAIL (a for loop's step), the way out. */
static void emit_callback(struct emitter *em, const char *name, const char *sig, body_fn body,
			  body_fn tail, struct stmt *s)
{
	struct strbuf *saved_out = em->out;
	struct strbuf saved_decls = em->decls;
	const char *se = em->err_label, *sr = em->ret_label, *sc = em->cont_label;
	const char *sbreak = em->break_stmt;
	struct strbuf code;
	sb_init(&code);
	sb_init(&em->decls);
	em->out = &code;
	em->err_label = fmt_str(em, "err_%s", name);
	em->ret_label = fmt_str(em, "ret_%s", name);
	em->cont_label = fmt_str(em, "cont_%s", name);
	em->break_stmt = "return 1;";
	em->in_callback++;
	body(em, s);
	emit(em, "	%s: ;\n", em->cont_label);
	if (tail)
		tail(em, s);
	em->in_callback--;
	struct strbuf *cb = em->callbacks;
	sb_printf(cb,
		  "static long %s(%s)\n{\n\tstruct stp_loop *lc = arg;\n\tstruct stp_context *c = "
		  "lc->c;\n\t%s *F = lc->F;\n\tvoid *ctx = lc->ctx;\n",
		  name, sig, em->frame_type);
	sb_puts(cb, sb_str(&em->decls));
	sb_puts(cb, sb_str(&code));
	sb_printf(cb,
		  "\treturn 0;\n%s:\n\tlc->ls->flow = 1;\n\treturn 1;\n%s:\n\tlc->ls->flow = "
		  "2;\n\treturn 1;\n}\n\n",
		  em->err_label, em->ret_label);
	sb_fini(&code);
	sb_fini(&em->decls);
	em->decls = saved_decls;
	em->out = saved_out;
	em->err_label = se;
	em->ret_label = sr;
	em->cont_label = sc;
	em->break_stmt = sbreak;
}

/* Before the helper that runs callback N: its state (in the frame) and the
 * callback's argument (on the stack). */
static void loop_start(struct emitter *em, int n, const char *limit)
{
	frame_member(em, fmt_str(em, "struct stp_loop_state ls%d", n), fmt_str(em, "ls%d", n));
	emit(em, "\tF->ls%d.limit = %s;\n\tF->ls%d.count = 0;\n\tF->ls%d.flow = 0;\n", n, limit, n,
	     n);
	emit(em, "\tstruct stp_loop lc%d = {.c = c, .F = F, .ctx = ctx, .ls = &F->ls%d};\n", n, n);
}

/* After the helper that ran the callback: the flow out of its body. */
static void after_loop(struct emitter *em, int n)
{
	emit(em, "\tif (F->ls%d.flow == 1)\n\tgoto %s;\n\tif (F->ls%d.flow == 2)\n\tgoto %s;\n", n,
	     em->err_label, n, em->ret_label);
}

static void for_body(struct emitter *em, struct stmt *s)
{
	/* the original counts the statements run; a loop whose body has
	 * none still counts each turn, at the loop */
	if (is_empty_stmt(s->body))
		count_action(em, s->tok);
	if (s->expr) {
		const char *cond = ex(em, s->expr);
		emit(em, "\tif (!(%s))\n\treturn 1;\n", cond);
	}
	st(em, s->body);
}

static void for_step(struct emitter *em, struct stmt *s)
{
	if (s->step)
		emit(em, "\t(void)%s;\n", ex(em, s->step));
}

void bpf_for(struct emitter *em, struct stmt *s)
{
	int n = (*em->nlabels)++;
	const char *name = fmt_str(em, "loop%d", n);
	em->uses_scratch = true;
	emit_callback(em, name, "uint32_t i, void *arg", for_body, for_step, s);
	loop_start(em, n, "-1");
	emit(em, "\tbpf_loop(1 << 23, %s, &lc%d, 0);\n", name, n);
	after_loop(em, n);
}

/* What a foreach callback needs besides the statement: the slice's fixed
 * keys (frame members) and the loop's number. */
struct foreach_info {
	struct stmt *s;
	const char *fixed[ELAB_MAX_KEYS];
};

static struct foreach_info *cur_foreach;

static void foreach_body(struct emitter *em, struct stmt *s)
{
	const struct foreach_info *fi = cur_foreach;
	const struct symbol *sym = s->array->sym;
	emit(em, "\tstruct g%d_key *k = key;\n\t(void)k;\n\t(void)val;\n", sym->index);
	/* the limit counts before a slice filters, as the original */
	emit(em, "\tif (lc->ls->limit >= 0 && lc->ls->count >= lc->ls->limit)\n\treturn 1;\n"
		 "\tlc->ls->count++;\n");
	for (int i = 0; i < ELAB_MAX_KEYS && i < sym->arity; i++) {
		if (!fi->fixed[i])
			continue;
		if (sym->keys[i] == TYPE_STRING) {
			const char *t = new_temp(em, TYPE_STRING);
			emit(em, "\tstp_key_str(%s, sizeof(k->k%d), k->k%d);\n", t, i, i);
			emit(em, "\tif (stp_strcmp(%s, %s) != 0)\n\treturn 0;\n", t, fi->fixed[i]);
		} else {
			emit(em, "\tif (k->k%d != %s)\n\treturn 0;\n", i, fi->fixed[i]);
		}
	}
	vec_foreach(&s->keys, i) {
		struct expr *kv = s->keys.items[i];
		if (!kv->sym)
			continue;
		if (sym->keys[i] == TYPE_STRING)
			emit(em, "\tstp_key_str(%s, sizeof(k->k%zu), k->k%zu);\n",
			     sym_name(em, kv->sym), i, i);
		else
			emit(em, "\t%s = k->k%zu;\n", sym_name(em, kv->sym), i);
	}
	if (s->value && s->value->sym) {
		if (sym->type == TYPE_STRING)
			emit(em, "\tstp_key_str(%s, MAXSTRINGLEN, val);\n",
			     sym_name(em, s->value->sym));
		else
			emit(em, "\t%s = *(int64_t *)val;\n", sym_name(em, s->value->sym));
	}
	st(em, s->body);
}

/* ---- sorted foreach: one pass over the map per element visited ----
 *
 * BPF cannot sort a map, but it can find, in one walk, the element that
 * comes next after the last one visited in the order asked for (the sort
 * column, then the key columns as a tie-break: a total order).  A bpf_loop
 * body does that walk (a bpf_for_each_map_elem callback keeps the best so
 * far in the frame), then runs the script's body on it. */

struct sorted_info {
	const struct symbol *sym;
	int n;
	bool string_value; /* the sort value is a string (in the frame) */
};

static struct sorted_info *cur_sorted;

/* sortcmpN(ka, va, kb, vb): <0 when a comes before b. */
static void sorted_cmp(struct emitter *em, const struct stmt *s, const struct sorted_info *si)
{
	const struct symbol *sym = si->sym;
	struct strbuf *cb = em->callbacks;
	sb_printf(cb,
		  "STP_INLINE int sortcmp%d(const struct g%d_key *ka, const void *va, const struct "
		  "g%d_key *kb, const void *vb)\n{\n\tint r = 0;\n\t(void)va;\n\t(void)vb;\n",
		  si->n, sym->index, sym->index);
	int col = s->sort_key;
	if (col == 0 && si->string_value)
		sb_puts(cb, "\tr = stp_strcmp(va, vb);\n");
	else if (col == 0)
		sb_puts(cb, "\tint64_t x = *(const int64_t *)va, y = *(const int64_t *)vb;\n"
			    "\tr = x < y ? -1 : x > y;\n");
	else if (sym->keys[col - 1] == TYPE_STRING)
		sb_printf(cb, "\tr = stp_kcmp(ka->k%d, kb->k%d, sizeof(ka->k%d));\n", col - 1,
			  col - 1, col - 1);
	else
		sb_printf(cb, "\tr = ka->k%d < kb->k%d ? -1 : ka->k%d > kb->k%d;\n", col - 1,
			  col - 1, col - 1, col - 1);
	if (s->sort_dir == '-')
		sb_puts(cb, "\tr = -r;\n");
	for (int i = 0; i < sym->arity && i < ELAB_MAX_KEYS; i++) {
		sb_puts(cb, "\tif (r)\n\t\treturn r;\n");
		if (sym->keys[i] == TYPE_STRING)
			sb_printf(cb, "\tr = stp_kcmp(ka->k%d, kb->k%d, sizeof(ka->k%d));\n", i, i,
				  i);
		else
			sb_printf(cb, "\tr = ka->k%d < kb->k%d ? -1 : ka->k%d > kb->k%d;\n", i, i,
				  i, i);
	}
	sb_puts(cb, "\treturn r;\n}\n\n");
	/* the walk: the best element after the previous one */
	sb_printf(cb,
		  "static long select%d(void *map, void *key, void *val, void *arg)\n{\n"
		  "\tstruct stp_loop *lc = arg;\n\t%s *F = lc->F;\n"
		  "\tconst struct g%d_key *k = key;\n"
		  "\tif (F->hasprev%d && sortcmp%d(k, val, &F->prevk%d, &F->prevv%d) <= 0)\n"
		  "\t\treturn 0;\n"
		  "\tif (F->found%d && sortcmp%d(k, val, &F->bestk%d, &F->bestv%d) >= 0)\n"
		  "\t\treturn 0;\n"
		  "\tF->bestk%d = *k;\n",
		  si->n, em->frame_type, sym->index, si->n, si->n, si->n, si->n, si->n, si->n,
		  si->n, si->n, si->n);
	if (si->string_value)
		sb_printf(cb, "\tstp_key_str(F->bestv%d, MAXSTRINGLEN, val);\n", si->n);
	else if (sym->type == TYPE_LONG)
		sb_printf(cb, "\tF->bestv%d = *(const int64_t *)val;\n", si->n);
	sb_printf(cb, "\tF->found%d = 1;\n\treturn 0;\n}\n\n", si->n);
}

static void foreach_body(struct emitter *em, struct stmt *s);

static void sorted_body(struct emitter *em, struct stmt *s)
{
	const struct sorted_info *si = cur_sorted;
	int n = si->n, g = si->sym->index;
	emit(em, "\tF->found%d = 0;\n\tbpf_for_each_map_elem(&g%d, select%d, arg, 0);\n", n, g, n);
	emit(em, "\tif (!F->found%d)\n\treturn 1;\n\tF->prevk%d = F->bestk%d;\n", n, n, n);
	if (si->string_value)
		emit(em, "\tstp_scpy(F->prevv%d, F->bestv%d);\n", n, n);
	else
		emit(em, "\tF->prevv%d = F->bestv%d;\n", n, n);
	emit(em,
	     "\tF->hasprev%d = 1;\n\tvoid *key = &F->bestk%d;\n"
	     "\tvoid *val = bpf_map_lookup_elem(&g%d, key);\n\tif (!val)\n\treturn 0;\n",
	     n, n, g);
	foreach_body(em, s);
}

static void bpf_sorted_foreach(struct emitter *em, struct stmt *s, const struct symbol *sym, int n,
			       const char *limit)
{
	struct sorted_info si = {
		.sym = sym, .n = n, .string_value = s->sort_key == 0 && sym->type == TYPE_STRING};
	frame_member(em, fmt_str(em, "struct g%d_key bestk%d", sym->index, n), "");
	frame_member(em, fmt_str(em, "struct g%d_key prevk%d", sym->index, n), "");
	if (si.string_value) {
		frame_member(em, fmt_str(em, "char bestv%d[MAXSTRINGLEN]", n), "");
		frame_member(em, fmt_str(em, "char prevv%d[MAXSTRINGLEN]", n), "");
	} else {
		frame_member(em, fmt_str(em, "int64_t bestv%d", n), "");
		frame_member(em, fmt_str(em, "int64_t prevv%d", n), "");
	}
	frame_member(em, fmt_str(em, "int64_t found%d", n), "");
	frame_member(em, fmt_str(em, "int64_t hasprev%d", n), "");
	sorted_cmp(em, s, &si);
	struct sorted_info *saved = cur_sorted;
	cur_sorted = &si;
	const char *name = fmt_str(em, "loop%d", n);
	emit_callback(em, name, "uint32_t i, void *arg", sorted_body, NULL, s);
	cur_sorted = saved;
	emit(em, "\t{\n\tF->hasprev%d = 0;\n", n);
	loop_start(em, n, limit);
	emit(em, "\tbpf_loop(%s + 1, %s, &lc%d, 0);\n",
	     sym->decl && sym->decl->size > 0 ? fmt_str(em, "%lld", sym->decl->size)
					      : "MAXMAPENTRIES",
	     name, n);
	after_loop(em, n);
	emit(em, "\t}\n");
}

void bpf_foreach(struct emitter *em, struct stmt *s)
{
	struct expr *arr = s->array;
	const struct symbol *sym = arr->sym;
	if (!sym)
		return;
	int n = (*em->nlabels)++;
	const char *limit = s->limit ? ex(em, s->limit) : "-1";
	struct foreach_info fi = {.s = s};
	if (arr->kind == EXPR_INDEX) {
		vec_foreach(&arr->list, i) {
			struct expr *k = arr->list.items[i];
			if (k->kind == EXPR_WILDCARD || i >= ELAB_MAX_KEYS)
				continue;
			const char *v = ex(em, k);
			if (sym->keys[i] == TYPE_STRING) {
				fi.fixed[i] = new_temp(em, TYPE_STRING);
				emit(em, "\tstp_scpy(%s, %s);\n", fi.fixed[i], v);
			} else {
				fi.fixed[i] = frame_member(em, fmt_str(em, "int64_t x%d_%zu", n, i),
							   fmt_str(em, "x%d_%zu", n, i));
				emit(em, "\t%s = %s;\n", fi.fixed[i], v);
			}
		}
	}
	em->uses_scratch = true;
	struct foreach_info *saved = cur_foreach;
	cur_foreach = &fi;
	if (s->sort_key >= 0) {
		bpf_sorted_foreach(em, s, sym, n, limit);
		cur_foreach = saved;
		return;
	}
	const char *name = fmt_str(em, "loop%d", n);
	emit_callback(em, name, "void *map, void *key, void *val, void *arg", foreach_body, NULL,
		      s);
	cur_foreach = saved;
	emit(em, "\t{\n");
	loop_start(em, n, limit);
	emit(em, "\tbpf_for_each_map_elem(&g%d, %s, &lc%d, 0);\n", sym->index, name, n);
	after_loop(em, n);
	emit(em, "\t}\n");
}

/* ---- the file ---- */

/* The key struct of an array, in both files. */
static void key_struct(struct strbuf *out, const struct symbol *g)
{
	sb_printf(out, "struct g%d_key { /* %s */\n", g->index, g->name);
	for (int k = 0; k < g->arity && k < ELAB_MAX_KEYS; k++) {
		if (g->keys[k] == TYPE_STRING && g->key_width[k] > 0)
			sb_printf(out, "\tchar k%d[%d];\n", k, g->key_width[k]);
		else if (g->keys[k] == TYPE_STRING)
			sb_printf(out, "\tchar k%d[MAXSTRINGLEN];\n", k);
		else
			sb_printf(out, "\tint64_t k%d;\n", k);
	}
	sb_puts(out, "};\n");
}

char *bpf_shared_decls(const struct elab *e)
{
	struct strbuf out;
	sb_init(&out);
	sb_puts(&out, "/* the globals BPF code shares: .data, and the key structs of its maps */\n"
		      "struct stp_shared {\n\tint64_t unused_;\n");
	vec_foreach(&e->globals, i) {
		const struct symbol *g = e->globals.items[i];
		if (!g->shared || g->arity > 0 || g->type == TYPE_STATS)
			continue;
		if (g->type == TYPE_STRING)
			sb_printf(&out, "\tchar g%d[MAXSTRINGLEN]; /* %s */\n", g->index, g->name);
		else
			sb_printf(&out, "\tint64_t g%d; /* %s */\n", g->index, g->name);
	}
	sb_puts(&out, "};\n");
	vec_foreach(&e->globals, i) {
		const struct symbol *g = e->globals.items[i];
		if (g->shared && g->arity > 0)
			key_struct(&out, g);
	}
	char *r = xstrdup(sb_str(&out));
	sb_fini(&out);
	return r;
}

/* The per-CPU value of a statistic, its `<<<`, and its map. */
static void stat_decls(struct strbuf *out, const struct symbol *g, int *max_buckets)
{
	int nb = stat_buckets(&g->stat);
	if (nb < 0)
		nb = 0;
	if (nb > *max_buckets)
		*max_buckets = nb;
	sb_printf(out, "struct g%d_val {\n\tstruct stp_stat_hdr h;\n", g->index);
	if (nb)
		sb_printf(out, "\tint64_t b[%d];\n", nb);
	sb_puts(out, "};\n");
	sb_printf(out, "STP_INLINE void g%d_add(struct g%d_val *s, int64_t v)\n{\n", g->index,
		  g->index);
	sb_printf(out, "\tstp_stat_add_hdr(&s->h, %d, v);\n", g->stat.shift);
	if (g->stat.kind == HIST_LOG)
		sb_puts(out, "\ts->b[stp_hist_log_bucket(v) & 127]++;\n");
	else if (g->stat.kind == HIST_LINEAR && nb)
		sb_printf(out,
			  "\tuint32_t b = (uint32_t)stp_hist_linear_bucket(v, %d, %d, %d);\n"
			  "\t/* clang knows b < N and would drop the check the verifier needs */\n"
			  "\tasm volatile(\"\" : \"+r\"(b));\n\tif (b < %d)\n\ts->b[b]++;\n",
			  g->stat.start, g->stat.step, nb, nb);
	sb_puts(out, "}\n");
	if (nb && g->stat.kind != HIST_NONE)
		/* print(@hist_*(s)): CPU 0 sets the record's buckets, the others add */
		sb_printf(out,
			  "static long g%d_hist_cb(uint32_t cpu, void *arg)\n{\n"
			  "\tstruct stp_hist_arg *a = arg;\n"
			  "\tstruct g%d_val *v = bpf_map_lookup_percpu_elem(a->map, a->key, cpu);\n"
			  "\tif (cpu == 0)\n\t\tfor (uint32_t i = 0; i < %d; i++)\n"
			  "\t\t\t((volatile int64_t *)a->out)[i] = 0;\n"
			  "\tif (v)\n\t\tfor (uint32_t i = 0; i < %d; i++)\n"
			  "\t\t\t((volatile int64_t *)a->out)[i] = a->out[i] + v->b[i];\n"
			  "\treturn 0;\n}\n",
			  g->index, g->index, nb, nb);
	if (g->arity <= 0)
		/* delete s: every CPU's record emptied */
		sb_printf(
			out,
			"static long g%d_clear_cb(uint32_t cpu, void *arg)\n{\n\tuint32_t z = 0;\n"
			"\tstruct g%d_val *v = bpf_map_lookup_percpu_elem(((struct stp_map_arg "
			"*)arg)->map, "
			"&z, cpu);\n\tif (v)\n"
			"\t\tfor (uint32_t i = 0; i < sizeof(*v) / 8; i++)\n"
			"\t\t\t((volatile uint64_t *)(void *)v)[i] = 0;\n\treturn 0;\n}\n",
			g->index, g->index);
}

static void map_decl(struct strbuf *out, const struct symbol *g, int *max_buckets)
{
	const char *type;
	char key[64], value[64];
	if (g->arity > 0) {
		type = g->type == TYPE_STATS      ? "BPF_MAP_TYPE_PERCPU_HASH"
		       : g->decl && g->decl->wrap ? "BPF_MAP_TYPE_LRU_HASH"
						  : "BPF_MAP_TYPE_HASH";
		snprintf(key, sizeof(key), "struct g%d_key", g->index);
	} else {
		type = "BPF_MAP_TYPE_PERCPU_ARRAY";
		snprintf(key, sizeof(key), "uint32_t");
	}
	if (g->type == TYPE_STATS) {
		stat_decls(out, g, max_buckets);
		snprintf(value, sizeof(value), "struct g%d_val", g->index);
	} else {
		snprintf(value, sizeof(value), "%s",
			 g->type == TYPE_STRING ? "struct stp_str" : "int64_t");
	}
	char entries[64];
	if (g->arity <= 0)
		snprintf(entries, sizeof(entries), "1");
	else if (g->decl && g->decl->size > 0)
		snprintf(entries, sizeof(entries), "%lld", g->decl->size);
	else
		snprintf(entries, sizeof(entries), "MAXMAPENTRIES");
	sb_printf(out,
		  "struct {\n\t__uint(type, %s);\n\t__uint(max_entries, %s);\n\t__type(key, "
		  "%s);\n\t__type(value, %s);\n} g%d SEC(\".maps\"); /* %s */\n\n",
		  type, entries, key, value, g->index, g->name);
}

/* Each function's or probe's frame and callees, for the scratch size. */
struct frame_info {
	const char *name;   /* "f3", "probe5" */
	struct vec callees; /* of struct efunction */
};

struct bpf_file {
	struct strbuf frames;   /* the frame structs */
	struct strbuf protos;   /* prototypes of the functions */
	struct strbuf code;     /* callbacks, functions and programs */
	struct frame_info *fns; /* by function index */
	struct vec probes;      /* of struct frame_info */
};

static void frame_struct(struct strbuf *out, const char *name, const struct strbuf *members)
{
	sb_printf(out, "struct %s_frame {\n%s} __attribute__((aligned(8)));\n", name,
		  members->len ? members->buf : "");
}

static void bpf_signature(struct strbuf *sb, const struct efunction *f)
{
	sb_printf(sb, "STP_INLINE %s f%d(struct stp_context *c, struct f%d_frame *F, void *ctx",
		  f->type == TYPE_LONG ? "int64_t" : "void", f->index, f->index);
	vec_foreach(&f->params, i) {
		const struct symbol *p = f->params.items[i];
		sb_printf(sb, p->type == TYPE_STRING ? ", const char *p%zu" : ", int64_t p%zu", i);
	}
	sb_puts(sb, ")");
}

static void start_frame(struct emitter *em, struct strbuf *frame, struct strbuf *callbacks,
			struct vec *callees, const char *name)
{
	sb_init(frame);
	sb_init(callbacks);
	em->frame = frame;
	em->callbacks = callbacks;
	em->callees = callees;
	em->frame_type = fmt_str(em, "struct %s_frame", name);
	em->uses_scratch = false;
}

static void frame_locals(struct strbuf *frame, struct strbuf *init, const struct vec *locals)
{
	vec_foreach(locals, i) {
		const struct symbol *l = locals->items[i];
		if (l->type == TYPE_STRING) {
			sb_printf(frame, "\tchar l%zu[MAXSTRINGLEN]; /* %s */\n", i, l->name);
			sb_printf(init, "\tF->l%zu[0] = 0;\n", i);
		} else {
			sb_printf(frame, "\tint64_t l%zu; /* %s */\n", i, l->name);
			sb_printf(init, "\tF->l%zu = 0;\n", i);
		}
	}
}

static void bpf_function(struct emitter *em, struct bpf_file *bf, const struct efunction *f)
{
	struct strbuf frame, callbacks, text, init;
	struct frame_info *fi = &bf->fns[f->index];
	fi->name = fmt_str(em, "f%d", f->index);
	start_frame(em, &frame, &callbacks, &fi->callees, fi->name);
	sb_init(&text);
	sb_init(&init);
	sb_puts(&frame, f->type == TYPE_STRING ? "\tchar ret[MAXSTRINGLEN];\n"
			: f->type == TYPE_LONG ? "\tint64_t ret;\n"
					       : "");
	bpf_signature(&bf->protos, f);
	sb_puts(&bf->protos, ";\n");
	bpf_signature(&text, f);
	sb_printf(&text, " /* %s */\n{\n", f->name);
	if (!f->decl->body) {
		/* embedded C: the stp_bpf.h API, SystemTap's macros */
		sb_puts(&text, f->type == TYPE_LONG     ? "\tF->ret = 0;\n"
			       : f->type == TYPE_STRING ? "\tF->ret[0] = 0;\n"
							: "");
		vec_foreach(&f->params, i) {
			const struct symbol *p = f->params.items[i];
			sb_printf(&text, "#define STAP_ARG_%s (p%zu)\n", p->name, i);
		}
		sb_puts(&text,
			"#define STAP_RETVALUE (F->ret)\n"
			"#define STAP_RETURN(v) do { STAP_RETVALUE = (v); goto out; } while (0)\n"
			"#define STAP_ERROR(msg, ...) do { stp_error_msg(c, msg); goto out; } "
			"while (0)\n"
			"#define CONTEXT c\n\t{\n");
		sb_puts(&text, f->decl->code->text);
		sb_puts(&text, "\n\t}\n\tgoto out;\nout:\n");
		vec_foreach(&f->params, i) {
			const struct symbol *p = f->params.items[i];
			sb_printf(&text, "#undef STAP_ARG_%s\n", p->name);
		}
		sb_puts(&text, "#undef STAP_RETVALUE\n#undef STAP_RETURN\n#undef STAP_ERROR\n"
			       "#undef CONTEXT\n");
	} else {
		vec_foreach(&f->params, i) {
			const struct symbol *p = f->params.items[i];
			if (p->type == TYPE_STRING) {
				sb_printf(&frame, "\tchar a%zu[MAXSTRINGLEN]; /* %s */\n", i,
					  p->name);
				sb_printf(&init, "\tstp_scpy(F->a%zu, p%zu);\n", i, i);
			} else {
				sb_printf(&frame, "\tint64_t a%zu; /* %s */\n", i, p->name);
				sb_printf(&init, "\tF->a%zu = p%zu;\n", i, i);
			}
		}
		frame_locals(&frame, &init, &f->locals);
		sb_puts(&init, f->type == TYPE_LONG     ? "\tF->ret = 0;\n"
			       : f->type == TYPE_STRING ? "\tF->ret[0] = 0;\n"
							: "");
		sb_printf(&init,
			  "\tif (STP_UNLIKELY(++c->nesting > MAXNESTING)) { stp_fail(c, "
			  "STP_MSG_MAXNESTING, %s); goto out; }\n",
			  where(em, f->decl->tok));
		em->fn = f;
		emit_body(em, &text, f->decl->body, sb_str(&init));
		em->fn = NULL;
		sb_puts(&text, "\tgoto out;\nout:\n\tc->nesting--;\n");
	}
	sb_puts(&text, f->type == TYPE_LONG ? "\treturn F->ret;\n}\n\n" : "\treturn;\n}\n\n");
	frame_struct(&bf->frames, fi->name, &frame);
	sb_puts(&bf->code, sb_str(&callbacks));
	sb_puts(&bf->code, sb_str(&text));
	sb_fini(&frame);
	sb_fini(&callbacks);
	sb_fini(&text);
	sb_fini(&init);
}

static const char *section(struct emitter *em, const struct eprobe *p)
{
	if (p->kind == PROBE_TRACEPOINT && p->tp_raw)
		return fmt_str(em, "raw_tp/%s", p->tp_event);
	if (p->kind == PROBE_TRACEPOINT)
		return fmt_str(em, "tracepoint/%s/%s", p->tp_group, p->tp_event);
	if (p->kind == PROBE_KFUNC && p->kf)
		return fmt_str(em, "%s/%s", p->kf_return ? "fexit" : "fentry", p->kf->name);
	if (p->kind == PROBE_KFUNC)
		return "kprobe";
	if (p->kind == PROBE_UPROBE)
		return p->up_return ? "uretprobe" : "uprobe";
	if (p->kind == PROBE_USDT)
		return "usdt";
	return "perf_event";
}

/* The helpers of stp_bpf.h that reach the scratch area (STP_SCRATCH(c)),
 * and frame members.  The code that emits a call to one of them marks the
 * handler as using the scratch area; should a path forget, its body still
 * names the helper, and this check gives the handler a scratch area, so that
 * a context on the stack is never taken for one. */
static bool names_scratch_helper(const char *body)
{
	static const char *const names[] = {
		"STP_SCRATCH", "F->",           "stp_send_text",   "stp_report_error",
		"stp_catch",   "stp_error_msg", "stp_user_fault",  "stp_kernel_fault",
		"stp_kread",   "stp_backtrace", "stp_print_stack", "stp_exit",
		"stp_uread",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strstr(body, names[i]))
			return true;
	return false;
}

/* The parameters a kernel function probe reads from registers: the
 * leading integers and pointers, six at most (x86-64's argument registers). */
static int kf_args(const struct eprobe *p)
{
	int n = 0;
	if (!p->kf)
		return 0;
	while (n < p->kf->nparams && n < 6 && p->kf->params[n].value.scalar)
		n++;
	return n;
}

/* One BPF program of a probe: its section, prologue (what fills the
 * context from ctx) and body. */
void bpf_program(struct emitter *em, struct strbuf *out, const struct eprobe *p, const char *sec,
		 const char *name, const char *frame, const char *prologue, const char *body)
{
	/* a kprobe.multi program runs the probe its cookie names */
	const char *index = strstr(sec, ".multi") ? "(int)bpf_get_attach_cookie(ctx)"
						  : fmt_str(em, "%d", p->index);
	sb_printf(out, "SEC(\"%s\")\nint %s(void *ctx) /* %s */\n{\n", sec, name, p->pp);
	sb_puts(out, "\tif (stp_rt.state != STP_RUNNING)\n\t\treturn 0;\n\tSTP_TIMING_START;\n");
	if (em->uses_scratch)
		sb_printf(out,
			  "\tuint32_t cpu = bpf_get_smp_processor_id();\n"
			  "\tstruct stp_scratch *S = bpf_map_lookup_elem(&stp_scratch, &cpu);\n"
			  "\tif (!S) {\n\t\t__sync_fetch_and_add(&stp_rt.skipped, 1);\n\t\treturn "
			  "0;\n\t}\n"
			  "\tstruct stp_context *c = &S->h.ctx;\n"
			  "\t*c = (struct stp_context){.last_stmt = -1, .actionremaining = "
			  "MAXACTION, "
			  ".probe = %s};\n"
			  "\tstruct %s_frame *F = (void *)S->frames;\n",
			  index, frame);
	else
		sb_printf(
			out,
			"\tstruct stp_context cs = {.last_stmt = -1, .actionremaining = MAXACTION, "
			".probe = %s};\n\tstruct stp_context *c = &cs;\n",
			index);
	if (p->kind == PROBE_PERF)
		sb_puts(out, "\tc->ip = stp_perf_ip(ctx);\n");
	if (p->kind == PROBE_UPROBE || p->kind == PROBE_USDT)
		sb_puts(out, "\tc->uaddr = stp_uprobe_ip(ctx);\n");
	sb_puts(out, prologue);
	sb_puts(out, body);
	sb_printf(out,
		  "\tgoto out;\nout:\n\tif (STP_UNLIKELY(c->last_error))\n"
		  "\t\t%s(c);\n\tSTP_TIMING_END(%s);\n\treturn 0;\n}\n\n",
		  em->uses_scratch ? "stp_report_error" : "stp_report_error_code",
		  index[0] == '(' ? "c->probe" : index);
}

/* A system call's entry handler deferred to the exit (pass 2's
 * syscall_replays, context.c): the entry keeps its record in stp_defer
 * when a user string it reads faults; a program on the exit takes it back
 * into a per-CPU buffer and runs the entry's body on it (ctx is that
 * record then: the body reads the fields through it). */
static const char defer_decls[] =
	"/* deferred system call entries: the record, by probe and thread */\n"
	"struct stp_tp_saved {\n\tuint64_t rec[8];\n};\n\n"
	"struct {\n\t__uint(type, BPF_MAP_TYPE_LRU_HASH);\n\t__uint(max_entries, 4096);\n"
	"\t__type(key, uint64_t);\n\t__type(value, struct stp_tp_saved);\n} stp_defer "
	"SEC(\".maps\");\n\n"
	"struct {\n\t__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);\n\t__uint(max_entries, 1);\n"
	"\t__type(key, uint32_t);\n\t__type(value, struct stp_tp_saved);\n} stp_defer_buf "
	"SEC(\".maps\");\n\n"
	"/* Whether a user string of the fields in mask (bit i: offset 8*i) cannot\n"
	" * be read now; then the record is kept for the exit and the entry's\n"
	" * handler does not run. */\n"
	"STP_INLINE int stp_defer_entry(void *ctx, uint32_t mask, int probe, int words)\n{\n"
	"\tint faults = 0;\n"
	"#pragma unroll\n"
	"\tfor (int i = 1; i < 8; i++) {\n"
	"\t\tif (!(mask & (1u << i)))\n\t\t\tcontinue;\n"
	"\t\tconst char *u = (const char *)((uint64_t *)ctx)[i];\n"
	"\t\tchar b;\n"
	"\t\tif (u && bpf_probe_read_user(&b, 1, u) < 0)\n\t\t\tfaults = 1;\n"
	"\t}\n"
	"\tif (!faults)\n\t\treturn 0;\n"
	"\tstruct stp_tp_saved s = {0};\n"
	"\t/* the first 8 bytes (common_type...) are no program's to read, nor\n"
	"\t * what is past the record (the kernel refuses to attach it) */\n"
	"#pragma unroll\n"
	"\tfor (int i = 1; i < 8; i++)\n\t\tif (i < words)\n\t\t\ts.rec[i] = ((uint64_t "
	"*)ctx)[i];\n"
	"\tuint64_t key = ((uint64_t)probe << 32) | (uint32_t)bpf_get_current_pid_tgid();\n"
	"\treturn bpf_map_update_elem(&stp_defer, &key, &s, BPF_ANY) == 0;\n}\n\n"
	"/* The record an entry of probe kept, NULL if none; removed from the map. */\n"
	"STP_INLINE void *stp_defer_take(int probe)\n{\n"
	"\tuint64_t key = ((uint64_t)probe << 32) | (uint32_t)bpf_get_current_pid_tgid();\n"
	"\tstruct stp_tp_saved *s = bpf_map_lookup_elem(&stp_defer, &key);\n"
	"\tuint32_t zero = 0;\n"
	"\tstruct stp_tp_saved *copy = bpf_map_lookup_elem(&stp_defer_buf, &zero);\n"
	"\tif (!s || !copy)\n\t\treturn NULL;\n"
	"\t*copy = *s;\n"
	"\tbpf_map_delete_elem(&stp_defer, &key);\n"
	"\treturn copy;\n}\n\n";

/* The 8-byte words of a tracepoint's record (its last field's end). */
static int record_words(const struct eprobe *p)
{
	int end = 0;
	if (p->tp)
		vec_foreach(&p->tp->fields, i) {
			const struct tp_field *f = p->tp->fields.items[i];
			if (f->offset + f->size > end)
				end = f->offset + f->size;
		}
	return end / 8 < 8 ? end / 8 : 8;
}

static void bpf_probe(struct emitter *em, struct bpf_file *bf, struct eprobe *p)
{
	/* the exit probe of a deferred entry: the entry's body, on its record */
	const struct eprobe *entry = p->replays;
	if (entry && !entry->defer_mask) {
		sb_printf(&bf->code,
			  "SEC(\"%s\")\nint probe%d(void *ctx) /* %s: nothing deferred */\n{\n"
			  "\treturn 0;\n}\n\n",
			  section(em, p), p->index, p->pp);
		return;
	}
	struct frame_info *fi = arena_alloc(em->arena, sizeof(*fi));
	fi->name = fmt_str(em, "probe%d", p->index);
	const char *psec = section(em, p);
	if (entry)
		p = (struct eprobe *)entry;
	vec_push_arena(em->arena, &bf->probes, fi);
	struct strbuf frame, callbacks, body, init;
	start_frame(em, &frame, &callbacks, &fi->callees, fi->name);
	sb_init(&body);
	sb_init(&init);
	frame_locals(&frame, &init, &p->locals);
	if (p->locals.len)
		em->uses_scratch = true;
	emit_body(em, &body, p->body, sb_str(&init));
	if (!em->uses_scratch && names_scratch_helper(sb_str(&body)))
		em->uses_scratch = true;
	struct strbuf *out = &bf->code;
	sb_puts(out, sb_str(&callbacks));
	/* a deferred handler replays on a copy of the record, not the
	 * program's context, which the stack helpers need: none then */
	if (p->defer_mask && !entry &&
	    (strstr(sb_str(&body), "stp_backtrace") ||
	     strstr(sb_str(&callbacks), "stp_backtrace") ||
	     strstr(sb_str(&bf->code), "stp_backtrace")))
		p->defer_mask = 0;
	if (p->kind == PROBE_PROCESS) {
		bpf_procev_programs(em, out, p, fi->name, sb_str(&body));
	} else if (entry) {
		bpf_program(em, out, p, psec, fi->name, fi->name,
			    fmt_str(em, "\tctx = stp_defer_take(%d);\n\tif (!ctx)\n\t\treturn 0;\n",
				    p->index),
			    sb_str(&body));
	} else if (p->kind != PROBE_KFUNC) {
		bpf_program(em, out, p, psec, fi->name, fi->name,
			    p->defer_mask ? fmt_str(em,
						    "\tif (stp_defer_entry(ctx, 0x%x, %d, %d))\n"
						    "\t\treturn 0;\n",
						    p->defer_mask, p->index, record_words(p))
					  : "",
			    sb_str(&body));
	} else {
		/* two programs, one body: the runtime loads the one this kernel
		 * allows (fentry/fexit first), each filling c->kargs its way */
		struct strbuf pro;
		sb_init(&pro);
		int n = kf_args(p);
		if (p->kf) {
			/* only the parameters the body reads: the verifier refuses a
			 * read past the function's arguments, and a module compiled
			 * against another kernel may count them otherwise */
			for (int i = 0; i < n; i++)
				if (p->args_used & (1u << i))
					sb_printf(&pro, "\tc->kargs[%d] = ((uint64_t *)ctx)[%d];\n",
						  i, i);
			if (p->kf_return)
				sb_printf(&pro, "\tc->kret = ((uint64_t *)ctx)[%d];\n",
					  p->kf->nparams);
			bpf_program(em, out, p, section(em, p), fi->name, fi->name, sb_str(&pro),
				    sb_str(&body));
			sb_fini(&pro);
			sb_init(&pro);
		}
		sb_puts(&pro, "\tc->ip = (int64_t)stp_kp_reg(ctx, STP_REGS_IP);\n");
		if (p->kf_return)
			sb_puts(&pro, "\tc->kret = stp_kp_reg(ctx, STP_REGS_AX);\n");
		else
			for (int i = 0; i < n; i++)
				if (p->args_used & (1u << i))
					sb_printf(&pro, "\tc->kargs[%d] = stp_kp_arg(ctx, %d);\n",
						  i, i);
		const char *sec =
			!p->kf ? "kprobe"
			       : fmt_str(em, "%s/%s", p->kf_return ? "kretprobe" : "kprobe",
					 p->kf->name);
		bpf_program(em, out, p, sec, fmt_str(em, "%s_kp", fi->name), fi->name, sb_str(&pro),
			    sb_str(&body));
		/* the group's first probe: one program for all its functions,
		 * loaded instead of theirs where the kernel has kprobe.multi */
		if (p->kp_group == p->index + 1)
			bpf_program(em, out, p, p->kf_return ? "kretprobe.multi" : "kprobe.multi",
				    fmt_str(em, "%s_kpm", fi->name), fi->name, sb_str(&pro),
				    sb_str(&body));
		sb_fini(&pro);
	}
	frame_struct(&bf->frames, fi->name, &frame);
	sb_fini(&frame);
	sb_fini(&callbacks);
	sb_fini(&body);
	sb_fini(&init);
}

/* enum STP_DEPTH_<name>: bytes of the frame and the deepest callee chain,
 * callees first. */
static void depth_enum(struct strbuf *out, struct bpf_file *bf, struct frame_info *fi, char *done)
{
	vec_foreach(&fi->callees, i) {
		const struct efunction *f = fi->callees.items[i];
		if (!done[f->index]) {
			done[f->index] = 1;
			depth_enum(out, bf, &bf->fns[f->index], done);
		}
	}
	sb_printf(out, "enum { STP_CALLEES_%s_0 = 0 };\n", fi->name);
	vec_foreach(&fi->callees, i) {
		const struct efunction *f = fi->callees.items[i];
		sb_printf(out,
			  "enum { STP_CALLEES_%s_%zu = STP_MAX(STP_CALLEES_%s_%zu, "
			  "STP_DEPTH_f%d) };\n",
			  fi->name, i + 1, fi->name, i, f->index);
	}
	sb_printf(out, "enum { STP_DEPTH_%s = sizeof(struct %s_frame) + STP_CALLEES_%s_%zu };\n",
		  fi->name, fi->name, fi->name, fi->callees.len);
}

static const char *pow2_at_least(struct emitter *em, long n)
{
	long p = 256;
	while (p < n)
		p *= 2;
	return fmt_str(em, "%ld", p);
}

void translate_bpf(struct emitter *em, struct strbuf *out, const char *shared_decls)
{
	const struct elab *e = em->e;
	struct bpf_file bf = {0};
	sb_init(&bf.frames);
	sb_init(&bf.protos);
	sb_init(&bf.code);
	bf.fns = arena_alloc(em->arena, (e->functions.len + 1) * sizeof(*bf.fns));
	vec_foreach(&e->functions, i) {
		const struct efunction *f = e->functions.items[i];
		if (f->in_kernel)
			bpf_function(em, &bf, f);
	}
	vec_foreach(&e->probes, i) {
		struct eprobe *p = e->probes.items[i];
		if (p->kernel && !p->elided)
			bpf_probe(em, &bf, p);
	}

	struct translation_tables *t = em->tables;
	int max_buckets = 0;
	struct strbuf maps;
	sb_init(&maps);
	vec_foreach(&e->globals, i) {
		const struct symbol *g = e->globals.items[i];
		if (g->shared && (g->arity > 0 || g->type == TYPE_STATS))
			map_decl(&maps, g, &max_buckets);
	}

	sb_puts(out, "/* generated by stap (stap on eBPF), BPF target */\n");
	sb_printf(out, "#define STP_REC_MAX %s\n", pow2_at_least(em, t->max_record + 8));
	sb_printf(out, "#define STP_ZERO_SIZE %d\n", 64 + 8 * (max_buckets ? max_buckets : 1));
	if (bpf_procev_count(e))
		sb_puts(out, "#define STP_PROCEV /* process events: stp_bpf_proc.h */\n");
	sb_puts(out, "#include \"stp_bpf.h\"\n\n");
	bool usdt = false;
	vec_foreach(&e->probes, i)
		usdt |= ((const struct eprobe *)e->probes.items[i])->kind == PROBE_USDT;
	if (usdt)
		sb_puts(out, "/* USDT marks: libbpf's argument decoding */\n"
			     "#include <bpf/usdt.bpf.h>\n\n"
			     "STP_INLINE int64_t stp_usdt_arg(void *ctx, int n)\n{\n"
			     "\tlong v = 0;\n\tbpf_usdt_arg((struct pt_regs *)ctx, n, &v);\n"
			     "\treturn v;\n}\n\n");
	sb_puts(out, shared_decls);
	sb_puts(out, "struct stp_shared stp_shared SEC(\".data\") = {0};\n\n");
	core_decls(em, out);
	sb_puts(out, sb_str(&maps));
	bool defer = false;
	vec_foreach(&e->probes, i) {
		const struct eprobe *p = e->probes.items[i];
		defer |= p->kernel && !p->elided && p->defer_mask;
	}
	if (defer)
		sb_puts(out, defer_decls);
	/* writable data, not .rodata: the string functions are BPF global
	 * functions, whose pointer arguments the verifier wants writable */
	sb_puts(out, "/* the strings of the program: full buffers */\n"
		     "static struct stp_str stp_lits[] SEC(\".data.lits\") = {\n");
	vec_foreach(&t->literals, i)
		sb_printf(out, "\t{%s},\n", (const char *)t->literals.items[i]);
	sb_puts(out, "\t{\"\"}\n};\n\n");
	vec_foreach(&t->kformats, i)
		sb_printf(out, "static const char stp_kfmt%zu[] = %s;\n", i,
			  (const char *)t->kformats.items[i]);
	/* pp() of each probe, by its index */
	int nprobes = (int)e->probes.len;
	sb_printf(out, "static struct stp_str stp_pps[%d] SEC(\".data.lits\") = {\n",
		  nprobes ? nprobes : 1);
	vec_foreach(&e->probes, i) {
		const struct eprobe *p = e->probes.items[i];
		sb_printf(out, "\t[%zu] = {%s},\n", i, c_string(em, p->pp, strlen(p->pp)));
	}
	sb_puts(out, "};\n\n");
	sb_printf(out,
		  "STP_INLINE void stp_pp(struct stp_context *c, char *dst)\n{\n"
		  "\tuint32_t i = (uint32_t)c->probe;\n"
		  "\tif (i < %d)\n\t\tstp_scpy(dst, stp_pps[i].s);\n\telse\n\t\tdst[0] = 0;\n}\n\n",
		  nprobes);
	sb_printf(out, "static struct stp_str stp_ppfuncs[%d] SEC(\".data.lits\") = {\n",
		  nprobes ? nprobes : 1);
	vec_foreach(&e->probes, i) {
		const struct eprobe *p = e->probes.items[i];
		char fn[256];
		pp_function(p->pp, fn, sizeof(fn));
		sb_printf(out, "\t[%zu] = {%s},\n", i, c_string(em, fn, strlen(fn)));
	}
	sb_puts(out, "};\n\n");
	sb_printf(out,
		  "STP_INLINE void stp_ppfunc(struct stp_context *c, char *dst)\n{\n"
		  "\tuint32_t i = (uint32_t)c->probe;\n"
		  "\tif (i < %d)\n\t\tstp_scpy(dst, stp_ppfuncs[i].s);\n\telse\n\t\tdst[0] = "
		  "0;\n}\n\n",
		  nprobes);
	sb_printf(out, "static struct stp_str stp_ptypes[%d] SEC(\".data.lits\") = {\n",
		  nprobes ? nprobes : 1);
	vec_foreach(&e->probes, i) {
		const struct eprobe *p = e->probes.items[i];
		sb_printf(out, "\t[%zu] = {\"%s\"},\n", i,
			  p->one_cpu && strncmp(p->pp, "timer.jiffies", 13)       ? "hrtimer"
			  : p->one_cpu                                            ? "timer"
			  : p->kind == PROBE_PERF                                 ? "perf_event"
			  : p->kind == PROBE_KFUNC && p->kf_return                ? "kretprobe"
			  : p->kind == PROBE_KFUNC                                ? "kprobe"
			  : p->kind == PROBE_UPROBE && p->up_return               ? "uretprobe"
			  : p->kind == PROBE_UPROBE || p->kind == PROBE_USDT      ? "uprobe"
			  : p->kind == PROBE_PROCESS && p->pe_event >= PE_SYSCALL ? "utrace_syscall"
			  : p->kind == PROBE_PROCESS                              ? "utrace"
						     : "kernel_tracepoint");
	}
	sb_puts(out, "};\n\n");
	sb_printf(out,
		  "STP_INLINE void stp_probe_type(struct stp_context *c, char *dst)\n{\n"
		  "\tuint32_t i = (uint32_t)c->probe;\n"
		  "\tif (i < %d)\n\t\tstp_scpy(dst, stp_ptypes[i].s);\n\telse\n\t\tdst[0] = "
		  "0;\n}\n\n",
		  nprobes);
	sb_puts(out, "/* frames */\n");
	vec_foreach(&e->functions, i) {
		const struct efunction *f = e->functions.items[i];
		if (f->in_kernel)
			sb_printf(out, "struct f%d_frame;\n", f->index);
	}
	sb_puts(out, sb_str(&bf.frames));
	char *done = calloc(e->functions.len + 1, 1);
	vec_foreach(&e->functions, i) {
		const struct efunction *f = e->functions.items[i];
		if (f->in_kernel && !done[f->index]) {
			done[f->index] = 1;
			depth_enum(out, &bf, &bf.fns[f->index], done);
		}
	}
	sb_puts(out, "enum { STP_FRAMES_0 = 0 };\n");
	vec_foreach(&bf.probes, i) {
		struct frame_info *fi = bf.probes.items[i];
		depth_enum(out, &bf, fi, done);
		sb_printf(out, "enum { STP_FRAMES_%zu = STP_MAX(STP_FRAMES_%zu, STP_DEPTH_%s) };\n",
			  i + 1, i, fi->name);
	}
	free(done);
	sb_printf(out,
		  "\nstruct stp_scratch {\n\tstruct stp_scratch_hdr h;\n"
		  "\tchar frames[STP_FRAMES_%zu];\n\tchar slack[2 * MAXSTRINGLEN];\n};\n\n"
		  "struct {\n\t__uint(type, BPF_MAP_TYPE_ARRAY);\n\t__uint(max_entries, 1);\n"
		  "\t__type(key, uint32_t);\n\t__type(value, struct stp_scratch);\n"
		  "} stp_scratch SEC(\".maps\"); /* one per CPU: the runtime sizes it */\n\n",
		  bf.probes.len);
	sb_printf(out,
		  "#ifdef STP_TIMING /* -t: each probe's handling times, per CPU */\n"
		  "struct {\n\t__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);\n\t__uint(max_entries, "
		  "%zu);\n"
		  "\t__type(key, uint32_t);\n\t__type(value, struct stp_stat_hdr);\n"
		  "} stp_timing SEC(\".maps\");\n#endif\n\n",
		  em->e->probes.len ? em->e->probes.len : 1);
	sb_puts(out, sb_str(&bf.protos));
	sb_putc(out, '\n');
	sb_puts(out, sb_str(&bf.code));
	sb_puts(out, "char LICENSE[] SEC(\"license\") = \"GPL\";\n");
	sb_fini(&maps);
	sb_fini(&bf.frames);
	sb_fini(&bf.protos);
	sb_fini(&bf.code);
}
