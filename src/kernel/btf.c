/*
 * The kernel's types from its BTF (/sys/kernel/btf/vmlinux, through
 * libbpf): what @cast(p, "struct task_struct")->a->b names, member by
 * member, and the partial C declarations that let clang read it with CO-RE
 * relocations (libbpf moves each member to where the running kernel has
 * it, so no kernel headers are needed and the BPF object fits other
 * kernels).  A member inside an anonymous struct or union is declared on
 * its container directly: CO-RE finds it by name.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"

static struct btf *vmlinux;
static int vmlinux_err;

static struct btf *kernel_btf(void)
{
	if (!vmlinux && !vmlinux_err) {
		vmlinux = btf__load_vmlinux_btf();
		if (!vmlinux)
			vmlinux_err = errno ? errno : ENOENT;
	}
	return vmlinux;
}

struct btf *kbtf_vmlinux(void)
{
	return kernel_btf();
}

static const struct btf_type *type_of(struct btf *btf, int id, int *rid)
{
	int r = btf__resolve_type(btf, (uint32_t)id);
	if (r < 0)
		r = id;
	if (rid)
		*rid = r;
	return btf__type_by_id(btf, (uint32_t)r);
}

/* The C type of a member, as a declaration of NAME (heap). */
static char *c_decl(struct btf *btf, int id, const char *name, const char **complete)
{
	int rid;
	const struct btf_type *t = type_of(btf, id, &rid);
	char buf[512];
	*complete = NULL;
	if (!t || btf_is_void(t)) {
		snprintf(buf, sizeof(buf), "int64_t %s", name);
	} else if (btf_is_any_enum(t) && t->size == 4) {
		/* an enum member stays an enum: libbpf relocates a field only
		 * to a field of the same kind (socket_state, an anonymous enum,
		 * declared int32_t failed: "failed to resolve CO-RE relocation");
		 * the emitter defines the enum, with one constant; an anonymous
		 * one is named after its BTF id (libbpf compares no names) */
		const char *en = btf__name_by_offset(btf, t->name_off);
		if (en && *en)
			snprintf(buf, sizeof(buf), "enum %s %s", en, name);
		else
			snprintf(buf, sizeof(buf), "enum stp_enum_%d %s", rid, name);
	} else if (btf_is_int(t) || btf_is_any_enum(t)) {
		int size = (int)t->size;
		bool sign = btf_is_int(t) ? (btf_int_encoding(t) & BTF_INT_SIGNED) != 0 : true;
		if (size != 1 && size != 2 && size != 4 && size != 8)
			size = 8;
		snprintf(buf, sizeof(buf), "%sint%d_t %s", sign ? "" : "u", size * 8, name);
	} else if (btf_is_ptr(t)) {
		const struct btf_type *to = type_of(btf, (int)t->type, NULL);
		const char *tn = to ? btf__name_by_offset(btf, to->name_off) : "";
		if (to && btf_is_composite(to) && tn && *tn)
			snprintf(buf, sizeof(buf), "%s %s *%s",
				 btf_is_union(to) ? "union" : "struct", tn, name);
		else
			snprintf(buf, sizeof(buf), "void *%s", name);
	} else if (btf_is_array(t)) {
		const struct btf_array *arr = btf_array(t);
		char inner[300];
		snprintf(inner, sizeof(inner), "%s[%u]", name, arr->nelems);
		return c_decl(btf, (int)arr->type, inner, complete);
	} else if (btf_is_composite(t)) {
		const char *tn = btf__name_by_offset(btf, t->name_off);
		if (tn && *tn) {
			snprintf(buf, sizeof(buf), "%s %s %s", btf_is_union(t) ? "union" : "struct",
				 tn, name);
			*complete = tn;
		} else {
			/* an anonymous struct or union (kuid_t's): declared inline,
			 * whole; a named struct inside it only as its bytes */
			struct strbuf sb;
			sb_init(&sb);
			sb_printf(&sb, "%s { ", btf_is_union(t) ? "union" : "struct");
			const struct btf_member *m = btf_members(t);
			for (int i = 0; i < btf_vlen(t); i++, m++) {
				const char *mn = btf__name_by_offset(btf, m->name_off);
				const struct btf_type *mt = type_of(btf, (int)m->type, NULL);
				const char *inner_complete;
				char *d;
				if (mt && btf_is_composite(mt) &&
				    *btf__name_by_offset(btf, mt->name_off)) {
					char tmp[300];
					snprintf(tmp, sizeof(tmp), "char %s[%u]",
						 mn && *mn ? mn : "pad_", mt->size);
					d = xstrdup(tmp);
				} else {
					d = c_decl(btf, (int)m->type, mn ? mn : "",
						   &inner_complete);
				}
				sb_printf(&sb, "%s; ", d);
				free(d);
			}
			sb_printf(&sb, "} %s", name);
			char *r = xstrdup(sb_str(&sb));
			sb_fini(&sb);
			return r;
		}
	} else {
		snprintf(buf, sizeof(buf), "int64_t %s", name);
	}
	return xstrdup(buf);
}

