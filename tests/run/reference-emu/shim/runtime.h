/* User-space emulation shim for running SystemTap 4.8 kernel-runtime
   translator output with the original runtime's portable code
   (vsprintf.c, map*.c, stat*.c, stp_string.c, arith.c).  Test harness only. */
#ifndef _EMU_RUNTIME_H_
#define _EMU_RUNTIME_H_
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stdarg.h>
#include <ctype.h>
#include <limits.h>
#include <errno.h>
#include <unistd.h>
#include <time.h>
#include <sys/time.h>
#include <stdbool.h>
#include <stddef.h>

/* kernel <linux/ctype.h> predicates return 0 or 1 */
static inline int k_isdigit(int c) { return '0' <= c && c <= '9'; }
static inline int k_isprint(int c) { return !!isprint(c); }
static inline int k_isxdigit(int c) { return !!isxdigit(c); }
static inline int k_isspace(int c) { return !!isspace(c); }
static inline int k_isalpha(int c) { return !!isalpha(c); }
static inline int k_isalnum(int c) { return !!isalnum(c); }
static inline int k_isupper(int c) { return !!isupper(c); }
static inline int k_islower(int c) { return !!islower(c); }
#undef isdigit
#define isdigit(c) k_isdigit(c)
#undef isprint
#define isprint(c) k_isprint((unsigned char)(c))
#undef isxdigit
#define isxdigit(c) k_isxdigit((unsigned char)(c))
#undef isspace
#define isspace(c) k_isspace((unsigned char)(c))
#undef isalpha
#define isalpha(c) k_isalpha((unsigned char)(c))
#undef isalnum
#define isalnum(c) k_isalnum((unsigned char)(c))
#undef isupper
#define isupper(c) k_isupper((unsigned char)(c))
#undef islower
#define islower(c) k_islower((unsigned char)(c))
typedef uint64_t u64; typedef int64_t s64; typedef uint32_t u32; typedef int32_t s32;
typedef uint16_t u16; typedef uint8_t u8;
#define BITS_PER_LONG 64
#define PAGE_SIZE 4096
#define likely(x) __builtin_expect(!!(x),1)
#define unlikely(x) __builtin_expect(!!(x),0)
#define noinline __attribute__((noinline))
#define __user
#define __must_check
typedef struct { volatile int counter; } atomic_t;
#define ATOMIC_INIT(i) { (i) }
#define atomic_read(v) ((v)->counter)
#define atomic_set(v,i) ((v)->counter = (i))
#define atomic_inc(v) ((v)->counter++)
#define atomic_dec(v) ((v)->counter--)
#define atomic_add(i,v) ((v)->counter += (i))
static inline int atomic_cmpxchg(atomic_t *v, int o, int n) { int r = v->counter; if (r == o) v->counter = n; return r; }
#define pseudo_atomic_cmpxchg atomic_cmpxchg
static inline int atomic_add_unless(atomic_t *v, int a, int u) { if (v->counter == u) return 0; v->counter += a; return 1; }
#define min(a,b) ({ __typeof__(a) _a=(a); __typeof__(b) _b=(b); _a<_b?_a:_b; })
#define max(a,b) ({ __typeof__(a) _a=(a); __typeof__(b) _b=(b); _a>_b?_a:_b; })
#define min_t(t,a,b) ({ t _a=(a); t _b=(b); _a<_b?_a:_b; })
#define max_t(t,a,b) ({ t _a=(a); t _b=(b); _a>_b?_a:_b; })
#define clamp(v,lo,hi) min(max(v,lo),hi)
#define clamp_t(t,v,lo,hi) min_t(t,max_t(t,v,lo),hi)
#define do_div(n,base) ({ uint32_t __base=(base); uint32_t __rem; __rem = ((uint64_t)(n)) % __base; (n) = ((uint64_t)(n)) / __base; __rem; })
#define ilog2(n) (63 - __builtin_clzll((unsigned long long)(n)))
#define num_online_cpus() 1
#define for_each_online_cpu(cpu) for ((cpu) = 0; (cpu) < 1; (cpu)++)
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < 1; (cpu)++)
#define smp_processor_id() 0
#define raw_smp_processor_id() 0
#define cpu_to_node(c) 0
#define per_cpu_ptr(p,cpu) (p)
#define preempt_disable() do{}while(0)
#define preempt_enable() do{}while(0)
#define preempt_enable_no_resched() do{}while(0)
#define might_sleep() do{}while(0)
#define local_irq_save(f) do{(void)(f);}while(0)
#define local_irq_restore(f) do{(void)(f);}while(0)
#define stp_synchronize_sched() do{}while(0)
#define THREAD_SIZE 0
struct thread_info { int dummy; };
struct pt_regs { unsigned long r15, r14, r13, r12, rbp, bp, rbx, bx, r11, r10, r9, r8, rax, ax, rcx, cx, rdx, dx, rsi, si, rdi, di, orig_rax, orig_ax, rip, ip, cs, eflags, flags, rsp, sp, ss; }; struct kretprobe_instance; struct uretprobe_instance;
#define DEFINE_MUTEX(m) int m
#define mutex_lock(m) do{}while(0)
#define mutex_unlock(m) do{}while(0)
#define LINUX_VERSION_CODE 132624 /* 2.6.16: no hrtimer refresh */
#define KERNEL_VERSION(a,b,c) (((a) << 16) + ((b) << 8) + (c))
struct work_struct { int dummy; };
#define INIT_WORK(...) do{}while(0)
#define schedule_work(w) do{}while(0)
#define STP_NO_VERREL_CHECK 1
#define EXPORT_SYMBOL(x)
#define MODULE_DESCRIPTION(x)
#define MODULE_LICENSE(x)
static const char *_emu_param(const char *name) { /* EMU_PARAMS holds "name=value" words separated by newlines */
	static char buf[4096]; const char *p = getenv("EMU_PARAMS"); size_t n = strlen(name);
	while (p && *p) { const char *e = strchr(p, '\n'); size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l > n && !strncmp(p, name, n) && p[n] == '=') { snprintf(buf, sizeof buf, "%.*s", (int)(l - n - 1), p + n + 1); return buf; }
		p = e ? e + 1 : NULL; }
	return NULL; }
