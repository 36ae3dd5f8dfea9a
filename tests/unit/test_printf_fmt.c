/*
 * Unit test for src/parse/printf_fmt.c: each format is parsed and the pieces
 * written out in a short form to compare with what SystemTap 4.8 makes of it;
 * each bad format must fail with the original's exact message.  The expected
 * results come from running the original (reference-stap -p1 / -p2).
 *
 *   cc -std=gnu11 -Isrc tests/unit/test_printf_fmt.c src/parse/printf_fmt.c \
 *      src/util/util.c -o test_printf_fmt && ./test_printf_fmt
 *
 * The short form: a literal is its bytes in single quotes (\n, \t, \\, \' and
 * \xHH for the rest); a conversion is {type flag width.precision} where type
 * is the letter of its enum (i is d), flag is one of "- + _ # 0" ('_' for
 * space) or absent, and width or precision is a number, '*', or absent.
 * Pieces are separated by spaces.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/printf_fmt.h"

static const char err_conversion[] = "invalid or missing conversion specifier";
static const char err_trailing[] = "trailing incomplete print format conversion";

static int passed, failed;

static const char *type_name(enum fmt_type t)
{
	static const char *const names[] = {
		[FMT_NONE] = "?",    [FMT_SIGNED] = "d", [FMT_UNSIGNED] = "u",
		[FMT_OCTAL] = "o",   [FMT_HEX] = "x",    [FMT_HEX_UPPER] = "X",
		[FMT_POINTER] = "p", [FMT_STRING] = "s", [FMT_CHAR] = "c",
		[FMT_BINARY] = "b",  [FMT_MEMORY] = "m", [FMT_MEMORY_HEX] = "M",
	};
	return names[t];
}

static void put_bytes(char *out, size_t cap, const char *s, size_t len)
{
	size_t n = strlen(out);
	for (size_t i = 0; i < len && n + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n')
			n += (size_t)snprintf(out + n, cap - n, "\\n");
		else if (c == '\t')
			n += (size_t)snprintf(out + n, cap - n, "\\t");
		else if (c == '\\' || c == '\'')
			n += (size_t)snprintf(out + n, cap - n, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			n += (size_t)snprintf(out + n, cap - n, "\\x%02x", c);
		else
			out[n++] = (char)c;
		out[n] = '\0';
	}
}

static void dump(const struct fmt *f, char *out, size_t cap)
{
	out[0] = '\0';
	for (size_t i = 0; i < f->n; i++) {
		const struct fmt_piece *p = &f->pieces[i];
		size_t n = strlen(out);
		if (i > 0)
			n += (size_t)snprintf(out + n, cap - n, " ");
		if (p->kind == FMT_LITERAL) {
			snprintf(out + n, cap - n, "'");
			put_bytes(out, cap, p->text, p->len);
			n = strlen(out);
			snprintf(out + n, cap - n, "'");
			continue;
		}
		const char *flag = p->flags == FMT_FLAG_LEFT    ? "-"
				   : p->flags == FMT_FLAG_PLUS  ? "+"
				   : p->flags == FMT_FLAG_SPACE ? "_"
				   : p->flags == FMT_FLAG_ALT   ? "#"
				   : p->flags == FMT_FLAG_ZERO  ? "0"
				   : p->flags == 0              ? ""
								: "!";
		char width[16] = "", prec[16] = "";
		if (p->width_star)
			snprintf(width, sizeof(width), "*");
		else if (p->width >= 0)
			snprintf(width, sizeof(width), "%d", p->width);
		if (p->precision_star)
			snprintf(prec, sizeof(prec), ".*");
		else if (p->precision >= 0)
			snprintf(prec, sizeof(prec), ".%d", p->precision);
		snprintf(out + n, cap - n, "{%s%s%s%s}", type_name(p->type), flag, width, prec);
	}
}

static void fail(const char *raw, const char *fmt_text, const char *want, const char *got)
{
	failed++;
	printf("FAIL %s\n     %s\n     want: %s\n     got:  %s\n", raw, fmt_text, want, got);
}

/* RAW parses; its pieces print as WANT and it takes NARGS arguments. */
static void ok(const char *raw, const char *want, size_t nargs)
{
	struct fmt f;
	const char *err = NULL;
	char got[1024];

	if (fmt_parse(raw, &f, &err) != 0) {
		fail(raw, "parse", want, err ? err : "(no message)");
		return;
	}
	dump(&f, got, sizeof(got));
	if (strcmp(got, want) != 0) {
		fail(raw, "pieces", want, got);
	} else if (f.nargs != nargs) {
		char w[32], g[32];
		snprintf(w, sizeof(w), "%zu", nargs);
		snprintf(g, sizeof(g), "%zu", f.nargs);
		fail(raw, "nargs", w, g);
	} else {
		passed++;
	}
	fmt_free(&f);
	if (f.pieces || f.n || f.buf)
		fail(raw, "fmt_free", "an empty struct", "leftovers");
}

