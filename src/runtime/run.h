/*
 * Pass 5 for the host target: load a compiled module (a shared object made
 * from the C of pass 3) and run its probes as the original's runtime does:
 * begin probes, timers until exit() / an error / a signal / the end of the
 * -c command, then end probes (or error probes), the error summary.  Used by
 * stap and by staprun.
 */
#ifndef STAP_RUNTIME_RUN_H
#define STAP_RUNTIME_RUN_H

#include "../util/util.h"

struct run_opts {
	const char *module_path;
	const char *output_file;        /* -o, NULL: stdout */
	const char *target_cmd;         /* -c */
	long target_pid;                /* -x */
	const struct vec *global_inits; /* "var=value" strings (-G), may be NULL */
	int verbose;
	long buffer_mb; /* -s: the BPF ring buffer's size, 0 default */
};

/* The session's exit status: 0, or 1 after errors (reported on stderr). */
int run_module(const struct run_opts *o);

#endif
