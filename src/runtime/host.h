/*
 * The state the host runtime library (host.c) shares with the run loop
 * (run.c): one session per process, handlers run one at a time.
 */
#ifndef STAP_RUNTIME_HOST_H
#define STAP_RUNTIME_HOST_H

#include <stdbool.h>
#include <stdio.h>

#include "../parse/printf_fmt.h"
#include "../util/util.h"

struct stp_module;

struct host_rt {
	const struct stp_module *mod;
	struct fmt *fmts;     /* the module's printf formats, parsed */
	struct strbuf out;    /* what the handler printed, flushed after it */
	FILE *outf;           /* stdout or -o FILE */
	int write_errno;      /* the first failed write to outf (a full disk) */
	bool exiting;         /* exit(), a signal, -T, the end of -c */
	long target_pid;      /* target() */
	struct vec warned;    /* warn() texts already shown */
	struct vec commands;  /* system() commands to run after the handler */
	struct vec iters;     /* foreach iterators still open */
	struct vec maps;      /* every array, freed at the end */
	struct vec stats;     /* every scalar statistic, freed at the end */
	struct vec bpf_stats; /* the statistics BPF code shares (host.c) */
	struct vec regexes;   /* compiled patterns */
};

extern struct host_rt host_rt;

void host_flush(void);
void host_close_iters(void);
void host_free_maps(void);
void host_free_regexes(void);

#endif
