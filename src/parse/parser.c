/*
 * The recursive-descent parser for SystemTap's language.  Each function
 * carries its grammar rule; precedence climbs from assignment down to
 * values exactly as in the original, so that `stap -p1` prints the same
 * parenthesisation.  An error unwinds (longjmp) to parse_script's
 * declaration loop, which reports it and skips to the next "probe",
 * "global", "function", "private" or embedded-code block.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../diag.h"
#include "internal.h"
#include "printf_fmt.h"

noreturn void parse_fail_site(struct parser *p, const char *site, const struct token *tok,
			      const char *label, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = arena_vprintf(p->arena, fmt, ap);
	va_end(ap);
	diag_token_error(p->diag, site, "parse", label, tok, "%s", msg);
	longjmp(*p->on_error, 1);
}

/* ---- token access ---- */

static struct token *peek_n(struct parser *p, int n)
{
	while (p->nahead <= n) {
		struct token *t = pp_next(p);
		if (t->type == TOK_JUNK && t->junk_msg && p->recovering)
			continue; /* skipped silently while recovering, as the original does */
		if (t->type == TOK_JUNK && t->junk_msg) {
			/* the original keys these on where the parser met them: a
			 * probe point or a statement */
			char *key = arena_printf(p->arena, "junk %d", p->in_probe_point);
			parse_fail_site(p, key, t, " at", "%s", t->junk_msg);
		}
		if (t->type != TOK_EOF)
			p->saw_tokens = true;
		p->ahead[p->nahead++] = t;
	}
	return p->ahead[n];
}

static struct token *peek(struct parser *p)
{
	return peek_n(p, 0);
}

static struct token *next(struct parser *p)
{
	struct token *t = peek(p);
	memmove(p->ahead, p->ahead + 1, (size_t)(p->nahead - 1) * sizeof(p->ahead[0]));
	p->nahead--;
	p->last = t;
	return t;
}

/* An error about the next token; at the end of input the original says so instead. */
#define fail_saw(p, ...) fail_saw_site(p, __FILE__ ":" PARSE_SITE(__LINE__), __VA_ARGS__)
static noreturn __attribute__((format(printf, 3, 4))) void
fail_saw_site(struct parser *p, const char *site, const char *fmt, ...)
{
	struct token *t = peek(p);
	if (t->type == TOK_EOF)
		parse_fail_site(p, site, t, "saw", "unexpected end-of-file");
	va_list ap;
	va_start(ap, fmt);
	char *msg = arena_vprintf(p->arena, fmt, ap);
	va_end(ap);
	parse_fail_site(p, site, t, "saw", "%s", msg);
}

static bool peek_op(struct parser *p, const char *op)
{
	return token_is_op(peek(p), op);
}

static bool peek_kw(struct parser *p, const char *kw)
{
	return token_is_kw(peek(p), kw);
}

static bool accept_op(struct parser *p, const char *op)
{
	if (!peek_op(p, op))
		return false;
	next(p);
	return true;
}

#define expect_op(p, op)      expect_op_site(p, "expect_op", op)
#define expect_op_here(p, op) expect_op_site(p, __FILE__ ":" PARSE_SITE(__LINE__), op)
static struct token *expect_op_site(struct parser *p, const char *site, const char *op)
{
	struct token *t = peek(p);
	if (t->type == TOK_EOF)
		parse_fail_site(p, site, t, "saw", "unexpected end-of-file");
	next(p);
	if (!token_is_op(t, op))
		parse_fail_site(p, site, t, "saw", "expected '%s'", op);
	return t;
}

#define expect_ident(p) expect_ident_site(p, "expect_ident")
static struct token *expect_ident_site(struct parser *p, const char *site)
{
	struct token *t = peek(p);
	if (t->type == TOK_EOF)
		parse_fail_site(p, site, t, "saw", "unexpected end-of-file");
	next(p);
	if (t->type != TOK_IDENT)
		parse_fail_site(p, site, t, "saw", "expected identifier");
	return t;
}

/* Two tokens with nothing between them (probe point names glue such pieces). */
static bool is_adjacent(const struct token *a, const struct token *b)
{
	return a->loc.src == b->loc.src && a->loc.line == b->loc.line && !a->chain && !b->chain &&
	       b->loc.col == a->loc.col + (int)strlen(a->text);
}

/* ---- node construction ---- */

static struct expr *new_expr(struct parser *p, enum expr_kind kind, const struct token *tok)
{
	struct expr *e = arena_alloc(p->arena, sizeof(*e));
	e->kind = kind;
	e->tok = tok;
	e->op = tok ? tok->text : NULL;
	return e;
}

static struct stmt *new_stmt(struct parser *p, enum stmt_kind kind, const struct token *tok)
{
	struct stmt *s = arena_alloc(p->arena, sizeof(*s));
	s->kind = kind;
	s->tok = tok;
	s->sort_key = -1;
	return s;
}

static void push(struct parser *p, struct vec *v, void *item)
{
	vec_push_arena(p->arena, v, item);
}

/* One more level of nesting under tok; an error past PARSE_MAX_DEPTH.  The
 * caller leaves with p->depth--, except on error: recovery resets it. */
static void enter(struct parser *p, const struct token *tok)
{
	if (++p->depth > PARSE_MAX_DEPTH)
		parse_fail(p, tok, "saw", "nesting too deep (more than %d levels)",
			   PARSE_MAX_DEPTH);
}

static struct expr *parse_expression(struct parser *p);
static struct expr *parse_symbol(struct parser *p);
static struct stmt *parse_statement(struct parser *p);
static struct stmt *parse_block(struct parser *p);

/* ---- literals ---- */

/* Convert a number token: decimal, 0x hex or 0 octal, up to 2^64-1 (wrapping negative). */
static long long number_value(struct parser *p, const struct token *tok, bool negate)
{
	const char *s = tok->text;
	char *end = NULL;
	errno = 0;
	unsigned long long v;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		v = s[2] ? strtoull(s + 2, &end, 16) : (end = (char *)s + 1, 0);
	else
		v = strtoull(s, &end, s[0] == '0' ? 8 : 10);
	if (*end != '\0' || errno == ERANGE || s[2 * (s[0] == '0' && (s[1] | 32) == 'x')] == '-')
		parse_fail(p, tok, "saw", "number invalid or out of range");
	return negate ? (long long)(0 - v) : (long long)v;
}

