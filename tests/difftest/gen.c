/*
 * gen: random, well-typed SystemTap scripts for the differential tester
 * (tests/difftest.sh), deterministic from a seed.
 *
 *   gen SEED ID      one script's globals, functions and its probe `K`
 *
 * Every name the script declares starts with sID_, so that many scripts can
 * share one session (one compile, one load); the probe is on the alias `K`,
 * which the runner defines once per session: three begin points (host
 * context) or a tracepoint fired three times (kernel context).  The body
 * opens with a marker line `@@ID` and runs inside try/catch, so that a
 * runtime error prints its message and the other scripts keep running; the
 * runner cuts the output at the markers and compares each script's part.
 *
 * What comes out is well-typed by construction: each variable has one type
 * (l* and g* longs, t* and h* strings, a0 [long] -> long, a1 [long, string]
 * -> long, a2 [string] -> string, a3 a sized array, w a wrap-around array
 * never filled, st0/st1 statistics, sa a statistics array).  Loops are
 * bounded (counters no body assigns), a foreach body never modifies the
 * array it walks and functions write no array, as pass 2 requires;
 * functions call only functions generated before them (no recursion).  An
 * unsorted foreach, whose order differs between the contexts on purpose
 * (docs/bpf-target.md), only adds up.  One statement per line, so that the
 * shrinker can drop lines.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: the same sequence on every machine */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* a number in [0, n) */
static int below(int n)
{
	return (int)(rnd() % (uint64_t)n);
}

static int chance(int percent)
{
	return below(100) < percent;
}

static const char *pick(const char *const *list, int n)
{
	return list[below(n)];
}

#define PICK(list) pick(list, (int)(sizeof(list) / sizeof(list[0])))

/* ---- output: a growing buffer of lines ---- */

static char out[1 << 20];
static size_t out_len;
static int indent;
static int id;

static void emit(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	out_len += (size_t)vsnprintf(out + out_len, sizeof(out) - out_len, fmt, ap);
	va_end(ap);
	if (out_len >= sizeof(out))
		out_len = sizeof(out) - 1;
}

static void line(const char *fmt, ...)
{
	va_list ap;
	for (int i = 0; i < indent; i++)
		emit("  ");
	va_start(ap, fmt);
	out_len += (size_t)vsnprintf(out + out_len, sizeof(out) - out_len, fmt, ap);
	va_end(ap);
	if (out_len >= sizeof(out))
		out_len = sizeof(out) - 1;
	emit("\n");
}

/* an expression is built in a small string buffer */
struct buf {
	char s[4096];
};

static void bprintf(struct buf *b, const char *fmt, ...)
{
	size_t n = strlen(b->s);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b->s + n, sizeof(b->s) - n, fmt, ap);
	va_end(ap);
}

/* ---- the script's state while it is generated ---- */

enum { NLOCAL_L = 4, NLOCAL_S = 3, MAXLOOPS = 8 };

static int in_function;      /* generating a function body */
static int y_string;         /* its parameter y is a string (else z is) */
static int nfunctions;       /* functions generated so far */
static int fn_ret_string[4]; /* each function's return type */
static int fn_param_string[4];
static int loop_depth; /* loops around the current statement */
static int loop_vars[MAXLOOPS];
static int nloop_vars; /* loop counters readable here */
static int loop_counter;
static const char *locked; /* the array a foreach walks here */
static int foreach_keys[4];
static int nforeach;      /* foreach key variables readable (long) */
static int foreach_skeys; /* foreach string key variables readable */
static int budget;        /* statements left in this script */
static int expr_depth;
static int hist_kind; /* which histogram st1 prints: log or linear */
static int variance;  /* @variance may appear (DIFFTEST_VARIANCE, default 1) */

static const char *const strings[] = {
	"\"\"",        "\"a\"",
	"\"abc\"",     "\"Hello World\"",
	"\"x y z\"",   "\"123\"",
	"\"-42\"",     "\"0x1f\"",
	"\"  7\"",     "\"%d\"",
	"\"tab\\tx\"", "\"q\\\"q\"",
	"\"0777\"",    "\"abcabcabc\"",
	"\"ZZ\"",      "\"1e3\"",
	"\"\\n\"",     "\"the quick brown fox jumps over the lazy dog 0123456789\"",
};

