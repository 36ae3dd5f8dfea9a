/*
 * Diagnostics in SystemTap's layout.  A located message looks like
 *
 *   parse error: expected ';'
 *           saw: identifier 'x' at foo.stp:3:5
 *        source:     x = 1
 *                    ^
 *
 * followed, for tokens that came out of a macro, by one "in expansion of
 * macro" paragraph per level.  A message identical to one already shown is
 * counted but not printed unless -v was given.
 */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse.h"

void diag_init(struct diag *d, FILE *out, int verbose)
{
	memset(d, 0, sizeof(*d));
	d->out = out;
	d->verbose = verbose;
}

void diag_fini(struct diag *d)
{
	vec_foreach(&d->seen, i)
		free(d->seen.items[i]);
	vec_fini(&d->seen);
	vec_foreach(&d->seen_warnings, i)
		free(d->seen_warnings.items[i]);
	vec_fini(&d->seen_warnings);
}

static char *arena_vprintf_heap(const char *fmt, va_list ap)
{
	struct strbuf sb;
	sb_init(&sb);
	sb_vprintf(&sb, fmt, ap);
	char *r = xstrdup(sb_str(&sb));
	sb_fini(&sb);
	return r;
}

/* True when this message was shown before (and so should be suppressed). */
static bool is_duplicate(struct diag *d, const char *msg)
{
	vec_foreach(&d->seen, i)
		if (strcmp(d->seen.items[i], msg) == 0)
			return true;
	vec_push(&d->seen, xstrdup(msg));
	return false;
}

/* Print the source line of loc and a caret under its column; warnings indent less. */
static void print_source_line(struct strbuf *sb, const struct srcloc *loc, const char *label)
{
	const char *text = loc->src->text;
	const char *end = text + loc->src->len;
	const char *p = text;
	for (int line = 1; line < loc->line && p < end; p++)
		if (*p == '\n')
			line++;
	const char *eol = p;
	while (eol < end && *eol != '\n')
		eol++;
	sb_puts(sb, label);
	sb_putn(sb, p, (size_t)(eol - p));
	sb_putc(sb, '\n');
	for (size_t i = 0; i < strlen(label); i++)
		sb_putc(sb, ' ');
	for (int i = 1; i < loc->col && p + i - 1 < eol; i++)
		sb_putc(sb, p[i - 1] == '\t' ? '\t' : ' ');
	sb_puts(sb, "^\n");
}

static void describe_location(struct strbuf *sb, const struct token *tok)
{
	char desc[256];
	token_describe(tok, desc, sizeof(desc));
	if (tok->type == TOK_EOF) {
		sb_printf(sb, "%s EOF\n", tok->loc.src ? tok->loc.src->name : "<input>");
		return;
	}
	sb_printf(sb, "%s at %s:%d:%d\n", desc, tok->loc.src->name, tok->loc.line, tok->loc.col);
	print_source_line(sb, &tok->loc, "     source: ");
}

void diag_token_error(struct diag *d, const char *key, const char *kind, const char *label,
		      const struct token *tok, const char *fmt, ...)
{
	struct strbuf head, sb;
	sb_init(&head);
	sb_init(&sb);
	va_list ap;
	va_start(ap, fmt);
	sb_printf(&head, "%s error: ", kind);
	sb_vprintf(&head, fmt, ap);
	va_end(ap);
	d->errors++;
	if (!d->out)
		goto out;
	if (!d->verbose && is_duplicate(d, key ? key : sb_str(&head))) {
		d->suppressed++;
		goto out;
	}
	sb_printf(&sb, "%s\n%11s: ", sb_str(&head), label);
	describe_location(&sb, tok);
	/* a runaway recursion shows its first levels and the use that started it */
	int depth = 0, shown = 0;
	for (const struct token *m = tok->chain; m; m = m->chain)
		depth++;
	for (const struct token *m = tok->chain; m; m = m->chain, shown++) {
		if (shown == 3 && depth > 8) {
			sb_printf(&sb, "\t... %d more macro expansions ...\n", depth - 4);
			while (m->chain)
				m = m->chain;
		}
		sb_puts(&sb, "\tin expansion of macro: ");
		describe_location(&sb, m);
	}
	sb_putc(&sb, '\n');
	fputs(sb_str(&sb), d->out);
out:
	sb_fini(&head);
	sb_fini(&sb);
}

/* "DESC at FILE:L:C" with the file elided as pass 2 does. */
static void describe_at(struct diag *d, struct strbuf *sb, const struct token *tok)
{
	char desc[256];
	token_describe(tok, desc, sizeof(desc));
	const char *file = tok->loc.src ? tok->loc.src->name : "<input>";
	if (d->elide_file && tok->loc.src == d->last_src)
		file = "";
	d->last_src = tok->loc.src;
	sb_printf(sb, "%s at %s:%d:%d\n", desc, file, tok->loc.line, tok->loc.col);
}

