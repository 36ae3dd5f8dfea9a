/*
 * The DWARF context of user-space probes: $param, $local and $return of
 * process(...).function(...) probes, with member chains ($p->m, $s.m),
 * indices ($a[2]), $$parms, $$locals, $$vars, $$return, and what -L lists.
 *
 * The program's DWARF is read with elfutils libdw at the probe's pc: the
 * scopes that contain it (dwarf_getscopes: the function, or the inlined
 * instance, and its blocks), the variables they declare, each variable's
 * location there (a location list entry or an expression) and its type.
 * The location is turned into C over the probe's registers (x86-64's
 * pt_regs, the uprobe's context): DW_OP_reg* is a register's value,
 * DW_OP_breg* and DW_OP_fbreg (the frame base, often the CFA from the call
 * frame information) an address, DW_OP_addr an address in the file moved by
 * where it is loaded.  The member chain adds offsets and reads pointers;
 * emit_bpf.c writes the reads (struct uloc_op) with their fault checks.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../internal.h"

/* ---- the file ---- */

struct udw {
	int fd;
	Elf *elf;
	Dwarf *dw;
	Dwarf_CFI *cfi;
	bool cfi_own;      /* from dwarf_getcfi_elf: ours to end (dwarf_getcfi's is the Dwarf's) */
	Dwarf_Die *scopes; /* at the pc, innermost first */
	int nscopes;
	int func; /* the index of the function or inlined instance in scopes */
};

static void udw_close(struct udw *u)
{
	free(u->scopes);
	if (u->cfi && u->cfi_own)
		dwarf_cfi_end(u->cfi);
	if (u->dw)
		dwarf_end(u->dw);
	if (u->elf)
		elf_end(u->elf);
	if (u->fd >= 0)
		close(u->fd);
}

/* Open path's DWARF and find the scopes at pc: 0, -ENOENT when the file
 * has no DWARF, -ESRCH when none describes pc. */
static int udw_open(const char *path, uint64_t pc, struct udw *u)
{
	memset(u, 0, sizeof(*u));
	u->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (u->fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	u->elf = elf_begin(u->fd, ELF_C_READ_MMAP, NULL);
	if (!u->elf)
		return -ENOEXEC;
	u->dw = dwarf_begin_elf(u->elf, DWARF_C_READ, NULL);
	if (!u->dw)
		return -ENOENT;
	u->cfi = dwarf_getcfi_elf(u->elf);
	u->cfi_own = u->cfi != NULL;
	if (!u->cfi)
		u->cfi = dwarf_getcfi(u->dw);
	Dwarf_Die cu;
	if (!dwarf_addrdie(u->dw, pc, &cu))
		return -ESRCH;
	u->nscopes = dwarf_getscopes(&cu, pc, &u->scopes);
	u->func = -1;
	for (int i = 0; i < u->nscopes; i++) {
		int tag = dwarf_tag(&u->scopes[i]);
		if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) {
			u->func = i;
			break;
		}
	}
	return u->func < 0 ? -ESRCH : 0;
}

static int open_file(const char *path, struct udw *u);
static char *dupn(const char *s, size_t n);

/* ---- types ---- */

static bool die_type(Dwarf_Die *die, Dwarf_Die *type)
{
	Dwarf_Attribute attr;
	return dwarf_attr_integrate(die, DW_AT_type, &attr) && dwarf_formref_die(&attr, type);
}

/* The type as the original's -L names it: "long int", "char const*",
 * "struct up_point*", "long int[]". */
static void type_name(Dwarf_Die *type, struct strbuf *sb)
{
	Dwarf_Die next;
	const char *name = dwarf_diename(type);
	switch (dwarf_tag(type)) {
	case DW_TAG_pointer_type:
		if (die_type(type, &next))
			type_name(&next, sb);
		else
			sb_puts(sb, "void");
		sb_puts(sb, "*");
		return;
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
		if (die_type(type, &next))
			type_name(&next, sb);
		else
			sb_puts(sb, "void");
		sb_puts(sb, dwarf_tag(type) == DW_TAG_const_type ? " const" : " volatile");
		return;
	case DW_TAG_array_type:
		if (die_type(type, &next))
			type_name(&next, sb);
		sb_puts(sb, "[]");
		return;
	case DW_TAG_structure_type:
		sb_printf(sb, "struct %s", name ? name : "{...}");
		return;
	case DW_TAG_union_type:
		sb_printf(sb, "union %s", name ? name : "{...}");
		return;
	case DW_TAG_enumeration_type:
		sb_printf(sb, "enum %s", name ? name : "{...}");
		return;
	default:
		sb_puts(sb, name ? name : "void");
	}
}

/* The type without its typedefs and qualifiers. */
static bool peel(Dwarf_Die *type, Dwarf_Die *out)
{
	*out = *type;
	for (int i = 0; i < 64; i++) {
		int tag = dwarf_tag(out);
		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type &&
		    tag != DW_TAG_volatile_type && tag != DW_TAG_restrict_type &&
		    tag != DW_TAG_atomic_type)
			return true;
		if (!die_type(out, out))
			return false; /* const void */
	}
	return false;
}

static bool is_integer(Dwarf_Die *t, int *size, bool *is_signed)
{
	int tag = dwarf_tag(t);
	Dwarf_Word sz;
	if (tag == DW_TAG_pointer_type) {
		*size = 8;
		*is_signed = false;
		return true;
	}
	if (tag != DW_TAG_base_type && tag != DW_TAG_enumeration_type)
		return false;
	Dwarf_Attribute attr;
	if (dwarf_formudata(dwarf_attr_integrate(t, DW_AT_byte_size, &attr), &sz) != 0 || sz == 0 ||
	    sz > 8)
		return false;
	*size = (int)sz;
	Dwarf_Word enc = DW_ATE_signed;
	if (tag == DW_TAG_base_type)
		dwarf_formudata(dwarf_attr_integrate(t, DW_AT_encoding, &attr), &enc);
	else {
		Dwarf_Die under;
		if (die_type(t, &under) &&
		    dwarf_formudata(dwarf_attr_integrate(&under, DW_AT_encoding, &attr), &enc) != 0)
			enc = DW_ATE_unsigned;
	}
	*is_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
	return enc != DW_ATE_float;
}

static int64_t type_size(Dwarf_Die *t)
{
	Dwarf_Die p;
	if (!peel(t, &p))
		return 0;
	if (dwarf_tag(&p) == DW_TAG_pointer_type)
		return 8;
	if (dwarf_tag(&p) == DW_TAG_array_type) {
		Dwarf_Die elem, sub;
		if (!die_type(&p, &elem) || dwarf_child(&p, &sub) != 0)
			return 0;
		Dwarf_Word n = 0;
		Dwarf_Attribute attr;
		if (dwarf_formudata(dwarf_attr(&sub, DW_AT_count, &attr), &n) != 0) {
			Dwarf_Word ub;
			if (dwarf_formudata(dwarf_attr(&sub, DW_AT_upper_bound, &attr), &ub) != 0)
				return 0;
			n = ub + 1;
		}
		return (int64_t)n * type_size(&elem);
	}
	int s = dwarf_bytesize(&p);
	return s > 0 ? s : 0;
}

