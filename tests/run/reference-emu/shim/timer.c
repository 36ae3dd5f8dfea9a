/* Emulated timers on a simulated clock (ns).  hrtimer probes (timer.s/ms/us/ns/hz)
   and timer_list probes (timer.jiffies) fire in order of expiry; ties by registration order. */
#ifndef _EMU_TIMER_C_
#define _EMU_TIMER_C_
#define NSEC_PER_SEC 1000000000LL
#ifndef HZ
#define HZ 250
#endif
typedef int64_t ktime_t;
enum hrtimer_restart { HRTIMER_NORESTART, HRTIMER_RESTART };
typedef enum hrtimer_restart hrtimer_return_t;
struct hrtimer { int64_t expires; hrtimer_return_t (*function)(struct hrtimer *); int active; };
struct stap_hrtimer_probe { struct hrtimer hrtimer; const struct stap_probe *probe; int64_t intrv; int64_t rnd; unsigned enabled; };
#define hrtimer_get_expires(t) ((t)->expires)
#define hrtimer_set_expires(t, v) ((t)->expires = (v))
#define ktime_add(a, b) ((a) + (b))
#define ktime_set(s, ns) ((int64_t)(s) * NSEC_PER_SEC + (ns))
static struct hrtimer *_emu_hrtimers[64]; static int _emu_n_hrtimers;
struct timer_list { unsigned long expires; void (*function)(struct timer_list *); int active; };
typedef struct timer_list *stp_timer_callback_parameter_t;
static struct timer_list *_emu_timers[64]; static int _emu_n_timers;
#define timer_setup(t, fn, fl) do { (t)->function = (fn); _emu_timers[_emu_n_timers++] = (t); } while (0)
#define add_timer(t) ((t)->active = 1)
#define mod_timer(t, e) ((t)->expires = (e), (t)->active = 1)
#define del_timer_sync(t) ((t)->active = 0)
#define msecs_to_jiffies(ms) ((unsigned long)(ms) * HZ / 1000)
static unsigned long _emu_jiffies(void);
static void _stp_hrtimer_init(void) {}
static inline ktime_t _stp_hrtimer_get_interval(struct stap_hrtimer_probe *stp) {
	int64_t i = stp->intrv;
	if (stp->rnd != 0) i += _stp_random_pm(stp->rnd);
	return i; }
static inline void _stp_hrtimer_update(struct stap_hrtimer_probe *stp) { stp->hrtimer.expires += _stp_hrtimer_get_interval(stp); }
static int _stp_hrtimer_create(struct stap_hrtimer_probe *stp, hrtimer_return_t (*fn)(struct hrtimer *)) { stp->hrtimer.function = fn; _emu_hrtimers[_emu_n_hrtimers++] = &stp->hrtimer; return 0; }
static int _stp_hrtimer_start(struct stap_hrtimer_probe *stp) { stp->hrtimer.expires = _emu_now_ns_g + _stp_hrtimer_get_interval(stp); stp->hrtimer.active = 1; return 0; }
static void _stp_hrtimer_cancel(struct stap_hrtimer_probe *stp) { stp->hrtimer.active = 0; }
static void _stp_hrtimer_delete(struct stap_hrtimer_probe *stp) { stp->hrtimer.active = 0; }
#define EMU_HAVE_TIMERS 1
#endif
