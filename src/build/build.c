/*
 * Pass 4 (see build.h).  The compiler is $CC or cc, run as
 * `cc -shared -fPIC -O2 -w -I<runtime/include> -D... -o MODULE FILE.c`; the
 * runtime header directory is found beside the binary (build/stap ->
 * runtime/include) or installed (share/stap-ebpf/runtime/include), or
 * given by $STAP_RUNTIME_INCLUDE.  The cache key is a 128-bit FNV-1a hash
 * (two 64-bit lanes) of the inputs; a module enters the cache by rename, so
 * concurrent runs never see half a file.
 */
#define _GNU_SOURCE
#include "build.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUILD_VERSION "stap-ebpf host module 1"

struct hash {
	uint64_t a, b;
};

static void hash_bytes(struct hash *h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h->a = (h->a ^ p[i]) * 0x100000001b3ULL;
		h->b = (h->b ^ p[i]) * 0x100000001b3ULL;
		h->b ^= h->b >> 29;
	}
}

static void hash_str(struct hash *h, const char *s)
{
	hash_bytes(h, s ? s : "", (s ? strlen(s) : 0) + 1);
}

static const char *compiler(void)
{
	const char *cc = getenv("CC");
	return cc && *cc ? cc : "cc";
}

/* The BPF compiler: $BPF_CLANG or clang. */
static const char *bpf_compiler(void)
{
	const char *cc = getenv("BPF_CLANG");
	return cc && *cc ? cc : "clang";
}

static void exe_dir(char *out, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", out, size - 1);
	out[n > 0 ? n : 0] = '\0';
	char *slash = strrchr(out, '/');
	if (slash)
		*slash = '\0';
}

static const char *include_dir(void)
{
	static char dir[PATH_MAX];
	if (dir[0])
		return dir;
	const char *env = getenv("STAP_RUNTIME_INCLUDE");
	if (env && *env) {
		snprintf(dir, sizeof(dir), "%s", env);
		return dir;
	}
	char exe[PATH_MAX - 64];
	exe_dir(exe, sizeof(exe));
	const char *const rel[] = {"/../runtime/include", "/../share/stap-ebpf/runtime/include"};
	for (size_t i = 0; i < 2; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s%s/stp_host.h", exe, rel[i]);
		if (access(path, R_OK) == 0) {
			snprintf(dir, sizeof(dir), "%s%s", exe, rel[i]);
			return dir;
		}
	}
	snprintf(dir, sizeof(dir), "%s/../runtime/include", exe);
	return dir;
}

/* What identifies a compiler for the cache key: the file it runs (found
 * through PATH, links resolved), its size, modification time and inode,
 * so that an upgrade changes the key.  Nothing is run: running `CC
 * --version` through a shell cost 10-30 ms of every start, and spliced the
 * variable's text into a command line. */
static char *version_of(const char *cc)
{
	char found[PATH_MAX] = "";
	if (strchr(cc, '/')) {
		snprintf(found, sizeof(found), "%s", cc);
	} else {
		const char *path = getenv("PATH");
		if (!path || !*path)
			path = "/usr/local/bin:/usr/bin:/bin";
		while (*path && !found[0]) {
			size_t n = strcspn(path, ":");
			char cand[PATH_MAX];
			snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, path, cc);
			if (n && access(cand, X_OK) == 0)
				snprintf(found, sizeof(found), "%s", cand);
			path += n + (path[n] == ':');
		}
	}
	char real[PATH_MAX];
	struct stat st;
	if (!found[0] || !realpath(found, real) || stat(real, &st) != 0)
		return xstrdup(cc); /* not there: pass 4 says so */
	char id[PATH_MAX + 96];
	snprintf(id, sizeof(id), "%s %lld %lld.%09ld %llu", real, (long long)st.st_size,
		 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (unsigned long long)st.st_ino);
	return xstrdup(id);
}

static const char *compiler_version(void)
{
	static char *version;
	if (!version)
		version = version_of(compiler());
	return version;
}

static const char *bpf_compiler_version(void)
{
	static char *version;
	if (!version)
		version = version_of(bpf_compiler());
	return version;
}

static void hash_file(struct hash *h, const char *name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", include_dir(), name);
	size_t len;
	char *text = read_file(path, &len);
	hash_str(h, text);
	free(text);
}

/* The contents of a file, or "" (heap). */
static char *file_text(const char *path)
{
	size_t len;
	char *text = read_file(path, &len);
	return text ? text : xstrdup("");
}

