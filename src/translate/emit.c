/*
 * The C emitter, for both targets (see internal.h).  Each probe handler and
 * script function becomes a C function; each expression is computed by
 * statements written before the statement that uses it ("pre-statements")
 * into numbered temporaries, so that SystemTap's left-to-right evaluation,
 * short-circuit operators and error checks keep their order.  An operation
 * that can fail sets c->last_error and jumps to the innermost catch or to
 * the end of the handler; a call is followed by a check of c->last_error.
 * Locals are initialised at entry (they start afresh at each firing).
 *
 * Names in the generated C: g<N> globals, l<N> locals, a<N> parameters,
 * t<N> temporaries, f<N> functions, probe<N> handlers, all numbered, so no
 * script name can clash with C.  In BPF code the locals, parameters and
 * string temporaries are members of the function's frame (F->l0), shared
 * scalars members of stp_shared.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- small helpers ---- */

void emit(struct emitter *em, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(em->out, fmt, ap);
	va_end(ap);
}

const char *fmt_str(struct emitter *em, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *r = arena_vprintf(em->arena, fmt, ap);
	va_end(ap);
	return r;
}

const char *new_temp(struct emitter *em, enum vtype t)
{
	int n = em->ntemps++;
	if (t == TYPE_STRING && em->bpf) {
		sb_printf(em->frame, "\tchar t%d[MAXSTRINGLEN];\n", n);
		em->uses_scratch = true;
		return fmt_str(em, "F->t%d", n);
	}
	if (t == TYPE_STRING)
		sb_printf(&em->decls, "\tchar t%d[MAXSTRINGLEN];\n", n);
	else
		sb_printf(&em->decls, "\tint64_t t%d = 0;\n", n);
	return fmt_str(em, "t%d", n);
}

const char *new_label(struct emitter *em, const char *what)
{
	return fmt_str(em, "%s%d", what, (*em->nlabels)++);
}

/* A C string literal holding bytes. */
static void c_literal(struct strbuf *sb, const char *s, size_t len)
{
	sb_putc(sb, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			sb_printf(sb, "\\%c", ch);
		else if (ch == '\n')
			sb_puts(sb, "\\n");
		else if (ch == '?' || !isprint(ch))
			sb_printf(sb, "\\%03o", ch);
		else
			sb_putc(sb, (char)ch);
	}
	sb_putc(sb, '"');
}

const char *c_string(struct emitter *em, const char *s, size_t len)
{
	struct strbuf sb;
	sb_init(&sb);
	c_literal(&sb, s, len);
	const char *r = arena_strdup(em->arena, sb_str(&sb));
	sb_fini(&sb);
	return r;
}

/* The C expression of a script string literal (escapes interpreted): a C
 * literal, or in BPF code a padded literal of .rodata. */
const char *script_string(struct emitter *em, const char *raw)
{
	size_t len;
	char *bytes = fmt_unescape(raw, &len);
	/* a NUL ends a script string */
	const char *r = c_string(em, bytes, strnlen(bytes, len));
	free(bytes);
	return em->bpf ? bpf_literal(em, r) : r;
}

/* Where a runtime error is, "operator '/' at FILE:L:C": a C literal for the
 * host, the index of the location table in BPF code; "STP_NOWHERE" none. */
const char *where(struct emitter *em, const struct token *tok)
{
	if (!tok || !tok->loc.src)
		return "STP_NOWHERE";
	char desc[256];
	token_describe(tok, desc, sizeof(desc));
	char *s = arena_printf(em->arena, "%s at %s:%d:%d", desc, tok->loc.src->name, tok->loc.line,
			       tok->loc.col);
	if (!em->bpf)
		return c_string(em, s, strlen(s));
	struct vec *locs = &em->tables->locations;
	vec_foreach(locs, i)
		if (strcmp(locs->items[i], s) == 0)
			return fmt_str(em, "%zu", i);
	vec_push_arena(em->arena, locs, s);
	return fmt_str(em, "%zu", locs->len - 1);
}

void check_error(struct emitter *em)
{
	emit(em, "\tif (STP_UNLIKELY(c->last_error)) goto %s;\n", em->err_label);
}

const char *sym_name(struct emitter *em, const struct symbol *sym)
{
	switch (sym->kind) {
	case SYM_GLOBAL:
		if (sym->shared && sym->arity <= 0 && sym->type != TYPE_STATS)
			return fmt_str(em, em->bpf ? "stp_shared.g%d" : "stp_G->g%d", sym->index);
		return fmt_str(em, "g%d", sym->index);
	case SYM_PARAM:
		return fmt_str(em, em->bpf ? "F->a%d" : "a%d", sym->index);
	default:
		return fmt_str(em, em->bpf ? "F->l%d" : "l%d", sym->index);
	}
}

bool has_side_effects(const struct expr *e)
{
	if (!e)
		return false;
	switch (e->kind) {
	case EXPR_ASSIGN:
	case EXPR_PREINC:
	case EXPR_POSTINC:
	case EXPR_CALL:
	case EXPR_PRINT:
		return true;
	default:
		break;
	}
	if (has_side_effects(e->a) || has_side_effects(e->b) || has_side_effects(e->c))
		return true;
	vec_foreach(&e->list, i)
		if (has_side_effects(e->list.items[i]))
			return true;
	return false;
}

