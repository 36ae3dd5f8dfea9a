/*
 * `stap -p2`: the resolved program as the original lists it: "# globals"
 * (name, size, type, key types), "# functions" (signature and locals),
 * "# probes" (resolved point, derivation, locals).
 */
#include <string.h>

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

void elab_print(FILE *out, const struct elab *e, bool verbose)
{
	(void)verbose;
	if (e->embeds.len) {
		fputs("# global embedded code\n", out);
		vec_foreach(&e->embeds, i) {
			const struct token *t = e->embeds.items[i];
			fprintf(out, "%%{%s%%}\n", t->text);
		}
	}
	if (e->globals.len) {
		fputs("# globals\n", out);
		vec_foreach(&e->globals, i)
			print_symbol(out, e->globals.items[i], "");
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
		}
	}
	fputs("# probes\n", out);
	vec_foreach(&e->probes, i) {
		const struct eprobe *p = e->probes.items[i];
		if (p->elided)
			continue;
		fprintf(out, "%s%s /* %s */\n", p->pp, p->marks ? p->marks : "", p->chain);
		print_locals(out, &p->locals);
	}
}