/* Adjacent string literals join, as in C. */
static struct expr *parse_string_literal(struct parser *p)
{
	struct token *t = next(p);
	struct expr *e = new_expr(p, EXPR_STRING, t);
	e->str = t->text;
	if (peek(p)->type != TOK_STRING)
		return e;
	/* gathered first, joined once: joining pairwise is quadratic in the
	 * number of pieces; no heap buffer here, as peek() may unwind */
	struct vec parts = {0};
	size_t len = strlen(t->text);
	push(p, &parts, t);
	/* before 2.0, a comment between two literals kept them apart */
	bool old_rules = p->opts->env && pp_version_before(p->opts->env->systemtap_v, "2.0");
	while (peek(p)->type == TOK_STRING && !(old_rules && peek(p)->after_comment)) {
		struct token *s = next(p);
		len += strlen(s->text);
		push(p, &parts, s);
	}
	char *str = arena_alloc(p->arena, len + 1), *end = str;
	vec_foreach(&parts, i) {
		const struct token *s = parts.items[i];
		size_t n = strlen(s->text);
		memcpy(end, s->text, n);
		end += n;
	}
	*end = '\0';
	e->str = str;
	return e;
}

/* literal = [ "-" ] number | string { string } */
static struct expr *parse_literal(struct parser *p)
{
	struct token *t = peek(p);
	if (t->type == TOK_EOF && p->last)
		parse_fail(p, p->last, "saw", "unexpected end-of-file");
	if (t->type == TOK_STRING)
		return parse_string_literal(p);
	bool negate = false;
	if (token_is_op(t, "-") && peek_n(p, 1)->type == TOK_NUMBER) {
		next(p);
		negate = true;
		t = peek(p);
	}
	if (t->type != TOK_NUMBER)
		fail_saw(p, "expected literal string or number");
	next(p);
	struct expr *e = new_expr(p, EXPR_NUMBER, t);
	e->num = number_value(p, t, negate);
	if (negate && e->num > 0)
		parse_fail(p, t, "saw", "number invalid or out of range");
	return e;
}

static struct expr *parse_literal_string(struct parser *p)
{
	if (peek(p)->type != TOK_STRING)
		fail_saw(p, "expected literal string");
	return parse_string_literal(p);
}

/* The name argument of @cast, @var, @perf: a literal, not empty. */
static const char *parse_name_string(struct parser *p)
{
	if (peek(p)->type != TOK_STRING)
		fail_saw(p, "expected string");
	const char *s = parse_string_literal(p)->str;
	if (!*s)
		fail_saw(p, "expected non-empty string");
	return s;
}

/* ---- expressions ---- */

/* printf formats are checked as they are parsed, as the original does. */
static void check_format(struct parser *p, const struct expr *f)
{
	struct fmt fmt;
	const char *err;
	if (fmt_parse(f->str, &fmt, &err) != 0)
		fail_saw(p, "%s", err);
	fmt_free(&fmt);
}

static const char *const print_functions[] = {
	"print",    "println", "printf",  "printd",    "printdln", "sprint",
	"sprintln", "sprintf", "sprintd", "sprintdln", NULL,
};

static bool is_print_function(const char *name)
{
	for (int i = 0; print_functions[i]; i++)
		if (strcmp(name, print_functions[i]) == 0)
			return true;
	return false;
}

static bool is_hist_op(const struct token *t)
{
	return token_is_op(t, "@hist_log") || token_is_op(t, "@hist_linear");
}

/* index_list = ( expr | "*" ) { "," ( expr | "*" ) } "]"; "*" matches any key */
static void parse_index_list(struct parser *p, struct vec *keys)
{
	for (;;) {
		struct token *t = peek(p);
		if (token_is_op(t, "*") &&
		    (token_is_op(peek_n(p, 1), ",") || token_is_op(peek_n(p, 1), "]"))) {
			push(p, keys, new_expr(p, EXPR_WILDCARD, next(p)));
		} else {
			push(p, keys, parse_expression(p));
		}
		if (accept_op(p, "]"))
			return;
		if (!accept_op(p, ","))
			fail_saw(p, "expected one of '] ,'");
	}
}

static struct expr *parse_index(struct parser *p, struct expr *base)
{
	struct expr *idx = new_expr(p, EXPR_INDEX, expect_op(p, "["));
	idx->a = base;
	parse_index_list(p, &idx->list);
	return idx;
}

/* hist = ("@hist_log" | "@hist_linear") "(" expr { "," literal } ")" */
static struct expr *parse_hist_op(struct parser *p)
{
	struct token *t = next(p);
	struct expr *e = new_expr(p, EXPR_HIST, t);
	expect_op(p, "(");
	e->a = parse_expression(p);
	if (strcmp(t->text, "@hist_linear") == 0) {
		for (int i = 0; i < 3; i++) {
			expect_op(p, ",");
			if (peek(p)->type != TOK_NUMBER && !token_is_op(peek(p), "-"))
				fail_saw(p, "expected number");
			push(p, &e->list, parse_literal(p));
		}
	}
	expect_op(p, ")");
	return e;
}

/* indexable = hist | ident */
static struct expr *parse_indexable(struct parser *p)
{
	if (is_hist_op(peek(p)))
		return parse_hist_op(p);
	if (peek(p)->type != TOK_IDENT)
		fail_saw(p, "expected identifier or statistical operation");
	struct token *t = next(p);
	struct expr *e = new_expr(p, EXPR_SYMBOL, t);
	e->str = t->text;
	return e;
}

/* Split "name$" / "name$$" into the name and its pretty-printing suffix. */
static const char *split_pretty(struct parser *p, const char *s, const char **pretty)
{
	size_t len = strlen(s), word = strspn(s, "$"), trail = 0;
	while (trail < len - word && s[len - 1 - trail] == '$')
		trail++;
	*pretty = NULL;
	if (word == len || trail == 0 || trail > 2 || trail == len - word)
		return s;
	*pretty = trail == 1 ? "$" : "$$";
	return arena_strndup(p->arena, s, len - trail);
}

static void push_component(struct parser *p, struct expr *e, enum comp_kind kind,
			   const struct token *tok, const char *name)
{
	struct component *c = arena_alloc(p->arena, sizeof(*c));
	c->kind = kind;
	c->tok = tok;
	c->name = name;
	push(p, &e->comps, c);
}

/* components = { "->" (ident | keyword) | "[" expr "]" | "$" | "$$" } */
static void parse_components(struct parser *p, struct expr *e)
{
	for (;;) {
		struct token *t = peek(p);
		const struct component *last =
			e->comps.len ? e->comps.items[e->comps.len - 1] : NULL;
		if (last && last->kind == COMP_PRETTY &&
		    (token_is_op(t, "->") || token_is_op(t, "[")))
			fail_saw(p, "-> and [ are not accepted for a pretty-printing variable");
		if (token_is_op(t, "->")) {
			next(p);
			struct token *f = peek(p);
			if (f->type != TOK_IDENT && f->type != TOK_KEYWORD)
				fail_saw(p, "expected identifier or keyword");
			next(p);
			const char *pretty;
			const char *name = split_pretty(p, f->text, &pretty);
			bool is_pretty = strcmp(name, "$") == 0 || strcmp(name, "$$") == 0;
			push_component(p, e, is_pretty ? COMP_PRETTY : COMP_FIELD, f, name);
			((struct component *)e->comps.items[e->comps.len - 1])->op_tok = t;
			if (pretty)
				push_component(p, e, COMP_PRETTY, f, pretty);
		} else if (token_is_op(t, "[")) {
			next(p);
			push_component(p, e, COMP_EXPR, t, NULL);
			struct component *c = e->comps.items[e->comps.len - 1];
			c->index = parse_expression(p);
			if (c->index->kind == EXPR_NUMBER) {
				c->kind = COMP_INDEX;
				c->num = c->index->num;
			}
			expect_op(p, "]");
		} else if (t->type == TOK_IDENT &&
			   (strcmp(t->text, "$") == 0 || strcmp(t->text, "$$") == 0)) {
			next(p);
			push_component(p, e, COMP_PRETTY, t, t->text);
		} else {
			return;
		}
	}
}

