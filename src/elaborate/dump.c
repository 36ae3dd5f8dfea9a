/*
 * --dump-functions and --dump-probe-types: what the library and the probe
 * kinds offer, one per line, sorted, in the original's forms
 * ("strlen:long (s:string)", "timer.ms(number).randomize(number)").
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void print_sorted_unique(FILE *out, struct vec *lines)
{
	if (lines->len > 1)
		qsort(lines->items, lines->len, sizeof(void *), cmp_str);
	vec_foreach(lines, i)
		if (i == 0 || strcmp(lines->items[i], lines->items[i - 1]) != 0)
			fprintf(out, "%s\n", (char *)lines->items[i]);
}

static const char *decl_type(const char *t)
{
	return t ? t : "unknown";
}

void elab_dump_functions(struct session *s, struct arena *arena, const struct parse_opts *popts,
			 FILE *out)
{
	struct elab e = {0};
	struct diag d;
	diag_init(&d, stderr, s->verbose);
	struct elab_state st = {.s = s, .a = arena, .d = &d, .popts = popts, .e = &e};
	tapset_load(&st);
	struct vec lines = {0};
	vec_foreach(&st.files, i) {
		const struct tapset_file *f = st.files.items[i];
		vec_foreach(&f->prog->functions, j) {
			const struct function *fn = f->prog->functions.items[j];
			if (fn->is_private)
				continue;
			struct strbuf sb;
			sb_init(&sb);
			sb_printf(&sb, "%s:%s (", fn->name, decl_type(fn->type));
			vec_foreach(&fn->params, k) {
				const struct param *p = fn->params.items[k];
				sb_printf(&sb, "%s%s:%s", k ? ", " : "", p->name,
					  decl_type(p->type));
			}
			sb_puts(&sb, ")");
			vec_push_arena(arena, &lines, arena_strdup(arena, sb_str(&sb)));
			sb_fini(&sb);
		}
	}
	print_sorted_unique(out, &lines);
	diag_fini(&d);
}

void elab_dump_probe_types(FILE *out)
{
	static const char *const kinds[] = {
		"begin",
		"begin(number)",
		"end",
		"end(number)",
		"error",
		"error(number)",
		"kernel.trace(string)",
		"never",
		"perf.type(number).config(number)",
		"perf.type(number).config(number).hz(number)",
		"perf.type(number).config(number).sample(number)",
		"procfs.read",
		"procfs.read.maxsize(number)",
		"procfs.umask(number).read",
		"procfs.umask(number).read.maxsize(number)",
		"procfs.umask(number).write",
		"procfs.write",
		"procfs(string).read",
		"procfs(string).read.maxsize(number)",
		"procfs(string).umask(number).read",
		"procfs(string).umask(number).read.maxsize(number)",
		"procfs(string).umask(number).write",
		"procfs(string).write",
		"timer.hz(number)",
		"timer.jiffies(number)",
		"timer.jiffies(number).randomize(number)",
		NULL,
	};
	static const char *const units[] = {"ms",  "msec", "ns",   "nsec", "s",
					    "sec", "us",   "usec", NULL};
	for (int i = 0; kinds[i]; i++)
		fprintf(out, "%s\n", kinds[i]);
	for (int i = 0; units[i]; i++)
		fprintf(out, "timer.%s(number)\ntimer.%s(number).randomize(number)\n", units[i],
			units[i]);
}
