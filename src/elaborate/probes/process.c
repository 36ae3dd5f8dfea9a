/*
 * process(...) probe points: user-space functions (uprobes) and USDT marks.
 *
 *   process("PATH").function("PATTERN")[.call|.return]
 *   process("PATH").mark("PATTERN")
 *   process(PID)..., process... (the -c command's or -x process's executable)
 *
 * The executable is read with libelf: its functions from the symbol table
 * (.symtab, else .dynsym), each named as the original names it, NAME@FILE:LINE
 * when the program's DWARF (libdw) describes it, NAME alone otherwise; its
 * marks from the .note.stapsdt notes.  Each match is its own probe, in name
 * order, attached at run time by libbpf (a uprobe at the function's file
 * offset; a USDT probe by provider and name, which also sets the semaphore).
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
#include <sys/stat.h>
#include <unistd.h>

#include "../internal.h"

/* ---- the executable ---- */

struct ufunc {
	char *name;
	char *pretty; /* NAME@FILE:LINE, or NAME */
	uint64_t offset;
	uint64_t vaddr;
	bool has_symbol;    /* else only inlined */
	bool global;        /* its symbol binding: .exported */
	struct vec inlines; /* of uint64_t *: each inlined instance's entry */
};

struct umark {
	char *provider, *name;
	int nargs;
};

struct uelf {
	struct vec funcs; /* of struct ufunc, by name, each name once */
	struct vec marks; /* of struct umark, each provider:name once */
	bool has_dwarf;
};

static void uelf_fini(struct uelf *u)
{
	vec_foreach(&u->funcs, i) {
		struct ufunc *f = u->funcs.items[i];
		free(f->name);
		free(f->pretty);
		vec_foreach(&f->inlines, j)
			free(f->inlines.items[j]);
		vec_fini(&f->inlines);
		free(f);
	}
	vec_foreach(&u->marks, i) {
		struct umark *m = u->marks.items[i];
		free(m->provider);
		free(m->name);
		free(m);
	}
	vec_fini(&u->funcs);
	vec_fini(&u->marks);
}

static int cmp_func(const void *a, const void *b)
{
	const struct ufunc *x = *(const struct ufunc *const *)a;
	const struct ufunc *y = *(const struct ufunc *const *)b;
	int r = strcmp(x->name, y->name);
	return r ? r : (x->offset > y->offset) - (x->offset < y->offset);
}

static int cmp_mark(const void *a, const void *b)
{
	const struct umark *x = *(const struct umark *const *)a;
	const struct umark *y = *(const struct umark *const *)b;
	int r = strcmp(x->name, y->name);
	return r ? r : strcmp(x->provider, y->provider);
}

/* The file offset of virtual address v: through the loadable segment that
 * holds it. */
static bool file_offset(Elf *elf, uint64_t v, uint64_t *off)
{
	size_t n;
	if (elf_getphdrnum(elf, &n) != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (v >= ph.p_vaddr && v < ph.p_vaddr + ph.p_filesz) {
			*off = v - ph.p_vaddr + ph.p_offset;
			return true;
		}
	}
	return false;
}

/* file_offset() of path's vaddr. */
static bool elf_offset_of(const char *path, uint64_t vaddr, uint64_t *off)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	bool ok = elf && file_offset(elf, vaddr, off);
	if (elf)
		elf_end(elf);
	close(fd);
	return ok;
}

