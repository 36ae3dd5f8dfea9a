/*
 * tracefs: the list of trace events and the layout of each event's record
 * (events/GROUP/EVENT/format), which types the $field context variables of
 * kernel.trace probes.  tracefs lives at /sys/kernel/tracing; when it is not
 * mounted there (nor reachable through debugfs) and we are root, we mount it,
 * as the original's runtime does.
 */
#include "kernel.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static bool has_events(const char *dir)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/available_events", dir);
	return access(path, R_OK) == 0;
}

const char *tracefs_dir(void)
{
	static const char *dir;
	if (dir)
		return dir;
	if (has_events("/sys/kernel/tracing"))
		return dir = "/sys/kernel/tracing";
	if (has_events("/sys/kernel/debug/tracing"))
		return dir = "/sys/kernel/debug/tracing";
	if (geteuid() == 0 && mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0 &&
	    has_events("/sys/kernel/tracing"))
		return dir = "/sys/kernel/tracing";
	if (!errno)
		errno = ENOENT;
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int tracefs_events(struct vec *out)
{
	const char *dir = tracefs_dir();
	if (!dir)
		return -errno;
	char path[256];
	snprintf(path, sizeof(path), "%s/available_events", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (strchr(line, ':'))
			vec_push(out, xstrdup(line));
	}
	fclose(f);
	if (out->len > 1)
		qsort(out->items, out->len, sizeof(void *), cmp_str);
	return 0;
}

static char *format_path(const char *group, const char *event)
{
	const char *dir = tracefs_dir();
	if (!dir)
		return NULL;
	/* a name with a slash or dots could leave the events directory */
	if (strchr(group, '/') || strchr(event, '/') || group[0] == '.' || event[0] == '.') {
		errno = ENOENT;
		return NULL;
	}
	size_t n = strlen(dir) + strlen(group) + strlen(event) + 32;
	char *p = xmalloc(n);
	snprintf(p, n, "%s/events/%s/%s/format", dir, group, event);
	return p;
}

char *tracefs_format_text(const char *group, const char *event)
{
	char *path = format_path(group, event);
	if (!path)
		return NULL;
	size_t len;
	char *text = read_file(path, &len);
	free(path);
	return text;
}

/* "key:value;" after pos in line: the value as a number. */
static bool field_attr(const char *line, const char *key, int *out)
{
	const char *p = strstr(line, key);
	if (!p)
		return false;
	*out = atoi(p + strlen(key));
	return true;
}

/* The size and sign of an integer type named as the formats name them, 0
 * when unknown.  Syscall records keep every argument in 8 bytes (unsigned):
 * an int argument is its low 4 bytes, signed. */
static int c_type_size(const char *type, bool *is_signed)
{
	static const struct {
		const char *name;
		int size;
		bool is_signed;
	} types[] = {
		{"char", 1, true},
		{"signed char", 1, true},
		{"unsigned char", 1, false},
		{"short", 2, true},
		{"unsigned short", 2, false},
		{"int", 4, true},
		{"signed", 4, true},
		{"unsigned", 4, false},
		{"unsigned int", 4, false},
		{"long", 8, true},
		{"unsigned long", 8, false},
		{"long long", 8, true},
		{"unsigned long long", 8, false},
		{"bool", 1, false},
		{"_Bool", 1, false},
		{"s8", 1, true},
		{"u8", 1, false},
		{"s16", 2, true},
		{"u16", 2, false},
		{"s32", 4, true},
		{"u32", 4, false},
		{"s64", 8, true},
		{"u64", 8, false},
		{"__s8", 1, true},
		{"__u8", 1, false},
		{"__s16", 2, true},
		{"__u16", 2, false},
		{"__s32", 4, true},
		{"__u32", 4, false},
		{"__s64", 8, true},
		{"__u64", 8, false},
		{"pid_t", 4, true},
		{"uid_t", 4, false},
		{"gid_t", 4, false},
		{"umode_t", 2, false},
		{"size_t", 8, false},
		{"ssize_t", 8, true},
		{"loff_t", 8, true},
		{"off_t", 8, true},
		{"clockid_t", 4, true},
		{"mqd_t", 4, true},
		{"key_serial_t", 4, true},
		{"qid_t", 4, false},
		{"rwf_t", 4, true},
		{"key_t", 4, true},
	};
	const char *t = type;
	if (strncmp(t, "const ", 6) == 0)
		t += 6;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(t, types[i].name) == 0) {
			*is_signed = types[i].is_signed;
			return types[i].size;
		}
	}
	return 0;
}

