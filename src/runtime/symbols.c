/*
 * Symbols, for the runtime: kernel addresses through /proc/kallsyms, user
 * addresses through elfutils (libdwfl on the process's maps and ELF
 * files), and the original's printed forms of both: symname ("vfs_read"),
 * symdata ("vfs_read+0x0/0x140 [kernel]") and the lines of a printed stack
 * (" 0xffffffff81234567 : vfs_read+0x0/0x140 [kernel]"; a user module is
 * named by its path).
 *
 * BPF code cannot look symbols up, so in kernel context symname(),
 * sprint_backtrace() and the like return a *deferred* string: a marker
 * holding the addresses (see symbols.h), which user space expands into the
 * text when the string is printed.
 */
#define _GNU_SOURCE
#include "symbols.h"

#include "output.h"

#include <elfutils/libdwfl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ksym {
	uint64_t addr;
	const char *name;
	const char *module; /* "kernel" or the module's name */
};

static struct ksym *ksyms;
static size_t nksyms;
static char *ksym_text; /* the names, one buffer */
static bool ksyms_loaded;

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void load_ksyms(void)
{
	ksyms_loaded = true;
	FILE *f = fopen("/proc/kallsyms", "r");
	if (!f)
		return;
	struct strbuf names;
	sb_init(&names);
	size_t cap = 0, n = 0;
	struct {
		uint64_t addr;
		size_t name, module;
	} *raw = NULL;
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a;
		char type, name[512], module[256] = "";
		int k = sscanf(line, "%llx %c %511s [%255[^]]]", &a, &type, name, module);
		if (k < 3 || a == 0 || (type != 't' && type != 'T' && type != 'w' && type != 'W'))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			raw = xrealloc(raw, cap * sizeof(*raw));
		}
		raw[n].addr = a;
		raw[n].name = names.len;
		sb_puts(&names, name);
		sb_putc(&names, 0);
		raw[n].module = names.len;
		sb_puts(&names, k == 4 ? module : "kernel");
		sb_putc(&names, 0);
		n++;
	}
	fclose(f);
	ksym_text = names.buf; /* kept: the names point into it */
	ksyms = xmalloc((n ? n : 1) * sizeof(*ksyms));
	for (size_t i = 0; i < n; i++) {
		ksyms[i].addr = raw[i].addr;
		ksyms[i].name = ksym_text + raw[i].name;
		ksyms[i].module = ksym_text + raw[i].module;
	}
	free(raw);
	nksyms = n;
	qsort(ksyms, nksyms, sizeof(*ksyms), cmp_ksym);
}

bool symtab_kernel(uint64_t addr, struct sym_info *out)
{
	if (!ksyms_loaded)
		load_ksyms();
	if (!nksyms || addr < ksyms[0].addr)
		return false;
	size_t lo = 0, hi = nksyms;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (ksyms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	/* the last of several names at one address, as kallsyms lists them */
	out->name = ksyms[lo].name;
	out->module = ksyms[lo].module;
	out->offset = addr - ksyms[lo].addr;
	out->size = lo + 1 < nksyms ? ksyms[lo + 1].addr - ksyms[lo].addr : 0;
	if (out->size && out->offset >= out->size)
		return false;
	return true;
}

/* ---- user space: one libdwfl session per process, kept ---- */

struct proc_syms {
	int pid;
	Dwfl *dwfl;
};

static struct proc_syms procs[16];
static int nprocs;
static char *user_name; /* the last name given out */

static const Dwfl_Callbacks proc_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
};

static Dwfl *dwfl_of(int pid)
{
	for (int i = 0; i < nprocs; i++)
		if (procs[i].pid == pid)
			return procs[i].dwfl;
	Dwfl *d = dwfl_begin(&proc_callbacks);
	if (!d)
		return NULL;
	if (dwfl_linux_proc_report(d, pid) != 0 || dwfl_report_end(d, NULL, NULL) != 0) {
		dwfl_end(d);
		return NULL;
	}
	if (nprocs == 16) {
		dwfl_end(procs[0].dwfl);
		memmove(procs, procs + 1, 15 * sizeof(procs[0]));
		nprocs--;
	}
	procs[nprocs].pid = pid;
	procs[nprocs].dwfl = d;
	nprocs++;
	return d;
}

