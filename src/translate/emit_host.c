/*
 * The host target's file: the handlers that run in user space (begin, end,
 * error, timers) and the functions they call, the globals (in process
 * memory, or, for those BPF code shares, views of the BPF maps and global
 * data the runtime binds at start), and the module descriptor the runtime
 * reads (runtime/include/stp_host.h): probes, formats, print sites, error
 * locations and the embedded BPF object.
 */
#include <stdlib.h>
#include <string.h>

#include "../kernel/kernel.h"
#include "internal.h"

static void declare_locals(struct strbuf *sb, const struct vec *locals)
{
	vec_foreach(locals, i) {
		const struct symbol *l = locals->items[i];
		if (l->type == TYPE_STRING)
			sb_printf(sb, "\tchar l%zu[MAXSTRINGLEN]; /* %s */\n\tl%zu[0] = 0;\n", i,
				  l->name, i);
		else
			sb_printf(sb, "\tint64_t l%zu = 0; /* %s */\n", i, l->name);
	}
}

static void signature(struct strbuf *sb, const struct efunction *f)
{
	const char *ret = f->type == TYPE_LONG ? "int64_t" : "void";
	sb_printf(sb, "static %s f%d(struct stp_context *c", ret, f->index);
	if (f->type == TYPE_STRING)
		sb_puts(sb, ", char *ret");
	vec_foreach(&f->params, i) {
		const struct symbol *p = f->params.items[i];
		if (p->type == TYPE_STRING)
			sb_printf(sb, ", const char *p%zu", i);
		else
			sb_printf(sb, ", int64_t p%zu", i);
	}
	sb_puts(sb, ")");
}

/* The parameters as locals of the body: strings copied (they can be set). */
static void copy_params(struct strbuf *sb, const struct efunction *f)
{
	vec_foreach(&f->params, i) {
		const struct symbol *p = f->params.items[i];
		if (p->type == TYPE_STRING)
			sb_printf(sb,
				  "\tchar a%zu[MAXSTRINGLEN]; /* %s */\n\tstp_scpy(a%zu, p%zu);\n",
				  i, p->name, i, i);
		else
			sb_printf(sb, "\tint64_t a%zu = p%zu; /* %s */\n", i, i, p->name);
	}
}

static void emit_embedded_function(struct strbuf *out, const struct efunction *f)
{
	signature(out, f);
	sb_puts(out, "\n{\n");
	if (f->type == TYPE_LONG)
		sb_puts(out, "\tint64_t ret = 0;\n");
	copy_params(out, f);
	vec_foreach(&f->params, i) {
		const struct symbol *p = f->params.items[i];
		sb_printf(out, "#define STAP_ARG_%s (a%zu)\n", p->name, i);
	}
	sb_puts(out,
		"#define STAP_RETVALUE ret\n"
		"#define STAP_RETURN(v) do { STAP_RETVALUE = (v); goto out; } while (0)\n"
		"#define STAP_ERROR(...) do { snprintf(c->error_buf, MAXSTRINGLEN, __VA_ARGS__); "
		"stp_fail(c, c->error_buf, NULL); goto out; } while (0)\n"
		"#define CONTEXT c\n\t{\n");
	sb_puts(out, f->decl->code->text);
	sb_puts(out, "\n\t}\n\tgoto out;\nout:\n");
	vec_foreach(&f->params, i) {
		const struct symbol *p = f->params.items[i];
		sb_printf(out, "#undef STAP_ARG_%s\n", p->name);
	}
	sb_puts(out,
		"#undef STAP_RETVALUE\n#undef STAP_RETURN\n#undef STAP_ERROR\n#undef CONTEXT\n");
	sb_puts(out, f->type == TYPE_LONG ? "\treturn ret;\n}\n\n" : "\treturn;\n}\n\n");
}

static void emit_function(struct emitter *em, struct strbuf *out, const struct efunction *f)
{
	if (!f->decl->body) {
		emit_embedded_function(out, f);
		return;
	}
	signature(out, f);
	sb_printf(out, " /* %s */\n{\n", f->name);
	if (f->type == TYPE_LONG)
		sb_puts(out, "\tint64_t ret = 0;\n");
	else if (f->type == TYPE_STRING)
		sb_puts(out, "\tret[0] = 0;\n");
	copy_params(out, f);
	declare_locals(out, &f->locals);
	struct strbuf pro;
	sb_init(&pro);
	sb_printf(&pro,
		  "\tif (STP_UNLIKELY(++c->nesting > MAXNESTING)) { stp_fail(c, "
		  "STP_MSG_MAXNESTING, %s); goto out; }\n",
		  where(em, f->decl->tok));
	em->fn = f;
	emit_body(em, out, f->decl->body, sb_str(&pro));
	em->fn = NULL;
	sb_fini(&pro);
	sb_puts(out, "\tgoto out;\nout:\n\tc->nesting--;\n");
	sb_puts(out, f->type == TYPE_LONG ? "\treturn ret;\n}\n\n" : "\treturn;\n}\n\n");
}