/* target = "$" name components; "$var$$" is "$var" with a pretty-printing suffix */
static struct expr *parse_target_symbol(struct parser *p, bool addressof)
{
	struct token *t = next(p);
	struct expr *e = new_expr(p, EXPR_TARGET, t);
	const char *pretty;
	e->str = split_pretty(p, t->text, &pretty);
	e->addressof = addressof;
	if (pretty)
		push_component(p, e, COMP_PRETTY, t, pretty);
	parse_components(p, e);
	return e;
}

/* args = "(" [ expr { "," expr } ] ")" */
static void parse_call_args(struct parser *p, struct expr *e)
{
	expect_op(p, "(");
	if (accept_op(p, ")"))
		return;
	for (;;) {
		push(p, &e->list, parse_expression(p));
		if (accept_op(p, ")"))
			return;
		if (!accept_op(p, ","))
			fail_saw(p, "expected one of ') ,'");
	}
}

/* print_args = "(" [ format ] arg { "," arg } ")"
 * printf and sprintf take a literal format first, the printd family a literal
 * delimiter; print and sprint may print a whole histogram. */
static void parse_print_args(struct parser *p, struct expr *e)
{
	const char *name = e->str;
	bool delimited = strstr(name, "printd") != NULL;
	bool formatted = name[strlen(name) - 1] == 'f';
	size_t min = delimited ? 3 : 1;
	expect_op(p, "(");
	if (strstr(name, "ln") && accept_op(p, ")"))
		return;
	if (delimited || formatted) {
		if (peek(p)->type != TOK_STRING)
			fail_saw(p, "expected literal string");
		struct expr *f = parse_string_literal(p);
		push(p, &e->list, f);
		if (formatted)
			check_format(p, f);
		if (accept_op(p, ")") && e->list.len >= min)
			return;
		if (!p->last || !token_is_op(p->last, ")"))
			expect_op(p, ",");
	} else if (is_hist_op(peek(p))) {
		struct expr *h = parse_hist_op(p);
		if (!peek_op(p, "[")) {
			push(p, &e->list, h);
			expect_op(p, ")");
			return;
		}
		push(p, &e->list, parse_index(p, h));
		if (accept_op(p, ")"))
			return;
		expect_op(p, ",");
	}
	for (;;) {
		push(p, &e->list, parse_expression(p));
		struct token *t = peek(p);
		if (token_is_op(t, ")") && e->list.len >= min) {
			next(p);
			return;
		}
		if (!token_is_op(t, ",") && !token_is_op(t, ")"))
			fail_saw(p, "expected one of ', )'");
		next(p);
	}
}

/* postfix = { "->" field | "[" expr "]" }: a value used as a typed pointer */
static struct expr *parse_autocast(struct parser *p, struct expr *e)
{
	if (!peek_op(p, "->") && !peek_op(p, "["))
		return e;
	struct expr *a = new_expr(p, EXPR_AUTOCAST, peek(p));
	a->a = e;
	parse_components(p, a);
	return a;
}

/* register_op = ("@kregister" | "@uregister") "(" number ")"
 *             | ("@kderef" | "@uderef") "(" number "," expr ")"
 *             | "@probewrite" "(" ident ")"
 * The kernel ones read kernel memory: guru mode only, and the error does
 * not skip ahead (the original's doesn't). */
static struct expr *parse_register_op(struct parser *p)
{
	struct token *t = next(p);
	const char *op = t->text;
	if (op[1] == 'k' && !p->opts->privileged) {
		/* two sites, as the original has: neither hides the other */
		p->no_skip = true;
		if (strcmp(op, "@kderef") == 0)
			parse_fail(p, t, "saw",
				   "using @kderef operator not permitted; need stap -g");
		parse_fail(p, t, "saw", "using @kregister operator not permitted; need stap -g");
	}
	struct expr *e = new_expr(p, EXPR_CALL, t);
	e->str = op;
	expect_op(p, "(");
	if (op[1] == 'p') {
		push(p, &e->list, parse_symbol(p));
	} else {
		struct token *n = peek(p);
		bool negate = token_is_op(n, "-") && peek_n(p, 1)->type == TOK_NUMBER;
		if (negate)
			n = peek_n(p, 1);
		if (n->type != TOK_NUMBER)
			fail_saw(p, "expected number");
		if (negate)
			next(p);
		next(p);
		struct expr *num = new_expr(p, EXPR_NUMBER, n);
		/* the original keeps the number as an unsigned int: -1 prints 4294967295 */
		num->num = (unsigned)number_value(p, n, negate);
		push(p, &e->list, num);
		if (strstr(op, "deref")) {
			expect_op(p, ",");
			push(p, &e->list, parse_expression(p));
		}
	}
	expect_op(p, ")");
	return e;
}

