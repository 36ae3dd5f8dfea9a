/*
 * Small building blocks shared by every pass: an arena for allocations that
 * live as long as a session, a growable byte buffer, and a growable vector of
 * pointers.  Nothing here knows about SystemTap.
 */
#ifndef STAP_UTIL_H
#define STAP_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Arena: many small allocations, freed together. */
struct arena_block;
struct arena {
	struct arena_block *head;
};

void arena_init(struct arena *a);
void arena_fini(struct arena *a);
void *arena_alloc(struct arena *a, size_t size); /* zeroed */
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);

/* Growable NUL-terminated byte buffer on the heap. */
struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};

void sb_init(struct strbuf *sb);
void sb_fini(struct strbuf *sb);
void sb_putc(struct strbuf *sb, char c);
void sb_putn(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
const char *sb_str(struct strbuf *sb); /* never NULL */

/* Growable array of pointers on the heap. */
struct vec {
	void **items;
	size_t len;
	size_t cap;
};

void vec_push(struct vec *v, void *item);
void vec_fini(struct vec *v);
/* The same, with the items in an arena: nothing to free, safe to abandon. */
void vec_push_arena(struct arena *a, struct vec *v, void *item);

#define vec_foreach(v, i) for (size_t i = 0; i < (v)->len; i++)

/* Memory allocation that aborts the program when the system is out of memory. */
void *xmalloc(size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);

/* Edit distance with SystemTap's weights: insertions, deletions and
 * substitutions cost 2, a substitution of the other letter case 1; but the
 * original's table starts its borders at 1 a letter, so a leading run of
 * insertions or deletions costs 1 each (kept: it orders the suggestions). */
unsigned edit_distance2(const char *a, const char *b);

/* "a, b, c": up to max of the n names (taken in strcmp order) nearest to
 * target by edit_distance2, none farther than threshold, in score order and
 * ties in name order; "" when there is none.  As the original's
 * levenshtein_suggest, a name is skipped once max better-or-equal ones are
 * known.  Heap string. */
char *suggest_names(const char *target, const char *const *names, size_t n, unsigned max,
		    unsigned threshold);

/* ppfunc(): the function a probe point names, the text of its first
 * ("...") argument up to an '@' (kernel.function("vfs_read@fs/read.c") is
 * vfs_read); "" when it has none. */
void pp_function(const char *pp, char *out, size_t size);

/* Read a whole file (or stdin for "-") into a NUL-terminated heap buffer. */
char *read_file(const char *path, size_t *len);

#endif
