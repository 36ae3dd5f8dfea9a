/*
 * The string functions of the tapset (string.stp, text.stp, tokenize.stp,
 * errno.stp, ctime.stp) for host handlers: what their embedded C calls,
 * declared in stp_host.h.  runtime/include/stp_bpf_string.h implements the
 * same functions for kernel-side handlers, and both must give the same
 * bytes: change them together (tests/kernel/string-*.stp compare them).
 *
 * Strings are the module's buffers of MAXSTRINGLEN bytes, the value the
 * module was compiled with (its descriptor's), not this file's default.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../runtime/include/stp_host.h"
#include "host.h"

static size_t maxstr(void)
{
	return host_rt.mod ? (size_t)host_rt.mod->maxstringlen : MAXSTRINGLEN;
}

/* ---- slices and bytes ---- */

void stp_substr(char *dst, const char *s, int64_t start, int64_t length)
{
	size_t len = strlen(s);
	dst[0] = '\0';
	/* the original counts length + 1 bytes with the NUL, which wraps
	 * for the largest length: substr(s, 1, 9223372036854775807) is "" */
	if (length == INT64_MAX)
		return;
	if (start >= 0 && length > 0 && (size_t)start < len) {
		size_t n = len - (size_t)start;
		if ((uint64_t)length < n)
			n = (size_t)length;
		if (n > maxstr() - 1)
			n = maxstr() - 1;
		memcpy(dst, s + start, n);
		dst[n] = '\0';
	}
}

int64_t stp_stringat(const char *s, int64_t pos)
{
	if (pos < 0 || (size_t)pos >= strlen(s))
		return STP_NO_BYTE;
	return (signed char)s[pos]; /* the kernel's char: "\377" is -1 */
}

int64_t stp_strpos(const char *s, const char *pat)
{
	const char *p = strstr(s, pat);
	return p ? p - s : -1;
}

int64_t stp_isinstr(const char *s, const char *pat)
{
	return strstr(s, pat) != NULL;
}

void stp_str_replace(char *dst, const char *s, const char *srch, const char *rplc)
{
	size_t slen = strlen(srch), rlen = strlen(rplc), out = 0, max = maxstr() - 1;
	while (*s && out < max) {
		if (slen && strncmp(s, srch, slen) == 0) {
			size_t n = rlen < max - out ? rlen : max - out;
			memcpy(dst + out, rplc, n);
			out += n;
			s += slen;
		} else {
			dst[out++] = *s++;
		}
	}
	dst[out] = '\0';
}

/* ---- numbers and case ---- */

int64_t stp_isdigit(const char *s)
{
	return s[0] >= '0' && s[0] <= '9';
}

int64_t stp_strtol(const char *p, int64_t b)
{
	int neg = 0;
	uint64_t v = 0, base = (uint64_t)b;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (base == 0) {
		base = 10;
		if (p[0] == '0') {
			base = 8;
			if ((p[1] == 'x' || p[1] == 'X') &&
			    ((p[2] >= '0' && p[2] <= '9') ||
			     ((p[2] | 0x20) >= 'a' && (p[2] | 0x20) <= 'f'))) {
				base = 16;
				p += 2;
			}
		}
	} else if (base == 16 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		p += 2;
	}
	for (;; p++) {
		unsigned d;
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'f')
			/* the kernel's simple_strtol: no digit past f, whatever
			 * the base (the original's strtol("zz", 36) is 0) */
			d = (unsigned)((*p | 0x20) - 'a' + 10);
		else
			break;
		if (d >= base)
			break;
		v = v * base + d;
	}
	return neg ? (int64_t)(0 - v) : (int64_t)v;
}

void stp_toupper(char *dst, const char *s)
{
	size_t i;
	for (i = 0; s[i]; i++)
		dst[i] = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 32) : s[i];
	dst[i] = '\0';
}