/* The member `name` of struct or union t (anonymous ones searched): its
 * offset added to *off and its DIE in *m. */
static bool find_member(Dwarf_Die *t, const char *name, Dwarf_Die *m, int64_t *off)
{
	Dwarf_Die child;
	if (dwarf_child(t, &child) != 0)
		return false;
	do {
		if (dwarf_tag(&child) != DW_TAG_member)
			continue;
		Dwarf_Word moff = 0;
		Dwarf_Attribute attr;
		dwarf_formudata(dwarf_attr(&child, DW_AT_data_member_location, &attr), &moff);
		const char *n = dwarf_diename(&child);
		if (n && strcmp(n, name) == 0) {
			*m = child;
			*off += (int64_t)moff;
			return true;
		}
		Dwarf_Die mt, mp;
		if (!n && die_type(&child, &mt) && peel(&mt, &mp) &&
		    (dwarf_tag(&mp) == DW_TAG_structure_type ||
		     dwarf_tag(&mp) == DW_TAG_union_type)) {
			int64_t inner = *off + (int64_t)moff;
			if (find_member(&mp, name, m, &inner)) {
				*off = inner;
				return true;
			}
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

static void member_names(Dwarf_Die *t, struct strbuf *sb)
{
	Dwarf_Die child;
	if (dwarf_child(t, &child) != 0)
		return;
	do {
		const char *n = dwarf_diename(&child);
		if (dwarf_tag(&child) == DW_TAG_member && n)
			sb_printf(sb, "%s%s", sb->len ? ", " : "", n);
	} while (dwarf_siblingof(&child, &child) == 0);
}

/* The alphabetically first member's name: the original's "instead of a
 * member such as '->NAME'". */
static const char *some_member(struct elab_state *st, Dwarf_Die *t)
{
	Dwarf_Die child;
	const char *best = NULL;
	if (dwarf_child(t, &child) == 0) {
		do {
			const char *n = dwarf_diename(&child);
			if (dwarf_tag(&child) == DW_TAG_member && n &&
			    (!best || strcmp(n, best) < 0))
				best = n;
		} while (dwarf_siblingof(&child, &child) == 0);
	}
	return arena_strdup(st->a, best ? best : "...");
}

/* ---- locations ---- */

/* x86-64's DWARF register numbers to offsets in struct pt_regs. */
static int reg_offset(unsigned reg)
{
	static const int offs[17] = {80, 96, 88, 40, 104, 112, 32, 152, 72,
				     64, 56, 48, 24, 16,  8,   0,  128};
	return reg < 17 ? offs[reg] : -1;
}

/* A location evaluated into C: an address, or a value (a register, a
 * constant, DW_OP_stack_value). */
struct uloc {
	const char *text;
	bool is_value;
	bool uses_bias;  /* DW_OP_addr: needs the load address */
	const char *why; /* unsupported: the operation */
};

static bool eval_ops(struct elab_state *st, struct udw *u, uint64_t pc, const Dwarf_Op *ops,
		     size_t n, struct uloc *out, int depth);

/* The frame base of the function at pc. */
static bool frame_base(struct elab_state *st, struct udw *u, uint64_t pc, struct uloc *out,
		       int depth)
{
	/* the frame base of an inlined instance is its caller's */
	for (int i = u->func; i < u->nscopes; i++) {
		if (dwarf_tag(&u->scopes[i]) != DW_TAG_subprogram)
			continue;
		Dwarf_Attribute attr;
		Dwarf_Op *ops;
		size_t n;
		if (!dwarf_attr(&u->scopes[i], DW_AT_frame_base, &attr) ||
		    dwarf_getlocation_addr(&attr, pc, &ops, &n, 1) <= 0)
			return false;
		return eval_ops(st, u, pc, ops, n, out, depth + 1);
	}
	return false;
}

static bool cfa(struct elab_state *st, struct udw *u, uint64_t pc, struct uloc *out, int depth)
{
	Dwarf_Frame *frame;
	Dwarf_Op *ops;
	size_t n;
	if (!u->cfi || dwarf_cfi_addrframe(u->cfi, pc, &frame) != 0)
		return false;
	bool ok = dwarf_frame_cfa(frame, &ops, &n) == 0 &&
		  eval_ops(st, u, pc, ops, n, out, depth + 1);
	free(frame);
	return ok;
}

static bool eval_ops(struct elab_state *st, struct udw *u, uint64_t pc, const Dwarf_Op *ops,
		     size_t n, struct uloc *out, int depth)
{
	const char *stack[16];
	int sp = 0;
	out->is_value = false;
	out->text = NULL;
	if (depth > 4)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t op = ops[i].atom;
		const char *push = NULL;
		if ((op >= DW_OP_reg0 && op <= DW_OP_reg31) || op == DW_OP_regx) {
			unsigned r = op == DW_OP_regx ? (unsigned)ops[i].number
						      : (unsigned)(op - DW_OP_reg0);
			if (reg_offset(r) < 0 || i + 1 != n) {
				out->why = "a register piece";
				return false;
			}
			out->text = arena_printf(st->a, "stp_ureg(ctx, %d)", reg_offset(r));
			out->is_value = true;
			return true;
		}
		if ((op >= DW_OP_breg0 && op <= DW_OP_breg31) || op == DW_OP_bregx) {
			unsigned r = op == DW_OP_bregx ? (unsigned)ops[i].number
						       : (unsigned)(op - DW_OP_breg0);
			int64_t off = (int64_t)(op == DW_OP_bregx ? ops[i].number2 : ops[i].number);
			if (reg_offset(r) < 0)
				return false;
			push = arena_printf(st->a, "(stp_ureg(ctx, %d) + %" PRId64 ")",
					    reg_offset(r), off);
		} else if (op == DW_OP_fbreg) {
			struct uloc fb = {0};
			if (!frame_base(st, u, pc, &fb, depth)) {
				out->why = fb.why;
				return false;
			}
			out->uses_bias |= fb.uses_bias;
			push = arena_printf(st->a, "(%s + %" PRId64 ")", fb.text,
					    (int64_t)ops[i].number);
		} else if (op == DW_OP_call_frame_cfa) {
			struct uloc c = {0};
			if (!cfa(st, u, pc, &c, depth) || c.is_value)
				return false;
			push = c.text;
		} else if (op == DW_OP_addr) {
			push = arena_printf(
				st->a, "((int64_t)%#" PRIx64 " + stp_ubias(ctx, %#" PRIx64 "))",
				(uint64_t)ops[i].number, pc);
			out->uses_bias = true;
		} else if (op >= DW_OP_lit0 && op <= DW_OP_lit31) {
			push = arena_printf(st->a, "%d", op - DW_OP_lit0);
		} else if (op == DW_OP_const1u || op == DW_OP_const2u || op == DW_OP_const4u ||
			   op == DW_OP_const8u || op == DW_OP_constu) {
			push = arena_printf(st->a, "(int64_t)%" PRIu64 "ULL",
					    (uint64_t)ops[i].number);
		} else if (op == DW_OP_const1s || op == DW_OP_const2s || op == DW_OP_const4s ||
			   op == DW_OP_const8s || op == DW_OP_consts) {
			push = arena_printf(st->a, "(int64_t)%" PRId64 "LL",
					    (int64_t)ops[i].number);
		} else if (op == DW_OP_plus_uconst && sp > 0) {
			stack[sp - 1] = arena_printf(st->a, "(%s + %" PRIu64 ")", stack[sp - 1],
						     (uint64_t)ops[i].number);
			continue;
		} else if ((op == DW_OP_plus || op == DW_OP_minus) && sp > 1) {
			stack[sp - 2] = arena_printf(st->a, "(%s %c %s)", stack[sp - 2],
						     op == DW_OP_plus ? '+' : '-', stack[sp - 1]);
			sp--;
			continue;
		} else if (op == DW_OP_stack_value && sp > 0 && i + 1 == n) {
			out->text = stack[sp - 1];
			out->is_value = true;
			return true;
		} else {
			out->why = op == DW_OP_piece ? "DW_OP_piece" : "an operation";
			return false;
		}
		if (sp == 16)
			return false;
		stack[sp++] = push;
	}
	if (sp == 0)
		return false;
	out->text = stack[sp - 1];
	return true;
}

/* ---- variables ---- */

static bool is_var(Dwarf_Die *d)
{
	int tag = dwarf_tag(d);
	return (tag == DW_TAG_formal_parameter || tag == DW_TAG_variable) && dwarf_diename(d);
}

/* Whether d has a location at pc (or a constant value). */
static bool has_location(Dwarf_Die *d, uint64_t pc)
{
	Dwarf_Attribute attr;
	Dwarf_Op *ops;
	size_t n;
	if (dwarf_attr_integrate(d, DW_AT_const_value, &attr))
		return true;
	if (!dwarf_attr_integrate(d, DW_AT_location, &attr))
		return false;
	return dwarf_getlocation_addr(&attr, pc, &ops, &n, 1) > 0;
}

/* The variables in scope at pc, as the original orders them: the
 * function's (parameters first, in declaration order), then its inner
 * blocks' outward in. Only those with a location at pc unless all. */
static void scope_vars(struct udw *u, uint64_t pc, bool all, struct vec *out)
{
	for (int i = u->func; i >= 0; i--) {
		Dwarf_Die child;
		if (dwarf_child(&u->scopes[i], &child) != 0)
			continue;
		do {
			if (!is_var(&child) || (!all && !has_location(&child, pc)))
				continue;
			if (i != u->func && dwarf_tag(&child) == DW_TAG_formal_parameter)
				continue;
			Dwarf_Die *d = xmalloc(sizeof(*d));
			*d = child;
			vec_push(out, d);
		} while (dwarf_siblingof(&child, &child) == 0);
	}
}

static void free_vars(struct vec *v)
{
	vec_foreach(v, i)
		free(v->items[i]);
	vec_fini(v);
}

/* The innermost variable named name. */
static bool find_var(struct udw *u, const char *name, Dwarf_Die *out)
{
	for (int i = 0; i <= u->func; i++) {
		Dwarf_Die child;
		if (dwarf_child(&u->scopes[i], &child) != 0)
			continue;
		do {
			if (is_var(&child) && strcmp(dwarf_diename(&child), name) == 0) {
				*out = child;
				return true;
			}
		} while (dwarf_siblingof(&child, &child) == 0);
	}
	return false;
}

const char *dwarf_probe_vars(struct elab_state *st, const char *path, uint64_t pc, bool ret)
{
	struct udw u;
	struct strbuf sb;
	sb_init(&sb);
	if (udw_open(path, pc, &u) == 0) {
		Dwarf_Die *fn = &u.scopes[u.func], rt;
		if (ret && die_type(fn, &rt)) {
			sb_puts(&sb, " $return:");
			type_name(&rt, &sb);
		}
		struct vec vars = {0};
		scope_vars(&u, pc, false, &vars);
		vec_foreach(&vars, i) {
			Dwarf_Die *d = vars.items[i], t;
			sb_printf(&sb, " $%s:", dwarf_diename(d));
			if (die_type(d, &t))
				type_name(&t, &sb);
			else
				sb_puts(&sb, "void");
		}
		free_vars(&vars);
	}
	udw_close(&u);
	const char *r = arena_strdup(st->a, sb_str(&sb));
	sb_fini(&sb);
	return r;
}

/* ---- a variable's read ---- */

static void push_op(struct elab_state *st, struct ctxvar *cv, enum uloc_kind kind, const char *text,
		    int64_t num)
{
	struct uloc_op *op = arena_alloc(st->a, sizeof(*op));
	op->kind = kind;
	op->text = text;
	op->num = num;
	vec_push_arena(st->a, &cv->uops, op);
}

static struct expr *new_context(struct elab_state *st, const struct token *tok, struct ctxvar **cvp)
{
	struct expr *e = arena_alloc(st->a, sizeof(*e));
	struct ctxvar *cv = arena_alloc(st->a, sizeof(*cv));
	cv->kind = CV_DWARF;
	cv->type = TYPE_LONG;
	e->kind = EXPR_CONTEXT;
	e->tok = tok;
	e->cv = cv;
	*cvp = cv;
	return e;
}

/* What the chain reaches so far: the object's type, and whether t holds
 * its address (else its value). */
struct walk {
	Dwarf_Die type; /* peeled */
	bool addr;
};

static bool walk_start(struct elab_state *st, struct udw *u, uint64_t pc, Dwarf_Die *var,
		       struct ctxvar *cv, struct walk *w, const struct token *tok)
{
	const char *name = dwarf_diename(var);
	Dwarf_Die t;
	if (!die_type(var, &t) || !peel(&t, &w->type)) {
		diag_semantic(st->d, NULL, tok, "unresolved type for '%s'", name);
		return false;
	}
	Dwarf_Attribute attr;
	Dwarf_Word cval;
	if (dwarf_attr_integrate(var, DW_AT_const_value, &attr) &&
	    dwarf_formudata(&attr, &cval) == 0) {
		push_op(st, cv, ULOC_SET, arena_printf(st->a, "(int64_t)%" PRIu64 "ULL", cval), 0);
		w->addr = false;
		return true;
	}
	Dwarf_Op *ops;
	size_t n;
	struct uloc loc = {0};
	Dwarf_Die *fn = &u->scopes[u->func];
	const char *fname = dwarf_diename(fn);
	if (!dwarf_attr_integrate(var, DW_AT_location, &attr) ||
	    dwarf_getlocation_addr(&attr, pc, &ops, &n, 1) <= 0) {
		(void)fname;
		diag_semantic(
			st->d, NULL, tok,
			"not accessible at this address (pc: %#" PRIx64 ") [man error::dwarf]", pc);
		return false;
	}
	if (!eval_ops(st, u, pc, ops, n, &loc, 0)) {
		diag_semantic(st->d, NULL, tok,
			      "unable to read '%s' here: its DWARF location uses %s, which is not "
			      "supported [man error::dwarf]",
			      name, loc.why ? loc.why : "an operation");
		return false;
	}
	if (loc.uses_bias && st->probe->up_return) {
		diag_semantic(
			st->d, NULL, tok,
			"'%s' is at an address of the program: not read in .return probes yet",
			name);
		return false;
	}
	push_op(st, cv, ULOC_SET, loc.text, 0);
	w->addr = !loc.is_value;
	return true;
}

/* t becomes the address of what the pointer t (or at t) points to. */
static void through_pointer(struct elab_state *st, struct ctxvar *cv, struct walk *w)
{
	if (w->addr)
		push_op(st, cv, ULOC_READ, NULL, 0);
	w->addr = true;
}

static bool walk_comp(struct elab_state *st, struct ctxvar *cv, struct walk *w,
		      const struct component *c)
{
	int tag = dwarf_tag(&w->type);
	if (c->kind == COMP_FIELD) {
		const struct token *at = c->op_tok ? c->op_tok : c->tok;
		Dwarf_Die target;
		if (tag == DW_TAG_pointer_type) {
			if (!die_type(&w->type, &target) || !peel(&target, &target)) {
				diag_semantic(st->d, NULL, at, "invalid access '->%s' vs. void*",
					      c->name);
				return false;
			}
			int ttag = dwarf_tag(&target);
			if (ttag != DW_TAG_structure_type && ttag != DW_TAG_union_type) {
				struct strbuf sb;
				sb_init(&sb);
				type_name(&w->type, &sb);
				diag_semantic(st->d, NULL, at, "invalid access '->%s' vs. %s",
					      c->name, sb_str(&sb));
				sb_fini(&sb);
				return false;
			}
			through_pointer(st, cv, w);
			w->type = target;
		} else if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type) {
			struct strbuf sb;
			sb_init(&sb);
			type_name(&w->type, &sb);
			diag_semantic(st->d, NULL, at, "invalid access '->%s' vs. %s", c->name,
				      sb_str(&sb));
			sb_fini(&sb);
			return false;
		} else if (!w->addr) {
			diag_semantic(st->d, NULL, at,
				      "'%s' is a structure held in registers: its members are not "
				      "read yet",
				      dwarf_diename(&w->type) ? dwarf_diename(&w->type) : "{...}");
			return false;
		}
		Dwarf_Die m, mt;
		int64_t off = 0;
		if (!find_member(&w->type, c->name, &m, &off)) {
			struct strbuf alt, tn;
			sb_init(&alt);
			sb_init(&tn);
			member_names(&w->type, &alt);
			type_name(&w->type, &tn);
			diag_semantic(st->d, NULL, at,
				      "unable to find member '%s' for %s (alternatives: %s)",
				      c->name, sb_str(&tn), sb_str(&alt));
			sb_fini(&alt);
			sb_fini(&tn);
			return false;
		}
		Dwarf_Attribute attr;
		if (dwarf_attr(&m, DW_AT_bit_size, &attr) ||
		    dwarf_attr(&m, DW_AT_data_bit_offset, &attr)) {
			diag_semantic(st->d, NULL, at, "bit field '%s' is not read yet", c->name);
			return false;
		}
		if (off)
			push_op(st, cv, ULOC_ADD, NULL, off);
		if (!die_type(&m, &mt) || !peel(&mt, &w->type))
			return false;
		return true;
	}
	if (c->kind == COMP_INDEX) {
		Dwarf_Die elem;
		if ((tag != DW_TAG_pointer_type && tag != DW_TAG_array_type) ||
		    !die_type(&w->type, &elem)) {
			struct strbuf sb;
			sb_init(&sb);
			type_name(&w->type, &sb);
			diag_semantic(st->d, NULL, c->tok, "invalid access '[%lld]' vs. %s", c->num,
				      sb_str(&sb));
			sb_fini(&sb);
			return false;
		}
		if (tag == DW_TAG_pointer_type)
			through_pointer(st, cv, w);
		else if (!w->addr)
			return false;
		int64_t size = type_size(&elem);
		if (c->num && size)
			push_op(st, cv, ULOC_ADD, NULL, c->num * size);
		return peel(&elem, &w->type);
	}
	diag_semantic(st->d, NULL, c->tok,
		      "an index computed at run time is not supported on user-space variables yet");
	return false;
}

/* Finish the read: an integer, a pointer, an array's address. */
static bool walk_end(struct elab_state *st, struct ctxvar *cv, struct walk *w,
		     const struct token *tok)
{
	int size;
	bool is_signed;
	int tag = dwarf_tag(&w->type);
	if (is_integer(&w->type, &size, &is_signed)) {
		cv->value_size = size;
		cv->value_signed = is_signed;
		cv->uend = w->addr ? ULOC_END_MEMORY : ULOC_END_VALUE;
		return true;
	}
	if (tag == DW_TAG_array_type && w->addr) {
		cv->uend = ULOC_END_ADDR;
		return true;
	}
	if (tag == DW_TAG_structure_type || tag == DW_TAG_union_type) {
		struct strbuf sb;
		sb_init(&sb);
		type_name(&w->type, &sb);
		const char *file = dwarf_decl_file(&w->type);
		int line = 0;
		dwarf_decl_line(&w->type, &line);
		diag_semantic(st->d, NULL, tok,
			      "'%s' (%s:%d) is being accessed instead of a member such as '->%s'",
			      sb_str(&sb), file ? file : "?", line, some_member(st, &w->type));
		sb_fini(&sb);
		return false;
	}
	struct strbuf sb;
	sb_init(&sb);
	type_name(&w->type, &sb);
	diag_semantic(st->d, NULL, tok, "unhandled type '%s'", sb_str(&sb));
	sb_fini(&sb);
	return false;
}

/* ---- $var$ and $var$$ ---- */

/* The text of a value as the original's $ ($$: all) prints it: numbers
 * in decimal, pointers in hex, strings and char arrays quoted, structs as
 * {.m=...} one level deep ($$: every level), other arrays [...] ($$:
 * [first, ...]).  Each value is one read from the same start (ops). */
struct upretty {
	struct elab_state *st;
	const struct token *tok;
	struct strbuf fmt;
	struct vec args;
	bool all;
};

static struct ctxvar *pretty_read(struct upretty *pp, const struct vec *ops, int64_t add,
				  bool deref)
{
	struct ctxvar *cv;
	struct expr *r = new_context(pp->st, pp->tok, &cv);
	vec_foreach(ops, i)
		vec_push_arena(pp->st->a, &cv->uops, ops->items[i]);
	if (add)
		push_op(pp->st, cv, ULOC_ADD, NULL, add);
	if (deref)
		push_op(pp->st, cv, ULOC_READ, NULL, 0);
	vec_push_arena(pp->st->a, &pp->args, r);
	return cv;
}

static bool is_char(Dwarf_Die *t)
{
	Dwarf_Die p;
	Dwarf_Attribute attr;
	Dwarf_Word enc;
	return peel(t, &p) && dwarf_tag(&p) == DW_TAG_base_type &&
	       dwarf_formudata(dwarf_attr(&p, DW_AT_encoding, &attr), &enc) == 0 &&
	       (enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char) &&
	       dwarf_bytesize(&p) == 1;
}

/* The value of type t (peeled) at ops + add (addr) or in ops (a value). */
static void pretty_value(struct upretty *pp, const struct vec *ops, int64_t add, bool addr,
			 Dwarf_Die *t, int depth, bool top)
{
	int size;
	bool is_signed;
	int tag = dwarf_tag(t);
	Dwarf_Die target;
	if (tag == DW_TAG_pointer_type && die_type(t, &target) && is_char(&target)) {
		/* char *: the string, quoted */
		struct ctxvar *cv = pretty_read(pp, ops, add, addr);
		cv->type = TYPE_STRING;
		cv->uend = ULOC_END_STRING;
		cv->value_size = 4095; /* clamped to MAXSTRINGLEN where read */
		sb_puts(&pp->fmt, "\\\"%s\\\"");
		return;
	}
	if (tag == DW_TAG_pointer_type && top && die_type(t, &target) && peel(&target, &target) &&
	    (dwarf_tag(&target) == DW_TAG_structure_type ||
	     dwarf_tag(&target) == DW_TAG_union_type)) {
		/* $p$ of a struct pointer: the struct it points to */
		struct vec inner = {0};
		vec_foreach(ops, i)
			vec_push_arena(pp->st->a, &inner, ops->items[i]);
		if (add) {
			struct uloc_op *op = arena_alloc(pp->st->a, sizeof(*op));
			*op = (struct uloc_op){ULOC_ADD, NULL, add};
			vec_push_arena(pp->st->a, &inner, op);
		}
		if (addr) {
			struct uloc_op *op = arena_alloc(pp->st->a, sizeof(*op));
			*op = (struct uloc_op){ULOC_READ, NULL, 0};
			vec_push_arena(pp->st->a, &inner, op);
		}
		pretty_value(pp, &inner, 0, true, &target, depth, true);
		return;
	}
	if (is_integer(t, &size, &is_signed)) {
		struct ctxvar *cv = pretty_read(pp, ops, add, false);
		cv->value_size = size;
		cv->value_signed = is_signed;
		cv->uend = addr ? ULOC_END_MEMORY : ULOC_END_VALUE;
		/* (the original prints a char as '%#c', which BPF's
		 * bpf_snprintf cannot: a number here, as its $$parms) */
		sb_puts(&pp->fmt, tag == DW_TAG_pointer_type ? "0x%x" : is_signed ? "%d" : "%u");
		return;
	}
	if (tag == DW_TAG_array_type && addr && die_type(t, &target)) {
		if (is_char(&target) && (pp->all || top)) {
			struct ctxvar *cv = pretty_read(pp, ops, add, false);
			cv->type = TYPE_STRING;
			cv->uend = ULOC_END_STRING;
			int64_t n = type_size(t);
			cv->value_size = n > 0 && n < 4096 ? (int)n : 4095;
			sb_puts(&pp->fmt, "\\\"%s\\\"");
			return;
		}
		Dwarf_Die elem;
		if (!(pp->all || top) || !peel(&target, &elem)) {
			sb_puts(&pp->fmt, "[...]");
			return;
		}
		sb_puts(&pp->fmt, "[");
		pretty_value(pp, ops, add, true, &elem, depth + 1, false);
		sb_puts(&pp->fmt, ", ...]");
		return;
	}
	if ((tag == DW_TAG_structure_type || tag == DW_TAG_union_type) && addr &&
	    (top || (pp->all && depth < 8))) {
		sb_puts(&pp->fmt, "{");
		Dwarf_Die m;
		bool first = true;
		if (dwarf_child(t, &m) == 0) {
			do {
				Dwarf_Die mt, mp;
				Dwarf_Attribute attr;
				Dwarf_Word off = 0;
				if (dwarf_tag(&m) != DW_TAG_member || !die_type(&m, &mt) ||
				    !peel(&mt, &mp) || dwarf_attr(&m, DW_AT_bit_size, &attr))
					continue;
				dwarf_formudata(dwarf_attr(&m, DW_AT_data_member_location, &attr),
						&off);
				const char *n = dwarf_diename(&m);
				sb_printf(&pp->fmt, "%s.%s=", first ? "" : ", ", n ? n : "");
				first = false;
				pretty_value(pp, ops, add + (int64_t)off, true, &mp, depth + 1,
					     false);
			} while (dwarf_siblingof(&m, &m) == 0);
		}
		sb_puts(&pp->fmt, "}");
		return;
	}
	sb_puts(&pp->fmt, tag == DW_TAG_array_type ? "[...]" : "{...}");
}

static bool pretty_kind(const struct expr *e, bool *all)
{
	vec_foreach(&e->comps, i) {
		const struct component *c = e->comps.items[i];
		if (c->kind == COMP_PRETTY) {
			*all = strcmp(c->name, "$$") == 0;
			return true;
		}
	}
	return false;
}

/* The token the chain's last component is at (for the struct error). */
static const struct token *last_tok(const struct expr *e)
{
	const struct token *t = e->tok;
	vec_foreach(&e->comps, i) {
		const struct component *c = e->comps.items[i];
		if (c->kind == COMP_FIELD)
			t = c->op_tok ? c->op_tok : c->tok;
		else if (c->kind != COMP_PRETTY)
			t = c->tok;
	}
	return t;
}

/* A variable's value as a C read: NULL after the error. */
static struct expr *read_var(struct elab_state *st, struct udw *u, uint64_t pc, Dwarf_Die *var,
			     const struct expr *e)
{
	struct ctxvar *cv;
	struct expr *r = new_context(st, e->tok, &cv);
	struct walk w;
	if (!walk_start(st, u, pc, var, cv, &w, e->tok))
		return NULL;
	vec_foreach(&e->comps, i) {
		const struct component *c = e->comps.items[i];
		if (c->kind != COMP_PRETTY && !walk_comp(st, cv, &w, c))
			return NULL;
	}
	bool all;
	if (pretty_kind(e, &all)) {
		struct upretty pp = {.st = st, .tok = e->tok, .all = all};
		sb_init(&pp.fmt);
		pretty_value(&pp, &cv->uops, 0, w.addr, &w.type, 0, true);
		context_make_sprintf(st, r, arena_strdup(st->a, sb_str(&pp.fmt)), &pp.args);
		sb_fini(&pp.fmt);
		return r;
	}
	if (!walk_end(st, cv, &w, last_tok(e)))
		return NULL;
	return r;
}

/* $$parms, $$locals, $$vars: "name=0x... " of each, a struct "{...}", an
 * array "[...]", as the original's. */
static void vars_string(struct elab_state *st, struct udw *u, uint64_t pc, struct expr *e,
			const char *which, bool with_return)
{
	struct strbuf fmt;
	sb_init(&fmt);
	struct vec args = {0};
	if (with_return) {
		sb_puts(&fmt, "return=0x%x");
		struct ctxvar *cv;
		struct expr *r = new_context(st, e->tok, &cv);
		push_op(st, cv, ULOC_SET, "stp_uprobe_rc(ctx)", 0);
		cv->uend = ULOC_END_ADDR;
		vec_push_arena(st->a, &args, r);
	}
	struct vec vars = {0};
	if (!with_return)
		scope_vars(u, pc, false, &vars);
	vec_foreach(&vars, i) {
		Dwarf_Die *d = vars.items[i], t, p;
		bool param = dwarf_tag(d) == DW_TAG_formal_parameter;
		if ((which[2] == 'p' && !param) || (which[2] == 'l' && param))
			continue;
		const char *sep = fmt.len ? " " : "";
		if (!die_type(d, &t) || !peel(&t, &p))
			continue;
		int tag = dwarf_tag(&p);
		bool all;
		if (pretty_kind(e, &all)) {
			struct expr name = {.kind = EXPR_TARGET, .tok = e->tok};
			struct ctxvar *cv;
			new_context(st, e->tok, &cv);
			struct walk w;
			if (!walk_start(st, u, pc, d, cv, &w, e->tok))
				continue;
			(void)name;
			struct upretty pp = {.st = st, .tok = e->tok, .all = all};
			sb_init(&pp.fmt);
			pretty_value(&pp, &cv->uops, 0, w.addr, &w.type, 0, false);
			sb_printf(&fmt, "%s%s=%s", sep, dwarf_diename(d), sb_str(&pp.fmt));
			vec_foreach(&pp.args, j)
				vec_push_arena(st->a, &args, pp.args.items[j]);
			sb_fini(&pp.fmt);
			continue;
		}
		if (tag == DW_TAG_structure_type || tag == DW_TAG_union_type) {
			sb_printf(&fmt, "%s%s={...}", sep, dwarf_diename(d));
			continue;
		}
		if (tag == DW_TAG_array_type) {
			sb_printf(&fmt, "%s%s=[...]", sep, dwarf_diename(d));
			continue;
		}
		struct expr name = {.kind = EXPR_TARGET, .tok = e->tok};
		struct expr *r = read_var(st, u, pc, d, &name);
		if (!r)
			continue;
		sb_printf(&fmt, "%s%s=0x%%x", sep, dwarf_diename(d));
		vec_push_arena(st->a, &args, r);
	}
	free_vars(&vars);
	if (args.len)
		context_make_sprintf(st, e, arena_strdup(st->a, sb_str(&fmt)), &args);
	else
		context_make_string(e, arena_strdup(st->a, sb_str(&fmt)));
	sb_fini(&fmt);
}

static bool is_vars_name(const char *n)
{
	return strcmp(n, "$$parms") == 0 || strcmp(n, "$$locals") == 0 ||
	       strcmp(n, "$$vars") == 0 || strcmp(n, "$$return") == 0;
}

/* The original's error when the program has no DWARF for the probe. */
static void no_debuginfo(struct elab_state *st, const struct expr *e, int rc)
{
	const char *path = st->probe->up_path;
	if (rc == -ENOENT)
		diag_semantic(st->d, NULL, e->tok,
			      "debuginfo scope not found for module '%s', cannot resolve context "
			      "variable [man error::dwarf]",
			      path);
	else
		diag_semantic(st->d, NULL, e->tok,
			      "unable to find local '%s': no DWARF describes pc %#" PRIx64
			      " in %s [man error::dwarf]",
			      e->str + 1, st->probe->up_vaddr, path);
}

bool dwarf_resolve_target(struct elab_state *st, struct expr *e)
{
	const struct eprobe *p = st->probe;
	const char *name = e->str;
	uint64_t pc = p->up_vaddr;
	if (strcmp(name, "$return") == 0 && !p->up_return)
		return false;
	struct udw u;
	int rc = udw_open(p->up_path, pc, &u);
	if (strcmp(name, "$return") == 0) {
		/* typed from the function's DWARF when there is some */
		Dwarf_Die t, pt;
		int size = 8;
		bool is_signed = true;
		bool typed = rc == 0 && die_type(&u.scopes[u.func], &t) && peel(&t, &pt) &&
			     is_integer(&pt, &size, &is_signed);
		struct ctxvar *cv;
		struct expr *r = new_context(st, e->tok, &cv);
		push_op(st, cv, ULOC_SET, "stp_uprobe_rc(ctx)", 0);
		cv->value_size = size;
		cv->value_signed = is_signed;
		cv->uend = typed ? ULOC_END_VALUE : ULOC_END_ADDR;
		if (e->comps.len && rc == 0 && die_type(&u.scopes[u.func], &t)) {
			struct walk w = {.addr = false};
			peel(&t, &w.type);
			cv->uend = ULOC_END_ADDR;
			bool ok = true;
			vec_foreach(&e->comps, i) {
				const struct component *c = e->comps.items[i];
				if (ok && c->kind != COMP_PRETTY)
					ok = walk_comp(st, cv, &w, c);
			}
			if (!ok || !walk_end(st, cv, &w, last_tok(e))) {
				udw_close(&u);
				return true;
			}
		}
		*e = *r;
		udw_close(&u);
		return true;
	}
	if (rc != 0) {
		if (name[1] == '$' && !is_vars_name(name)) {
			udw_close(&u);
			return false;
		}
		no_debuginfo(st, e, rc);
		udw_close(&u);
		return true;
	}
	if (is_vars_name(name)) {
		/* a .return's other $$vars were moved to its entry (entry.c) */
		if (strcmp(name, "$$return") == 0) {
			if (p->up_return)
				vars_string(st, &u, pc, e, "$$r", true);
			else
				context_make_string(e, "");
		} else {
			vars_string(st, &u, pc, e, name, false);
		}
		udw_close(&u);
		return true;
	}
	if (name[1] == '$') {
		udw_close(&u);
		return false;
	}
	Dwarf_Die var;
	if (!find_var(&u, name + 1, &var)) {
		Dwarf_Die *fn = &u.scopes[u.func];
		struct strbuf alt;
		sb_init(&alt);
		struct vec vars = {0};
		scope_vars(&u, pc, true, &vars);
		vec_foreach(&vars, i)
			sb_printf(&alt, "%s$%s", i ? ", " : "",
				  dwarf_diename((Dwarf_Die *)vars.items[i]));
		free_vars(&vars);
		const char *file = dwarf_decl_file(fn);
		diag_semantic(st->d, NULL, e->tok,
			      "unable to find local '%s', [man error::dwarf] dieoffset %#" PRIx64
			      " in %s, near pc %#" PRIx64 " in %s %s (alternatives: %s))",
			      name + 1, (uint64_t)dwarf_dieoffset(fn), p->up_path, pc,
			      dwarf_diename(fn) ? dwarf_diename(fn) : "?", file ? file : "?",
			      sb_str(&alt));
		sb_fini(&alt);
		udw_close(&u);
		return true;
	}
	struct expr *r = read_var(st, &u, pc, &var, e);
	if (r)
		*e = *r;
	udw_close(&u);
	return true;
}

int dwarf_target_defined(const struct elab_state *st, const struct expr *x)
{
	const struct eprobe *p = st->probe;
	struct udw u;
	if (udw_open(p->up_path, p->up_vaddr, &u) != 0) {
		udw_close(&u);
		return 0;
	}
	Dwarf_Die var;
	int r = 0;
	if (is_vars_name(x->str))
		r = 1;
	else if (x->str[1] != '$' && find_var(&u, x->str + 1, &var) &&
		 has_location(&var, p->up_vaddr))
		r = 1;
	udw_close(&u);
	return r;
}

/* ---- statements and labels ---- */

/* A FILE pattern of NAME@FILE:LINE against a DWARF file name: the whole
 * name, its last component, or a tail after a '/'. */
bool dwarf_file_matches(const char *pattern, const char *file)
{
	if (!pattern || !*pattern)
		return true;
	if (!file)
		return false;
	if (fnmatch(pattern, file, 0) == 0)
		return true;
	for (const char *p = file; (p = strchr(p, '/')); p++)
		if (fnmatch(pattern, p + 1, 0) == 0)
			return true;
	return false;
}

static char *dupn(const char *s, size_t n)
{
	char *r = xmalloc(n + 1);
	memcpy(r, s, n);
	r[n] = 0;
	return r;
}

bool dwarf_split_spec(const char *spec, char **name, char **file, int *first, int *last)
{
	const char *at = strchr(spec, '@');
	const char *colon = at ? strchr(at, ':') : strchr(spec, ':');
	size_t n = at ? (size_t)(at - spec) : colon ? (size_t)(colon - spec) : strlen(spec);
	*name = dupn(spec, n);
	*file = at ? dupn(at + 1, colon ? (size_t)(colon - at - 1) : strlen(at + 1)) : NULL;
	*first = 0;
	*last = -1; /* no line */
	if (!colon)
		return true;
	char *end;
	long a = strtol(colon + 1, &end, 10), b = a;
	if (end == colon + 1)
		return false;
	if (*end == '-') {
		b = strtol(end + 1, &end, 10);
		if (b < a)
			return false;
	}
	if (*end)
		return false;
	*first = (int)a;
	*last = (int)b;
	return true;
}

/* File offset of vaddr: through the loadable segment that holds it. */
static bool vaddr_offset(Elf *elf, uint64_t v, uint64_t *off)
{
	size_t n;
	if (elf_getphdrnum(elf, &n) != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD && v >= ph.p_vaddr &&
		    v < ph.p_vaddr + ph.p_filesz) {
			*off = v - ph.p_vaddr + ph.p_offset;
			return true;
		}
	}
	return false;
}

