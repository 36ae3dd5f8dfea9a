/*
 * `stap -p2`: the resolved program as the original lists it: "# globals"
 * (name, size, type, key types), "# functions" (signature and locals),
 * "# probes" (resolved point, derivation, locals).
 */
#include <stdlib.h>
#include <string.h>

#include "../kernel/kernel.h"
#include "internal.h"

static void print_symbol(FILE *out, const struct symbol *s, const char *indent)
{
	fprintf(out, "%s%s", indent, s->name);
	if (s->decl && s->decl->wrap)
		fputc('%', out);
	if (s->decl && s->decl->size)
		fprintf(out, "[%lld]", s->decl->size);
	fprintf(out, ":%s", vtype_name(s->type));
	if (s->arity > 0) {
		fputs(" [", out);
		for (int i = 0; i < s->arity && i < ELAB_MAX_KEYS; i++)
			fprintf(out, "%s%s", i ? ", " : "", vtype_name(s->keys[i]));
		fputc(']', out);
	}
	fputc('\n', out);
}

static void print_locals(FILE *out, const struct vec *locals)
{
	if (!locals->len)
		return;
	fputs("  # locals\n", out);
	vec_foreach(locals, i)
		print_symbol(out, locals->items[i], "  ");
}

void elab_print_body(FILE *out, const struct stmt *body);

static void print_init(FILE *out, const struct symbol *g)
{
	const struct expr *init = g->decl ? g->decl->init : NULL;
	if (!init)
		return;
	if (init->kind == EXPR_STRING)
		fprintf(out, " = \"%s\"", init->str);
	else if (init->kind == EXPR_NUMBER)
		fprintf(out, " = %lld", init->num);
	else if (init->kind == EXPR_UNARY && init->a && init->a->kind == EXPR_NUMBER)
		fprintf(out, " = -%lld", init->a->num);
}

void elab_print(FILE *out, const struct elab *e, bool verbose)
{
	if (e->embeds.len) {
		fputs("# global embedded code\n", out);
		vec_foreach(&e->embeds, i) {
			const struct token *t = e->embeds.items[i];
			fprintf(out, "%%{%s%%}\n", t->text);
		}
	}
	if (e->globals.len) {
		fputs("# globals\n", out);
		vec_foreach(&e->globals, i) {
			const struct symbol *g = e->globals.items[i];
			if (!verbose) {
				print_symbol(out, g, "");
				continue;
			}
			/* print_symbol ends the line; -v adds the initialiser first */
			char *line = NULL;
			size_t len = 0;
			FILE *mem = open_memstream(&line, &len);
			print_symbol(mem, g, "");
			fclose(mem);
			if (len && line[len - 1] == '\n')
				line[len - 1] = '\0';
			fputs(line, out);
			free(line);
			print_init(out, g);
			fputc('\n', out);
		}
	}
	if (e->functions.len) {
		fputs("# functions\n", out);
		vec_foreach(&e->functions, i) {
			const struct efunction *f = e->functions.items[i];
			fprintf(out, "%s:%s (", f->name, vtype_name(f->type));
			vec_foreach(&f->params, j) {
				const struct symbol *p = f->params.items[j];
				fprintf(out, "%s%s:%s", j ? ", " : "", p->name,
					vtype_name(p->type));
			}
			fputs(")\n", out);
			print_locals(out, &f->locals);
			if (verbose && f->decl->body)
				elab_print_body(out, f->decl->body);
		}
	}
	fputs("# probes\n", out);
	vec_foreach(&e->probes, i) {
		const struct eprobe *p = e->probes.items[i];
		/* a deferred syscall entry's replay is ours, not the script's */
		if (p->elided || p->replays)
			continue;
		fprintf(out, "%s%s", p->pp, p->marks ? p->marks : "");
		if (p->cond_text)
			fprintf(out, " if (%s)", p->cond_text);
		if (p->kind == PROBE_KFUNC && p->kf_kprobe) /* the original's kprobe */
			fprintf(out, " /*  name = %s*/", p->kf ? p->kf->name : "");
		fprintf(out, " /* %s */\n", p->chain);
		print_locals(out, &p->locals);
		if (verbose)
			elab_print_body(out, p->body);
	}
}

/* ---- -v: the bodies, as the original prints them ---- */

static void print_expr(struct strbuf *sb, const struct expr *e);

static void print_operand(struct strbuf *sb, const struct expr *e)
{
	sb_putc(sb, '(');
	print_expr(sb, e);
	sb_putc(sb, ')');
}