/* the @-operators: cast, var, defined, entry, perf, statistics */
static struct expr *parse_at_operator(struct parser *p)
{
	struct token *t = peek(p);
	const char *op = t->text;
	struct expr *e;
	if (strcmp(op, "@cast") == 0) {
		next(p);
		e = new_expr(p, EXPR_CAST, t);
		expect_op(p, "(");
		e->a = parse_expression(p);
		expect_op(p, ",");
		e->str = parse_name_string(p);
		if (accept_op(p, ","))
			e->module = parse_name_string(p);
		expect_op(p, ")");
		parse_components(p, e);
		return e;
	}
	if (strcmp(op, "@var") == 0) {
		next(p);
		e = new_expr(p, EXPR_ATVAR, t);
		expect_op(p, "(");
		e->str = parse_name_string(p);
		if (accept_op(p, ","))
			e->module = parse_name_string(p);
		expect_op(p, ")");
		parse_components(p, e);
		return e;
	}
	if (strcmp(op, "@defined") == 0 || strcmp(op, "@entry") == 0) {
		next(p);
		e = new_expr(p, op[1] == 'd' ? EXPR_DEFINED : EXPR_ENTRY, t);
		expect_op(p, "(");
		e->a = parse_expression(p);
		expect_op(p, ")");
		return e;
	}
	if (strcmp(op, "@const") == 0) {
		/* a constant from kernel headers: embedded C, so guru mode only */
		next(p);
		if (!p->opts->privileged) {
			p->no_skip = true;
			parse_fail(p, t, "saw",
				   "using @const operator not permitted; need stap -g");
		}
		expect_op(p, "(");
		e = new_expr(p, EXPR_EMBEDDED, t);
		e->str = arena_printf(p->arena, " /* pure */ /* unprivileged */ /* stable */ %s ",
				      parse_name_string(p));
		expect_op(p, ")");
		return e;
	}
	if (strcmp(op, "@kregister") == 0 || strcmp(op, "@uregister") == 0 ||
	    strcmp(op, "@kderef") == 0 || strcmp(op, "@uderef") == 0 ||
	    strcmp(op, "@probewrite") == 0)
		return parse_register_op(p);
	if (strcmp(op, "@perf") == 0) {
		next(p);
		e = new_expr(p, EXPR_PERF, t);
		expect_op(p, "(");
		e->str = parse_literal_string(p)->str;
		if (!*e->str)
			fail_saw(p, "expected non-empty string");
		expect_op(p, ")");
		return e;
	}
	static const char *const stats[] = {"@count", "@sum",      "@min", "@max",
					    "@avg",   "@variance", NULL};
	for (int i = 0; stats[i]; i++) {
		if (strcmp(op, stats[i]) != 0)
			continue;
		next(p);
		e = new_expr(p, EXPR_STAT, t);
		e->str = op;
		expect_op(p, "(");
		e->a = parse_expression(p);
		bool variance = strcmp(op, "@variance") == 0;
		if (variance && accept_op(p, ",")) {
			e->b = parse_literal(p);
			if (e->b->kind != EXPR_NUMBER)
				parse_fail(p, e->b->tok, "saw", "expected literal number");
		}
		if (peek_op(p, ","))
			parse_fail(p, peek(p), " at",
				   variance ? "not more than 2 parameters allowed"
					    : "not more than 1 parameter allowed");
		expect_op(p, ")");
		return e;
	}
	if (is_hist_op(t)) {
		struct expr *h = parse_hist_op(p);
		if (!peek_op(p, "["))
			parse_fail(p, t, " at",
				   "base histogram operator where expression expected");
		return parse_index(p, h);
	}
	parse_fail(p, t, "saw", "unknown operator %s", op);
}

/* value = literal | "(" expr ")" | "&"? target | at-operator | call | ident [ "[" exprs "]" ] */
static struct expr *parse_value(struct parser *p)
{
	struct token *t = peek(p);
	struct expr *e;
	if (t->type == TOK_EOF)
		parse_fail(p, t, "saw", "expected value");
	if (token_is_op(t, "(")) {
		next(p);
		e = parse_expression(p);
		expect_op(p, ")");
		return parse_autocast(p, e);
	}
	if (t->type == TOK_OPERATOR && t->text[0] == '@' && t->text[1])
		return parse_autocast(p, parse_at_operator(p));
	if (t->type == TOK_EMBEDDED) {
		if (!p->opts->privileged)
			parse_fail(p, t, "saw",
				   "embedded expression code in unprivileged script; need stap -g");
		next(p);
		e = new_expr(p, EXPR_EMBEDDED, t);
		e->str = t->text;
		return e;
	}
	if (t->type == TOK_IDENT && t->text[0] == '$')
		return parse_target_symbol(p, false);
	if (t->type == TOK_IDENT) {
		next(p);
		if (peek_op(p, "(")) {
			e = new_expr(p, is_print_function(t->text) ? EXPR_PRINT : EXPR_CALL, t);
			e->str = t->text;
			if (e->kind == EXPR_PRINT)
				parse_print_args(p, e);
			else
				parse_call_args(p, e);
			return parse_autocast(p, e);
		}
		e = new_expr(p, EXPR_SYMBOL, t);
		e->str = t->text;
		if (peek_op(p, "["))
			e = parse_index(p, e);
		return parse_autocast(p, e);
	}
	return parse_literal(p);
}

/* crement = value [ "++" | "--" ] */
static struct expr *parse_crement(struct parser *p)
{
	struct expr *e = parse_value(p);
	if (peek_op(p, "++") || peek_op(p, "--")) {
		struct expr *c = new_expr(p, EXPR_POSTINC, next(p));
		c->a = e;
		return c;
	}
	return e;
}

/* unary = ("+" | "-" | "!" | "~" | "&") unary | ("++" | "--") unary | crement */
static struct expr *parse_unary(struct parser *p)
{
	struct token *t = peek(p);
	if (token_is_op(t, "&")) {
		/* the address of a target value, else a unary operator on a value */
		struct expr *e = new_expr(p, EXPR_UNARY, next(p));
		e->a = parse_crement(p);
		if (e->a->kind == EXPR_TARGET || e->a->kind == EXPR_CAST ||
		    e->a->kind == EXPR_ATVAR || e->a->kind == EXPR_AUTOCAST) {
			e->a->addressof = true;
			return e->a;
		}
		return e;
	}
	if (token_is_op(t, "+") || token_is_op(t, "-") || token_is_op(t, "!") ||
	    token_is_op(t, "~")) {
		struct expr *e = new_expr(p, EXPR_UNARY, next(p));
		enter(p, e->tok);
		e->a = parse_unary(p);
		p->depth--;
		return e;
	}
	if (token_is_op(t, "++") || token_is_op(t, "--")) {
		struct expr *e = new_expr(p, EXPR_PREINC, next(p));
		e->a = parse_value(p);
		return e;
	}
	return parse_crement(p);
}

static bool peek_any_op(struct parser *p, const char *const *ops)
{
	for (int i = 0; ops[i]; i++)
		if (peek_op(p, ops[i]))
			return true;
	return false;
}

typedef struct expr *(*parse_fn)(struct parser *p);

/* A left-associative level: sub { op sub } */
static struct expr *parse_left_assoc(struct parser *p, parse_fn sub, const char *const *ops,
				     enum expr_kind kind)
{
	int depth = p->depth;
	struct expr *e = sub(p);
	while (peek_any_op(p, ops)) {
		/* a left-deep tree: each operator is one more level */
		struct expr *b = new_expr(p, kind, next(p));
		enter(p, b->tok);
		b->a = e;
		b->b = sub(p);
		e = b;
	}
	p->depth = depth;
	return e;
}

/* multiplicative = unary { ("*" | "/" | "%") unary } */
static struct expr *parse_multiplicative(struct parser *p)
{
	static const char *const ops[] = {"*", "/", "%", NULL};
	return parse_left_assoc(p, parse_unary, ops, EXPR_BINARY);
}

/* additive = multiplicative { ("+" | "-") multiplicative } */
static struct expr *parse_additive(struct parser *p)
{
	static const char *const ops[] = {"+", "-", NULL};
	return parse_left_assoc(p, parse_multiplicative, ops, EXPR_BINARY);
}

/* concatenation = additive { "." additive } */
static struct expr *parse_concatenation(struct parser *p)
{
	static const char *const ops[] = {".", NULL};
	return parse_left_assoc(p, parse_additive, ops, EXPR_CONCAT);
}

