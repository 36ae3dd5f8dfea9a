/*
 * perf.* probe points: perf.sw.NAME, perf.hw.NAME and perf.type(T).config(C),
 * each optionally .sample(N) (every N events; 1000000 when not given, as the
 * original) or .hz(N) (N times a second).  The handler runs in BPF on every
 * CPU.  A hardware event the machine cannot count (no PMU) fails here, by
 * name, with the kernel's reason.
 */
#include <errno.h>
#include <fnmatch.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>

#include "../../kernel/kernel.h"
#include "../internal.h"

#define DEFAULT_SAMPLE 1000000

static bool number_arg(const struct pp_comp *c, long long *v)
{
	if (!c || !c->arg || c->arg->kind != EXPR_NUMBER)
		return false;
	*v = c->arg->num;
	return true;
}

static const char *similar(struct elab_state *st, const struct perf_event_name *names)
{
	struct strbuf sb;
	sb_init(&sb);
	sb_puts(&sb, "probe point mismatch (similar: ");
	for (int i = 0; names[i].name && i < 5; i++)
		sb_printf(&sb, "%s%s", i ? ", " : "", names[i].name);
	sb_putc(&sb, ')');
	const char *r = arena_strdup(st->a, sb_str(&sb));
	sb_fini(&sb);
	return r;
}

static int derive_one(struct elab_state *st, const struct derive_ctx *dc);

