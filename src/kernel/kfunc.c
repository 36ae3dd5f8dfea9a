/*
 * The kernel's functions, from its BTF: each BTF_KIND_FUNC of vmlinux (or
 * of a module's split BTF, /sys/kernel/btf/MOD) with its FUNC_PROTO gives
 * the name, the parameters' names and types and the return type, which is
 * what kernel.function probes need for $param, $return and -L, without
 * debuginfo.  A function is listed only when the kernel can trace it:
 * tracefs' available_filter_functions (the functions fentry and ftrace can
 * reach), when that file is readable.  The exported set (.exported) comes
 * from /proc/kallsyms' __ksymtab_NAME entries, the kernel's own table of
 * exported symbols.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A sorted list of names read from a file, one per line (the first word,
 * or the part after a prefix); loaded once. */
struct name_set {
	bool loaded, present;
	struct vec names;
};

static void set_load(struct name_set *s, const char *path, const char *prefix, int field)
{
	if (s->loaded)
		return;
	s->loaded = true;
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char line[512];
	size_t plen = prefix ? strlen(prefix) : 0;
	while (fgets(line, sizeof(line), f)) {
		char *w = line, *save = NULL;
		char *tok = strtok_r(w, " \t\n", &save);
		for (int i = 0; i < field && tok; i++)
			tok = strtok_r(NULL, " \t\n", &save);
		if (!tok)
			continue;
		if (prefix) {
			if (strncmp(tok, prefix, plen) != 0)
				continue;
			tok += plen;
		}
		vec_push(&s->names, xstrdup(tok));
	}
	fclose(f);
	s->present = s->names.len > 0;
	if (s->names.len > 1)
		qsort(s->names.items, s->names.len, sizeof(void *), cmp_str);
}

static bool set_has(const struct name_set *s, const char *name)
{
	return bsearch(&name, s->names.items, s->names.len, sizeof(void *), cmp_str) != NULL;
}

static struct name_set traceable, exported;

static const struct name_set *traceable_set(void)
{
	if (!traceable.loaded) {
		const char *dir = tracefs_dir();
		char path[512];
		snprintf(path, sizeof(path), "%s/available_filter_functions",
			 dir ? dir : "/sys/kernel/tracing");
		set_load(&traceable, path, NULL, 0);
	}
	return &traceable;
}

int kfunc_exported_available(void)
{
	set_load(&exported, "/proc/kallsyms", "__ksymtab_", 2);
	return exported.present ? 0 : -ENOENT;
}

/* The module's split BTF, loaded once per name. */
static struct btf *module_btf(const char *module)
{
	static struct vec names, btfs;
	vec_foreach(&names, i)
		if (strcmp(names.items[i], module) == 0)
			return btfs.items[i];
	struct btf *base = kbtf_vmlinux();
	if (!base)
		return NULL;
	char path[512];
	snprintf(path, sizeof(path), "/sys/kernel/btf/%s", module);
	struct btf *b = btf__parse_split(path, base);
	if (!b)
		return NULL;
	vec_push(&names, xstrdup(module));
	vec_push(&btfs, b);
	return b;
}

/* The type as the original's -L writes it: "struct file*", "char const*",
 * "size_t" (heap). */
static void type_text(struct btf *btf, uint32_t id, struct strbuf *sb, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	if (!t || id == 0 || depth > 16) {
		sb_puts(sb, "void");
		return;
	}
	const char *name = btf__name_by_offset(btf, t->name_off);
	switch (btf_kind(t)) {
	case BTF_KIND_PTR: {
		const struct btf_type *to = btf__type_by_id(btf, t->type);
		if (to && btf_is_func_proto(to))
			sb_puts(sb, "void");
		else
			type_text(btf, t->type, sb, depth + 1);
		sb_putc(sb, '*');
		return;
	}
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
		type_text(btf, t->type, sb, depth + 1);
		sb_puts(sb, btf_kind(t) == BTF_KIND_CONST ? " const" : " volatile");
		return;
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_RESTRICT:
		type_text(btf, t->type, sb, depth + 1);
		return;
	case BTF_KIND_STRUCT:
		sb_printf(sb, "struct %s", name && *name ? name : "{...}");
		return;
	case BTF_KIND_UNION:
		sb_printf(sb, "union %s", name && *name ? name : "{...}");
		return;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		sb_printf(sb, "enum %s", name && *name ? name : "{...}");
		return;
	case BTF_KIND_ARRAY:
		type_text(btf, btf_array(t)->type, sb, depth + 1);
		sb_printf(sb, "[%u]", btf_array(t)->nelems);
		return;
	default:
		sb_puts(sb, name && *name ? name : "void");
	}
}

