/*
 * printf, sprintf and the print family, formatted as SystemTap 4.8's kernel
 * runtime formats them (see output.h).  The rules come from running the
 * original: its runtime's formatting code driven the way its translator's
 * -p3 output drives it, and reference-stap --runtime=bpf where that runtime
 * agrees (its begin probes use glibc's printf on 32-bit ints, so it often
 * does not).  They are not glibc's:
 *
 *   - values are 64-bit; %u %x %o of a negative number print its two's
 *     complement, %p is %#x ("0x0" for 0), %#o of 0 is "00";
 *   - precision never suppresses a zero ("%.0d" of 0 is "0") and never turns
 *     the '0' flag off ("%08.5d" of 42 is "00000042");
 *   - a '*' value is cut to an int and a negative one counts as 0, so it
 *     neither left-justifies nor drops the precision;
 *   - %c writes the low byte, NUL included; with '#' it writes C escapes
 *     (\n, \', \\, \ooo) for what is not printable ASCII;
 *   - the '0' flag on %s %m %M pads with spaces and then writes a NUL byte;
 *   - %b writes 1, 2, 4 or 8 bytes of the value in the machine's byte order:
 *     the precision picks the size if it is one of those, else the width,
 *     else 8; a wider field is padded with NUL bytes, and the value is
 *     written only if all of it fits;
 *   - %m writes PRECISION bytes (1 without one) as they are, %M as pairs of
 *     hex digits, and never half a pair.
 *
 * A writer holds the room left in the bounded buffer the original formats
 * into: each conversion's width and precision are clamped to it before use
 * and every byte past it is dropped.  A printf is done twice, as in the
 * original: once only counting, with the fields clamped to the limit, to size
 * the buffer, then for real into that size.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "output.h"

/* The original's strings are C strings of at most STP_BUFFER_SIZE bytes. */
#define STRING_MAX OUT_PRINT_LIMIT

struct writer {
	struct strbuf *sb; /* NULL: only count what would be written */
	size_t room;
	size_t count;  /* bytes written or counted */
	int clamp_max; /* what widths are clamped to when counting */
};

static void put_bytes(struct writer *w, const char *s, size_t n)
{
	if (n > w->room)
		n = w->room;
	if (n == 0)
		return;
	if (w->sb)
		sb_putn(w->sb, s, n);
	w->room -= n;
	w->count += n;
}

/* N copies of C; nothing when N <= 0. */
static void put_fill(struct writer *w, char c, long n)
{
	char chunk[64];
	memset(chunk, c, sizeof(chunk));
	while (n > 0 && w->room > 0) {
		size_t k = n < (long)sizeof(chunk) ? (size_t)n : sizeof(chunk);
		put_bytes(w, chunk, k);
		n -= (long)k;
	}
}

/* A value as C converts it to int: its low 32 bits, two's complement. */
static int low_int(int64_t v)
{
	uint32_t u = (uint32_t)v;
	return u <= INT32_MAX ? (int)u : -(int)(~u) - 1;
}

/*
 * A width or precision as the original clamps it: to [0, room left], or to
 * [0, STP_BUFFER_SIZE] while it sizes a printf.
 */
static int clamp_field(const struct writer *w, int64_t v)
{
	int i = low_int(v);
	int max = w->sb ? (w->room > INT_MAX ? INT_MAX : (int)w->room) : w->clamp_max;
	if (i < 0)
		return 0;
	return i < max ? i : max;
}

/* ---- numbers: %d %i %u %o %x %X %p ---- */

enum {
	NUM_SIGNED = 0x01,
	NUM_PLUS = 0x02,
	NUM_SPACE = 0x04,
	NUM_ALT = 0x08,
	NUM_ZERO = 0x10,
	NUM_LEFT = 0x20,
	NUM_UPPER = 0x40,
};

/*
 * [spaces][sign][0x or 0][zeros for '0' or precision][digits][spaces]: the
 * sign and prefix eat into the width, the precision is the least number of
 * digits, and '-' wins over '0'.
 */
