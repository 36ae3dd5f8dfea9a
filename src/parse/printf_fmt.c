/*
 * printf format strings (see printf_fmt.h).  fmt_parse() first applies the
 * lexer's rule for unknown escapes, then walks the text once as SystemTap's
 * print_format::string_to_components does: bytes outside conversions collect
 * in a run that is unescaped into a literal piece when a conversion starts or
 * the text ends; a conversion is one optional flag, a width, a '.' precision,
 * an 'l' and a type letter, and running out of text inside one follows the
 * original's rule.  All the pieces' text lives in one heap buffer, so a
 * struct fmt is two blocks to free.
 */
#include "printf_fmt.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"

static const char err_conversion[] = "invalid or missing conversion specifier";
static const char err_trailing[] = "trailing incomplete print format conversion";

/* The escapes the lexer keeps with their backslash; the rest lose it. */
static bool is_known_escape(char c)
{
	return c != '\0' && (strchr("abfnrtvx\\\"", c) || (c >= '0' && c <= '7'));
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Copy RAW to OUT as the lexer would: "\%" becomes "%", "\n" stays "\n". */
static size_t strip_unknown_escapes(const char *raw, size_t len, char *out)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (raw[i] == '\\' && i + 1 < len) {
			if (is_known_escape(raw[i + 1]))
				out[n++] = raw[i];
			i++;
		}
		out[n++] = raw[i];
	}
	out[n] = '\0';
	return n;
}

/* Interpret the escapes of S[0..LEN) into OUT (at most LEN bytes); returns the count. */
static size_t unescape_into(const char *s, size_t len, char *out)
{
	size_t n = 0, i = 0;
	while (i < len) {
		char c = s[i++];
		if (c != '\\' || i == len) {
			out[n++] = c;
			continue;
		}
		c = s[i++];
		if (c >= '0' && c <= '7') {
			/* up to three octal digits; C rejects a value above 0377 */
			unsigned v = (unsigned)(c - '0');
			for (int k = 1; k < 3 && i < len && s[i] >= '0' && s[i] <= '7'; k++)
				v = v * 8 + (unsigned)(s[i++] - '0');
			out[n++] = (char)(v & 0xff);
			continue;
		}
		if (c == 'x') {
			/* C takes every hex digit that follows, not just two */
			unsigned v = 0;
			bool any = false;
			for (int d; i < len && (d = hex_value(s[i])) >= 0; i++) {
				v = (v * 16 + (unsigned)d) & 0xff;
				any = true;
			}
			if (any)
				out[n++] = (char)v;
			continue;
		}
		switch (c) {
		case 'a':
			c = '\a';
			break;
		case 'b':
			c = '\b';
			break;
		case 'f':
			c = '\f';
			break;
		case 'n':
			c = '\n';
			break;
		case 'r':
			c = '\r';
			break;
		case 't':
			c = '\t';
			break;
		case 'v':
			c = '\v';
			break;
		default: /* \\ \" and the unknown escapes: the character itself */
			break;
		}
		out[n++] = c;
	}
	return n;
}

char *fmt_unescape(const char *raw, size_t *len)
{
	size_t rawlen = strlen(raw);
	char *out = xmalloc(rawlen + 1);
	size_t n = unescape_into(raw, rawlen, out);
	out[n] = '\0';
	if (len)
		*len = n;
	return out;
}

/* Where fmt_parse() puts pieces and their text while it walks the format. */
struct builder {
	struct fmt *f;
	size_t used; /* bytes of f->buf handed out */
};

static void add_piece(struct builder *b, struct fmt_piece *p, const char *text, size_t len,
		      bool unescape)
{
	char *dst = b->f->buf + b->used;
	if (unescape) {
		p->len = unescape_into(text, len, dst);
	} else {
		memcpy(dst, text, len);
		p->len = len;
	}
	dst[p->len] = '\0';
	p->text = dst;
	b->used += p->len + 1;
	b->f->pieces[b->f->n++] = *p;
}

