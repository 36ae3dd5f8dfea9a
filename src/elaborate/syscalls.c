/*
 * The system-call family, generated from the running kernel: for each
 * syscalls:sys_enter_NAME tracepoint, a tapset file (written here, in the
 * script language, parsed like the library's files) defines
 *
 *   probe syscall.NAME = nd_syscall.NAME = nd1_syscall.NAME =
 *         nd2_syscall.NAME = dw_syscall.NAME =
 *         kernel.trace("syscalls:sys_enter_NAME") { name = "NAME" ... argstr = ... }
 *
 * and the same for NAME.return on sys_exit_NAME (name, retval, retstr),
 * plus syscall_any(.return) on raw_syscalls and syscall_name(nr).  The
 * original's four backings (DWARF, kprobes, tracepoints) are one here, so
 * its five names are aliases of the same probe.
 *
 * What each probe's variables are, and how argstr shows them, comes from
 * two tables: `specs`, the original's variable names, order and format for
 * the calls it documents, and `decoders`, keyed by the original's variable
 * names, for the words argstr decodes (flags -> _sys_open_flag_str(flags)).
 * A call in neither (a new one) still gets a working probe: each
 * tracepoint field becomes a variable of its name (a pointer X as
 * X_uaddr), shown by its type.  The decoders themselves are script
 * functions (tapset/aux_syscalls.stp).
 *
 * The file is made once per session, the first time a probe point or a
 * function of the family is looked up, so other scripts never read the
 * ~700 tracepoint formats.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kernel/kernel.h"
#include "internal.h"

/* The words argstr decodes, keyed by the original's variable names:
 * shown = func(var) in the calls listed ("*": every call). */
static const struct sc_decoder {
	const char *var, *calls, *func, *shown;
} decoders[] = {
	{"dfd", "*", "_dfd_str", "dfd_str"},
	{"dirfd", "*", "_dfd_str", "dirfd_str"},
	{"olddfd", "*", "_dfd_str", "olddfd_str"},
	{"newdfd", "*", "_dfd_str", "newdfd_str"},
	{"flags", "open openat creat", "_sys_open_flag_str", "flags_str"},
	{"flags", "mmap2", "_mmap_flags", "flags_str"},
	{"flags", "fstatat newfstatat faccessat2 fchownat linkat utimensat statx", "_at_flag_str",
	 "flags_str"},
	{"flag", "unlinkat", "_at_flag_str", "flag_str"},
	{"prot", "*", "_mprotect_prot_str", "prot_str"},
	/* the original names it sig_name in these two, sig_str elsewhere */
	{"sig", "kill rt_sigqueueinfo", "_signal_name", "sig_name"},
	{"sig", "*", "_signal_name", "sig_str"},
	{"whence", "*", "_seek_whence_str", "whence_str"},
	{"mode", "access faccessat faccessat2", "_access_mode_str", "mode_str"},
	{"how", "rt_sigprocmask sigprocmask", "_sigprocmask_how_str", "how_str"},
	{"family", "*", "_sock_family_str", "family_str"},
	{"type", "socket socketpair", "_sock_type_str", "type_str"},
	{"op", "futex", "_futex_op_str", "op_str"},
	{"clone_flags", "clone", "__fork_flags", "clone_flags_str"},
};

/* The calls the original documents: its name for the call, its variables
 * in its order as "var[=field][:form]" (field: the tracepoint's, when it
 * names it otherwise), and the base of retstr (1 decimal, 2 hex).
 * Forms: d int, ld long, u unsigned, p address (%p), s user string (with
 * var_unquoted; S without), o octal, oc octal shown only with O_CREAT, v a user
 * array of strings (execve's argv: ["a", "b"]); none: a
 * decoder of the var, else by the field's type. */