static void read_symbols(Elf *elf, struct uelf *u)
{
	Elf_Scn *scn = NULL, *dyn = NULL, *sym = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB)
			sym = scn;
		else if (sh.sh_type == SHT_DYNSYM)
			dyn = scn;
	}
	scn = sym ? sym : dyn;
	if (!scn)
		return;
	GElf_Shdr sh;
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!gelf_getshdr(scn, &sh) || !data || !sh.sh_entsize)
		return;
	size_t n = sh.sh_size / sh.sh_entsize;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym s;
		if (!gelf_getsym(data, (int)i, &s))
			continue;
		int type = GELF_ST_TYPE(s.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s.st_shndx == SHN_UNDEF ||
		    !s.st_value)
			continue;
		const char *name = elf_strptr(elf, sh.sh_link, s.st_name);
		uint64_t off;
		if (!name || !*name || !file_offset(elf, s.st_value, &off))
			continue;
		struct ufunc *f = xmalloc(sizeof(*f));
		memset(f, 0, sizeof(*f));
		f->name = xstrdup(name);
		f->pretty = NULL;
		f->offset = off;
		f->vaddr = s.st_value;
		f->has_symbol = true;
		f->global = GELF_ST_BIND(s.st_info) == STB_GLOBAL;
		vec_push(&u->funcs, f);
	}
	if (u->funcs.len > 1)
		qsort(u->funcs.items, u->funcs.len, sizeof(void *), cmp_func);
	/* one probe per name, at its first address, as the original lists it */
	size_t k = 0;
	vec_foreach(&u->funcs, i) {
		struct ufunc *f = u->funcs.items[i];
		if (k && strcmp(((struct ufunc *)u->funcs.items[k - 1])->name, f->name) == 0) {
			free(f->name);
			free(f);
			continue;
		}
		u->funcs.items[k++] = f;
	}
	u->funcs.len = k;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp((*(const struct ufunc *const *)a)->name,
		      (*(const struct ufunc *const *)b)->name);
}

static struct ufunc *find_func(struct uelf *u, const char *name)
{
	struct ufunc key = {.name = (char *)name, .offset = 0}, *kp = &key;
	struct ufunc **r = bsearch(&kp, u->funcs.items, u->funcs.len, sizeof(void *), cmp_name);
	return r ? *r : NULL;
}

static char *pretty_name(Dwarf_Die *die)
{
	const char *name = dwarf_diename(die);
	const char *file = dwarf_decl_file(die);
	int line = 0;
	if (!name || !file || dwarf_decl_line(die, &line) != 0)
		return NULL;
	size_t len = strlen(name) + strlen(file) + 24;
	char *r = xmalloc(len);
	snprintf(r, len, "%s@%s:%d", name, file, line);
	return r;
}

/* The inlined instances under die: each one's entry, under its origin's
 * name (a function inlined everywhere has no symbol: added here). */
static void read_inlines(Elf *elf, Dwarf_Die *die, struct uelf *u, struct vec *added, int depth)
{
	Dwarf_Die child;
	if (depth > 32 || dwarf_child(die, &child) != 0)
		return;
	do {
		Dwarf_Addr entry;
		if (dwarf_tag(&child) == DW_TAG_inlined_subroutine && dwarf_diename(&child) &&
		    dwarf_entrypc(&child, &entry) == 0) {
			const char *name = dwarf_diename(&child);
			struct ufunc *f = find_func(u, name);
			if (!f) {
				vec_foreach(added, i) {
					struct ufunc *a = added->items[i];
					if (strcmp(a->name, name) == 0)
						f = a;
				}
			}
			uint64_t off;
			if (!f && file_offset(elf, entry, &off)) {
				f = xmalloc(sizeof(*f));
				memset(f, 0, sizeof(*f));
				f->name = xstrdup(name);
				f->pretty = pretty_name(&child);
				vec_push(added, f);
			}
			if (f) {
				uint64_t *v = xmalloc(sizeof(*v));
				*v = entry;
				vec_push(&f->inlines, v);
			}
		}
		read_inlines(elf, &child, u, added, depth + 1);
	} while (dwarf_siblingof(&child, &child) == 0);
}

/* NAME@FILE:LINE of each function the DWARF describes (defined, with code),
 * and the functions' inlined instances. */
static void read_dwarf(Elf *elf, struct uelf *u)
{
	struct vec added = {0};
	Dwarf *dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	if (!dw)
		return;
	u->has_dwarf = true;
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;
		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &die) == 0) {
			do {
				Dwarf_Addr lo;
				if (dwarf_tag(&die) != DW_TAG_subprogram ||
				    dwarf_lowpc(&die, &lo) != 0)
					continue;
				const char *name = dwarf_diename(&die);
				const char *file = dwarf_decl_file(&die);
				int line = 0;
				if (!name || !file || dwarf_decl_line(&die, &line) != 0)
					continue;
				struct ufunc *f = find_func(u, name);
				read_inlines(elf, &die, u, &added, 0);
				if (!f || f->pretty)
					continue;
				f->pretty = pretty_name(&die);
			} while (dwarf_siblingof(&die, &die) == 0);
		}
		off = next;
	}
	dwarf_end(dw);
	vec_foreach(&added, i)
		vec_push(&u->funcs, added.items[i]);
	vec_fini(&added);
	if (u->funcs.len > 1)
		qsort(u->funcs.items, u->funcs.len, sizeof(void *), cmp_func);
}