/* A shared long scalar (BPF global data): updated atomically. */
static bool is_shared_long(const struct expr *lv)
{
	const struct symbol *sym = lv->sym;
	return lv->kind == EXPR_SYMBOL && sym && sym->kind == SYM_GLOBAL && sym->shared &&
	       sym->arity <= 0 && sym->type == TYPE_LONG;
}

/* ---- expressions ---- */

/* Evaluate e into a temporary (when later operands may change what it
 * reads) or keep its expression. */
const char *ex_stable(struct emitter *em, struct expr *e, bool later_effects)
{
	const char *v = ex(em, e);
	if (!later_effects || e->kind == EXPR_NUMBER || e->kind == EXPR_STRING)
		return v;
	const char *t = new_temp(em, e->type);
	if (e->type == TYPE_STRING)
		emit(em, "\tstp_scpy(%s, %s);\n", t, v);
	else
		emit(em, "\t%s = %s;\n", t, v);
	return t;
}

/* The key array of an index: "(union stp_key[]){...}". */
static const char *ex_keys(struct emitter *em, struct vec *keys, const struct symbol *sym)
{
	if (em->bpf)
		return bpf_keys(em, keys, sym, NULL);
	const char *vals[ELAB_MAX_KEYS];
	size_t n = keys->len < ELAB_MAX_KEYS ? keys->len : ELAB_MAX_KEYS;
	for (size_t i = 0; i < n; i++) {
		bool later = false;
		for (size_t j = i + 1; j < n; j++)
			later |= has_side_effects(keys->items[j]);
		vals[i] = ex_stable(em, keys->items[i], later);
	}
	struct strbuf sb;
	sb_init(&sb);
	sb_puts(&sb, "((union stp_key[]){");
	for (size_t i = 0; i < n; i++) {
		bool str = sym ? sym->keys[i] == TYPE_STRING
			       : ((struct expr *)keys->items[i])->type == TYPE_STRING;
		sb_printf(&sb, "%s{.%c = %s}", i ? ", " : "", str ? 's' : 'l', vals[i]);
	}
	sb_puts(&sb, "})");
	const char *r = arena_strdup(em->arena, sb_str(&sb));
	sb_fini(&sb);
	return r;
}

static const char *stat_params(struct emitter *em, const struct symbol *sym)
{
	return fmt_str(em, "&g%d_p", sym->index);
}

/* The statistic an @op(...) or @hist_*(...) reads: a global or an element. */
static const char *ex_stat_ref(struct emitter *em, struct expr *e, const struct symbol **symp)
{
	if (e->kind == EXPR_INDEX && e->sym) {
		*symp = e->sym;
		const char *k = ex_keys(em, &e->list, e->sym);
		return fmt_str(em, "stp_map_get_stat(g%d, %s)", e->sym->index, k);
	}
	if (e->kind == EXPR_SYMBOL && e->sym) {
		*symp = e->sym;
		return fmt_str(em, "g%d", e->sym->index);
	}
	*symp = NULL;
	return "NULL";
}

/* --compatible below 1.3: "%p" printed as the original did then, written
 * here as the "%#W.Px" it amounts to: W is 2 + 2 * sizeof(void *) unless a
 * width is given; P the width less the "0x", at most 16 digits when right
 * aligned, while "-" (which "%#x" cannot take) zero-fills the whole width
 * instead (the original 1.2's output, run for real, for %p %20p %-20p %5p). */
const char *compat_format(struct emitter *em, const char *raw)
{
	const char *v = em->s->compatible;
	if (!v || !pp_version_before(v, "1.3") || !strchr(raw, '%'))
		return raw;
	struct strbuf sb;
	sb_init(&sb);
	const char *c = raw;
	while (*c) {
		if (*c != '%') {
			sb_putn(&sb, c++, 1);
			continue;
		}
		const char *start = c++;
		if (*c == '%') {
			sb_puts(&sb, "%%");
			c++;
			continue;
		}
		const char *flags = c;
		while (*c && strchr("-+ #0", *c))
			c++;
		int nflags = (int)(c - flags);
		int width = -1;
		bool star = false;
		if (*c == '*') {
			star = true;
			c++;
		} else if (isdigit((unsigned char)*c)) {
			width = 0;
			while (isdigit((unsigned char)*c))
				width = width * 10 + (*c++ - '0');
		}
		if (*c == '.') {
			c++;
			if (*c == '*')
				star = true;
			while (*c == '*' || isdigit((unsigned char)*c))
				c++;
		}
		if (*c != 'p' || star) {
			sb_putn(&sb, start, (size_t)(c - start));
			continue;
		}
		c++;
		if (width < 0)
			width = 2 + 2 * (int)sizeof(void *);
		struct strbuf fl;
		sb_init(&fl);
		bool left = false;
		for (int i = 0; i < nflags; i++) {
			if (flags[i] == '-')
				left = true;
			else if (flags[i] != '#')
				sb_putn(&fl, &flags[i], 1);
		}
		int digits = 2 * (int)sizeof(void *);
		int precision = width - 2;
		if (!left && precision > digits)
			precision = digits;
		if (precision >= 0)
			sb_printf(&sb, "%%#%s%d.%dx", sb_str(&fl), width, precision);
		else
			sb_printf(&sb, "%%#%s%dx", sb_str(&fl), width);
		sb_fini(&fl);
	}
	const char *out = arena_strdup(em->arena, sb_str(&sb));
	sb_fini(&sb);
	return out;
}

