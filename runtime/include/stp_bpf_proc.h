/*
 * stp_bpf_proc.h: what the process events' programs share (process.begin,
 * .end, .thread.begin, .thread.end, .syscall, .syscall.return), included
 * by stp_bpf.h when the script has one (STP_PROCEV).
 *
 * Each such probe is a filter on the current task (which executable it
 * runs, which process it is, whether it descends from the target) and
 * programs on the scheduler's and the system-call layer's tracepoints:
 *
 *   begin         the first system-call exit of a task started since the
 *                 session began (a fork's child returning from it; or, under
 *                 -c, its first one once the target is known), and exec
 *   thread.begin  the same for a task that is not its process's leader
 *   end           exec (the old image's end) and the leader's exit
 *   thread.end    the exit of a task that is not the leader
 *   syscall       raw_syscalls:sys_enter, .return sys_exit
 *
 * stp_pe_tasks remembers, per task, the begin handlers that have run and,
 * per process (its leader's entry), whether its image matched each probe's
 * filter while it still had a memory map: an exiting task has none left
 * (exit_mm() runs before sched_process_exit), so end takes the answer
 * recorded at begin, at exec, or at a system call (the end probes' own
 * recorder on sys_enter), and else compares comm.
 */
#ifndef STP_BPF_PROC_H
#define STP_BPF_PROC_H

struct super_block___stpp {
	unsigned int s_dev;
} __attribute__((preserve_access_index));

struct inode___stpp {
	unsigned long i_ino;
	struct super_block___stpp *i_sb;
} __attribute__((preserve_access_index));

struct file___stpp {
	struct inode___stpp *f_inode;
} __attribute__((preserve_access_index));

struct mm_struct___stpp {
	struct file___stpp *exe_file;
} __attribute__((preserve_access_index));

struct task_struct___stpp {
	unsigned int flags;
	int pid;
	int tgid;
	struct task_struct___stpp *real_parent;
	struct task_struct___stpp *group_leader;
	struct mm_struct___stpp *mm;
	unsigned long long start_time;
	char comm[16];
} __attribute__((preserve_access_index));

#define STP_PF_KTHREAD 0x00200000

struct stp_pe_state {
	uint64_t start_time; /* the task's: a recycled id starts afresh */
	uint64_t begun;      /* bit per probe: its begin handler has run for the task */
	uint64_t known;      /* bit per probe: matched holds the process image's answer */
	uint64_t matched;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, uint32_t);
	__type(value, struct stp_pe_state);
} stp_pe_tasks SEC(".maps");

STP_INLINE struct task_struct___stpp *stp_pe_task(void)
{
	return (struct task_struct___stpp *)bpf_get_current_task();
}

/* Whether the current task is a user task (not a kernel thread). */
STP_INLINE int stp_pe_user(void)
{
	return !(BPF_CORE_READ(stp_pe_task(), flags) & STP_PF_KTHREAD);
}

/* Whether the current task runs the executable (ino, dev): 1 yes, 0 no,
 * -1 it has no memory map to say. */
STP_INLINE int stp_pe_exe(uint64_t ino, uint32_t dev)
{
	struct mm_struct___stpp *mm = BPF_CORE_READ(stp_pe_task(), mm);
	if (!mm)
		return -1;
	struct inode___stpp *inode = BPF_CORE_READ(mm, exe_file, f_inode);
	if (!inode)
		return 0;
	return BPF_CORE_READ(inode, i_ino) == ino && BPF_CORE_READ(inode, i_sb, s_dev) == dev;
}

/* Whether the current task's comm is name (16 bytes, NUL-padded). */
STP_INLINE int stp_pe_comm(const char *name)
{
	char comm[16];
	if (bpf_probe_read_kernel(comm, sizeof(comm), &stp_pe_task()->comm) < 0)
		return 0;
	for (int i = 0; i < 16; i++) {
		if (comm[i] != name[i])
			return 0;
		if (!comm[i])
			break;
	}
	return 1;
}

/* Whether the current task belongs to the target's process hierarchy: the
 * target or a descendant (up to 32 generations). */
