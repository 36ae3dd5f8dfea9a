/*
 * The run loop of the host target (see run.h).  The module is dlopen()ed;
 * its descriptor lists the probes.  begin probes run by sequence number
 * (stably), then the timers fire on CLOCK_MONOTONIC deadlines until the
 * session stops: exit(), SIGINT/SIGTERM, the end of the -c command, or
 * more errors than MAXERRORS.  Then end probes run (unless errors stopped
 * the session: then error probes), and the error summary is printed.  Each
 * handler's output is flushed when it returns; system() commands run then.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wordexp.h>

#include "../../runtime/include/stp_host.h"
#include "bpf.h"
#include "host.h"
#include "output.h"
#include "procfs.h"
#include "run.h"
#include "symbols.h"

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
}

struct session_state {
	const struct stp_module *mod;
	struct stp_context ctx;
	int errors;
	int skipped;
	bool error_stop; /* too many errors: end probes are skipped */
	pid_t child;
	bool child_failed;       /* the -c command exited non-zero or by a signal */
	struct bpf_session *bpf; /* the kernel probes, if any */
	struct bpf_events events;
	struct stat_agg **timing;      /* -t: per probe of the table, NULL without */
	struct procfs_session *procfs; /* the procfs probes' files, if any */
};

static void run_commands(void)
{
	vec_foreach(&host_rt.commands, i) {
		char *cmd = host_rt.commands.items[i];
		host_flush();
		fflush(stdout);
		int rc = system(cmd);
		(void)rc;
		free(cmd);
	}
	host_rt.commands.len = 0;
}

/* A handler's runtime error: counted, shown, and past MAXERRORS the end
 * of the session; false then. */
static bool handler_error(struct session_state *ss, const char *msg, const char *where)
{
	ss->errors++;
	if (ss->mod->suppress_handler_errors)
		return true;
	if (where)
		fprintf(stderr, "ERROR: %s near %s\n", msg, where);
	else
		fprintf(stderr, "ERROR: %s\n", msg);
	if (ss->errors > ss->mod->maxerrors) {
		ss->error_stop = true;
		host_rt.exiting = true;
		return false;
	}
	return true;
}

/* The records of kernel handlers: their errors and exit(). */
static void kernel_error(void *ctx, const char *msg, const char *where)
{
	handler_error(ctx, msg, where);
}

