/*
 * Prints a parsed program as `stap -p1` does: embedded code, globals, probe
 * aliases, probes, functions, each group in source order.  Every operand is
 * parenthesised, so the output shows how the script was grouped and parses
 * back to the same tree.  Function parameter types and "private" are not
 * printed, as in the original.
 */
#include <string.h>

#include "parse.h"

static void print_expr(FILE *out, const struct expr *e);
static void print_literal(FILE *out, const struct expr *e);
static void print_stmt(FILE *out, const struct stmt *s);

static void print_list(FILE *out, const struct vec *list)
{
	vec_foreach(list, i) {
		if (i)
			fputs(", ", out);
		print_expr(out, list->items[i]);
	}
}

static void print_paren(FILE *out, const struct expr *e)
{
	fputc('(', out);
	print_expr(out, e);
	fputc(')', out);
}

static void print_components(FILE *out, const struct vec *comps)
{
	vec_foreach(comps, i) {
		const struct component *c = comps->items[i];
		switch (c->kind) {
		case COMP_FIELD:
		case COMP_PRETTY:
			fprintf(out, "->%s", c->name);
			break;
		case COMP_INDEX:
		case COMP_EXPR:
			fputc('[', out);
			print_expr(out, c->index);
			fputc(']', out);
			break;
		}
	}
}

static void print_expr(FILE *out, const struct expr *e)
{
	switch (e->kind) {
	case EXPR_NUMBER:
		/* A negative value can only come from a literal that wrapped (2^63 and
		 * up); print it unsigned so that it parses back to the same literal. */
		fprintf(out, e->num < 0 ? "%llu" : "%lld", e->num);
		break;
	case EXPR_WILDCARD:
		fputc('*', out);
		break;
	case EXPR_STRING:
		fprintf(out, "\"%s\"", e->str);
		break;
	case EXPR_SYMBOL:
		fputs(e->str, out);
		break;
	case EXPR_EMBEDDED:
		fprintf(out, "%%{%s%%}", e->str);
		break;
	case EXPR_CONTEXT:
		fputs(e->tok->text, out);
		break;
	case EXPR_TARGET:
		fprintf(out, "%s%s", e->addressof ? "&" : "", e->str);
		print_components(out, &e->comps);
		break;
	case EXPR_CAST:
		fprintf(out, "%s@cast(", e->addressof ? "&" : "");
		print_expr(out, e->a);
		fprintf(out, ", \"%s\"", e->str);
		if (e->module)
			fprintf(out, ", \"%s\"", e->module);
		fputc(')', out);
		print_components(out, &e->comps);
		break;
	case EXPR_ATVAR:
		fprintf(out, "%s@var(\"%s\"", e->addressof ? "&" : "", e->str);
		if (e->module)
			fprintf(out, ", \"%s\"", e->module);
		fputc(')', out);
		print_components(out, &e->comps);
		break;
	case EXPR_AUTOCAST:
		if (e->addressof)
			fputc('&', out);
		print_paren(out, e->a);
		print_components(out, &e->comps);
		break;
	case EXPR_DEFINED:
	case EXPR_ENTRY:
		fprintf(out, "%s(", e->op);
		print_expr(out, e->a);
		fputc(')', out);
		break;
	case EXPR_PERF:
		fprintf(out, "@perf(\"%s\")", e->str);
		break;
	case EXPR_BINARY:
	case EXPR_LOGICAL:
	case EXPR_COMPARE:
	case EXPR_CONCAT:
	case EXPR_ASSIGN:
		print_paren(out, e->a);
		fprintf(out, " %s ", e->op);
		print_paren(out, e->b);
		break;
	case EXPR_REGEX:
		print_paren(out, e->a);
		fprintf(out, " %s ", e->op);
		print_expr(out, e->b);
		break;
	case EXPR_UNARY:
	case EXPR_PREINC:
		fputs(e->op, out);
		print_paren(out, e->a);
		break;
	case EXPR_POSTINC:
		print_paren(out, e->a);
		fputs(e->op, out);
		break;
	case EXPR_TERNARY:
		print_paren(out, e->a);
		fputc('?', out);
		print_paren(out, e->b);
		fputc(':', out);
		print_paren(out, e->c);
		break;
	case EXPR_IN:
		fputc('[', out);
		print_list(out, &e->list);
		fputs("] in ", out);
		print_expr(out, e->a);
		break;
	case EXPR_INDEX:
		print_expr(out, e->a);
		fputc('[', out);
		print_list(out, &e->list);
		fputc(']', out);
		break;
	case EXPR_CALL:
	case EXPR_PRINT:
		fprintf(out, "%s(", e->str);
		print_list(out, &e->list);
		fputc(')', out);
		break;
	case EXPR_STAT:
		fprintf(out, "%s(", e->str);
		print_expr(out, e->a);
		if (e->b) {
			fputs(", ", out);
			print_expr(out, e->b);
		}
		fputc(')', out);
		break;
	case EXPR_HIST:
		fprintf(out, "%s(", e->op);
		print_expr(out, e->a);
		vec_foreach(&e->list, i) {
			fputs(", ", out);
			print_literal(out, e->list.items[i]);
		}
		fputc(')', out);
		break;
	}
}

/* A literal where a leading '-' belongs to it: initialisers, probe point arguments. */
static void print_literal(FILE *out, const struct expr *e)
{
	if (e->kind == EXPR_NUMBER)
		fprintf(out, "%lld", e->num);
	else
		print_expr(out, e);
}

