/* Emulated print buffer: one CPU, STP_BUFFER_SIZE bytes, flushed to stdout
   (or the -o file) like __stp_print_flush sends it to staprun. */
#define STP_BUFFER_SIZE 8192
struct _stp_log { unsigned len; char buf[STP_BUFFER_SIZE]; };
static struct _stp_log _emu_log;
static FILE *_emu_out;
static void __stp_print_flush(struct _stp_log *log) { if (log->len) { fwrite(log->buf, 1, log->len, _emu_out ? _emu_out : stdout); fflush(_emu_out ? _emu_out : stdout); log->len = 0; } }
static bool _stp_print_trylock_irqsave(unsigned long *flags) { (void)flags; return true; }
static void _stp_print_unlock_irqrestore(unsigned long *flags) { (void)flags; }
static int _stp_print_init(void) { return 0; }
static void _stp_print_cleanup(void) { __stp_print_flush(&_emu_log); }
static inline void _stp_print_flush(void) { __stp_print_flush(&_emu_log); }
static void *_stp_reserve_bytes(int numbytes) {
	struct _stp_log *log = &_emu_log; char *ret;
	if (unlikely(numbytes == 0 || numbytes > STP_BUFFER_SIZE)) return NULL;
	if (unlikely(numbytes > (STP_BUFFER_SIZE - (int)log->len))) __stp_print_flush(log);
	ret = &log->buf[log->len]; log->len += numbytes; return ret; }
static void _stp_unreserve_bytes(int numbytes) { if (numbytes <= (int)_emu_log.len) _emu_log.len -= numbytes; }
static int _stp_vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
static void _stp_printf(const char *fmt, ...) { va_list args; va_start(args, fmt); _stp_vsnprintf(NULL, 0, fmt, args); va_end(args); }
static void _stp_print(const char *str) { struct _stp_log *log = &_emu_log;
	while (1) { while (log->len < STP_BUFFER_SIZE && *str) log->buf[log->len++] = *str++; if (likely(!*str)) break; __stp_print_flush(log); } }
static void _stp_print_char(const char c) { struct _stp_log *log = &_emu_log; if (unlikely(log->len == STP_BUFFER_SIZE)) __stp_print_flush(log); log->buf[log->len++] = c; }
#define STP_MAXBINARYARGS 127
static void _stp_print_binary(int num, ...) { va_list vargs; int i; int64_t *args; if (num > STP_MAXBINARYARGS) num = STP_MAXBINARYARGS;
	args = _stp_reserve_bytes(num * sizeof(int64_t)); if (args) { va_start(vargs, num); for (i = 0; i < num; i++) args[i] = va_arg(vargs, int64_t); va_end(vargs); } }
