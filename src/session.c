/*
 * Session-wide facts derived from the command line and the environment:
 * where the tapset library lives.  The search path is every -I DIR, then
 * $SYSTEMTAP_TAPSET (as the original honours), or else the tapset/ folder
 * beside the binary's folder (build/stap -> tapset/), or the installed one.
 */
#include "session.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void session_tapset_dirs(const struct session *s, struct vec *dirs)
{
	vec_foreach(&s->include_dirs, i)
		vec_push(dirs, xstrdup(s->include_dirs.items[i]));
	const char *env = getenv("SYSTEMTAP_TAPSET");
	if (env && *env) {
		vec_push(dirs, xstrdup(env));
		return;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			const char *const rel[] = {"/../tapset", "/../share/stap-ebpf/tapset"};
			for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
				char path[PATH_MAX + 32];
				snprintf(path, sizeof(path), "%s%s", exe, rel[i]);
				if (is_dir(path)) {
					vec_push(dirs, xstrdup(path));
					return;
				}
			}
		}
	}
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of one directory (not recursive) ending in suffix, sorted. */
static void list_dir(const char *dir, const char *suffix, struct vec *out)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	size_t first = out->len, slen = strlen(suffix);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t nlen = strlen(e->d_name);
		if (e->d_name[0] == '.' || nlen <= slen || strcmp(e->d_name + nlen - slen, suffix))
			continue;
		size_t len = strlen(dir) + nlen + 2;
		char *path = xmalloc(len);
		snprintf(path, len, "%s/%s", dir, e->d_name);
		if (is_dir(path))
			free(path);
		else
			vec_push(out, path);
	}
	closedir(d);
	if (out->len - first > 1)
		qsort(out->items + first, out->len - first, sizeof(void *), compare_strings);
}

static bool has_same_name(const struct vec *files, const char *path)
{
	const char *name = strrchr(path, '/');
	vec_foreach(files, i) {
		const char *other = strrchr(files->items[i], '/');
		if (strcmp(other, name) == 0)
			return true;
	}
	return false;
}

void session_tapset_files(const struct session *s, const char *suffix, struct vec *out)
{
	struct utsname u;
	if (uname(&u) != 0)
		memset(&u, 0, sizeof(u));
	const char *arch = strcmp(u.machine, "aarch64") == 0 ? "arm64" : u.machine;
	const char *runtime = s->runtime && strcmp(s->runtime, "bpf") == 0 ? "bpf" : "linux";
	/* kernel versions: 6.1.0-13-amd64, 6.1.0, 6.1 */
	char full[sizeof(u.release)], base[sizeof(u.release)], majmin[sizeof(u.release)];
	snprintf(full, sizeof(full), "%s", u.release);
	snprintf(base, sizeof(base), "%.*s", (int)strcspn(u.release, "-"), u.release);
	char *dot = strchr(base, '.');
	dot = dot ? strchr(dot + 1, '.') : NULL;
	snprintf(majmin, sizeof(majmin), "%.*s", dot ? (int)(dot - base) : (int)strlen(base), base);
	char rt_arch[sizeof(u.machine) + 16];
	snprintf(rt_arch, sizeof(rt_arch), "%s/%s", runtime, arch);
	/* most specific first: a file shadows the same-named ones after it */
	const char *const subdirs[] = {full, base, majmin, rt_arch, runtime, arch, ""};
	struct vec dirs = {0};
	session_tapset_dirs(s, &dirs);
	vec_foreach(&dirs, i) {
		for (size_t k = 0; k < sizeof(subdirs) / sizeof(subdirs[0]); k++) {
			if (k < 3 && !*subdirs[k])
				continue;
			char dir[PATH_MAX];
			snprintf(dir, sizeof(dir), "%s%s%s", (const char *)dirs.items[i],
				 *subdirs[k] ? "/" : "", subdirs[k]);
			struct vec found = {0};
			list_dir(dir, suffix, &found);
			vec_foreach(&found, j) {
				if (has_same_name(out, found.items[j]))
					free(found.items[j]);
				else
					vec_push(out, found.items[j]);
			}
			vec_fini(&found);
		}
	}
	vec_foreach(&dirs, i)
		free(dirs.items[i]);
	vec_fini(&dirs);
}