/* Find member NAME of composite t, looking into anonymous members. */
static const struct btf_member *find_member(struct btf *btf, const struct btf_type *t,
					    const char *name)
{
	const struct btf_member *m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		if (mn && strcmp(mn, name) == 0)
			return m;
		if (!mn || !*mn) {
			const struct btf_type *inner = type_of(btf, (int)m->type, NULL);
			if (inner && btf_is_composite(inner)) {
				const struct btf_member *r = find_member(btf, inner, name);
				if (r)
					return r;
			}
		}
	}
	return NULL;
}

int kbtf_root(const char *type_name, const char **err)
{
	struct btf *btf = kernel_btf();
	if (!btf) {
		*err = "the kernel's BTF (/sys/kernel/btf/vmlinux) cannot be read";
		return -1;
	}
	const char *n = type_name;
	int kind = BTF_KIND_STRUCT;
	if (strncmp(n, "struct ", 7) == 0) {
		n += 7;
	} else if (strncmp(n, "union ", 6) == 0) {
		n += 6;
		kind = BTF_KIND_UNION;
	}
	while (*n == ' ')
		n++;
	int id = btf__find_by_name_kind(btf, n, kind);
	if (id < 0 && kind == BTF_KIND_STRUCT)
		id = btf__find_by_name_kind(btf, n, BTF_KIND_UNION);
	if (id < 0) {
		int td = btf__find_by_name_kind(btf, n, BTF_KIND_TYPEDEF);
		if (td > 0) {
			int rid;
			const struct btf_type *t = type_of(btf, td, &rid);
			if (t && btf_is_composite(t))
				id = rid;
		}
	}
	if (id < 0) {
		*err = "type not found in the kernel's BTF";
		return -1;
	}
	return id;
}

const char *kbtf_type_name(int id)
{
	struct btf *btf = kernel_btf();
	const struct btf_type *t = btf ? btf__type_by_id(btf, (uint32_t)id) : NULL;
	return t ? btf__name_by_offset(btf, t->name_off) : "";
}

bool kbtf_is_union(int id)
{
	struct btf *btf = kernel_btf();
	const struct btf_type *t = btf ? btf__type_by_id(btf, (uint32_t)id) : NULL;
	return t && btf_is_union(t);
}

int kbtf_step(int id, bool at_address, const char *member, long index, bool is_index,
	      struct kbtf_step *out, const char **err)
{
	struct btf *btf = kernel_btf();
	memset(out, 0, sizeof(*out));
	int rid;
	const struct btf_type *t = btf ? type_of(btf, id, &rid) : NULL;
	if (!t) {
		*err = "no such type";
		return -1;
	}
	if (at_address) {
		/* the first step: the value is the address of a t */
		out->deref = true;
	} else if (btf_is_ptr(t) && !is_index) {
		/* a->b where a is a pointer: the original follows it */
		t = type_of(btf, (int)t->type, &rid);
		out->deref = true;
	}
	if (is_index) {
		if (!btf_is_array(t)) {
			*err = btf_is_ptr(t) ? "indexing a pointer is not supported yet"
					     : "not an array";
			return -1;
		}
		const struct btf_array *arr = btf_array(t);
		out->index = index;
		out->is_index = true;
		type_of(btf, (int)arr->type, &out->id);
		return 0;
	}
	if (!btf_is_composite(t)) {
		*err = "not a struct or union";
		return -1;
	}
	const struct btf_member *m = find_member(btf, t, member);
	if (!m) {
		*err = "no such member";
		return -2;
	}
	if (btf_kflag(t) && BTF_MEMBER_BITFIELD_SIZE(m->offset)) {
		*err = "bit fields cannot be read yet";
		return -1;
	}
	out->owner = btf__name_by_offset(btf, t->name_off);
	out->owner_union = btf_is_union(t);
	out->member = member;
	out->decl = c_decl(btf, (int)m->type, member, &out->complete);
	out->id = (int)m->type;
	return 0;
}

