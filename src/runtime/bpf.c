/*
 * Pass 5's BPF half (see bpf.h).  libbpf opens the object from the module's
 * memory; we size the scratch map (one element per possible CPU) and the
 * ring buffer (-s), load (the verifier's log is kept and, on a rejection,
 * shown with the probe it was for), map the shared data (.data.stp for the
 * runtime, .data for the script's scalars), and attach each kernel probe:
 * a tracepoint by its group and event, a perf event on every online CPU.
 *
 * The ring buffer is read with ring_buffer__poll() and, because handlers
 * write without waking the reader until enough is pending, also consumed
 * after every wait: a record waits at most one poll period.
 */
#define _GNU_SOURCE
#include "bpf.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../../runtime/include/stp_host.h"
#include "../kernel/kernel.h"
#include "host.h"
#include "output.h"
#include "symbols.h"

/* The record layout of stp_bpf.h. */
enum {
	REC_PRINT = 1,
	REC_ERROR,
	REC_EXIT,
	REC_WARN,
	REC_SYSTEM,
	REC_TEXT,
	REC_HIST,
};

enum {
	E_DIV0 = 1,
	E_MAXACTION,
	E_MAXNESTING,
	E_EXHAUSTED,
	E_OVERFLOW,
	E_MSG,
	E_NEXT,
	E_EMPTY,
	E_FAULT,
};

struct rec_hdr {
	uint16_t type;
	uint16_t pad;
	uint32_t id;
};

struct bpf_session {
	const struct stp_module *mod;
	struct bpf_object *obj;
	struct ring_buffer *rb;
	struct bpf_shared *rt;
	size_t rt_size;
	void *shared;
	size_t shared_size;
	struct vec links; /* of struct bpf_link */
	struct vec perf_fds;
	char *kf_kprobe;             /* per probe: 1 a kernel function probe runs as a kprobe */
	const struct bpf_events *ev; /* while records are handled */
	int verbose;
};

static struct bpf_session *current;
static struct strbuf libbpf_log;

struct bpf_object *bpf_session_object(void)
{
	return current ? current->obj : NULL;
}

int bpf_session_ncpus(void)
{
	int n = libbpf_num_possible_cpus();
	return n > 0 ? n : 1;
}

static int log_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	sb_vprintf(&libbpf_log, fmt, ap);
	return 0;
}

