/*
 * stp_bpf_string.h: the string functions of the tapset (string.stp,
 * text.stp, tokenize.stp, errno.stp, ctime.stp) for kernel-side handlers,
 * included at the end of stp_bpf.h.  Their embedded C calls stp_NAME(...),
 * which src/runtime/strings.c implements for the host: both give the same
 * bytes for the same arguments.
 *
 * Each is a BPF global function on full string buffers (struct stp_str,
 * struct stp_str2 for a destination written at a variable offset), verified
 * once whatever the number of call sites, behind a macro that takes char *.
 * A loop whose step advances by a varying amount (replacing, escaping) is a
 * bpf_loop() callback that keeps its counters in a per-CPU work area: the
 * verifier does not follow values through map memory, so it checks one step
 * instead of every path through MAXSTRINGLEN of them.  A search is a
 * bpf_loop() over the start positions, each compared by a global function,
 * so no loop nests inside another as the verifier sees it.
 *
 * An index that starts at a variable place is clamped and then passed
 * through barrier_var(): else clang walks a pointer from the start, whose
 * range the clamp of the index no longer bounds for the verifier.
 */
#ifndef STP_BPF_STRING_H
#define STP_BPF_STRING_H

/* What the loops keep between their steps, and tokenize()'s string and
 * where it has got to (per CPU: a kernel-side handler does not migrate).
 * The map is global, as libbpf 1.1 wants (it refuses static maps), so every
 * program has it, used or not. */
struct stp_strwork {
	int64_t i, o, total;
	int64_t forget;
	uint64_t delims[4]; /* tokenize: a bit per delimiter byte */
	char esc[16];       /* text_str: one escape */
	int64_t tok_pos;
	char tok[MAXSTRINGLEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, uint32_t);
	__type(value, struct stp_strwork);
} stp_strwork SEC(".maps");

STP_INLINE struct stp_strwork *stp_strwork_get(void)
{
	uint32_t zero = 0;
	return bpf_map_lookup_elem(&stp_strwork, &zero);
}

/* v, as the verifier sees a value read back from map memory: any value
 * (clamp it again).  Paths that differ only in v then meet as one state:
 * a loop that starts at a place that depends on the path (after a prefix,
 * after another loop) is verified once, not once per place. */
STP_INLINE int64_t stp_forget(struct stp_strwork *w, int64_t v)
{
	*(volatile int64_t *)&w->forget = v;
	return *(volatile int64_t *)&w->forget;
}

#define STP_STRW(p)  ((struct stp_str *)(void *)(p))
#define STP_STRW2(p) ((struct stp_str2 *)(void *)(p))

/* ---- slices and bytes ---- */

/* substr(s, start, length): at most length bytes from start (from 0). */
STP_GLOBAL int stp_substr_(struct stp_str *dst, const struct stp_str *s, int64_t start,
			   int64_t length)
{
	if (!dst || !s)
		return 0;
	dst->s[0] = 0;
	int64_t len = stp_strlen_(s);
	/* the original counts length + 1 bytes with the NUL, which wraps
	 * for the largest length: substr(s, 1, 9223372036854775807) is "" */
	if (start < 0 || length <= 0 || length == INT64_MAX || start >= len ||
	    start >= MAXSTRINGLEN)
		return 0;
	uint32_t n = (uint32_t)(len - start);
	if ((uint64_t)length < n)
		n = (uint32_t)length;
	if (n > MAXSTRINGLEN - 1)
		n = MAXSTRINGLEN - 1;
	if (bpf_probe_read_kernel(dst->s, n, s->s + start) < 0)
		n = 0;
	dst->s[n] = 0;
	return 0;
}

/* The byte at pos as a signed char (the kernel's char: "\377" is -1), or
 * STP_NO_BYTE when pos is not in the string. */
#define STP_NO_BYTE (-256)
STP_GLOBAL int64_t stp_stringat_(const struct stp_str *s, int64_t pos)
{
	if (!s || pos < 0 || pos >= MAXSTRINGLEN - 1)
		return STP_NO_BYTE;
	if (pos >= stp_strlen_(s))
		return STP_NO_BYTE;
	return (signed char)s->s[pos];
}