static int add_probe(struct elab_state *st, const struct derive_ctx *dc, Elf *elf, const char *path,
		     long pid, uint64_t vaddr, const char *pp)
{
	uint64_t off;
	if (!vaddr_offset(elf, vaddr, &off))
		return 0;
	struct eprobe *p = arena_alloc(st->a, sizeof(*p));
	p->kind = PROBE_UPROBE;
	p->kernel = true;
	p->up_path = arena_strdup(st->a, path);
	p->up_offset = off;
	p->up_vaddr = vaddr;
	p->up_pid = pid;
	p->vars = st->s->list_with_vars ? dwarf_probe_vars(st, path, vaddr, false) : "";
	probes_add(st, dc, p, pp);
	return 1;
}

/* Each subprogram with code whose name and file match. */
typedef int (*subprogram_fn)(struct elab_state *st, const struct derive_ctx *dc, struct udw *u,
			     Dwarf_Die *cu, Dwarf_Die *fn, void *arg);

static int each_subprogram(struct elab_state *st, const struct derive_ctx *dc, struct udw *u,
			   const char *name, const char *file, subprogram_fn f, void *arg)
{
	int n = 0;
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(u->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;
		if (dwarf_offdie(u->dw, off + hsize, &cu) && dwarf_child(&cu, &die) == 0) {
			do {
				Dwarf_Addr lo;
				const char *dn = dwarf_diename(&die);
				if (dwarf_tag(&die) != DW_TAG_subprogram ||
				    dwarf_lowpc(&die, &lo) != 0 || !dn ||
				    fnmatch(name, dn, 0) != 0 ||
				    !dwarf_file_matches(file, dwarf_decl_file(&die)))
					continue;
				n += f(st, dc, u, &cu, &die, arg);
			} while (dwarf_siblingof(&die, &die) == 0);
		}
		off = next;
	}
	return n;
}

