/*
 * kernel.* probe points.  kernel.trace("PATTERN") matches the kernel's
 * trace events (tracefs): "GROUP:EVENT" with wildcards in both parts, or
 * "EVENT" alone matched in every group, as the original matches tracepoint
 * names; each match becomes its own probe, in name order, named
 * kernel.trace("GROUP:EVENT").  The tracepoint's C arguments (from BTF)
 * type the $arg context variables, its record format the $field ones
 * (context.c).  kernel.function and kernel.statement are kfunc.c's.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../kernel/kernel.h"
#include "../internal.h"

/* What -L shows: " $name:type" for each C argument, as the original
 * lists them; for an event that has none (syscalls:*, ftrace's own
 * events) each record field but the common ones. */
static const char *vars_text(struct elab_state *st, const struct eprobe *p)
{
	struct strbuf sb;
	sb_init(&sb);
	for (int i = 0; i < p->tp_nargs; i++) {
		char *type = kbtf_type_text(p->tp_args[i].type_id);
		sb_printf(&sb, " $%s:%s", p->tp_args[i].name, type);
		free(type);
	}
	vec_foreach(&p->tp->fields, i) {
		const struct tp_field *f = p->tp->fields.items[i];
		if (f->common || p->tp_nargs)
			continue;
		sb_printf(&sb, " $%s:%s", f->name, f->type);
		if (f->kind == TPF_CHAR_ARRAY)
			sb_printf(&sb, "[%d]", f->size);
	}
	const char *r = arena_strdup(st->a, sb_str(&sb));
	sb_fini(&sb);
	return r;
}

static int derive_trace(struct elab_state *st, const struct derive_ctx *dc)
{
	const struct probe_point *pt = dc->pt;
	const struct pp_comp *c0 = pp_comp_at(pt, 0), *c1 = pp_comp_at(pt, 1);
	if (!c1->arg || c1->arg->kind != EXPR_STRING) {
		if (!pt->optional)
			probes_report_failure(st, c0->tok, "probe point mismatch", c1->tok,
					      "probe point mismatch");
		return -1;
	}
	if (pt->comps.len > 2) {
		if (!pt->optional)
			probes_report_failure(st, c0->tok, "probe point suffix",
					      pp_comp_at(pt, 2)->tok, "invalid suffix for probe");
		return -1;
	}
	const char *pattern = c1->arg->str;
	const char *colon = strchr(pattern, ':');
	char *gpat = colon ? xstrdup(pattern) : NULL;
	if (gpat)
		gpat[colon - pattern] = 0;
	const char *epat = colon ? colon + 1 : pattern;
	struct vec events = {0};
	int rc = tracefs_events(&events);
	if (rc < 0) {
		free(gpat);
		if (!pt->optional) {
			char *msg = arena_printf(
				st->a, "cannot list the kernel's trace events (tracefs): %s",
				strerror(-rc));
			probes_report_failure(st, c0->tok, "probe point value", NULL, msg);
		}
		return -1;
	}
	int n = 0;
	vec_foreach(&events, i) {
		char *ge = events.items[i];
		char *sep = strchr(ge, ':');
		*sep = 0;
		const char *group = ge, *event = sep + 1;
		bool match =
			fnmatch(epat, event, 0) == 0 && (!gpat || fnmatch(gpat, group, 0) == 0);
		if (match) {
			struct tp_format *fmt = arena_alloc(st->a, sizeof(*fmt));
			if (tracefs_format(st->a, group, event, fmt) == 0) {
				struct eprobe *p = arena_alloc(st->a, sizeof(*p));
				p->kind = PROBE_TRACEPOINT;
				p->kernel = true;
				p->tp_group = arena_strdup(st->a, group);
				p->tp_event = arena_strdup(st->a, event);
				p->tp = fmt;
				struct kbtf_param args[KBTF_MAX_TP_ARGS];
				p->tp_nargs = kbtf_tracepoint_args(event, args);
				p->tp_args = arena_alloc(st->a, sizeof(args));
				memcpy((void *)p->tp_args, args, sizeof(args));
				p->vars = vars_text(st, p);
				char *text = tracefs_format_text(group, event);
				if (text)
					vec_push_arena(st->a, &st->e->kernel_inputs,
						       arena_strdup(st->a, text));
				/* the arguments' types shape the code too */
				vec_push_arena(st->a, &st->e->kernel_inputs, (void *)p->vars);
				free(text);
				probes_add(st, dc, p,
					   arena_printf(st->a, "kernel.trace(\"%s:%s\")", group,
							event));
				n++;
			}
		}
		free(ge);
	}
	vec_fini(&events);
	free(gpat);
	if (n == 0) {
		if (!pt->optional)
			probes_report_failure(st, c0->tok, "no match", NULL, "no match");
		return -1;
	}
	return n;
}

int probes_derive_kernel(struct elab_state *st, const struct derive_ctx *dc)
{
	const struct probe_point *pt = dc->pt;
	const struct pp_comp *c0 = pp_comp_at(pt, 0), *c1 = pp_comp_at(pt, 1);
	if (!c1) {
		if (!pt->optional)
			probes_report_failure(
				st, c0->tok, "probe point mismatch", c0->tok,
				"probe point truncated (follow:  function(string) trace(string))");
		return -1;
	}
	if (strcmp(c1->name, "trace") == 0)
		return derive_trace(st, dc);
	if (strcmp(c1->name, "function") == 0 || strcmp(c1->name, "statement") == 0)
		return probes_derive_kfunc(st, dc);
	if (!pt->optional)
		probes_report_failure(st, c0->tok, "probe point mismatch", c1->tok,
				      "probe point mismatch (similar: trace, function, statement)");
	return -1;
}
