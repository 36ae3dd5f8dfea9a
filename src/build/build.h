/*
 * Pass 4: compile the C of pass 3 into a module with the system C compiler,
 * and the module cache.  A module is a shared object; the cache keeps it
 * under $SYSTEMTAP_DIR/cache (default ~/.systemtap/cache, as the original;
 * never a shared directory) named by a hash of everything that shaped it,
 * so an unchanged script runs again without passes 3 and 4.  Directories
 * are made 0700 and modules 0600, each written to a new file (O_EXCL,
 * O_NOFOLLOW) renamed into place.
 */
#ifndef STAP_BUILD_H
#define STAP_BUILD_H

#include "../session.h"

/* The cache key (hex, heap): the input texts (script and tapset files),
 * the options that shape the code (-g -u -w -t -T -s -D, --runtime,
 * --compatible, --privilege, the script arguments), the system it is built
 * for (below), the runtime headers and the compilers. */
char *build_hash(const struct session *s, const struct vec *texts, bool bpf);

/* What of the running system shapes a module (heap strings). */
struct build_system {
	char *release; /* uname -r */
	char *version; /* uname -v: the build of that release */
	char *machine; /* uname -m */
	char *btf;     /* /sys/kernel/btf/vmlinux's size and time, "" without */
	char *config;  /* the kernel config's bytes, "" when not found */
};
void build_system_probe(struct build_system *sys);
void build_system_fini(struct build_system *sys);

/* build_hash for a given system (the unit test varies it). */
char *build_hash_for(const struct session *s, const struct vec *texts, bool bpf,
		     const struct build_system *sys);

/* The cached module: 0 and *path (heap, NULL when not cached), or -1 after
 * an error: a cache directory or module that is not the invoking user's or
 * is writable by group or others is refused, as dlopen runs its code. */
int build_cache_lookup(const struct session *s, const char *hash, char **path);

/* Compile c_text (and bpf_text, the BPF program it embeds, if not NULL);
 * 0 and *path (heap) of the module (in the cache, or ./NAME.so with -m
 * NAME), or -1 after the compiler's messages. */
int build_module(struct session *s, const char *c_text, const char *bpf_text, const char *hash,
		 char **path);

/* The session's temporary directory (0700, under $TMPDIR or /tmp), created
 * on first use; NULL after an error message. */
const char *build_tmpdir(struct session *s);

/* Remove it, or with -k keep it and say so. */
void build_cleanup(struct session *s);

#endif