/* The SDT notes: "stapsdt" notes of type 3, whose description is the
 * probe's address, the base, the semaphore (each an address), then
 * provider, name and argument specs ("8@%rax -4@$5 ..."). */
static void read_marks(Elf *elf, struct uelf *u)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return;
	int addr = gelf_getclass(elf) == ELFCLASS32 ? 4 : 8;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		const char *sname = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!sname || strcmp(sname, ".note.stapsdt") != 0)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		size_t pos = 0, name_off, desc_off;
		GElf_Nhdr nh;
		while ((pos = gelf_getnote(data, pos, &nh, &name_off, &desc_off)) > 0) {
			const char *owner = (const char *)data->d_buf + name_off;
			if (nh.n_type != 3 || nh.n_namesz != 8 ||
			    memcmp(owner, "stapsdt", 8) != 0 || nh.n_descsz < (size_t)3 * addr + 3)
				continue;
			const char *d = (const char *)data->d_buf + desc_off;
			const char *end = d + nh.n_descsz;
			const char *prov = d + 3 * addr;
			const char *name = memchr(prov, 0, (size_t)(end - prov));
			if (!name++ || name >= end)
				continue;
			const char *args = memchr(name, 0, (size_t)(end - name));
			if (!args++ || args > end || !memchr(args, 0, (size_t)(end - args)))
				continue;
			int nargs = 0;
			for (const char *p = args; *p;) {
				while (*p == ' ')
					p++;
				if (!*p)
					break;
				nargs++;
				while (*p && *p != ' ')
					p++;
			}
			bool dup = false;
			vec_foreach(&u->marks, i) {
				struct umark *m = u->marks.items[i];
				if (strcmp(m->provider, prov) == 0 && strcmp(m->name, name) == 0) {
					dup = true;
					if (nargs > m->nargs)
						m->nargs = nargs;
				}
			}
			if (dup)
				continue;
			struct umark *m = xmalloc(sizeof(*m));
			m->provider = xstrdup(prov);
			m->name = xstrdup(name);
			m->nargs = nargs;
			vec_push(&u->marks, m);
		}
	}
	if (u->marks.len > 1) /* (no items: a NULL pointer, which qsort may not take) */
		qsort(u->marks.items, u->marks.len, sizeof(void *), cmp_mark);
}

static int uelf_read(const char *path, struct uelf *u)
{
	memset(u, 0, sizeof(*u));
	elf_version(EV_CURRENT);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		if (elf)
			elf_end(elf);
		close(fd);
		return -ENOEXEC;
	}
	read_symbols(elf, u);
	read_dwarf(elf, u);
	read_marks(elf, u);
	elf_end(elf);
	close(fd);
	return 0;
}

/* ---- the process ---- */

/* NAME without a slash through PATH, as the original resolves it; a path
 * made absolute.  Heap string, NULL when there is no such file. */
static char *resolve_path(const char *name)
{
	char buf[PATH_MAX];
	if (strchr(name, '/'))
		return realpath(name, buf) ? xstrdup(buf) : NULL;
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		char cand[PATH_MAX];
		snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, path, name);
		if (access(cand, X_OK) == 0 && realpath(cand, buf))
			return xstrdup(buf);
		path += n;
		if (*path == ':')
			path++;
	}
	return NULL;
}

/* The -c command's first word: the target's executable. */
static char *command_path(const char *cmd)
{
	while (*cmd == ' ' || *cmd == '\t')
		cmd++;
	size_t n = strcspn(cmd, " \t");
	char *word = xmalloc(n + 1);
	memcpy(word, cmd, n);
	word[n] = 0;
	char *r = resolve_path(word);
	free(word);
	return r;
}