/* 1 if pat is a prefix of s from at on (the empty one always is). */
STP_GLOBAL int stp_prefix_at_(const struct stp_str *s, int64_t at, const struct stp_str *pat)
{
	if (!s || !pat || at < 0 || at >= MAXSTRINGLEN)
		return 0;
	for (int j = 0; j < MAXSTRINGLEN - 1; j++) {
		char c = pat->s[j];
		if (!c)
			return 1;
		int64_t k = at + j;
		if (k >= MAXSTRINGLEN)
			return 0;
		barrier_var(k);
		if (s->s[k] != c)
			return 0;
	}
	return 1;
}

struct stp_find_ctx {
	const struct stp_str *s, *pat;
	int64_t count; /* the start positions to try */
};

static long stp_find_step(uint32_t i, void *arg)
{
	struct stp_find_ctx *x = arg;
	if (i >= x->count)
		return 1;
	return stp_prefix_at_(x->s, i, x->pat) & 1;
}

/* Where pat first occurs in s, or -1 (strstr). */
STP_GLOBAL int64_t stp_strpos_(const struct stp_str *s, const struct stp_str *pat)
{
	if (!s || !pat)
		return -1;
	int64_t n = stp_strlen_(s), m = stp_strlen_(pat);
	if (m > n)
		return -1;
	struct stp_find_ctx x = {s, pat, n - m + 1};
	/* a step that finds pat at i stops the loop after i + 1 steps; the
	 * step past the last position stops it after count + 1 */
	long r = bpf_loop((uint32_t)x.count + 1, stp_find_step, &x, 0);
	return r >= 1 && r <= x.count ? r - 1 : -1;
}

struct stp_replace_ctx {
	struct stp_str2 *dst;
	const struct stp_str *s, *srch, *rplc;
	struct stp_strwork *w; /* i: where in s, o: where in dst */
	int64_t slen, rlen;
};

static long stp_replace_step(uint32_t step, void *arg)
{
	(void)step;
	struct stp_replace_ctx *x = arg;
	struct stp_strwork *w = x->w;
	int64_t i = w->i, o = w->o;
	if (i < 0 || i >= MAXSTRINGLEN - 1 || o < 0 || o >= MAXSTRINGLEN - 1)
		return 1;
	char c = x->s->s[i];
	if (!c)
		return 1;
	if (stp_prefix_at_(x->s, i, x->srch)) {
		int64_t n = x->rlen;
		if (n > MAXSTRINGLEN - 1 - o)
			n = MAXSTRINGLEN - 1 - o;
		if (n < 0 || n > MAXSTRINGLEN - 1)
			n = 0;
		if (bpf_probe_read_kernel(x->dst->s + o, (uint32_t)n, x->rplc->s) < 0)
			n = 0;
		w->o = o + n;
		w->i = i + x->slen;
	} else {
		x->dst->s[o] = c;
		w->o = o + 1;
		w->i = i + 1;
	}
	return 0;
}

/* Every occurrence of srch in s replaced by rplc (an empty srch: none). */
STP_GLOBAL int stp_str_replace_(struct stp_str2 *dst, const struct stp_str *s,
				const struct stp_str *srch, const struct stp_str *rplc)
{
	if (!dst || !s || !srch || !rplc)
		return 0;
	dst->s[0] = 0;
	int64_t slen = stp_strlen_(srch);
	if (slen == 0)
		return stp_scpy_((struct stp_str *)(void *)dst, s);
	struct stp_strwork *w = stp_strwork_get();
	if (!w)
		return 0;
	w->i = 0;
	w->o = 0;
	struct stp_replace_ctx x = {dst, s, srch, rplc, w, slen, stp_strlen_(rplc)};
	bpf_loop(MAXSTRINGLEN, stp_replace_step, &x, 0);
	int64_t o = w->o;
	if (o < 0 || o > MAXSTRINGLEN - 1)
		o = MAXSTRINGLEN - 1;
	dst->s[o] = 0;
	return 0;
}

/* ---- numbers and case ---- */

