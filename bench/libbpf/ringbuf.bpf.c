/* Workload "printf": one ring-buffer record per sys_enter_getppid, with the
 * pid (the thread group id, as stap's pid() and bpftrace's pid) and comm;
 * user space formats each record as "%d %s\n".
 *
 * The record is reserved in place (bpf_ringbuf_reserve, no copy) and
 * submitted with the default wake-up policy: the kernel wakes the consumer
 * only when it has caught up, so a busy consumer costs no wake-up per event.
 * A full buffer makes the reserve fail; those events are counted, per CPU,
 * in "lost".  The loader sizes the buffer (256 KiB per CPU, as bpftrace's
 * default perf buffers of 64 pages per CPU).
 */
#include <linux/bpf.h>

/* after linux/bpf.h, whose types it uses */
#include <bpf/bpf_helpers.h>

#define COMM_LEN 16

struct event {
	__u32 pid;
	char comm[COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int record_getppid(void *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&lost, &zero);

		if (n)
			(*n)++;
		return 0;
	}
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