int add_format(struct emitter *em, const char *raw)
{
	struct translation_tables *t = em->tables;
	raw = compat_format(em, raw);
	sb_printf(&t->formats, "\t%s,\n", c_string(em, raw, strlen(raw)));
	return t->nformats++;
}

/* The args array of a print: "(struct stp_arg[]){...}". */
static const char *ex_args(struct emitter *em, struct vec *list, size_t first, int *nargs)
{
	const char *vals[64];
	size_t n = list->len - first;
	if (n > 64)
		n = 64;
	for (size_t i = 0; i < n; i++) {
		bool later = false;
		for (size_t j = first + i + 1; j < list->len; j++)
			later |= has_side_effects(list->items[j]);
		vals[i] = ex_stable(em, list->items[first + i], later);
	}
	*nargs = (int)n;
	if (!n)
		return "NULL";
	struct strbuf sb;
	sb_init(&sb);
	sb_puts(&sb, "((struct stp_arg[]){");
	for (size_t i = 0; i < n; i++) {
		const struct expr *a = list->items[first + i];
		sb_printf(&sb, "%sSTP_%c(%s)", i ? ", " : "", a->type == TYPE_STRING ? 'S' : 'L',
			  vals[i]);
	}
	sb_puts(&sb, "})");
	const char *r = arena_strdup(em->arena, sb_str(&sb));
	sb_fini(&sb);
	return r;
}

static const char *ex_print(struct emitter *em, struct expr *e)
{
	if (em->bpf)
		return bpf_print(em, e);
	const char *name = e->str;
	bool to_string = name[0] == 's';
	const char *base = to_string ? name + 1 : name;
	bool newline = strstr(base, "ln") != NULL;
	const char *dst = to_string ? new_temp(em, TYPE_STRING) : NULL;
	/* a histogram, alone */
	if (e->list.len == 1 && ((struct expr *)e->list.items[0])->kind == EXPR_HIST) {
		struct expr *h = e->list.items[0];
		const struct symbol *sym;
		const char *ref = ex_stat_ref(em, h->a, &sym);
		if (sym)
			emit(em, "\tstp_stat_print_hist(c, %s, %s, %s, %s);\n", ref,
			     stat_params(em, sym), dst ? dst : "NULL", where(em, e->tok));
		check_error(em);
		return dst ? dst : "0";
	}
	int nargs;
	if (strcmp(base, "printf") == 0) {
		struct expr *f = e->list.items[0];
		int id = add_format(em, f->str);
		const char *args = ex_args(em, &e->list, 1, &nargs);
		if (dst)
			emit(em, "\tstp_sprintf(c, %s, %d, %s, %d);\n", dst, id, args, nargs);
		else
			emit(em, "\tstp_printf(c, %d, %s, %d);\n", id, args, nargs);
		return dst ? dst : "0";
	}
	const char *delim = "NULL";
	size_t first = 0;
	if (strncmp(base, "printd", 6) == 0) {
		struct expr *d = e->list.items[0];
		delim = script_string(em, d->str);
		first = 1;
	}
	const char *args = ex_args(em, &e->list, first, &nargs);
	if (dst)
		emit(em, "\tstp_sprint(c, %s, %s, %d, %s, %s);\n", dst, args, nargs, delim,
		     newline ? "true" : "false");
	else
		emit(em, "\tstp_print(c, %s, %d, %s, %s);\n", args, nargs, delim,
		     newline ? "true" : "false");
	return dst ? dst : "0";
}

static const char *ex_call(struct emitter *em, struct expr *e)
{
	const struct efunction *f = e->func;
	if (!f)
		return "0";
	const char *vals[64];
	size_t n = e->list.len < 64 ? e->list.len : 64;
	for (size_t i = 0; i < n; i++) {
		bool later = false;
		for (size_t j = i + 1; j < n; j++)
			later |= has_side_effects(e->list.items[j]);
		vals[i] = ex_stable(em, e->list.items[i], later);
	}
	if (em->bpf)
		return bpf_call(em, e, vals, n);
	struct strbuf sb;
	sb_init(&sb);
	const char *r;
	if (f->type == TYPE_STRING) {
		r = new_temp(em, TYPE_STRING);
		sb_printf(&sb, "\tf%d(c, %s", f->index, r);
	} else if (f->type == TYPE_LONG) {
		r = new_temp(em, TYPE_LONG);
		sb_printf(&sb, "\t%s = f%d(c", r, f->index);
	} else {
		r = "0";
		sb_printf(&sb, "\tf%d(c", f->index);
	}
	for (size_t i = 0; i < n; i++)
		sb_printf(&sb, ", %s", vals[i]);
	sb_puts(&sb, ");\n");
	emit(em, "%s", sb_str(&sb));
	/* `next` in the callee passes the call to the next overload */
	for (const struct efunction *o = f->overload_next; o; o = o->overload_next) {
		emit(em, "\tif (c->last_error == stp_next) {\n\tstp_clear_error(c);\n");
		char *call = xstrdup(sb_str(&sb));
		char *p = strstr(call, fmt_str(em, "f%d(", f->index));
		struct strbuf nb;
		sb_init(&nb);
		sb_putn(&nb, call, (size_t)(p - call));
		sb_printf(&nb, "f%d(%s", o->index, p + strlen(fmt_str(em, "f%d(", f->index)));
		emit(em, "%s\t}\n", sb_str(&nb));
		sb_fini(&nb);
		free(call);
	}
	emit(em,
	     "\tif (STP_UNLIKELY(c->last_error == stp_next)) stp_fail(c, STP_MSG_EXHAUSTED, "
	     "%s);\n",
	     where(em, e->tok));
	sb_fini(&sb);
	check_error(em);
	return r;
}