static void print_sort(FILE *out, const struct stmt *s, int key)
{
	if (s->sort_key == key)
		fputc(s->sort_dir, out);
}

static void print_stmt(FILE *out, const struct stmt *s)
{
	switch (s->kind) {
	case STMT_BLOCK:
		fputs("{\n", out);
		vec_foreach(&s->stmts, i) {
			print_stmt(out, s->stmts.items[i]);
			fputs(";\n", out);
		}
		fputc('}', out);
		break;
	case STMT_EXPR:
		print_expr(out, s->expr);
		break;
	case STMT_NULL:
		fputc(';', out);
		break;
	case STMT_IF:
		fputs("if (", out);
		print_expr(out, s->expr);
		fputs(") ", out);
		print_stmt(out, s->body);
		fputc('\n', out);
		if (s->other) {
			fputs("else ", out);
			print_stmt(out, s->other);
			fputc('\n', out);
		}
		break;
	case STMT_FOR:
		fputs("for (", out);
		if (s->init)
			print_expr(out, s->init);
		fputs("; ", out);
		print_expr(out, s->expr);
		fputs("; ", out);
		if (s->step)
			print_expr(out, s->step);
		fputs(") ", out);
		print_stmt(out, s->body);
		break;
	case STMT_FOREACH:
		fputs("foreach (", out);
		if (s->value) {
			print_expr(out, s->value);
			fputs(" = ", out);
		}
		fputc('[', out);
		vec_foreach(&s->keys, i) {
			if (i)
				fputs(", ", out);
			print_expr(out, s->keys.items[i]);
			print_sort(out, s, (int)i + 1);
		}
		fputs("] in ", out);
		print_expr(out, s->array);
		if (s->sort_aggr)
			fprintf(out, " %s", s->sort_aggr);
		print_sort(out, s, 0);
		if (s->limit) {
			fputs(" limit ", out);
			print_expr(out, s->limit);
		}
		fputs(") ", out);
		print_stmt(out, s->body);
		break;
	case STMT_RETURN:
		fputs("return", out);
		if (s->expr) {
			fputc(' ', out);
			print_expr(out, s->expr);
		}
		break;
	case STMT_NEXT:
		fputs("next", out);
		break;
	case STMT_BREAK:
		fputs("break", out);
		break;
	case STMT_CONTINUE:
		fputs("continue", out);
		break;
	case STMT_DELETE:
		fputs("delete ", out);
		print_expr(out, s->expr);
		break;
	case STMT_TRY:
		fputs("try {\n", out);
		print_stmt(out, s->body);
		fputs("\n} catch", out);
		if (s->value) {
			fputs(" (", out);
			print_expr(out, s->value);
			fputc(')', out);
		}
		fputs(" {\n", out);
		print_stmt(out, s->other);
		fputs("\n}\n", out);
		break;
	}
}

static void print_point(FILE *out, const struct probe_point *pp)
{
	vec_foreach(&pp->comps, i) {
		const struct pp_comp *c = pp->comps.items[i];
		if (i)
			fputc('.', out);
		fputs(c->name, out);
		if (c->arg) {
			fputc('(', out);
			print_literal(out, c->arg);
			fputc(')', out);
		}
	}
	if (pp->sufficient)
		fputc('!', out);
	else if (pp->optional)
		fputc('?', out);
	if (pp->cond) {
		fputs(" if (", out);
		print_expr(out, pp->cond);
		fputc(')', out);
	}
}

static void print_probe(FILE *out, const struct probe *pr)
{
	fputs("probe ", out);
	vec_foreach(&pr->aliases, i) {
		const struct alias_name *a = pr->aliases.items[i];
		print_point(out, a->point);
		fputs(a->epilogue ? " += " : " = ", out);
	}
	vec_foreach(&pr->points, i) {
		if (i)
			fputs(pr->aliases.len ? ", " : ",", out);
		print_point(out, pr->points.items[i]);
	}
	print_stmt(out, pr->body);
	fputc('\n', out);
}

void ast_print(FILE *out, const struct program *prog)
{
	fprintf(out, "# parse tree dump\n# file %s\n", prog->src->name);
	vec_foreach(&prog->embeds, i) {
		const struct token *t = prog->embeds.items[i];
		fprintf(out, "%%{%s%%}", t->text);
	}
	vec_foreach(&prog->globals, i) {
		const struct global *g = prog->globals.items[i];
		fprintf(out, "global %s", g->name);
		if (g->wrap)
			fputc('%', out);
		if (g->size)
			fprintf(out, "[%lld]", g->size);
		if (g->init) {
			fputs(" = ", out);
			print_literal(out, g->init);
		}
		fputc('\n', out);
	}
	vec_foreach(&prog->aliases, i)
		print_probe(out, prog->aliases.items[i]);
	vec_foreach(&prog->probes, i)
		print_probe(out, prog->probes.items[i]);
	vec_foreach(&prog->functions, i) {
		const struct function *f = prog->functions.items[i];
		fprintf(out, "function %s (", f->name);
		vec_foreach(&f->params, k) {
			const struct param *a = f->params.items[k];
			fprintf(out, "%s%s", k ? ", " : "", a->name);
		}
		fputs(")\n", out);
		if (f->body)
			print_stmt(out, f->body);
		else
			fprintf(out, "%%{%s%%}", f->code->text);
		fputc('\n', out);
	}
	fputc('\n', out);
}
