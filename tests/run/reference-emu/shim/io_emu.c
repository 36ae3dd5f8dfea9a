/* Emulated control channel: messages go to stderr as staprun prints them:
   ERROR lines always (and mark the run failed), WARNING lines deduplicated. */
static int _emu_error_detected = 0;
struct _emu_seen { char *s; struct _emu_seen *next; };
static struct _emu_seen *_emu_seen_list;
static void _emu_ctl_msg(const char *prefix, const char *fmt, va_list args) {
	char buf[2048]; int n = snprintf(buf, sizeof buf, "%s", prefix);
	n += vsnprintf(buf + n, sizeof buf - n, fmt, args);
	if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
	if (buf[n-1] != '\n') { buf[n++] = '\n'; buf[n] = 0; }
	_stp_print_flush();
	if (!strcmp(prefix, "WARNING: ")) {
		struct _emu_seen *e; for (e = _emu_seen_list; e; e = e->next) if (!strcmp(e->s, buf)) return;
		e = malloc(sizeof *e); e->s = strdup(buf); e->next = _emu_seen_list; _emu_seen_list = e;
	} else _emu_error_detected = 1;
	fputs(buf, stderr); fflush(stderr); }
static void _stp_warn(const char *fmt, ...) { va_list a; va_start(a, fmt); _emu_ctl_msg("WARNING: ", fmt, a); va_end(a); }
static void _stp_exit(void) { _stp_exit_flag = 1; }
static void _stp_error(const char *fmt, ...) { va_list a; va_start(a, fmt); _emu_ctl_msg("ERROR: ", fmt, a); va_end(a); _stp_exit(); }
static void _stp_softerror(const char *fmt, ...) { va_list a; va_start(a, fmt); _emu_ctl_msg("ERROR: ", fmt, a); va_end(a); }
static void _stp_dbug(const char *func, int line, const char *fmt, ...) { (void)func; (void)line; (void)fmt; }
#define dbug(...) do{}while(0)
#define dbug_otf(...) do{}while(0)