struct stmt_arg {
	const char *path, *prefix;
	long pid;
	int first, last;
};

static int stmt_lines(struct elab_state *st, const struct derive_ctx *dc, struct udw *u,
		      Dwarf_Die *cu, Dwarf_Die *fn, void *arg)
{
	const struct stmt_arg *a = arg;
	Dwarf_Lines *lines;
	size_t nlines;
	Dwarf_Addr lo, hi;
	const char *file = dwarf_decl_file(fn);
	if (dwarf_getsrclines(cu, &lines, &nlines) != 0 || dwarf_lowpc(fn, &lo) != 0 ||
	    dwarf_highpc(fn, &hi) != 0 || !file)
		return 0;
	int n = 0;
	for (int line = a->first; line <= a->last; line++) {
		/* the lowest statement address of the line in the function */
		uint64_t best = UINT64_MAX;
		for (size_t i = 0; i < nlines; i++) {
			Dwarf_Line *l = dwarf_onesrcline(lines, i);
			Dwarf_Addr addr;
			int ln;
			bool is_stmt = false;
			const char *src = dwarf_linesrc(l, NULL, NULL);
			if (dwarf_lineno(l, &ln) != 0 || ln != line ||
			    dwarf_lineaddr(l, &addr) != 0 || addr < lo || addr >= hi || !src ||
			    dwarf_linebeginstatement(l, &is_stmt) || !is_stmt)
				continue;
			/* the line must be in the function's own file */
			size_t fl = strlen(file), sl = strlen(src);
			if (sl < fl || strcmp(src + sl - fl, file) != 0)
				continue;
			if (addr < best)
				best = addr;
		}
		if (best == UINT64_MAX)
			continue;
		n += add_probe(st, dc, u->elf, a->path, a->pid, best,
			       arena_printf(st->a, "%s.statement(\"%s@%s:%d\")", a->prefix,
					    dwarf_diename(fn), file, line));
	}
	return n;
}

