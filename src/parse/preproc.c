/*
 * The preprocessor, between the lexer and the parser, as SystemTap's:
 *
 *   %( COND %? TOKENS [ %: TOKENS ] %)     conditional, nestable
 *   @define NAME [ "(" params ")" ] %( TOKENS %)
 *   @NAME, @NAME(args)                     macro use; @param inside the body
 *   $N, @N, $#, @#                         script arguments
 *
 * Tokens come from a stack of expansions (macro bodies, argument texts) over
 * the lexer.  Macro tokens are copies whose chain points at the invocation,
 * so an error inside a macro names both places.  A condition is a chain of
 * "LEFT OP RIGHT" comparisons joined by && and || (&& binds tighter).
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <zlib.h>

#include "../diag.h"
#include "internal.h"

struct macro {
	const struct token *name;
	struct vec params; /* of struct token (identifiers) */
	struct vec body;   /* of struct token */
};

struct cond_frame {
	const struct token *open; /* the "%(" */
	bool in_else;
};

/* Recursion, and macros that multiply (@define a %( @b @b %) ...), stop here. */
enum { MAX_EXPANSION_DEPTH = 64, MAX_EXPANDED_TOKENS = 500000 };

static void push_expansion(struct parser *p, struct vec *toks, const struct token *invocation)
{
	struct expansion *e = arena_alloc(p->arena, sizeof(*e));
	e->toks = *toks;
	e->invocation = invocation;
	e->depth = p->exp ? p->exp->depth + 1 : 1;
	e->up = p->exp;
	p->exp = e;
}

/* The next token before preprocessing. */
static struct token *raw_next(struct parser *p)
{
	while (p->exp && p->exp->pos >= p->exp->toks.len)
		p->exp = p->exp->up;
	if (p->exp)
		return p->exp->toks.items[p->exp->pos++];
	return lexer_next(p->lex);
}

static struct token *junk(struct parser *p, const struct token *at, const char *msg)
{
	struct token *t = token_copy(p->arena, at);
	t->type = TOK_JUNK;
	t->text = "";
	t->junk_msg = msg;
	return t;
}

/* ---- script arguments ---- */

/* The index of "$N"/"@N", 0 for "$#"/"@#", -1 when tok is not one. */
static int arg_index(const struct token *tok)
{
	const char *s = tok->text;
	if ((tok->type != TOK_IDENT && tok->type != TOK_OPERATOR) || (s[0] != '$' && s[0] != '@'))
		return -1;
	if (strcmp(s + 1, "#") == 0)
		return 0;
	if (!isdigit((unsigned char)s[1]))
		return -1;
	for (const char *c = s + 1; *c; c++)
		if (!isdigit((unsigned char)*c))
			return -1;
	long n = strtol(s + 1, NULL, 10);
	return n > 0 && n < 1000000 ? (int)n : 1000000;
}

/* Quote an argument as the raw text of a string literal. */
static const char *quote_raw(struct parser *p, const char *s)
{
	struct strbuf sb;
	sb_init(&sb);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_putc(&sb, '\\');
		sb_putc(&sb, *s);
	}
	const char *r = arena_strndup(p->arena, sb_str(&sb), sb.len);
	sb_fini(&sb);
	return r;
}

/* Replace $N/@N/$#/@# by the argument: $N as script text, @N as a string. */
static struct token *substitute_arg(struct parser *p, struct token *tok, int idx)
{
	bool as_string = tok->text[0] == '@';
	struct token *t = token_copy(p->arena, tok);
	if (idx == 0) {
		t->type = as_string ? TOK_STRING : TOK_NUMBER;
		t->text = arena_printf(p->arena, "%d", p->opts->argc);
		return t;
	}
	if (idx > p->opts->argc) {
		char *msg = arena_printf(p->arena, "command line argument out of range [1-%d]",
					 p->opts->argc);
		return junk(p, tok, msg);
	}
	const char *arg = p->opts->argv[idx - 1];
	if (p->opts->args_used)
		p->opts->args_used[idx - 1] = true;
	if (as_string) {
		t->type = TOK_STRING;
		t->text = quote_raw(p, arg);
		return t;
	}
	struct source *src = arena_alloc(p->arena, sizeof(*src));
	src->name = tok->loc.src ? tok->loc.src->name : "<input>";
	src->text = arg;
	src->len = strlen(arg);
	struct lexer *lx = lexer_new(p->arena, src, &tok->loc);
	struct vec toks = {0};
	for (struct token *a = lexer_next(lx); a->type != TOK_EOF; a = lexer_next(lx)) {
		if (arg_index(a) >= 0)
			return junk(p, tok,
				    "invalid nested substitution of command line arguments");
		a->chain = tok->chain;
		vec_push_arena(p->arena, &toks, a);
	}
	push_expansion(p, &toks, NULL);
	return NULL;
}

