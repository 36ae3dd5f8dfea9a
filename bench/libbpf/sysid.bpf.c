/* Workload "sysid": count every system call by its number, as a careful
 * libbpf author writes `probe syscall.* { calls[name]++ }`: one program on
 * raw_syscalls:sys_enter, a per-CPU array indexed by the call's number (the
 * name is the loader's business, once, at the end). */
#include <linux/bpf.h>

/* after linux/bpf.h, whose types it uses */
#include <bpf/bpf_helpers.h>

#define NR_SLOTS 512

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NR_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

/* raw_syscalls:sys_enter's record: the common header, then long id */
struct sys_enter {
	__u64 common;
	long id;
};

SEC("tracepoint/raw_syscalls/sys_enter")
int count_sysid(struct sys_enter *ctx)
{
	__u32 id = (__u32)ctx->id;
	__u64 *n = bpf_map_lookup_elem(&calls, &id);

	if (n)
		(*n)++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