STP_INLINE int stp_pe_in_target(void)
{
	int64_t target = stp_rt_ptr->target;
	if (!target)
		return 0;
	struct task_struct___stpp *t = stp_pe_task();
	for (int i = 0; i < 32 && t; i++) {
		int tgid = BPF_CORE_READ(t, tgid);
		if (tgid == target)
			return 1;
		if (tgid <= 1)
			return 0;
		t = BPF_CORE_READ(t, real_parent);
	}
	return 0;
}

STP_INLINE uint32_t stp_pe_tid(void)
{
	return (uint32_t)bpf_get_current_pid_tgid();
}

STP_INLINE uint32_t stp_pe_tgid(void)
{
	return (uint32_t)(bpf_get_current_pid_tgid() >> 32);
}

/* The entry of task id (created empty, or reset when the id's task has
 * changed); NULL when the map has no room. */
STP_INLINE struct stp_pe_state *stp_pe_state(uint32_t id, uint64_t start_time)
{
	struct stp_pe_state *s = bpf_map_lookup_elem(&stp_pe_tasks, &id);
	if (s && s->start_time == start_time)
		return s;
	struct stp_pe_state fresh = {.start_time = start_time};
	bpf_map_update_elem(&stp_pe_tasks, &id, &fresh, BPF_ANY);
	return bpf_map_lookup_elem(&stp_pe_tasks, &id);
}

/* begin and thread.begin at a system call's exit: whether the current task
 * is new since the session began, of the kind wanted (thread: not its
 * process's leader) and has not had this begin yet. */
STP_INLINE int stp_pe_new_task(uint64_t bit, int thread)
{
	uint64_t id = bpf_get_current_pid_tgid();
	if (((uint32_t)id != (uint32_t)(id >> 32)) != !!thread)
		return 0;
	uint64_t start = BPF_CORE_READ(stp_pe_task(), start_time);
	if (start < (uint64_t)stp_rt_ptr->start_ns)
		return 0;
	struct stp_pe_state *s = bpf_map_lookup_elem(&stp_pe_tasks, &(uint32_t){(uint32_t)id});
	return !s || s->start_time != start || !(s->begun & bit);
}

/* Note that begin has run for the current task. */
STP_INLINE void stp_pe_begun(uint64_t bit)
{
	uint64_t start = BPF_CORE_READ(stp_pe_task(), start_time);
	struct stp_pe_state *s = stp_pe_state(stp_pe_tid(), start);
	if (s)
		__sync_fetch_and_or(&s->begun, bit);
}

STP_INLINE uint64_t stp_pe_leader_start(void)
{
	return BPF_CORE_READ(stp_pe_task(), group_leader, start_time);
}

/* Record whether the current process's image matches (its leader's
 * entry). */
STP_INLINE void stp_pe_record(uint64_t bit, int match)
{
	struct stp_pe_state *s = stp_pe_state(stp_pe_tgid(), stp_pe_leader_start());
	if (!s)
		return;
	__sync_fetch_and_or(&s->known, bit);
	if (match)
		__sync_fetch_and_or(&s->matched, bit);
	else
		__sync_fetch_and_and(&s->matched, ~bit);
}

/* The recorded answer for the current process: 1, 0, or -1 unknown. */
STP_INLINE int stp_pe_recorded(uint64_t bit)
{
	uint32_t tgid = stp_pe_tgid();
	struct stp_pe_state *s = bpf_map_lookup_elem(&stp_pe_tasks, &tgid);
	if (!s || s->start_time != stp_pe_leader_start() || !(s->known & bit))
		return -1;
	return !!(s->matched & bit);
}

/* Whether the current process has a recorded answer for bit. */
STP_INLINE int stp_pe_is_known(uint64_t bit)
{
	uint32_t tgid = stp_pe_tgid();
	struct stp_pe_state *s = bpf_map_lookup_elem(&stp_pe_tasks, &tgid);
	return s && s->start_time == stp_pe_leader_start() && (s->known & bit);
}

#endif