static void emit_probe(struct emitter *em, struct strbuf *out, struct eprobe *p)
{
	sb_printf(out, "static void probe%d(struct stp_context *c) /* %s */\n{\n", p->index, p->pp);
	declare_locals(out, &p->locals);
	/* a condition is a guard at the top of the body (pass 2) */
	emit_body(em, out, p->body, "");
	sb_puts(out, "\tgoto out;\nout:\n\treturn;\n}\n\n");
}

/* A global's initial value: a literal, maybe negated. */
static const char *init_value(struct emitter *em, const struct expr *e, bool *is_string)
{
	*is_string = false;
	if (!e)
		return NULL;
	if (e->kind == EXPR_STRING) {
		*is_string = true;
		return script_string(em, e->str);
	}
	if (e->kind == EXPR_NUMBER)
		return fmt_str(em, "INT64_C(%lld)", e->num);
	if (e->kind == EXPR_UNARY && e->a && e->a->kind == EXPR_NUMBER)
		return fmt_str(em, "stp_neg(INT64_C(%lld))", e->a->num);
	return NULL;
}

static const char *vtype_c(enum vtype t)
{
	return t == TYPE_STRING ? "STP_TSTRING" : t == TYPE_STATS ? "STP_TSTATS" : "STP_TLONG";
}

/* A shared array: a view of the BPF map of the same name, with the layout
 * of its key struct (struct gN_key, the same text as in the BPF file). */
static void bind_bpf_map(struct strbuf *init, const struct symbol *g, size_t i)
{
	struct strbuf offs, sizes;
	sb_init(&offs);
	sb_init(&sizes);
	char kt[ELAB_MAX_KEYS + 1];
	int nk = g->arity < ELAB_MAX_KEYS ? g->arity : ELAB_MAX_KEYS;
	for (int k = 0; k < nk; k++) {
		kt[k] = g->keys[k] == TYPE_STRING ? 's' : 'l';
		sb_printf(&offs, "%soffsetof(struct g%zu_key, k%d)", k ? ", " : "", i, k);
		sb_printf(&sizes, "%ssizeof(((struct g%zu_key *)0)->k%d)", k ? ", " : "", i, k);
	}
	kt[nk] = 0;
	sb_printf(init,
		  "\tg%zu = stp_map_bpf(\"g%zu\", \"%s\", (const uint32_t[]){%s}, (const "
		  "uint32_t[]){%s}, sizeof(struct g%zu_key), %s, &g%zu_p, %lld);\n\tif (!g%zu) "
		  "return -12;\n",
		  i, i, kt, sb_str(&offs), sb_str(&sizes), i, vtype_c(g->type), i,
		  g->decl ? g->decl->size : 0LL, i);
	sb_fini(&offs);
	sb_fini(&sizes);
}