/* Arithmetic of a binary operator on two C expressions; division checks. */
static const char *arith(struct emitter *em, const char *op, const char *a, const char *b,
			 const struct token *tok)
{
	if (strcmp(op, "+") == 0)
		return fmt_str(em, "stp_add(%s, %s)", a, b);
	if (strcmp(op, "-") == 0)
		return fmt_str(em, "stp_sub(%s, %s)", a, b);
	if (strcmp(op, "*") == 0)
		return fmt_str(em, "stp_mul(%s, %s)", a, b);
	if (strcmp(op, "/") == 0 || strcmp(op, "%") == 0) {
		const char *t = new_temp(em, TYPE_LONG);
		emit(em, "\t%s = stp_%s(c, %s, %s, %s);\n", t, op[0] == '/' ? "div" : "mod", a, b,
		     where(em, tok));
		check_error(em);
		return t;
	}
	if (strcmp(op, "<<") == 0)
		return fmt_str(em, "stp_shl(%s, %s)", a, b);
	if (strcmp(op, ">>") == 0)
		return fmt_str(em, "stp_shr(%s, %s)", a, b);
	if (strcmp(op, ">>>") == 0)
		return fmt_str(em, "((int64_t)((uint64_t)(%s) >> ((%s) & 63)))", a, b);
	return fmt_str(em, "((%s) %s (%s))", a, op, b);
}

/* Store v into an lvalue (scalar or element); returns the stored value. */
static void store(struct emitter *em, struct expr *lv, const char *v, const char *keys)
{
	const struct symbol *sym = lv->sym;
	if (!sym)
		return;
	if (lv->kind == EXPR_INDEX && em->bpf) {
		bpf_store(em, lv, v, keys);
	} else if (lv->kind == EXPR_INDEX) {
		emit(em, "\tstp_map_set_%c(c, g%d, %s, %s, %s);\n",
		     sym->type == TYPE_STRING ? 's' : 'l', sym->index, keys, v,
		     where(em, lv->a->tok));
		check_error(em);
	} else if (sym->type == TYPE_STRING) {
		emit(em, "\tstp_scpy(%s, %s);\n", sym_name(em, sym), v);
	} else {
		emit(em, "\t%s = %s;\n", sym_name(em, sym), v);
	}
}

/* The current value of an lvalue whose keys are already evaluated. */
static const char *load(struct emitter *em, struct expr *lv, const char *keys)
{
	const struct symbol *sym = lv->sym;
	if (lv->kind == EXPR_INDEX && em->bpf)
		return bpf_load(em, lv, keys);
	if (lv->kind == EXPR_INDEX)
		return fmt_str(em, "stp_map_get_%c(g%d, %s)", sym->type == TYPE_STRING ? 's' : 'l',
			       sym->index, keys);
	return sym_name(em, sym);
}

/* The keys of an lvalue that is an array element, evaluated; NULL else. */
static const char *lvalue_keys(struct emitter *em, struct expr *lv)
{
	return lv->kind == EXPR_INDEX ? ex_keys(em, &lv->list, lv->sym) : NULL;
}

/* lv += v where lv may be changed by other CPUs at once: a shared scalar,
 * or a BPF array element.  The new value (post: the old one). */
static const char *atomic_add(struct emitter *em, struct expr *lv, const char *keys, const char *v,
			      bool negate, bool post)
{
	if (lv->kind == EXPR_INDEX)
		return bpf_compound(em, lv, keys, v, negate, post);
	const char *t = new_temp(em, TYPE_LONG);
	const char *d = negate ? fmt_str(em, "stp_neg(%s)", v) : v;
	emit(em, "\t%s = (int64_t)__sync_fetch_and_add(&%s, %s);\n", t, sym_name(em, lv->sym), d);
	if (!post)
		emit(em, "\t%s = stp_add(%s, %s);\n", t, t, d);
	return t;
}

/* Whether lv += v goes through atomic_add. */
static bool wants_atomic(const struct emitter *em, const struct expr *lv)
{
	if (is_shared_long(lv))
		return true;
	return em->bpf && lv->kind == EXPR_INDEX && lv->sym && lv->sym->type == TYPE_LONG;
}

