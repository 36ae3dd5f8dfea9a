/*
 * Pass 1: the public face of the parser.  parse_script() turns one script
 * file (or a -e string) into a struct program; ast_print() writes it back as
 * `stap -p1` does.  Tokens and AST nodes live in the caller's arena and carry
 * their source location, so later passes can point at what the user wrote.
 */
#ifndef STAP_PARSE_H
#define STAP_PARSE_H

#include <stdbool.h>
#include <stdio.h>

#include "../util/util.h"

struct diag;

/* One input text: a script file, a -e string, a tapset file. */
struct source {
	const char *name; /* as printed in locations: a path or "<input>" */
	const char *text; /* NUL-terminated */
	size_t len;
	bool library; /* a tapset file: the optimizer elides its code silently */
};

struct srcloc {
	const struct source *src;
	int line; /* 1-based */
	int col;  /* 1-based */
};

enum tok_type {
	TOK_IDENT,
	TOK_KEYWORD,
	TOK_NUMBER,
	TOK_STRING,
	TOK_OPERATOR,
	TOK_EMBEDDED,
	TOK_JUNK,
	TOK_EOF,
};

struct token {
	enum tok_type type;
	const char *text; /* strings: the raw text between the quotes */
	struct srcloc loc;
	const struct token *chain; /* the macro invocation this token came from */
	const char *junk_msg;      /* TOK_JUNK: what the lexer found wrong */
	bool after_comment;        /* a comment came between it and the token before */
};

/* ---- expressions ---- */

enum expr_kind {
	EXPR_NUMBER,   /* num */
	EXPR_STRING,   /* str (raw, escapes kept as written) */
	EXPR_SYMBOL,   /* str: variable or array name */
	EXPR_TARGET,   /* str: "$var", "$$vars"...; comps; addressof */
	EXPR_CAST,     /* @cast(a, str [, module]): comps */
	EXPR_ATVAR,    /* @var(str [, module]): comps */
	EXPR_AUTOCAST, /* (a)->field...: comps */
	EXPR_DEFINED,  /* @defined(a) */
	EXPR_ENTRY,    /* @entry(a) */
	EXPR_PERF,     /* @perf(str) */
	EXPR_BINARY,   /* a op b: + - * / % << >> & | ^ */
	EXPR_LOGICAL,  /* a && b, a || b */
	EXPR_COMPARE,  /* a < b ... */
	EXPR_CONCAT,   /* a . b */
	EXPR_REGEX,    /* a =~ str, a !~ str (b is the literal) */
	EXPR_UNARY,    /* op a: + - ! ~ */
	EXPR_PREINC,   /* ++a, --a */
	EXPR_POSTINC,  /* a++, a-- */
	EXPR_TERNARY,  /* a ? b : c */
	EXPR_ASSIGN,   /* a op b: = += ... <<< */
	EXPR_IN,       /* [list] in a */
	EXPR_INDEX,    /* a[list]; a is a symbol or a histogram */
	EXPR_CALL,     /* str(list) */
	EXPR_PRINT,    /* str(list): print, printf, sprintf, printd ... */
	EXPR_STAT,     /* @str(a [, b]): count sum min max avg variance */
	EXPR_HIST,     /* @hist_log(a), @hist_linear(a, list...) */
	EXPR_EMBEDDED, /* %{ code %} used as a value (str) */
	EXPR_WILDCARD, /* "*" as an array index: any key */
	EXPR_CONTEXT,  /* pass 2: a resolved context variable ($field...): cv */
};

enum comp_kind {
	COMP_FIELD,  /* ->name */
	COMP_INDEX,  /* [num] */
	COMP_EXPR,   /* [expr] */
	COMP_PRETTY, /* $ or $$ */
};

struct component {
	enum comp_kind kind;
	const struct token *tok;
	const struct token *op_tok; /* the "->" of a field */
	const char *name;           /* field name, or "$"/"$$" */
	long long num;
	struct expr *index;
};

struct symbol;
struct efunction;
struct ctxvar;

struct expr {
	enum expr_kind kind;
	const struct token *tok; /* the operator or leading token */
	const char *op;          /* operator text */
	long long num;
	const char *str;
	const char *module; /* @cast/@var module */
	struct expr *a, *b, *c;
	struct vec list;  /* of struct expr */
	struct vec comps; /* of struct component */
	bool addressof;
	/* Set by pass 2: the value's type (enum vtype), the variable or array a
	 * symbol, index, in or delete names, the function a call calls. */
	int type;
	struct symbol *sym;
	struct efunction *func;
	const struct ctxvar *cv;
};

/* ---- statements ---- */