static const struct sc_spec {
	const char *kname, *name, *vars;
	int ret_base;
} specs[] = {
	{"open", "open", "filename:s flags mode:oc", 1},
	{"openat", "openat", "dfd filename:s flags mode:oc", 1},
	{"creat", "creat", "pathname:s mode:o", 1},
	{"read", "read", "fd:d buf_uaddr=buf:p count:u", 1},
	{"write", "write", "fd:d buf_uaddr=buf:p count:u", 1},
	{"pread64", "pread", "fd:d buf_uaddr=buf:p count:u offset=pos:ld", 1},
	{"pwrite64", "pwrite", "fd:d buf_uaddr=buf:p count:u offset=pos:ld", 1},
	{"close", "close", "fd:d", 1},
	{"dup", "dup", "oldfd=fildes:d", 1},
	{"dup2", "dup2", "oldfd:d newfd:d", 1},
	{"lseek", "lseek", "fildes=fd:d offset:ld whence", 1},
	{"mmap", "mmap2", "start=addr:p length=len:u prot flags fd:d pgoffset=off:ld", 2},
	{"mprotect", "mprotect", "addr=start:p len:u prot", 1},
	{"munmap", "munmap", "start=addr:p length=len:u", 1},
	{"brk", "brk", "brk:p", 2},
	{"kill", "kill", "pid:d sig", 1},
	{"tkill", "tkill", "pid:d sig", 1},
	{"tgkill", "tgkill", "tgid:d pid:d sig", 1},
	{"execve", "execve", "filename:S args=argv:v env_str=envp:v", 1},
	{"exit", "exit", "status=error_code:d", 1},
	{"exit_group", "exit_group", "status=error_code:d", 1},
	{"access", "access", "pathname=filename:s mode", 1},
	{"faccessat", "faccessat", "dirfd=dfd pathname=filename:s mode", 1},
	{"chdir", "chdir", "path=filename:s", 1},
	{"mkdir", "mkdir", "pathname:s mode:o", 1},
	{"rmdir", "rmdir", "pathname:s", 1},
	{"unlink", "unlink", "pathname:s", 1},
	{"newstat", "stat", "filename_uaddr=filename:p filename=filename:s buf_uaddr=statbuf:p", 1},
	{"newlstat", "lstat", "filename_uaddr=filename:p filename=filename:s buf_uaddr=statbuf:p",
	 1},
	{"newfstat", "fstat", "filedes=fd:d buf_uaddr=statbuf:p", 1},
	{"newfstatat", "fstatat", "dirfd=dfd path=filename:s buf_uaddr=statbuf:p flags", 1},
	{"newuname", "uname", "name_uaddr=name:p", 1},
	{"sendfile64", "sendfile", "out_fd:d in_fd:d offset_uaddr=offset:p count:u", 1},
	{"nanosleep", "nanosleep", "req_uaddr=rqtp:p rem_uaddr=rmtp:p", 1},
	{"getdents", "getdents", "fd:d dirp_uaddr=dirent:p count:d", 1},
	{"getdents64", "getdents", "fd:d dirp_uaddr=dirent:p count:d", 1},
};

/* One call of the family, for the dispatch. */
struct sc_call {
	const char *kname, *name;
	int ret_base;
};

/* One variable of a call, as generated. */
struct sc_var {
	const char *var, *field;
	const struct tp_field *f;
	const char *form;
	const struct sc_decoder *dec;
};

static bool in_list(const char *list, const char *name)
{
	if (strcmp(list, "*") == 0)
		return true;
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		size_t k = strcspn(p, " ");
		if (k == n && strncmp(p, name, n) == 0)
			return true;
		p += k;
		p += strspn(p, " ");
	}
	return false;
}

static const struct sc_decoder *find_decoder(const char *var, const char *name)
{
	for (size_t i = 0; i < sizeof(decoders) / sizeof(decoders[0]); i++)
		if (strcmp(decoders[i].var, var) == 0 && in_list(decoders[i].calls, name))
			return &decoders[i];
	return NULL;
}