static const char *ex_assign(struct emitter *em, struct expr *e)
{
	struct expr *lv = e->a;
	const char *op = e->op;
	const struct symbol *sym = lv->sym;
	if (!sym)
		return "0";
	const char *keys = lvalue_keys(em, lv);
	if (strcmp(op, "<<<") == 0) {
		const char *v = ex(em, e->b);
		if (em->bpf) {
			bpf_stat_add(em, lv, keys, v);
		} else if (lv->kind == EXPR_INDEX) {
			emit(em, "\tstp_map_stat_add(c, g%d, %s, %s, %s);\n", sym->index, keys, v,
			     where(em, lv->a->tok));
			check_error(em);
		} else {
			emit(em, "\tstp_stat_add(g%d, &g%d_p, %s);\n", sym->index, sym->index, v);
		}
		return v;
	}
	bool str = sym->type == TYPE_STRING;
	const char *v = ex(em, e->b);
	if ((strcmp(op, "+=") == 0 || strcmp(op, "-=") == 0) && wants_atomic(em, lv))
		return atomic_add(em, lv, keys, v, op[0] == '-', false);
	const char *t = new_temp(em, str ? TYPE_STRING : TYPE_LONG);
	if (strcmp(op, "=") == 0) {
		if (str)
			emit(em, "\tstp_scpy(%s, %s);\n", t, v);
		else
			emit(em, "\t%s = %s;\n", t, v);
	} else if (strcmp(op, ".=") == 0) {
		emit(em, "\tstp_scat(%s, %s, %s);\n", t, load(em, lv, keys), v);
	} else {
		char bop[8];
		snprintf(bop, sizeof(bop), "%.*s", (int)strlen(op) - 1, op);
		/* x /= y reports the right operand, as the original */
		const char *r = arith(em, bop, load(em, lv, keys), v, e->b->tok);
		emit(em, "\t%s = %s;\n", t, r);
	}
	store(em, lv, t, keys);
	return t;
}

static const char *ex_incdec(struct emitter *em, struct expr *e, bool post)
{
	struct expr *lv = e->a;
	if (!lv->sym)
		return "0";
	const char *keys = lvalue_keys(em, lv);
	bool dec = strcmp(e->op, "--") == 0;
	if (wants_atomic(em, lv))
		return atomic_add(em, lv, keys, "1", dec, post);
	const char *old = new_temp(em, TYPE_LONG);
	const char *nv = new_temp(em, TYPE_LONG);
	emit(em, "\t%s = %s;\n", old, load(em, lv, keys));
	emit(em, "\t%s = stp_%s(%s, 1);\n", nv, dec ? "sub" : "add", old);
	store(em, lv, nv, keys);
	return post ? old : nv;
}

static const char *ex_logical(struct emitter *em, struct expr *e)
{
	bool and = strcmp(e->op, "&&") == 0;
	const char *t = new_temp(em, TYPE_LONG);
	const char *a = ex(em, e->a);
	emit(em, "\t%s = %s;\n", t, and? "0" : "1");
	emit(em, "\tif (%s(%s)) {\n", and? "" : "!", a);
	const char *b = ex(em, e->b);
	emit(em, "\t%s = (%s) != 0;\n\t}\n", t, b);
	return t;
}

static const char *ex_ternary(struct emitter *em, struct expr *e)
{
	bool str = e->type == TYPE_STRING;
	const char *t = new_temp(em, str ? TYPE_STRING : TYPE_LONG);
	const char *cond = ex(em, e->a);
	emit(em, "\tif (%s) {\n", cond);
	const char *b = ex(em, e->b);
	emit(em, str ? "\tstp_scpy(%s, %s);\n" : "\t%s = %s;\n", t, b);
	emit(em, "\t} else {\n");
	const char *c = ex(em, e->c);
	emit(em, str ? "\tstp_scpy(%s, %s);\n" : "\t%s = %s;\n", t, c);
	emit(em, "\t}\n");
	return t;
}

const char *stat_op_name(const char *op)
{
	if (strcmp(op, "@count") == 0)
		return "STP_COUNT";
	if (strcmp(op, "@sum") == 0)
		return "STP_SUM";
	if (strcmp(op, "@min") == 0)
		return "STP_MIN";
	if (strcmp(op, "@max") == 0)
		return "STP_MAX";
	if (strcmp(op, "@avg") == 0)
		return "STP_AVG";
	return "STP_VARIANCE";
}