static void expr_long(struct buf *b);
static void expr_string(struct buf *b);

static void literal_long(struct buf *b)
{
	static const char *const big[] = {
		"9223372036854775807",
		"(-9223372036854775807 - 1)",
		"4294967296",
		"2147483647",
		"-2147483648",
		"0x7fffffff",
		"0xff",
		"077",
		"0x8000000000000000",
		"-1",
		"1000000007",
	};
	if (chance(15))
		bprintf(b, "%s", PICK(big));
	else if (chance(20))
		bprintf(b, "%d", below(130) - 65);
	else
		bprintf(b, "%d", below(12) - 2);
}

static void var_long(struct buf *b)
{
	int r = below(10);
	if (r < 2 && nloop_vars > 0)
		bprintf(b, "i%d", loop_vars[below(nloop_vars)]);
	else if (r < 4 && nforeach > 0)
		bprintf(b, "k%d", foreach_keys[below(nforeach)]);
	else if (r < 7 || in_function)
		bprintf(b, in_function ? "x" : "l%d", below(NLOCAL_L));
	else
		bprintf(b, "s%d_g%d", id, below(2));
}

static void var_string(struct buf *b)
{
	int r = below(10);
	if (r < 2 && foreach_skeys > 0)
		bprintf(b, "ks%d", below(foreach_skeys));
	else if (r < 7)
		bprintf(b, in_function ? (y_string ? "y" : "z") : "t%d", below(NLOCAL_S));
	else
		bprintf(b, "s%d_h0", id);
}

/* a small long key, so that arrays hit their elements again */
static void key_long(struct buf *b)
{
	if (chance(60))
		bprintf(b, "%d", below(6) - 1);
	else {
		bprintf(b, "(");
		var_long(b);
		bprintf(b, " & 7)");
	}
}

static void key_string(struct buf *b)
{
	static const char *const keys[] = {"\"\"", "\"a\"", "\"bb\"", "\"key\"", "\"Z\""};
	if (chance(75))
		bprintf(b, "%s", PICK(keys));
	else
		var_string(b);
}

static void call_args(struct buf *b, int f)
{
	bprintf(b, "s%d_f%d(", id, f);
	expr_long(b);
	bprintf(b, ", ");
	if (fn_param_string[f])
		expr_string(b);
	else
		expr_long(b);
	bprintf(b, ")");
}

/* a function this one may call: one generated before it */
static int callable(int want_string)
{
	int limit = in_function ? nfunctions - 1 : nfunctions;
	for (int tries = 0; tries < 3 && limit > 0; tries++) {
		int f = below(limit);
		if (fn_ret_string[f] == want_string)
			return f;
	}
	return -1;
}