/* RAW is rejected with WANT. */
static void bad(const char *raw, const char *want)
{
	struct fmt f;
	const char *err = NULL;
	char got[1024];

	if (fmt_parse(raw, &f, &err) == 0) {
		dump(&f, got, sizeof(got));
		fail(raw, "error", want, got);
		fmt_free(&f);
		return;
	}
	if (!err || strcmp(err, want) != 0)
		fail(raw, "message", want, err ? err : "(none)");
	else if (f.pieces || f.n || f.nargs || f.buf)
		fail(raw, "out on error", "an empty struct", "leftovers");
	else
		passed++;
}

/* fmt_unescape(RAW) gives the LEN bytes WANT. */
static void unescape(const char *raw, const char *want, size_t len)
{
	size_t got_len = 12345;
	char *got = fmt_unescape(raw, &got_len);
	char w[256] = "", g[256] = "";
	put_bytes(w, sizeof(w), want, len);
	put_bytes(g, sizeof(g), got, got_len);
	if (got_len != len || memcmp(got, want, len) != 0 || got[got_len] != '\0')
		fail(raw, "fmt_unescape", w, g);
	else
		passed++;
	free(got);
}

static void test_conversions(void)
{
	ok("", "", 0);
	ok("hello", "'hello'", 0);
	ok("%d", "{d}", 1);
	ok("%i", "{d}", 1);
	ok("%d %i %u %x %X %o %p %s %c %b %m %M %%\\n",
	   "{d} ' ' {d} ' ' {u} ' ' {x} ' ' {X} ' ' {o} ' ' {p} ' ' {s} ' ' {c} ' ' {b} ' ' {m} ' "
	   "' "
	   "{M} ' %\\n'",
	   12);
	ok("%X%x%o%u%i%d%p%s%m%M%b%c", "{X} {x} {o} {u} {d} {d} {p} {s} {m} {M} {b} {c}", 12);
	ok("x=%d, y=%s\\n", "'x=' {d} ', y=' {s} '\\n'", 2);
}