static const struct sc_spec *find_spec(const char *kname)
{
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		if (strcmp(specs[i].kname, kname) == 0)
			return &specs[i];
	return NULL;
}

static const struct tp_field *find_field(const struct tp_format *fmt, const char *name)
{
	vec_foreach(&fmt->fields, i) {
		const struct tp_field *f = fmt->fields.items[i];
		if (!f->common && strcmp(f->name, name) == 0)
			return f;
	}
	return NULL;
}

static bool is_user_string(const struct tp_field *f)
{
	return strcmp(f->type, "const char *") == 0 || strcmp(f->type, "char *") == 0;
}

/* The form a field shows in when no spec names one. */
static const char *default_form(const struct tp_field *f)
{
	if (f->kind == TPF_POINTER)
		return is_user_string(f) && strcmp(f->name, "buf") != 0 ? "s" : "p";
	return f->is_signed ? "ld" : "u";
}

/* The variables of a call: from its spec, or one per tracepoint field. */
static void call_vars(struct arena *a, const char *name, const struct sc_spec *spec,
		      const struct tp_format *fmt, struct vec *out)
{
	if (spec) {
		char *copy = arena_strdup(a, spec->vars);
		for (char *tok = strtok(copy, " "); tok; tok = strtok(NULL, " ")) {
			struct sc_var *v = arena_alloc(a, sizeof(*v));
			char *colon = strchr(tok, ':');
			if (colon)
				*colon = 0;
			v->form = colon ? colon + 1 : NULL;
			char *eq = strchr(tok, '=');
			if (eq)
				*eq = 0;
			v->var = tok;
			v->field = eq ? eq + 1 : tok;
			v->f = find_field(fmt, v->field);
			if (!v->f)
				continue; /* this kernel's call has no such argument */
			v->dec = v->form ? NULL : find_decoder(v->var, name);
			if (!v->form && !v->dec)
				v->form = default_form(v->f);
			vec_push_arena(a, out, v);
		}
		return;
	}
	vec_foreach(&fmt->fields, i) {
		const struct tp_field *f = fmt->fields.items[i];
		if (f->common || strcmp(f->name, "__syscall_nr") == 0)
			continue;
		struct sc_var *v = arena_alloc(a, sizeof(*v));
		v->f = f;
		v->field = f->name;
		v->form = default_form(f);
		v->var = strcmp(v->form, "p") == 0 ? arena_printf(a, "%s_uaddr", f->name) : f->name;
		v->dec = find_decoder(v->var, name);
		vec_push_arena(a, out, v);
	}
}

/* Every variable name the family's probes define, for the dispatch's
 * check (syscalls_dispatch): arena strings. */
static void note_var(struct elab_state *st, const char *name)
{
	vec_foreach(&st->sc_vars, i)
		if (strcmp(st->sc_vars.items[i], name) == 0)
			return;
	vec_push_arena(st->a, &st->sc_vars, arena_strdup(st->a, name));
}