/* What the verifier's reason means for the script's author. */
static const char *explain(const char *reason, size_t len)
{
	static const struct {
		const char *says, *means;
	} known[] = {
		{"BPF program is too large",
		 "the handler is too big for the kernel to check: split it, or move work to "
		 "functions, timers or end probes"},
		{"jumps is too complex",
		 "the handler has too many paths for the kernel to check: simplify its "
		 "conditions and loops"},
		{"jump out of range",
		 "the handler is too big for BPF: split it, or move work to functions, timers "
		 "or end probes"},
		{"combined stack size", "the handler nests calls too deeply for BPF's stack"},
		{"back-edge", "a loop the kernel cannot bound"},
		{"infinite loop", "a loop the kernel cannot bound"},
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (memmem(reason, len, known[i].says, strlen(known[i].says)))
			return known[i].means;
	return NULL;
}

/* The script line the log last names ("; text @ FILE:LINE"), if it does:
 * the log is read backwards from END, line by line, each line once (the
 * log of a program too large to check holds millions of lines). */
static bool last_script_line(const char *log, const char *end, char *where, size_t size,
			     const char **text, size_t *tlen)
{
	const char *eol = end;
	while (eol > log) {
		const char *bol = eol;
		while (bol > log && bol[-1] != '\n')
			bol--;
		size_t len = (size_t)(eol - bol);
		const char *at = NULL;
		for (size_t i = 0; *bol == ';' && i + 3 <= len && !at; i++)
			if (bol[i] == ' ' && bol[i + 1] == '@' && bol[i + 2] == ' ')
				at = bol + i;
		/* a script or tapset file, not the generated C or the headers */
		if (at && memmem(at + 3, (size_t)(eol - at - 3), ".stp:", 5)) {
			snprintf(where, size, "%.*s", (int)(eol - at - 3), at + 3);
			*text = bol + 2 <= at ? bol + 2 : at;
			*tlen = (size_t)(at - *text);
			return true;
		}
		eol = bol > log ? bol - 1 : log;
	}
	return false;
}

/* A rejected handler: the probe, the reason, where in the script. */
static void show_rejection(struct bpf_session *bs, const char *log)
{
	const char *prog = NULL;
	const char *p = strstr(log, "prog '");
	if (p) {
		p += 6;
		size_t n = strcspn(p, "'");
		for (int i = 0; i < bs->mod->nprobes; i++) {
			const struct stp_probe *sp = &bs->mod->probes[i];
			if (sp->bpf_prog && strlen(sp->bpf_prog) == n &&
			    strncmp(sp->bpf_prog, p, n) == 0)
				prog = sp->pp;
		}
	}
	/* the line before "processed": what the verifier refused */
	const char *end = strstr(log, "\nprocessed ");
	if (!end)
		end = log + strlen(log);
	const char *q = end;
	while (q > log && q[-1] != '\n')
		q--;
	const char *reason = q;
	size_t rlen = (size_t)(end - q);
	/* "478: (c5) if r8 ... BPF program is too large": the words only */
	const char *words = memmem(reason, rlen, "BPF program is too large", 24);
	if (words) {
		rlen -= (size_t)(words - reason);
		reason = words;
	}
	fprintf(stderr, "ERROR: the kernel's BPF verifier rejected the handler of %s",
		prog ? prog : "a probe");
	char where[512];
	const char *text;
	size_t tlen;
	bool located = last_script_line(log, end, where, sizeof(where), &text, &tlen);
	if (located)
		fprintf(stderr, " near %s", where);
	fprintf(stderr, ": %.*s\n", (int)rlen, reason);
	const char *means = explain(reason, rlen);
	if (means)
		fprintf(stderr, "       (%s)\n", means);
	if (located)
		fprintf(stderr, "        source: %.*s\n", (int)tlen, text);
	if (bs->verbose)
		fputs(log, stderr);
	else
		fputs("(run with -v to see the verifier's log)\n", stderr);
}

static void *map_data(struct bpf_object *obj, const char *suffix, size_t *size)
{
	struct bpf_map *m;
	bpf_object__for_each_map(m, obj)
	{
		const char *name = bpf_map__name(m);
		size_t n = strlen(name), k = strlen(suffix);
		if (n < k || strcmp(name + n - k, suffix) != 0)
			continue;
		size_t len = bpf_map__value_size(m);
		long page = sysconf(_SC_PAGESIZE);
		size_t map_len = (len + (size_t)page - 1) / (size_t)page * (size_t)page;
		void *p =
			mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(m), 0);
		if (p == MAP_FAILED)
			return NULL;
		*size = map_len;
		return p;
	}
	return NULL;
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int handle_record(void *ctx, void *data, size_t size);

/* "kernel.function" of kernel.function("f").return: the probe's family. */
static void probe_family(const char *pp, char *out, size_t n)
{
	size_t len = strcspn(pp, "(");
	if (strncmp(pp, "module(", 7) == 0)
		snprintf(out, n, "module().function");
	else
		snprintf(out, n, "%.*s", (int)(len < n ? len : n - 1), pp);
}

/* For each kernel function probe, the program this kernel can run: fentry
 * or fexit where it allows them, else a kprobe or kretprobe; the other is
 * not loaded.  0, or -1 after saying which probe cannot be had and why. */
static int choose_kfunc_programs(struct bpf_session *bs)
{
	const struct stp_module *mod = bs->mod;
	bs->kf_kprobe = calloc((size_t)mod->nprobes + 1, 1);
	if (!bs->kf_kprobe)
		return -1;
	for (int i = 0; i < mod->nprobes; i++) {
		const struct stp_probe *p = &mod->probes[i];
		if (p->kind != STP_PROBE_KFUNC)
			continue;
		struct bpf_program *fe =
			p->kf_name ? bpf_object__find_program_by_name(bs->obj, p->bpf_prog) : NULL;
		struct bpf_program *kp = bpf_object__find_program_by_name(bs->obj, p->kp_prog);
		if (p->kf_name && !kfunc_probeable(p->kf_name, p->kf_module)) {
			/* compiled against another kernel: this one lacks it */
			fprintf(stderr,
				"WARNING: probe %s registration error: this kernel has no "
				"traceable function %s\n",
				p->pp, p->kf_name);
			if (fe)
				bpf_program__set_autoload(fe, false);
			if (kp)
				bpf_program__set_autoload(kp, false);
			bs->kf_kprobe[i] = 2;
			continue;
		}
		const char *why = NULL;
		char family[64];
		probe_family(p->pp, family, sizeof(family));
		/* STAP_KFUNC=kprobe: kprobes even where fentry works (to compare
		 * them, and to test that path on a kernel that has both) */
		const char *force = getenv("STAP_KFUNC");
		bool no_fentry = force && strcmp(force, "kprobe") == 0;
		if (fe && !no_fentry && kfunc_fentry_works(p->kf_name)) {
			if (kp)
				bpf_program__set_autoload(kp, false);
			continue;
		}
		if (!kfunc_kprobes_work())
			why = p->kf_name
				      ? "probes need kprobes or BPF fentry, and this kernel gives "
					"neither"
				      : "probes need kprobes, which this kernel does not give";
		else if (p->entry_args)
			why = "probes reading parameters need BPF fexit, which this kernel does "
			      "not give (kretprobes see only the return value)";
		if (why) {
			fprintf(stderr, "ERROR: cannot attach probe %s%s%s: %s %s\n", p->pp,
				p->location ? " at " : "", p->location ? p->location : "", family,
				why);
			return -1;
		}
		if (fe)
			bpf_program__set_autoload(fe, false);
		bs->kf_kprobe[i] = 1;
	}
	return 0;
}

static int attach_kfunc(struct bpf_session *bs, int i, const struct stp_probe *p)
{
	struct bpf_link *l;
	if (bs->kf_kprobe[i] == 2)
		return 1; /* not loaded: reported */
	if (!bs->kf_kprobe[i]) {
		struct bpf_program *fe = bpf_object__find_program_by_name(bs->obj, p->bpf_prog);
		l = fe ? bpf_program__attach(fe) : NULL;
	} else {
		struct bpf_program *kp = bpf_object__find_program_by_name(bs->obj, p->kp_prog);
		LIBBPF_OPTS(bpf_kprobe_opts, o, .retprobe = p->kf_return,
			    .offset = p->kf_name ? 0 : (size_t)p->kf_addr);
		l = kp ? bpf_program__attach_kprobe_opts(kp, p->kf_name, &o) : NULL;
	}
	if (!l)
		return errno ? -errno : -ENOENT;
	vec_push(&bs->links, l);
	return 0;
}

int bpf_session_open(const struct stp_module *mod, long buffer_mb, int verbose,
		     struct bpf_session **out)
{
	*out = NULL;
	struct bpf_session *bs = calloc(1, sizeof(*bs));
	if (!bs)
		return -1;
	bs->mod = mod;
	bs->verbose = verbose;
	sb_init(&libbpf_log);
	libbpf_set_print(log_libbpf);
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "stap");
	bs->obj = bpf_object__open_mem(mod->bpf_obj, (size_t)(mod->bpf_obj_end - mod->bpf_obj),
				       &opts);
	if (!bs->obj) {
		int err = errno;
		/* libbpf's last word says what it refused */
		const char *log = sb_str(&libbpf_log);
		const char *last = log;
		for (const char *p = log; *p; p++)
			if (*p == '\n' && p[1])
				last = p + 1;
		fprintf(stderr, "ERROR: cannot open the module's BPF object: %s%s%.*s\n",
			strerror(err), *last ? ": " : "", (int)strcspn(last, "\n"), last);
		goto fail;
	}
	struct bpf_map *m = bpf_object__find_map_by_name(bs->obj, "stp_scratch");
	if (m)
		bpf_map__set_max_entries(m, (uint32_t)bpf_session_ncpus());
	m = bpf_object__find_map_by_name(bs->obj, "stp_rb");
	if (m) {
		/* 1 MiB by default: sixteen wake-up batches (STP_WAKEUP_BYTES), and
		 * the kernel maps a ring's pages twice, so its size counts double
		 * in the session's resident memory */
		unsigned long bytes = (unsigned long)(buffer_mb > 0 ? buffer_mb : 1) << 20;
		unsigned long pow = 4096;
		while (pow < bytes)
			pow <<= 1;
		bpf_map__set_max_entries(m, (uint32_t)pow);
	}
	if (choose_kfunc_programs(bs) != 0)
		goto fail;
	sb_fini(&libbpf_log);
	sb_init(&libbpf_log);
	if (bpf_object__load(bs->obj) != 0) {
		int err = errno;
		const char *log = sb_str(&libbpf_log);
		if (strstr(log, "-- BEGIN PROG LOAD LOG --"))
			show_rejection(bs, log);
		else if (err == EPERM || err == EACCES)
			fprintf(stderr,
				"ERROR: loading BPF programs needs root (or CAP_BPF and "
				"CAP_PERFMON): %s\n",
				strerror(err));
		else
			fprintf(stderr, "ERROR: cannot load the BPF programs: %s\n%s",
				strerror(err), verbose ? log : "");
		goto fail;
	}
	bs->rt = map_data(bs->obj, ".data.stp", &bs->rt_size);
	bs->shared = map_data(bs->obj, ".data", &bs->shared_size);
	if (!bs->rt || !bs->shared) {
		fprintf(stderr, "ERROR: cannot map the BPF program's data: %s\n", strerror(errno));
		goto fail;
	}
	bs->rt->realtime_off = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
	bs->rt->hz = kernel_hz();
	bs->rt->nr_cpus = bpf_session_ncpus();
	if (mod->shared)
		*mod->shared = bs->shared;
	m = bpf_object__find_map_by_name(bs->obj, "stp_rb");
	bs->rb = m ? ring_buffer__new(bpf_map__fd(m), handle_record, bs, NULL) : NULL;
	if (!bs->rb) {
		fprintf(stderr, "ERROR: cannot read the BPF ring buffer: %s\n", strerror(errno));
		goto fail;
	}
	current = bs;
	*out = bs;
	return 0;
fail:
	bpf_session_close(bs);
	return -1;
}