int kbtf_value(int id, struct kbtf_value *out)
{
	struct btf *btf = kernel_btf();
	memset(out, 0, sizeof(*out));
	int rid;
	const struct btf_type *t = btf ? type_of(btf, id, &rid) : NULL;
	if (!t)
		return -1;
	if (btf_is_int(t) || btf_is_any_enum(t)) {
		out->kind = KBTF_LONG;
		out->size = (int)t->size;
		out->is_signed = btf_is_int(t) ? (btf_int_encoding(t) & BTF_INT_SIGNED) != 0 : true;
		if (out->size != 1 && out->size != 2 && out->size != 4 && out->size != 8)
			out->size = 8;
		return 0;
	}
	if (btf_is_ptr(t)) {
		out->kind = KBTF_LONG;
		out->size = 8;
		out->is_pointer = true;
		return 0;
	}
	if (btf_is_array(t)) {
		const struct btf_array *arr = btf_array(t);
		const struct btf_type *e = type_of(btf, (int)arr->type, NULL);
		if (e && btf_is_int(e) && e->size == 1) {
			out->kind = KBTF_STRING;
			out->size = (int)arr->nelems;
			return 0;
		}
	}
	out->kind = KBTF_AGGREGATE;
	out->size = (int)t->size;
	return 0;
}

char *kbtf_describe(int id)
{
	struct btf *btf = kernel_btf();
	const char *complete;
	char *d = btf ? c_decl(btf, id, "", &complete) : xstrdup("?");
	size_t n = strlen(d);
	while (n && d[n - 1] == ' ')
		d[--n] = 0;
	return d;
}

static void type_text(struct btf *btf, int id, struct strbuf *sb, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, (uint32_t)id);
	if (!t || id == 0 || depth > 16) {
		sb_puts(sb, "void");
		return;
	}
	const char *name = btf__name_by_offset(btf, t->name_off);
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		type_text(btf, (int)t->type, sb, depth + 1);
		sb_puts(sb, "*");
		return;
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
		sb_puts(sb, btf_is_const(t) ? "const " : btf_is_volatile(t) ? "volatile " : "");
		type_text(btf, (int)t->type, sb, depth + 1);
		return;
	case BTF_KIND_TYPE_TAG:
		type_text(btf, (int)t->type, sb, depth + 1);
		return;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FWD: {
		const char *tag = btf_is_union(t) || (btf_is_fwd(t) && btf_kflag(t)) ? "union"
				  : btf_is_any_enum(t)                               ? "enum"
										     : "struct";
		sb_printf(sb, "%s %s", tag, name && *name ? name : "{...}");
		return;
	}
	case BTF_KIND_ARRAY:
		type_text(btf, (int)btf_array(t)->type, sb, depth + 1);
		sb_printf(sb, "[%u]", btf_array(t)->nelems);
		return;
	case BTF_KIND_FUNC_PROTO:
		sb_puts(sb, "void (*)()");
		return;
	default: /* INT, FLOAT, TYPEDEF: by name, as DWARF names them */
		sb_puts(sb, name && *name ? name : "?");
	}
}

/* The names of t's members, anonymous ones' inside, ", " between. */
static void member_names(struct btf *btf, const struct btf_type *t, struct strbuf *sb, int depth)
{
	const struct btf_member *m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		if (mn && *mn) {
			sb_printf(sb, "%s%s", sb->len ? ", " : "", mn);
			continue;
		}
		const struct btf_type *inner = type_of(btf, (int)m->type, NULL);
		if (inner && btf_is_composite(inner) && depth < 8)
			member_names(btf, inner, sb, depth + 1);
	}
}