static void print_list(struct strbuf *sb, const struct vec *v, size_t first)
{
	for (size_t i = first; i < v->len; i++) {
		if (i > first)
			sb_puts(sb, ", ");
		print_expr(sb, v->items[i]);
	}
}

static void print_symbol_ref(struct strbuf *sb, const struct expr *e)
{
	if (e->sym && e->sym->kind == SYM_GLOBAL)
		sb_printf(sb, "__global_%s", e->sym->name);
	else
		sb_puts(sb, e->str ? e->str : "?");
}

/* printf formats are printed re-quoted: every backslash doubled */
static void print_format(struct strbuf *sb, const char *raw)
{
	sb_putc(sb, '"');
	for (const char *p = raw; *p; p++) {
		/* \" stays as it is: the quote is escaped, not the backslash */
		if (p[0] == '\\' && p[1] == '"') {
			sb_puts(sb, "\\\"");
			p++;
			continue;
		}
		if (*p == '\\')
			sb_putc(sb, '\\');
		sb_putc(sb, *p);
	}
	sb_putc(sb, '"');
}

static void print_expr(struct strbuf *sb, const struct expr *e)
{
	if (!e)
		return;
	switch (e->kind) {
	case EXPR_NUMBER:
		sb_printf(sb, "%lld", e->num);
		return;
	case EXPR_STRING:
		sb_printf(sb, "\"%s\"", e->str);
		return;
	case EXPR_SYMBOL:
		print_symbol_ref(sb, e);
		return;
	case EXPR_WILDCARD:
		sb_putc(sb, '*');
		return;
	case EXPR_INDEX:
		if (e->a->kind == EXPR_SYMBOL)
			print_symbol_ref(sb, e->a);
		else
			print_expr(sb, e->a);
		sb_putc(sb, '[');
		print_list(sb, &e->list, 0);
		sb_putc(sb, ']');
		return;
	case EXPR_IN:
		sb_putc(sb, '[');
		print_list(sb, &e->list, 0);
		sb_puts(sb, "] in ");
		print_symbol_ref(sb, e->a);
		return;
	case EXPR_BINARY:
	case EXPR_LOGICAL:
	case EXPR_COMPARE:
	case EXPR_CONCAT:
	case EXPR_REGEX:
	case EXPR_ASSIGN:
		print_operand(sb, e->a);
		sb_printf(sb, " %s ", e->op);
		print_operand(sb, e->b);
		return;
	case EXPR_UNARY:
		sb_puts(sb, e->op);
		print_operand(sb, e->a);
		return;
	case EXPR_PREINC:
		sb_puts(sb, e->op);
		print_operand(sb, e->a);
		return;
	case EXPR_POSTINC:
		print_operand(sb, e->a);
		sb_puts(sb, e->op);
		return;
	case EXPR_TERNARY:
		print_operand(sb, e->a);
		sb_putc(sb, '?');
		print_operand(sb, e->b);
		sb_putc(sb, ':');
		print_operand(sb, e->c);
		return;
	case EXPR_CALL:
		if (e->func)
			sb_printf(sb, "__global_%s__overload_%d(", e->str, e->func->overload_index);
		else
			sb_printf(sb, "%s(", e->str);
		print_list(sb, &e->list, 0);
		sb_putc(sb, ')');
		return;
	case EXPR_PRINT: {
		sb_printf(sb, "%s(", e->str);
		size_t first = 0;
		const char *n = e->str;
		if (n[strlen(n) - 1] == 'f' && e->list.len) {
			print_format(sb, ((const struct expr *)e->list.items[0])->str);
			first = 1;
			if (e->list.len > 1)
				sb_puts(sb, ", ");
		}
		print_list(sb, &e->list, first);
		sb_putc(sb, ')');
		return;
	}
	case EXPR_STAT:
		sb_printf(sb, "%s(", e->str);
		print_expr(sb, e->a);
		sb_putc(sb, ')');
		return;
	case EXPR_HIST:
		sb_printf(sb, "%s(", e->tok->text);
		print_expr(sb, e->a);
		if (e->list.len)
			sb_puts(sb, ", ");
		print_list(sb, &e->list, 0);
		sb_putc(sb, ')');
		return;
	default:
		sb_puts(sb, e->tok ? e->tok->text : "?");
		return;
	}
}

static void print_stmt(struct strbuf *sb, const struct stmt *s);