static int open_perf(const struct stp_probe *p, int cpu)
{
	struct perf_event_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = p->perf_type;
	attr.config = p->perf_config;
	if (p->sample_freq) {
		attr.freq = 1;
		attr.sample_freq = p->sample_freq;
	} else {
		attr.sample_period = p->sample_period;
	}
	return (int)syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/* The online CPUs ("0-3,5"): a flag per CPU number below max. */
static void online_cpus(bool *online, int max)
{
	memset(online, 0, (size_t)max * sizeof(bool));
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	char buf[1024] = "0";
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			snprintf(buf, sizeof(buf), "0");
		fclose(f);
	}
	for (char *p = buf; *p && *p != '\n';) {
		char *end;
		long a = strtol(p, &end, 10), b = a;
		if (end == p)
			break;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (long c = a; c <= b && c < max; c++)
			if (c >= 0)
				online[c] = true;
		p = *end == ',' ? end + 1 : end;
		if (*end != ',')
			break;
	}
}

static int attach_perf(struct bpf_session *bs, struct bpf_program *prog, const struct stp_probe *p)
{
	int n = bpf_session_ncpus();
	bool *online = calloc((size_t)n, sizeof(bool));
	if (!online)
		return -ENOMEM;
	online_cpus(online, n);
	int rc = 0;
	for (int cpu = 0; cpu < n; cpu++) {
		if (!online[cpu])
			continue;
		int fd = open_perf(p, cpu);
		if (fd < 0) {
			rc = -errno;
			break;
		}
		struct bpf_link *l = bpf_program__attach_perf_event(prog, fd);
		if (!l) {
			rc = -errno;
			close(fd);
			break;
		}
		vec_push(&bs->links, l);
		vec_push(&bs->perf_fds, (void *)(intptr_t)fd);
		if (p->one_cpu)
			break;
	}
	free(online);
	return rc;
}