/* One "field:DECL;" line: the declaration split into type and name. */
static bool parse_field(struct arena *a, const char *line, struct tp_field *f)
{
	const char *p = strstr(line, "field:");
	if (!p)
		return false;
	p += 6;
	const char *end = strchr(p, ';');
	if (!end)
		return false;
	/* the name is the last identifier, before any [N] */
	const char *q = end;
	const char *bracket = NULL;
	for (const char *r = p; r < end; r++)
		if (*r == '[')
			bracket = r;
	if (bracket && bracket > p) {
		/* "char comm[16]": the name ends at the bracket; "__data_loc
		 * char[] name": the bracket belongs to the type */
		const char *after = bracket;
		while (after < end && *after != ']')
			after++;
		const char *rest = after + 1;
		while (rest < end && isspace((unsigned char)*rest))
			rest++;
		if (rest == end)
			q = bracket;
	}
	while (q > p && isspace((unsigned char)q[-1]))
		q--;
	const char *name_end = q;
	while (q > p && (isalnum((unsigned char)q[-1]) || q[-1] == '_'))
		q--;
	if (q == name_end)
		return false;
	f->name = arena_strndup(a, q, (size_t)(name_end - q));
	const char *type_end = q;
	while (type_end > p && isspace((unsigned char)type_end[-1]))
		type_end--;
	char *type = arena_strndup(a, p, (size_t)(type_end - p));
	bool is_array = name_end < end && *name_end == '[';
	f->type = type;
	int v;
	f->offset = field_attr(end, "offset:", &v) ? v : 0;
	f->size = field_attr(end, "size:", &v) ? v : 0;
	f->is_signed = field_attr(end, "signed:", &v) && v;
	f->common = strncmp(f->name, "common_", 7) == 0;
	bool is_char = strstr(type, "char") != NULL;
	if (strncmp(type, "__data_loc", 10) == 0)
		f->kind = is_char ? TPF_DATA_LOC : TPF_OTHER;
	else if (is_array)
		f->kind = is_char ? TPF_CHAR_ARRAY : TPF_OTHER;
	else if (strchr(type, '*'))
		f->kind = TPF_POINTER;
	else if (f->size == 1 || f->size == 2 || f->size == 4 || f->size == 8)
		f->kind = TPF_INT;
	else
		f->kind = TPF_OTHER;
	bool sign;
	int csize = f->kind == TPF_INT ? c_type_size(type, &sign) : 0;
	if (csize && csize < f->size) {
		/* the value is the low bytes (little-endian records) */
		f->size = csize;
		f->is_signed = sign;
	}
	return true;
}

int tracefs_format(struct arena *a, const char *group, const char *event, struct tp_format *out)
{
	char *text = tracefs_format_text(group, event);
	if (!text)
		return -(errno ? errno : ENOENT);
	memset(out, 0, sizeof(*out));
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "ID:", 3) == 0) {
			out->id = atoi(line + 3);
			continue;
		}
		struct tp_field f = {0};
		if (parse_field(a, line, &f)) {
			struct tp_field *nf = arena_alloc(a, sizeof(*nf));
			*nf = f;
			vec_push_arena(a, &out->fields, nf);
		}
	}
	free(text);
	return 0;
}