bool symtab_user(int pid, uint64_t addr, struct sym_info *out)
{
	Dwfl *d = pid > 0 ? dwfl_of(pid) : NULL;
	if (!d)
		return false;
	Dwfl_Module *m = dwfl_addrmodule(d, addr);
	if (!m)
		return false;
	GElf_Off off = 0;
	GElf_Sym sym;
	const char *name = dwfl_module_addrinfo(m, addr, &off, &sym, NULL, NULL, NULL);
	if (!name)
		return false;
	/* the original names a user module by its path */
	const char *mod = dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	free(user_name);
	user_name = xstrdup(name);
	out->name = user_name;
	out->module = mod ? mod : "";
	out->offset = off;
	out->size = sym.st_size;
	return true;
}

void symtab_fini(void)
{
	for (int i = 0; i < nprocs; i++)
		dwfl_end(procs[i].dwfl);
	nprocs = 0;
	free(user_name);
	user_name = NULL;
	free(ksyms);
	free(ksym_text);
	ksyms = NULL;
	ksym_text = NULL;
	nksyms = 0;
	ksyms_loaded = false;
}

/* ---- the printed forms ---- */

static bool lookup(int pid, uint64_t addr, struct sym_info *si)
{
	return pid ? symtab_user(pid, addr, si) : symtab_kernel(addr, si);
}

void symtab_name(struct strbuf *sb, int pid, uint64_t addr)
{
	struct sym_info si;
	if (lookup(pid, addr, &si))
		sb_puts(sb, si.name);
	else
		sb_printf(sb, "0x%" PRIx64, addr);
}

void symtab_data(struct strbuf *sb, int pid, uint64_t addr)
{
	struct sym_info si;
	if (lookup(pid, addr, &si))
		sb_printf(sb, "%s+0x%" PRIx64 "/0x%" PRIx64 " [%s]", si.name, si.offset, si.size,
			  si.module);
	else
		sb_printf(sb, "0x%" PRIx64, addr);
}

void symtab_stack_line(struct strbuf *sb, int pid, uint64_t addr)
{
	struct sym_info si;
	if (lookup(pid, addr, &si))
		sb_printf(sb, " 0x%016" PRIx64 " : %s+0x%" PRIx64 "/0x%" PRIx64 " [%s]\n", addr,
			  si.name, si.offset, si.size, si.module);
	else
		sb_printf(sb, " 0x%016" PRIx64 "\n", addr);
}

void symtab_stack(struct strbuf *sb, int pid, const char *hex)
{
	for (const char *p = hex; *p;) {
		char *end;
		unsigned long long a = strtoull(p, &end, 16);
		if (end == p)
			break;
		symtab_stack_line(sb, pid, a);
		p = end;
		while (*p == ' ')
			p++;
	}
}

/* ---- deferred strings ---- */

bool symtab_has_marker(const char *s, size_t len)
{
	return memchr(s, SYM_MARK, len) != NULL;
}

/* "\x01" KIND PID ":" HEX[ HEX...] "\x02" */
void symtab_expand(struct strbuf *sb, const char *s, size_t len)
{
	const char *end = s + len;
	while (s < end) {
		const char *m = memchr(s, SYM_MARK, (size_t)(end - s));
		if (!m) {
			sb_putn(sb, s, (size_t)(end - s));
			return;
		}
		sb_putn(sb, s, (size_t)(m - s));
		const char *close = memchr(m, SYM_MARK_END, (size_t)(end - m));
		if (!close || close - m < 3) {
			sb_putn(sb, m, (size_t)(end - m));
			return;
		}
		char kind = m[1];
		char body[1024];
		size_t bl = (size_t)(close - m - 2);
		if (bl >= sizeof(body))
			bl = sizeof(body) - 1;
		memcpy(body, m + 2, bl);
		body[bl] = 0;
		char *colon = strchr(body, ':');
		int pid = colon ? atoi(body) : 0;
		const char *hex = colon ? colon + 1 : body;
		uint64_t addr = strtoull(hex, NULL, 16);
		switch (kind) {
		case SYM_KIND_NAME:
			symtab_name(sb, pid, addr);
			break;
		case SYM_KIND_DATA:
			symtab_data(sb, pid, addr);
			break;
		case SYM_KIND_STACK:
			symtab_stack(sb, pid, hex);
			break;
		default:
			break;
		}
		s = close + 1;
	}
}

void symtab_expand_args(struct out_arg *args, size_t n)
{
	static struct strbuf bufs[64];
	for (size_t i = 0; i < n && i < 64; i++) {
		if (!args[i].is_string || !symtab_has_marker(args[i].s, args[i].len))
			continue;
		bufs[i].len = 0;
		symtab_expand(&bufs[i], args[i].s, args[i].len);
		args[i] = OUT_STR(sb_str(&bufs[i]), bufs[i].len);
	}
}