static void flush_literal(struct builder *b, const char *run, size_t len)
{
	struct fmt_piece p = {
		.kind = FMT_LITERAL,
		.type = FMT_NONE,
		.width = -1,
		.precision = -1,
	};
	if (len == 0)
		return;
	add_piece(b, &p, run, len, true);
	if (p.len == 0) /* a run of nothing but "\x" */
		b->f->n--;
}

static unsigned flag_bit(char c)
{
	switch (c) {
	case '-':
		return FMT_FLAG_LEFT;
	case '+':
		return FMT_FLAG_PLUS;
	case ' ':
		return FMT_FLAG_SPACE;
	case '#':
		return FMT_FLAG_ALT;
	case '0':
		return FMT_FLAG_ZERO;
	default:
		return 0;
	}
}

static enum fmt_type conv_type(char c)
{
	switch (c) {
	case 'd':
	case 'i':
		return FMT_SIGNED;
	case 'u':
		return FMT_UNSIGNED;
	case 'o':
		return FMT_OCTAL;
	case 'x':
		return FMT_HEX;
	case 'X':
		return FMT_HEX_UPPER;
	case 'p':
		return FMT_POINTER;
	case 's':
		return FMT_STRING;
	case 'c':
		return FMT_CHAR;
	case 'b':
		return FMT_BINARY;
	case 'm':
		return FMT_MEMORY;
	case 'M':
		return FMT_MEMORY_HEX;
	default:
		return FMT_NONE;
	}
}

/*
 * number = "*" | digit+.  Returns whether one was there.  The original keeps
 * the number in 32 bits and its runtime clamps a negative one to 0.
 */
static bool parse_number(const char *t, size_t len, size_t *i, int *value, bool *star)
{
	if (t[*i] == '*') {
		*star = true;
		++*i;
		return true;
	}
	if (t[*i] < '0' || t[*i] > '9')
		return false;
	uint32_t v = 0;
	do
		v = v * 10 + (uint32_t)(t[(*i)++] - '0');
	while (*i < len && t[*i] >= '0' && t[*i] <= '9');
	*value = v > INT32_MAX ? 0 : (int)v;
	return true;
}

/*
 * conversion = "%" flag? width? ("." precision?)? "l"? type
 * T[*I] is the character after the '%'.  Returns NULL with P filled, NULL
 * with P->type FMT_NONE when the text ends in a conversion the original
 * drops ("%." "%l"), or the message.
 */
static const char *parse_conversion(const char *t, size_t len, size_t *i, struct fmt_piece *p)
{
	bool given = false; /* a flag, width or precision: the tail is then an error */

	p->flags = flag_bit(t[*i]);
	if (p->flags) {
		given = true;
		++*i;
	}
	if (*i == len)
		goto tail;
	given |= parse_number(t, len, i, &p->width, &p->width_star);
	if (*i == len)
		goto tail;
	if (t[*i] == '.') {
		if (++*i == len)
			goto tail;
		given |= parse_number(t, len, i, &p->precision, &p->precision_star);
		if (*i == len)
			goto tail;
	}
	if (t[*i] == 'l' && ++*i == len) /* accepted and ignored: values are 64-bit */
		goto tail;
	p->type = conv_type(t[*i]);
	if (p->type == FMT_NONE)
		return err_conversion;
	++*i;
	return NULL;
tail:
	return given ? err_trailing : NULL;
}