/* ---- conditions ---- */

static const char *read_kernel_config(struct parser *p)
{
	if (p->config_read)
		return p->config_text;
	p->config_read = true;
	char path[512];
	const char *cfg = p->opts->env ? p->opts->env->config_path : NULL;
	struct utsname u;
	if (!cfg && uname(&u) == 0) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		FILE *f = fopen(path, "r");
		if (f)
			fclose(f);
		cfg = f ? path : "/proc/config.gz";
	}
	gzFile gz = cfg ? gzopen(cfg, "rb") : NULL;
	if (!gz)
		return NULL;
	struct strbuf sb;
	sb_init(&sb);
	char chunk[16384];
	int n;
	while ((n = gzread(gz, chunk, sizeof(chunk))) > 0)
		sb_putn(&sb, chunk, (size_t)n);
	gzclose(gz);
	p->config_text = arena_strndup(p->arena, sb_str(&sb), sb.len);
	sb_fini(&sb);
	return p->config_text;
}

/* The value of CONFIG_X in the kernel config, "" when unset. */
static const char *config_value(struct parser *p, const char *name)
{
	const char *text = read_kernel_config(p);
	size_t n = strlen(name);
	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		if (len > n && strncmp(line, name, n) == 0 && line[n] == '=') {
			const char *v = line + n + 1;
			size_t vlen = len - n - 1;
			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
				v++;
				vlen -= 2;
			}
			return arena_strndup(p->arena, v, vlen);
		}
		line = eol ? eol + 1 : NULL;
	}
	return "";
}

/* Compare two version strings by numeric components: "6.1" < "6.10". */
static int version_compare(const char *a, const char *b)
{
	while (*a || *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			unsigned long x = strtoul(a, (char **)&a, 10);
			unsigned long y = strtoul(b, (char **)&b, 10);
			if (x != y)
				return x < y ? -1 : 1;
		} else {
			if (*a != *b)
				return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
			a++;
			b++;
		}
	}
	return 0;
}

bool pp_version_before(const char *a, const char *b)
{
	return version_compare(a, b) < 0;
}

static bool compare_result(int cmp, const char *op)
{
	if (strcmp(op, "==") == 0)
		return cmp == 0;
	if (strcmp(op, "!=") == 0)
		return cmp != 0;
	if (strcmp(op, "<") == 0)
		return cmp < 0;
	if (strcmp(op, "<=") == 0)
		return cmp <= 0;
	if (strcmp(op, ">") == 0)
		return cmp > 0;
	return cmp >= 0;
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* "==" and "!=" against a pattern with wildcards match it; else compare. */
static bool compare_strings(const char *value, const char *op, const char *pattern, bool versions)
{
	bool eq = strcmp(op, "==") == 0, ne = strcmp(op, "!=") == 0;
	if ((eq || ne) && has_glob(pattern))
		return (fnmatch(pattern, value, 0) == 0) == eq;
	int cmp = versions ? version_compare(value, pattern) : strcmp(value, pattern);
	return compare_result(cmp, op);
}

static bool parse_number_text(const char *s, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 0);
	if (*s == '\0' || *end != '\0' || errno)
		return false;
	*out = v;
	return true;
}

static noreturn void bad_condition(struct parser *p, const struct token *tok)
{
	parse_fail(p, tok, " at",
		   "expected 'arch', 'kernel_v', 'kernel_vr', 'systemtap_v',\n"
		   "             'runtime', 'systemtap_privilege', 'CONFIG_...', or\n"
		   "             comparison between strings or integers");
}

/* A condition operand: like pp_next, but $N/@N stay unsubstituted for defined(). */
static struct macro *find_macro(struct parser *p, const char *name);
static void expand_macro(struct parser *p, struct macro *m, struct token *use);

/* A condition operand: macros expand (a library macro may hold a whole
 * condition); $N/@N are substituted unless inside defined(). */