static void print_block(struct strbuf *sb, const struct stmt *s)
{
	sb_puts(sb, "{\n");
	vec_foreach(&s->stmts, i) {
		print_stmt(sb, s->stmts.items[i]);
		sb_puts(sb, ";\n");
	}
	sb_putc(sb, '}');
}

static void print_sub(struct strbuf *sb, const struct stmt *s)
{
	if (s && s->kind == STMT_BLOCK)
		print_block(sb, s);
	else
		print_stmt(sb, s);
}

static void print_foreach(struct strbuf *sb, const struct stmt *s)
{
	sb_puts(sb, "foreach (");
	if (s->value) {
		print_expr(sb, s->value);
		sb_puts(sb, " = ");
	}
	sb_putc(sb, '[');
	vec_foreach(&s->keys, i) {
		if (i)
			sb_puts(sb, ", ");
		print_expr(sb, s->keys.items[i]);
		if (s->sort_key == (int)i + 1)
			sb_putc(sb, s->sort_dir);
	}
	sb_puts(sb, "] in ");
	print_expr(sb, s->array);
	if (s->sort_key == 0) {
		if (s->sort_aggr)
			sb_puts(sb, s->sort_aggr);
		sb_putc(sb, s->sort_dir);
	}
	if (s->limit) {
		sb_puts(sb, " limit ");
		print_expr(sb, s->limit);
	}
	sb_puts(sb, ") ");
	print_sub(sb, s->body);
}

static void print_stmt(struct strbuf *sb, const struct stmt *s)
{
	if (!s)
		return;
	switch (s->kind) {
	case STMT_BLOCK:
		print_block(sb, s);
		return;
	case STMT_NULL:
		sb_putc(sb, ';');
		return;
	case STMT_EXPR:
		print_expr(sb, s->expr);
		return;
	case STMT_IF:
		sb_puts(sb, "if (");
		print_expr(sb, s->expr);
		sb_puts(sb, ") ");
		print_sub(sb, s->body);
		sb_putc(sb, '\n');
		if (s->other) {
			sb_puts(sb, "else ");
			print_sub(sb, s->other);
			sb_putc(sb, '\n');
		}
		return;
	case STMT_FOR:
		sb_puts(sb, "for (");
		print_expr(sb, s->init);
		sb_puts(sb, "; ");
		print_expr(sb, s->expr);
		sb_puts(sb, "; ");
		print_expr(sb, s->step);
		sb_puts(sb, ") ");
		print_sub(sb, s->body);
		return;
	case STMT_FOREACH:
		print_foreach(sb, s);
		return;
	case STMT_RETURN:
		sb_puts(sb, "return");
		if (s->expr) {
			sb_putc(sb, ' ');
			print_expr(sb, s->expr);
		}
		return;
	case STMT_NEXT:
		sb_puts(sb, "next");
		return;
	case STMT_BREAK:
		sb_puts(sb, "break");
		return;
	case STMT_CONTINUE:
		sb_puts(sb, "continue");
		return;
	case STMT_DELETE:
		sb_puts(sb, "delete ");
		/* a whole global keeps its script name (the original's quirk) */
		if (s->expr->kind == EXPR_SYMBOL)
			sb_puts(sb, s->expr->str);
		else
			print_expr(sb, s->expr);
		return;
	case STMT_TRY:
		sb_puts(sb, "try {\n");
		print_sub(sb, s->body);
		sb_puts(sb, "\n} catch ");
		if (s->value) {
			sb_putc(sb, '(');
			print_expr(sb, s->value);
			sb_puts(sb, ") ");
		}
		sb_puts(sb, "{\n");
		print_sub(sb, s->other);
		sb_puts(sb, "\n}\n");
		return;
	}
}

/* "{ BODY }": the body of a probe or function. */
void elab_print_body(FILE *out, const struct stmt *body)
{
	struct strbuf sb;
	sb_init(&sb);
	sb_puts(&sb, "{ ");
	print_sub(&sb, body);
	sb_puts(&sb, " }\n");
	fputs(sb_str(&sb), out);
	sb_fini(&sb);
}

/* The condition of a probe line, as -p2 prints it. */
const char *elab_expr_text(struct arena *a, const struct expr *e)
{
	struct strbuf sb;
	sb_init(&sb);
	print_expr(&sb, e);
	const char *r = arena_strdup(a, sb_str(&sb));
	sb_fini(&sb);
	return r;
}