/* shift = concatenation { ("<<" | ">>" | ">>>") concatenation } */
static struct expr *parse_shift(struct parser *p)
{
	static const char *const ops[] = {"<<", ">>", ">>>", NULL};
	return parse_left_assoc(p, parse_concatenation, ops, EXPR_BINARY);
}

/* comparison = shift { ("<" | ">" | "<=" | ">=" | "==" | "!=") shift | ("=~" | "!~") string } */
static struct expr *parse_comparison(struct parser *p)
{
	static const char *const ops[] = {"<", ">", "<=", ">=", "==", "!=", NULL};
	int depth = p->depth;
	struct expr *e = parse_shift(p);
	for (;;) {
		if (peek_op(p, "=~") || peek_op(p, "!~")) {
			struct expr *r = new_expr(p, EXPR_REGEX, next(p));
			r->a = e;
			r->b = parse_literal_string(p);
			p->depth = depth;
			return r;
		} else if (peek_any_op(p, ops)) {
			struct expr *c = new_expr(p, EXPR_COMPARE, next(p));
			enter(p, c->tok);
			c->a = e;
			c->b = parse_shift(p);
			e = c;
		} else {
			p->depth = depth;
			return e;
		}
	}
}

/* array_in = comparison [ "in" indexable ] | "[" comparison { "," comparison } "]" "in" indexable
 */
static struct expr *parse_array_in(struct parser *p)
{
	struct vec keys = {0};
	if (accept_op(p, "["))
		parse_index_list(p, &keys);
	else
		push(p, &keys, parse_comparison(p));
	bool bracketed = keys.len != 1 || ((struct expr *)keys.items[0])->kind == EXPR_WILDCARD;
	if (peek_kw(p, "in")) {
		struct expr *e = new_expr(p, EXPR_IN, next(p));
		e->list = keys;
		e->a = parse_indexable(p);
		return e;
	}
	if (bracketed)
		fail_saw(p, "unexpected comma-separated expression list");
	return keys.items[0];
}

/* bit_and = array_in { "&" array_in } */
static struct expr *parse_bit_and(struct parser *p)
{
	static const char *const ops[] = {"&", NULL};
	return parse_left_assoc(p, parse_array_in, ops, EXPR_BINARY);
}

/* bit_xor = bit_and { "^" bit_and } */
static struct expr *parse_bit_xor(struct parser *p)
{
	static const char *const ops[] = {"^", NULL};
	return parse_left_assoc(p, parse_bit_and, ops, EXPR_BINARY);
}

/* bit_or = bit_xor { "|" bit_xor } */
static struct expr *parse_bit_or(struct parser *p)
{
	static const char *const ops[] = {"|", NULL};
	return parse_left_assoc(p, parse_bit_xor, ops, EXPR_BINARY);
}

/* logical_and = bit_or { "&&" bit_or } */
static struct expr *parse_logical_and(struct parser *p)
{
	static const char *const ops[] = {"&&", NULL};
	return parse_left_assoc(p, parse_bit_or, ops, EXPR_LOGICAL);
}

/* logical_or = logical_and { "||" logical_and } */
static struct expr *parse_logical_or(struct parser *p)
{
	static const char *const ops[] = {"||", NULL};
	return parse_left_assoc(p, parse_logical_and, ops, EXPR_LOGICAL);
}

/* ternary = logical_or [ "?" expr ":" expr ] */
static struct expr *parse_ternary(struct parser *p)
{
	struct expr *e = parse_logical_or(p);
	if (!peek_op(p, "?"))
		return e;
	struct expr *t = new_expr(p, EXPR_TERNARY, next(p));
	enter(p, t->tok);
	t->a = e;
	t->b = parse_expression(p);
	expect_op(p, ":");
	t->c = p->opts->env && pp_version_before(p->opts->env->systemtap_v, "4.0")
		       ? parse_expression(p)
		       : parse_ternary(p);
	p->depth--;
	return t;
}

/* assignment = ternary [ ("=" | "<<<" | "+=" | ... | ".=") assignment ] */
static struct expr *parse_expression(struct parser *p)
{
	static const char *const ops[] = {"=",   "<<<",  "+=", "-=", "*=", "/=", "%=", "<<=",
					  ">>=", ">>>=", "&=", "^=", "|=", ".=", NULL};
	enter(p, peek(p));
	struct expr *e = parse_ternary(p);
	if (!peek_any_op(p, ops)) {
		p->depth--;
		return e;
	}
	struct expr *a = new_expr(p, EXPR_ASSIGN, next(p));
	a->a = e;
	a->b = parse_expression(p);
	p->depth--;
	return a;
}

/* ---- statements ---- */

/* block = "{" { statement } "}" */
static struct stmt *parse_block(struct parser *p)
{
	struct stmt *s = new_stmt(p, STMT_BLOCK, expect_op(p, "{"));
	while (!accept_op(p, "}")) {
		if (peek(p)->type == TOK_EOF)
			parse_fail(p, peek(p), "saw", "expected statement");
		push(p, &s->stmts, parse_statement(p));
	}
	return s;
}

/* if_stmt = "if" "(" expr ")" statement [ "else" statement ] */
static struct stmt *parse_if(struct parser *p)
{
	struct stmt *s = new_stmt(p, STMT_IF, next(p));
	expect_op_here(p, "(");
	s->expr = parse_expression(p);
	expect_op_here(p, ")");
	s->body = parse_statement(p);
	if (peek_kw(p, "else")) {
		next(p);
		s->other = parse_statement(p);
	}
	return s;
}

/* for_stmt = "for" "(" [ expr ] ";" [ expr ] ";" [ expr ] ")" statement */
static struct stmt *parse_for(struct parser *p)
{
	struct stmt *s = new_stmt(p, STMT_FOR, next(p));
	expect_op(p, "(");
	if (!peek_op(p, ";"))
		s->init = parse_expression(p);
	expect_op_here(p, ";");
	if (!peek_op(p, ";")) {
		s->expr = parse_expression(p);
	} else {
		s->expr = new_expr(p, EXPR_NUMBER, peek(p));
		s->expr->num = 1;
	}
	expect_op_here(p, ";");
	if (!peek_op(p, ")"))
		s->step = parse_expression(p);
	expect_op_here(p, ")");
	s->body = parse_statement(p);
	return s;
}

/* while_stmt = "while" "(" expr ")" statement */
static struct stmt *parse_while(struct parser *p)
{
	struct stmt *s = new_stmt(p, STMT_FOR, next(p));
	expect_op_here(p, "(");
	s->expr = parse_expression(p);
	expect_op_here(p, ")");
	s->body = parse_statement(p);
	return s;
}

/* A "+" or "-" sort marker after a foreach key or array; only one is allowed. */
static void parse_sort_marker(struct parser *p, struct stmt *s, int key)
{
	if (!peek_op(p, "+") && !peek_op(p, "-"))
		return;
	struct token *t = next(p);
	if (s->sort_key >= 0 && key == 0)
		parse_fail(p, t, "saw", "multiple sort directives");
	if (s->sort_key >= 0)
		parse_fail(p, t, "saw", "multiple sort directives");
	s->sort_key = key;
	s->sort_dir = t->text[0];
}