static void emit_globals(struct emitter *em, struct strbuf *out, struct strbuf *init,
			 struct strbuf *fini, struct strbuf *table)
{
	vec_foreach(&em->e->globals, i) {
		struct symbol *g = em->e->globals.items[i];
		if (g->type == TYPE_STATS || g->arity > 0)
			sb_printf(out,
				  "static const struct stp_stat_params g%zu_p = {%d, %d, %d, %d, "
				  "%d};\n",
				  i, g->stat.kind, g->stat.start, g->stat.stop, g->stat.step,
				  g->stat.shift);
		if (g->stat.kind == HIST_LINEAR)
			sb_printf(init, "\tif (stp_stat_check(&g%zu_p, \"%s\")) return -22;\n", i,
				  g->name);
		if (g->arity > 0) {
			sb_printf(out, "static struct stp_map *g%zu; /* %s */\n", i, g->name);
			sb_printf(fini, "\tg%zu = NULL;\n", i);
			if (g->shared) {
				bind_bpf_map(init, g, i);
				continue;
			}
			char kt[ELAB_MAX_KEYS + 1];
			for (int k = 0; k < g->arity && k < ELAB_MAX_KEYS; k++)
				kt[k] = g->keys[k] == TYPE_STRING ? 's' : 'l';
			kt[g->arity < ELAB_MAX_KEYS ? g->arity : ELAB_MAX_KEYS] = 0;
			sb_printf(init,
				  "\tg%zu = stp_map_new(\"%s\", %s, &g%zu_p, %lld, %s);\n\tif "
				  "(!g%zu) "
				  "return -12;\n",
				  i, kt, vtype_c(g->type), i, g->decl ? g->decl->size : 0LL,
				  g->decl && g->decl->wrap ? "true" : "false", i);
			continue;
		}
		if (g->type == TYPE_STATS) {
			sb_printf(out, "static struct stp_stat *g%zu; /* %s */\n", i, g->name);
			if (g->shared)
				sb_printf(init,
					  "\tg%zu = stp_stat_bpf(\"g%zu\", &g%zu_p);\n\tif (!g%zu) "
					  "return -12;\n",
					  i, i, i, i);
			else
				sb_printf(init,
					  "\tg%zu = stp_stat_new(&g%zu_p);\n\tif (!g%zu) return "
					  "-12;\n",
					  i, i, i);
			sb_printf(fini, "\tg%zu = NULL;\n", i);
			continue;
		}
		bool is_string;
		const char *v = init_value(em, g->decl ? g->decl->init : NULL, &is_string);
		const char *name = sym_name(em, g);
		if (!g->shared)
			sb_printf(out, "static %s g%zu%s; /* %s */\n",
				  g->type == TYPE_STRING ? "char" : "int64_t", i,
				  g->type == TYPE_STRING ? "[MAXSTRINGLEN]" : "", g->name);
		if (g->type == TYPE_STRING)
			sb_printf(init, "\tstp_scpy(%s, %s);\n", name, v && is_string ? v : "\"\"");
		else
			sb_printf(init, "\t%s = %s;\n", name, v && !is_string ? v : "0");
		if (g->shared)
			sb_printf(table,
				  "\t{\"%s\", %s, NULL, offsetof(struct stp_shared, g%zu)},\n",
				  g->name, vtype_c(g->type), i);
		else
			sb_printf(table, "\t{\"%s\", %s, %sg%zu, 0},\n", g->name, vtype_c(g->type),
				  g->type == TYPE_STRING ? "" : "&", i);
	}
}

static const char *const probe_kinds[] = {
	[PROBE_BEGIN] = "STP_PROBE_BEGIN",
	[PROBE_END] = "STP_PROBE_END",
	[PROBE_ERROR] = "STP_PROBE_ERROR",
	[PROBE_TIMER] = "STP_PROBE_TIMER",
	[PROBE_TRACEPOINT] = "STP_PROBE_TRACEPOINT",
	[PROBE_PERF] = "STP_PROBE_PERF",
	[PROBE_KFUNC] = "STP_PROBE_KFUNC",
	[PROBE_UPROBE] = "STP_PROBE_UPROBE",
	[PROBE_USDT] = "STP_PROBE_USDT",
	[PROBE_PROCESS] = "STP_PROBE_PROCESS",
	[PROBE_PROCFS] = "STP_PROBE_PROCFS",
};