static void test_flags_width_precision(void)
{
	ok("%5d|%-5d|%05d|%+d|% d|%#x|%.3s|%*d|%.*s\\n",
	   "{d5} '|' {d-5} '|' {d05} '|' {d+} '|' {d_} '|' {x#} '|' {s.3} '|' {d*} '|' {s.*} "
	   "'\\n'",
	   11);
	ok("%5.2d", "{d5.2}", 1);
	ok("%5.2s", "{s5.2}", 1);
	ok("%*.*d", "{d*.*}", 3);
	ok("%-*s", "{s-*}", 2);
	ok("%5.*s", "{s5.*}", 2);
	ok("%*.5s", "{s*.5}", 2);
	ok("%-*.*lx", "{x-*.*}", 3);
	ok("%.*M", "{M.*}", 2);
	ok("%10.4m", "{m10.4}", 1);
	ok("%1b%2b%4b%8b%3b", "{b1} {b2} {b4} {b8} {b3}", 5);
	ok("%#c%#m%#p", "{c#} {m#} {p#}", 3);
	/* one flag only; a '0' after it is a width of 0 */
	ok("%-0d", "{d-0}", 1);
	ok("%#0x", "{x#0}", 1);
	ok("%00d", "{d00}", 1);
	ok("%-05d", "{d-5}", 1);
	ok("%007d", "{d07}", 1);
	/* "%.d" has no precision, "%.0s" has precision 0 */
	ok("%.d", "{d}", 1);
	ok("%5.d", "{d5}", 1);
	ok("%.0s", "{s.0}", 1);
	ok("%.def", "{d} 'ef'", 1);
	/* a number too big for 32 bits wraps; negative then is 0 */
	ok("%99999999999d", "{d1215752191}", 1);
	ok("%.99999999999d", "{d.1215752191}", 1);
	ok("%2147483647d", "{d2147483647}", 1);
	ok("%2147483648d", "{d0}", 1);
	ok("%4294967295d", "{d0}", 1);
	ok("%4294967296d", "{d0}", 1);
	ok("%4294967301d", "{d5}", 1);
}

static void test_length_modifier(void)
{
	/* a single 'l' is accepted and ignored */
	ok("%ld %lx %5.2d %-0d %#0x\\n", "{d} ' ' {x} ' ' {d5.2} ' ' {d-0} ' ' {x#0} '\\n'", 5);
	ok("%lX%lc%ls%lm%lb%lp", "{X} {c} {s} {m} {b} {p}", 6);
	ok("%5ld", "{d5}", 1);
	ok("%.5ld", "{d.5}", 1);
	ok("%-ld", "{d-}", 1);
}

static void test_percent_and_tails(void)
{
	ok("%%", "'%'", 0);
	ok("%%%%", "'%%'", 0);
	ok("a%%b", "'a%b'", 0);
	ok("100%%\\n", "'100%\\n'", 0);
	ok("%%d", "'%d'", 0);
	ok("%%%d", "'%' {d}", 1);
	ok("%d%%", "{d} '%'", 1);
	/* a tail with no flag, width or precision is dropped, as the original does */
	ok("%.", "", 0);
	ok("%l", "", 0);
	ok("abc%.", "'abc'", 0);
	ok("abc%l", "'abc'", 0);
	ok("%d%.", "{d}", 1);
	ok("%.l", "", 0);
	ok("%%%.", "'%'", 0);
}

static void test_escapes(void)
{
	ok("no conversions at all", "'no conversions at all'", 0);
	ok("tab\\there \\\\ back \\\"q\\\" \\101\\n", "'tab\\there \\\\ back \"q\" A\\n'", 0);
	ok("%d\\n", "{d} '\\n'", 1);
	ok("\\\\%d", "'\\\\' {d}", 1);
	/* an unknown escape is the character alone, as the lexer makes it */
	ok("\\%d", "{d}", 1);
	ok("\\%%", "'%'", 0);
	ok("%\\%", "'%'", 0);
	ok("abc\\q", "'abcq'", 0);
	/* a known escape is text: "\045d" prints "%d" */
	ok("\\045d", "'%d'", 0);
	ok("\\x25 d", "'% d'", 0);
	ok("\\x25d", "']'", 0); /* as in C, \x takes all the hex digits */
	ok("\\x41%d\\x42", "'A' {d} 'B'", 1);
	ok("\\0", "'\\x00'", 0);
	ok("a\\0b%s", "'a\\x00b' {s}", 1);
	ok("\\a\\b\\f\\r\\v\\t", "'\\x07\\x08\\x0c\\x0d\\x0b\\t'", 0);
	/* a "\x" with no digits is nothing (the original's compilers reject it) */
	ok("\\x", "", 0);
	ok("\\x%d", "{d}", 1);
	ok("a\\x%db", "'a' {d} 'b'", 1);
}