static struct expr *parse_symbol(struct parser *p)
{
	struct token *t = expect_ident(p);
	struct expr *e = new_expr(p, EXPR_SYMBOL, t);
	e->str = t->text;
	return e;
}

/* foreach = "foreach" "(" [ ident "=" ] keys "in" indexable [ "+" | "-" ] [ "limit" expr ] ")"
 *           statement
 * keys = ident [ "+" | "-" ] | "[" ident [ "+" | "-" ] { "," ident [ "+" | "-" ] } "]" */
static struct stmt *parse_foreach(struct parser *p)
{
	struct stmt *s = new_stmt(p, STMT_FOREACH, next(p));
	expect_op(p, "(");
	struct token *after = peek_n(p, 1);
	if (peek(p)->type == TOK_IDENT &&
	    (token_is_op(after, "=") || ((token_is_op(after, "+") || token_is_op(after, "-")) &&
					 token_is_op(peek_n(p, 2), "=")))) {
		s->value = parse_symbol(p);
		parse_sort_marker(p, s, 0);
		next(p);
	}
	if (accept_op(p, "[")) {
		for (;;) {
			push(p, &s->keys, parse_symbol(p));
			parse_sort_marker(p, s, (int)s->keys.len);
			if (accept_op(p, "]"))
				break;
			if (!accept_op(p, ","))
				fail_saw(p, "expected ',' or ']'");
		}
	} else {
		push(p, &s->keys, parse_symbol(p));
		parse_sort_marker(p, s, 1);
	}
	if (!peek_kw(p, "in"))
		fail_saw(p, "expected 'in'");
	next(p);
	s->array = parse_indexable(p);
	if (peek_op(p, "["))
		s->array = parse_index(p, s->array);
	if (peek(p)->type == TOK_OPERATOR && peek(p)->text[0] == '@') {
		/* sort a statistics array by one of its aggregates */
		static const char *const aggrs[] = {"@count", "@sum",      "@min", "@max",
						    "@avg",   "@variance", NULL};
		struct token *a = next(p);
		for (int i = 0; aggrs[i] && !s->sort_aggr; i++)
			if (strcmp(a->text, aggrs[i]) == 0)
				s->sort_aggr = aggrs[i];
		if (!s->sort_aggr)
			parse_fail(p, a, "saw", "expected statistical operation");
		if (!peek_op(p, "+") && !peek_op(p, "-"))
			fail_saw(p, "expected sort directive");
	}
	parse_sort_marker(p, s, 0);
	if (peek_kw(p, "limit")) {
		next(p);
		s->limit = parse_expression(p);
	}
	expect_op(p, ")");
	s->body = parse_statement(p);
	return s;
}

/* A block whose only statement is a block: the form -p1 prints try bodies in. */
static struct stmt *parse_try_block(struct parser *p)
{
	struct stmt *b = parse_block(p);
	if (b->stmts.len == 1 && ((struct stmt *)b->stmts.items[0])->kind == STMT_BLOCK)
		return b->stmts.items[0];
	return b;
}

/* try_stmt = "try" block "catch" [ "(" ident ")" ] block */
static struct stmt *parse_try(struct parser *p)
{
	struct stmt *s = new_stmt(p, STMT_TRY, next(p));
	s->body = parse_try_block(p);
	if (!peek_kw(p, "catch"))
		fail_saw(p, "expected 'catch'");
	next(p);
	if (accept_op(p, "(")) {
		s->value = parse_symbol(p);
		expect_op(p, ")");
	}
	s->other = parse_try_block(p);
	return s;
}

/* statement = ( ";" | block | try_stmt | if_stmt | for_stmt | while_stmt | foreach
 *             | "return" [ expr ] | "delete" expr | "break" | "continue" | "next" | expr ) [ ";" ]
 * The original lets only simple statements swallow a following ";"; letting
 * every statement do so keeps -p1 output (which ends each statement with
 * ";") parsing back to the same tree. */
static struct stmt *parse_statement_body(struct parser *p)
{
	struct token *t = peek(p);
	struct stmt *s;
	if (token_is_op(t, ";"))
		return new_stmt(p, STMT_NULL, next(p));
	if (token_is_op(t, "{"))
		return parse_block(p);
	if (token_is_kw(t, "try"))
		return parse_try(p);
	if (token_is_kw(t, "if"))
		return parse_if(p);
	if (token_is_kw(t, "for"))
		return parse_for(p);
	if (token_is_kw(t, "while"))
		return parse_while(p);
	if (token_is_kw(t, "foreach"))
		return parse_foreach(p);
	if (token_is_kw(t, "return")) {
		if (!p->in_function)
			parse_fail(p, t, "saw", "found 'return' not in function context");
		s = new_stmt(p, STMT_RETURN, next(p));
		if (!peek_op(p, ";") && !peek_op(p, "}"))
			s->expr = parse_expression(p);
	} else if (token_is_kw(t, "delete")) {
		s = new_stmt(p, STMT_DELETE, next(p));
		s->expr = parse_expression(p);
	} else if (token_is_kw(t, "break")) {
		s = new_stmt(p, STMT_BREAK, next(p));
	} else if (token_is_kw(t, "continue")) {
		s = new_stmt(p, STMT_CONTINUE, next(p));
	} else if (token_is_kw(t, "next")) {
		s = new_stmt(p, STMT_NEXT, next(p));
	} else if (t->type == TOK_OPERATOR || t->type == TOK_IDENT || t->type == TOK_NUMBER ||
		   t->type == TOK_STRING || t->type == TOK_EMBEDDED) {
		s = new_stmt(p, STMT_EXPR, t);
		s->expr = parse_expression(p);
	} else {
		parse_fail(p, t, "saw", "expected statement");
	}
	return s;
}

/* statement = ( ";" | block | try_stmt | if_stmt | for_stmt | while_stmt | foreach
 *             | "return" [ expr ] | "delete" expr | "break" | "continue" | "next" | expr ) [ ";" ]
 * The original lets only simple statements swallow a following ";"; letting
 * every statement do so keeps -p1 output (which ends each statement with
 * ";") parsing back to the same tree. */
static struct stmt *parse_statement(struct parser *p)
{
	enter(p, peek(p));
	struct stmt *s = parse_statement_body(p);
	accept_op(p, ";");
	p->depth--;
	return s;
}

/* ---- declarations ---- */

/* Embedded C needs -g; the error does not skip ahead (the original's doesn't). */
static void check_embedded_allowed(struct parser *p, const struct token *t)
{
	if (p->opts->privileged)
		return;
	p->no_skip = true;
	parse_fail(p, t, "saw", "embedded code in unprivileged script; need stap -g");
}