#define stp_isdigit(s) ((int64_t)((s)[0] >= '0' && (s)[0] <= '9'))

/* strtol(s, base): base 0 takes it from the prefix; digits up to the first
 * that does not belong to the base; wrapping like the host's uint64_t. */
STP_GLOBAL int64_t stp_strtol_(const struct stp_str *str, int64_t b)
{
	struct stp_strwork *w = stp_strwork_get();
	if (!str || !w)
		return 0;
	const char *s = str->s;
	uint32_t i = 0;
	bool neg = false;
	uint64_t v = 0, base = (uint64_t)b;
	if (s[0] == '-') {
		neg = true;
		i = 1;
	}
	char c0 = s[i], c1 = s[i + 1], c2 = s[i + 2];
	if (base == 0) {
		base = 10;
		if (c0 == '0') {
			base = 8;
			if ((c1 == 'x' || c1 == 'X') &&
			    ((c2 >= '0' && c2 <= '9') || ((c2 | 0x20) >= 'a' && (c2 | 0x20) <= 'f'))) {
				base = 16;
				i += 2;
			}
		}
	} else if (base == 16 && c0 == '0' && (c1 == 'x' || c1 == 'X')) {
		i += 2;
	}
	i = (uint32_t)stp_forget(w, i) & 3;
	for (int k = 0; k < MAXSTRINGLEN; k++) {
		uint32_t j = i + k;
		if (j >= MAXSTRINGLEN)
			break;
		barrier_var(j);
		char c = s[j];
		uint64_t d;
		if (c >= '0' && c <= '9')
			d = (uint64_t)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			/* no digit past f, as the kernel's simple_strtol */
			d = (uint64_t)((c | 0x20) - 'a' + 10);
		else
			break;
		if (d >= base)
			break;
		v = v * base + d;
	}
	return neg ? (int64_t)(0 - v) : (int64_t)v;
}

/* toupper/tolower of the ASCII letters */
STP_GLOBAL int stp_case_(struct stp_str *dst, const struct stp_str *s, int upper)
{
	if (!dst || !s)
		return 0;
	/* no branch on upper in the loop: one path through it */
	unsigned char first = (unsigned char)('A' + ((upper & 1) << 5));
	int i;
	for (i = 0; i < MAXSTRINGLEN - 1; i++) {
		char c = s->s[i];
		if (!c)
			break;
		if ((unsigned char)((unsigned char)c - first) < 26)
			c ^= 0x20;
		dst->s[i] = c;
	}
	dst->s[i] = 0;
	return 0;
}

/* ---- escaping for display ---- */

/* The escape of s->s[i] (a byte, or a UTF-8 sequence from it) into e:
 * its length | the bytes it takes << 8.  \n \t \" \\ ..., \ooo for other
 * unprintable bytes, \uXXXX or \UXXXXXXXX for a sequence. */
STP_INLINE uint32_t stp_text_escape(const struct stp_str *s, int64_t i, char *e)
{
	unsigned char c = (unsigned char)s->s[i];
	char t = 0;
	switch (c) {
	case '\a':
		t = 'a';
		break;
	case '\b':
		t = 'b';
		break;
	case '\f':
		t = 'f';
		break;
	case '\n':
		t = 'n';
		break;
	case '\r':
		t = 'r';
		break;
	case '\t':
		t = 't';
		break;
	case '\v':
		t = 'v';
		break;
	case '"':
		t = '"';
		break;
	case '\\':
		t = '\\';
		break;
	}
	if (t) {
		e[0] = '\\';
		e[1] = t;
		return 2 | 1 << 8;
	}
	/* only RFC 3629's UTF-8 is a character (as the original): no 5- or
	 * 6-byte forms, surrogates, values past U+10FFFF or overlong forms */
	if (c >= 0xc0 && c < 0xf8) {
		int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
		uint32_t least = extra == 1 ? 0x80 : extra == 2 ? 0x800 : 0x10000;
		uint32_t cp = c & (0x3f >> extra);
		int k;
		for (k = 1; k <= extra; k++) {
			int64_t j = i + k;
			if (j >= MAXSTRINGLEN)
				break;
			barrier_var(j);
			unsigned char d = (unsigned char)s->s[j];
			if ((d & 0xc0) != 0x80)
				break;
			cp = cp << 6 | (d & 0x3f);
		}
		if (k > extra && cp >= least && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) {
			uint32_t digits = cp > 0xffff ? 8 : 4;
			e[0] = '\\';
			e[1] = cp > 0xffff ? 'U' : 'u';
			for (uint32_t q = 0; q < 8 && q < digits; q++) {
				uint32_t nib = (cp >> (4 * (digits - 1 - q))) & 15;
				e[2 + q] = (char)(nib < 10 ? '0' + nib : 'A' + nib - 10);
			}
			return (2 + digits) | (uint32_t)(extra + 1) << 8;
		}
	}
	if (c < 0x20 || c >= 0x7f) {
		e[0] = '\\';
		e[1] = (char)('0' + (c >> 6));
		e[2] = (char)('0' + ((c >> 3) & 7));
		e[3] = (char)('0' + (c & 7));
		return 4 | 1 << 8;
	}
	e[0] = (char)c;
	return 1 | 1 << 8;
}