/* A uprobe at the function's file offset (libbpf's uprobe_opts), or a USDT
 * mark by provider and name (libbpf finds its sites, decodes its argument
 * specs for bpf_usdt_arg() and counts its semaphore up while attached). */
static int attach_uprobe(struct bpf_session *bs, struct bpf_program *prog,
			 const struct stp_probe *p)
{
	pid_t pid = p->up_pid > 0 ? (pid_t)p->up_pid : -1;
	struct bpf_link *l;
	if (p->kind == STP_PROBE_USDT) {
		l = bpf_program__attach_usdt(prog, pid, p->up_path, p->usdt_provider, p->usdt_name,
					     NULL);
	} else {
		LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = p->up_retprobe);
		l = bpf_program__attach_uprobe_opts(prog, pid, p->up_path, (size_t)p->up_offset,
						    &opts);
	}
	if (!l)
		return -errno;
	vec_push(&bs->links, l);
	return 0;
}

static void detach_all(struct bpf_session *bs)
{
	vec_foreach(&bs->links, i)
		bpf_link__destroy(bs->links.items[i]);
	bs->links.len = 0;
	vec_foreach(&bs->perf_fds, i)
		close((int)(intptr_t)bs->perf_fds.items[i]);
	bs->perf_fds.len = 0;
}