/* The entry probe's body: the variables, then argstr. */
static void entry_body(struct elab_state *st, struct strbuf *sb, const char *name,
		       const struct vec *vars)
{
	struct strbuf fmt, args, tail, tail_args;
	sb_init(&fmt);
	sb_init(&args);
	sb_init(&tail);
	sb_init(&tail_args);
	sb_printf(sb, "\tname = \"%s\"\n", name);
	vec_foreach(vars, i) {
		const struct sc_var *v = vars->items[i];
		const char *sep = fmt.len ? ", " : "";
		note_var(st, v->var);
		note_var(st, arena_printf(st->a, "%s_unquoted", v->var));
		if (v->dec)
			note_var(st, v->dec->shown);
		const char *form = v->form ? v->form : "";
		bool narrow = !v->f->is_signed && strcmp(form, "d") == 0;
		if (strcmp(form, "v") == 0) {
			sb_printf(sb, "\t%s = __get_argv($%s, 0)\n", v->var, v->field);
		} else if (strcmp(form, "s") == 0 || strcmp(form, "S") == 0) {
			sb_printf(sb, "\t%s = user_string_quoted($%s)\n", v->var, v->field);
			if (form[0] == 's')
				sb_printf(sb, "\t%s_unquoted = user_string_nofault($%s)\n", v->var,
					  v->field);
		} else {
			sb_printf(sb, narrow ? "\t%s = __int32($%s)\n" : "\t%s = $%s\n", v->var,
				  v->field);
		}
		if (v->dec) {
			sb_printf(sb, "\t%s = %s(%s)\n", v->dec->shown, v->dec->func, v->var);
			sb_printf(&fmt, "%s%%s", sep);
			sb_printf(&args, ", %s", v->dec->shown);
		} else if (strcmp(form, "s") == 0 || strcmp(form, "S") == 0 ||
			   strcmp(form, "v") == 0) {
			sb_printf(&fmt, "%s%%s", sep);
			sb_printf(&args, ", %s", v->var);
		} else if (strcmp(form, "p") == 0) {
			/* %p: BPF's snprintf has none, and it prints as 0x%x does */
			sb_printf(&fmt, "%s0x%%x", sep);
			sb_printf(&args, ", %s", v->var);
		} else if (strcmp(form, "o") == 0) {
			sb_printf(&fmt, "%s%%s", sep);
			sb_printf(&args, ", __sc_octal(%s)", v->var);
		} else if (strcmp(form, "oc") == 0) {
			/* the mode matters (and shows) only when the call creates;
			 * two whole assignments, so that a handler that does not
			 * read argstr computes none of it */
			sb_printf(&tail, "%s, %%s", sb_str(&fmt));
			sb_printf(&tail_args, "%s, __sc_octal(%s)", sb_str(&args), v->var);
		} else if (strcmp(form, "u") == 0) {
			sb_printf(&fmt, "%s%%u", sep);
			sb_printf(&args, ", %s", v->var);
		} else {
			sb_printf(&fmt, "%s%%d", sep);
			sb_printf(&args, ", %s", v->var);
		}
	}
	if (tail.len)
		sb_printf(sb, "\tif (flags & 64)\n\t\targstr = sprintf(\"%s\"%s)\n\telse\n\t",
			  sb_str(&tail), sb_str(&tail_args));
	if (fmt.len)
		sb_printf(sb, "\targstr = sprintf(\"%s\"%s)\n", sb_str(&fmt), sb_str(&args));
	else
		sb_puts(sb, "\targstr = \"\"\n");
	sb_fini(&fmt);
	sb_fini(&args);
	sb_fini(&tail);
	sb_fini(&tail_args);
}

static const char *const families[] = {"syscall", "nd_syscall", "nd1_syscall", "nd2_syscall",
				       "dw_syscall"};
#define NFAMILIES (sizeof(families) / sizeof(families[0]))

static void alias_names(struct strbuf *sb, const char *name, const char *suffix)
{
	sb_puts(sb, "probe ");
	for (size_t k = 0; k < NFAMILIES; k++)
		sb_printf(sb, "%s.%s%s = ", families[k], name, suffix);
}

/* A number of the system call table. */
struct sc_number {
	long nr;
	const char *name;
};

/* syscall_name(nr): a binary search over the numbers of the system call
 * table (the kernel headers' list: tracefs does not give the numbers). */
static void name_tree(struct strbuf *sb, long *nrs, char **names, size_t lo, size_t hi, int depth)
{
	if (hi - lo <= 4) {
		for (size_t i = lo; i < hi; i++)
			sb_printf(sb, "%*sif (nr == %ld) return \"%s\"\n", depth + 1, "", nrs[i],
				  names[i]);
		sb_printf(sb, "%*sreturn \"\"\n", depth + 1, "");
		return;
	}
	size_t mid = (lo + hi) / 2;
	sb_printf(sb, "%*sif (nr < %ld) {\n", depth + 1, "", nrs[mid]);
	name_tree(sb, nrs, names, lo, mid, depth + 1);
	sb_printf(sb, "%*s}\n", depth + 1, "");
	name_tree(sb, nrs, names, mid, hi, depth);
}