static void test_conversion_text(void)
{
	struct fmt f;
	const char *err;
	if (fmt_parse("a%-*.3ldb\\%s", &f, &err) != 0) {
		fail("a%-*.3ldb\\%s", "parse", "ok", err);
		return;
	}
	if (f.n == 4 && f.pieces[1].len == 7 && strcmp(f.pieces[1].text, "%-*.3ld") == 0 &&
	    f.pieces[3].len == 2 && strcmp(f.pieces[3].text, "%s") == 0)
		passed++;
	else
		fail("a%-*.3ldb\\%s", "conversion text", "%-*.3ld and %s", "something else");
	fmt_free(&f);
}

static void test_invalid_conversion(void)
{
	static const char *const formats[] = {
		/* a lone '%' at the end */
		"%",
		"100%",
		"abc%",
		"%d%",
		"%%%",
		"a%%b%",
		"abc\\%",
		/* length modifiers other than one 'l', and floats */
		"%lld",
		"%ll",
		"%hd",
		"%hhd",
		"%Ld",
		"%zd",
		"%jd",
		"%qd",
		"%l5d",
		"%lf",
		"%f",
		"%F",
		"%e",
		"%E",
		"%g",
		"%G",
		"%a",
		"%n",
		"%S",
		"%B",
		"%y",
		/* two flags */
		"%-#8x",
		"%-#x",
		"%--d",
		"%+ d",
		"%0-5d",
		"%#-x",
		/* junk where the type belongs */
		"%{ not a conversion\\n",
		"%\\x64",
		"%\\n",
		"%5\\n",
		"%.\\n",
		"%l\\n",
		"%.-5d",
		"%*.*.*d",
		"%.*.*d",
		"%l.5d",
		"%*ll",
		"%l%",
		"%d %f",
		"ok %d then %%%k",
	};
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		bad(formats[i], err_conversion);
}

static void test_trailing_incomplete(void)
{
	static const char *const formats[] = {
		"%5", "%5.", "%5.2", "%.5", "%.*",  "%*",  "%*.", "%-",   "%+",         "%#",
		"% ", "%0",  "%-l",  "%5l", "%.5l", "%*l", "%05", "%-5.", "abc %d %-5",
	};
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		bad(formats[i], err_trailing);
}

static void test_unescape(void)
{
	unescape("", "", 0);
	unescape("plain", "plain", 5);
	unescape("\\n\\t\\\\\\\"", "\n\t\\\"", 4);
	unescape("\\a\\b\\f\\r\\v", "\a\b\f\r\v", 5);
	unescape("\\101\\102\\103", "ABC", 3);
	unescape("\\1012", "A2", 2);
	unescape("\\7", "\a", 1);
	unescape("\\08",
		 "\0"
		 "8",
		 2);
	unescape("\\0a",
		 "\0"
		 "a",
		 2);
	unescape("\\777", "\xff", 1);
	unescape("\\400", "\0", 1);
	unescape("\\x41\\x4a\\x4A", "AJJ", 3);
	unescape("\\x4g", "\x04g", 2);
	unescape("\\x00a", "\n", 1);
	unescape("\\x041", "A", 1);
	unescape("\\x41BC", "\xbc", 1);
	unescape("\\xff", "\xff", 1);
	unescape("[\\x]", "[]", 2);
	unescape("\\q\\%\\'\\ \\8", "q%' 8", 5);
	unescape("end\\", "end\\", 4);
	unescape("%%d", "%%d", 3);
}

int main(void)
{
	test_conversions();
	test_flags_width_precision();
	test_length_modifier();
	test_percent_and_tails();
	test_escapes();
	test_conversion_text();
	test_invalid_conversion();
	test_trailing_incomplete();
	test_unescape();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