/* Whether a function's type can be read as a scalar in a register. */
static bool scalar_type(struct btf *btf, uint32_t id, int *size, bool *is_signed, bool *pointer)
{
	int rid = btf__resolve_type(btf, id);
	const struct btf_type *t = rid >= 0 ? btf__type_by_id(btf, (uint32_t)rid) : NULL;
	*pointer = false;
	*is_signed = false;
	if (!t)
		return false;
	if (btf_is_int(t)) {
		*size = (int)t->size;
		*is_signed = (btf_int_encoding(t) & BTF_INT_SIGNED) != 0;
		if (btf_int_encoding(t) & BTF_INT_BOOL)
			*is_signed = false;
		return t->size <= 8;
	}
	if (btf_is_any_enum(t)) {
		*size = (int)t->size;
		*is_signed = true;
		return t->size <= 8;
	}
	if (btf_is_ptr(t)) {
		*size = 8;
		*pointer = true;
		return true;
	}
	return false;
}

/* For p->member: the name of the struct or union a pointer parameter
 * points to, as @cast takes it ("struct file"); NULL otherwise. */
static const char *pointee_name(struct arena *a, struct btf *btf, uint32_t id)
{
	int rid = btf__resolve_type(btf, id);
	const struct btf_type *t = rid >= 0 ? btf__type_by_id(btf, (uint32_t)rid) : NULL;
	if (!t || !btf_is_ptr(t))
		return NULL;
	uint32_t to = t->type;
	/* past const and volatile, keeping a typedef's name */
	for (int i = 0; i < 8; i++) {
		const struct btf_type *x = btf__type_by_id(btf, to);
		if (!x)
			return NULL;
		if (btf_is_const(x) || btf_is_volatile(x) || btf_kind(x) == BTF_KIND_TYPE_TAG ||
		    btf_is_restrict(x)) {
			to = x->type;
			continue;
		}
		const char *n = btf__name_by_offset(btf, x->name_off);
		if (btf_is_typedef(x)) {
			int r = btf__resolve_type(btf, to);
			const struct btf_type *y =
				r >= 0 ? btf__type_by_id(btf, (uint32_t)r) : NULL;
			return y && btf_is_composite(y) && n && *n ? arena_strdup(a, n) : NULL;
		}
		if (btf_is_composite(x) && n && *n)
			return arena_printf(a, "%s %s", btf_is_union(x) ? "union" : "struct", n);
		return NULL;
	}
	return NULL;
}

/* Whether a char pointer: $p$ prints it as a string. */
static bool is_char_pointer(struct btf *btf, uint32_t id)
{
	int rid = btf__resolve_type(btf, id);
	const struct btf_type *t = rid >= 0 ? btf__type_by_id(btf, (uint32_t)rid) : NULL;
	if (!t || !btf_is_ptr(t))
		return false;
	int to = btf__resolve_type(btf, t->type);
	const struct btf_type *x = to >= 0 ? btf__type_by_id(btf, (uint32_t)to) : NULL;
	return x && btf_is_int(x) && x->size == 1;
}

static void fill_value(struct arena *a, struct btf *btf, uint32_t id, struct kfunc_value *v)
{
	struct strbuf sb;
	sb_init(&sb);
	type_text(btf, id, &sb, 0);
	v->type = arena_strdup(a, sb_str(&sb));
	sb_fini(&sb);
	v->scalar = scalar_type(btf, id, &v->size, &v->is_signed, &v->is_pointer);
	v->pointee = pointee_name(a, btf, id);
	v->char_pointer = is_char_pointer(btf, id);
}

static int cmp_kfunc(const void *a, const void *b)
{
	const struct kfunc *x = *(const struct kfunc *const *)a;
	const struct kfunc *y = *(const struct kfunc *const *)b;
	return strcmp(x->name, y->name);
}

