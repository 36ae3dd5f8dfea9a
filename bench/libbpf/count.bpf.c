/* Workload "global": count every sys_enter_getppid into one counter.
 *
 * The counter is a one-slot per-CPU array, as a careful libbpf author writes
 * a hot counter: each CPU adds to its own slot with a plain increment (no
 * lock prefix, no cache line bouncing between CPUs), and user space sums the
 * slots when it reads the result.  Since Linux 6.10 the verifier inlines
 * bpf_map_lookup_elem() on a per-CPU array, so the lookup is a few
 * instructions, not a helper call.  The alternative, __sync_fetch_and_add on
 * a u64 in .bss, is one locked add on a shared line: as cheap with one busy
 * CPU, worse with several.
 */
#include <linux/bpf.h>

/* after linux/bpf.h, whose types it uses */
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counter SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int count_getppid(void *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&counter, &zero);

	if (n)
		(*n)++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