static struct token *cond_token(struct parser *p, bool substitute)
{
	for (;;) {
		struct token *t = raw_next(p);
		if (t->type == TOK_OPERATOR && t->text[0] == '@' && substitute) {
			struct macro *m = find_macro(p, t->text + 1);
			if (m) {
				expand_macro(p, m, t);
				continue;
			}
		}
		int idx = substitute ? arg_index(t) : -1;
		if (idx < 0)
			return t;
		t = substitute_arg(p, t, idx);
		if (t)
			return t;
	}
}

/* term = "defined" "(" ARG ")" | LEFT OP RIGHT */
static bool eval_term(struct parser *p, const struct token *open)
{
	struct token *l = cond_token(p, true);
	if (l->type == TOK_JUNK)
		parse_fail(p, l, " at", "%s", l->junk_msg);
	if (l->type == TOK_EOF)
		parse_fail(p, open, " at", "incomplete condition after '%%('");
	if (token_is(l, TOK_IDENT, "defined")) {
		struct token *t = cond_token(p, false);
		if (!token_is_op(t, "("))
			parse_fail(p, t, " at", "expected '('");
		struct token *a = cond_token(p, false);
		int idx = arg_index(a);
		if (idx <= 0)
			parse_fail(p, a, " at", "expected '$N' or '@N'");
		t = cond_token(p, false);
		if (!token_is_op(t, ")"))
			parse_fail(p, t, " at", "expected ')'");
		return idx <= p->opts->argc;
	}
	struct token *op = cond_token(p, true);
	struct token *r = cond_token(p, true);
	if (op->type == TOK_EOF || r->type == TOK_EOF)
		parse_fail(p, open, " at", "incomplete condition after '%%('");
	static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">=", NULL};
	bool known_op = false;
	for (int i = 0; ops[i]; i++)
		known_op |= token_is_op(op, ops[i]);
	const struct pp_env *env = p->opts->env;
	if (token_is(l, TOK_IDENT, "guru_mode")) {
		if (!token_is_op(op, "==") && !token_is_op(op, "!="))
			parse_fail(p, op, " at", "expected '==' or '!='");
		if (!token_is(r, TOK_NUMBER, "0") && !token_is(r, TOK_NUMBER, "1"))
			parse_fail(p, op, " at", "expected 0 or 1");
		bool on = p->opts->privileged;
		return (on == (r->text[0] == '1')) == token_is_op(op, "==");
	}
	if (l->type == TOK_IDENT) {
		const char *lhs = NULL;
		bool versions = false, config = false, equality_only = false;
		if (strcmp(l->text, "kernel_v") == 0 || strcmp(l->text, "kernel_vr") == 0) {
			lhs = l->text[8] ? env->kernel_vr : env->kernel_v;
			versions = true;
		} else if (strcmp(l->text, "systemtap_v") == 0) {
			lhs = env->systemtap_v;
			versions = true;
		} else if (strcmp(l->text, "arch") == 0) {
			lhs = env->arch;
			equality_only = true;
		} else if (strcmp(l->text, "runtime") == 0) {
			lhs = env->runtime;
			equality_only = true;
		} else if (strcmp(l->text, "systemtap_privilege") == 0) {
			lhs = env->privilege;
			equality_only = true;
		} else if (strncmp(l->text, "CONFIG_", 7) == 0) {
			lhs = config_value(p, l->text);
			config = true;
		} else {
			bad_condition(p, l);
		}
		if (!known_op)
			parse_fail(p, op, " at", "expected comparison operator");
		bool equality = token_is_op(op, "==") || token_is_op(op, "!=");
		if (equality_only && !equality)
			parse_fail(p, op, " at", "expected '==' or '!='");
		if (config && r->type == TOK_NUMBER) {
			long long x = 0, y = 0;
			if (!parse_number_text(r->text, &y))
				parse_fail(p, r, " at", "number invalid or out of range");
			/* an unset option counts as 0 */
			if (*lhs && !parse_number_text(lhs, &x))
				parse_fail(p, l, " at", "Config option value not a number");
			return compare_result(x < y ? -1 : x > y, op->text);
		}
		if (config && r->type == TOK_IDENT && strncmp(r->text, "CONFIG_", 7) == 0)
			return compare_result(strcmp(lhs, config_value(p, r->text)), op->text);
		if (r->type != TOK_STRING)
			parse_fail(
				p, r, " at",
				config ? "expected string, number literal or other CONFIG_... as "
					 "right side operand"
				       : "expected string literal");
		if (!equality && has_glob(r->text))
			parse_fail(p, op, " at",
				   "wildcard not allowed with order comparison operators");
		return compare_strings(lhs ? lhs : "", op->text, r->text, versions);
	}
	if (l->type == TOK_STRING || l->type == TOK_NUMBER) {
		if (!known_op && l->type != r->type)
			bad_condition(p, l);
		if (!known_op)
			parse_fail(p, op, " at", "expected comparison operator");
		if (l->type == TOK_STRING && r->type != TOK_STRING)
			parse_fail(p, r, " at", "expected string literal as right value");
		if (l->type == TOK_NUMBER && r->type != TOK_NUMBER)
			parse_fail(p, r, " at", "expected number literal as right value");
	}
	if (l->type == TOK_STRING)
		return compare_result(strcmp(l->text, r->text), op->text);
	if (l->type == TOK_NUMBER) {
		long long x, y;
		if (!parse_number_text(l->text, &x))
			parse_fail(p, l, " at", "number invalid or out of range");
		if (!parse_number_text(r->text, &y))
			parse_fail(p, r, " at", "number invalid or out of range");
		return compare_result(x < y ? -1 : x > y, op->text);
	}
	bad_condition(p, l);
}

