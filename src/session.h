/*
 * The session: everything the command line said, shared by every pass.
 */
#ifndef STAP_SESSION_H
#define STAP_SESSION_H

#include <stdbool.h>

#include "util/util.h"

struct session {
	const char *script_file;      /* path, "-" for stdin, NULL with -e */
	const char *script_text;      /* -e */
	int last_pass;                /* -p, 5 by default */
	int verbose;                  /* -v count */
	bool keep_tmpdir;             /* -k */
	bool guru;                    /* -g */
	bool unoptimized;             /* -u */
	bool suppress_warnings;       /* -w */
	bool timing;                  /* -t */
	bool suppress_handler_errors; /* --suppress-handler-errors */
	bool werror;                  /* -W: a warning fails the pass */
	bool bulk;                    /* -b: one ring buffer here, see --help */
	const char *prologue_search;  /* --prologue-searching[=WHEN], -P */
	struct vec symbol_objs;       /* -d OBJ: symbol tables for symbolisation */
	bool ldd;                     /* --ldd: add the -d objects' shared libraries */
	bool all_modules;             /* --all-modules: every loaded object's symbols */
	const char *target_cmd;       /* -c */
	long target_pid;              /* -x, 0 when not given */
	const char *output_file;      /* -o */
	const char *module_name;      /* -m */
	const char *runtime;          /* --runtime: "kernel" or "bpf" */
	const char *compatible;       /* --compatible=VERSION */
	const char *privilege;        /* --privilege=stapusr|stapsys|stapdev */
	long timeout_secs;            /* -T */
	long buffer_mb;               /* -s */
	const char *list_probes;      /* -l */
	bool list_with_vars;          /* -L */
	bool dump_functions;          /* --dump-functions */
	bool dump_probe_types;        /* --dump-probe-types */
	struct vec defines;           /* -D NAME[=VAL] */
	struct vec include_dirs;      /* -I DIR */
	struct vec global_inits;      /* -G VAR=VAL */
	int argc;                     /* script arguments */
	char **argv;
	char *list_text; /* -l/-L: the script made of the pattern (heap) */
	char *tmpdir;    /* pass 4's temporary directory, once made (heap) */
};

/* The tapset search path, as heap strings appended to dirs. */
void session_tapset_dirs(const struct session *s, struct vec *dirs);

/* The tapset files ending in suffix, as heap strings: for each directory of
 * the search path, its subdirectories for this kernel version, runtime and
 * architecture, then itself; a file shadows same-named ones found later. */
void session_tapset_files(const struct session *s, const char *suffix, struct vec *out);

#endif