void stp_tolower(char *dst, const char *s)
{
	size_t i;
	for (i = 0; s[i]; i++)
		dst[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
	dst[i] = '\0';
}

/* ---- escaping for display ---- */

/* The escaped form of one character of s (at *i, advanced past it) in
 * out: \n \t \" \\ ..., octal for other unprintable bytes, \uXXXX for a
 * UTF-8 sequence.  Returns its length. */
static size_t text_escape(const char *s, size_t *i, char out[16])
{
	unsigned char c = (unsigned char)s[*i];
	static const char from[] = "\a\b\f\n\r\t\v\"\\'";
	static const char to[] = "abfnrtv\"\\'";
	const char *e = c ? strchr(from, c) : NULL;
	if (e && c != '\'') {
		(*i)++;
		out[0] = '\\';
		out[1] = to[e - from];
		return 2;
	}
	/* as the original: only RFC 3629's UTF-8 (no 5- or 6-byte forms, no
	 * surrogates, nothing past U+10FFFF, nothing overlong such as \300\200
	 * for 0) is a character; any other byte stays an octal escape */
	if (c >= 0xc0 && c < 0xf8) {
		int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
		static const uint32_t least[] = {0, 0x80, 0x800, 0x10000};
		uint32_t cp = c & (0x3f >> extra);
		int k;
		for (k = 1; k <= extra; k++) {
			unsigned char d = (unsigned char)s[*i + (size_t)k];
			if ((d & 0xc0) != 0x80)
				break;
			cp = cp << 6 | (d & 0x3f);
		}
		if (k > extra && cp >= least[extra] && cp <= 0x10ffff &&
		    !(cp >= 0xd800 && cp <= 0xdfff)) {
			*i += (size_t)extra + 1;
			return (size_t)snprintf(out, 16, cp > 0xffff ? "\\U%08X" : "\\u%04X", cp);
		}
	}
	(*i)++;
	if (c < 0x20 || c >= 0x7f)
		return (size_t)snprintf(out, 16, "\\%03o", c);
	out[0] = (char)c;
	return 1;
}

void stp_text_strn(char *dst, const char *s, int64_t len, int quoted)
{
	size_t max = maxstr();
	size_t limit = len > 0 && (uint64_t)len < max ? (size_t)len : max - 1;
	size_t total = 0, i = 0, o = 0;
	char e[16];
	if (quoted) {
		while (s[i]) {
			size_t j = i;
			total += text_escape(s, &j, e);
			i = j;
		}
	}
	size_t budget = limit;
	int cut = 0;
	if (quoted) {
		/* as the original: a limit below 5 counts as 5 (room for
		 * ""...), so "" and "a" are whole within 1 */
		if (total + 2 <= (limit < 5 ? 5 : limit)) {
			budget = total;
		} else {
			cut = 1;
			budget = limit > 5 ? limit - 5 : 0;
		}
		dst[o++] = '"';
	}
	for (i = 0; s[i];) {
		size_t j = i, n = text_escape(s, &j, e);
		if (o + n - (quoted ? 1 : 0) > budget)
			break;
		memcpy(dst + o, e, n);
		o += n;
		i = j;
	}
	if (quoted) {
		dst[o++] = '"';
		if (cut) {
			memcpy(dst + o, "...", 3);
			o += 3;
		}
	}
	dst[o] = '\0';
}

/* ---- tokens ---- */

/* tokenize(): the string being split and where it has got to */
static char *tok_buf;
static size_t tok_cap, tok_pos;

void stp_tokenize(char *dst, const char *input, const char *delim)
{
	size_t max = maxstr();
	if (tok_cap < max) {
		char *p = realloc(tok_buf, max);
		if (!p) {
			dst[0] = '\0';
			return;
		}
		if (!tok_buf)
			p[0] = '\0';
		tok_buf = p;
		tok_cap = max;
	}
	if (input[0]) {
		stp_strlcpy(tok_buf, input, max);
		tok_pos = 0;
	}
	const char *s = tok_buf + tok_pos;
	while (*s && strchr(delim, *s))
		s++;
	size_t n = strcspn(s, delim);
	memcpy(dst, s, n);
	dst[n] = '\0';
	/* the delimiter that ends the token goes with it (as strsep()):
	 * tokenize("a:b", ":") then tokenize("", ",") is "b", not ":b" */
	tok_pos = (size_t)(s + n - tok_buf) + (s[n] != '\0');
}

/* ---- error numbers ---- */

/* The names errno_str() knows: Linux's errno.h up to ENOTRECOVERABLE (131),
 * the table of the original's errno.stp (no ERFKILL, no EHWPOISON), which
 * stp_bpf_string.h repeats. */
static const char *const errno_names[] = {
	[1] = "EPERM",
	[2] = "ENOENT",
	[3] = "ESRCH",
	[4] = "EINTR",
	[5] = "EIO",
	[6] = "ENXIO",
	[7] = "E2BIG",
	[8] = "ENOEXEC",
	[9] = "EBADF",
	[10] = "ECHILD",
	[11] = "EAGAIN",
	[12] = "ENOMEM",
	[13] = "EACCES",
	[14] = "EFAULT",
	[15] = "ENOTBLK",
	[16] = "EBUSY",
	[17] = "EEXIST",
	[18] = "EXDEV",
	[19] = "ENODEV",
	[20] = "ENOTDIR",
	[21] = "EISDIR",
	[22] = "EINVAL",
	[23] = "ENFILE",
	[24] = "EMFILE",
	[25] = "ENOTTY",
	[26] = "ETXTBSY",
	[27] = "EFBIG",
	[28] = "ENOSPC",
	[29] = "ESPIPE",
	[30] = "EROFS",
	[31] = "EMLINK",
	[32] = "EPIPE",
	[33] = "EDOM",
	[34] = "ERANGE",
	[35] = "EDEADLK",
	[36] = "ENAMETOOLONG",
	[37] = "ENOLCK",
	[38] = "ENOSYS",
	[39] = "ENOTEMPTY",
	[40] = "ELOOP",
	[42] = "ENOMSG",
	[43] = "EIDRM",
	[44] = "ECHRNG",
	[45] = "EL2NSYNC",
	[46] = "EL3HLT",
	[47] = "EL3RST",
	[48] = "ELNRNG",
	[49] = "EUNATCH",
	[50] = "ENOCSI",
	[51] = "EL2HLT",
	[52] = "EBADE",
	[53] = "EBADR",
	[54] = "EXFULL",
	[55] = "ENOANO",
	[56] = "EBADRQC",
	[57] = "EBADSLT",
	[59] = "EBFONT",
	[60] = "ENOSTR",
	[61] = "ENODATA",
	[62] = "ETIME",
	[63] = "ENOSR",
	[64] = "ENONET",
	[65] = "ENOPKG",
	[66] = "EREMOTE",
	[67] = "ENOLINK",
	[68] = "EADV",
	[69] = "ESRMNT",
	[70] = "ECOMM",
	[71] = "EPROTO",
	[72] = "EMULTIHOP",
	[73] = "EDOTDOT",
	[74] = "EBADMSG",
	[75] = "EOVERFLOW",
	[76] = "ENOTUNIQ",
	[77] = "EBADFD",
	[78] = "EREMCHG",
	[79] = "ELIBACC",
	[80] = "ELIBBAD",
	[81] = "ELIBSCN",
	[82] = "ELIBMAX",
	[83] = "ELIBEXEC",
	[84] = "EILSEQ",
	[85] = "ERESTART",
	[86] = "ESTRPIPE",
	[87] = "EUSERS",
	[88] = "ENOTSOCK",
	[89] = "EDESTADDRREQ",
	[90] = "EMSGSIZE",
	[91] = "EPROTOTYPE",
	[92] = "ENOPROTOOPT",
	[93] = "EPROTONOSUPPORT",
	[94] = "ESOCKTNOSUPPORT",
	[95] = "EOPNOTSUPP",
	[96] = "EPFNOSUPPORT",
	[97] = "EAFNOSUPPORT",
	[98] = "EADDRINUSE",
	[99] = "EADDRNOTAVAIL",
	[100] = "ENETDOWN",
	[101] = "ENETUNREACH",
	[102] = "ENETRESET",
	[103] = "ECONNABORTED",
	[104] = "ECONNRESET",
	[105] = "ENOBUFS",
	[106] = "EISCONN",
	[107] = "ENOTCONN",
	[108] = "ESHUTDOWN",
	[109] = "ETOOMANYREFS",
	[110] = "ETIMEDOUT",
	[111] = "ECONNREFUSED",
	[112] = "EHOSTDOWN",
	[113] = "EHOSTUNREACH",
	[114] = "EALREADY",
	[115] = "EINPROGRESS",
	[116] = "ESTALE",
	[117] = "EUCLEAN",
	[118] = "ENOTNAM",
	[119] = "ENAVAIL",
	[120] = "EISNAM",
	[121] = "EREMOTEIO",
	[122] = "EDQUOT",
	[123] = "ENOMEDIUM",
	[124] = "EMEDIUMTYPE",
	[125] = "ECANCELED",
	[126] = "ENOKEY",
	[127] = "EKEYEXPIRED",
	[128] = "EKEYREVOKED",
	[129] = "EKEYREJECTED",
	[130] = "EOWNERDEAD",
	[131] = "ENOTRECOVERABLE",
};

static const char *errno_name(int64_t e)
{
	if (e > 0 && (uint64_t)e < sizeof(errno_names) / sizeof(errno_names[0]))
		return errno_names[e];
	return NULL;
}

/* The name of err or -err; "" for a number with no name (0, 41, 58, past
 * 131), as the original prints when run (its man page's "E#3333" is not
 * what its code does). */
void stp_errno_str(char *dst, int64_t err)
{
	int64_t e = err < 0 ? (int64_t)(0 - (uint64_t)err) : err;
	const char *name = errno_name(e);
	stp_strlcpy(dst, name ? name : "", maxstr());
}

/* ---- time ---- */

void stp_ctime(char *dst, int64_t epochsecs)
{
	time_t t = (time_t)epochsecs;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(dst, maxstr(), "%a %b %e %H:%M:%S %Y", &tm))
		stp_strlcpy(dst, "<invalid time>", maxstr());
}
