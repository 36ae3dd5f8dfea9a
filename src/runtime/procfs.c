/*
 * procfs probes in user space (docs/procfs.md).  BPF cannot create files in
 * /proc, so, as the original's own BPF runtime (stapbpf) does, each
 * procfs("NAME") file is a named pipe in /var/tmp/systemtap-USER/MODNAME,
 * which this loop serves between the other handlers:
 *
 * - a .read file: a reader (`cat`) blocks in open() until a writer comes.
 *   Each turn the loop tries open(O_WRONLY|O_NONBLOCK), which fails with
 *   ENXIO while nobody reads; when it succeeds, the .read handler runs, its
 *   $value is written (at most maxsize - 1 bytes) and the pipe closed: the
 *   reader gets the text, then the end of the file.  Then the file rests a
 *   moment, so that a reader the scheduler wakes late does not get the text
 *   twice.
 * - a .write file: held open for reading (O_NONBLOCK), so writers (`echo >`)
 *   open it at once; each chunk of data read from it runs the .write handler
 *   with $value set to it (MAXSTRINGLEN - 1 bytes at most).  When the last
 *   writer closes, the pipe is opened again.
 *
 * The directory is made safely: /var/tmp is writable by everyone, so
 * systemtap-USER must be a real directory (not a symbolic link) owned by us
 * and writable by nobody else, and everything below it is reached through
 * its descriptor (mkdirat, mkfifoat, openat with O_NOFOLLOW).  A session
 * holds flock() on its MODNAME directory: a second session of the same
 * module is refused, and the leftovers of one killed with SIGKILL are
 * cleared.  Everything is removed when the session ends.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/util.h"
#include "host.h"
#include "procfs.h"

struct procfs_file {
	const struct stp_probe *probe;
	int fd;            /* .write: the reading end we hold; -1 */
	int64_t served_ns; /* .read: when a reader was last given the text */
};

/* After a reader got the text, the file rests this long: a reader woken
 * late (a loaded machine) is still in the pipe and must not get the text
 * twice.  A new reader waits this long at most. */
#define READ_REST_NS 100000000LL

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct procfs_session {
	int base_fd; /* /var/tmp/systemtap-USER */
	int dir_fd;  /* .../MODNAME, locked */
	char *modname;
	char *path;
	struct procfs_file *files;
	int nfiles;
};

/* The text of the handler running: what a reader gets, or what a writer
 * wrote.  One handler runs at a time. */
static struct {
	char *buf;
	size_t len, cap; /* cap: the probe's maxsize */
	bool active;
} value;

void stp_procfs_set(struct stp_context *c, const char *v, const char *where)
{
	value.len = 0;
	if (value.active)
		value.buf[0] = 0;
	stp_procfs_append(c, v, where);
}

/* Past maxsize - 1 bytes the text is cut and the handler fails, with the
 * original's message (the size that would do). */
void stp_procfs_append(struct stp_context *c, const char *v, const char *where)
{
	if (!value.active)
		return;
	static char where_buf[512];
	size_t n = strlen(v);
	size_t need = value.len + n + 1;
	if (n > value.cap - value.len)
		n = value.cap - value.len;
	memcpy(value.buf + value.len, v, n);
	value.len += n;
	value.buf[value.len] = 0;
	if (need <= value.cap + 1)
		return;
	snprintf(c->error_buf, (size_t)host_rt.mod->maxstringlen,
		 "buffer size exceeded, consider .maxsize(%zu).", need);
	stp_strlcpy(where_buf, where ? where : "", sizeof(where_buf));
	stp_fail(c, c->error_buf, where && *where ? where_buf : NULL);
}

void stp_procfs_get(struct stp_context *c, char *dst)
{
	(void)c;
	stp_strlcpy(dst, value.active ? value.buf : "", (size_t)host_rt.mod->maxstringlen);
}

/* The original's modes: 0400 for a .read file, 0200 for a .write one;
 * with .umask(M), 0444 or 0222 less M. */
static mode_t file_mode(const struct stp_probe *p)
{
	mode_t m = p->procfs_umask < 0 ? (p->procfs_write ? 0200 : 0400)
				       : (p->procfs_write ? 0222 : 0444) & ~(mode_t)p->procfs_umask;
	/* the session opens each pipe's other end itself: root may whatever
	 * the mode says, another user needs the owner's bits */
	if (geteuid() != 0)
		m |= 0600;
	return m & 0777;
}