int bpf_session_attach(struct bpf_session *bs)
{
	int attached = 0, kf_failed = 0;
	/* the probes marked first (a deferred syscall entry handler, replayed
	 * at the exit: it must run before the script's own exit handlers),
	 * then the others; programs on one event run in attach order */
	for (int k = 0; k < 2 * bs->mod->nprobes; k++) {
		int i = k % bs->mod->nprobes;
		const struct stp_probe *p = &bs->mod->probes[i];
		if (!p->bpf_prog || p->first != (k < bs->mod->nprobes))
			continue;
		struct bpf_program *prog = bpf_object__find_program_by_name(bs->obj, p->bpf_prog);
		int rc = 0;
		if (p->kind == STP_PROBE_KFUNC) {
			rc = attach_kfunc(bs, i, p);
			if (rc == 1) {
				kf_failed++;
				continue;
			}
		} else if (!prog) {
			rc = -ENOENT;
		} else if (p->kind == STP_PROBE_TRACEPOINT) {
			/* a probe that reads the tracepoint's arguments is a
			 * raw_tp program (SEC("raw_tp/EVENT")) */
			bool raw = bpf_program__type(prog) == BPF_PROG_TYPE_RAW_TRACEPOINT;
			struct bpf_link *l =
				raw ? bpf_program__attach_raw_tracepoint(prog, p->tp_event)
				    : bpf_program__attach_tracepoint(prog, p->tp_group,
								     p->tp_event);
			if (l)
				vec_push(&bs->links, l);
			else
				rc = -errno;
		} else if (p->kind == STP_PROBE_UPROBE || p->kind == STP_PROBE_USDT) {
			rc = attach_uprobe(bs, prog, p);
		} else {
			rc = attach_perf(bs, prog, p);
		}
		if (rc < 0 && p->kind == STP_PROBE_KFUNC) {
			/* as the original: a kernel function the kernel will not let
			 * us probe (notrace, a module compiled elsewhere naming a
			 * function this kernel lacks) is a warning, the others run */
			fprintf(stderr, "WARNING: probe %s registration error (rc %d): %s\n", p->pp,
				rc, strerror(-rc));
			kf_failed++;
			continue;
		}
		if (rc < 0) {
			fprintf(stderr, "ERROR: cannot attach probe %s: %s\n", p->pp,
				strerror(-rc));
			detach_all(bs);
			return -1;
		}
		attached++;
	}
	if (kf_failed && !attached) {
		fprintf(stderr, "ERROR: no probe could be attached\n");
		return -1;
	}
	return 0;
}