void build_system_probe(struct build_system *sys)
{
	struct utsname u;
	if (uname(&u) != 0)
		memset(&u, 0, sizeof(u));
	sys->release = xstrdup(u.release);
	sys->version = xstrdup(u.version);
	sys->machine = xstrdup(u.machine);
	/* the kernel's types: a rebuilt kernel of the same release has other
	 * offsets; sysfs gives no hash, its size and time tell them apart */
	struct stat st;
	char btf[96] = "";
	if (stat("/sys/kernel/btf/vmlinux", &st) == 0)
		snprintf(btf, sizeof(btf), "%lld %lld.%09ld", (long long)st.st_size,
			 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	sys->btf = xstrdup(btf);
	/* every CONFIG_* value a %( CONFIG_... %) condition may read: the
	 * config file as pass 1 finds it (compressed or not, its bytes) */
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	sys->config = file_text(access(path, R_OK) == 0 ? path : "/proc/config.gz");
}

void build_system_fini(struct build_system *sys)
{
	free(sys->release);
	free(sys->version);
	free(sys->machine);
	free(sys->btf);
	free(sys->config);
}

char *build_hash(const struct session *s, const struct vec *texts, bool bpf)
{
	struct build_system sys;
	build_system_probe(&sys);
	char *hash = build_hash_for(s, texts, bpf, &sys);
	build_system_fini(&sys);
	return hash;
}

char *build_hash_for(const struct session *s, const struct vec *texts, bool bpf,
		     const struct build_system *sys)
{
	struct hash h = {0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL};
	hash_str(&h, BUILD_VERSION);
	/* each value is NUL-terminated, so neighbours cannot run together */
	const char *const facts[] = {
		"runtime", s->runtime,   "compatible", s->compatible, "privilege", s->privilege,
		"release", sys->release, "version",    sys->version,  "machine",   sys->machine,
		"btf",     sys->btf,     "config",     sys->config,
	};
	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
		hash_str(&h, facts[i]);
	vec_foreach(texts, i)
		hash_str(&h, texts->items[i]);
	vec_foreach(&s->defines, i)
		hash_str(&h, s->defines.items[i]);
	for (int i = 0; i < s->argc; i++)
		hash_str(&h, s->argv[i]);
	char opts[128];
	snprintf(opts, sizeof(opts), "g%d u%d w%d s%d T%ld t%d", s->guru, s->unoptimized,
		 s->suppress_warnings, s->suppress_handler_errors, s->timeout_secs, s->timing);
	hash_str(&h, opts);
	snprintf(opts, sizeof(opts), "s%ld", s->buffer_mb);
	hash_str(&h, opts);
	/* the translator itself: a rebuilt stap writes other C */
	struct stat st;
	if (stat("/proc/self/exe", &st) == 0) {
		snprintf(opts, sizeof(opts), "exe %lld %lld %lld", (long long)st.st_size,
			 (long long)st.st_mtime, (long long)st.st_ino);
		hash_str(&h, opts);
	}
	hash_file(&h, "stp_host.h");
	hash_str(&h, compiler_version());
	if (bpf) {
		hash_file(&h, "stp_bpf.h");
		hash_file(&h, "stp_bpf_string.h");
		hash_file(&h, "stp_bpf_proc.h");
		hash_str(&h, bpf_compiler_version());
	}
	char *out = xmalloc(33);
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.a, (unsigned long long)h.b);
	return out;
}

/* $SYSTEMTAP_DIR, else ~/.systemtap with the home directory from $HOME or
 * the password entry; NULL when there is none: never a shared path such as
 * /tmp, where another user could plant a module for root to load. */
static char *systemtap_dir(void)
{
	const char *base = getenv("SYSTEMTAP_DIR");
	if (base && *base)
		return xstrdup(base);
	const char *home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(geteuid());
		home = pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
	}
	if (!home)
		return NULL;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/.systemtap", home);
	return xstrdup(dir);
}

/* The cache directory of a hash: DIR/cache/XX (heap), or NULL. */
static char *cache_subdir(const char *hash)
{
	char *base = systemtap_dir();
	if (!base)
		return NULL;
	size_t n = strlen(base) + 16;
	char *dir = xmalloc(n);
	snprintf(dir, n, "%s/cache/%.2s", base, hash);
	free(base);
	return dir;
}

/* A module is loaded with dlopen as root: trust a file or directory only
 * when it is ours (the effective user's), not a symbolic link, and not
 * writable by group or others.  0, or -1 after the error. */