static void expr_long(struct buf *b)
{
	static const char *const arith[] = {"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"};
	static const char *const cmp[] = {"==", "!=", "<", ">", "<=", ">="};
	int f;
	if (expr_depth > 3 || chance(30)) {
		if (chance(45))
			literal_long(b);
		else
			var_long(b);
		return;
	}
	expr_depth++;
	switch (below(22)) {
	case 0:
	case 1:
	case 2:
	case 3:
		bprintf(b, "(");
		expr_long(b);
		bprintf(b, " %s ", PICK(arith));
		if (chance(30))
			literal_long(b);
		else
			expr_long(b);
		bprintf(b, ")");
		break;
	case 4:
		bprintf(b, "(");
		expr_long(b);
		bprintf(b, " %s ", PICK(cmp));
		expr_long(b);
		bprintf(b, ")");
		break;
	case 5:
		bprintf(b, "(");
		expr_string(b);
		bprintf(b, " %s ", PICK(cmp));
		expr_string(b);
		bprintf(b, ")");
		break;
	case 6:
		bprintf(b, "(");
		expr_long(b);
		bprintf(b, chance(50) ? " && " : " || ");
		expr_long(b);
		bprintf(b, ")");
		break;
	case 7:
		bprintf(b, "%s", chance(40) ? "-" : chance(50) ? "!" : "~");
		bprintf(b, "(");
		expr_long(b);
		bprintf(b, ")");
		break;
	case 8:
		bprintf(b, "(");
		expr_long(b);
		bprintf(b, " ? ");
		expr_long(b);
		bprintf(b, " : ");
		expr_long(b);
		bprintf(b, ")");
		break;
	case 9:
		bprintf(b, "strlen(");
		expr_string(b);
		bprintf(b, ")");
		break;
	case 10:
		bprintf(b, "isinstr(");
		expr_string(b);
		bprintf(b, ", ");
		expr_string(b);
		bprintf(b, ")");
		break;
	case 11:
		bprintf(b, "strtol(");
		expr_string(b);
		bprintf(b, ", %d)", (int[]){0, 8, 10, 16}[below(4)]);
		break;
	case 12:
		bprintf(b, "s%d_a0[", id);
		key_long(b);
		bprintf(b, "]");
		break;
	case 13:
		bprintf(b, "(");
		key_long(b);
		bprintf(b, " in s%d_a0)", id);
		break;
	case 14:
		bprintf(b, "s%d_a1[", id);
		key_long(b);
		bprintf(b, ", ");
		key_string(b);
		bprintf(b, "]");
		break;
	case 15:
		bprintf(b, "([");
		key_long(b);
		bprintf(b, ", ");
		key_string(b);
		bprintf(b, "] in s%d_a1)", id);
		break;
	case 16: {
		static const char *const ext[] = {"@count", "@sum", "@min", "@max", "@avg"};
		if (variance && chance(10))
			bprintf(b, "@variance(s%d_st%d)", id, below(2));
		else if (chance(60))
			bprintf(b, "%s(s%d_st%d)", PICK(ext), id, below(2));
		else {
			bprintf(b, "%s(s%d_sa[", PICK(ext), id);
			key_long(b);
			bprintf(b, "])");
		}
		break;
	}
	case 17:
		if (!in_function && (f = callable(0)) >= 0)
			call_args(b, f);
		else if (in_function && (f = callable(0)) >= 0)
			call_args(b, f);
		else
			literal_long(b);
		break;
	case 18:
		/* (not abs: the original 4.8 has none) */
		bprintf(b, "strpos(");
		expr_string(b);
		bprintf(b, ", ");
		expr_string(b);
		bprintf(b, ")");
		break;
	case 19:
		bprintf(b, "isdigit(");
		expr_string(b);
		bprintf(b, ")");
		break;
	case 20:
		bprintf(b, "s%d_w[", id);
		bprintf(b, "%d", below(4));
		bprintf(b, "]");
		break;
	default:
		bprintf(b, "s%d_a3[", id);
		key_long(b);
		bprintf(b, "]");
		break;
	}
	expr_depth--;
}

/* printf conversions: a format string and the arguments it takes */
static void format(struct buf *fmt, struct buf *args, int nconv, int kernel_only)
{
	static const char *const flags[] = {"", "", "", "-", "+", " ", "0", "#"};
	static const char *const lconv[] = {"d", "i", "u", "x", "X", "c", "o", "p", "b"};
	static const char *const texts[] = {"", " ", "<", ">", "|", "=", "a%%b", "\\n", ":"};
	for (int i = 0; i < nconv; i++) {
		int string = chance(35);
		/* sprintf in kernel context is bpf_snprintf: no '#', no
		 * precision, no %o %p %b (pass 2 refuses them there) */
		const char *conv = string ? "s" : kernel_only ? lconv[below(6)] : PICK(lconv);
		/* nor "%0s" (its NUL ends the string in user space) */
		const char *flag = kernel_only ? flags[below(string ? 6 : 7)] : PICK(flags);
		bprintf(fmt, "%s%%%s", PICK(texts), flag);
		if (chance(35)) /* (a width 0 would be the flag '0') */
			bprintf(fmt, "%d", kernel_only ? 1 + below(13) : below(14));
		if (!kernel_only && chance(25))
			bprintf(fmt, ".%d", below(8));
		bprintf(fmt, "%s", conv);
		bprintf(args, ", ");
		if (string)
			expr_string(args);
		else if (conv[0] == 'c')
			bprintf(args, "%d", 32 + below(95));
		else
			expr_long(args);
	}
	bprintf(fmt, "%s", PICK(texts));
}

