/* Workload "comm": count every sys_enter_getppid into a hash map keyed by
 * the calling task's comm (16 bytes, as execname() and bpftrace's comm).
 *
 * The common case, a comm already in the map, is one lookup and an atomic
 * add (a shared hash: two CPUs running the same program add to the same
 * value).  The first event of a comm inserts 1 with BPF_NOEXIST; if another
 * CPU inserted the same key in between, the insert fails and we add to the
 * value it created.
 */
#include <linux/bpf.h>

/* after linux/bpf.h, whose types it uses */
#include <bpf/bpf_helpers.h>

#define COMM_LEN 16

struct comm_key {
	char comm[COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct comm_key);
	__type(value, __u64);
} counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int count_by_comm(void *ctx)
{
	struct comm_key key = {};
	__u64 one = 1, *n;

	bpf_get_current_comm(key.comm, sizeof(key.comm));
	n = bpf_map_lookup_elem(&counts, &key);
	if (n) {
		__sync_fetch_and_add(n, 1);
		return 0;
	}
	if (bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST) != 0) {
		n = bpf_map_lookup_elem(&counts, &key);
		if (n)
			__sync_fetch_and_add(n, 1);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