static bool is_pattern(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* perf.sw.*, perf.*.page_faults...: every event of the names that match and
 * that this machine can count, each its own probe (for -l, mostly). */
static int derive_wildcard(struct elab_state *st, const struct derive_ctx *dc)
{
	const struct probe_point *pt = dc->pt;
	const struct pp_comp *c1 = pp_comp_at(pt, 1), *c2 = pp_comp_at(pt, 2);
	int total = 0;
	for (int hw = 0; hw < 2; hw++) {
		const char *family = hw ? "hw" : "sw";
		if (fnmatch(c1->name, family, 0) != 0)
			continue;
		const struct perf_event_name *names = perf_event_names(hw);
		for (int i = 0; names[i].name; i++) {
			if (fnmatch(c2->name, names[i].name, 0) != 0)
				continue;
			struct probe_point *np = arena_alloc(st->a, sizeof(*np));
			*np = *pt;
			np->optional = true; /* a match this machine cannot count: left out */
			np->comps = (struct vec){0};
			vec_foreach(&pt->comps, k) {
				struct pp_comp *nc = arena_alloc(st->a, sizeof(*nc));
				*nc = *(const struct pp_comp *)pt->comps.items[k];
				if (k == 1)
					nc->name = family;
				else if (k == 2)
					nc->name = names[i].name;
				vec_push_arena(st->a, &np->comps, nc);
			}
			struct derive_ctx ndc = *dc;
			ndc.pt = np;
			int n = derive_one(st, &ndc);
			if (n > 0)
				total += n;
		}
	}
	if (total == 0 && !pt->optional)
		probes_report_failure(st, ((const struct pp_comp *)pt->comps.items[0])->tok,
				      "probe point mismatch", c2->tok,
				      "probe point mismatch: didn't find any wildcard matches");
	return total ? total : -1;
}

int probes_derive_perf(struct elab_state *st, const struct derive_ctx *dc)
{
	const struct pp_comp *c1 = pp_comp_at(dc->pt, 1), *c2 = pp_comp_at(dc->pt, 2);
	if (c1 && c2 && !c1->arg && !c2->arg && strcmp(c1->name, "type") != 0 &&
	    (is_pattern(c1->name) || is_pattern(c2->name)))
		return derive_wildcard(st, dc);
	return derive_one(st, dc);
}

static int derive_one(struct elab_state *st, const struct derive_ctx *dc)
{
	const struct probe_point *pt = dc->pt;
	const struct pp_comp *c0 = pp_comp_at(pt, 0), *c1 = pp_comp_at(pt, 1);
	struct eprobe *p = arena_alloc(st->a, sizeof(*p));
	p->kind = PROBE_PERF;
	p->kernel = true;
	size_t next;
	bool hw = false;
	if (!c1)
		return probe_fail(st, dc, "probe point mismatch", c0->tok,
				  "probe point truncated (follow:  hw sw type(number))");
	if ((strcmp(c1->name, "sw") == 0 || strcmp(c1->name, "hw") == 0) && !c1->arg) {
		hw = c1->name[0] == 'h';
		const struct perf_event_name *names = perf_event_names(hw);
		const struct pp_comp *c2 = pp_comp_at(pt, 2);
		if (!c2)
			return probe_fail(st, dc, "probe point mismatch", c1->tok,
					  "probe point truncated");
		const struct perf_event_name *found = NULL;
		for (int i = 0; names[i].name; i++)
			if (strcmp(names[i].name, c2->name) == 0)
				found = &names[i];
		if (!found || c2->arg)
			return probe_fail(st, dc, "probe point mismatch", c2->tok,
					  similar(st, names));
		p->perf_type = found->type;
		p->perf_config = found->config;
		next = 3;
	} else if (strcmp(c1->name, "type") == 0) {
		long long type, config;
		const struct pp_comp *c2 = pp_comp_at(pt, 2);
		if (!number_arg(c1, &type))
			return probe_fail(st, dc, "probe point mismatch", c1->tok,
					  "probe point mismatch");
		if (!c2 || strcmp(c2->name, "config") != 0 || !number_arg(c2, &config))
			return probe_fail(st, dc, "probe point mismatch", c2 ? c2->tok : c1->tok,
					  "probe point mismatch (similar: config)");
		p->perf_type = (uint32_t)type;
		p->perf_config = (uint64_t)config;
		hw = type == PERF_TYPE_HARDWARE || type == PERF_TYPE_HW_CACHE ||
		     type == PERF_TYPE_RAW;
		next = 3;
	} else {
		return probe_fail(st, dc, "probe point mismatch", c1->tok,
				  "probe point mismatch (similar: sw, hw, type)");
	}
	p->sample_period = DEFAULT_SAMPLE;
	const struct pp_comp *c = pp_comp_at(pt, next);
	if (c) {
		long long v;
		if (strcmp(c->name, "sample") == 0 && number_arg(c, &v)) {
			if (v <= 0)
				return probe_fail(st, dc, "probe point value", c->tok,
						  "sample value must be greater than 0");
			p->sample_period = (uint64_t)v;
		} else if (strcmp(c->name, "hz") == 0 && number_arg(c, &v)) {
			if (v <= 0)
				return probe_fail(st, dc, "probe point value", c->tok,
						  "frequency must be greater than 0");
			p->sample_period = 0;
			p->sample_freq = (uint64_t)v;
		} else if (strcmp(c->name, "process") == 0 || strcmp(c->name, "counter") == 0) {
			return probe_fail(
				st, dc, "probe point value", c->tok,
				"perf .process and .counter probes are not supported yet");
		} else {
			return probe_fail(st, dc, "probe point suffix", c->tok,
					  "invalid suffix for probe");
		}
		if (pp_comp_at(pt, next + 1))
			return probe_fail(st, dc, "probe point suffix",
					  pp_comp_at(pt, next + 1)->tok,
					  "invalid suffix for probe");
	}
	int rc = perf_event_probe(p->perf_type, p->perf_config);
	if (rc < 0) {
		const char *why = hw && (rc == -ENOENT || rc == -EOPNOTSUPP)
					  ? "this machine has no hardware performance counters"
					  : strerror(-rc);
		struct strbuf name;
		sb_init(&name);
		vec_foreach(&pt->comps, i) {
			const struct pp_comp *k = pt->comps.items[i];
			sb_printf(&name, "%s%s", i ? "." : "", k->name);
			if (k->arg)
				sb_printf(&name, "(%lld)", k->arg->num);
		}
		char *msg = arena_printf(st->a, "cannot count %s (perf type %u, config %llu): %s",
					 sb_str(&name), p->perf_type,
					 (unsigned long long)p->perf_config, why);
		sb_fini(&name);
		return probe_fail(st, dc, "probe point value", c1->tok, msg);
	}
	struct strbuf sb;
	sb_init(&sb);
	vec_foreach(&pt->comps, i) {
		const struct pp_comp *k = pt->comps.items[i];
		sb_printf(&sb, "%s%s", i ? "." : "", k->name);
		if (k->arg)
			sb_printf(&sb, "(%lld)", k->arg->num);
	}
	probes_add(st, dc, p, arena_strdup(st->a, sb_str(&sb)));
	sb_fini(&sb);
	return 1;
}
