/*
 * Symbols for the runtime (symbols.c): kernel and user addresses to names,
 * in the original's printed forms, and the deferred strings of BPF code.
 *
 * A deferred string is "\x01" KIND [PID ":"] HEX[ HEX...] "\x02" inside a
 * script string: KIND 'n' symname, 'd' symdata, 's' a stack's lines; PID
 * (user symbols) or none (kernel).  BPF code writes them
 * (runtime/include/stp_bpf.h: stp_symname and friends); printing expands
 * them (sym_expand).
 */
#ifndef STAP_RUNTIME_SYMBOLS_H
#define STAP_RUNTIME_SYMBOLS_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/util.h"

#define SYM_MARK       '\x01'
#define SYM_MARK_END   '\x02'
#define SYM_KIND_NAME  'n'
#define SYM_KIND_DATA  'd'
#define SYM_KIND_STACK 's'

struct sym_info {
	const char *name;   /* valid until the next lookup */
	const char *module; /* "kernel", a module, or a user file's path */
	uint64_t offset, size;
};

bool symtab_kernel(uint64_t addr, struct sym_info *out);
bool symtab_user(int pid, uint64_t addr, struct sym_info *out);
void symtab_fini(void);

/* pid 0: a kernel address.  Unknown addresses print as hex. */
void symtab_name(struct strbuf *sb, int pid, uint64_t addr);
void symtab_data(struct strbuf *sb, int pid, uint64_t addr);
void symtab_stack_line(struct strbuf *sb, int pid, uint64_t addr);
/* Each address of "HEX HEX ..." as a stack line. */
void symtab_stack(struct strbuf *sb, int pid, const char *hex);

bool symtab_has_marker(const char *s, size_t len);
void symtab_expand(struct strbuf *sb, const char *s, size_t len);
/* Expand the deferred strings among a print's arguments, in place (the
 * texts live until the next call). */
struct out_arg;
void symtab_expand_args(struct out_arg *args, size_t n);

#endif
