/*
 * The BPF half of pass 5: load the BPF object a module embeds, attach its
 * programs to their kernel events, read the records its handlers send
 * through the ring buffer, and give host handlers views of its maps.
 * Everything a session attaches is owned by file descriptors of this
 * process, so nothing outlives it, even after kill -9.
 *
 * The runtime's part of the shared data (struct bpf_shared) mirrors
 * struct stp_rt_shared of runtime/include/stp_bpf.h, and the record layout
 * its struct stp_rec_hdr: keep them in step.
 */
#ifndef STAP_RUNTIME_BPF_H
#define STAP_RUNTIME_BPF_H

#include <stdbool.h>
#include <stdint.h>

struct stp_module;
struct bpf_object;

struct bpf_shared {
	volatile int64_t state; /* 0 starting, 1 running, 2 stopping */
	volatile int64_t lost;
	volatile int64_t errors;
	int64_t realtime_off;
	int64_t target;
	volatile int64_t skipped;
	int64_t nr_cpus;
	int64_t start_ns; /* CLOCK_MONOTONIC at attach: tasks started later are new */
	int64_t hz;
	int64_t reserved[7];
};

/* What the records make the session do (run.c). */
struct bpf_events {
	void *ctx;
	/* a kernel handler's runtime error: the message and where, or NULL */
	void (*error)(void *ctx, const char *msg, const char *where);
	void (*exit)(void *ctx);
};

struct bpf_session;

/* Load the module's BPF object: maps sized (-s buffer_mb, CPUs), programs
 * verified, shared data mapped and *mod->shared set.  0, or -1 after
 * printing why. */
int bpf_session_open(const struct stp_module *mod, long buffer_mb, int verbose,
		     struct bpf_session **out);
/* Attach every kernel probe; -1 after printing which failed and why (the
 * ones attached are detached again). */
int bpf_session_attach(struct bpf_session *bs);
/* Kernel handlers run from now on. */
void bpf_session_run(struct bpf_session *bs, int64_t target);
/* Wait up to timeout_ms for records and handle all there are. */
void bpf_session_poll(struct bpf_session *bs, int timeout_ms, const struct bpf_events *ev);
/* Stop kernel handlers, detach, and handle the records left. */
void bpf_session_stop(struct bpf_session *bs, const struct bpf_events *ev);
/* Records dropped for want of room in the ring buffer. */
int64_t bpf_session_lost(const struct bpf_session *bs);
void bpf_session_close(struct bpf_session *bs);
/* -t: the handling times of kernel probe INDEX, every CPU's merged; 0 or
 * -errno (-ENOENT: the object was not built with STP_TIMING). */
/* Kernel handlers that could not run: no scratch area, or, counted by the
 * kernel, an event while another BPF program ran on the CPU (reentrancy). */
int64_t bpf_session_skipped(const struct bpf_session *bs);
struct stat_agg;
int bpf_session_timing(struct bpf_session *bs, int index, struct stat_agg *out);

/* The loaded object, for the views of its maps (bpfmap.c); NULL when the
 * module has no BPF part. */
struct bpf_object *bpf_session_object(void);
int bpf_session_ncpus(void);

#endif