static char *pid_path(long pid)
{
	char link[64], buf[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/%ld/exe", pid);
	ssize_t n = readlink(link, buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = 0;
	return xstrdup(buf);
}

/* " $argN:long" for each argument: what -L shows of a mark. */
static const char *mark_vars(struct elab_state *st, int nargs)
{
	struct strbuf sb;
	sb_init(&sb);
	for (int i = 1; i <= nargs; i++)
		sb_printf(&sb, " $arg%d:long", i);
	const char *r = arena_strdup(st->a, sb_str(&sb));
	sb_fini(&sb);
	return r;
}

static void add_input(struct elab_state *st, const char *path)
{
	/* the executable's identity is part of the module's cache key: its
	 * offsets are compiled in */
	struct stat sb;
	if (stat(path, &sb) != 0)
		memset(&sb, 0, sizeof(sb));
	vec_push_arena(st->a, &st->e->kernel_inputs,
		       arena_printf(st->a, "process %s %lld %lld.%09ld %llu", path,
				    (long long)sb.st_size, (long long)sb.st_mtim.tv_sec,
				    sb.st_mtim.tv_nsec, (unsigned long long)sb.st_ino));
}

static char *similar(struct elab_state *st, const char *what, const char *pattern,
		     const char **names, size_t n)
{
	char *s = suggest_names(pattern, names, n, 5, 1000);
	char *r = *s ? arena_printf(st->a, "no match (similar %s: %s)", what, s)
		     : arena_strdup(st->a, "no match");
	free(s);
	return r;
}

/* FILE of NAME@FILE:LINE against a pattern. */
static bool decl_file_matches(const char *pattern, const char *pretty)
{
	const char *at = pretty ? strchr(pretty, '@') : NULL;
	const char *colon = at ? strrchr(at, ':') : NULL;
	if (!colon)
		return false;
	char *file = xmalloc((size_t)(colon - at));
	memcpy(file, at + 1, (size_t)(colon - at - 1));
	file[colon - at - 1] = 0;
	bool r = dwarf_file_matches(pattern, file);
	free(file);
	return r;
}

static int derive_functions(struct elab_state *st, const struct derive_ctx *dc, const char *prefix,
			    const char *path, long pid, struct uelf *u)
{
	const struct probe_point *pt = dc->pt;
	const struct pp_comp *c1 = pp_comp_at(pt, 1), *c2 = pp_comp_at(pt, 2);
	bool ret = false, inl = false, call = false, exported = false;
	const char *suffix = "";
	if (!u->has_dwarf)
		diag_warning(st->d,
			     "cannot find module %s debuginfo: No DWARF information found [man "
			     "warning::debuginfo]",
			     path);
	if (c2) {
		bool label = strcmp(c2->name, "label") == 0;
		if (label ? !c2->arg || c2->arg->kind != EXPR_STRING
			  : c2->arg || (strcmp(c2->name, "return") != 0 &&
					strcmp(c2->name, "call") != 0 &&
					strcmp(c2->name, "inline") != 0 &&
					strcmp(c2->name, "exported") != 0))
			return probe_fail(
				st, dc, "probe point mismatch", c2->tok,
				"probe point mismatch (similar: call, exported, inline, label, "
				"return)");
		if (pp_comp_at(pt, 3))
			return probe_fail(st, dc, "probe point suffix", pp_comp_at(pt, 3)->tok,
					  "invalid suffix for probe");
		if (label) {
			int n = dwarf_derive_labels(st, dc, prefix, path, pid, c1->arg->str,
						    c2->arg->str);
			if (n == 0)
				return probe_fail(st, dc, "no match", NULL, "no match");
			add_input(st, path);
			return n;
		}
		ret = strcmp(c2->name, "return") == 0;
		inl = strcmp(c2->name, "inline") == 0;
		call = strcmp(c2->name, "call") == 0;
		exported = strcmp(c2->name, "exported") == 0;
		if (!ret)
			suffix = arena_printf(st->a, ".%s", c2->name);
	}
	/* the original's process function probes take no notice of a
	 * NAME@FILE:LINE's line: checked, then left aside */
	char *pattern, *file;
	int first, last;
	if (!dwarf_split_spec(c1->arg->str, &pattern, &file, &first, &last)) {
		free(pattern);
		free(file);
		return probe_fail(st, dc, "probe point value", c1->tok,
				  "invalid function specification (expected NAME@FILE:LINE)");
	}
	const char *pat = arena_strdup(st->a, pattern);
	free(pattern);
	if (ret)
		suffix = ".return";
	int n = 0;
	vec_foreach(&u->funcs, i) {
		const struct ufunc *f = u->funcs.items[i];
		if (fnmatch(pat, f->name, 0) != 0 ||
		    ((ret || call || exported) && !f->has_symbol) || (inl && !f->inlines.len) ||
		    (exported && !f->global))
			continue;
		if (file && !decl_file_matches(file, f->pretty))
			continue;
		const char *pp = arena_printf(st->a, "%s.function(\"%s\")%s", prefix,
					      f->pretty ? f->pretty : f->name, suffix);
		/* the function, then each inlined instance (not for .return,
		 * as the original); -l lists the name once */
		size_t nsites = ret || call || exported ? 0 : f->inlines.len;
		if (st->s->list_probes && nsites)
			nsites = f->has_symbol && !inl ? 0 : 1;
		for (size_t k = f->has_symbol && !inl ? 0 : 1; k <= nsites; k++) {
			uint64_t vaddr = k ? *(uint64_t *)f->inlines.items[k - 1] : f->vaddr;
			uint64_t off = f->offset;
			if (k && !elf_offset_of(path, vaddr, &off))
				continue;
			struct eprobe *p = arena_alloc(st->a, sizeof(*p));
			p->kind = PROBE_UPROBE;
			p->kernel = true;
			p->up_path = arena_strdup(st->a, path);
			p->up_offset = off;
			p->up_vaddr = vaddr;
			p->up_return = ret;
			p->up_pid = pid;
			p->vars = st->s->list_with_vars ? dwarf_probe_vars(st, path, vaddr, ret)
				  : ret                 ? " $return:long"
							: "";
			probes_add(st, dc, p, pp);
			n++;
		}
	}
	if (n == 0) {
		const char **names = xmalloc((u->funcs.len + 1) * sizeof(*names));
		vec_foreach(&u->funcs, i)
			names[i] = ((const struct ufunc *)u->funcs.items[i])->name;
		char *msg = similar(st, "functions", pat, names, u->funcs.len);
		free(names);
		free(file);
		return probe_fail(st, dc, "no match", NULL, msg);
	}
	free(file);
	add_input(st, path);
	return n;
}

/* process(...).statement("NAME@FILE:LINE") and .statement(ADDR)[.absolute] */
static int derive_statements(struct elab_state *st, const struct derive_ctx *dc, const char *prefix,
			     const char *path, long pid)
{
	const struct probe_point *pt = dc->pt;
	const struct pp_comp *c1 = pp_comp_at(pt, 1), *c2 = pp_comp_at(pt, 2);
	bool number = c1->arg->kind == EXPR_NUMBER;
	if ((c2 && (!number || c2->arg || strcmp(c2->name, "absolute") != 0)) || pp_comp_at(pt, 3))
		return probe_fail(st, dc, "probe point suffix",
				  c2 ? c2->tok : pp_comp_at(pt, 3)->tok,
				  "invalid suffix for probe");
	int n;
	if (number) {
		uint64_t a = (uint64_t)c1->arg->num;
		n = dwarf_derive_address(st, dc, path, pid, a,
					 arena_printf(st->a, "%s.statement(%#" PRIx64 ")%s", prefix,
						      a, c2 ? ".absolute" : ""));
	} else {
		n = dwarf_derive_statements(st, dc, prefix, path, pid, c1->arg->str);
	}
	if (n == 0)
		return probe_fail(st, dc, "no match", NULL, "no match");
	add_input(st, path);
	return n;
}

static int derive_marks(struct elab_state *st, const struct derive_ctx *dc, const char *prefix,
			const char *path, long pid, struct uelf *u)
{
	const struct probe_point *pt = dc->pt;
	const struct pp_comp *c1 = pp_comp_at(pt, 1);
	if (pp_comp_at(pt, 2))
		return probe_fail(st, dc, "probe point suffix", pp_comp_at(pt, 2)->tok,
				  "invalid suffix for probe");
	const char *pattern = c1->arg->str;
	int n = 0;
	vec_foreach(&u->marks, i) {
		const struct umark *m = u->marks.items[i];
		if (fnmatch(pattern, m->name, 0) != 0)
			continue;
		struct eprobe *p = arena_alloc(st->a, sizeof(*p));
		p->kind = PROBE_USDT;
		p->kernel = true;
		p->up_path = arena_strdup(st->a, path);
		p->up_pid = pid;
		p->usdt_provider = arena_strdup(st->a, m->provider);
		p->usdt_name = arena_strdup(st->a, m->name);
		p->usdt_nargs = m->nargs;
		p->vars = mark_vars(st, m->nargs);
		probes_add(st, dc, p, arena_printf(st->a, "%s.mark(\"%s\")", prefix, m->name));
		n++;
	}
	if (n == 0) {
		const char **names = xmalloc((u->marks.len + 1) * sizeof(*names));
		vec_foreach(&u->marks, i)
			names[i] = ((const struct umark *)u->marks.items[i])->name;
		char *msg = similar(st, "marks", pattern, names, u->marks.len);
		free(names);
		return probe_fail(st, dc, "no match", NULL, msg);
	}
	add_input(st, path);
	return n;
}

int probes_derive_process(struct elab_state *st, const struct derive_ctx *dc)
{
	const struct probe_point *pt = dc->pt;
	const struct pp_comp *c0 = pp_comp_at(pt, 0), *c1 = pp_comp_at(pt, 1);
	if (!c1)
		return probe_fail(st, dc, "probe point mismatch", c0->tok,
				  "probe point truncated (follow:  function(string) mark(string))");
	if (procev_is_event(c1->name))
		return probes_derive_procevents(st, dc);
	bool is_func = strcmp(c1->name, "function") == 0;
	bool is_mark = strcmp(c1->name, "mark") == 0;
	bool is_stmt = strcmp(c1->name, "statement") == 0;
	if (!is_func && !is_mark && !is_stmt) {
		const char *msg =
			strcmp(c1->name, "begin") == 0 || strcmp(c1->name, "end") == 0 ||
					strcmp(c1->name, "plt") == 0 ||
					strcmp(c1->name, "library") == 0 ||
					strcmp(c1->name, "thread") == 0 ||
					strcmp(c1->name, "syscall") == 0
				? arena_printf(st->a,
					       "process(...).%s probes are not supported yet",
					       c1->name)
				: "probe point mismatch (similar: function, mark, statement)";
		return probe_fail(st, dc,
				  strncmp(msg, "probe point", 11) == 0 ? "probe point mismatch"
								       : "probe point value",
				  c1->tok, msg);
	}
	if (!c1->arg ||
	    (c1->arg->kind != EXPR_STRING && !(is_stmt && c1->arg->kind == EXPR_NUMBER)))
		return probe_fail(st, dc, "probe point mismatch", c1->tok, "probe point mismatch");
	char *path = NULL;
	long pid = -1;
	const char *prefix;
	if (!c0->arg) {
		if (st->s->target_cmd)
			path = command_path(st->s->target_cmd);
		else if (st->s->target_pid)
			path = pid_path(st->s->target_pid);
		else
			return probe_fail(
				st, dc, "probe point value", c0->tok,
				"process probes without a path or pid need -c CMD or -x PID");
		if (!path)
			return probe_fail(st, dc, "no match", NULL, "no match");
		prefix = arena_printf(st->a, "process(\"%s\")", path);
	} else if (c0->arg->kind == EXPR_NUMBER) {
		pid = (long)c0->arg->num;
		path = pid_path(pid);
		if (!path)
			return probe_fail(st, dc, "no match", NULL, "no match");
		prefix = arena_printf(st->a, "process(%ld)", pid);
	} else {
		path = resolve_path(c0->arg->str);
		if (!path)
			return probe_fail(st, dc, "no match", NULL, "no match");
		prefix = arena_printf(st->a, "process(\"%s\")", path);
	}
	struct uelf u;
	if (uelf_read(path, &u) != 0) {
		free(path);
		return probe_fail(st, dc, "no match", NULL, "no match");
	}
	int n = is_func   ? derive_functions(st, dc, prefix, path, pid, &u)
		: is_stmt ? derive_statements(st, dc, prefix, path, pid)
			  : derive_marks(st, dc, prefix, path, pid, &u);
	uelf_fini(&u);
	free(path);
	return n;
}

char *process_resolve_path(const char *name)
{
	return resolve_path(name);
}

char *process_pid_path(long pid)
{
	return pid_path(pid);
}

/* ---- context variables ---- */

static struct expr *context_read(struct elab_state *st, enum ctxvar_kind kind, int index,
				 const struct token *tok)
{
	struct expr *e = arena_alloc(st->a, sizeof(*e));
	struct ctxvar *cv = arena_alloc(st->a, sizeof(*cv));
	cv->kind = kind;
	cv->type = TYPE_LONG;
	cv->arg_index = index;
	e->kind = EXPR_CONTEXT;
	e->tok = tok;
	e->cv = cv;
	return e;
}

/* $argN of a mark: N, or 0 when the name is not one. */
static int arg_number(const struct eprobe *p, const char *name)
{
	if (strncmp(name, "$arg", 4) != 0 || !name[4])
		return 0;
	char *end;
	long n = strtol(name + 4, &end, 10);
	return *end || n < 1 || n > p->usdt_nargs || name[4] == '0' ? 0 : (int)n;
}

int process_target_defined(const struct elab_state *st, const struct expr *x)
{
	const struct eprobe *p = st->probe;
	if (x->comps.len)
		return 0;
	const char *n = x->str;
	if (p->kind == PROBE_UPROBE)
		return (p->up_return && strcmp(n, "$return") == 0) || dwarf_target_defined(st, x);
	return strcmp(n, "$$name") == 0 || strcmp(n, "$$provider") == 0 ||
	       strcmp(n, "$$parms") == 0 || strcmp(n, "$$vars") == 0 || arg_number(p, n) > 0;
}

void process_resolve_target(struct elab_state *st, struct expr *e)
{
	const struct eprobe *p = st->probe;
	const char *name = e->str;
	if (p->kind == PROBE_UPROBE && !e->addressof && dwarf_resolve_target(st, e))
		return;
	if (e->comps.len || e->addressof) {
		diag_semantic(st->d, NULL, e->tok,
			      "user-space context variables are read as they are here: '%s' has "
			      "no members, elements or address yet",
			      name);
		return;
	}
	if (p->kind == PROBE_UPROBE) {
		if (p->up_return && strcmp(name, "$return") == 0) {
			*e = *context_read(st, CV_UPROBE_RETURN, 0, e->tok);
			return;
		}
		if (strcmp(name, "$return") == 0)
			diag_semantic(st->d, NULL, e->tok,
				      "unable to find local 'return': $return is only in .return "
				      "probes");
		else
			diag_semantic(st->d, NULL, e->tok,
				      "unable to find local '%s': the variables of user-space "
				      "functions need the program's DWARF, which is not supported "
				      "yet%s",
				      name + (name[0] == '$' && name[1] != '$'),
				      p->up_return ? " (alternatives: $return)" : "");
		return;
	}
	if (strcmp(name, "$$name") == 0 || strcmp(name, "$$provider") == 0) {
		context_make_string(e, name[2] == 'n' ? p->usdt_name : p->usdt_provider);
		return;
	}
	if (strcmp(name, "$$parms") == 0 || strcmp(name, "$$vars") == 0) {
		/* the original's "$arg1=%#x $arg2=%#x ...", which 0x%x prints alike */
		struct strbuf fmt;
		sb_init(&fmt);
		struct vec args = {0};
		for (int i = 1; i <= p->usdt_nargs; i++) {
			sb_printf(&fmt, "%s$arg%d=0x%%x", i > 1 ? " " : "", i);
			vec_push_arena(st->a, &args, context_read(st, CV_USDT_ARG, i - 1, e->tok));
		}
		context_make_sprintf(st, e, arena_strdup(st->a, sb_str(&fmt)), &args);
		sb_fini(&fmt);
		return;
	}
	int n = arg_number(p, name);
	if (n > 0) {
		*e = *context_read(st, CV_USDT_ARG, n - 1, e->tok);
		return;
	}
	struct strbuf alt;
	sb_init(&alt);
	for (int i = 1; i <= p->usdt_nargs; i++)
		sb_printf(&alt, "%s$arg%d", i > 1 ? ", " : "", i);
	diag_semantic(st->d, NULL, e->tok, "unable to find local '%s'%s%s%s",
		      name + (name[0] == '$' && name[1] != '$'), alt.len ? " (alternatives: " : "",
		      sb_str(&alt), alt.len ? ")" : "");
	sb_fini(&alt);
}