void bpf_session_run(struct bpf_session *bs, int64_t target)
{
	bs->rt->target = target;
	__atomic_store_n(&bs->rt->state, 1, __ATOMIC_SEQ_CST);
}

/* ---- records ---- */

static const char *error_text(uint32_t code, int32_t arg, const char *msg, char *buf, size_t n)
{
	switch (code) {
	case E_DIV0:
		return "division by 0";
	case E_MAXACTION:
		return "MAXACTION exceeded";
	case E_MAXNESTING:
		return "MAXNESTING exceeded";
	case E_EXHAUSTED:
		return "all functions exhausted";
	case E_OVERFLOW:
		if (arg > 0)
			snprintf(buf, n, "Array overflow, check size limit (%d)", arg);
		else
			snprintf(buf, n, "Array overflow, check MAXMAPENTRIES");
		return buf;
	case E_EMPTY:
		return "empty aggregate";
	default:
		return msg ? msg : "unknown error";
	}
}

/* A string in a record: NUL-terminated, padded to 8 bytes. */
static const char *rec_string(const char *data, size_t size, size_t *off, size_t *len)
{
	if (*off >= size) {
		*len = 0;
		return "";
	}
	const char *s = data + *off;
	*len = strnlen(s, size - *off);
	*off += (*len + 1 + 7) & ~(size_t)7;
	return s;
}

static void print_record(struct bpf_session *bs, uint32_t id, const char *data, size_t size)
{
	const struct stp_module *mod = bs->mod;
	if ((int)id >= mod->nsites)
		return;
	const struct stp_print_site *site = &mod->sites[id];
	struct out_arg args[64];
	size_t n = 0, off = 8;
	for (const char *sig = site->sig; *sig && n < 64; sig++) {
		if (*sig == 's') {
			size_t len;
			const char *s = rec_string(data, size, &off, &len);
			args[n++] = OUT_STR(s, len);
		} else {
			int64_t v = 0;
			if (off + 8 <= size)
				memcpy(&v, data + off, 8);
			off += 8;
			args[n++] = OUT_LONG(v);
		}
	}
	symtab_expand_args(args, n);
	if (site->kind == STP_SITE_PRINTF) {
		out_format(&host_rt.out, &host_rt.fmts[site->fmt], args, n, OUT_PRINT_LIMIT);
		return;
	}
	const char *delim = site->delim;
	bool newline = site->kind == STP_SITE_PRINTLN || site->kind == STP_SITE_PRINTDLN;
	out_print(&host_rt.out, args, n, delim, delim ? strlen(delim) : 0, newline,
		  OUT_PRINT_LIMIT);
}

static int handle_record(void *ctx, void *data, size_t size)
{
	struct bpf_session *bs = ctx;
	const struct bpf_events *ev = bs->ev;
	if (size < sizeof(struct rec_hdr))
		return 0;
	struct rec_hdr h;
	memcpy(&h, data, sizeof(h));
	const char *d = data;
	size_t off = 8, len;
	switch (h.type) {
	case REC_PRINT:
		print_record(bs, h.id, d, size);
		break;
	case REC_ERROR: {
		int32_t stmt = -1, arg = 0;
		if (size >= 16) {
			memcpy(&stmt, d + 8, 4);
			memcpy(&arg, d + 12, 4);
		}
		off = 16;
		const char *msg = size > 16 ? rec_string(d, size, &off, &len) : NULL;
		char buf[96];
		const char *text = error_text(h.id, arg, msg, buf, sizeof(buf));
		const char *where = stmt >= 0 && (size_t)stmt < bs->mod->nlocations
					    ? bs->mod->locations[stmt]
					    : NULL;
		host_flush();
		if (ev && ev->error)
			ev->error(ev->ctx, text, where);
		break;
	}
	case REC_EXIT:
		if (ev && ev->exit)
			ev->exit(ev->ctx);
		break;
	case REC_WARN:
		stp_warn(NULL, rec_string(d, size, &off, &len));
		break;
	case REC_SYSTEM:
		stp_system(NULL, rec_string(d, size, &off, &len));
		break;
	case REC_HIST: {
		if ((int)h.id >= bs->mod->nhsites)
			break;
		const struct stp_hist_site *hs = &bs->mod->hsites[h.id];
		/* the buckets as they were at the print (BPF checked the count) */
		char errbuf[128];
		struct stp_context hc = {.error_buf = errbuf};
		stp_stat_print_buckets(&hc, hs->p, (const int64_t *)(const void *)(d + 8),
				       size > 8 ? (size - 8) / 8 : 0, hs->where);
		if (hc.last_error && ev && ev->error) {
			host_flush();
			ev->error(ev->ctx, hc.last_error, hc.last_stmt);
		}
		break;
	}
	case REC_TEXT: {
		const char *t = rec_string(d, size, &off, &len);
		if (symtab_has_marker(t, len))
			symtab_expand(&host_rt.out, t, len);
		else
			sb_putn(&host_rt.out, t, len);
		break;
	}
	default:
		break;
	}
	return 0;
}