struct stp_text_ctx {
	struct stp_str2 *dst;
	const struct stp_str *s;
	struct stp_strwork *w; /* i: where in s, o: where in dst, total */
	int64_t budget;        /* the most bytes of escapes; -1: count them */
	int64_t q;             /* 1 when quoted: the escapes start at 1 */
};

static long stp_text_step(uint32_t step, void *arg)
{
	(void)step;
	struct stp_text_ctx *x = arg;
	struct stp_strwork *w = x->w;
	int64_t i = w->i;
	if (i < 0 || i >= MAXSTRINGLEN - 1 || !x->s->s[i])
		return 1;
	uint32_t r = stp_text_escape(x->s, i, w->esc);
	uint32_t n = r & 15;
	if (x->budget < 0) {
		w->total += n;
		w->i = i + (r >> 8);
		return 0;
	}
	int64_t o = w->o;
	if (o < 0 || o > MAXSTRINGLEN - 1 || o - x->q + n > x->budget)
		return 1;
	if (bpf_probe_read_kernel(x->dst->s + o, n, w->esc) < 0)
		return 1;
	w->o = o + n;
	w->i = i + (r >> 8);
	return 0;
}

/* s escaped into dst within len bytes (0: MAXSTRINGLEN - 1); quoted adds
 * the quotes, and "..." when it had to cut. */
STP_GLOBAL int stp_text_strn_(struct stp_str2 *dst, const struct stp_str *s, int64_t len,
			      int quoted)
{
	if (!dst || !s)
		return 0;
	dst->s[0] = 0;
	struct stp_strwork *w = stp_strwork_get();
	if (!w)
		return 0;
	int64_t limit = len > 0 && len < MAXSTRINGLEN ? len : MAXSTRINGLEN - 1;
	int64_t q = quoted ? 1 : 0;
	bool cut = false;
	struct stp_text_ctx x = {dst, s, w, -1, q};
	if (q) {
		w->i = 0;
		w->total = 0;
		bpf_loop(MAXSTRINGLEN, stp_text_step, &x, 0);
		int64_t total = w->total;
		/* a limit below 5 counts as 5 (room for ""...), as the original */
		if (total + 2 <= (limit < 5 ? 5 : limit)) {
			x.budget = total;
		} else {
			cut = true;
			x.budget = limit > 5 ? limit - 5 : 0;
		}
		dst->s[0] = '"';
	} else {
		x.budget = limit;
	}
	w->i = 0;
	w->o = q;
	bpf_loop(MAXSTRINGLEN, stp_text_step, &x, 0);
	int64_t o = w->o;
	if (o < 0 || o > MAXSTRINGLEN - 1)
		o = MAXSTRINGLEN - 1;
	if (q) {
		dst->s[o++] = '"';
		if (cut) {
			dst->s[o++] = '.';
			dst->s[o++] = '.';
			dst->s[o++] = '.';
		}
	}
	dst->s[o] = 0;
	return 0;
}