int fmt_parse(const char *raw, struct fmt *out, const char **err)
{
	size_t rawlen = strlen(raw);
	char *t = xmalloc(rawlen + 1);
	size_t len = strip_unknown_escapes(raw, rawlen, t);
	char *run = xmalloc(len + 1);
	size_t runlen = 0;
	const char *msg = NULL;

	/* each piece takes at least one byte of T; its text at most its bytes plus a NUL */
	memset(out, 0, sizeof(*out));
	out->pieces = xmalloc((len + 1) * sizeof(*out->pieces));
	out->buf = xmalloc(2 * len + 1);
	struct builder b = {.f = out};

	size_t i = 0;
	while (i < len) {
		if (t[i] != '%') {
			run[runlen++] = t[i++];
			continue;
		}
		if (i + 1 == len) {
			/*
			 * The original treats a final '%' like "%%", steps two
			 * past the end and scans on through whatever memory
			 * follows; that has held the script's own '%"' in
			 * every case we tried, so it reports this message.
			 */
			msg = err_conversion;
			break;
		}
		if (t[i + 1] == '%') {
			run[runlen++] = '%';
			i += 2;
			continue;
		}
		flush_literal(&b, run, runlen);
		runlen = 0;

		size_t start = i++;
		struct fmt_piece p = {
			.kind = FMT_CONV,
			.type = FMT_NONE,
			.width = -1,
			.precision = -1,
		};
		msg = parse_conversion(t, len, &i, &p);
		if (msg || p.type == FMT_NONE)
			break;
		add_piece(&b, &p, t + start, i - start, false);
		out->nargs += 1 + p.width_star + p.precision_star;
	}
	if (!msg)
		flush_literal(&b, run, runlen);
	free(run);
	free(t);
	if (msg) {
		fmt_free(out);
		*err = msg;
		return -1;
	}
	return 0;
}

void fmt_free(struct fmt *f)
{
	free(f->pieces);
	free(f->buf);
	memset(f, 0, sizeof(*f));
}

int fmt_kernel(const struct fmt *f, char **out, size_t *len, const char **bad)
{
	size_t cap = 16, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		return -1;
	for (size_t i = 0; i < f->n; i++) {
		const struct fmt_piece *p = &f->pieces[i];
		char conv[32];
		size_t k = 0;
		if (p->kind == FMT_LITERAL) {
			/* at most twice the bytes: every '%' doubled */
			while (n + 2 * p->len + 1 > cap)
				cap *= 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return -1;
			}
			buf = nb;
			for (size_t j = 0; j < p->len && p->text[j]; j++) {
				if (p->text[j] == '%')
					buf[n++] = '%';
				buf[n++] = p->text[j];
			}
			continue;
		}
		const char *len_mod = "ll";
		char type;
		switch (p->type) {
		case FMT_SIGNED:
			type = p->text[strlen(p->text) - 1] == 'i' ? 'i' : 'd';
			break;
		case FMT_UNSIGNED:
			type = 'u';
			break;
		case FMT_HEX:
			type = 'x';
			break;
		case FMT_HEX_UPPER:
			type = 'X';
			break;
		case FMT_STRING:
			type = 's';
			len_mod = "";
			break;
		case FMT_CHAR:
			type = 'c';
			len_mod = "";
			break;
		default:
			type = 0;
			break;
		}
		if (!type || (p->flags & FMT_FLAG_ALT) || p->width_star || p->precision_star ||
		    p->precision >= 0) {
			free(buf);
			*bad = p->text;
			return -1;
		}
		conv[k++] = '%';
		if (p->flags & FMT_FLAG_LEFT)
			conv[k++] = '-';
		if (p->flags & FMT_FLAG_PLUS)
			conv[k++] = '+';
		if (p->flags & FMT_FLAG_SPACE)
			conv[k++] = ' ';
		if (p->flags & FMT_FLAG_ZERO)
			conv[k++] = '0';
		if (p->width >= 0)
			k += (size_t)snprintf(conv + k, sizeof(conv) - k, "%d", p->width);
		k += (size_t)snprintf(conv + k, sizeof(conv) - k, "%s%c", len_mod, type);
		while (n + k + 1 > cap)
			cap *= 2;
		char *nb = realloc(buf, cap);
		if (!nb) {
			free(buf);
			return -1;
		}
		buf = nb;
		memcpy(buf + n, conv, k);
		n += k;
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}