static int emit_probe_table(struct emitter *em, struct strbuf *out)
{
	int n = 0;
	sb_puts(out, "static const struct stp_probe stp_probes[] = {\n");
	vec_foreach(&em->e->probes, i) {
		const struct eprobe *p = em->e->probes.items[i];
		if (p->kind == PROBE_NEVER || p->elided)
			continue;
		sb_printf(out, "\t{%s, INT64_C(%lld), INT64_C(%lld), INT64_C(%lld), %s, ",
			  probe_kinds[p->kind], (long long)p->seq, (long long)p->interval_ns,
			  (long long)p->randomize_ns, c_string(em, p->pp, strlen(p->pp)));
		const char *loc = "", *from = "";
		if (p->where_tok && p->where_tok->loc.src) {
			const struct srcloc *l = &p->where_tok->loc;
			loc = arena_printf(em->arena, "%s:%d:%d", l->src->name, l->line, l->col);
		}
		if (p->from)
			from = p->from;
		const char *where_from =
			arena_printf(em->arena, ".location = %s, .derivation = %s",
				     p->synthetic ? "NULL" : c_string(em, loc, strlen(loc)),
				     c_string(em, from, strlen(from)));
		if (p->kind == PROBE_KFUNC) {
			const char *kn = p->kf ? p->kf->name : NULL;
			const char *km = p->kf ? p->kf->module : NULL;
			where_from = arena_printf(
				em->arena,
				"%s, .kf_name = %s, .kf_module = %s, .kp_prog = \"probe%d_kp\", "
				".kf_return = %s, .entry_args = %s, .maxactive = %lld, .kf_addr = "
				"UINT64_C(%llu), .kp_group = %d, .kpm_prog = %s",
				where_from, kn ? c_string(em, kn, strlen(kn)) : "NULL",
				km ? c_string(em, km, strlen(km)) : "NULL", p->index,
				p->kf_return ? "true" : "false", p->entry_args ? "true" : "false",
				(long long)p->maxactive, (unsigned long long)p->kf_addr,
				p->kp_group,
				p->kp_group == p->index + 1
					? arena_printf(em->arena, "\"probe%d_kpm\"", p->index)
					: "NULL");
		}
		if (p->kind == PROBE_UPROBE || p->kind == PROBE_USDT)
			where_from = arena_printf(
				em->arena,
				"%s,\n\t  .up_path = %s, .up_offset = UINT64_C(%llu), "
				".up_retprobe = %s, .up_pid = INT64_C(%ld), .usdt_provider = %s, "
				".usdt_name = %s",
				where_from, c_string(em, p->up_path, strlen(p->up_path)),
				(unsigned long long)p->up_offset, p->up_return ? "true" : "false",
				p->up_pid,
				p->usdt_provider
					? c_string(em, p->usdt_provider, strlen(p->usdt_provider))
					: "NULL",
				p->usdt_name ? c_string(em, p->usdt_name, strlen(p->usdt_name))
					     : "NULL");
		if (p->kind == PROBE_PROCFS) {
			const char *size = p->procfs_maxsize
						   ? arena_printf(em->arena, "INT64_C(%lld)",
								  (long long)p->procfs_maxsize)
						   : "STP_PROCFS_BUFSIZE";
			where_from = arena_printf(
				em->arena,
				"%s,\n\t  .procfs_path = %s, .procfs_write = %s, .procfs_maxsize = "
				"%s, "
				".procfs_umask = INT64_C(%lld)",
				where_from, c_string(em, p->procfs_path, strlen(p->procfs_path)),
				p->procfs_write ? "true" : "false", size,
				(long long)p->procfs_umask);
		}
		if (!p->kernel) {
			sb_printf(out, "probe%d, .index = %d, %s},\n", p->index, p->index,
				  where_from);
		} else {
			const char *g = p->tp_group ? c_string(em, p->tp_group, strlen(p->tp_group))
						    : "NULL";
			const char *ev = p->tp_event
						 ? c_string(em, p->tp_event, strlen(p->tp_event))
						 : "NULL";
			sb_printf(out,
				  "NULL, \"probe%d\", %s, %s, %u, UINT64_C(%llu), UINT64_C(%llu), "
				  "UINT64_C(%llu), %d, %s, %s, %s},\n",
				  p->index, g, ev, p->perf_type, (unsigned long long)p->perf_config,
				  (unsigned long long)p->sample_period,
				  (unsigned long long)p->sample_freq, p->index,
				  p->one_cpu ? "true" : "false", p->replays ? "true" : "false",
				  where_from);
		}
		n++;
	}
	sb_puts(out, "\t{0}\n};\n\n");
	return n;
}