/* global = "global" name { "," name } [ ";" ]
 * name = ident [ "%" ] [ "[" number "]" ] [ "=" literal ] */
static void parse_global(struct parser *p, struct program *prog, bool is_private)
{
	do {
		struct token *t = expect_ident(p);
		vec_foreach(&prog->globals, i) {
			const struct global *other = prog->globals.items[i];
			if (strcmp(other->name, t->text) != 0)
				continue;
			if (other->is_private != is_private)
				parse_fail(p, t, "saw",
					   "global versus private variable declaration conflict");
			parse_fail(p, t, "saw", "duplicate global name");
		}
		struct global *g = arena_alloc(p->arena, sizeof(*g));
		g->tok = t;
		g->name = t->text;
		g->is_private = is_private;
		if (peek_op(p, "%") && is_adjacent(t, peek(p))) {
			next(p);
			g->wrap = true;
		}
		if (accept_op(p, "[")) {
			struct expr *n = parse_literal(p);
			if (n->kind != EXPR_NUMBER)
				fail_saw(p, "expected literal number");
			expect_op(p, "]");
			if (n->num <= 0 || n->num > INT_MAX) {
				/* the original reports this one at the end of the input */
				struct token *eof = token_copy(p->arena, peek(p));
				eof->type = TOK_EOF;
				eof->loc.src = p->src;
				parse_fail(p, eof, "saw", "array size out of range");
			}
			g->size = n->num;
		}
		if (peek_op(p, "=")) {
			if (g->size)
				fail_saw(p, "only scalar globals can be initialized");
			next(p);
			g->init = parse_literal(p);
		}
		push(p, &prog->globals, g);
	} while (accept_op(p, ","));
	accept_op(p, ";");
}

#define parse_type_suffix(p) parse_type_suffix_site(p, __FILE__ ":" PARSE_SITE(__LINE__))
static const char *parse_type_suffix_site(struct parser *p, const char *site)
{
	if (!accept_op(p, ":"))
		return NULL;
	struct token *t = peek(p);
	if (!token_is_kw(t, "long") && !token_is_kw(t, "string"))
		fail_saw_site(p, site, "expected 'string' or 'long'");
	return next(p)->text;
}

/* function = "function" ident [ ":" type ] "(" [ param { "," param } ] ")" [ ":" literal ]
 *            ( block | embedded )
 * param = ident [ ":" type ] */
static void parse_function(struct parser *p, struct program *prog, bool is_private)
{
	struct function *f = arena_alloc(p->arena, sizeof(*f));
	/* a function may be named like a type keyword, though it cannot be
	 * called; the other keywords are refused, as the original does */
	if (peek(p)->type == TOK_EOF)
		fail_saw(p, "expected identifier");
	f->tok = next(p);
	if (f->tok->type != TOK_IDENT && !token_is_kw(f->tok, "string") &&
	    !token_is_kw(f->tok, "long"))
		parse_fail(p, f->tok, "saw", "expected identifier");
	f->name = f->tok->text;
	f->is_private = is_private;
	f->type = parse_type_suffix(p);
	expect_op(p, "(");
	if (!accept_op(p, ")")) {
		for (;;) {
			struct param *a = arena_alloc(p->arena, sizeof(*a));
			a->tok = expect_ident(p);
			a->name = a->tok->text;
			vec_foreach(&f->params, k) {
				const struct param *other = f->params.items[k];
				if (strcmp(other->name, a->name) == 0)
					parse_fail(p, a->tok, "saw", "duplicate parameter names");
			}
			a->type = parse_type_suffix(p);
			push(p, &f->params, a);
			if (accept_op(p, ")"))
				break;
			if (!accept_op(p, ","))
				fail_saw(p, "expected ',' or ')'");
		}
	}
	if (accept_op(p, ":")) {
		/* a priority among same-named functions: a positive number */
		struct expr *prio = parse_literal(p);
		if (prio->kind != EXPR_NUMBER)
			fail_saw(p, "expected literal number");
		if (prio->num <= 0)
			parse_fail(p, prio->tok, "saw", "specified priority must be > 0");
		f->priority = prio->num;
	}
	struct token *t = peek(p);
	if (t->type == TOK_EMBEDDED) {
		f->code = next(p);
		check_embedded_allowed(p, t);
	} else {
		p->in_function = true;
		f->body = parse_block(p);
		p->in_function = false;
	}
	push(p, &prog->functions, f);
}

/* comp = name [ "(" literal ")" ]; name glues adjacent identifiers, numbers and "*" */
static struct pp_comp *parse_pp_comp(struct parser *p)
{
	struct token *t = peek(p);
	if (!(t->type == TOK_IDENT || t->type == TOK_KEYWORD || token_is_op(t, "*")))
		fail_saw(p, "expected identifier or '*'");
	next(p);
	struct pp_comp *c = arena_alloc(p->arena, sizeof(*c));
	c->tok = t;
	/* no heap buffer here: peek() may unwind on an error */
	const char *name = t->text;
	const struct token *prev = t;
	for (;;) {
		struct token *u = peek(p);
		if (!(u->type == TOK_IDENT || u->type == TOK_KEYWORD || u->type == TOK_NUMBER ||
		      token_is_op(u, "*")) ||
		    !is_adjacent(prev, u))
			break;
		name = arena_printf(p->arena, "%s%s", name, u->text);
		prev = next(p);
	}
	c->name = name;
	if (accept_op(p, "(")) {
		c->arg = parse_literal(p);
		expect_op(p, ")");
	}
	return c;
}

static bool is_qualified(const struct probe_point *pp)
{
	return pp->optional || pp->sufficient || pp->cond;
}

/* points = piece { "." piece } [ "?" | "!" ] [ "if" "(" expr ")" ]
 * piece = comp | "{" points { "," points } "}"
 * Braces give alternatives; the result is every combination of them. */
