/*
 * The lexer: turns a source text into tokens as SystemTap's does.
 * Identifiers may contain '$' ("$var", "$$vars$$"); a name that starts with
 * '@' is an operator ("@cast", "@define", a macro).  Numbers are kept as
 * text and checked by the parser, so "09" and "0x" become located errors.
 * Strings keep their escapes as written (later passes interpret them), but an
 * unknown escape loses its backslash, as in the original.  A problem the
 * lexer finds becomes a TOK_JUNK token carrying the message; the parser
 * reports it when it reaches that token.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

struct lexer {
	struct arena *arena;
	const struct source *src;
	const char *p, *end;
	int line, col;
	const struct srcloc *fixed_loc;
};

static const char *const keywords[] = {
	"probe", "global", "function", "if",     "else",  "for",     "foreach",
	"in",    "limit",  "return",   "delete", "while", "break",   "continue",
	"next",  "string", "long",     "try",    "catch", "private", NULL,
};

/* Longest first, so the first match is the longest. */
static const char *const operators[] = {
	">>>=", "<<<", ">>>", "<<=", ">>=", "==", "!=", "<=", ">=", "&&", "||",
	"++",   "--",  "+=",  "-=",  "*=",  "/=", "%=", "&=", "^=", "|=", ".=",
	"<<",   ">>",  "->",  "=~",  "!~",  "%(", "%?", "%:", "%)", NULL,
};

struct lexer *lexer_new(struct arena *arena, const struct source *src,
			const struct srcloc *fixed_loc)
{
	struct lexer *lx = arena_alloc(arena, sizeof(*lx));
	lx->arena = arena;
	lx->src = src;
	lx->p = src->text;
	lx->end = src->text + src->len;
	lx->line = 1;
	lx->col = 1;
	lx->fixed_loc = fixed_loc;
	return lx;
}

static int peekc(struct lexer *lx, int ahead)
{
	return lx->p + ahead < lx->end ? (unsigned char)lx->p[ahead] : -1;
}