static void expr_string(struct buf *b)
{
	int f;
	if (expr_depth > 3 || chance(35)) {
		if (chance(50))
			bprintf(b, "%s", PICK(strings));
		else
			var_string(b);
		return;
	}
	expr_depth++;
	switch (below(14)) {
	case 0:
	case 1:
		bprintf(b, "(");
		expr_string(b);
		bprintf(b, " . ");
		expr_string(b);
		bprintf(b, ")");
		break;
	case 2:
		bprintf(b, "substr(");
		expr_string(b);
		bprintf(b, ", ");
		if (chance(50))
			bprintf(b, "%d", below(8) - 1);
		else
			expr_long(b);
		bprintf(b, ", ");
		if (chance(50))
			bprintf(b, "%d", below(12) - 1);
		else
			expr_long(b);
		bprintf(b, ")");
		break;
	case 3:
		bprintf(b, "sprint(");
		expr_long(b);
		bprintf(b, ")");
		break;
	case 4: {
		struct buf fmt = {""}, args = {""};
		format(&fmt, &args, 1 + below(2), 1);
		bprintf(b, "sprintf(\"%s\"%s)", fmt.s, args.s);
		break;
	}
	case 5:
		/* (not tolower/toupper: the original 4.8 has neither) */
		bprintf(b, "sprint(");
		expr_string(b);
		bprintf(b, ")");
		break;
	case 6:
		bprintf(b, "str_replace(");
		expr_string(b);
		bprintf(b, ", ");
		bprintf(b, "%s",
			PICK(((const char *const[]){"\"a\"", "\"b\"", "\" \"", "\"abc\"",
						    "\"o\""})));
		bprintf(b, ", ");
		expr_string(b);
		bprintf(b, ")");
		break;
	case 7:
		bprintf(b, "text_str(");
		expr_string(b);
		bprintf(b, ")");
		break;
	case 8:
		bprintf(b, "s%d_a2[", id);
		key_string(b);
		bprintf(b, "]");
		break;
	case 9:
		bprintf(b, "(");
		expr_long(b);
		bprintf(b, " ? ");
		expr_string(b);
		bprintf(b, " : ");
		expr_string(b);
		bprintf(b, ")");
		break;
	case 10:
		if ((f = callable(1)) >= 0)
			call_args(b, f);
		else
			bprintf(b, "%s", PICK(strings));
		break;
	case 11:
		bprintf(b, "text_strn(");
		expr_string(b);
		bprintf(b, ", %d, %d)", below(10), below(2));
		break;
	case 12:
		bprintf(b, "string_quoted(");
		expr_string(b);
		bprintf(b, ")");
		break;
	default:
		bprintf(b, "sprintln(");
		expr_long(b);
		bprintf(b, ")");
		break;
	}
	expr_depth--;
}

static void expr_line_long(struct buf *b)
{
	b->s[0] = 0;
	expr_depth = 0;
	expr_long(b);
}

static void expr_line_string(struct buf *b)
{
	b->s[0] = 0;
	expr_depth = 0;
	expr_string(b);
}

/* ---- statements ---- */

static void stmt(void);

static void block(int n)
{
	indent++;
	for (int i = 0; i < n && budget > 0; i++)
		stmt();
	indent--;
}

static int array_free(const char *name)
{
	return !in_function && !(locked && strcmp(locked, name) == 0);
}

