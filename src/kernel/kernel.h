/*
 * What stap knows about the running kernel, for pass 2 (which probe points
 * exist, how their context is laid out) and pass 5 (what can be attached):
 * tracefs events and their formats, and the software and hardware perf
 * events.  Nothing here compiles or loads BPF.
 */
#ifndef STAP_KERNEL_H
#define STAP_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/util.h"

/* ---- configuration (config.c) ---- */

/* HZ of the running kernel: CONFIG_HZ, or the tick the coarse clocks show. */
int kernel_hz(void);
/* The kernel's jiffies counter now, as user space can tell (config.c). */
int64_t kernel_jiffies(void);

/* ---- tracefs (tracefs.c) ---- */

/* The tracefs directory, mounting tracefs on /sys/kernel/tracing when it is
 * missing and we may; NULL (and errno) when there is none. */
const char *tracefs_dir(void);

/* Every event of the kernel as "group:event" heap strings, sorted; 0 or
 * -errno (no tracefs, not readable). */
int tracefs_events(struct vec *out);

enum tp_field_kind {
	TPF_INT,        /* an integer of 1, 2, 4 or 8 bytes */
	TPF_CHAR_ARRAY, /* char name[N]: a string of at most N bytes */
	TPF_DATA_LOC,   /* __data_loc char[] name: a string elsewhere in the record */
	TPF_POINTER,    /* T *name: an address (a long) */
	TPF_OTHER,      /* arrays of other types, __data_loc of other types */
};

struct tp_field {
	const char *name;
	const char *type; /* as the format writes it: "const char *", "int" */
	enum tp_field_kind kind;
	int offset, size;
	bool is_signed;
	bool common; /* common_pid and the other fields every event has */
};

struct tp_format {
	int id;
	struct vec fields; /* of struct tp_field, in record order */
};

/* Parse events/GROUP/EVENT/format into the arena; 0 or -errno. */
int tracefs_format(struct arena *a, const char *group, const char *event, struct tp_format *out);

/* The raw text of the format file (heap), for the module cache key. */
char *tracefs_format_text(const char *group, const char *event);

/* ---- perf events (perf.c) ---- */

struct perf_event_name {
	const char *name; /* "cpu_clock" */
	uint32_t type;    /* PERF_TYPE_SOFTWARE, PERF_TYPE_HARDWARE */
	uint64_t config;
};

/* The events perf.sw.NAME (hw false) or perf.hw.NAME (hw true) may name,
 * ending with a NULL name. */
const struct perf_event_name *perf_event_names(bool hw);

/* Whether this machine can count type/config: 0, or -errno from
 * perf_event_open (ENOENT: no such event, e.g. no hardware PMU). */
int perf_event_probe(uint32_t type, uint64_t config);

/* ---- kernel types (btf.c) ---- */

/* One step of a @cast chain: ->member or [index]. */
struct kbtf_step {
	bool deref;    /* through a pointer (or from the cast address) first */
	bool is_index; /* [index] of an array member */
	long index;
	const char *owner; /* the struct or union the member is in */
	bool owner_union;
	const char *member;
	char *decl;           /* the member's C declaration, for CO-RE (heap) */
	const char *complete; /* a struct the declaration embeds whole */
	int id;               /* the type reached */
};

enum kbtf_kind {
	KBTF_LONG,      /* an integer, enum or pointer */
	KBTF_STRING,    /* char name[N] */
	KBTF_AGGREGATE, /* a struct, union or other array */
};

struct kbtf_value {
	enum kbtf_kind kind;
	int size; /* bytes of an integer; N of a char array */
	bool is_signed, is_pointer;
};

/* The type id of "struct NAME", "union NAME", "NAME" (or a typedef of
 * one); -1 and *err when the kernel has none. */
int kbtf_root(const char *type_name, const char **err);
/* From type id (at_address: the first step, from the cast's address); 0,
 * or -1 (-2: no such member) and *err. */
int kbtf_step(int id, bool at_address, const char *member, long index, bool is_index,
	      struct kbtf_step *out, const char **err);