static void syscall_name_function(struct elab_state *st, struct strbuf *sb)
{
	static const char *const headers[] = {"/usr/include/x86_64-linux-gnu/asm/unistd_64.h",
					      "/usr/include/asm/unistd_64.h",
					      "/usr/include/aarch64-linux-gnu/asm/unistd.h"};
	long nrs[1024];
	char *names[1024];
	size_t n = 0;
	for (size_t h = 0; h < sizeof(headers) / sizeof(headers[0]) && n == 0; h++) {
		FILE *fp = fopen(headers[h], "r");
		if (!fp)
			continue;
		char line[256], nm[128];
		long nr;
		while (fgets(line, sizeof(line), fp) && n < 1024)
			if (sscanf(line, "#define __NR_%127s %ld", nm, &nr) == 2 && nr >= 0)
				if (n == 0 || nr > nrs[n - 1]) {
					nrs[n] = nr;
					names[n++] = xstrdup(nm);
				}
		fclose(fp);
	}
	sb_puts(sb, "/**\n * sfunction syscall_name - The name of a system call by its number\n"
		    " * @nr: the number\n */\nfunction syscall_name:string (nr:long) {\n");
	if (n)
		name_tree(sb, nrs, names, 0, n, 0);
	else
		sb_puts(sb, " return \"\"\n");
	sb_puts(sb, "}\n\n");
	for (size_t i = 0; i < n; i++) {
		struct sc_number *num = arena_alloc(st->a, sizeof(*num));
		num->nr = nrs[i];
		num->name = arena_strdup(st->a, names[i]);
		vec_push_arena(st->a, &st->sc_numbers, num);
		free(names[i]);
	}
}

static char *steal(struct strbuf *sb)
{
	char *r = xstrdup(sb_str(sb));
	sb_fini(sb);
	return r;
}

/* The whole generated file. */
static char *generate(struct elab_state *st)
{
	struct strbuf sb;
	sb_init(&sb);
	sb_puts(&sb, "// The system-call family, generated from this kernel's syscall tracepoints\n"
		     "// (src/elaborate/syscalls.c).\n\n");
	syscall_name_function(st, &sb);
	sb_puts(&sb, "probe syscall_any = kernel.trace(\"raw_syscalls:sys_enter\")\n{\n"
		     "\tsyscall_nr = $id\n\tname = syscall_name($id)\n}\n\n"
		     "probe syscall_any.return = kernel.trace(\"raw_syscalls:sys_exit\")\n{\n"
		     "\tsyscall_nr = $id\n\tname = syscall_name($id)\n\tretval = $ret\n}\n\n");
	static const char *const common[] = {"name", "argstr", "retval", "retstr", "syscall_nr"};
	for (size_t k = 0; k < sizeof(common) / sizeof(common[0]); k++)
		note_var(st, common[k]);
	struct vec events = {0};
	if (tracefs_events(&events) < 0)
		return steal(&sb);
	vec_foreach(&events, i) {
		const char *ge = events.items[i];
		if (strncmp(ge, "syscalls:sys_enter_", 19) != 0)
			continue;
		const char *kname = ge + 19;
		struct tp_format fmt = {0};
		if (tracefs_format(st->a, "syscalls", ge + 9, &fmt) < 0)
			continue;
		const struct sc_spec *spec = find_spec(kname);
		const char *name = spec ? spec->name : kname;
		struct vec vars = {0};
		call_vars(st->a, name, spec, &fmt, &vars);
		alias_names(&sb, name, "");
		sb_printf(&sb, "kernel.trace(\"%s\")\n{\n", ge);
		entry_body(st, &sb, name, &vars);
		struct sc_call *call = arena_alloc(st->a, sizeof(*call));
		call->kname = arena_strdup(st->a, kname);
		call->name = arena_strdup(st->a, name);
		call->ret_base = spec ? spec->ret_base : 1;
		vec_push_arena(st->a, &st->sc_calls, call);
		sb_puts(&sb, "}\n");
		char exit_ev[256];
		snprintf(exit_ev, sizeof(exit_ev), "sys_exit_%s", kname);
		struct tp_format xfmt = {0};
		if (tracefs_format(st->a, "syscalls", exit_ev, &xfmt) == 0) {
			alias_names(&sb, name, ".return");
			sb_printf(&sb,
				  "kernel.trace(\"syscalls:%s\")\n{\n\tname = \"%s\"\n"
				  "\tretval = $ret\n\tretstr = return_str(%d, retval)\n}\n",
				  exit_ev, name, spec ? spec->ret_base : 1);
		}
	}
	vec_foreach(&events, i)
		free(events.items[i]);
	vec_fini(&events);
	return steal(&sb);
}

