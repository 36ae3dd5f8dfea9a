/*
 * The BPF programs of the process events (PROBE_PROCESS: process.begin,
 * .end, .thread.begin, .thread.end, .syscall, .syscall.return).  One
 * handler body, several programs NAME_pe0, NAME_pe1... on the tracepoints
 * runtime/include/stp_bpf_proc.h describes, each opening with the probe's
 * filter on the current task; the runtime attaches every program of that
 * name (bpf.c).  Each probe has its bit in stp_pe_tasks, its number among
 * the process events (64 at most).
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

int bpf_procev_count(const struct elab *e)
{
	int n = 0;
	vec_foreach(&e->probes, i) {
		const struct eprobe *p = e->probes.items[i];
		n += p->kind == PROBE_PROCESS && p->kernel && !p->elided;
	}
	return n;
}

static int bit_of(const struct elab *e, const struct eprobe *p)
{
	int n = 0;
	vec_foreach(&e->probes, i) {
		const struct eprobe *q = e->probes.items[i];
		if (q == p)
			break;
		n += q->kind == PROBE_PROCESS && q->kernel && !q->elided;
	}
	return n % 64;
}

/* Whether the current task is one the probe concerns, asked while it has
 * its memory map (live: begin, syscalls, exec) or not (an exit). */
static const char *match(struct emitter *em, const struct eprobe *p, const char *bit, bool live)
{
	const char *who = p->up_pid > 0  ? fmt_str(em, "stp_pe_tgid() == %ld", p->up_pid)
			  : p->pe_target ? "stp_pe_in_target()"
					 : "1";
	if (!p->pe_ino)
		return fmt_str(em, "stp_pe_user() && %s", who);
	if (live)
		return fmt_str(em, "stp_pe_user() && %s && stp_pe_exe(UINT64_C(%llu), %u) == 1",
			       who, (unsigned long long)p->pe_ino, p->pe_dev);
	/* the answer recorded while it had a map, else its name */
	return fmt_str(em,
		       "stp_pe_user() && %s && (stp_pe_recorded(%s) >= 0 ? stp_pe_recorded(%s) : "
		       "stp_pe_comm(%s))",
		       who, bit, bit, c_string(em, p->pe_comm, strlen(p->pe_comm)));
}

static const char *guard(struct emitter *em, const char *cond)
{
	return fmt_str(em, "\tif (!(%s))\n\t\treturn 0;\n", cond);
}

/* The recorder of an end probe on an executable: what the process's
 * image answers, at its first system call, again at each exec (exec: the
 * answer changes). */
static void recorder(struct emitter *em, struct strbuf *out, const struct eprobe *p,
		     const char *name, const char *bit, bool exec)
{
	sb_printf(out,
		  "SEC(\"tracepoint/%s\")\nint %s(void *ctx) /* %s: what it concerns */\n{\n"
		  "\t(void)ctx;\n\tif (stp_rt.state != STP_RUNNING%s)\n\t\treturn 0;\n"
		  "\tstp_pe_record(%s, %s);\n\treturn 0;\n}\n\n",
		  exec ? "sched/sched_process_exec" : "raw_syscalls/sys_enter", name, p->pp,
		  exec ? "" : fmt_str(em, " || stp_pe_is_known(%s)", bit), bit,
		  match(em, p, bit, true));
}

void bpf_procev_programs(struct emitter *em, struct strbuf *out, const struct eprobe *p,
			 const char *name, const char *body)
{
	const char *bit = fmt_str(em, "(UINT64_C(1) << %d)", bit_of(em->e, p));
	const char *live = match(em, p, bit, true);
	const char *sys_exit = "tracepoint/raw_syscalls/sys_exit";
	const char *sys_enter = "tracepoint/raw_syscalls/sys_enter";
	const char *exec = "tracepoint/sched/sched_process_exec";
	const char *exit = "tracepoint/sched/sched_process_exit";
	const char *n0 = fmt_str(em, "%s_pe0", name), *n1 = fmt_str(em, "%s_pe1", name),
		   *n2 = fmt_str(em, "%s_pe2", name);
	/* (end's program on exec is NAME_pex: the runtime attaches those
	 * first, so that the old image's end comes before the new one's
	 * begin, as the original's) */
	switch (p->pe_event) {
	case PE_BEGIN:
	case PE_THREAD_BEGIN: {
		int thread = p->pe_event == PE_THREAD_BEGIN;
		/* a new task, at its first system call's exit (a fork's child
		 * returning from it) */
		bpf_program(em, out, p, sys_exit, n0, name,
			    fmt_str(em,
				    "\tif (!stp_pe_new_task(%s, %d) || !(%s))\n\t\treturn 0;\n"
				    "\tstp_pe_begun(%s);\n",
				    bit, thread, live, bit),
			    body);
		/* a process that has exec'd the program */
		if (!thread)
			bpf_program(em, out, p, exec, n1, name,
				    fmt_str(em, "%s\tstp_pe_begun(%s);\n", guard(em, live), bit),
				    body);
		break;
	}
	case PE_END:
	case PE_THREAD_END: {
		const char *who = p->pe_event == PE_END ? "stp_pe_tid() == stp_pe_tgid()"
							: "stp_pe_tid() != stp_pe_tgid()";
		bpf_program(em, out, p, exit, n0, name,
			    guard(em, fmt_str(em, "%s && %s", who, match(em, p, bit, false))),
			    body);
		if (p->pe_event == PE_END) {
			/* exec ends the old image: what it answered, then the new
			 * one's answer recorded */
			const char *pro = p->pe_ino ? fmt_str(em,
							      "\tint old = stp_pe_recorded(%s);\n"
							      "\tstp_pe_record(%s, %s);\n"
							      "\tif (old != 1)\n\t\treturn 0;\n",
							      bit, bit, live)
						    : guard(em, live);
			bpf_program(em, out, p, exec, fmt_str(em, "%s_pex", name), name, pro, body);
		}
		if (p->pe_ino)
			recorder(em, out, p, p->pe_event == PE_END ? n2 : n1, bit, false);
		if (p->pe_ino && p->pe_event == PE_THREAD_END)
			recorder(em, out, p, n2, bit, true);
		break;
	}
	case PE_SYSCALL:
		bpf_program(em, out, p, sys_enter, n0, name, guard(em, live), body);
		break;
	case PE_SYSCALL_RETURN:
		bpf_program(em, out, p, sys_exit, n0, name, guard(em, live), body);
		break;
	}
}
