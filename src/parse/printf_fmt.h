/*
 * printf format strings, parsed as SystemTap 4.8 parses them
 * (print_format::string_to_components): pass 1 rejects a bad format with the
 * original's words, pass 2 counts and types the arguments, and the runtime
 * formats from the same pieces.
 *
 * The grammar is narrower than C's:
 *
 *   conversion = "%" flag? width? ("." precision?)? "l"? type
 *   flag       = "-" | "+" | " " | "#" | "0"      (one at most: "%-#x" is an error)
 *   width      = "*" | digit+                     (so "%-05d" is '-' with width 5)
 *   precision  = "*" | digit+                     ("%.d": no precision at all)
 *   type       = "d" "i" "u" "o" "x" "X" "p" "s" "c" "b" "m" "M"
 *
 * "%%" is a literal '%'.  One 'l' is accepted and ignored; "ll", "h", "L", "z"
 * and the float conversions are errors.  A format that ends inside a
 * conversion is an error if a flag, width or precision was given ("%5",
 * "%-", "%.3") but quietly produces nothing if not ("%.", "%l"): the original
 * drops such a tail, and so do we.
 *
 * Escapes: the text is a string literal as written in the script.  An unknown
 * escape ("\%", "\q", "\8") stands for the character alone, as the lexer
 * makes it, so "\%d" is a conversion; known escapes are kept and interpreted
 * only in literal text, so "\045d" prints "%d" rather than converting.
 */
#ifndef STAP_PRINTF_FMT_H
#define STAP_PRINTF_FMT_H

#include <stdbool.h>
#include <stddef.h>

enum fmt_kind {
	FMT_LITERAL,
	FMT_CONV,
};

enum fmt_type {
	FMT_NONE,       /* a literal piece */
	FMT_SIGNED,     /* d i */
	FMT_UNSIGNED,   /* u */
	FMT_OCTAL,      /* o */
	FMT_HEX,        /* x */
	FMT_HEX_UPPER,  /* X */
	FMT_POINTER,    /* p: always prints as "%#x" would (0x...), '#' or not */
	FMT_STRING,     /* s */
	FMT_CHAR,       /* c: '#' escapes non-printing characters */
	FMT_BINARY,     /* b: width = bytes to write (1 2 4 8, default 8) */
	FMT_MEMORY,     /* m: precision = bytes to read at the address; '#' = user memory */
	FMT_MEMORY_HEX, /* M: the same, written as hex digits */
};

/* Flag bits; SystemTap accepts at most one flag per conversion. */
#define FMT_FLAG_LEFT  0x01u /* '-' */
#define FMT_FLAG_PLUS  0x02u /* '+' */
#define FMT_FLAG_SPACE 0x04u /* ' ' */
#define FMT_FLAG_ALT   0x08u /* '#' */
#define FMT_FLAG_ZERO  0x10u /* '0' */

struct fmt_piece {
	enum fmt_kind kind;
	/*
	 * FMT_LITERAL: the bytes to print, escapes interpreted and "%%" made
	 * '%' (may hold NUL bytes; also NUL-terminated).  Literal pieces are
	 * maximal: two never follow each other.
	 * FMT_CONV: the conversion as written, e.g. "%-*ld", for messages.
	 */
	const char *text;
	size_t len;
	enum fmt_type type; /* FMT_NONE for literals */
	unsigned flags;     /* FMT_FLAG_* */
	/*
	 * -1 when absent.  Zero is kept: "%.0s" prints nothing, as in the
	 * original.  A value too big for an int wraps at 32 bits as in the
	 * original and becomes 0 if that leaves it negative (the original's
	 * runtime clamps it to 0).  With '*' the value comes from an argument
	 * and the field here stays -1.
	 */
	int width;
	bool width_star;
	int precision;
	bool precision_star;
};

struct fmt {
	struct fmt_piece *pieces;
	size_t n;
	/*
	 * The arguments the format consumes: one per conversion, plus one for
	 * each '*', which comes before its conversion's own argument.  A '*'
	 * argument is a long; so is a conversion's, except FMT_STRING's.
	 */
	size_t nargs;
	char *buf; /* private: holds every piece's text */
};

/*
 * Parse RAW, a string literal's text as written (escapes not interpreted).
 * Returns 0 and fills *out (free it with fmt_free), or returns -1, sets *err to
 * a static message in SystemTap's words and leaves *out empty.  The original
 * reports these as parse errors at the token after the format string.
 */
int fmt_parse(const char *raw, struct fmt *out, const char **err);
void fmt_free(struct fmt *f);

/*
 * Interpret a string literal's escapes as C (and so the original's runtime)
 * does: \a \b \f \n \r \t \v \\ \", octal \N \NN \NNN, hex \x with all the
 * hex digits that follow.  Any other escape is the character alone, as the
 * lexer makes it.  A value above 0xff keeps its low byte and a "\x"
 * without digits is dropped; the original's compilers reject both.  Returns
 * a NUL-terminated heap string; *len (if LEN is not NULL) counts its bytes,
 * which may include NULs.
 */
char *fmt_unescape(const char *raw, size_t *len);

/*
 * The format as the kernel's bpf_snprintf() takes it, for sprintf in BPF
 * code: every long a "%lld"-style 64-bit conversion, literal '%' doubled.
 * The kernel knows no precision, no '#', no '*' and no %o %p %b %m %M:
 * then -1 and *bad is the conversion as written.  Returns 0 and appends the
 * C string's bytes (escapes interpreted, cut at a NUL) to *out, a heap
 * buffer of *len bytes (free it).
 */
int fmt_kernel(const struct fmt *f, char **out, size_t *len, const char **bad);

#endif