const char *ex(struct emitter *em, struct expr *e)
{
	if (!e)
		return "0";
	switch (e->kind) {
	case EXPR_NUMBER:
		if (e->num == INT64_MIN)
			return "INT64_MIN";
		return fmt_str(em, "INT64_C(%lld)", e->num);
	case EXPR_STRING:
		return script_string(em, e->str);
	case EXPR_DEFINED:
		return "0";
	case EXPR_EMBEDDED:
		return fmt_str(em, "((int64_t)(%s))", e->str);
	case EXPR_CONTEXT:
		return em->bpf ? bpf_context(em, e) : "0";
	case EXPR_SYMBOL:
		if (!e->sym)
			return "0";
		return sym_name(em, e->sym);
	case EXPR_INDEX: {
		if (e->a->kind == EXPR_HIST) {
			if (em->bpf)
				return "0"; /* refused by pass 2 */
			const struct symbol *sym;
			const char *ref = ex_stat_ref(em, e->a->a, &sym);
			const char *i = ex(em, e->list.items[0]);
			const char *t = new_temp(em, TYPE_LONG);
			if (sym)
				emit(em, "\t%s = stp_stat_bucket(c, %s, %s, %s, %s);\n", t, ref,
				     stat_params(em, sym), i, where(em, e->tok));
			check_error(em);
			return t;
		}
		if (!e->sym)
			return "0";
		if (em->bpf)
			return bpf_index(em, e);
		const char *keys = ex_keys(em, &e->list, e->sym);
		if (e->sym->type == TYPE_STRING) {
			const char *t = new_temp(em, TYPE_STRING);
			emit(em, "\tstp_scpy(%s, stp_map_get_s(g%d, %s));\n", t, e->sym->index,
			     keys);
			return t;
		}
		const char *t = new_temp(em, TYPE_LONG);
		emit(em, "\t%s = stp_map_get_l(g%d, %s);\n", t, e->sym->index, keys);
		return t;
	}
	case EXPR_IN: {
		if (!e->sym)
			return "0";
		if (em->bpf)
			return bpf_in(em, e);
		const char *keys = ex_keys(em, &e->list, e->sym);
		const char *t = new_temp(em, TYPE_LONG);
		emit(em, "\t%s = stp_map_exists(g%d, %s);\n", t, e->sym->index, keys);
		return t;
	}
	case EXPR_BINARY: {
		const char *a = ex_stable(em, e->a, has_side_effects(e->b));
		const char *b = ex(em, e->b);
		return arith(em, e->op, a, b, e->tok);
	}
	case EXPR_LOGICAL:
		return ex_logical(em, e);
	case EXPR_COMPARE: {
		const char *a = ex_stable(em, e->a, has_side_effects(e->b));
		const char *b = ex(em, e->b);
		if (e->a->type == TYPE_STRING)
			return fmt_str(em, "((int64_t)(stp_strcmp(%s, %s) %s 0))", a, b, e->op);
		return fmt_str(em, "((int64_t)((%s) %s (%s)))", a, e->op, b);
	}
	case EXPR_CONCAT: {
		const char *a = ex_stable(em, e->a, has_side_effects(e->b));
		const char *b = ex(em, e->b);
		const char *t = new_temp(em, TYPE_STRING);
		emit(em, "\tstp_scat(%s, %s, %s);\n", t, a, b);
		return t;
	}
	case EXPR_REGEX: {
		if (em->bpf)
			return "0"; /* refused by pass 2 */
		const char *a = ex(em, e->a);
		const char *t = new_temp(em, TYPE_LONG);
		emit(em, "\t%s = stp_regex_match(c, %s, %s, %s);\n", t, a,
		     script_string(em, e->b->str), where(em, e->tok));
		check_error(em);
		if (strcmp(e->op, "!~") == 0)
			return fmt_str(em, "((int64_t)!%s)", t);
		return t;
	}
	case EXPR_UNARY: {
		const char *a = ex(em, e->a);
		if (strcmp(e->op, "-") == 0)
			return fmt_str(em, "stp_neg(%s)", a);
		if (strcmp(e->op, "!") == 0)
			return fmt_str(em, "((int64_t)!(%s))", a);
		if (strcmp(e->op, "~") == 0)
			return fmt_str(em, "(~(%s))", a);
		return a;
	}
	case EXPR_PREINC:
		return ex_incdec(em, e, false);
	case EXPR_POSTINC:
		return ex_incdec(em, e, true);
	case EXPR_TERNARY:
		return ex_ternary(em, e);
	case EXPR_ASSIGN:
		return ex_assign(em, e);
	case EXPR_CALL:
		return ex_call(em, e);
	case EXPR_PRINT:
		return ex_print(em, e);
	case EXPR_STAT: {
		if (em->bpf)
			return bpf_stat(em, e);
		const struct symbol *sym;
		const char *ref = ex_stat_ref(em, e->a, &sym);
		const char *t = new_temp(em, TYPE_LONG);
		if (sym)
			emit(em, "\t%s = stp_stat_get(c, %s, %s, %s, %s);\n", t, ref,
			     stat_params(em, sym), stat_op_name(e->str), where(em, e->tok));
		check_error(em);
		return t;
	}
	default:
		return "0";
	}
}

/* ---- statements ---- */

static void st_kind(struct emitter *em, struct stmt *s);

void count_action(struct emitter *em, const struct token *tok)
{
	emit(em,
	     "\tif (STP_UNLIKELY(--c->actionremaining < 0)) { stp_fail(c, STP_MSG_MAXACTION, "
	     "%s); goto %s; }\n",
	     where(em, tok), em->err_label);
}

/* foreach (i in @hist_log(s)): every bucket's index, in order. */
static void st_foreach_hist(struct emitter *em, struct stmt *s)
{
	struct expr *h = s->array;
	const struct symbol *sym = h->a ? h->a->sym : NULL;
	if (!sym)
		return;
	int nb = stat_buckets(&sym->stat);
	int n = (*em->nlabels)++;
	emit(em, "\tfor (int64_t b%d = 0; b%d < %d; b%d++) {\n", n, n, nb < 0 ? 0 : nb, n);
	if (s->keys.len && ((struct expr *)s->keys.items[0])->sym)
		emit(em, "\t%s = b%d;\n", sym_name(em, ((struct expr *)s->keys.items[0])->sym), n);
	const char *saved = em->cont_label;
	em->cont_label = fmt_str(em, "cont%d", n);
	st(em, s->body);
	emit(em, "\t%s: ;\n\t}\n", em->cont_label);
	em->cont_label = saved;
}