struct label_arg {
	const char *path, *prefix, *pattern;
	long pid;
};

static int labels_under(struct elab_state *st, const struct derive_ctx *dc, struct udw *u,
			Dwarf_Die *fn, Dwarf_Die *scope, const struct label_arg *a, int depth)
{
	Dwarf_Die child;
	int n = 0;
	if (depth > 32 || dwarf_child(scope, &child) != 0)
		return 0;
	do {
		int tag = dwarf_tag(&child);
		Dwarf_Addr pc;
		const char *name = dwarf_diename(&child);
		if (tag == DW_TAG_label && name && fnmatch(a->pattern, name, 0) == 0 &&
		    dwarf_lowpc(&child, &pc) == 0) {
			int line = 0;
			dwarf_decl_line(&child, &line);
			n += add_probe(st, dc, u->elf, a->path, a->pid, pc,
				       arena_printf(st->a,
						    "%s.function(\"%s@%s:%d\").label(\"%s\")",
						    a->prefix, dwarf_diename(fn),
						    dwarf_decl_file(fn), line, name));
		} else if (tag == DW_TAG_lexical_block) {
			n += labels_under(st, dc, u, fn, &child, a, depth + 1);
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return n;
}

static int fn_labels(struct elab_state *st, const struct derive_ctx *dc, struct udw *u,
		     Dwarf_Die *cu, Dwarf_Die *fn, void *arg)
{
	(void)cu;
	return labels_under(st, dc, u, fn, fn, arg, 0);
}

static int open_file(const char *path, struct udw *u)
{
	memset(u, 0, sizeof(*u));
	u->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (u->fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	u->elf = elf_begin(u->fd, ELF_C_READ_MMAP, NULL);
	if (!u->elf)
		return -ENOEXEC;
	u->dw = dwarf_begin_elf(u->elf, DWARF_C_READ, NULL);
	return u->dw ? 0 : -ENOENT;
}

int dwarf_derive_statements(struct elab_state *st, const struct derive_ctx *dc, const char *prefix,
			    const char *path, long pid, const char *spec)
{
	struct udw u;
	int n = 0;
	if (open_file(path, &u) == 0) {
		char *name, *file;
		struct stmt_arg a = {path, prefix, pid, 0, -1};
		if (dwarf_split_spec(spec, &name, &file, &a.first, &a.last) && a.last >= 0)
			n = each_subprogram(st, dc, &u, name, file, stmt_lines, &a);
		free(name);
		free(file);
	}
	udw_close(&u);
	return n;
}

int dwarf_derive_address(struct elab_state *st, const struct derive_ctx *dc, const char *path,
			 long pid, uint64_t vaddr, const char *pp)
{
	struct udw u;
	int n = 0;
	open_file(path, &u);
	if (u.elf)
		n = add_probe(st, dc, u.elf, path, pid, vaddr, pp);
	udw_close(&u);
	return n;
}

int dwarf_derive_labels(struct elab_state *st, const struct derive_ctx *dc, const char *prefix,
			const char *path, long pid, const char *spec, const char *pattern)
{
	struct udw u;
	int n = 0;
	if (open_file(path, &u) == 0) {
		char *name, *file;
		int first, last;
		struct label_arg a = {path, prefix, pattern, pid};
		if (dwarf_split_spec(spec, &name, &file, &first, &last))
			n = each_subprogram(st, dc, &u, name, file, fn_labels, &a);
		free(name);
		free(file);
	}
	udw_close(&u);
	return n;
}

/* ---- @cast(addr, "type", "PATH") and @var("name@file") ---- */

static bool is_definition(Dwarf_Die *d)
{
	Dwarf_Attribute attr;
	return !dwarf_attr(d, DW_AT_declaration, &attr);
}

/* A top-level DIE of one of the tags named name, a definition; the CU it
 * is in must have a name file matches when file is given. */
static bool find_global(struct udw *u, const char *name, const int *tags, int ntags,
			const char *file, Dwarf_Die *out)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(u->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;
		if (dwarf_offdie(u->dw, off + hsize, &cu) &&
		    (!file || dwarf_file_matches(file, dwarf_diename(&cu))) &&
		    dwarf_child(&cu, &die) == 0) {
			do {
				int tag = dwarf_tag(&die);
				bool want = false;
				for (int i = 0; i < ntags; i++)
					want |= tag == tags[i];
				const char *n = dwarf_diename(&die);
				if (want && n && strcmp(n, name) == 0 && is_definition(&die)) {
					*out = die;
					return true;
				}
			} while (dwarf_siblingof(&die, &die) == 0);
		}
		off = next;
	}
	return false;
}

static bool walk_chain(struct elab_state *st, struct ctxvar *cv, struct walk *w,
		       const struct expr *e)
{
	vec_foreach(&e->comps, i) {
		const struct component *c = e->comps.items[i];
		if (c->kind != COMP_PRETTY && !walk_comp(st, cv, w, c))
			return false;
	}
	return walk_end(st, cv, w, last_tok(e));
}

bool dwarf_resolve_cast(struct elab_state *st, struct expr *e)
{
	char buf[PATH_MAX];
	const char *path = realpath(e->module, buf) ? buf : e->module;
	struct udw u;
	if (open_file(path, &u) != 0) {
		udw_close(&u);
		return false;
	}
	const char *name = e->str;
	static const int records[] = {DW_TAG_structure_type, DW_TAG_union_type};
	static const int others[] = {DW_TAG_typedef, DW_TAG_base_type, DW_TAG_enumeration_type,
				     DW_TAG_structure_type, DW_TAG_union_type};
	bool found;
	Dwarf_Die type;
	if (strncmp(name, "struct ", 7) == 0 || strncmp(name, "union ", 6) == 0)
		found = find_global(&u, strchr(name, ' ') + 1, records, 2, NULL, &type);
	else
		found = find_global(&u, name, others, 5, NULL, &type);
	if (!found) {
		diag_semantic(st->d, NULL, e->tok, "type definition '%s' not found in '%s'", name,
			      e->module);
		udw_close(&u);
		return true;
	}
	struct ctxvar *cv;
	struct expr *r = new_context(st, e->tok, &cv);
	push_op(st, cv, ULOC_SET, NULL, 0); /* the address: r->a */
	struct walk w = {.addr = true};
	if (peel(&type, &w.type) && walk_chain(st, cv, &w, e)) {
		r->a = e->a;
		*e = *r;
	}
	udw_close(&u);
	return true;
}

bool dwarf_resolve_atvar(struct elab_state *st, struct expr *e)
{
	const struct eprobe *p = st->probe;
	if (!p || p->kind != PROBE_UPROBE)
		return false;
	const char *path = e->module ? e->module : p->up_path;
	char buf[PATH_MAX];
	if (e->module && realpath(e->module, buf))
		path = buf;
	struct udw u;
	if (open_file(path, &u) != 0) {
		udw_close(&u);
		return false;
	}
	const char *at = strchr(e->str, '@');
	char *name = at ? dupn(e->str, (size_t)(at - e->str)) : xstrdup(e->str);
	static const int vars[] = {DW_TAG_variable};
	Dwarf_Die var;
	if (!find_global(&u, name, vars, 1, at ? at + 1 : NULL, &var)) {
		diag_semantic(st->d, NULL, e->tok, "unable to find global '%s' in %s%s%s", name,
			      path, at ? ", in " : "", at ? at + 1 : "");
	} else if (p->up_return) {
		diag_semantic(st->d, NULL, e->tok,
			      "@var in a .return probe needs the program's load address: not "
			      "supported yet");
	} else {
		struct ctxvar *cv;
		struct expr *r = new_context(st, e->tok, &cv);
		struct walk w;
		if (walk_start(st, &u, p->up_vaddr, &var, cv, &w, e->tok) &&
		    walk_chain(st, cv, &w, e))
			*e = *r;
	}
	free(name);
	udw_close(&u);
	return true;
}