/* Whether a lookup may concern the family: an alias pattern whose first
 * component may be one of its names, or syscall_name(). */
static bool concerns_family(char kind, const char *name)
{
	if (kind == 'f')
		return strcmp(name, "syscall_name") == 0;
	if (kind != 'a')
		return false;
	size_t n = strcspn(name, ".");
	char first[128];
	if (n >= sizeof(first))
		return false;
	memcpy(first, name, n);
	first[n] = 0;
	for (size_t k = 0; k < NFAMILIES; k++)
		if (fnmatch(first, families[k], 0) == 0)
			return true;
	return fnmatch(first, "syscall_any", 0) == 0;
}

void syscalls_tapset_load(struct elab_state *st, char kind, const char *name)
{
	if (st->syscalls_loaded || !concerns_family(kind, name))
		return;
	st->syscalls_loaded = true;
	char *text = generate(st);
	struct source *src = arena_alloc(st->a, sizeof(*src));
	src->name = "<tapset syscalls (generated)>";
	src->text = arena_strdup(st->a, text);
	src->len = strlen(text);
	src->library = true;
	free(text);
	struct parse_opts opts = *st->popts;
	opts.privileged = true;
	opts.argc = 0;
	opts.argv = NULL;
	struct program *prog = parse_script(st->a, src, &opts, st->d);
	if (!prog)
		return;
	struct tapset_file *f = arena_alloc(st->a, sizeof(*f));
	f->src = src;
	f->prog = prog;
	vec_push_arena(st->a, &st->files, f);
}

/* ---- the dispatch: one raw_syscalls program for a wildcard ---- */

/* Whether e reads only what a dispatched probe has: no family variable
 * but those allowed, no context variable, not the probe point. */
static bool expr_dispatchable(const struct elab_state *st, const struct expr *e, bool ret);

static bool is_family_var(const struct elab_state *st, const char *name, bool ret)
{
	if (strcmp(name, "name") == 0 ||
	    (ret && (strcmp(name, "retval") == 0 || strcmp(name, "retstr") == 0)))
		return false;
	vec_foreach(&st->sc_vars, i)
		if (strcmp(st->sc_vars.items[i], name) == 0)
			return true;
	return false;
}

static bool stmt_dispatchable(const struct elab_state *st, const struct stmt *s, bool ret)
{
	if (!s)
		return true;
	vec_foreach(&s->stmts, i)
		if (!stmt_dispatchable(st, s->stmts.items[i], ret))
			return false;
	vec_foreach(&s->keys, i)
		if (!expr_dispatchable(st, s->keys.items[i], ret))
			return false;
	return expr_dispatchable(st, s->expr, ret) && expr_dispatchable(st, s->init, ret) &&
	       expr_dispatchable(st, s->step, ret) && expr_dispatchable(st, s->value, ret) &&
	       expr_dispatchable(st, s->array, ret) && expr_dispatchable(st, s->limit, ret) &&
	       stmt_dispatchable(st, s->body, ret) && stmt_dispatchable(st, s->other, ret);
}