int kfunc_list(struct arena *a, const char *module, const char *pattern, bool exported_only,
	       struct vec *out, struct vec *all_names, const char **err)
{
	struct btf *btf = module ? module_btf(module) : kbtf_vmlinux();
	if (!btf) {
		*err = module ? "the module has no BTF (/sys/kernel/btf/MODULE): is it loaded?"
			      : "the kernel's BTF (/sys/kernel/btf/vmlinux) cannot be read";
		return -1;
	}
	const struct name_set *tr = traceable_set();
	if (exported_only)
		kfunc_exported_available();
	uint32_t start = module ? btf__type_cnt(kbtf_vmlinux()) : 1;
	uint32_t n = btf__type_cnt(btf);
	size_t first = out->len;
	for (uint32_t id = start; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!t || !btf_is_func(t))
			continue;
		const char *name = btf__name_by_offset(btf, t->name_off);
		if (!name || !*name)
			continue;
		if (tr->present && !set_has(tr, name))
			continue;
		if (all_names)
			vec_push_arena(a, all_names, (void *)name);
		if (fnmatch(pattern, name, 0) != 0)
			continue;
		if (exported_only && !set_has(&exported, name))
			continue;
		const struct btf_type *proto = btf__type_by_id(btf, t->type);
		if (!proto || !btf_is_func_proto(proto))
			continue;
		struct kfunc *f = arena_alloc(a, sizeof(*f));
		f->name = arena_strdup(a, name);
		f->module = module ? arena_strdup(a, module) : NULL;
		f->nparams = btf_vlen(proto);
		f->params = arena_alloc(a, sizeof(*f->params) * (size_t)(f->nparams + 1));
		const struct btf_param *prm = btf_params(proto);
		for (int i = 0; i < f->nparams; i++) {
			const char *pn = btf__name_by_offset(btf, prm[i].name_off);
			if (prm[i].type == 0 && (!pn || !*pn)) {
				f->varargs = true; /* "..." */
				f->nparams = i;
				break;
			}
			f->params[i].name = arena_strdup(a, pn && *pn ? pn : "");
			fill_value(a, btf, prm[i].type, &f->params[i].value);
		}
		f->returns = proto->type != 0;
		if (f->returns)
			fill_value(a, btf, proto->type, &f->ret);
		vec_push_arena(a, out, f);
	}
	if (out->len - first > 1)
		qsort(out->items + first, out->len - first, sizeof(void *), cmp_kfunc);
	return 0;
}

int kfunc_modules(struct vec *out)
{
	FILE *f = fopen("/proc/modules", "r");
	if (!f)
		return -errno;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' ');
		if (sp)
			*sp = 0;
		vec_push(out, xstrdup(line));
	}
	fclose(f);
	if (out->len > 1)
		qsort(out->items, out->len, sizeof(void *), cmp_str);
	return 0;
}

bool kfunc_probeable(const char *name, const char *module)
{
	const struct name_set *tr = traceable_set();
	if (tr->present && !set_has(tr, name))
		return false;
	struct btf *btf = module ? module_btf(module) : kbtf_vmlinux();
	return btf && btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
}

/* Whether this kernel attaches fentry programs: a trivial one is loaded
 * on func (or vfs_read) and attached, once.  Kernels without BPF
 * trampolines refuse it (loading or attaching); then kprobes serve. */
bool kfunc_fentry_works(const char *func)
{
	static int known = -1;
	if (known >= 0)
		return known;
	known = 0;
	struct btf *btf = kbtf_vmlinux();
	int id = btf && func ? btf__find_by_name_kind(btf, func, BTF_KIND_FUNC) : -1;
	if (id < 0 && btf)
		id = btf__find_by_name_kind(btf, "vfs_read", BTF_KIND_FUNC);
	if (id < 0)
		return false;
	struct bpf_insn insns[2] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = (uint32_t)id);
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "stp_fentry", "GPL", insns, 2, &o);
	if (fd < 0)
		return false;
	int lfd = bpf_raw_tracepoint_open(NULL, fd);
	known = lfd >= 0;
	if (lfd >= 0)
		close(lfd);
	close(fd);
	return known;
}

bool kfunc_kprobes_work(void)
{
	return access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0;
}