int kbtf_value(int id, struct kbtf_value *out);
bool kbtf_is_union(int id);
const char *kbtf_type_name(int id);
/* "struct task_struct *", for messages and -L (heap). */
char *kbtf_describe(int id);
/* The kernel's BTF (libbpf's struct btf), NULL when it cannot be read. */
struct btf;
struct btf *kbtf_vmlinux(void);

/* ---- kernel functions (kfunc.c) ---- */

/* A parameter or return value of a kernel function, from its BTF. */
struct kfunc_value {
	const char *type; /* as -L shows it: "struct file*" */
	bool scalar;      /* an integer, enum or pointer: one register */
	int size;
	bool is_signed, is_pointer;
	const char *pointee; /* a pointer to "struct NAME" (or a typedef of one) */
	bool char_pointer;
};

struct kfunc_param {
	const char *name;
	struct kfunc_value value;
};

struct kfunc {
	const char *name;
	const char *module; /* NULL: vmlinux */
	int nparams;
	struct kfunc_param *params;
	bool varargs;
	bool returns; /* not void */
	struct kfunc_value ret;
};

/* The traceable functions of the kernel (module NULL) or of a module
 * matching the fnmatch pattern (only exported ones: exported_only), as
 * struct kfunc in the arena, appended to out sorted by name; all_names, if
 * given, gets every traceable name (for "similar functions").  0, or -1
 * and *err. */
int kfunc_list(struct arena *a, const char *module, const char *pattern, bool exported_only,
	       struct vec *out, struct vec *all_names, const char **err);
/* Whether the running kernel has the function in its BTF and lets it be
 * traced (available_filter_functions, when readable): for a module
 * compiled against another kernel. */
bool kfunc_probeable(const char *name, const char *module);
/* Whether this kernel attaches fentry programs (tried once, on func or
 * vfs_read), and whether it has kprobes: how kernel function probes run. */
bool kfunc_fentry_works(const char *func);
bool kfunc_kprobes_work(void);
/* 0 when the kernel's exported symbols can be known, -ENOENT otherwise. */
int kfunc_exported_available(void);
/* The loaded modules' names (heap strings, sorted); 0 or -errno. */
int kfunc_modules(struct vec *out);
/* The members of struct or union id (or of the one it points to), as
 * "a, b, c" (heap): a message's alternatives. */
char *kbtf_member_names(int id);
/* The struct or union that pointer type id points to; -1 if none. */
int kbtf_pointee(int id);
bool kbtf_is_char_pointer(int id);

/* A member of a struct or union, for pretty-printing it. */
struct kbtf_member {
	const char *name; /* NULL: an anonymous struct or union */
	int type_id;      /* typedefs and qualifiers resolved */
	bool bitfield, is_union;
};
/* The members of struct or union id, in order, into out (at most max);
 * their number, or -1 when id is none. */
int kbtf_members(int id, struct kbtf_member *out, int max);
/* The C type as the original's -L writes it from DWARF: "struct
 * task_struct*", "unsigned int", "pid_t", "const char*" (heap). */
char *kbtf_type_text(int id);

/* A named parameter of a kernel function: its name (BTF's string, valid
 * for the whole run) and type id. */
struct kbtf_param {
	const char *name;
	int type_id;
};

/* The parameters of kernel function FUNC, in order, into out (at most
 * max); their number, or -1 and *err (no such function, no BTF). */
int kbtf_func_params(const char *func, struct kbtf_param *out, int max, const char **err);

/* The C arguments of tracepoint EVENT (its TP_PROTO), in order: the
 * parameters of the kernel's __traceiter_EVENT() but its first (void
 * *__data).  0 when the event is no tracepoint (syscalls:*: ftrace's own
 * events) or the kernel's BTF does not name them. */
#define KBTF_MAX_TP_ARGS 12 /* bpf_trace_run12(): what a raw_tp program can see */
int kbtf_tracepoint_args(const char *event, struct kbtf_param *out);

#endif