void bpf_session_poll(struct bpf_session *bs, int timeout_ms, const struct bpf_events *ev)
{
	bs->ev = ev;
	ring_buffer__poll(bs->rb, timeout_ms);
	ring_buffer__consume(bs->rb);
	bs->ev = NULL;
	host_flush();
}

void bpf_session_stop(struct bpf_session *bs, const struct bpf_events *ev)
{
	if (bs->rt)
		__atomic_store_n(&bs->rt->state, 2, __ATOMIC_SEQ_CST);
	detach_all(bs);
	if (bs->rb) {
		bs->ev = ev;
		ring_buffer__consume(bs->rb);
		bs->ev = NULL;
	}
	host_flush();
}

int64_t bpf_session_lost(const struct bpf_session *bs)
{
	return bs->rt ? bs->rt->lost : 0;
}

void bpf_session_close(struct bpf_session *bs)
{
	if (!bs)
		return;
	detach_all(bs);
	vec_fini(&bs->links);
	vec_fini(&bs->perf_fds);
	free(bs->kf_kprobe);
	if (bs->rb)
		ring_buffer__free(bs->rb);
	if (bs->rt)
		munmap(bs->rt, bs->rt_size);
	if (bs->shared)
		munmap(bs->shared, bs->shared_size);
	if (bs->mod && bs->mod->shared)
		*bs->mod->shared = NULL;
	if (bs->obj)
		bpf_object__close(bs->obj);
	if (current == bs)
		current = NULL;
	sb_fini(&libbpf_log);
	free(bs);
}

int bpf_session_timing(struct bpf_session *bs, int index, struct stat_agg *out)
{
	struct bpf_map *m = bs ? bpf_object__find_map_by_name(bs->obj, "stp_timing") : NULL;
	if (!m)
		return -ENOENT;
	int n = bpf_session_ncpus();
	struct stat_params p = {0};
	size_t size = stat_size(&p);
	char *vals = calloc((size_t)n, size);
	const struct stat_agg **parts = calloc((size_t)n, sizeof(*parts));
	uint32_t key = (uint32_t)index;
	int rc = vals && parts ? 0 : -ENOMEM;
	if (!rc && bpf_map_lookup_elem(bpf_map__fd(m), &key, vals) != 0)
		rc = -errno;
	if (!rc) {
		for (int i = 0; i < n; i++)
			parts[i] = (const struct stat_agg *)(void *)(vals + (size_t)i * size);
		stat_merge(out, parts, (size_t)n, &p);
	}
	free(parts);
	free(vals);
	return rc;
}

int64_t bpf_session_skipped(const struct bpf_session *bs)
{
	if (!bs)
		return 0;
	int64_t n = bs->rt->skipped;
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, bs->obj) {
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);
		memset(&info, 0, sizeof(info));
		int fd = bpf_program__fd(prog);
		if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			n += (int64_t)info.recursion_misses;
	}
	return n;
}