/* cond = term { ("&&" | "||") term } "%?" */
static bool eval_condition(struct parser *p, const struct token *open)
{
	bool result = false, and_result = true;
	for (;;) {
		bool r = eval_term(p, open);
		struct token *t = cond_token(p, true);
		if (token_is_op(t, "&&")) {
			and_result = and_result && r;
		} else if (token_is_op(t, "||")) {
			result = result || (and_result && r);
			and_result = true;
		} else if (token_is_op(t, "%?")) {
			return result || (and_result && r);
		} else {
			parse_fail(p, open, " at", "expected '%%?' marker for conditional");
		}
	}
}

/* Skip a branch not taken.  Returns the "%:" or "%)" that ends it. */
static struct token *skip_branch(struct parser *p, const struct token *open, bool stop_at_else)
{
	int depth = 0;
	struct token *duplicate = NULL, *stray = NULL;
	for (;;) {
		struct token *t = raw_next(p);
		if (t->type == TOK_EOF)
			parse_fail(p, open, " at", "incomplete conditional at end of file");
		if (token_is_op(t, "%(")) {
			depth++;
		} else if (token_is_op(t, "%)") && depth-- == 0) {
			if (stray)
				parse_fail_site(p, "stray %?", stray, " at",
						"incomplete conditional - missing '%%('");
			if (duplicate)
				parse_fail(p, duplicate, " at",
					   "invalid conditional - duplicate '%%:'");
			return t;
		} else if (token_is_op(t, "%?") && depth == 0) {
			/* a second "%?", in a skipped branch too; reported at the
			 * "%)", so that recovery starts after the conditional */
			stray = stray ? stray : t;
		} else if (token_is_op(t, "%:") && depth == 0) {
			if (stop_at_else && !stray)
				return t;
			duplicate = duplicate ? duplicate : t;
		}
	}
}

static void conditional(struct parser *p, struct token *open)
{
	bool taken = eval_condition(p, open);
	if (!taken) {
		struct token *end = skip_branch(p, open, true);
		if (token_is_op(end, "%)"))
			return;
	}
	struct cond_frame *f = arena_alloc(p->arena, sizeof(*f));
	f->open = open;
	f->in_else = !taken;
	vec_push_arena(p->arena, &p->conds, f);
}

/* ---- macros ---- */

static struct macro *find_in(const struct vec *macros, const char *name)
{
	for (size_t i = 0; macros && i < macros->len; i++) {
		struct macro *m = macros->items[i];
		if (strcmp(m->name->text, name) == 0)
			return m;
	}
	return NULL;
}

/* The script's own macros first, then the library's. */
static struct macro *find_macro(struct parser *p, const char *name)
{
	struct macro *m = find_in(&p->macros, name);
	return m ? m : find_in(p->opts->library_macros, name);
}

/* define = "@define" NAME [ "(" [ ident { "," ident } ] ")" ] "%(" tokens "%)" */
/* After a malformed definition header, drop the rest of the definition: up to
 * and including its "%)", or up to the next "@define". */