void translate_host(struct emitter *em, struct strbuf *out, const char *shared_decls)
{
	const struct elab *e = em->e;
	const struct session *s = em->s;
	struct strbuf globals, init, fini, gtable, funcs, probes;
	sb_init(&globals);
	sb_init(&init);
	sb_init(&fini);
	sb_init(&gtable);
	sb_init(&funcs);
	sb_init(&probes);

	sb_puts(out, "/* generated by stap (stap on eBPF), host target */\n");
	sb_puts(out, "#include <stddef.h>\n#include <stdio.h>\n#include <stdlib.h>\n"
		     "#include \"stp_host.h\"\n\n");
	sb_puts(out, "/* what `next` in a function leaves in c->last_error */\n"
		     "static const char stp_next[] = \"next\";\n\n");
	vec_foreach(&e->embeds, i) {
		const struct token *t = e->embeds.items[i];
		sb_printf(out, "%s\n", t->text);
	}
	if (e->has_kernel)
		sb_printf(out, "%s\nstatic struct stp_shared *stp_G;\n\n", shared_decls);
	emit_globals(em, &globals, &init, &fini, &gtable);
	sb_puts(out, sb_str(&globals));
	sb_putc(out, '\n');
	vec_foreach(&e->functions, i) {
		const struct efunction *f = e->functions.items[i];
		if (!f->in_host)
			continue;
		signature(out, f);
		sb_puts(out, ";\n");
	}
	vec_foreach(&e->functions, i) {
		const struct efunction *f = e->functions.items[i];
		if (f->in_host)
			emit_function(em, &funcs, f);
	}
	vec_foreach(&e->probes, i) {
		struct eprobe *p = e->probes.items[i];
		if (p->kind != PROBE_NEVER && !p->elided && !p->kernel)
			emit_probe(em, &probes, p);
	}
	sb_putc(out, '\n');
	sb_puts(out, sb_str(&funcs));
	sb_puts(out, sb_str(&probes));
	struct translation_tables *t = em->tables;
	sb_printf(out, "static const char *const stp_formats[] = {\n%s\tNULL\n};\n\n",
		  sb_str(&t->formats));
	int nprobes = emit_probe_table(em, out);
	sb_printf(out, "static const struct stp_global stp_globals[] = {\n%s\t{0}\n};\n\n",
		  sb_str(&gtable));
	sb_printf(out, "static const struct stp_print_site stp_sites[] = {\n%s\t{0}\n};\n\n",
		  sb_str(&t->sites));
	sb_printf(out, "static const struct stp_hist_site stp_hsites[] = {\n%s\t{0}\n};\n\n",
		  sb_str(&t->hsites));
	sb_puts(out, "static const char *const stp_locations[] = {\n");
	vec_foreach(&t->locations, i) {
		const char *loc = t->locations.items[i];
		sb_printf(out, "\t%s,\n", c_string(em, loc, strlen(loc)));
	}
	sb_puts(out, "\tNULL\n};\n\n");
	if (e->has_kernel)
		sb_puts(out, "/* the BPF object, compiled by pass 4 */\n"
			     "__asm__(\".section .rodata\\n.balign 8\\n.global stp_bpf_obj\\n"
			     "stp_bpf_obj:\\n.incbin \\\"\" STP_BPF_OBJ \"\\\"\\n.global "
			     "stp_bpf_obj_end\\nstp_bpf_obj_end:\\n.previous\\n\");\n"
			     "extern const char stp_bpf_obj[], stp_bpf_obj_end[];\n\n");
	sb_printf(out,
		  "static int stp_init(struct stp_context *c)\n{\n\t(void)c;\n%s\treturn 0;\n}\n\n",
		  sb_str(&init));
	sb_printf(out, "static void stp_fini(void)\n{\n%s}\n\n", sb_str(&fini));
	int nglobals = 0;
	for (const char *p = sb_str(&gtable); (p = strchr(p, '{')); p++)
		nglobals++;
	sb_printf(out,
		  "const struct stp_module stp_module_desc = {\n"
		  "\t.abi = STP_ABI_VERSION,\n"
		  "\t.maxstringlen = MAXSTRINGLEN,\n"
		  "\t.maxaction = MAXACTION,\n"
		  "\t.maxaction_interruptible = MAXACTION_INTERRUPTIBLE,\n"
		  "\t.maxnesting = MAXNESTING,\n"
		  "\t.maxerrors = MAXERRORS,\n"
		  "\t.maxskipped = MAXSKIPPED,\n"
		  "\t.maxmapentries = MAXMAPENTRIES,\n"
		  "\t.hist_width = HIST_WIDTH,\n"
		  "\t.hist_elision = HIST_ELISION,\n"
		  "\t.formats = stp_formats,\n"
		  "\t.nformats = %d,\n"
		  "\t.probes = stp_probes,\n"
		  "\t.nprobes = %d,\n"
		  "\t.globals = stp_globals,\n"
		  "\t.nglobals = %d,\n"
		  "\t.init = stp_init,\n"
		  "\t.fini = stp_fini,\n"
		  "\t.suppress_handler_errors = %s,\n"
		  "\t.sites = stp_sites,\n"
		  "\t.nsites = %d,\n"
		  "\t.locations = stp_locations,\n"
		  "\t.nlocations = %zu,\n"
		  "\t.hsites = stp_hsites,\n"
		  "\t.nhsites = %d,\n",
		  t->nformats, nprobes, nglobals, s->suppress_handler_errors ? "true" : "false",
		  t->nsites, t->locations.len, t->nhsites);
	sb_puts(out, "#ifdef STP_TIMING\n\t.timing = true,\n#endif\n");
	if (e->has_kernel)
		sb_puts(out, "\t.bpf_obj = stp_bpf_obj,\n"
			     "\t.bpf_obj_end = stp_bpf_obj_end,\n"
			     "\t.shared = (void **)&stp_G,\n"
			     "\t.shared_size = sizeof(struct stp_shared),\n");
	sb_puts(out, "};\n");

	sb_fini(&globals);
	sb_fini(&init);
	sb_fini(&fini);
	sb_fini(&gtable);
	sb_fini(&funcs);
	sb_fini(&probes);
}