/* Remove what a session left in dir (named pipes only). */
static void clear_dir(int dir_fd)
{
	int fd = dup(dir_fd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		if (fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISFIFO(st.st_mode))
			unlinkat(dir_fd, de->d_name, 0);
	}
	closedir(d);
}

/* A directory we own and only we can write, opened without following a
 * symbolic link; -1 after saying why. */
static int open_own_dir(int at, const char *name, const char *shown)
{
	if (mkdirat(at, name, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "ERROR: cannot create the procfs directory %s: %s\n", shown,
			strerror(errno));
		return -1;
	}
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "ERROR: cannot open the procfs directory %s: %s\n", shown,
			errno == ELOOP || errno == ENOTDIR ? "a symbolic link or not a directory"
							   : strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022)) {
		fprintf(stderr,
			"ERROR: refusing the procfs directory %s: not owned by uid %u or "
			"writable by others\n",
			shown, (unsigned)geteuid());
		close(fd);
		return -1;
	}
	if ((st.st_mode & 0777) != 0755)
		fchmod(fd, 0755);
	return fd;
}

int procfs_open(const struct stp_module *mod, const char *modname, int verbose,
		struct procfs_session **out)
{
	*out = NULL;
	int n = 0;
	for (int i = 0; i < mod->nprobes; i++)
		n += mod->probes[i].kind == STP_PROBE_PROCFS;
	if (n == 0)
		return 0;
	for (int i = 0; i < mod->nprobes; i++) {
		const struct stp_probe *p = &mod->probes[i];
		if (p->kind == STP_PROBE_PROCFS && strchr(p->procfs_path, '/')) {
			/* the original's runtime refuses them too */
			fprintf(stderr,
				"ERROR: Could not create path \"%s\", contains subdirectories\n"
				"ERROR: probe %s registration error [man warning::pass5] (rc -1)\n",
				p->procfs_path, p->pp);
			return -1;
		}
	}
	struct passwd *pw = getpwuid(geteuid());
	char base[300];
	if (pw)
		snprintf(base, sizeof(base), "systemtap-%s", pw->pw_name);
	else
		snprintf(base, sizeof(base), "systemtap-%u", (unsigned)geteuid());
	struct procfs_session *ps = xmalloc(sizeof(*ps));
	memset(ps, 0, sizeof(*ps));
	ps->base_fd = ps->dir_fd = -1;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "/var/tmp/%s/%s", base, modname);
	ps->path = xstrdup(path);
	ps->modname = xstrdup(modname);
	int tmp = open("/var/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char shown[PATH_MAX];
	snprintf(shown, sizeof(shown), "/var/tmp/%s", base);
	ps->base_fd = tmp < 0 ? -1 : open_own_dir(tmp, base, shown);
	if (tmp < 0)
		fprintf(stderr, "ERROR: cannot open /var/tmp: %s\n", strerror(errno));
	if (tmp >= 0)
		close(tmp);
	if (ps->base_fd < 0)
		goto fail;
	ps->dir_fd = open_own_dir(ps->base_fd, modname, ps->path);
	if (ps->dir_fd < 0)
		goto fail;
	if (flock(ps->dir_fd, LOCK_EX | LOCK_NB) != 0) {
		fprintf(stderr, "ERROR: the procfs directory %s is in use by another session\n",
			ps->path);
		close(ps->dir_fd);
		ps->dir_fd = -1; /* not ours to remove */
		goto fail;
	}
	clear_dir(ps->dir_fd); /* a session killed with SIGKILL left them */
	ps->files = xmalloc((size_t)n * sizeof(*ps->files));
	memset(ps->files, 0, (size_t)n * sizeof(*ps->files));
	for (int i = 0; i < mod->nprobes; i++) {
		const struct stp_probe *p = &mod->probes[i];
		if (p->kind != STP_PROBE_PROCFS)
			continue;
		struct procfs_file *f = &ps->files[ps->nfiles++];
		f->probe = p;
		f->fd = -1;
		if (mkfifoat(ps->dir_fd, p->procfs_path, 0600) != 0 ||
		    fchmodat(ps->dir_fd, p->procfs_path, file_mode(p), 0) != 0) {
			fprintf(stderr, "ERROR: cannot create the procfs file %s/%s: %s\n",
				ps->path, p->procfs_path, strerror(errno));
			goto fail;
		}
		if (p->procfs_write) {
			f->fd = openat(ps->dir_fd, p->procfs_path,
				       O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
			if (f->fd < 0) {
				fprintf(stderr, "ERROR: cannot open the procfs file %s/%s: %s\n",
					ps->path, p->procfs_path, strerror(errno));
				goto fail;
			}
		}
	}
	if (verbose)
		fprintf(stderr, "Pass 5: procfs files in %s/\n", ps->path);
	*out = ps;
	return 0;
fail:
	procfs_close(ps);
	return -1;
}

/* Write all of buf to a reader, waiting a little for a slow one; a reader
 * that went away (EPIPE, SIGPIPE held back) ends it. */
static void write_reader(int fd, const char *buf, size_t len)
{
	sigset_t pipe_set, old;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	int waited_ms = 0;
	while (len > 0) {
		ssize_t w = write(fd, buf, len);
		if (w > 0) {
			buf += w;
			len -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN && waited_ms < 2000) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			poll(&pfd, 1, 10);
			waited_ms += 10;
			continue;
		}
		break;
	}
	/* a SIGPIPE of ours is pending: take it, unless one was already */
	sigset_t pending;
	if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) &&
	    !sigismember(&old, SIGPIPE)) {
		struct timespec zero = {0};
		sigtimedwait(&pipe_set, NULL, &zero);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void begin_value(const struct stp_probe *p, size_t cap)
{
	if (cap + 1 > value.cap + 1 || !value.buf)
		value.buf = xrealloc(value.buf, cap + 1);
	value.cap = cap;
	value.len = 0;
	value.buf[0] = 0;
	value.active = true;
	(void)p;
}

static bool serve_read(struct procfs_session *ps, struct procfs_file *f, procfs_run_fn run,
		       void *ctx)
{
	if (f->served_ns && mono_ns() - f->served_ns < READ_REST_NS)
		return true;
	int fd = openat(ps->dir_fd, f->probe->procfs_path,
			O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return true; /* ENXIO: nobody reads */
	int unread = 0;
	if (ioctl(fd, FIONREAD, &unread) == 0 && unread > 0) {
		/* the last reader has not read its text yet: it gets it, and
		 * the end of the file, when this closes */
		close(fd);
		return true;
	}
	int64_t max = f->probe->procfs_maxsize;
	begin_value(f->probe, (size_t)(max > 1 ? max - 1 : 0));
	bool ok = run(ctx, f->probe);
	write_reader(fd, value.buf, value.len);
	value.active = false;
	close(fd);
	f->served_ns = mono_ns();
	return ok;
}

static bool serve_write(struct procfs_session *ps, struct procfs_file *f, procfs_run_fn run,
			void *ctx)
{
	if (f->fd < 0)
		return true;
	size_t max = (size_t)host_rt.mod->maxstringlen - 1;
	bool ok = true;
	for (int chunks = 0; ok && chunks < 64; chunks++) {
		begin_value(f->probe, max);
		ssize_t r = read(f->fd, value.buf, max);
		if (r > 0) {
			value.len = (size_t)r;
			value.buf[r] = 0;
			ok = run(ctx, f->probe);
			value.active = false;
			continue;
		}
		value.active = false;
		if (r == 0) {
			/* the last writer closed: open again, or poll would
			 * say "hung up" for ever */
			close(f->fd);
			f->fd = openat(ps->dir_fd, f->probe->procfs_path,
				       O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
		}
		break;
	}
	return ok;
}

void procfs_service(struct procfs_session *ps, procfs_run_fn run, void *ctx)
{
	if (!ps)
		return;
	for (int i = 0; i < ps->nfiles; i++) {
		struct procfs_file *f = &ps->files[i];
		bool ok = f->probe->procfs_write ? serve_write(ps, f, run, ctx)
						 : serve_read(ps, f, run, ctx);
		if (!ok)
			return;
	}
}

void procfs_close(struct procfs_session *ps)
{
	if (!ps)
		return;
	for (int i = 0; i < ps->nfiles; i++) {
		if (ps->files[i].fd >= 0)
			close(ps->files[i].fd);
		unlinkat(ps->dir_fd, ps->files[i].probe->procfs_path, 0);
	}
	if (ps->dir_fd >= 0) {
		clear_dir(ps->dir_fd);
		if (ps->base_fd >= 0)
			unlinkat(ps->base_fd, ps->modname, AT_REMOVEDIR);
		close(ps->dir_fd);
	}
	if (ps->base_fd >= 0)
		close(ps->base_fd);
	free(ps->files);
	free(ps->path);
	free(ps->modname);
	free(ps);
	free(value.buf);
	value.buf = NULL;
	value.cap = value.len = 0;
}
