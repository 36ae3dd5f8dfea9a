/*
 * Process events: the probe points the original builds on utrace.
 *
 *   process[(PATH|PID)].begin, .end, .thread.begin, .thread.end,
 *   process[(PATH|PID)].syscall, .syscall.return
 *
 * Each is one probe whose handler runs in BPF on the scheduler's and the
 * system-call layer's tracepoints (the translator writes one program per
 * tracepoint it needs, emit_procev.c).  Which tasks it concerns is a
 * filter the programs evaluate on the current task: the executable's
 * inode and device (PATH), the process (PID), the target's process
 * hierarchy (no PATH nor PID under -c/-x, as the original), or every user
 * task.  $syscall, $argN and $return are fields of the raw_syscalls
 * records.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../../kernel/kernel.h"
#include "../internal.h"

bool procev_is_event(const char *name)
{
	return strcmp(name, "begin") == 0 || strcmp(name, "end") == 0 ||
	       strcmp(name, "thread") == 0 || strcmp(name, "syscall") == 0;
}

/* The event of process(...).NAME[.SUFFIX]; 0 after reporting. */
static int event_of(struct elab_state *st, const struct derive_ctx *dc, const char **suffix)
{
	const struct probe_point *pt = dc->pt;
	const struct pp_comp *c1 = pp_comp_at(pt, 1), *c2 = pp_comp_at(pt, 2);
	size_t len = 2;
	int ev = 0;
	if (c1->arg) {
		probe_fail(st, dc, "probe point mismatch", c1->tok, "probe point mismatch");
		return 0;
	}
	if (strcmp(c1->name, "begin") == 0 || strcmp(c1->name, "end") == 0) {
		ev = c1->name[0] == 'b' ? PE_BEGIN : PE_END;
		*suffix = c1->name;
	} else if (strcmp(c1->name, "thread") == 0) {
		if (!c2 || c2->arg ||
		    (strcmp(c2->name, "begin") != 0 && strcmp(c2->name, "end") != 0)) {
			probe_fail(st, dc, "probe point mismatch", c2 ? c2->tok : c1->tok,
				   c2 ? "probe point mismatch (similar: end, begin)"
				      : "probe point truncated (follow:  begin end)");
			return 0;
		}
		ev = c2->name[0] == 'b' ? PE_THREAD_BEGIN : PE_THREAD_END;
		*suffix = c2->name[0] == 'b' ? "thread.begin" : "thread.end";
		len = 3;
	} else {
		ev = PE_SYSCALL;
		*suffix = "syscall";
		if (c2 && !c2->arg && strcmp(c2->name, "return") == 0) {
			ev = PE_SYSCALL_RETURN;
			*suffix = "syscall.return";
			len = 3;
		} else if (c2) {
			probe_fail(st, dc, "probe point mismatch", c2->tok,
				   "probe point mismatch (similar: return)");
			return 0;
		}
	}
	if (pt->comps.len > len) {
		probe_fail(st, dc, "probe point suffix", pp_comp_at(pt, len)->tok,
			   "invalid suffix for probe");
		return 0;
	}
	return ev;
}

static const char *vars_of(int ev)
{
	if (ev == PE_SYSCALL)
		return " $syscall:long $arg1:long $arg2:long $arg3:long $arg4:long $arg5:long "
		       "$arg6:long";
	if (ev == PE_SYSCALL_RETURN)
		return " $syscall:long $return:long";
	return "";
}

int probes_derive_procevents(struct elab_state *st, const struct derive_ctx *dc)
{
	const struct probe_point *pt = dc->pt;
	const struct pp_comp *c0 = pp_comp_at(pt, 0);
	const char *suffix;
	int ev = event_of(st, dc, &suffix);
	if (!ev)
		return -1;
	struct eprobe *p = arena_alloc(st->a, sizeof(*p));
	p->kind = PROBE_PROCESS;
	p->kernel = true;
	p->pe_event = ev;
	p->up_pid = -1;
	p->vars = vars_of(ev);
	const char *prefix = "process";
	if (!c0->arg) {
		/* as the original: -c and -x restrict the probes to the target's
		 * process hierarchy */
		p->pe_target = st->s->target_cmd || st->s->target_pid;
	} else if (c0->arg->kind == EXPR_NUMBER) {
		p->up_pid = (long)c0->arg->num;
		char *path = process_pid_path(p->up_pid);
		if (!path) {
			char *msg = arena_printf(st->a, "cannot probe pid %ld: No such process",
						 p->up_pid);
			return probe_fail(st, dc, "probe point value", NULL, msg);
		}
		free(path);
		prefix = arena_printf(st->a, "process(%ld)", p->up_pid);
	} else {
		char *path = process_resolve_path(c0->arg->str);
		struct stat sb;
		if (!path || stat(path, &sb) != 0) {
			free(path);
			return probe_fail(st, dc, "no match", NULL, "no match");
		}
		p->pe_ino = sb.st_ino;
		p->pe_dev = (uint32_t)((major(sb.st_dev) << 20) | minor(sb.st_dev));
		const char *base = strrchr(path, '/');
		p->pe_comm = arena_printf(st->a, "%.15s", base ? base + 1 : path);
		prefix = arena_printf(st->a, "process(\"%s\")", path);
		/* the inode is compiled in: the file is part of the cache key */
		vec_push_arena(st->a, &st->e->kernel_inputs,
			       arena_printf(st->a, "process %s %llu %llu", path,
					    (unsigned long long)sb.st_ino,
					    (unsigned long long)sb.st_dev));
		free(path);
	}
	probes_add(st, dc, p, arena_printf(st->a, "%s.%s", prefix, suffix));
	return 1;
}

