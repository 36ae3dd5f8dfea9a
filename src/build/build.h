/*
 * Pass 4: compile the C of pass 3 into a module with the system C compiler,
 * and the module cache.  A module is a shared object; the cache keeps it
 * under $SYSTEMTAP_DIR/cache (default ~/.systemtap/cache, as the original)
 * named by a hash of everything that shaped it, so an unchanged script runs
 * again without passes 3 and 4.
 */
#ifndef STAP_BUILD_H
#define STAP_BUILD_H

#include "../session.h"

/* The cache key (hex, heap): the input texts (script and tapset files),
 * the options that shape the code, the runtime header and the compiler. */
char *build_hash(const struct session *s, const struct vec *texts, bool bpf);

/* The cached module's path (heap), or NULL. */
char *build_cache_lookup(const struct session *s, const char *hash);

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
