/*
 * What the files of pass 1 share among themselves: the lexer, the
 * preprocessor that sits between it and the parser, and the parser state
 * they both raise errors through.  Errors longjmp back to the declaration
 * loop, which reports them and skips to the next declaration, as the
 * original's parse_error exceptions do; everything is allocated in the arena
 * so nothing leaks when a half-built node is abandoned.
 */
#ifndef STAP_PARSE_INTERNAL_H
#define STAP_PARSE_INTERNAL_H

#include <setjmp.h>
#include <stdnoreturn.h>

#include "parse.h"

/* ---- lexer.c ---- */

struct lexer;

/* Lex src.  With fixed_loc, every token gets that location (text from $N). */
struct lexer *lexer_new(struct arena *arena, const struct source *src,
			const struct srcloc *fixed_loc);
struct token *lexer_next(struct lexer *lx);
bool token_is(const struct token *tok, enum tok_type type, const char *text);
bool token_is_op(const struct token *tok, const char *text);
bool token_is_kw(const struct token *tok, const char *text);
struct token *token_copy(struct arena *arena, const struct token *tok);

/* ---- preproc.c ---- */

struct macro;
struct cond_frame;

struct expansion {
	struct expansion *up;
	struct vec toks; /* of struct token */
	size_t pos;
	const struct token *invocation; /* NULL for $N text */
	int depth;
};

/* ---- parser state ---- */

struct parser {
	struct arena *arena;
	struct diag *diag;
	const struct parse_opts *opts;
	const struct source *src;
	struct lexer *lex;
	jmp_buf *on_error;

	/* preprocessor */
	struct vec macros; /* of struct macro */
	struct expansion *exp;
	struct vec conds;        /* of struct cond_frame: open %( ... %) */
	size_t expanded_tokens;  /* tokens produced by macro expansion so far */
	const char *config_text; /* kernel config, read on first use */
	bool config_read;

	/* the parser's lookahead */
	struct token *ahead[4];
	int nahead;
	const struct token *last; /* the token most recently consumed */

	bool saw_tokens; /* any token but EOF reached the parser */
	bool bad_define; /* a macro definition failed */
	bool any_bad_define;
	bool no_skip;    /* the error just reported needs no recovery skip */
	bool recovering; /* skipping to the next declaration after an error */
	bool in_probe_point;
	bool in_function;
	int depth; /* nesting of the tree being built (see PARSE_MAX_DEPTH) */
};

/* The deepest statement/expression tree the parser builds: passes 1 to 3
 * walk trees recursively, so input such as 100000 "(" would overflow the
 * stack.  Real scripts stay far below; the fuzzer's 4 KiB inputs reach it. */
#define PARSE_MAX_DEPTH 500

/* Report a parse error about tok and unwind to the declaration loop.  As in
 * the original, repeats of an error raised at the same place in the parser
 * are suppressed (without -v), so each call site is its own key. */
noreturn void parse_fail_site(struct parser *p, const char *site, const struct token *tok,
			      const char *label, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
#define PARSE_SITE_STR(x) #x
#define PARSE_SITE(line)  PARSE_SITE_STR(line)
#define parse_fail(p, tok, label, ...)                                                             \
	parse_fail_site(p, __FILE__ ":" PARSE_SITE(__LINE__), tok, label, __VA_ARGS__)

/* The next token after preprocessing: conditionals, macros, $N and @N. */
struct token *pp_next(struct parser *p);

#endif