/* ---- tokens ---- */

STP_INLINE bool stp_is_delim(const struct stp_strwork *w, unsigned char c)
{
	return (w->delims[(c >> 6) & 3] >> (c & 63)) & 1;
}

/* tokenize(input, delim): input "" goes on with the last string. */
STP_GLOBAL int stp_tokenize_(struct stp_str *dst, const struct stp_str *input,
			     const struct stp_str *delim)
{
	if (!dst || !input || !delim)
		return 0;
	dst->s[0] = 0;
	struct stp_strwork *w = stp_strwork_get();
	if (!w)
		return 0;
	if (input->s[0]) {
		if (bpf_probe_read_kernel_str(w->tok, MAXSTRINGLEN, input->s) < 0)
			w->tok[0] = 0;
		w->tok_pos = 0;
	}
	w->delims[0] = w->delims[1] = w->delims[2] = w->delims[3] = 0;
	for (int i = 0; i < MAXSTRINGLEN - 1; i++) {
		unsigned char c = (unsigned char)delim->s[i];
		if (!c)
			break;
		w->delims[(c >> 6) & 3] |= UINT64_C(1) << (c & 63);
	}
	int64_t pos = stp_forget(w, w->tok_pos);
	if (pos < 0 || pos > MAXSTRINGLEN - 1)
		pos = MAXSTRINGLEN - 1;
	for (int k = 0; k < MAXSTRINGLEN - 1; k++) {
		if (pos >= MAXSTRINGLEN - 1)
			break;
		barrier_var(pos);
		unsigned char c = (unsigned char)w->tok[pos];
		if (!c || !stp_is_delim(w, c))
			break;
		pos++;
	}
	int64_t start = stp_forget(w, pos);
	if (start < 0 || start > MAXSTRINGLEN - 1)
		start = MAXSTRINGLEN - 1;
	pos = start;
	for (int k = 0; k < MAXSTRINGLEN - 1; k++) {
		if (pos >= MAXSTRINGLEN - 1)
			break;
		barrier_var(pos);
		unsigned char c = (unsigned char)w->tok[pos];
		if (!c || stp_is_delim(w, c))
			break;
		pos++;
	}
	/* the delimiter that ends the token goes with it (as strsep()) */
	w->tok_pos = pos;
	if (pos < MAXSTRINGLEN - 1 && w->tok[pos])
		w->tok_pos = pos + 1;
	int64_t n = pos - start;
	if (n < 0 || n > MAXSTRINGLEN - 1 || start < 0 || start > MAXSTRINGLEN - 1)
		return 0;
	if (bpf_probe_read_kernel(dst->s, (uint32_t)n, w->tok + start) < 0)
		n = 0;
	dst->s[n] = 0;
	return 0;
}

/* ---- error numbers ---- */

/* The names the host's errno_str() knows (src/runtime/strings.c): Linux's
 * errno.h up to 131, as the original's errno.stp. */