static void stmt_assign(void)
{
	static const char *const ops[] = {
		"=", "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="};
	struct buf e = {""}, k = {""}, k2 = {""};
	char lhs[64];
	int r = below(20);
	if (in_function)
		snprintf(lhs, sizeof(lhs), chance(70) ? "x" : "s%d_g%d", id, below(2));
	else if (r < 8)
		snprintf(lhs, sizeof(lhs), "l%d", below(NLOCAL_L));
	else
		snprintf(lhs, sizeof(lhs), "s%d_g%d", id, below(2));
	if (in_function && lhs[0] == 'x')
		strcpy(lhs, "x");
	if (r >= 14 && !in_function) {
		/* an array element, a statistic */
		switch (below(8)) {
		case 0:
		case 1:
			if (!array_free("a0"))
				break;
			key_long(&k);
			expr_line_long(&e);
			line("s%d_a0[%s] %s %s", id, k.s, chance(60) ? "=" : PICK(ops), e.s);
			return;
		case 2:
			if (!array_free("a1"))
				break;
			key_long(&k);
			key_string(&k2);
			expr_line_long(&e);
			line("s%d_a1[%s, %s] %s %s", id, k.s, k2.s, chance(70) ? "=" : "+=", e.s);
			return;
		case 3:
			if (!array_free("a2"))
				break;
			key_string(&k);
			expr_line_string(&e);
			line("s%d_a2[%s] %s %s", id, k.s, chance(70) ? "=" : ".=", e.s);
			return;
		case 4:
			if (!array_free("a3"))
				break;
			key_long(&k);
			expr_line_long(&e);
			line("s%d_a3[%s] = %s", id, k.s, e.s);
			return;
		case 5:
			if (!array_free("w"))
				break;
			expr_line_long(&e);
			line("s%d_w[%d] = %s", id, below(4), e.s);
			return;
		case 6:
			expr_line_long(&e);
			line("s%d_st%d <<< %s", id, below(2), e.s);
			return;
		default:
			if (!array_free("sa"))
				break;
			key_long(&k);
			expr_line_long(&e);
			line("s%d_sa[%s] <<< %s", id, k.s, e.s);
			return;
		}
	}
	if (chance(30)) {
		char s[64];
		if (in_function)
			snprintf(s, sizeof(s), chance(60) ? (y_string ? "y" : "z") : "s%d_h0", id);
		else if (chance(70))
			snprintf(s, sizeof(s), "t%d", below(NLOCAL_S));
		else
			snprintf(s, sizeof(s), "s%d_h0", id);
		expr_line_string(&e);
		line("%s %s %s", s, chance(70) ? "=" : ".=", e.s);
		return;
	}
	if (chance(15)) {
		/* ++l or --l of a local nothing reads makes the original (and
		 * so pass 2) type the assignment before it as a long:
		 * pre-increments on globals only */
		/* and inside println(): at the start of a line "--g" would
		 * continue the expression of the line before ("e--") */
		static const char *const incs[] = {"%s++", "%s--", "println(++%s)",
						   "println(--%s)"};
		line(lhs[0] == 's' ? PICK(incs) : incs[below(2)], lhs);
		return;
	}
	expr_line_long(&e);
	line("%s %s %s", lhs, PICK(ops), e.s);
}

static void stmt_print(void)
{
	struct buf e = {""}, f = {""}, a = {""};
	switch (below(7)) {
	case 0:
	case 1:
	case 2:
		format(&f, &a, 1 + below(3), 0);
		line("printf(\"%s\\n\"%s)", f.s, a.s);
		break;
	case 3:
		expr_line_long(&e);
		line("println(%s)", e.s);
		break;
	case 4:
		expr_line_string(&e);
		line("println(%s)", e.s);
		break;
	case 5:
		expr_line_long(&e);
		expr_line_string(&f);
		line("printdln(\",\", %s, %s)", e.s, f.s);
		break;
	default:
		expr_line_string(&e);
		line("print(%s . \"\\n\")", e.s);
		break;
	}
}

static void stmt_loop(void)
{
	struct buf e = {""};
	int n = 1 + below(4);
	int c = loop_counter++;
	if (loop_depth >= 2 || c >= MAXLOOPS)
		return;
	loop_depth++;
	if (chance(50)) {
		line("for (i%d = %d; i%d < %d; i%d++) {", c, 0, c, n, c);
		loop_vars[nloop_vars++] = c;
		block(1 + below(4));
		nloop_vars--;
	} else {
		line("i%d = 0", c);
		line("while (i%d < %d) {", c, n);
		indent++;
		line("i%d++", c);
		indent--;
		loop_vars[nloop_vars++] = c;
		block(1 + below(4));
		nloop_vars--;
	}
	line("}");
	loop_depth--;
	(void)e;
}

