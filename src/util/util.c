/*
 * Arena, strbuf, vec and allocation helpers (see util.h).  The arena hands out
 * memory from large blocks and frees them all at once, so the AST and tokens
 * need no individual frees.
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
	struct arena_block *next;
	size_t used;
	size_t cap;
	max_align_t data[];
};

enum { ARENA_BLOCK = 64 * 1024 };

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p) {
		fputs("stap: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p) {
		fputs("stap: out of memory\n", stderr);
		abort();
	}
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

void arena_init(struct arena *a)
{
	a->head = NULL;
}

void arena_fini(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}

void *arena_alloc(struct arena *a, size_t size)
{
	size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	struct arena_block *b = a->head;
	if (!b || b->cap - b->used < size) {
		size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
		b = xmalloc(sizeof(*b) + cap);
		b->cap = cap;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	void *p = (char *)b->data + b->used;
	b->used += size;
	memset(p, 0, size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	struct strbuf sb;
	sb_init(&sb);
	sb_vprintf(&sb, fmt, ap);
	char *p = arena_strndup(a, sb_str(&sb), sb.len);
	sb_fini(&sb);
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void sb_init(struct strbuf *sb)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
}

void sb_fini(struct strbuf *sb)
{
	free(sb->buf);
	sb_init(sb);
}

static void sb_grow(struct strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap * 2 : 64;
	while (cap < sb->len + extra + 1)
		cap *= 2;
	sb->buf = xrealloc(sb->buf, cap);
	sb->cap = cap;
}

void sb_putn(struct strbuf *sb, const char *s, size_t n)
{
	sb_grow(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_putc(struct strbuf *sb, char c)
{
	sb_putn(sb, &c, 1);
}

void sb_puts(struct strbuf *sb, const char *s)
{
	sb_putn(sb, s, strlen(s));
}

void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	sb_grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(sb, fmt, ap);
	va_end(ap);
}

const char *sb_str(struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

void vec_push(struct vec *v, void *item)
{
	if (v->len == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->items = xrealloc(v->items, v->cap * sizeof(void *));
	}
	v->items[v->len++] = item;
}

void vec_push_arena(struct arena *a, struct vec *v, void *item)
{
	if (v->len == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 4;
		void **items = arena_alloc(a, cap * sizeof(void *));
		if (v->len)
			memcpy(items, v->items, v->len * sizeof(void *));
		v->items = items;
		v->cap = cap;
	}
	v->items[v->len++] = item;
}

void vec_fini(struct vec *v)
{
	free(v->items);
	v->items = NULL;
	v->len = v->cap = 0;
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f)
		return NULL;
	struct strbuf sb;
	sb_init(&sb);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sb_putn(&sb, chunk, n);
	int err = ferror(f);
	if (f != stdin)
		fclose(f);
	if (err) {
		sb_fini(&sb);
		errno = EIO;
		return NULL;
	}
	*len = sb.len;
	if (!sb.buf)
		sb.buf = xstrdup("");
	return sb.buf;
}

unsigned edit_distance2(const char *a, const char *b)
{
	size_t lb = strlen(b);
	unsigned *row = xmalloc((lb + 1) * sizeof(*row));
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; a[i - 1]; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j], best;
			if (a[i - 1] == b[j - 1]) {
				best = diag;
			} else {
				unsigned sub = tolower((unsigned char)a[i - 1]) ==
							       tolower((unsigned char)b[j - 1])
						       ? 1
						       : 2;
				best = diag + sub;
				if (up + 2 < best)
					best = up + 2;
				if (row[j - 1] + 2 < best)
					best = row[j - 1] + 2;
			}
			row[j] = best;
			diag = up;
		}
	}
	unsigned d = row[lb];
	free(row);
	return d;
}

static int compare_names(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

char *suggest_names(const char *target, const char *const *names, size_t n, unsigned max,
		    unsigned threshold)
{
	const char **sorted = xmalloc((n ? n : 1) * sizeof(*sorted));
	memcpy(sorted, names, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), compare_names);
	/* the candidates so far, by score, ties in the order met */
	const char **best = xmalloc((n ? n : 1) * sizeof(*best));
	unsigned *score = xmalloc((n ? n : 1) * sizeof(*score));
	size_t nbest = 0, tlen = strlen(target);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(sorted[i]);
		if (!len || (i && strcmp(sorted[i], sorted[i - 1]) == 0))
			continue;
		unsigned min = (unsigned)(len > tlen ? len - tlen : tlen - len);
		unsigned maxth = nbest >= max && max ? score[max - 1] : (unsigned)-1;
		if (min > threshold || min > maxth)
			continue;
		unsigned s = edit_distance2(target, sorted[i]);
		if (s > maxth || s > threshold)
			continue;
		size_t at = nbest;
		while (at > 0 && score[at - 1] > s)
			at--;
		memmove(best + at + 1, best + at, (nbest - at) * sizeof(*best));
		memmove(score + at + 1, score + at, (nbest - at) * sizeof(*score));
		best[at] = sorted[i];
		score[at] = s;
		nbest++;
	}
	struct strbuf sb;
	sb_init(&sb);
	for (size_t i = 0; i < nbest && i < max; i++)
		sb_printf(&sb, "%s%s", i ? ", " : "", best[i]);
	char *r = xstrdup(sb_str(&sb));
	sb_fini(&sb);
	free(sorted);
	free(best);
	free(score);
	return r;
}

void pp_function(const char *pp, char *out, size_t size)
{
	/* only a function("...") or statement("...") names one, as the
	 * original's ppfunc(): kernel.trace("...") gives "" */
	const char *open = strstr(pp, "function(\"");
	size_t skip = 10;
	if (!open) {
		open = strstr(pp, "statement(\"");
		skip = 11;
	}
	size_t n = 0;
	if (open) {
		const char *p = open + skip;
		while (p[n] && p[n] != '"' && p[n] != '@')
			n++;
		if (n >= size)
			n = size - 1;
		memcpy(out, p, n);
	}
	out[n] = 0;
}