#define module_param_named(name, var, type, perm) static void __attribute__((constructor)) _emu_param_##name(void) { const char *v = _emu_param(#name); if (v) (var) = strtoll(v, NULL, 0); }
#define module_param_string(name, var, len, perm) static void __attribute__((constructor)) _emu_param_##name(void) { const char *v = _emu_param(#name); if (v) strlcpy((var), v, (len)); }
#define module_param(a,b,c)
#define MODULE_PARM_DESC(a,b)
#define __stringify(x) #x
#define __init
#define __exit
#define ENOMEM 12
/* string helpers the kernel has */
static size_t strlcpy(char *d, const char *s, size_t n) { size_t l = strlen(s); if (n) { size_t c = l >= n ? n-1 : l; memcpy(d, s, c); d[c] = 0; } return l; }
static size_t strlcat(char *d, const char *s, size_t n) { size_t dl = strnlen(d, n); if (dl == n) return n + strlen(s); return dl + strlcpy(d+dl, s, n-dl); }
static inline int isascii_(int c) { return !(c & ~0x7f); }
#undef isascii
#define isascii(c) isascii_((unsigned char)(c))
/* memory */
#define STP_ALLOC_FLAGS 0
#define STP_ALLOC_SLEEP_FLAGS 0
static void *_stp_kmalloc_gfp(size_t n, int f) { (void)f; return malloc(n); }
static void *_stp_kzalloc_gfp(size_t n, int f) { (void)f; return calloc(1, n); }
static void *_stp_kmalloc(size_t n) { return malloc(n); }
static void *_stp_kzalloc(size_t n) { return calloc(1, n); }
static void *_stp_vzalloc(size_t n) { return calloc(1, n); }
static void *_stp_vzalloc_node(size_t n, int node) { (void)node; return calloc(1, n); }
static void *_stp_alloc_percpu(size_t n) { return calloc(1, n); }
static void _stp_free_percpu(void *p) { free(p); }
static void _stp_kfree(void *p) { free(p); }
static void _stp_vfree(void *p) { free(p); }
/* kernel lists, as in <linux/list.h> */
struct list_head { struct list_head *next, *prev; };
#define INIT_LIST_HEAD(h) do { (h)->next = (h); (h)->prev = (h); } while (0)
static inline void __list_add(struct list_head *n, struct list_head *p, struct list_head *nx) { nx->prev = n; n->next = nx; n->prev = p; p->next = n; }
static inline void list_add(struct list_head *n, struct list_head *h) { __list_add(n, h, h->next); }
static inline void list_add_tail(struct list_head *n, struct list_head *h) { __list_add(n, h->prev, h); }
static inline void list_del(struct list_head *e) { e->next->prev = e->prev; e->prev->next = e->next; e->next = e->prev = NULL; }
static inline int list_empty(const struct list_head *h) { return h->next == h; }
static inline void list_move_tail(struct list_head *e, struct list_head *h) { e->next->prev = e->prev; e->prev->next = e->next; list_add_tail(e, h); }
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_for_each_safe(pos, n, head) for (pos = (head)->next, n = pos->next; pos != (head); pos = n, n = pos->next)
struct hlist_head { struct hlist_node *first; };
struct hlist_node { struct hlist_node *next, **pprev; };
#define INIT_HLIST_HEAD(p) ((p)->first = NULL)
#define INIT_HLIST_NODE(p) do { (p)->next = NULL; (p)->pprev = NULL; } while (0)
static inline void hlist_add_head(struct hlist_node *n, struct hlist_head *h) { struct hlist_node *f = h->first; n->next = f; if (f) f->pprev = &n->next; h->first = n; n->pprev = &h->first; }
static inline void hlist_del_init(struct hlist_node *n) { if (n->pprev) { struct hlist_node *nx = n->next; *n->pprev = nx; if (nx) nx->pprev = n->pprev; n->next = NULL; n->pprev = NULL; } }
#define hlist_entry_safe(ptr, type, member) ({ __typeof__(ptr) ____ptr = (ptr); ____ptr ? container_of(____ptr, type, member) : NULL; })
#define stap_hlist_for_each_entry(tpos, pos, head, member) for (pos = (head)->first; pos && ({ tpos = container_of(pos, __typeof__(*tpos), member); 1; }); pos = pos->next)
/* hash used by map-gen.c */
static inline uint32_t jhash_emu(const void *k, size_t n, uint32_t iv) { const unsigned char *p = k; uint32_t h = iv ^ 2166136261u; while (n--) { h ^= *p++; h *= 16777619u; } return h; }
#define jhash(k,n,iv) jhash_emu(k,n,iv)
static inline uint32_t jhash_1word(uint32_t a, uint32_t iv) { return jhash_emu(&a, 4, iv); }
static inline uint32_t jhash_2words(uint32_t a, uint32_t b, uint32_t iv) { uint32_t x[2] = {a, b}; return jhash_emu(x, 8, iv); }
static inline uint32_t jhash_3words(uint32_t a, uint32_t b, uint32_t c, uint32_t iv) { uint32_t x[3] = {a, b, c}; return jhash_emu(x, 12, iv); }
static uint32_t stap_hash_seed = 0;
#define hash_long(v, bits) ((uint32_t)(((uint64_t)(v) * 0x61C8864680B583EBull) >> (64 - (bits))))
/* privileges */
#define STP_PRIVILEGE_CONTAINS(a,b) (((a) & (b)) == (b))
static int _stp_privilege_credentials = 0x8;
static const char *privilege_to_text(int p) { (void)p; return "stapdev"; }
static int _stp_module_check(void) { return 0; }
static int _stp_handle_kallsyms_lookups(void) { return 0; }
static void _stp_print_kernel_info(char *a, char *b, int c, int d) { (void)a; (void)b; (void)c; (void)d; }
/* session */
#define jiffies ((unsigned long)(_emu_now_ns_g / (1000000000LL / 250)) + 1)
static int64_t _emu_now_ns_g;
typedef int stp_rwlock_t;
#define kread(p) (*(p))
#define uread(p) (*(p))
#define fallthrough __attribute__((fallthrough))
typedef unsigned long long cycles_t;
static inline cycles_t get_cycles(void) { return 0; }
#include <pthread.h>
struct _stp_transport_context_data { int dummy; };
#define STP_USER_DS 1
#define STP_KERNEL_DS 0
#define _stp_deref_nofault(value, size, addr, seg) ({ uint64_t _v = 0; memcpy(&_v, (const void *)(uintptr_t)(addr), (size)); (value) = _v; 0; })
/* lib/vsprintf.c (kernel): simple_strtoull/simple_strtol with _parse_integer_fixup_radix */
static unsigned long long simple_strtoull(const char *cp, char **endp, unsigned int base) {
	unsigned long long result = 0;
	if (!base) base = (cp[0] == '0') ? ((tolower(cp[1]) == 'x' && isxdigit(cp[2])) ? 16 : 8) : 10;
	if (base == 16 && cp[0] == '0' && tolower(cp[1]) == 'x') cp += 2;
	while (isxdigit(*cp)) { unsigned v = isdigit(*cp) ? *cp - '0' : tolower(*cp) - 'a' + 10; if (v >= base) break; result = result * base + v; cp++; }
	if (endp) *endp = (char *)cp; return result; }
static long simple_strtol(const char *cp, char **endp, unsigned int base) { if (*cp == '-') return -simple_strtoull(cp + 1, endp, base); return simple_strtoull(cp, endp, base); }
static void _stp_warn(const char *fmt, ...);
static void _stp_exit(void);
static void _stp_error(const char *fmt, ...);
static void _stp_softerror(const char *fmt, ...);
static void _stp_dbug(const char *func, int line, const char *fmt, ...);
static int _stp_exit_flag = 0;
static int _stp_target = 0;
static inline void _stp_runtime_context_wait(void) {}
#include "../arith.c"
#include "../print.h"
#include "../stp_string.c"
#define ARRAY_SIZE(a) (sizeof(a)/sizeof((a)[0]))
#include "../stat.c"
#include "timer.c"
#endif
