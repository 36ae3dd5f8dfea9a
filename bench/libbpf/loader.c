/* The hand-written libbpf tracer the bench compares against: loads one of
 * count.bpf.o, comm.bpf.o, ringbuf.bpf.o, attaches its tracepoint program,
 * says so on stderr, runs until SIGINT or SIGTERM, prints its result on
 * stdout and detaches.
 *
 *   loader count   DIR            prints "count N"
 *   loader comm    DIR            prints "comm NAME N" per comm
 *   loader ringbuf DIR [OUTFILE]  writes "PID COMM" per event to OUTFILE
 *                                 (default /dev/null), prints
 *                                 "records N lost L"
 *
 * DIR is where the .bpf.o files are.  For ringbuf the main thread is the
 * consumer: it polls the ring buffer (ring_buffer__poll, woken by the
 * kernel), formats every record with stdio into a 1 MiB buffer, and after
 * the signal drains what is left before reading the lost counter.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define COMM_LEN        16
#define RINGBUF_PER_CPU (256 * 1024)

struct event {
	uint32_t pid;
	char comm[COMM_LEN];
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Sum a one-slot per-CPU u64 array. */
static int read_percpu_u64(struct bpf_map *map, uint64_t *sum)
{
	int ncpus = libbpf_num_possible_cpus();
	uint32_t zero = 0;

	if (ncpus < 0)
		return ncpus;
	uint64_t *values = calloc((size_t)ncpus, sizeof(*values));
	if (!values)
		return -ENOMEM;
	int err = bpf_map_lookup_elem(bpf_map__fd(map), &zero, values);
	*sum = 0;
	for (int i = 0; !err && i < ncpus; i++)
		*sum += values[i];
	free(values);
	return err ? -errno : 0;
}

static int print_comm_counts(struct bpf_map *map)
{
	int fd = bpf_map__fd(map);
	char key[COMM_LEN], next[COMM_LEN];
	void *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		uint64_t n;

		if (bpf_map_lookup_elem(fd, next, &n) == 0)
			printf("comm %.*s %llu\n", COMM_LEN, next, (unsigned long long)n);
		memcpy(key, next, sizeof(key));
		prev = key;
	}
	return 0;
}

struct consumer {
	FILE *out;
	uint64_t records;
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct consumer *c = ctx;
	const struct event *e = data;

	if (size < sizeof(*e))
		return 0;
	fprintf(c->out, "%u %.*s\n", e->pid, COMM_LEN, e->comm);
	c->records++;
	return 0;
}

/* "sysid NR N" for each system call number counted. */
static void print_sysid_counts(struct bpf_map *map)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t *vals = calloc(ncpus > 0 ? (size_t)ncpus : 1, sizeof(*vals));

	for (uint32_t id = 0; vals && id < 512; id++) {
		uint64_t n = 0;

		if (bpf_map_lookup_elem(bpf_map__fd(map), &id, vals))
			continue;
		for (int c = 0; c < ncpus; c++)
			n += vals[c];
		if (n)
			printf("sysid %u %llu\n", id, (unsigned long long)n);
	}
	free(vals);
}

static size_t ringbuf_size(void)
{
	int ncpus = libbpf_num_possible_cpus();
	size_t want = (size_t)RINGBUF_PER_CPU * (size_t)(ncpus > 0 ? ncpus : 1);
	size_t size = RINGBUF_PER_CPU;

	while (size < want)
		size <<= 1;
	return size;
}

static int run_ringbuf(struct bpf_object *obj, const char *out_path)
{
	struct consumer c = {0};
	static char outbuf[1 << 20];
	int err = 0;

	c.out = fopen(out_path, "w");
	if (!c.out) {
		fprintf(stderr, "loader: %s: %s\n", out_path, strerror(errno));
		return 1;
	}
	setvbuf(c.out, outbuf, _IOFBF, sizeof(outbuf));
	struct ring_buffer *rb = ring_buffer__new(
		bpf_map__fd(bpf_object__find_map_by_name(obj, "events")), on_record, &c, NULL);
	if (!rb) {
		fprintf(stderr, "loader: ring_buffer__new: %s\n", strerror(errno));
		fclose(c.out);
		return 1;
	}
	fprintf(stderr, "loader: attached\n");
	while (!stopping) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "loader: ring_buffer__poll: %s\n", strerror(-err));
			break;
		}
	}
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	fclose(c.out);

	uint64_t lost = 0;
	read_percpu_u64(bpf_object__find_map_by_name(obj, "lost"), &lost);
	printf("records %llu lost %llu\n", (unsigned long long)c.records, (unsigned long long)lost);
	return err < 0 && err != -EINTR ? 1 : 0;
}

/* Block the signals and wait in sigsuspend, so that one arriving between
 * the test and the wait is not missed. */
static void wait_for_signal(void)
{
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	fprintf(stderr, "loader: attached\n");
	while (!stopping)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: loader count|comm|ringbuf|sysid DIR [OUTFILE]\n");
		return 2;
	}
	const char *mode = argv[1];
	if (strcmp(mode, "count") && strcmp(mode, "comm") && strcmp(mode, "ringbuf") &&
	    strcmp(mode, "sysid")) {
		fprintf(stderr, "loader: unknown mode %s\n", mode);
		return 2;
	}

	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.bpf.o", argv[2], mode);
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "loader: cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!strcmp(mode, "ringbuf"))
		bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, "events"),
					 (uint32_t)ringbuf_size());
	int err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "loader: cannot load %s: %s\n", path, strerror(-err));
		bpf_object__close(obj);
		return 1;
	}
	struct bpf_program *prog = bpf_object__next_program(obj, NULL);
	struct bpf_link *link = bpf_program__attach(prog);
	if (!link) {
		fprintf(stderr, "loader: cannot attach %s: %s\n", bpf_program__name(prog),
			strerror(errno));
		bpf_object__close(obj);
		return 1;
	}

	int rc = 0;
	if (!strcmp(mode, "ringbuf")) {
		rc = run_ringbuf(obj, argc > 3 ? argv[3] : "/dev/null");
	} else {
		wait_for_signal();
		if (!strcmp(mode, "count")) {
			uint64_t n = 0;

			rc = read_percpu_u64(bpf_object__find_map_by_name(obj, "counter"), &n) ? 1
											       : 0;
			printf("count %llu\n", (unsigned long long)n);
		} else if (!strcmp(mode, "sysid")) {
			print_sysid_counts(bpf_object__find_map_by_name(obj, "calls"));
		} else {
			print_comm_counts(bpf_object__find_map_by_name(obj, "counts"));
		}
	}
	fflush(stdout);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return rc;
}