#define define_fail(p, tok, ...)                                                                   \
	do {                                                                                       \
		skip_definition(p);                                                                \
		parse_fail(p, tok, " at", __VA_ARGS__);                                            \
	} while (0)

static void skip_definition(struct parser *p)
{
	for (;;) {
		struct token *t = raw_next(p);
		if (t->type == TOK_EOF || token_is_op(t, "%)"))
			return;
		if (token_is_op(t, "@define")) {
			struct vec back = {0};
			vec_push_arena(p->arena, &back, t);
			push_expansion(p, &back, NULL);
			return;
		}
	}
}

static void define_macro(struct parser *p)
{
	/* the original drops the whole input after a bad definition */
	p->bad_define = true;
	struct token *name = raw_next(p);
	if (name->type != TOK_IDENT)
		define_fail(p, name, "expected identifier");
	if (strcmp(name->text, "define") == 0)
		parse_fail(p, name, " at", "attempt to redefine '@define'");
	static const char *const builtins[] = {
		"cast",      "var",       "defined", "entry",    "perf",     "count",       "sum",
		"min",       "max",       "avg",     "variance", "hist_log", "hist_linear", "const",
		"kregister", "uregister", "kderef",  "uderef",   NULL,
	};
	for (int i = 0; builtins[i]; i++)
		if (strcmp(name->text, builtins[i]) == 0)
			diag_token_warning(p->diag, name, "macro redefines built-in operator '@%s'",
					   name->text);
	struct macro *old = find_in(&p->macros, name->text);
	if (old) {
		diag_token_error(p->diag, NULL, "parse", " at", name,
				 "attempt to redefine macro '@%s' in the same file", name->text);
		parse_fail(p, old->name, " at", "macro '@%s' first defined here", name->text);
	}
	struct macro *m = arena_alloc(p->arena, sizeof(*m));
	struct token *t = raw_next(p);
	bool has_params = token_is_op(t, "(");
	if (has_params) {
		t = raw_next(p);
		while (!token_is_op(t, ")")) {
			if (t->type != TOK_IDENT)
				define_fail(p, t, "expected identifier");
			vec_push_arena(p->arena, &m->params, t);
			t = raw_next(p);
			if (token_is_op(t, ","))
				t = raw_next(p);
			else if (!token_is_op(t, ")"))
				define_fail(p, t, "expected ',' or ')'");
		}
		t = raw_next(p);
	}
	if (!token_is_op(t, "%(")) {
		if (has_params)
			define_fail(p, t, "expected '%%('");
		define_fail(p, t, "expected '%%(' or '('");
	}
	int depth = 0;
	for (;;) {
		t = raw_next(p);
		if (t->type == TOK_EOF)
			parse_fail(p, name, " at", "incomplete macro definition - missing '%%)'");
		if (token_is_op(t, "%("))
			depth++;
		else if (token_is_op(t, "%)") && depth-- == 0)
			break;
		vec_push_arena(p->arena, &m->body, t);
	}
	m->name = name;
	vec_push_arena(p->arena, &p->macros, m);
	p->bad_define = false;
}

/* args = "(" tokens { "," tokens } ")", split at the top level of brackets */
static void read_macro_args(struct parser *p, struct macro *m, const struct token *use,
			    struct vec *args)
{
	struct token *t = raw_next(p);
	size_t want = m->params.len;
	if (!token_is_op(t, "("))
		parse_fail(p, t, " at",
			   "expected '(' in invocation of macro '%s' taking %zu parameter%s",
			   use->text, want, want == 1 ? "" : "s");
	struct vec *cur = arena_alloc(p->arena, sizeof(*cur));
	int depth = 0;
	for (;;) {
		t = raw_next(p);
		if (t->type == TOK_EOF)
			parse_fail(p, use, " at", "could not find end of macro invocation");
		if (depth == 0 && (token_is_op(t, ",") || token_is_op(t, ")"))) {
			vec_push_arena(p->arena, args, cur);
			if (args->len > want || (token_is_op(t, ",") && args->len == want))
				parse_fail(p, t, " at",
					   "too many parameters for macro '%s' (expected %zu)",
					   use->text, want);
			if (token_is_op(t, ")"))
				break;
			cur = arena_alloc(p->arena, sizeof(*cur));
			continue;
		}
		if (token_is_op(t, "(") || token_is_op(t, "[") || token_is_op(t, "{"))
			depth++;
		else if (token_is_op(t, ")") || token_is_op(t, "]") || token_is_op(t, "}"))
			depth--;
		vec_push_arena(p->arena, cur, t);
	}
	if (args->len < want)
		parse_fail(p, t, " at", "too few parameters for macro '%s' (expected %zu)",
			   use->text, want);
}

