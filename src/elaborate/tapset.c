/*
 * The tapset library: every *.stp file of the search path is parsed (as a
 * privileged file, with the library macros) and indexed by the functions,
 * globals and probe aliases it defines.  A file joins the program only when
 * the script uses one of those names ("pulled"); then all of its
 * definitions become visible, as in the original.  A file that does not
 * parse is skipped with the original's warning.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void tapset_load(struct elab_state *st)
{
	struct vec paths = {0};
	session_tapset_files(st->s, ".stp", &paths);
	struct parse_opts opts = *st->popts;
	opts.privileged = true;
	opts.argc = 0;
	opts.argv = NULL;
	vec_foreach(&paths, i) {
		const char *path = paths.items[i];
		size_t len;
		char *text = read_file(path, &len);
		if (!text)
			continue;
		struct source *src = arena_alloc(st->a, sizeof(*src));
		src->name = arena_strdup(st->a, path);
		src->text = arena_strndup(st->a, text, len);
		src->len = len;
		src->library = true;
		free(text);
		struct diag d;
		diag_init(&d, stderr, st->s->verbose);
		struct program *prog = parse_script(st->a, src, &opts, &d);
		int errors = d.errors;
		if (errors)
			diag_summary(&d, "parse");
		diag_fini(&d);
		if (errors) {
			if (!st->s->suppress_warnings)
				fprintf(stderr,
					"WARNING: tapset \"%s\" has errors, and will be skipped\n",
					path);
			continue;
		}
		struct tapset_file *f = arena_alloc(st->a, sizeof(*f));
		f->src = src;
		f->prog = prog;
		vec_push_arena(st->a, &st->files, f);
	}
	vec_foreach(&paths, i)
		free(paths.items[i]);
	vec_fini(&paths);
}

/* "a.b.c" of an alias name's components. */
static const char *alias_text(struct arena *a, const struct probe_point *pt)
{
	struct strbuf sb;
	sb_init(&sb);
	vec_foreach(&pt->comps, i) {
		const struct pp_comp *c = pt->comps.items[i];
		if (i)
			sb_putc(&sb, '.');
		sb_puts(&sb, c->name);
	}
	const char *r = arena_strdup(a, sb_str(&sb));
	sb_fini(&sb);
	return r;
}

void tapset_pull(struct elab_state *st, struct tapset_file *f)
{
	if (f->pulled)
		return;
	f->pulled = true;
	vec_push_arena(st->a, &st->e->inputs, (void *)f->src);
	struct program *p = f->prog;
	vec_foreach(&p->embeds, i)
		vec_push_arena(st->a, &st->e->embeds, p->embeds.items[i]);
	vec_foreach(&p->functions, i) {
		struct fdef *fd = arena_alloc(st->a, sizeof(*fd));
		fd->decl = p->functions.items[i];
		fd->file = f->src->name;
		vec_push_arena(st->a, &st->funcs, fd);
	}
	vec_foreach(&p->globals, i) {
		struct gdef *g = arena_alloc(st->a, sizeof(*g));
		g->decl = p->globals.items[i];
		g->from_tapset = true;
		vec_push_arena(st->a, &st->gdefs, g);
	}
	vec_foreach(&p->aliases, i) {
		const struct probe *pr = p->aliases.items[i];
		vec_foreach(&pr->aliases, j) {
			struct adef *ad = arena_alloc(st->a, sizeof(*ad));
			ad->probe = pr;
			ad->name = pr->aliases.items[j];
			ad->file = f->src->name;
			vec_push_arena(st->a, &st->adefs, ad);
		}
	}
}

static bool file_defines(struct elab_state *st, const struct program *p, char kind,
			 const char *name)
{
	if (kind == 'f') {
		vec_foreach(&p->functions, i) {
			const struct function *fn = p->functions.items[i];
			if (strcmp(fn->name, name) == 0)
				return true;
		}
	} else if (kind == 'g') {
		vec_foreach(&p->globals, i) {
			const struct global *g = p->globals.items[i];
			if (strcmp(g->name, name) == 0)
				return true;
		}
	} else {
		/* name is a probe point pattern, "a.b*" */
		vec_foreach(&p->aliases, i) {
			const struct probe *pr = p->aliases.items[i];
			vec_foreach(&pr->aliases, j) {
				const struct alias_name *an = pr->aliases.items[j];
				if (fnmatch(name, alias_text(st->a, an->point), 0) == 0)
					return true;
			}
		}
	}
	return false;
}

bool tapset_pull_for(struct elab_state *st, char kind, const char *name)
{
	bool pulled = false;
	syscalls_tapset_load(st, kind, name);
	vec_foreach(&st->files, i) {
		struct tapset_file *f = st->files.items[i];
		if (!f->pulled && file_defines(st, f->prog, kind, name)) {
			tapset_pull(st, f);
			pulled = true;
			if (kind != 'a')
				return true;
		}
	}
	return pulled;
}