static const char stp_errno_names[132][16] = {
	[1] = "EPERM",              [2] = "ENOENT",             [3] = "ESRCH",
	[4] = "EINTR",              [5] = "EIO",                [6] = "ENXIO",
	[7] = "E2BIG",              [8] = "ENOEXEC",            [9] = "EBADF",
	[10] = "ECHILD",            [11] = "EAGAIN",            [12] = "ENOMEM",
	[13] = "EACCES",            [14] = "EFAULT",            [15] = "ENOTBLK",
	[16] = "EBUSY",             [17] = "EEXIST",            [18] = "EXDEV",
	[19] = "ENODEV",            [20] = "ENOTDIR",           [21] = "EISDIR",
	[22] = "EINVAL",            [23] = "ENFILE",            [24] = "EMFILE",
	[25] = "ENOTTY",            [26] = "ETXTBSY",           [27] = "EFBIG",
	[28] = "ENOSPC",            [29] = "ESPIPE",            [30] = "EROFS",
	[31] = "EMLINK",            [32] = "EPIPE",             [33] = "EDOM",
	[34] = "ERANGE",            [35] = "EDEADLK",           [36] = "ENAMETOOLONG",
	[37] = "ENOLCK",            [38] = "ENOSYS",            [39] = "ENOTEMPTY",
	[40] = "ELOOP",             [42] = "ENOMSG",            [43] = "EIDRM",
	[44] = "ECHRNG",            [45] = "EL2NSYNC",          [46] = "EL3HLT",
	[47] = "EL3RST",            [48] = "ELNRNG",            [49] = "EUNATCH",
	[50] = "ENOCSI",            [51] = "EL2HLT",            [52] = "EBADE",
	[53] = "EBADR",             [54] = "EXFULL",            [55] = "ENOANO",
	[56] = "EBADRQC",           [57] = "EBADSLT",           [59] = "EBFONT",
	[60] = "ENOSTR",            [61] = "ENODATA",           [62] = "ETIME",
	[63] = "ENOSR",             [64] = "ENONET",            [65] = "ENOPKG",
	[66] = "EREMOTE",           [67] = "ENOLINK",           [68] = "EADV",
	[69] = "ESRMNT",            [70] = "ECOMM",             [71] = "EPROTO",
	[72] = "EMULTIHOP",         [73] = "EDOTDOT",           [74] = "EBADMSG",
	[75] = "EOVERFLOW",         [76] = "ENOTUNIQ",          [77] = "EBADFD",
	[78] = "EREMCHG",           [79] = "ELIBACC",           [80] = "ELIBBAD",
	[81] = "ELIBSCN",           [82] = "ELIBMAX",           [83] = "ELIBEXEC",
	[84] = "EILSEQ",            [85] = "ERESTART",          [86] = "ESTRPIPE",
	[87] = "EUSERS",            [88] = "ENOTSOCK",          [89] = "EDESTADDRREQ",
	[90] = "EMSGSIZE",          [91] = "EPROTOTYPE",        [92] = "ENOPROTOOPT",
	[93] = "EPROTONOSUPPORT",   [94] = "ESOCKTNOSUPPORT",   [95] = "EOPNOTSUPP",
	[96] = "EPFNOSUPPORT",      [97] = "EAFNOSUPPORT",      [98] = "EADDRINUSE",
	[99] = "EADDRNOTAVAIL",     [100] = "ENETDOWN",         [101] = "ENETUNREACH",
	[102] = "ENETRESET",        [103] = "ECONNABORTED",     [104] = "ECONNRESET",
	[105] = "ENOBUFS",          [106] = "EISCONN",          [107] = "ENOTCONN",
	[108] = "ESHUTDOWN",        [109] = "ETOOMANYREFS",     [110] = "ETIMEDOUT",
	[111] = "ECONNREFUSED",     [112] = "EHOSTDOWN",        [113] = "EHOSTUNREACH",
	[114] = "EALREADY",         [115] = "EINPROGRESS",      [116] = "ESTALE",
	[117] = "EUCLEAN",          [118] = "ENOTNAM",          [119] = "ENAVAIL",
	[120] = "EISNAM",           [121] = "EREMOTEIO",        [122] = "EDQUOT",
	[123] = "ENOMEDIUM",        [124] = "EMEDIUMTYPE",      [125] = "ECANCELED",
	[126] = "ENOKEY",           [127] = "EKEYEXPIRED",      [128] = "EKEYREVOKED",
	[129] = "EKEYREJECTED",     [130] = "EOWNERDEAD",       [131] = "ENOTRECOVERABLE",
};

/* errno_str(err): the name of err or -err, else "" (as the original). */
STP_GLOBAL int stp_errno_str_(struct stp_str *dst, int64_t err)
{
	if (!dst)
		return 0;
	int64_t e = err < 0 ? stp_neg(err) : err;
	dst->s[0] = 0;
	if (e > 0 && e < 132 && stp_errno_names[e][0] &&
	    bpf_probe_read_kernel_str(dst->s, MAXSTRINGLEN < 16 ? MAXSTRINGLEN : 16,
				      stp_errno_names[e]) < 0)
		dst->s[0] = 0;
	return 0;
}

/* ---- time ---- */