static void expand_macro(struct parser *p, struct macro *m, struct token *use)
{
	if (p->exp && p->exp->depth >= MAX_EXPANSION_DEPTH) {
		p->exp = NULL; /* drop the rest, or recovery would expand it all again */
		parse_fail(p, use, " at", "macro expansion too deep (recursive macro?)");
	}
	struct vec args = {0};
	if (m->params.len)
		read_macro_args(p, m, use, &args);
	struct vec out = {0};
	vec_foreach(&m->body, i) {
		if (p->expanded_tokens + out.len > MAX_EXPANDED_TOKENS) {
			p->exp = NULL;
			parse_fail(p, use, " at", "macro expansion too large (more than %d tokens)",
				   MAX_EXPANDED_TOKENS);
		}
		struct token *t = m->body.items[i];
		bool replaced = false;
		if (t->type == TOK_OPERATOR && t->text[0] == '@') {
			vec_foreach(&m->params, k) {
				struct token *param = m->params.items[k];
				if (strcmp(param->text, t->text + 1) != 0)
					continue;
				struct vec *arg = args.items[k];
				struct token *ref = token_copy(p->arena, t);
				ref->chain = use;
				vec_foreach(arg, j) {
					struct token *c = token_copy(p->arena, arg->items[j]);
					c->chain = ref;
					vec_push_arena(p->arena, &out, c);
				}
				replaced = true;
				break;
			}
		}
		if (!replaced) {
			struct token *c = token_copy(p->arena, t);
			c->chain = use;
			vec_push_arena(p->arena, &out, c);
		}
	}
	p->expanded_tokens += out.len;
	push_expansion(p, &out, use);
}

/* ---- the token stream ---- */

struct token *pp_next(struct parser *p)
{
	for (;;) {
		struct token *t = raw_next(p);
		if (t->type == TOK_OPERATOR) {
			if (strcmp(t->text, "%(") == 0) {
				conditional(p, t);
				continue;
			}
			if (strcmp(t->text, "%:") == 0 || strcmp(t->text, "%)") == 0 ||
			    strcmp(t->text, "%?") == 0) {
				struct cond_frame *f =
					p->conds.len ? p->conds.items[p->conds.len - 1] : NULL;
				if (f && f->in_else && strcmp(t->text, "%:") == 0)
					parse_fail(p, t, " at",
						   "invalid conditional - duplicate '%%:'");
				/* one report site per marker, as the original has */
				if (strcmp(t->text, "%?") == 0)
					parse_fail_site(p, "stray %?", t, " at",
							"incomplete conditional - missing '%%('");
				if (!f && strcmp(t->text, "%:") == 0)
					parse_fail(p, t, " at",
						   "incomplete conditional - missing '%%('");
				if (!f)
					parse_fail(p, t, " at",
						   "incomplete conditional - missing '%%('");
				p->conds.len--;
				if (strcmp(t->text, "%:") == 0)
					skip_branch(p, f->open, false);
				continue;
			}
			if (strcmp(t->text, "@define") == 0) {
				if (t->chain)
					parse_fail(p, t, " at",
						   "'@define' forbidden inside macro body");
				define_macro(p);
				continue;
			}
			if (t->text[0] == '@' &&
			    (isalpha((unsigned char)t->text[1]) || t->text[1] == '_')) {
				struct macro *m = find_macro(p, t->text + 1);
				if (m) {
					expand_macro(p, m, t);
					continue;
				}
			}
		}
		if (t->type == TOK_EOF && p->conds.len) {
			struct cond_frame *f = p->conds.items[p->conds.len - 1];
			p->conds.len = 0;
			parse_fail(p, f->open, " at", "incomplete conditional at end of file");
		}
		int idx = arg_index(t);
		if (idx >= 0) {
			t = substitute_arg(p, t, idx);
			if (!t)
				continue;
		}
		return t;
	}
}