static void semantic_vprint(struct diag *d, bool prefix, bool blank, const struct token *tok,
			    const char *fmt, va_list ap)
{
	struct strbuf sb;
	sb_init(&sb);
	if (prefix)
		sb_puts(&sb, "semantic error: ");
	if (fmt && *fmt)
		sb_vprintf(&sb, fmt, ap);
	if (tok) {
		if (fmt && *fmt)
			sb_puts(&sb, ": ");
		describe_at(d, &sb, tok);
		if (tok->loc.src)
			print_source_line(&sb, &tok->loc, "        source: ");
	} else {
		sb_putc(&sb, '\n');
	}
	if (blank)
		sb_putc(&sb, '\n');
	fputs(sb_str(&sb), d->out);
	sb_fini(&sb);
}

static bool semantic_vreport(struct diag *d, const char *key, bool blank, const struct token *tok,
			     const char *fmt, va_list ap0);

bool diag_semantic(struct diag *d, const char *key, const struct token *tok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool shown = semantic_vreport(d, key, true, tok, fmt, ap);
	va_end(ap);
	return shown;
}

bool diag_semantic_open(struct diag *d, const char *key, const struct token *tok, const char *fmt,
			...)
{
	va_list ap;
	va_start(ap, fmt);
	bool shown = semantic_vreport(d, key, false, tok, fmt, ap);
	va_end(ap);
	return shown;
}

static bool semantic_vreport(struct diag *d, const char *key, bool blank, const struct token *tok,
			     const char *fmt, va_list ap0)
{
	d->errors++;
	if (!d->out)
		return false;
	va_list ap;
	va_copy(ap, ap0);
	char *msg = arena_vprintf_heap(fmt, ap);
	va_end(ap);
	bool dup = !d->verbose && is_duplicate(d, key ? key : msg);
	free(msg);
	if (dup) {
		d->suppressed++;
		return false;
	}
	va_copy(ap, ap0);
	semantic_vprint(d, true, blank, tok, fmt, ap);
	va_end(ap);
	return true;
}

void diag_semantic_part(struct diag *d, bool prefix, bool blank, const struct token *tok,
			const char *fmt, ...)
{
	if (!d->out)
		return;
	va_list ap;
	va_start(ap, fmt);
	semantic_vprint(d, prefix, blank, tok, fmt, ap);
	va_end(ap);
}

void diag_token_warning(struct diag *d, const struct token *tok, const char *fmt, ...)
{
	d->warnings++;
	if (!d->out || d->no_warnings)
		return;
	struct strbuf sb;
	sb_init(&sb);
	char desc[256];
	token_describe(tok, desc, sizeof(desc));
	va_list ap;
	va_start(ap, fmt);
	sb_puts(&sb, "WARNING: ");
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	/* the same text (without the location) is shown once unless -v */
	if (!d->verbose) {
		vec_foreach(&d->seen_warnings, i) {
			if (strcmp(d->seen_warnings.items[i], sb_str(&sb)) == 0) {
				d->suppressed_warnings++;
				sb_fini(&sb);
				return;
			}
		}
		vec_push(&d->seen_warnings, xstrdup(sb_str(&sb)));
	}
	(void)desc;
	sb_puts(&sb, ": ");
	describe_at(d, &sb, tok);
	print_source_line(&sb, &tok->loc, " source: ");
	fputs(sb_str(&sb), d->out);
	sb_fini(&sb);
	d->shown_warnings++;
}

void diag_warning(struct diag *d, const char *fmt, ...)
{
	d->warnings++;
	if (!d->out || d->no_warnings)
		return;
	struct strbuf sb;
	sb_init(&sb);
	va_list ap;
	va_start(ap, fmt);
	sb_puts(&sb, "WARNING: ");
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	if (!d->verbose) {
		vec_foreach(&d->seen_warnings, i) {
			if (strcmp(d->seen_warnings.items[i], sb_str(&sb)) == 0) {
				d->suppressed_warnings++;
				sb_fini(&sb);
				return;
			}
		}
		vec_push(&d->seen_warnings, xstrdup(sb_str(&sb)));
	}
	sb_putc(&sb, '\n');
	fputs(sb_str(&sb), d->out);
	sb_fini(&sb);
	d->shown_warnings++;
}

void diag_plain(struct diag *d, const char *fmt, ...)
{
	d->errors++;
	if (!d->out)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(d->out, fmt, ap);
	va_end(ap);
	fputc('\n', d->out);
}

void diag_summary(struct diag *d, const char *what)
{
	if (!d->out || d->errors == 0)
		return;
	fprintf(d->out, "%d %s error%s.\n", d->errors, what, d->errors == 1 ? "" : "s");
}