static void put_number(struct writer *w, uint64_t num, unsigned base, int width, int precision,
		       unsigned fl)
{
	const char *set = (fl & NUM_UPPER) ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[24];
	int nd = 0;
	char sign = 0;
	const char *prefix = "";
	bool left = fl & NUM_LEFT;
	bool zero = (fl & NUM_ZERO) && !left;

	if (fl & NUM_SIGNED) {
		if ((int64_t)num < 0) {
			sign = '-';
			num = -num;
		} else if (fl & NUM_PLUS) {
			sign = '+';
		} else if (fl & NUM_SPACE) {
			sign = ' ';
		}
	}
	if (sign)
		width--;
	if (fl & NUM_ALT) {
		if (base == 16)
			prefix = (fl & NUM_UPPER) ? "0X" : "0x";
		else if (base == 8)
			prefix = "0";
	}
	width -= (int)strlen(prefix);
	do {
		digits[nd++] = set[num % base];
		num /= base;
	} while (num);
	if (precision < nd)
		precision = nd;
	width -= precision;

	if (!zero && !left) {
		put_fill(w, ' ', width);
		width = 0;
	}
	if (sign)
		put_bytes(w, &sign, 1);
	put_bytes(w, prefix, strlen(prefix));
	if (zero) {
		put_fill(w, '0', width);
		width = 0;
	}
	put_fill(w, '0', precision - nd);
	while (nd > 0)
		put_bytes(w, &digits[--nd], 1);
	put_fill(w, ' ', width);
}

/* ---- %c ---- */

/* C's escape letter for C, or 0. */
static char escape_letter(unsigned char c)
{
	switch (c) {
	case '\a':
		return 'a';
	case '\b':
		return 'b';
	case '\f':
		return 'f';
	case '\n':
		return 'n';
	case '\r':
		return 'r';
	case '\t':
		return 't';
	case '\v':
		return 'v';
	case '\'':
		return '\'';
	case '\\':
		return '\\';
	default:
		return 0;
	}
}

static void put_char(struct writer *w, unsigned char c, int width, bool left, bool escape)
{
	char buf[4];
	int n = 0;

	if (escape && (c < ' ' || c > '~' || c == '\'' || c == '\\')) {
		buf[n++] = '\\';
		if (escape_letter(c)) {
			buf[n++] = escape_letter(c);
		} else {
			buf[n++] = (char)('0' + (c >> 6));
			buf[n++] = (char)('0' + ((c >> 3) & 7));
			buf[n++] = (char)('0' + (c & 7));
		}
	} else {
		buf[n++] = (char)c;
	}
	if (!left)
		put_fill(w, ' ', width - n);
	put_bytes(w, buf, (size_t)n);
	if (left)
		put_fill(w, ' ', width - n);
}

/* ---- %s %m %M ---- */

size_t out_memory_count(int64_t precision)
{
	int n = low_int(precision);
	if (n <= 0)
		return 1;
	return n < OUT_PRINT_LIMIT ? (size_t)n : OUT_PRINT_LIMIT;
}

static void put_memory(struct writer *w, char kind, const char *s, size_t slen, int width,
		       int precision, bool left, bool zero)
{
	static const char hex[] = "0123456789abcdef";
	size_t len;

	if (kind == 's') {
		size_t max = precision < 0 ? STRING_MAX : (size_t)precision;
		if (!s) { /* the original's guard for a pointer into page 0 */
			s = "<NULL>";
			slen = 6;
		}
		if (max > STRING_MAX)
			max = STRING_MAX;
		len = strnlen(s, slen < max ? slen : max);
	} else {
		len = out_memory_count(precision);
	}
	long shown = kind == 'M' ? 2 * (long)len : (long)len;

	if (!left)
		put_fill(w, ' ', width - shown);
	if (kind == 'M') {
		for (size_t i = 0; i < len && w->room >= 2; i++) {
			unsigned char c = i < slen ? (unsigned char)s[i] : 0;
			char pair[2] = {hex[c >> 4], hex[c & 15]};
			put_bytes(w, pair, 2);
		}
	} else {
		size_t have = len < slen ? len : slen;
		put_bytes(w, s, have);
		put_fill(w, '\0', (long)(len - have)); /* %m past what the caller read */
	}
	if (left)
		put_fill(w, ' ', width - shown);
	if (zero)
		put_fill(w, '\0', 1);
}

/* ---- %b ---- */

static bool is_binary_size(int n)
{
	return n == 1 || n == 2 || n == 4 || n == 8;
}