static bool expr_dispatchable(const struct elab_state *st, const struct expr *e, bool ret)
{
	if (!e)
		return true;
	switch (e->kind) {
	case EXPR_TARGET:
	case EXPR_DEFINED:
	case EXPR_ENTRY:
	case EXPR_ATVAR:
	case EXPR_AUTOCAST:
	case EXPR_CONTEXT:
		return false;
	case EXPR_SYMBOL:
		if (is_family_var(st, e->str, ret))
			return false;
		break;
	case EXPR_CALL:
		/* what names the probe point differs from one call to another */
		if (strcmp(e->str, "pp") == 0 || strcmp(e->str, "ppfunc") == 0 ||
		    strcmp(e->str, "probefunc") == 0)
			return false;
		break;
	default:
		break;
	}
	vec_foreach(&e->list, i)
		if (!expr_dispatchable(st, e->list.items[i], ret))
			return false;
	vec_foreach(&e->comps, i) {
		const struct component *c = e->comps.items[i];
		if (!expr_dispatchable(st, c->index, ret))
			return false;
	}
	return expr_dispatchable(st, e->a, ret) && expr_dispatchable(st, e->b, ret) &&
	       expr_dispatchable(st, e->c, ret);
}

/* The number of a tracepoint's call: its name in the table, or the name
 * the table gives it (newstat is stat, sendfile64 sendfile). */
static long call_number(const struct elab_state *st, const char *kname)
{
	char alt[2][128];
	snprintf(alt[0], sizeof(alt[0]), "%s", strncmp(kname, "new", 3) == 0 ? kname + 3 : kname);
	snprintf(alt[1], sizeof(alt[1]), "%s", kname);
	size_t n = strlen(alt[1]);
	if (n > 2 && strcmp(alt[1] + n - 2, "64") == 0)
		alt[1][n - 2] = 0;
	const char *tries[3] = {kname, alt[0], alt[1]};
	for (int t = 0; t < 3; t++)
		vec_foreach(&st->sc_numbers, i) {
			const struct sc_number *num = st->sc_numbers.items[i];
			if (strcmp(num->name, tries[t]) == 0)
				return num->nr;
		}
	return -1;
}

/* "syscall.open*.return", for the generated file's comment */
static const char *alias_text_of(struct elab_state *st, const struct probe_point *pt)
{
	struct strbuf sb;
	sb_init(&sb);
	vec_foreach(&pt->comps, i) {
		const struct pp_comp *c = pt->comps.items[i];
		sb_printf(&sb, "%s%s", i ? "." : "", c->name);
	}
	const char *r = arena_strdup(st->a, sb_str(&sb));
	sb_fini(&sb);
	return r;
}

static int cmp_number(const void *a, const void *b)
{
	const struct sc_number *x = *(const struct sc_number *const *)a;
	const struct sc_number *y = *(const struct sc_number *const *)b;
	return (x->nr > y->nr) - (x->nr < y->nr);
}

/* A dispatch is worth it from this many calls on (below, a program per
 * call costs little to load: bench/syscalls.sh). */
#define DISPATCH_MIN_CALLS 8