static void stmt_foreach(void)
{
	static const char *const arrays[] = {"a0", "a1", "a2", "a3", "sa"};
	static const char *const aggs[] = {"@count", "@sum", "@min", "@max", "@avg"};
	const char *arr = PICK(arrays);
	const char *saved = locked;
	int c = loop_counter++;
	char keys[64], sort_arr[16] = "", spec[64] = "";
	/* pass 2 refuses a sorted foreach over statistics in kernel context:
	 * walk sa unsorted, so that a batch is not compiled twice for it */
	int sorted = strcmp(arr, "sa") != 0 && chance(85);
	if (loop_depth >= 2 || c >= MAXLOOPS || in_function || locked)
		return;
	/* a sort on a key or the value, or on an aggregate for sa */
	int sort_key = below(3); /* 0 value, 1 first key, 2 second key */
	const char *dir = chance(50) ? "+" : "-";
	if (!strcmp(arr, "a1")) {
		snprintf(keys, sizeof(keys), "[k%d, ks0]", c);
		if (sort_key == 0)
			snprintf(sort_arr, sizeof(sort_arr), "%s", dir);
	} else if (!strcmp(arr, "a2")) {
		snprintf(keys, sizeof(keys), "ks0");
		sort_key = sort_key == 0 ? 0 : 1;
		if (sort_key == 0)
			snprintf(sort_arr, sizeof(sort_arr), "%s", dir);
	} else {
		snprintf(keys, sizeof(keys), "k%d", c);
		sort_key = sort_key == 0 ? 0 : 1;
		if (sort_key == 0)
			snprintf(sort_arr, sizeof(sort_arr), "%s%s%s",
				 !strcmp(arr, "sa") ? " " : "",
				 !strcmp(arr, "sa") ? PICK(aggs) : "", dir);
	}
	if (sorted && sort_key > 0) {
		/* the sign goes after the key variable */
		char k[64];
		if (!strcmp(arr, "a1"))
			snprintf(k, sizeof(k), sort_key == 1 ? "[k%d%s, ks0]" : "[k%d, ks0%s]", c,
				 dir);
		else if (!strcmp(arr, "a2"))
			snprintf(k, sizeof(k), "ks0%s", dir);
		else
			snprintf(k, sizeof(k), "k%d%s", c, dir);
		snprintf(keys, sizeof(keys), "%s", k);
		sort_arr[0] = 0;
	}
	if (!sorted)
		sort_arr[0] = 0;
	if (sorted && chance(30))
		snprintf(spec, sizeof(spec), " limit %d", below(4));
	int has_string_key = !strcmp(arr, "a1") || !strcmp(arr, "a2");
	int has_long_key = strcmp(arr, "a2") != 0;
	if (has_string_key && foreach_skeys > 0)
		return; /* one string key variable at a time */
	/* the value bound to a variable: foreach (vN = [k] in a) */
	int bind = strcmp(arr, "sa") != 0 && chance(35);
	/* elements that tie on the sort (equal values; a1's equal first or
	 * second key) come in insertion order in user space, as the
	 * original's, and in key order in kernel context (docs/bpf-target.md):
	 * such a loop prints only what the sort orders on, and its body reads
	 * no key */
	int ties = sorted && (sort_key == 0 || !strcmp(arr, "a1"));
	char value[16] = "";
	if (bind)
		snprintf(value, sizeof(value), "v%d = ", c);
	line("foreach (%s%s in s%d_%s%s%s) {", value, keys, id, arr, sort_arr, spec);
	loop_depth++;
	locked = arr;
	if (has_long_key && !ties)
		foreach_keys[nforeach++] = c;
	if (has_string_key && !ties)
		foreach_skeys++;
	indent++;
	/* the element itself, then statements */
	{
		char elem[96];
		if (!strcmp(arr, "a1"))
			snprintf(elem, sizeof(elem), "s%d_a1[k%d, ks0]", id, c);
		else if (!strcmp(arr, "a2"))
			snprintf(elem, sizeof(elem), "s%d_a2[ks0]", id);
		else if (!strcmp(arr, "sa"))
			snprintf(elem, sizeof(elem), "@sum(s%d_sa[k%d])", id, c);
		else
			snprintf(elem, sizeof(elem), "s%d_%s[k%d]", id, arr, c);
		if (bind)
			snprintf(elem, sizeof(elem), "v%d", c);
		if (ties && sort_key == 0) {
			line("printf(\"%s\\n\", %s)", !strcmp(arr, "a2") ? "%s" : "%d", elem);
		} else if (ties) {
			line(sort_key == 1 ? "printf(\"[%%d]\\n\", k%d)"
					   : "printf(\"[%%s]\\n\", ks0)",
			     c);
		} else if (!sorted) {
			/* the visiting order differs between contexts: only add up */
			if (!strcmp(arr, "a2"))
				line("l%d += strlen(ks0 . %s)", below(NLOCAL_L), elem);
			else
				line("l%d += %s * 3 + k%d", below(NLOCAL_L), elem, c);
		} else if (!strcmp(arr, "a2"))
			line("printf(\"[%%s]=%%s\\n\", ks0, %s)", elem);
		else if (!strcmp(arr, "a1"))
			line("printf(\"[%%d,%%s]=%%d\\n\", k%d, ks0, %s)", c, elem);
		else
			line("printf(\"[%%d]=%%d\\n\", k%d, %s)", c, elem);
	}
	indent--;
	if (sorted && !ties)
		block(below(3));
	line("}");
	if (has_long_key && !ties)
		nforeach--;
	if (has_string_key && !ties)
		foreach_skeys--;
	locked = saved;
	loop_depth--;
}

