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

/* Every file under dir (recursively) whose name ends in suffix, sorted. */
void session_find_files(const char *dir, const char *suffix, struct vec *out)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	size_t first = out->len;
	struct dirent *e;
	size_t slen = strlen(suffix);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		char *path = xmalloc(len);
		snprintf(path, len, "%s/%s", dir, e->d_name);
		size_t nlen = strlen(e->d_name);
		if (is_dir(path)) {
			session_find_files(path, suffix, out);
			free(path);
		} else if (nlen > slen && strcmp(e->d_name + nlen - slen, suffix) == 0) {
			vec_push(out, path);
		} else {
			free(path);
		}
	}
	closedir(d);
	qsort(out->items + first, out->len - first, sizeof(void *), compare_strings);
}