enum stmt_kind {
	STMT_BLOCK,
	STMT_EXPR,
	STMT_NULL,
	STMT_IF,
	STMT_FOR, /* while loops are for loops without init and step */
	STMT_FOREACH,
	STMT_RETURN,
	STMT_NEXT,
	STMT_BREAK,
	STMT_CONTINUE,
	STMT_DELETE,
	STMT_TRY,
};

struct stmt {
	enum stmt_kind kind;
	const struct token *tok;
	struct expr *expr;         /* expr, return value, delete target, if/for condition */
	struct stmt *body, *other; /* then/else; loop body; try/catch */
	struct expr *init, *step;  /* for */
	struct vec stmts;          /* block */
	struct vec keys;           /* foreach key variables (EXPR_SYMBOL) */
	struct expr *value;        /* foreach value variable, try catch variable */
	struct expr *array;        /* foreach: symbol or histogram */
	int sort_key;              /* foreach: -1 unsorted, 0 by value, N by key N */
	char sort_dir;             /* '+' or '-' */
	const char *sort_aggr;     /* by value of a statistic: "@sum", ... */
	struct expr *limit;        /* foreach limit */
};

/* ---- declarations ---- */

struct global {
	const struct token *tok;
	const char *name;
	bool is_private;
	bool wrap;      /* a%: wrap around when full */
	long long size; /* a[N]; 0 when not given */
	struct expr *init;
};

struct param {
	const struct token *tok;
	const char *name;
	const char *type; /* "long", "string" or NULL */
};

struct function {
	const struct token *tok;
	const char *name;
	bool is_private;
	const char *type;   /* return type or NULL */
	struct vec params;  /* of struct param */
	long long priority; /* function f() : N */
	struct stmt *body;  /* NULL for embedded C */
	const struct token *code;
};

struct pp_comp {
	const struct token *tok;
	const char *name;
	struct expr *arg; /* literal number or string, or NULL */
};

struct probe_point {
	const struct token *tok;
	struct vec comps; /* of struct pp_comp */
	bool optional;    /* ? */
	bool sufficient;  /* ! */
	struct expr *cond;
};

struct alias_name {
	struct probe_point *point;
	bool epilogue; /* defined with += */
};

struct probe {
	const struct token *tok;
	struct vec points;  /* of struct probe_point */
	struct vec aliases; /* of struct alias_name: the names an alias defines */
	struct stmt *body;
	struct stmt *epilogue_body; /* "probe a = b { prologue }, { epilogue }" */
};

struct program {
	const struct source *src;
	bool has_tokens;       /* false: the input was empty or only comments */
	bool has_declarations; /* false: nothing was left after preprocessing */
	struct vec embeds;     /* of const struct token (TOK_EMBEDDED) */
	struct vec globals;    /* of struct global */
	struct vec aliases;    /* of struct probe */
	struct vec probes;     /* of struct probe */
	struct vec functions;  /* of struct function */
};

/* What the preprocessor conditions %( ... %) may ask about. */
struct pp_env {
	const char *kernel_v;  /* "6.18.44" */
	const char *kernel_vr; /* "6.18.44-fc-v769" */
	const char *arch;      /* "x86_64" */
	const char *runtime;   /* "bpf" */
	const char *systemtap_v;
	const char *privilege;   /* "stapusr", "stapsys", "stapdev" */
	const char *config_path; /* kernel config, NULL: find the running kernel's */
};

struct parse_opts {
	bool privileged; /* -g, or a tapset file: embedded C allowed */
	int argc;        /* script arguments $1.. / @1.. */
	char **argv;
	bool *args_used; /* NULL, or argc flags: set when $N/@N is used */
	const struct pp_env *env;
	const struct vec *library_macros; /* from parse_macro_file: tapset *.stpm */
};

/* Parse one source; errors go to diag.  Returns the program (never NULL). */
struct program *parse_script(struct arena *arena, const struct source *src,
			     const struct parse_opts *opts, struct diag *diag);

/* Read a library macro file (a tapset's *.stpm: only @define and
 * conditionals) and add its macros to library.  A file with errors adds
 * nothing; its errors go to diag.  Returns the number of errors. */
int parse_macro_file(struct arena *arena, const struct source *src, const struct parse_opts *opts,
		     struct diag *diag, struct vec *library);

/* Print the program as `stap -p1` does. */
void ast_print(FILE *out, const struct program *prog);

/* Describe a token for error messages: "identifier 'x'", "keyword", ... */
void token_describe(const struct token *tok, char *buf, size_t size);

/* True when version a is older than b ("3.9" < "4.0"): --compatible tests. */
bool pp_version_before(const char *a, const char *b);

#endif