static void stmt(void)
{
	struct buf e = {""}, k = {""}, k2 = {""};
	int r;
	if (budget-- <= 0)
		return;
	r = below(100);
	if (r < 28) {
		stmt_assign();
	} else if (r < 44) {
		stmt_print();
	} else if (r < 54) {
		expr_line_long(&e);
		line("if (%s) {", e.s);
		block(1 + below(3));
		if (chance(40)) {
			line("} else {");
			block(1 + below(2));
		}
		line("}");
	} else if (r < 61) {
		stmt_loop();
	} else if (r < 67) {
		stmt_foreach();
	} else if (r < 71 && loop_depth > 0) {
		expr_line_long(&e);
		line("if (%s) %s", e.s, chance(50) ? "break" : "continue");
	} else if (r < 73 && loop_depth == 0 && chance(in_function ? 20 : 60)) {
		expr_line_long(&e);
		line("if (%s) next", e.s);
	} else if (r < 77) {
		/* delete: an element, a whole array, a statistic */
		switch (below(5)) {
		case 0:
			if (!array_free("a0"))
				break;
			key_long(&k);
			line("delete s%d_a0[%s]", id, k.s);
			break;
		case 1:
			if (!array_free("a1"))
				break;
			key_long(&k);
			key_string(&k2);
			line("delete s%d_a1[%s, %s]", id, k.s, k2.s);
			break;
		case 2:
			if (!array_free("a2") || chance(50))
				break;
			line("delete s%d_a2", id);
			break;
		case 3:
			if (chance(60))
				break;
			line("delete s%d_st%d", id, below(2));
			break;
		default:
			if (!array_free("a3"))
				break;
			key_long(&k);
			line("delete s%d_a3[%s]", id, k.s);
			break;
		}
	} else if (r < 81) {
		/* a histogram or the extractors, printed */
		if (chance(50)) {
			if (hist_kind)
				line("print(@hist_linear(s%d_st1, -20, 100, 10))", id);
			else
				line("print(@hist_log(s%d_st1))", id);
		} else {
			line("printf(\"n=%%d s=%%d\\n\", @count(s%d_st0), @sum(s%d_st0))", id, id);
			line("printf(\"min=%%d max=%%d avg=%%d\\n\", @min(s%d_st0), @max(s%d_st0), "
			     "@avg(s%d_st0))",
			     id, id, id);
		}
	} else if (r < 86) {
		line("try {");
		block(1 + below(3));
		line("} catch (m) {");
		indent++;
		line("printf(\"caught: %%s\\n\", m)");
		indent--;
		line("}");
	} else if (r < 89) {
		expr_line_long(&e);
		expr_line_string(&k);
		line("if (%s) error(%s)", e.s, k.s);
	} else if (r < 93 && nfunctions > 0 && !in_function) {
		int f = below(nfunctions);
		call_args(&e, f);
		line("%s", e.s);
	} else {
		stmt_print();
	}
}