/* ---- context variables ---- */

/* A field of the raw_syscalls:sys_enter/sys_exit records (the same
 * layout on every kernel: the record header, long id, then the six
 * arguments or the return value). */
static struct expr *record_long(struct elab_state *st, const char *name, int offset,
				const struct token *tok)
{
	struct tp_field *f = arena_alloc(st->a, sizeof(*f));
	f->name = name;
	f->type = "long";
	f->kind = TPF_INT;
	f->offset = offset;
	f->size = 8;
	f->is_signed = true;
	struct expr *e = arena_alloc(st->a, sizeof(*e));
	struct ctxvar *cv = arena_alloc(st->a, sizeof(*cv));
	cv->kind = CV_TP_FIELD;
	cv->field = f;
	cv->type = TYPE_LONG;
	e->kind = EXPR_CONTEXT;
	e->tok = tok;
	e->cv = cv;
	return e;
}

/* N of $argN, 0 when the name is not one; -1 out of 1..6. */
static int arg_number(const char *name)
{
	if (strncmp(name, "$arg", 4) != 0 || !name[4])
		return 0;
	char *end;
	long n = strtol(name + 4, &end, 10);
	if (*end || name[4] == '-' || name[4] == '+')
		return 0;
	return n >= 1 && n <= 6 ? (int)n : -1;
}

/* The original's words, then its type checker's, which meets the
 * variable untyped, twice. */
static void refuse(struct elab_state *st, const struct expr *e, const char *msg)
{
	diag_semantic(st->d, NULL, e->tok, "%s", msg);
	for (int k = 0; k < 2; k++)
		diag_semantic(st->d, "unresolved type", e->tok, "unresolved type ");
}

int procev_target_defined(const struct elab_state *st, const struct expr *x)
{
	int ev = st->probe->pe_event;
	const char *n = x->str;
	if (x->comps.len)
		return 0;
	if (ev == PE_SYSCALL)
		return strcmp(n, "$syscall") == 0 || strcmp(n, "$$parms") == 0 || arg_number(n) > 0;
	if (ev == PE_SYSCALL_RETURN)
		return strcmp(n, "$syscall") == 0 || strcmp(n, "$return") == 0;
	return 0;
}

void procev_resolve_target(struct elab_state *st, struct expr *e)
{
	int ev = st->probe->pe_event;
	const char *name = e->str;
	if (ev != PE_SYSCALL && ev != PE_SYSCALL_RETURN) {
		refuse(st, e,
		       "only \"process(PATH_OR_PID).syscall\" and "
		       "\"process(PATH_OR_PID).syscall.return\" probes support target "
		       "symbols");
		return;
	}
	if (e->comps.len || e->addressof) {
		refuse(st, e,
		       "invalid target symbol for utrace probe, $syscall, $return, $argN "
		       "or $$parms expected");
		return;
	}
	if (strcmp(name, "$syscall") == 0) {
		*e = *record_long(st, "id", 8, e->tok);
		return;
	}
	if (ev == PE_SYSCALL_RETURN && strcmp(name, "$return") == 0) {
		*e = *record_long(st, "ret", 16, e->tok);
		return;
	}
	int n = arg_number(name);
	if ((n || strcmp(name, "$$parms") == 0) && ev != PE_SYSCALL) {
		refuse(st, e, "only \"process(PATH_OR_PID).syscall\" support $argN or $$parms.");
		return;
	}
	if (n < 0) {
		refuse(st, e, "invalid syscall argument number (1-6)");
		return;
	}
	if (n > 0) {
		*e = *record_long(st, "args", 16 + 8 * (n - 1), e->tok);
		return;
	}
	if (strcmp(name, "$$parms") == 0) {
		struct vec args = {0};
		for (int i = 0; i < 6; i++)
			vec_push_arena(st->a, &args, record_long(st, "args", 16 + 8 * i, e->tok));
		context_make_sprintf(st, e,
				     "$arg1=%#x $arg2=%#x $arg3=%#x $arg4=%#x $arg5=%#x $arg6=%#x",
				     &args);
		return;
	}
	refuse(st, e,
	       "invalid target symbol for utrace probe, $syscall, $return, $argN or "
	       "$$parms expected");
}