static void st_foreach(struct emitter *em, struct stmt *s)
{
	struct expr *arr = s->array;
	if (arr->kind == EXPR_HIST) {
		st_foreach_hist(em, s);
		return;
	}
	if (em->bpf) {
		bpf_foreach(em, s);
		return;
	}
	const struct symbol *sym = arr->sym;
	if (!sym)
		return;
	int column = s->sort_key < 0 ? 0 : s->sort_key;
	int dir = s->sort_key < 0 ? 0 : (s->sort_dir == '-' ? -1 : 1);
	const char *agg = s->sort_aggr ? stat_op_name(s->sort_aggr) : "STP_COUNT";
	const char *limit = s->limit ? ex(em, s->limit) : "0";
	/* a slice's fixed keys, evaluated once */
	const char *fixed[ELAB_MAX_KEYS] = {0};
	if (arr->kind == EXPR_INDEX) {
		vec_foreach(&arr->list, i) {
			struct expr *k = arr->list.items[i];
			if (k->kind != EXPR_WILDCARD && i < ELAB_MAX_KEYS)
				fixed[i] = ex_stable(em, k, true);
		}
	}
	int n = (*em->nlabels)++;
	emit(em, "\t{\n\tstruct stp_iter *it%d = stp_iter_start(c, g%d, %d, %d, %s, %s, %s);\n", n,
	     sym->index, column, dir, agg, s->limit ? "true" : "false", limit);
	emit(em, "\twhile (stp_iter_next(it%d)) {\n", n);
	for (int i = 0; i < ELAB_MAX_KEYS && i < sym->arity; i++) {
		if (!fixed[i])
			continue;
		if (sym->keys[i] == TYPE_STRING)
			emit(em, "\tif (strcmp(stp_iter_key_s(it%d, %d), %s) != 0) continue;\n", n,
			     i + 1, fixed[i]);
		else
			emit(em, "\tif (stp_iter_key_l(it%d, %d) != %s) continue;\n", n, i + 1,
			     fixed[i]);
	}
	vec_foreach(&s->keys, i) {
		struct expr *k = s->keys.items[i];
		if (!k->sym)
			continue;
		if (sym->keys[i] == TYPE_STRING)
			emit(em, "\tstp_scpy(%s, stp_iter_key_s(it%d, %zu));\n",
			     sym_name(em, k->sym), n, i + 1);
		else
			emit(em, "\t%s = stp_iter_key_l(it%d, %zu);\n", sym_name(em, k->sym), n,
			     i + 1);
	}
	if (s->value && s->value->sym) {
		if (sym->type == TYPE_STRING)
			emit(em, "\tstp_scpy(%s, stp_iter_val_s(it%d));\n",
			     sym_name(em, s->value->sym), n);
		else
			emit(em, "\t%s = stp_iter_val_l(it%d);\n", sym_name(em, s->value->sym), n);
	}
	const char *saved = em->cont_label;
	const char *saved_break = em->break_stmt;
	em->cont_label = fmt_str(em, "cont%d", n);
	em->break_stmt = "break;";
	st(em, s->body);
	emit(em, "\t%s: ;\n\t}\n\tstp_iter_end(c, it%d);\n\t}\n", em->cont_label, n);
	em->cont_label = saved;
	em->break_stmt = saved_break;
}

static void st_delete(struct emitter *em, struct stmt *s)
{
	struct expr *e = s->expr;
	const struct symbol *sym = e->sym;
	if (!sym)
		return;
	if (em->bpf && (e->kind == EXPR_INDEX || sym->arity > 0 || sym->type == TYPE_STATS)) {
		bpf_delete(em, s);
		return;
	}
	if (e->kind == EXPR_INDEX) {
		const char *keys = ex_keys(em, &e->list, sym);
		emit(em, "\tstp_map_delete(g%d, %s);\n", sym->index, keys);
	} else if (sym->arity > 0) {
		emit(em, "\tstp_map_clear(g%d);\n", sym->index);
	} else if (sym->type == TYPE_STATS) {
		emit(em, "\tstp_stat_clear(g%d, &g%d_p);\n", sym->index, sym->index);
	} else if (sym->type == TYPE_STRING) {
		emit(em, "\t%s[0] = 0;\n", sym_name(em, sym));
	} else {
		emit(em, "\t%s = 0;\n", sym_name(em, sym));
	}
}

static void st_try(struct emitter *em, struct stmt *s)
{
	const char *catch_label = new_label(em, "catch");
	const char *end_label = new_label(em, "endtry");
	const char *saved = em->err_label;
	em->err_label = catch_label;
	emit(em, "\t{\n");
	st(em, s->body);
	em->err_label = saved;
	emit(em, "\tgoto %s;\n\t}\n%s:\n", end_label, catch_label);
	if (s->value && s->value->sym)
		emit(em, "\tstp_catch(c, %s);\n", sym_name(em, s->value->sym));
	emit(em, "\tstp_clear_error(c);\n");
	st(em, s->other);
	emit(em, "%s: ;\n", end_label);
}

