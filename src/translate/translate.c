/*
 * Pass 3's entry: number what the emitters name, then write the BPF file
 * (which fills the tables of print sites and error locations) and the host
 * file (which holds those tables for the runtime).
 */
#include <stdlib.h>

#include "internal.h"

void translate(const struct session *s, const struct elab *e, struct translation *out)
{
	struct arena arena;
	arena_init(&arena);
	struct translation_tables tables = {0};
	sb_init(&tables.formats);
	sb_init(&tables.sites);
	sb_init(&tables.hsites);
	int nlabels = 0;
	vec_foreach(&e->globals, i)
		((struct symbol *)e->globals.items[i])->index = (int)i;
	vec_foreach(&e->functions, i) {
		struct efunction *f = e->functions.items[i];
		number_symbols(&f->params);
		number_symbols(&f->locals);
	}
	vec_foreach(&e->probes, i)
		number_symbols(&((struct eprobe *)e->probes.items[i])->locals);

	if (e->has_kernel)
		translate_key_widths(s, e);
	char *shared = e->has_kernel ? bpf_shared_decls(e) : NULL;
	out->bpf = NULL;
	if (e->has_kernel) {
		struct emitter em = {.s = s,
				     .e = e,
				     .arena = &arena,
				     .bpf = true,
				     .nlabels = &nlabels,
				     .tables = &tables};
		struct strbuf b;
		sb_init(&b);
		translate_bpf(&em, &b, shared);
		out->bpf = xstrdup(sb_str(&b));
		sb_fini(&b);
	}
	struct emitter em = {
		.s = s, .e = e, .arena = &arena, .nlabels = &nlabels, .tables = &tables};
	struct strbuf h;
	sb_init(&h);
	translate_host(&em, &h, shared);
	out->host = xstrdup(sb_str(&h));
	sb_fini(&h);
	free(shared);
	sb_fini(&tables.formats);
	sb_fini(&tables.sites);
	sb_fini(&tables.hsites);
	arena_fini(&arena);
}

void translation_fini(struct translation *t)
{
	free(t->host);
	free(t->bpf);
	t->host = t->bpf = NULL;
}