static struct vec parse_pp_sequence(struct parser *p)
{
	struct vec result = {0};
	push(p, &result, arena_alloc(p->arena, sizeof(struct probe_point)));
	((struct probe_point *)result.items[0])->tok = peek(p);
	for (;;) {
		struct vec alts = {0};
		if (accept_op(p, "{")) {
			do {
				struct vec inner = parse_pp_sequence(p);
				vec_foreach(&inner, i)
					push(p, &alts, inner.items[i]);
			} while (accept_op(p, ","));
			expect_op(p, "}");
		} else {
			struct probe_point *one = arena_alloc(p->arena, sizeof(*one));
			one->tok = peek(p);
			push(p, &one->comps, parse_pp_comp(p));
			push(p, &alts, one);
		}
		struct vec product = {0};
		vec_foreach(&result, i) {
			struct probe_point *head = result.items[i];
			if (is_qualified(head))
				parse_fail(
					p, head->tok, " at",
					"'?', '!' or condition must only be specified in suffix");
			vec_foreach(&alts, k) {
				struct probe_point *tail = alts.items[k];
				struct probe_point *pp = arena_alloc(p->arena, sizeof(*pp));
				*pp = *tail;
				pp->tok = head->comps.len ? head->tok : tail->tok;
				pp->comps = (struct vec){0};
				vec_foreach(&head->comps, j)
					push(p, &pp->comps, head->comps.items[j]);
				vec_foreach(&tail->comps, j)
					push(p, &pp->comps, tail->comps.items[j]);
				push(p, &product, pp);
			}
		}
		result = product;
		if (!accept_op(p, "."))
			break;
	}
	if (peek_op(p, "?") || peek_op(p, "!")) {
		struct token *q = next(p);
		vec_foreach(&result, i) {
			struct probe_point *pp = result.items[i];
			if (pp->optional || pp->sufficient)
				parse_fail(p, q, "saw", "'?' or '!' respecified");
			pp->optional = true;
			pp->sufficient = q->text[0] == '!';
		}
	}
	if (peek_kw(p, "if")) {
		next(p);
		expect_op(p, "(");
		struct expr *cond = parse_expression(p);
		struct token *close = expect_op(p, ")");
		vec_foreach(&result, i) {
			struct probe_point *pp = result.items[i];
			if (pp->cond)
				parse_fail(p, close, "saw", "condition respecified");
			pp->cond = cond;
		}
	}
	return result;
}

/* A list of probe points: points { "," points }. */
static struct vec parse_pp_list(struct parser *p)
{
	struct vec list = {0};
	p->in_probe_point = true;
	do {
		struct vec seq = parse_pp_sequence(p);
		if (!peek_op(p, ",") && !peek_op(p, "{") && !peek_op(p, "=") && !peek_op(p, "+="))
			parse_fail(p, peek(p), "saw", "expected one of ', { } = +='");
		vec_foreach(&seq, i)
			push(p, &list, seq.items[i]);
	} while (accept_op(p, ","));
	p->in_probe_point = false;
	return list;
}

/* probe = "probe" points block
 *       | "probe" { point ( "=" | "+=" ) } points block [ "," block ] */
static void parse_probe(struct parser *p, struct program *prog, const struct token *kw)
{
	struct probe *pr = arena_alloc(p->arena, sizeof(*pr));
	pr->tok = kw;
	pr->points = parse_pp_list(p);
	while (peek_op(p, "=") || peek_op(p, "+=")) {
		if (pr->points.len != 1)
			parse_fail(p, peek(p), "saw", "expected probe point specifier");
		struct probe_point *name = pr->points.items[0];
		if (name->optional || name->sufficient)
			parse_fail(p, ((struct pp_comp *)name->comps.items[0])->tok, " at",
				   "probe point alias name cannot be optional nor sufficient");
		struct alias_name *a = arena_alloc(p->arena, sizeof(*a));
		a->point = name;
		a->epilogue = next(p)->text[0] == '+';
		push(p, &pr->aliases, a);
		pr->points = parse_pp_list(p);
	}
	pr->body = parse_block(p);
	if (pr->aliases.len && peek_op(p, ",")) {
		struct alias_name *last = pr->aliases.items[pr->aliases.len - 1];
		if (last->epilogue)
			parse_fail(p, peek(p), "saw",
				   "Combined prologue and epilogue cannot be defined with '+='");
		next(p);
		pr->epilogue_body = parse_block(p);
	}
	push(p, pr->aliases.len ? &prog->aliases : &prog->probes, pr);
}

/* declaration = "probe" probe | "global" global | "function" function
 *             | "private" ( "global" global | "function" function | global-names ) | embedded */
static void parse_declaration(struct parser *p, struct program *prog)
{
	struct token *t = next(p);
	if (token_is_kw(t, "probe")) {
		parse_probe(p, prog, t);
	} else if (token_is_kw(t, "global")) {
		parse_global(p, prog, false);
	} else if (token_is_kw(t, "function")) {
		parse_function(p, prog, false);
	} else if (token_is_kw(t, "private")) {
		struct token *u = peek(p);
		if (token_is_kw(u, "function")) {
			next(p);
			parse_function(p, prog, true);
		} else if (token_is_kw(u, "global")) {
			next(p);
			parse_global(p, prog, true);
		} else if (u->type == TOK_IDENT) {
			parse_global(p, prog, true);
		} else {
			parse_fail(p, u, "saw", "expected 'function' or identifier");
		}
	} else if (t->type == TOK_EMBEDDED) {
		check_embedded_allowed(p, t);
		push(p, &prog->embeds, t);
	} else {
		parse_fail(p, t, "saw",
			   "expected 'probe', 'global', 'private', 'function', or '%%{'");
	}
}

static bool is_declaration_start(const struct token *t)
{
	return t->type == TOK_EOF || t->type == TOK_EMBEDDED || token_is_kw(t, "probe") ||
	       token_is_kw(t, "global") || token_is_kw(t, "function") || token_is_kw(t, "private");
}

int parse_macro_file(struct arena *arena, const struct source *src, const struct parse_opts *opts,
		     struct diag *diag, struct vec *library)
{
	struct parser *p = arena_alloc(arena, sizeof(*p));
	p->arena = arena;
	p->diag = diag;
	p->opts = opts;
	p->src = src;
	p->lex = lexer_new(arena, src, NULL);
	int errors = diag->errors;
	jmp_buf jb;
	p->on_error = &jb;
	if (setjmp(jb) == 0) {
		struct token *t = pp_next(p);
		if (t->type != TOK_EOF)
			parse_fail(p, t, " at", "unexpected token in library macro file '%s'",
				   src->name);
	}
	if (diag->errors != errors)
		return diag->errors - errors;
	vec_foreach(&p->macros, i)
		vec_push(library, p->macros.items[i]);
	return 0;
}

struct program *parse_script(struct arena *arena, const struct source *src,
			     const struct parse_opts *opts, struct diag *diag)
{
	struct parser *p = arena_alloc(arena, sizeof(*p));
	p->arena = arena;
	p->diag = diag;
	p->opts = opts;
	p->src = src;
	p->lex = lexer_new(arena, src, NULL);
	struct program *prog = arena_alloc(arena, sizeof(*prog));
	prog->src = src;
	prog->has_tokens = lexer_next(lexer_new(arena, src, NULL))->type != TOK_EOF;
	jmp_buf jb;
	p->on_error = &jb;
	volatile bool recovering = false;
	if (setjmp(jb) != 0) {
		recovering = true;
		p->depth = 0;
		p->in_probe_point = false;
		p->any_bad_define |= p->bad_define;
		p->in_function = false;
	}
	for (;;) {
		if (recovering && !p->no_skip) {
			/* swallow tokens until a declaration can start */
			p->recovering = true;
			while (!is_declaration_start(peek(p)))
				next(p);
		}
		p->recovering = false;
		recovering = false;
		p->no_skip = false;
		if (peek(p)->type == TOK_EOF)
			break;
		parse_declaration(p, prog);
	}
	prog->has_declarations = p->saw_tokens && !p->any_bad_define;
	return prog;
}