bool is_empty_stmt(const struct stmt *s)
{
	if (!s || s->kind == STMT_NULL)
		return true;
	if (s->kind != STMT_BLOCK)
		return false;
	vec_foreach(&s->stmts, i)
		if (!is_empty_stmt(s->stmts.items[i]))
			return false;
	return true;
}

static void st_for(struct emitter *em, struct stmt *s)
{
	emit(em, "\t{\n");
	if (s->init)
		emit(em, "\t(void)%s;\n", ex(em, s->init));
	if (em->bpf) {
		bpf_for(em, s);
		emit(em, "\t}\n");
		return;
	}
	const char *saved = em->cont_label;
	const char *saved_break = em->break_stmt;
	em->cont_label = new_label(em, "cont");
	em->break_stmt = "break;";
	const char *cont = em->cont_label;
	emit(em, "\tfor (;;) {\n");
	/* the original counts the statements run; a loop whose body has
	 * none still counts each turn, at the loop */
	if (is_empty_stmt(s->body))
		count_action(em, s->tok);
	if (s->expr) {
		const char *cond = ex(em, s->expr);
		emit(em, "\tif (!(%s)) break;\n", cond);
	}
	st(em, s->body);
	emit(em, "\t%s: ;\n", cont);
	em->cont_label = saved;
	em->break_stmt = saved_break;
	if (s->step)
		emit(em, "\t(void)%s;\n", ex(em, s->step));
	emit(em, "\t}\n\t}\n");
}

/* return [v]: the value into the function's result, then its end. */
static void st_return(struct emitter *em, struct stmt *s)
{
	if (s->expr && em->fn) {
		const char *v = ex(em, s->expr);
		const char *ret = em->bpf ? "F->ret" : "ret";
		if (em->fn->type == TYPE_STRING)
			emit(em, "\tstp_scpy(%s, %s);\n", ret, v);
		else
			emit(em, "\t%s = %s;\n", ret, v);
	}
	emit(em, "\tgoto %s;\n", em->ret_label);
}

void st(struct emitter *em, struct stmt *s)
{
	if (!s)
		return;
	/* BPF: the statement's place in the script, which clang records in
	 * the line info the verifier's log quotes: a rejection names it */
	if (em->bpf && s->tok && s->tok->loc.src && s->kind != STMT_BLOCK) {
		emit(em, "#line %d \"%s\"\n", s->tok->loc.line, s->tok->loc.src->name);
		st_kind(em, s);
		/* what follows is the translator's own again */
		emit(em, "#line 1 \"<stap>\"\n");
		return;
	}
	st_kind(em, s);
}

static void st_kind(struct emitter *em, struct stmt *s)
{
	switch (s->kind) {
	case STMT_BLOCK:
		emit(em, "\t{\n");
		vec_foreach(&s->stmts, i)
			st(em, s->stmts.items[i]);
		emit(em, "\t}\n");
		return;
	case STMT_NULL:
		return;
	case STMT_EXPR:
		count_action(em, s->tok);
		emit(em, "\t{\n");
		emit(em, "\t(void)%s;\n", ex(em, s->expr));
		emit(em, "\t}\n");
		return;
	case STMT_IF: {
		count_action(em, s->tok);
		emit(em, "\t{\n");
		const char *cond = ex(em, s->expr);
		emit(em, "\tif (%s) {\n", cond);
		st(em, s->body);
		if (s->other) {
			emit(em, "\t} else {\n");
			st(em, s->other);
		}
		emit(em, "\t}\n\t}\n");
		return;
	}
	case STMT_FOR:
		count_action(em, s->tok);
		st_for(em, s);
		return;
	case STMT_FOREACH:
		count_action(em, s->tok);
		st_foreach(em, s);
		return;
	case STMT_RETURN:
		count_action(em, s->tok);
		st_return(em, s);
		return;
	case STMT_NEXT:
		count_action(em, s->tok);
		if (em->fn)
			emit(em, "\tstp_fail(c, stp_next, STP_NOWHERE);\n");
		emit(em, "\tgoto %s;\n", em->ret_label);
		return;
	case STMT_BREAK:
		count_action(em, s->tok);
		emit(em, "\t%s\n", em->break_stmt ? em->break_stmt : ";");
		return;
	case STMT_CONTINUE:
		count_action(em, s->tok);
		if (em->cont_label)
			emit(em, "\tgoto %s;\n", em->cont_label);
		return;
	case STMT_DELETE:
		count_action(em, s->tok);
		emit(em, "\t{\n");
		st_delete(em, s);
		emit(em, "\t}\n");
		return;
	case STMT_TRY:
		st_try(em, s);
		return;
	}
}

void number_symbols(struct vec *v)
{
	vec_foreach(v, i)
		((struct symbol *)v->items[i])->index = (int)i;
}

void emit_body(struct emitter *em, struct strbuf *out, struct stmt *body, const char *prologue)
{
	struct strbuf code;
	sb_init(&code);
	sb_init(&em->decls);
	em->out = &code;
	em->ntemps = 0;
	em->err_label = "out";
	em->ret_label = "out";
	em->cont_label = NULL;
	em->break_stmt = NULL;
	st(em, body);
	sb_puts(out, sb_str(&em->decls));
	sb_puts(out, prologue);
	sb_puts(out, sb_str(&code));
	sb_fini(&code);
	sb_fini(&em->decls);
}