static int check_private(const char *path, bool is_dir)
{
	struct stat st;
	if (lstat(path, &st) != 0) {
		fprintf(stderr, "ERROR: cannot use module cache %s: %s\n", path, strerror(errno));
		return -1;
	}
	const char *why = NULL;
	if (S_ISLNK(st.st_mode))
		why = "is a symbolic link";
	else if (is_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
		why = is_dir ? "is not a directory" : "is not a regular file";
	else if (st.st_uid != geteuid())
		why = "is not owned by the invoking user";
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		why = "is writable by group or others";
	if (!why)
		return 0;
	fprintf(stderr,
		"ERROR: module cache %s %s (owner %u, mode %04o); refusing to use it, as "
		"another user could plant code there\n",
		path, why, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
	return -1;
}

/* Check DIR, DIR/cache and DIR/cache/XX of a cache subdirectory, making the
 * missing ones 0700 when create.  0, 1 when one is missing or cannot be made
 * (no cache then), or -1 after the error of an untrusted one. */
static int prepare_cache_dirs(const char *subdir, bool create)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s", subdir);
	char *sub = strrchr(path, '/');
	*sub = '\0';
	char *cache = strrchr(path, '/');
	*cache = '\0';
	/* path is DIR now; put the slashes back one at a time */
	for (int level = 0; level < 3; level++) {
		if (level == 1)
			*cache = '/';
		if (level == 2)
			*sub = '/';
		if (create && mkdir(path, 0700) != 0 && errno != EEXIST)
			return 1;
		if (!create && access(path, F_OK) != 0)
			return 1;
		if (check_private(path, true) != 0)
			return -1;
	}
	return 0;
}

int build_cache_lookup(const struct session *s, const char *hash, char **path)
{
	(void)s;
	*path = NULL;
	char *dir = cache_subdir(hash);
	if (!dir)
		return 0;
	char *p = xmalloc(strlen(dir) + strlen(hash) + 16);
	sprintf(p, "%s/stap_%s.so", dir, hash);
	int rc = 0;
	if (access(p, F_OK) == 0) {
		if (prepare_cache_dirs(dir, false) != 0 || check_private(p, false) != 0)
			rc = -1;
		else
			*path = p;
	}
	if (!*path)
		free(p);
	free(dir);
	return rc;
}

const char *build_tmpdir(struct session *s)
{
	if (!s->tmpdir) {
		/* private (mkdtemp makes it 0700): never a shared /tmp path */
		const char *base = getenv("TMPDIR");
		char tmpl[PATH_MAX];
		snprintf(tmpl, sizeof(tmpl), "%s/stapXXXXXX", base && *base ? base : "/tmp");
		if (!mkdtemp(tmpl)) {
			fprintf(stderr, "cannot create temporary directory (\" %s \"): %s\n", tmpl,
				strerror(errno));
			return NULL;
		}
		s->tmpdir = xstrdup(tmpl);
	}
	return s->tmpdir;
}

/* Copy a file into a new one, never through an existing file or link
 * (O_EXCL | O_NOFOLLOW): the caller renames it into place. */
static int copy_file(const char *from, const char *to, mode_t mode)
{
	size_t len;
	char *data = read_file(from, &len);
	if (!data)
		return -1;
	int fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	int rc = -1;
	if (fd >= 0) {
		rc = write(fd, data, len) == (ssize_t)len ? 0 : -1;
		if (close(fd) != 0)
			rc = -1;
		if (rc != 0)
			unlink(to);
	}
	free(data);
	return rc;
}

/* Copy from into to by way of a new file beside it, renamed over it. */
static int install_file(const char *from, const char *to, mode_t mode)
{
	char part[PATH_MAX + 32];
	snprintf(part, sizeof(part), "%s.%d.part", to, (int)getpid());
	if (copy_file(from, part, mode) != 0)
		return -1;
	if (rename(part, to) != 0) {
		int e = errno;
		unlink(part);
		errno = e;
		return -1;
	}
	return 0;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "ERROR: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Run a compiler: argv (NULL-terminated, heap strings, freed here). */
static int run_compiler(const struct session *s, struct vec *args)
{
	vec_push(args, NULL);
	if (s->verbose > 1) {
		fputs("Running", stderr);
		for (size_t i = 0; args->items[i]; i++)
			fprintf(stderr, " %s", (char *)args->items[i]);
		fputc('\n', stderr);
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execvp(args->items[0], (char **)args->items);
		fprintf(stderr, "ERROR: cannot run %s: %s\n", (char *)args->items[0],
			strerror(errno));
		_exit(127);
	}
	int status = -1;
	if (pid > 0)
		waitpid(pid, &status, 0);
	vec_foreach(args, i)
		free(args->items[i]);
	vec_fini(args);
	return pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ? -1 : 0;
}

static void push_common(const struct session *s, struct vec *args)
{
	char inc[PATH_MAX + 2];
	snprintf(inc, sizeof(inc), "-I%s", include_dir());
	vec_push(args, xstrdup(inc));
	vec_foreach(&s->defines, i) {
		const char *d = s->defines.items[i];
		char *arg = xmalloc(strlen(d) + 3);
		sprintf(arg, "-D%s", d);
		vec_push(args, arg);
	}
}

/* The directory of the multiarch UAPI headers (asm/types.h) <linux/bpf.h>
 * needs, as the host compiler knows it. */
static const char *multiarch_include(void)
{
	static char dir[PATH_MAX];
	if (dir[0])
		return dir;
	snprintf(dir, sizeof(dir), "-I/usr/include");
	FILE *f = popen("gcc -print-multiarch 2>/dev/null", "r");
	char triple[128] = "";
	if (f) {
		if (!fgets(triple, sizeof(triple), f))
			triple[0] = 0;
		pclose(f);
	}
	triple[strcspn(triple, "\n")] = 0;
	if (triple[0])
		snprintf(dir, sizeof(dir), "-I/usr/include/%s", triple);
	return dir;
}

/* libbpf's name for this architecture (bpf_tracing.h's PT_REGS_IP). */
static const char *target_arch(void)
{
#if defined(__x86_64__)
	return "-D__TARGET_ARCH_x86";
#elif defined(__aarch64__)
	return "-D__TARGET_ARCH_arm64";
#elif defined(__s390x__)
	return "-D__TARGET_ARCH_s390";
#elif defined(__powerpc64__)
	return "-D__TARGET_ARCH_powerpc";
#elif defined(__riscv)
	return "-D__TARGET_ARCH_riscv";
#else
	return "-D__TARGET_ARCH_unknown";
#endif
}

static int compile_bpf(const struct session *s, const char *src, const char *obj)
{
	struct vec args = {0};
	vec_push(&args, xstrdup(bpf_compiler()));
	vec_push(&args, xstrdup(target_arch()));
	const char *fixed[] = {"-O2", "-g", "-target", "bpf", "-mcpu=v3", "-w", "-c"};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		vec_push(&args, xstrdup(fixed[i]));
	push_common(s, &args);
	vec_push(&args, xstrdup(multiarch_include()));
	vec_push(&args, xstrdup("-o"));
	vec_push(&args, xstrdup(obj));
	vec_push(&args, xstrdup(src));
	return run_compiler(s, &args);
}

int build_module(struct session *s, const char *c_text, const char *bpf_text, const char *hash,
		 char **path)
{
	*path = NULL;
	const char *tmp = build_tmpdir(s);
	if (!tmp)
		return -1;
	char src[PATH_MAX], obj[PATH_MAX], bsrc[PATH_MAX], bobj[PATH_MAX];
	snprintf(src, sizeof(src), "%s/stap_%s.c", tmp, hash);
	snprintf(obj, sizeof(obj), "%s/stap_%s.so", tmp, hash);
	snprintf(bsrc, sizeof(bsrc), "%s/stap_%s.bpf.c", tmp, hash);
	snprintf(bobj, sizeof(bobj), "%s/stap_%s.bpf.o", tmp, hash);
	if (write_text(src, c_text) != 0)
		return -1;
	if (bpf_text && (write_text(bsrc, bpf_text) != 0 || compile_bpf(s, bsrc, bobj) != 0))
		return -1;
	struct vec args = {0};
	vec_push(&args, xstrdup(compiler()));
	const char *fixed[] = {"-shared", "-fPIC", "-O2", "-w"};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		vec_push(&args, xstrdup(fixed[i]));
	push_common(s, &args);
	if (bpf_text) {
		char *def = xmalloc(strlen(bobj) + 32);
		sprintf(def, "-DSTP_BPF_OBJ=\"%s\"", bobj);
		vec_push(&args, def);
	}
	vec_push(&args, xstrdup("-o"));
	vec_push(&args, xstrdup(obj));
	vec_push(&args, xstrdup(src));
	if (run_compiler(s, &args) != 0)
		return -1;
	if (s->module_name) {
		/* NAME.so as given (run_module loads a bare name from ".") */
		char dst[PATH_MAX];
		snprintf(dst, sizeof(dst), "%s.so", s->module_name);
		if (install_file(obj, dst, 0644) != 0) {
			fprintf(stderr, "ERROR: cannot write %s: %s\n", dst, strerror(errno));
			return -1;
		}
		*path = xstrdup(dst);
		return 0;
	}
	char *dir = cache_subdir(hash);
	int prc = dir ? prepare_cache_dirs(dir, true) : 1;
	if (prc < 0) {
		free(dir);
		return -1;
	}
	if (prc == 0) {
		char *dst = xmalloc(strlen(dir) + strlen(hash) + 16);
		sprintf(dst, "%s/stap_%s.so", dir, hash);
		if (install_file(obj, dst, 0600) == 0) {
			free(dir);
			*path = dst;
			return 0;
		}
		free(dst);
	}
	/* no cache: run it from the private temporary directory */
	free(dir);
	*path = xstrdup(obj);
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void build_cleanup(struct session *s)
{
	if (!s->tmpdir)
		return;
	if (s->keep_tmpdir)
		fprintf(stderr, "Keeping temporary directory \"%s\"\n", s->tmpdir);
	else
		nftw(s->tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(s->tmpdir);
	s->tmpdir = NULL;
}