char *kbtf_member_names(int id)
{
	struct btf *btf = kernel_btf();
	const struct btf_type *t = btf ? type_of(btf, id, NULL) : NULL;
	struct strbuf sb;
	sb_init(&sb);
	if (t && btf_is_ptr(t))
		t = type_of(btf, (int)t->type, NULL);
	if (t && btf_is_composite(t))
		member_names(btf, t, &sb, 0);
	char *r = xstrdup(sb_str(&sb));
	sb_fini(&sb);
	return r;
}

int kbtf_pointee(int id)
{
	struct btf *btf = kernel_btf();
	const struct btf_type *t = btf ? type_of(btf, id, NULL) : NULL;
	if (!t || !btf_is_ptr(t))
		return -1;
	int rid;
	t = type_of(btf, (int)t->type, &rid);
	return t && btf_is_composite(t) ? rid : -1;
}

int kbtf_members(int id, struct kbtf_member *out, int max)
{
	struct btf *btf = kernel_btf();
	const struct btf_type *t = btf ? type_of(btf, id, NULL) : NULL;
	if (!t || !btf_is_composite(t))
		return -1;
	const struct btf_member *m = btf_members(t);
	int n = btf_vlen(t);
	for (int i = 0; i < n && i < max; i++, m++) {
		const struct btf_type *mt = type_of(btf, (int)m->type, &out[i].type_id);
		const char *mn = btf__name_by_offset(btf, m->name_off);
		out[i].name = mn && *mn ? mn : NULL;
		out[i].bitfield = btf_kflag(t) && BTF_MEMBER_BITFIELD_SIZE(m->offset);
		out[i].is_union = mt && btf_is_union(mt);
	}
	return n;
}

bool kbtf_is_char_pointer(int id)
{
	struct btf *btf = kernel_btf();
	const struct btf_type *t = btf ? type_of(btf, id, NULL) : NULL;
	if (!t || !btf_is_ptr(t))
		return false;
	t = type_of(btf, (int)t->type, NULL);
	return t && btf_is_int(t) && t->size == 1;
}

char *kbtf_type_text(int id)
{
	struct btf *btf = kernel_btf();
	if (!btf)
		return xstrdup("?");
	struct strbuf sb;
	sb_init(&sb);
	type_text(btf, id, &sb, 0);
	char *r = xstrdup(sb_str(&sb));
	sb_fini(&sb);
	return r;
}

int kbtf_func_params(const char *func, struct kbtf_param *out, int max, const char **err)
{
	struct btf *btf = kernel_btf();
	if (!btf) {
		*err = "the kernel's BTF (/sys/kernel/btf/vmlinux) cannot be read";
		return -1;
	}
	int id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	const struct btf_type *f = id > 0 ? btf__type_by_id(btf, (uint32_t)id) : NULL;
	const struct btf_type *proto = f ? btf__type_by_id(btf, f->type) : NULL;
	if (!proto || !btf_is_func_proto(proto)) {
		*err = "no such function in the kernel's BTF";
		return -1;
	}
	const struct btf_param *p = btf_params(proto);
	int n = btf_vlen(proto);
	for (int i = 0; i < n && i < max; i++) {
		out[i].name = btf__name_by_offset(btf, p[i].name_off);
		out[i].type_id = (int)p[i].type;
	}
	return n;
}

int kbtf_tracepoint_args(const char *event, struct kbtf_param *out)
{
	/* btf_trace_EVENT, the raw_tp prototype, has the types but no names;
	 * __traceiter_EVENT(void *__data, TP_PROTO...) is defined once per
	 * event (DEFINE_TRACE_FN) with the names of its TP_PROTO.
	 * __bpf_trace_* is per event class, so its names may be another
	 * event's. */
	char fn[256];
	struct kbtf_param all[KBTF_MAX_TP_ARGS + 1];
	const char *err;
	snprintf(fn, sizeof(fn), "__traceiter_%s", event);
	int n = kbtf_func_params(fn, all, KBTF_MAX_TP_ARGS + 1, &err);
	if (n < 1 || n > KBTF_MAX_TP_ARGS + 1)
		return 0;
	for (int i = 1; i < n; i++) {
		if (!all[i].name || !*all[i].name)
			return 0;
		out[i - 1] = all[i];
	}
	return n - 1;
}