const char *syscalls_dispatch(struct elab_state *st, const struct probe_point *pt,
			      const struct stmt *body, const struct expr *cond, struct vec *extra)
{
	if (st->s->list_probes || pt->comps.len < 2 || pt->comps.len > 3)
		return NULL;
	const struct pp_comp *c0 = pt->comps.items[0], *c1 = pt->comps.items[1];
	bool family = false;
	for (size_t k = 0; k < NFAMILIES; k++)
		family |= strcmp(c0->name, families[k]) == 0;
	if (!family || c0->arg || c1->arg || !strchr(c1->name, '*'))
		return NULL;
	bool ret = pt->comps.len == 3;
	if (ret) {
		const struct pp_comp *c2 = pt->comps.items[2];
		if (strcmp(c2->name, "return") != 0 || c2->arg)
			return NULL;
	}
	syscalls_tapset_load(st, 'a', c0->name);
	if (!stmt_dispatchable(st, body, ret) || !expr_dispatchable(st, cond, ret) ||
	    !expr_dispatchable(st, pt->cond, ret))
		return NULL;
	/* the calls the wildcard matches, by number; each once (getdents and
	 * getdents64 are both "getdents") */
	struct vec matched = {0};
	vec_foreach(&st->sc_calls, i) {
		const struct sc_call *call = st->sc_calls.items[i];
		if (fnmatch(c1->name, call->name, 0) != 0)
			continue;
		long nr = call_number(st, call->kname);
		if (nr < 0) {
			/* a call the table does not number: a probe of its own */
			vec_push_arena(st->a, extra, (void *)call->name);
			continue;
		}
		struct sc_number *num = arena_alloc(st->a, sizeof(*num));
		num->nr = nr;
		num->name = call->name;
		vec_push(&matched, num);
	}
	if (matched.len < DISPATCH_MIN_CALLS) {
		vec_fini(&matched);
		*extra = (struct vec){0};
		return NULL;
	}
	qsort(matched.items, matched.len, sizeof(void *), cmp_number);
	int k = ++st->sc_dispatches;
	struct strbuf sb;
	sb_init(&sb);
	sb_printf(&sb,
		  "// the calls %s matches, by number\n"
		  "function __syscall_dispatch_%d_name:string (nr:long) {\n",
		  alias_text_of(st, pt), k);
	long nrs[1024];
	char *names[1024];
	size_t n = 0;
	vec_foreach(&matched, i) {
		const struct sc_number *num = matched.items[i];
		if (n < 1024 && (n == 0 || num->nr != nrs[n - 1])) {
			nrs[n] = num->nr;
			names[n++] = (char *)num->name;
		}
	}
	name_tree(&sb, nrs, names, 0, n, 0);
	sb_puts(&sb, "}\n\n");
	sb_printf(&sb,
		  "probe __syscall_dispatch_%d = kernel.trace(\"raw_syscalls:sys_%s\")\n{\n"
		  "\tname = __syscall_dispatch_%d_name($id)\n\tif (name == \"\")\n\t\tnext\n",
		  k, ret ? "exit" : "enter", k);
	if (ret) {
		sb_puts(&sb, "\tretval = $ret\n\tretstr = return_str(");
		int hex = 0;
		vec_foreach(&st->sc_calls, i) {
			const struct sc_call *call = st->sc_calls.items[i];
			if (call->ret_base == 2 && fnmatch(c1->name, call->name, 0) == 0)
				sb_printf(&sb, "%sname == \"%s\"", hex++ ? " || " : "", call->name);
		}
		sb_printf(&sb, "%s ? 2 : 1, retval)\n", hex ? "" : "0");
	}
	sb_puts(&sb, "}\n");
	vec_fini(&matched);
	struct source *src = arena_alloc(st->a, sizeof(*src));
	src->name = arena_printf(st->a, "<tapset syscall dispatch %d (generated)>", k);
	src->text = arena_strdup(st->a, sb_str(&sb));
	src->len = strlen(src->text);
	src->library = true;
	sb_fini(&sb);
	struct parse_opts opts = *st->popts;
	opts.privileged = true;
	opts.argc = 0;
	opts.argv = NULL;
	struct program *prog = parse_script(st->a, src, &opts, st->d);
	if (!prog)
		return NULL;
	struct tapset_file *f = arena_alloc(st->a, sizeof(*f));
	f->src = src;
	f->prog = prog;
	vec_push_arena(st->a, &st->files, f);
	tapset_pull(st, f);
	return arena_printf(st->a, "__syscall_dispatch_%d", k);
}