static void function(int f)
{
	struct buf e = {""};
	fn_ret_string[f] = chance(40);
	fn_param_string[f] = chance(50);
	y_string = fn_param_string[f];
	line("function s%d_f%d(x:long, y:%s) {", id, f, fn_param_string[f] ? "string" : "long");
	in_function = 1;
	nfunctions = f + 1; /* may call those before it, not itself */
	if (!fn_param_string[f]) {
		/* y is a long here: give string positions another name */
		indent++;
		line("z = sprint(y)");
		indent--;
	}
	budget = 1 + below(4);
	block(budget);
	if (fn_ret_string[f])
		expr_line_string(&e);
	else
		expr_line_long(&e);
	indent++;
	line("return %s", e.s);
	indent--;
	line("}");
	in_function = 0;
}

int main(int argc, char **argv)
{
	uint64_t seed;
	int nfn;
	if (argc != 3) {
		fprintf(stderr, "usage: gen SEED ID\n");
		return 2;
	}
	seed = strtoull(argv[1], NULL, 0);
	id = atoi(argv[2]);
	rng_state = seed * 0x9E3779B97F4A7C15ULL + 0x1234567;
	if (rng_state == 0)
		rng_state = 1;
	for (int i = 0; i < 4; i++)
		rnd();
	hist_kind = chance(50);
	variance = !getenv("DIFFTEST_VARIANCE") || atoi(getenv("DIFFTEST_VARIANCE")) != 0;

	line("# seed %" PRIu64, seed);
	line("global s%d_g0, s%d_g1, s%d_h0, s%d_a0, s%d_a1, s%d_a2, s%d_a3[6], s%d_w%%[4]", id, id,
	     id, id, id, id, id, id);
	line("global s%d_st0, s%d_st1, s%d_sa", id, id, id);
	nfn = below(3);
	for (int f = 0; f < nfn; f++)
		function(f);
	nfunctions = nfn;
	/* every global gets its type here, whatever the body does with it */
	line("probe never {");
	indent++;
	line("s%d_g0 = 0; s%d_g1 = 0; s%d_h0 = \"\"", id, id, id);
	line("s%d_a0[0] = 0; s%d_a1[0, \"\"] = 0; s%d_a2[\"\"] = \"\"; s%d_a3[0] = 0; s%d_w[0] = 0",
	     id, id, id, id, id);
	line("s%d_st0 <<< 0; s%d_st1 <<< 0; s%d_sa[0] <<< 0", id, id, id);
	/* and is read: the end of the session prints the globals nothing
	 * reads, an array's elements in an order of its own */
	line("printf(\"%%d%%d%%s%%d%%d%%s%%d%%d\", s%d_g0, s%d_g1, s%d_h0, s%d_a0[0], s%d_a1[0, "
	     "\"\"], "
	     "s%d_a2[\"\"], s%d_a3[0], s%d_w[0])",
	     id, id, id, id, id, id, id, id);
	line("printf(\"%%d%%d%%d\", @count(s%d_st0), @count(s%d_st1), @count(s%d_sa[0]))", id, id,
	     id);
	indent--;
	line("}");
	line("probe K {");
	indent++;
	line("printf(\"\\n@@%d\\n\")", id);
	line("l0 = %d; l1 = %d; l2 = %d; l3 = 0", below(20) - 5, below(100), below(7));
	line("t0 = \"abc\"; t1 = \"Hello\"; t2 = \"\"");
	line("try {");
	budget = 8 + below(25);
	block(budget);
	line("} catch (m) {");
	indent++;
	line("printf(\"ERROR: %%s\\n\", m)");
	indent--;
	line("}");
	indent--;
	line("}");
	fwrite(out, 1, out_len, stdout);
	return 0;
}