static void put_binary(struct writer *w, int64_t v, int width, int precision, bool left)
{
	int size;
	char bytes[8];

	if (!is_binary_size(precision))
		precision = -1;
	if (width < 0)
		size = width = precision < 0 ? 8 : precision;
	else
		size = precision > 0 ? precision : is_binary_size(width) ? width : 8;

	if (!left)
		put_fill(w, '\0', width - size);
	if (w->room >= (size_t)size) {
		/* the machine's byte order, as the original stores the value */
		switch (size) {
		case 1: {
			int8_t x = (int8_t)v;
			memcpy(bytes, &x, 1);
			break;
		}
		case 2: {
			int16_t x = (int16_t)v;
			memcpy(bytes, &x, 2);
			break;
		}
		case 4: {
			int32_t x = (int32_t)v;
			memcpy(bytes, &x, 4);
			break;
		}
		default:
			memcpy(bytes, &v, 8);
			break;
		}
		put_bytes(w, bytes, (size_t)size);
	}
	if (left)
		put_fill(w, '\0', width - size);
}

/* ---- formats ---- */

static bool wants_string(enum fmt_type t)
{
	return t == FMT_STRING || t == FMT_MEMORY || t == FMT_MEMORY_HEX;
}

/* Whether ARGS fit F: their number, and a string exactly where one is due. */
static bool args_match(const struct fmt *f, const struct out_arg *args, size_t nargs)
{
	size_t i = 0;
	if (nargs != f->nargs)
		return false;
	for (size_t k = 0; k < f->n; k++) {
		const struct fmt_piece *p = &f->pieces[k];
		if (p->kind != FMT_CONV)
			continue;
		if (p->width_star && args[i++].is_string)
			return false;
		if (p->precision_star && args[i++].is_string)
			return false;
		if (args[i++].is_string != wants_string(p->type))
			return false;
	}
	return true;
}

static unsigned number_flags(const struct fmt_piece *p)
{
	unsigned fl = 0;
	if (p->flags & FMT_FLAG_LEFT)
		fl |= NUM_LEFT;
	if (p->flags & FMT_FLAG_PLUS)
		fl |= NUM_PLUS;
	if (p->flags & FMT_FLAG_SPACE)
		fl |= NUM_SPACE;
	if (p->flags & FMT_FLAG_ALT)
		fl |= NUM_ALT;
	if (p->flags & FMT_FLAG_ZERO)
		fl |= NUM_ZERO;
	switch (p->type) {
	case FMT_SIGNED:
		fl |= NUM_SIGNED;
		break;
	case FMT_HEX_UPPER:
		fl |= NUM_UPPER;
		break;
	case FMT_POINTER:
		fl |= NUM_ALT;
		break;
	default:
		break;
	}
	return fl;
}

static void put_conversion(struct writer *w, const struct fmt_piece *p, const struct out_arg *v,
			   int width, int precision)
{
	bool left = p->flags & FMT_FLAG_LEFT;
	bool zero = p->flags & FMT_FLAG_ZERO;

	switch (p->type) {
	case FMT_SIGNED:
	case FMT_UNSIGNED:
		put_number(w, (uint64_t)v->n, 10, width, precision, number_flags(p));
		break;
	case FMT_OCTAL:
		put_number(w, (uint64_t)v->n, 8, width, precision, number_flags(p));
		break;
	case FMT_HEX:
	case FMT_HEX_UPPER:
	case FMT_POINTER:
		put_number(w, (uint64_t)v->n, 16, width, precision, number_flags(p));
		break;
	case FMT_CHAR:
		put_char(w, (unsigned char)v->n, width, left, p->flags & FMT_FLAG_ALT);
		break;
	case FMT_STRING:
		put_memory(w, 's', v->s, v->len, width, precision, left, zero);
		break;
	case FMT_MEMORY:
		put_memory(w, 'm', v->s, v->len, width, precision, left, zero);
		break;
	case FMT_MEMORY_HEX:
		put_memory(w, 'M', v->s, v->len, width, precision, left, zero);
		break;
	case FMT_BINARY:
		put_binary(w, v->n, width, precision, left);
		break;
	case FMT_NONE:
		break;
	}
}

/* Write (or, with W->sb NULL, size) F with ARGS. */
static void format_pieces(struct writer *w, const struct fmt *f, const struct out_arg *args)
{
	size_t i = 0;
	for (size_t k = 0; k < f->n; k++) {
		const struct fmt_piece *p = &f->pieces[k];
		if (p->kind == FMT_LITERAL) {
			/*
			 * The original copies a literal as a C string but sizes
			 * it whole; the bytes after a NUL are reserved and never
			 * written (we write nothing there).
			 */
			if (w->sb)
				put_bytes(w, p->text, strnlen(p->text, p->len));
			else
				w->count += p->len;
			continue;
		}
		int width = -1, precision = -1;
		if (p->width_star)
			width = clamp_field(w, args[i++].n);
		else if (p->width >= 0)
			width = clamp_field(w, p->width);
		if (p->precision_star)
			precision = clamp_field(w, args[i++].n);
		else if (p->precision >= 0)
			precision = clamp_field(w, p->precision);
		put_conversion(w, p, &args[i++], width, precision);
	}
}