static void kernel_exit(void *ctx)
{
	(void)ctx;
	host_rt.exiting = true;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * -t: the original's report of each probe's hits and time, after the end
 * probes.  "cycles" are nanoseconds here (BPF cannot read the cycle counter):
 * the monotonic clock around a user-space handler, bpf_ktime_get_ns() around
 * a kernel one (per CPU, merged as statistics are).  Probes that never ran
 * are not listed; the index is the probe's number, never probes included.
 */
static void timing_report(struct session_state *ss)
{
	const struct stp_module *mod = ss->mod;
	static const struct stat_params none;
	struct stat_agg *k = stat_new(&none);
	sb_puts(&host_rt.out, "----- probe hit report: \n");
	for (int i = 0; i < mod->nprobes; i++) {
		const struct stp_probe *p = &mod->probes[i];
		const struct stat_agg *parts[1] = {ss->timing[i]};
		if (!p->location) /* added by pass 2: the original has no such probe */
			continue;
		struct stat_agg *t = k;
		if (p->handler)
			stat_merge(t, parts, 1, &none);
		else if (bpf_session_timing(ss->bpf, p->index, t) != 0)
			continue;
		if (t->count == 0)
			continue;
		sb_printf(&host_rt.out,
			  "%s, (%s), hits: %lld, cycles: %lldmin/%lldavg/%lldmax, variance: "
			  "%lld,%s, index: %d\n",
			  p->pp, p->location ? p->location : "", (long long)t->count,
			  (long long)t->min, (long long)(t->sum / t->count), (long long)t->max,
			  (long long)t->variance, p->derivation ? p->derivation : "", p->index);
	}
	sb_puts(&host_rt.out, "----- refresh report:\n");
	host_flush();
	stat_free(k);
}

/* Run one handler; false when its error ends the session. */
static bool run_handler(struct session_state *ss, const struct stp_probe *p)
{
	struct stp_context *c = &ss->ctx;
	/* what kernel handlers printed before comes first */
	if (ss->bpf)
		bpf_session_poll(ss->bpf, 0, &ss->events);
	c->last_error = NULL;
	c->last_stmt = NULL;
	c->actionremaining = ss->mod->maxaction_interruptible;
	c->nesting = 0;
	c->probe = p;
	if (ss->timing) {
		int64_t t0 = now_ns();
		p->handler(c);
		static const struct stat_params none;
		stat_add(ss->timing[p - ss->mod->probes], &none, now_ns() - t0);
	} else {
		p->handler(c);
	}
	host_close_iters();
	host_flush();
	run_commands();
	if (!c->last_error)
		return true;
	return handler_error(ss, c->last_error, c->last_stmt);
}

static bool run_procfs_handler(void *ctx, const struct stp_probe *p)
{
	return run_handler(ctx, p);
}

/* The module's name, as the original names /proc/systemtap/MODNAME: the
 * file's, without directory and extension. */
static void module_name(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	snprintf(out, size, "%.*s", (int)n, base);
}

static int cmp_seq(const void *a, const void *b)
{
	const struct stp_probe *pa = *(const struct stp_probe *const *)a;
	const struct stp_probe *pb = *(const struct stp_probe *const *)b;
	if (pa->seq != pb->seq)
		return pa->seq < pb->seq ? -1 : 1;
	return pa < pb ? -1 : pa > pb;
}

/* The probes of one kind, sorted by sequence number, stably. */
static size_t probes_of(const struct stp_module *mod, enum stp_probe_kind kind,
			const struct stp_probe **out)
{
	size_t n = 0;
	for (int i = 0; i < mod->nprobes; i++)
		if (mod->probes[i].kind == kind)
			out[n++] = &mod->probes[i];
	if (n > 1)
		qsort(out, n, sizeof(*out), cmp_seq);
	return n;
}

static int64_t period(const struct stp_probe *p)
{
	int64_t r = p->randomize_ns;
	if (r <= 0)
		return p->interval_ns;
	int64_t v =
		p->interval_ns +
		(int64_t)(((uint64_t)random() << 31 ^ (uint64_t)random()) % (uint64_t)(2 * r + 1)) -
		r;
	return v > 0 ? v : 1;
}

static void check_child(struct session_state *ss)
{
	if (ss->child <= 0)
		return;
	int status;
	pid_t r = waitpid(ss->child, &status, WNOHANG);
	if (r == ss->child || (r < 0 && errno == ECHILD)) {
		/* as the original's stapio says it (and the session fails) */
		if (r == ss->child && (WIFSIGNALED(status) || WEXITSTATUS(status) != 0)) {
			host_flush();
			fflush(stdout);
			if (WIFSIGNALED(status))
				fprintf(stderr,
					"WARNING: Child process exited with signal %d (%s)\n",
					WTERMSIG(status), strsignal(WTERMSIG(status)));
			else
				fprintf(stderr, "WARNING: Child process exited with status %d\n",
					WEXITSTATUS(status));
			ss->child_failed = true;
		}
		ss->child = 0;
		host_rt.exiting = true;
	}
}

/* Past MAXSKIPPED skipped kernel handlers, the session ends as after too
 * many errors, with the original's message. */
static void check_skipped(struct session_state *ss)
{
	ss->skipped = (int)bpf_session_skipped(ss->bpf);
	if (ss->skipped <= ss->mod->maxskipped || ss->error_stop ||
	    ss->mod->suppress_handler_errors)
		return;
	host_flush();
	fputs("ERROR: Skipped too many probes, check MAXSKIPPED or try again with stap -t for more "
	      "details.\n",
	      stderr);
	ss->error_stop = true;
	host_rt.exiting = true;
}

static void run_timers(struct session_state *ss, const struct stp_probe **timers, size_t n)
{
	int64_t *due = xmalloc((n ? n : 1) * sizeof(*due));
	int64_t start = now_ns();
	for (size_t i = 0; i < n; i++)
		due[i] = start + period(timers[i]);
	while (!host_rt.exiting) {
		if (got_signal) {
			host_rt.exiting = true;
			break;
		}
		check_child(ss);
		if (host_rt.exiting)
			break;
		if (ss->procfs) {
			procfs_service(ss->procfs, run_procfs_handler, ss);
			if (host_rt.exiting)
				break;
		}
		int64_t now = now_ns();
		size_t best = n;
		for (size_t i = 0; i < n; i++)
			if (best == n || due[i] < due[best])
				best = i;
		if (best < n && due[best] <= now) {
			due[best] += period(timers[best]);
			if (due[best] < now)
				due[best] = now + period(timers[best]);
			run_handler(ss, timers[best]);
			continue;
		}
		/* sleep until the next deadline, waking to look at signals and -c,
		 * and, with kernel probes, to read their records every few ms */
		int64_t wait = best < n ? due[best] - now : 50000000;
		if (wait > 50000000 && ss->child > 0)
			wait = 10000000;
		if (wait > 50000000)
			wait = 50000000;
		/* a reader of a procfs file waits for the next turn */
		if (ss->procfs && wait > 10000000)
			wait = 10000000;
		if (ss->bpf) {
			int ms = (int)(wait / 1000000);
			bpf_session_poll(ss->bpf, ms > 5 ? 5 : ms, &ss->events);
			run_commands();
			check_skipped(ss);
			continue;
		}
		struct timespec ts = {.tv_sec = wait / 1000000000, .tv_nsec = wait % 1000000000};
		nanosleep(&ts, NULL);
	}
	free(due);
}

static int set_globals(const struct stp_module *mod, const struct vec *inits)
{
	if (!inits)
		return 0;
	vec_foreach(inits, i) {
		const char *arg = inits->items[i];
		const char *eq = strchr(arg, '=');
		if (!eq)
			continue;
		size_t len = (size_t)(eq - arg);
		const struct stp_global *g = NULL;
		for (int k = 0; k < mod->nglobals; k++)
			if (strlen(mod->globals[k].name) == len &&
			    strncmp(mod->globals[k].name, arg, len) == 0)
				g = &mod->globals[k];
		if (!g) {
			fprintf(stderr, "ERROR: global variable '%.*s' not found (-G)\n", (int)len,
				arg);
			return -1;
		}
		void *addr =
			g->addr ? g->addr
				: (mod->shared && *mod->shared ? (char *)*mod->shared + g->offset
							       : NULL);
		if (!addr)
			continue;
		if (g->type == STP_TSTRING) {
			stp_strlcpy(addr, eq + 1, (size_t)mod->maxstringlen);
		} else {
			char *end;
			errno = 0;
			long long v = strtoll(eq + 1, &end, 0);
			if (errno == ERANGE && eq[1] != '-') {
				/* 0xffffffff81000000: a kernel address, as unsigned */
				errno = 0;
				v = (long long)strtoull(eq + 1, &end, 0);
			}
			if (errno || end == eq + 1 || *end) {
				fprintf(stderr,
					"ERROR: bad value '%s' for the global '%.*s' (-G)\n",
					eq + 1, (int)len, arg);
				return -1;
			}
			*(int64_t *)addr = v;
		}
	}
	return 0;
}

/* -c CMD: run directly when it is plain words (so target() is the
 * command's own pid, as in the original), else through /bin/sh.  The child
 * waits for *go (a pipe) before it execs, so that target() is set before
 * the command's first event. */
static pid_t start_command(const char *cmd, int *go)
{
	fflush(stdout);
	wordexp_t we;
	bool words = wordexp(cmd, &we, WRDE_NOCMD) == 0;
	if (words && we.we_wordc == 0) {
		wordfree(&we);
		words = false;
	}
	int fds[2] = {-1, -1};
	if (pipe2(fds, O_CLOEXEC) != 0)
		fds[0] = fds[1] = -1;
	pid_t pid = fork();
	if (pid == 0) {
		if (fds[0] >= 0) {
			char c;
			close(fds[1]);
			while (read(fds[0], &c, 1) < 0 && errno == EINTR)
				;
		}
		if (words) {
			execvp(we.we_wordv[0], we.we_wordv);
			fprintf(stderr, "ERROR: cannot run %s: %s\n", we.we_wordv[0],
				strerror(errno));
			_exit(127);
		}
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (words)
		wordfree(&we);
	if (fds[0] >= 0)
		close(fds[0]);
	*go = fds[1];
	return pid;
}

/* Let the -c command run. */
static void release_command(int go)
{
	if (go < 0)
		return;
	if (write(go, "", 1) < 0) {
		/* the child has gone already */
	}
	close(go);
}

int run_module(const struct run_opts *o)
{
	/* by path: dlopen would look a name without a slash up in the library
	 * path (staprun NAME.so after stap -m NAME) */
	char local[PATH_MAX + 2];
	const char *path = o->module_path;
	if (!strchr(path, '/')) {
		snprintf(local, sizeof(local), "./%s", path);
		path = local;
	}
	void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		fprintf(stderr, "ERROR: cannot load module %s: %s\n", o->module_path, dlerror());
		return 1;
	}
	const struct stp_module *mod = dlsym(dl, STP_MODULE_SYMBOL);
	if (!mod || mod->abi != STP_ABI_VERSION) {
		fprintf(stderr, "ERROR: %s is not a module of this version of stap\n",
			o->module_path);
		dlclose(dl);
		return 1;
	}
	memset(&host_rt, 0, sizeof(host_rt));
	host_rt.mod = mod;
	host_rt.target_pid = o->target_pid;
	host_rt.outf = stdout;
	int status = 1;
	struct session_state ss = {.mod = mod};
	if (o->output_file) {
		host_rt.outf = fopen(o->output_file, "w");
		if (!host_rt.outf) {
			fprintf(stderr, "ERROR: cannot open output file %s: %s\n", o->output_file,
				strerror(errno));
			dlclose(dl);
			return 1;
		}
	}
	host_rt.fmts = xmalloc(((size_t)mod->nformats + 1) * sizeof(struct fmt));
	for (int i = 0; i < mod->nformats; i++) {
		const char *err;
		if (fmt_parse(mod->formats[i], &host_rt.fmts[i], &err) != 0)
			memset(&host_rt.fmts[i], 0, sizeof(struct fmt));
	}
	ss.ctx.error_buf = xmalloc((size_t)mod->maxstringlen);
	ss.ctx.error_buf[0] = 0;
	srandom((unsigned)now_ns());

	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	struct sigaction old_int, old_term;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	got_signal = 0;

	const struct stp_probe **list = xmalloc(((size_t)mod->nprobes + 1) * sizeof(*list));
	ss.events = (struct bpf_events){.ctx = &ss, .error = kernel_error, .exit = kernel_exit};
	/* kernel probes: loaded and attached before anything runs, so that a
	 * probe the kernel cannot give stops the session first; their
	 * handlers wait for begin to finish */
	if (mod->timing) {
		static const struct stat_params none;
		ss.timing = xmalloc(((size_t)mod->nprobes + 1) * sizeof(*ss.timing));
		for (int i = 0; i < mod->nprobes; i++)
			ss.timing[i] = stat_new(&none);
	}
	if (mod->bpf_obj && bpf_session_open(mod, o->buffer_mb, o->verbose, &ss.bpf) != 0)
		goto done;
	int rc = mod->init(&ss.ctx);
	if (rc != 0) {
		if (rc != -EINVAL) /* -EINVAL: stp_stat_check said why */
			fputs("ERROR: out of memory allocating the globals\n", stderr);
		goto done;
	}
	if (set_globals(mod, o->global_inits) != 0)
		goto done;
	char modname[NAME_MAX + 1];
	module_name(o->module_path, modname, sizeof(modname));
	if (procfs_open(mod, modname, o->verbose, &ss.procfs) != 0)
		goto done;
	if (ss.bpf && bpf_session_attach(ss.bpf) != 0)
		goto done;
	size_t n = probes_of(mod, STP_PROBE_BEGIN, list);
	for (size_t i = 0; i < n && !host_rt.exiting && !got_signal; i++)
		run_handler(&ss, list[i]);
	if (ss.bpf && !host_rt.exiting)
		bpf_session_run(ss.bpf, o->target_cmd ? 0 : o->target_pid);
	if (o->target_cmd && !host_rt.exiting) {
		int go;
		ss.child = start_command(o->target_cmd, &go);
		host_rt.target_pid = ss.child;
		if (ss.bpf)
			bpf_session_run(ss.bpf, ss.child);
		release_command(go);
	}
	n = probes_of(mod, STP_PROBE_TIMER, list);
	if (!host_rt.exiting)
		run_timers(&ss, list, n);
	if (ss.bpf) {
		bpf_session_stop(ss.bpf, &ss.events);
		run_commands();
		check_skipped(&ss);
	}
	if (!ss.error_stop) {
		n = probes_of(mod, STP_PROBE_END, list);
		for (size_t i = 0; i < n && !ss.error_stop; i++)
			run_handler(&ss, list[i]);
	}
	if (ss.error_stop) {
		n = probes_of(mod, STP_PROBE_ERROR, list);
		for (size_t i = 0; i < n; i++)
			run_handler(&ss, list[i]);
	}
	host_flush();
	if (ss.timing)
		timing_report(&ss);
	if (ss.bpf && bpf_session_lost(ss.bpf))
		fprintf(stderr, "WARNING: %lld events lost\n", (long long)bpf_session_lost(ss.bpf));
	if (ss.errors || ss.skipped)
		fprintf(stderr, "WARNING: Number of errors: %d, skipped probes: %d\n", ss.errors,
			ss.skipped);
	/* the one kind of skip there is here; the original details them with -t */
	if (ss.timing && ss.skipped)
		fprintf(stderr, "WARNING: Skipped due to reentrancy: %d\n", ss.skipped);
	status = (ss.errors || ss.skipped > mod->maxskipped) && !mod->suppress_handler_errors ? 1
											      : 0;
	if (ss.child_failed)
		status = 1;
done:
	host_flush();
	if (ss.child > 0) {
		kill(ss.child, SIGTERM);
		waitpid(ss.child, NULL, 0);
	}
	procfs_close(ss.procfs);
	mod->fini();
	host_close_iters();
	host_free_maps();
	bpf_session_close(ss.bpf);
	/* only now: a second SIGINT (timeout(1) sends one to the child and one
	 * to its process group) must not kill the session half-way through
	 * removing its files and programs */
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	host_free_regexes();
	symtab_fini();
	vec_foreach(&host_rt.warned, i)
		free(host_rt.warned.items[i]);
	vec_fini(&host_rt.warned);
	vec_fini(&host_rt.commands);
	vec_fini(&host_rt.iters);
	for (int i = 0; i < mod->nformats; i++)
		fmt_free(&host_rt.fmts[i]);
	free(host_rt.fmts);
	sb_fini(&host_rt.out);
	free(ss.ctx.error_buf);
	if (ss.timing) {
		for (int i = 0; i < mod->nprobes; i++)
			stat_free(ss.timing[i]);
		free(ss.timing);
	}
	free(list);
	if (host_rt.outf && host_rt.outf != stdout && fclose(host_rt.outf) != 0 &&
	    !host_rt.write_errno)
		host_rt.write_errno = errno;
	if (host_rt.write_errno) {
		/* a full disk is a failure, not a silent success */
		fprintf(stderr, "ERROR: cannot write %s: %s\n",
			o->output_file ? o->output_file : "standard output",
			strerror(host_rt.write_errno));
		status = 1;
	}
	dlclose(dl);
	return status;
}