static int getc_(struct lexer *lx)
{
	if (lx->p >= lx->end)
		return -1;
	int c = (unsigned char)*lx->p++;
	if (c == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	return c;
}

static struct token *make_token(struct lexer *lx, enum tok_type type, int line, int col)
{
	struct token *t = arena_alloc(lx->arena, sizeof(*t));
	t->type = type;
	if (lx->fixed_loc) {
		t->loc = *lx->fixed_loc;
	} else {
		t->loc.src = lx->src;
		t->loc.line = line;
		t->loc.col = col;
	}
	return t;
}

static bool is_ident_start(int c)
{
	return c >= 0 && (isalpha(c) || c == '_' || c == '$' || c == '@');
}

static bool is_ident_char(int c)
{
	return c >= 0 && (isalnum(c) || c == '_' || c == '$');
}

/* Skip blanks and the three comment forms; an unterminated comment ends the
 * input.  Whether a comment was skipped: before 2.0, adjacent string
 * literals with a comment between them did not join. */
static bool skip_space(struct lexer *lx)
{
	bool comment = false;
	for (;;) {
		int c = peekc(lx, 0);
		if (c >= 0 && isspace(c)) {
			getc_(lx);
		} else if (c == '#' || (c == '/' && peekc(lx, 1) == '/')) {
			comment = true;
			while (peekc(lx, 0) >= 0 && peekc(lx, 0) != '\n')
				getc_(lx);
		} else if (c == '/' && peekc(lx, 1) == '*') {
			comment = true;
			getc_(lx);
			getc_(lx);
			while (peekc(lx, 0) >= 0 && !(peekc(lx, 0) == '*' && peekc(lx, 1) == '/'))
				getc_(lx);
			getc_(lx);
			getc_(lx);
		} else {
			return comment;
		}
	}
}

/* string = '"' { char | '\' escape } '"'; the text keeps escapes as written. */
static struct token *scan_string(struct lexer *lx, int line, int col)
{
	struct strbuf sb;
	sb_init(&sb);
	getc_(lx);
	for (;;) {
		int c = getc_(lx);
		if (c < 0 || c == '\n') {
			/* the original gives up on the rest of the input */
			sb_fini(&sb);
			lx->p = lx->end;
			struct token *t = make_token(lx, TOK_JUNK, line, col);
			t->text = "";
			t->junk_msg = "Could not find matching closing quote";
			return t;
		}
		if (c == '"')
			break;
		if (c == '\\') {
			int e = peekc(lx, 0);
			if (e >= 0 && (strchr("abfnrtv\\\"x", e) || (e >= '0' && e <= '7')))
				sb_putc(&sb, '\\');
			if (e < 0 || e == '\n')
				continue;
			c = getc_(lx);
		}
		sb_putc(&sb, (char)c);
	}
	struct token *t = make_token(lx, TOK_STRING, line, col);
	t->text = arena_strndup(lx->arena, sb_str(&sb), sb.len);
	sb_fini(&sb);
	return t;
}

/* embedded = "%{" { any } "%}" */
static struct token *scan_embedded(struct lexer *lx, int line, int col)
{
	getc_(lx);
	getc_(lx);
	const char *start = lx->p;
	while (lx->p < lx->end && !(peekc(lx, 0) == '%' && peekc(lx, 1) == '}'))
		getc_(lx);
	if (lx->p >= lx->end) {
		struct token *t = make_token(lx, TOK_JUNK, line, col);
		t->text = "";
		t->junk_msg = "Could not find matching '%}' to close embedded function block";
		return t;
	}
	struct token *t = make_token(lx, TOK_EMBEDDED, line, col);
	t->text = arena_strndup(lx->arena, start, (size_t)(lx->p - start));
	getc_(lx);
	getc_(lx);
	return t;
}

static struct token *scan_token(struct lexer *lx);

struct token *lexer_next(struct lexer *lx)
{
	bool comment = skip_space(lx);
	struct token *t = scan_token(lx);
	t->after_comment = comment;
	return t;
}

static struct token *scan_token(struct lexer *lx)
{
	int line = lx->line, col = lx->col;
	int c = peekc(lx, 0);
	if (c < 0) {
		struct token *t = make_token(lx, TOK_EOF, line, col);
		t->text = "";
		return t;
	}
	const char *start = lx->p;
	if (c == '"')
		return scan_string(lx, line, col);
	if (c == '%' && peekc(lx, 1) == '{')
		return scan_embedded(lx, line, col);
	if ((c == '$' || c == '@') && (peekc(lx, 1) == '#' || isdigit(peekc(lx, 1)))) {
		/* $N, @N, $#, @#: the preprocessor substitutes them */
		getc_(lx);
		if (getc_(lx) != '#')
			while (peekc(lx, 0) >= 0 && isdigit(peekc(lx, 0)))
				getc_(lx);
		struct token *t = make_token(lx, c == '$' ? TOK_IDENT : TOK_OPERATOR, line, col);
		t->text = arena_strndup(lx->arena, start, (size_t)(lx->p - start));
		return t;
	}
	if (is_ident_start(c)) {
		getc_(lx);
		while (is_ident_char(peekc(lx, 0)))
			getc_(lx);
		enum tok_type type = c == '@' ? TOK_OPERATOR : TOK_IDENT;
		char *text = arena_strndup(lx->arena, start, (size_t)(lx->p - start));
		for (int i = 0; type == TOK_IDENT && keywords[i]; i++)
			if (strcmp(text, keywords[i]) == 0)
				type = TOK_KEYWORD;
		struct token *t = make_token(lx, type, line, col);
		t->text = text;
		return t;
	}
	if (isdigit(c)) {
		while (peekc(lx, 0) >= 0 && isalnum(peekc(lx, 0)))
			getc_(lx);
		struct token *t = make_token(lx, TOK_NUMBER, line, col);
		t->text = arena_strndup(lx->arena, start, (size_t)(lx->p - start));
		return t;
	}
	if (c >= 0x80) {
		/* a byte outside ASCII: no token of the language */
		getc_(lx);
		struct token *t = make_token(lx, TOK_JUNK, line, col);
		t->text = arena_printf(lx->arena, "\\x%02x", c);
		return t;
	}
	size_t len = 1;
	for (int i = 0; operators[i]; i++) {
		size_t n = strlen(operators[i]);
		if ((size_t)(lx->end - lx->p) >= n && memcmp(lx->p, operators[i], n) == 0) {
			len = n;
			break;
		}
	}
	for (size_t i = 0; i < len; i++)
		getc_(lx);
	struct token *t = make_token(lx, TOK_OPERATOR, line, col);
	t->text = arena_strndup(lx->arena, start, len);
	return t;
}

bool token_is(const struct token *tok, enum tok_type type, const char *text)
{
	return tok && tok->type == type && strcmp(tok->text, text) == 0;
}

bool token_is_op(const struct token *tok, const char *text)
{
	return token_is(tok, TOK_OPERATOR, text);
}

bool token_is_kw(const struct token *tok, const char *text)
{
	return token_is(tok, TOK_KEYWORD, text);
}

struct token *token_copy(struct arena *arena, const struct token *tok)
{
	struct token *t = arena_alloc(arena, sizeof(*t));
	*t = *tok;
	return t;
}

void token_describe(const struct token *tok, char *buf, size_t size)
{
	static const char *const names[] = {
		[TOK_IDENT] = "identifier",  [TOK_KEYWORD] = "keyword",
		[TOK_NUMBER] = "number",     [TOK_STRING] = "string",
		[TOK_OPERATOR] = "operator", [TOK_EMBEDDED] = "embedded-code",
		[TOK_JUNK] = "junk",         [TOK_EOF] = "end of input",
	};
	if (tok->type == TOK_KEYWORD || tok->type == TOK_EMBEDDED || tok->type == TOK_EOF)
		snprintf(buf, size, "%s", names[tok->type]);
	else
		snprintf(buf, size, "%s '%s'", names[tok->type], tok->text);
}