int out_format(struct strbuf *sb, const struct fmt *f, const struct out_arg *args, size_t nargs,
	       size_t limit)
{
	if (!args_match(f, args, nargs))
		return -EINVAL;

	/* A format without conversions goes out whole (the original's _stp_print). */
	if (f->nargs == 0) {
		struct writer w = {.sb = sb, .room = SIZE_MAX};
		format_pieces(&w, f, args);
		return 0;
	}
	/*
	 * Like the original's printf: size the output with every width and
	 * precision clamped to the limit, reserve that much (at most the
	 * limit), then write with each clamped to the room left.  The two
	 * clamps differ for "%1.15b" near the end of the buffer.
	 */
	int max = limit > INT_MAX ? INT_MAX : (int)limit;
	struct writer size = {.sb = NULL, .room = SIZE_MAX, .clamp_max = max};
	format_pieces(&size, f, args);
	struct writer w = {.sb = sb, .room = size.count < limit ? size.count : limit};
	format_pieces(&w, f, args);
	return 0;
}

/* Make what was appended since START a C string of at most MAXSTRINGLEN - 1 bytes. */
static void cut_string(struct strbuf *sb, size_t start, size_t maxstringlen)
{
	size_t n = sb->len - start;
	if (maxstringlen > 0 && n > maxstringlen - 1)
		n = maxstringlen - 1;
	if (sb->buf)
		n = strnlen(sb->buf + start, n);
	sb->len = start + n;
	if (sb->buf)
		sb->buf[sb->len] = '\0';
}

int out_sprintf(struct strbuf *sb, const struct fmt *f, const struct out_arg *args, size_t nargs,
		size_t maxstringlen)
{
	if (!args_match(f, args, nargs))
		return -EINVAL;

	/* The original's sprintf writes straight into its MAXSTRINGLEN buffer. */
	size_t start = sb->len;
	struct writer w = {.sb = sb, .room = maxstringlen};
	format_pieces(&w, f, args);
	cut_string(sb, start, maxstringlen);
	return 0;
}

void out_long(struct strbuf *sb, int64_t v)
{
	struct writer w = {.sb = sb, .room = SIZE_MAX};
	put_number(&w, (uint64_t)v, 10, -1, -1, NUM_SIGNED);
}

void out_string(struct strbuf *sb, const char *s, size_t len)
{
	struct writer w = {.sb = sb, .room = SIZE_MAX};
	put_memory(&w, 's', s, len, -1, -1, false, false);
}

/* print's pieces into W; DLEN is what the original sizes for DELIM. */
static void print_pieces(struct writer *w, const struct out_arg *args, size_t nargs,
			 const char *delim, size_t dlen, bool newline)
{
	for (size_t i = 0; i < nargs; i++) {
		if (i > 0 && delim) {
			if (w->sb)
				put_bytes(w, delim, strnlen(delim, dlen));
			else
				w->count += dlen;
		}
		if (args[i].is_string)
			put_memory(w, 's', args[i].s, args[i].len, -1, -1, false, false);
		else
			put_number(w, (uint64_t)args[i].n, 10, -1, -1, NUM_SIGNED);
	}
	if (newline)
		put_bytes(w, "\n", 1);
}

void out_print(struct strbuf *sb, const struct out_arg *args, size_t nargs, const char *delim,
	       size_t delimlen, bool newline, size_t limit)
{
	if (!delim)
		delimlen = 0;
	struct writer size = {.sb = NULL, .room = SIZE_MAX};
	print_pieces(&size, args, nargs, delim, delimlen, newline);
	struct writer w = {.sb = sb, .room = size.count < limit ? size.count : limit};
	print_pieces(&w, args, nargs, delim, delimlen, newline);
}

void out_sprint(struct strbuf *sb, const struct out_arg *args, size_t nargs, const char *delim,
		size_t delimlen, bool newline, size_t maxstringlen)
{
	size_t start = sb->len;
	struct writer w = {.sb = sb, .room = maxstringlen};
	print_pieces(&w, args, nargs, delim, delim ? delimlen : 0, newline);
	cut_string(sb, start, maxstringlen);
}