static const char stp_ctime_fmt[] = "%s %s %2lld %02lld:%02lld:%02lld %lld";
static const char stp_ctime_days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char stp_ctime_months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char stp_ctime_invalid[] = "<invalid time>";

/* a / b rounded down, for b > 0 */
STP_INLINE int64_t stp_floor_div(int64_t a, int64_t b)
{
	int64_t q = stp_sdiv(a, b);
	return stp_sub(a, stp_mul(q, b)) < 0 ? q - 1 : q;
}

/* ctime(t): "Thu Jan  1 00:00:00 1970", in UTC, as gmtime_r() and
 * strftime("%a %b %e %H:%M:%S %Y") give it; a year whose tm_year does not
 * fit an int is "<invalid time>" (gmtime_r fails), and %Y prints
 * tm_year + 1900 as an int. */
STP_GLOBAL int stp_ctime_(struct stp_str *dst, int64_t t)
{
	if (!dst)
		return 0;
	/* the civil date of a day count: Howard Hinnant's days_from_civil,
	 * reversed; eras of 400 years from 0000-03-01 */
	int64_t days = stp_floor_div(t, 86400);
	uint64_t secs = (uint64_t)stp_sub(t, stp_mul(days, 86400));
	int64_t z = days + 719468;
	int64_t era = stp_floor_div(z, 146097);
	uint64_t doe = (uint64_t)(z - era * 146097);
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t mp = (5 * doy + 2) / 153;
	uint64_t mday = doy - (153 * mp + 2) / 5 + 1;
	uint64_t mon = mp < 10 ? mp + 2 : mp - 10; /* from 0 */
	int64_t year = (int64_t)yoe + era * 400 + (mon <= 1);
	int64_t wday = stp_smod(days + 4, 7); /* 1970-01-01 was a Thursday */
	if (wday < 0)
		wday += 7;
	long n = -1;
	if (year - 1900 >= -2147483647LL - 1 && year - 1900 <= 2147483647LL && wday >= 0 &&
	    wday < 7 && mon < 12) {
		uint64_t a[7] = {
			(uint64_t)(uintptr_t)stp_ctime_days[wday],
			(uint64_t)(uintptr_t)stp_ctime_months[mon],
			mday,
			secs / 3600,
			secs / 60 % 60,
			secs % 60,
			(uint64_t)(int64_t)(int32_t)(uint32_t)year,
		};
		n = bpf_snprintf(dst->s, MAXSTRINGLEN, stp_ctime_fmt, a, sizeof(a));
	}
	if (n < 0 || n > MAXSTRINGLEN)
		if (bpf_probe_read_kernel_str(dst->s, MAXSTRINGLEN, stp_ctime_invalid) < 0)
			dst->s[0] = 0;
	return 0;
}

/* ---- what the tapset's embedded C calls ---- */

#define stp_substr(d, s, start, len)   stp_substr_(STP_STRW(d), STP_STR(s), start, len)
#define stp_stringat(s, pos)           stp_stringat_(STP_STR(s), pos)
#define stp_strpos(s, pat)             stp_strpos_(STP_STR(s), STP_STR(pat))
#define stp_isinstr(s, pat)            ((int64_t)(stp_strpos_(STP_STR(s), STP_STR(pat)) >= 0))
#define stp_str_replace(d, s, a, b) \
	stp_str_replace_(STP_STRW2(d), STP_STR(s), STP_STR(a), STP_STR(b))
#define stp_strtol(s, base)            stp_strtol_(STP_STR(s), base)
#define stp_toupper(d, s)              stp_case_(STP_STRW(d), STP_STR(s), 1)
#define stp_tolower(d, s)              stp_case_(STP_STRW(d), STP_STR(s), 0)
#define stp_text_strn(d, s, len, q)    stp_text_strn_(STP_STRW2(d), STP_STR(s), len, q)
#define stp_tokenize(d, input, delim)  stp_tokenize_(STP_STRW(d), STP_STR(input), STP_STR(delim))
#define stp_errno_str(d, err)          stp_errno_str_(STP_STRW(d), err)
#define stp_ctime(d, t)                stp_ctime_(STP_STRW(d), t)

#endif
