/*
 * trigger: makes kernel events on demand for the kernel-probe tests, so a
 * test's output depends on nothing else on the machine (the tests filter on
 * pid() == target()).
 *
 *   trigger getppid N       N getppid() system calls
 *   trigger getpgid N       N getpgid(0) system calls (the session tests' event)
 *   trigger openat PATH N   N openat(PATH) calls (failing or not)
 *   trigger openmap PATH N  N openat(PATH) calls, PATH each time in a fresh mapping of a
 *                           memfd that the process never touches (its page is not
 *                           mapped in until the kernel reads the name)
 *   trigger write N         N write(2) calls of "x" to /dev/null
 *   trigger sleep MS        sleep MS milliseconds
 *   trigger spin MS         use MS milliseconds of CPU time (CPU time, so that a
 *                           loaded machine does not shorten what a probe sees)
 *   trigger faults N        touch N fresh pages (page faults)
 *   trigger fork N          fork N children, one after the other, each exiting at once
 *   trigger exec PATH       run PATH (no arguments) in a child, and wait for it
 *   trigger execargs PATH   run PATH in a child with arguments "one" "two words" and the
 *                           environment A=1 B=2, and wait for it
 *   trigger dio PATH        write 4096 bytes to PATH with O_DIRECT, fsync, read them back
 *                           with O_DIRECT, unlink PATH (block requests of 4096 bytes)
 *   trigger udp N           send N datagrams of 5 bytes to a socket of its own on 127.0.0.1
 *   trigger tcp N           connect to a listening socket of its own on 127.0.0.1,
 *                           setsockopt(TCP_NODELAY), send N messages of 5 bytes
 *                           and receive each (MSG_WAITALL), close both ends
 *   trigger kill SIG        fork a child that waits in pause(), send it signal SIG, which
 *                           it catches with a handler that exits (status 0), and wait
 *   trigger files DIR       in DIR: openat(DIR/f, O_WRONLY|O_CREAT|O_TRUNC, 0640),
 *                           write "abc", close; openat(DIR/f, O_RDONLY|O_CLOEXEC),
 *                           read 16, lseek(fd, 1, SEEK_SET), close; unlink;
 *                           openat(DIR/nosuch) fails (ENOENT); close(-1) (EBADF)
 *   trigger mmap            mmap 2 anonymous pages (PROT_READ|PROT_WRITE,
 *                           MAP_PRIVATE|MAP_ANONYMOUS), mprotect(PROT_READ)
 *                           the first, munmap both
 *   trigger kill0           kill(getpid(), 0)
 *   trigger sigops          block SIGUSR1 (sigprocmask), sigpending, sigaction(SIGUSR2) with
 *                           a handler and SIGUSR1 in its mask, unblock SIGUSR1
 *   trigger tkill0          tkill(gettid(), 0)
 *   trigger tgkill0         tgkill(getpid(), gettid(), 0)
 *
 * Steps may follow one another: trigger sleep 100 getppid 3.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long arg(char **argv, int i, int argc)
{
	if (i >= argc) {
		fprintf(stderr, "trigger: missing number\n");
		exit(2);
	}
	return strtol(argv[i], NULL, 0);
}

static double now_ms(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void exit_at_signal(int sig)
{
	(void)sig;
	_exit(0);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *what = argv[i];
		if (strcmp(what, "getppid") == 0) {
			long n = arg(argv, ++i, argc);
			for (long k = 0; k < n; k++)
				syscall(SYS_getppid);
		} else if (strcmp(what, "getpgid") == 0) {
			long n = arg(argv, ++i, argc);
			for (long k = 0; k < n; k++)
				syscall(SYS_getpgid, 0);
		} else if (strcmp(what, "openat") == 0) {
			const char *path = i + 1 < argc ? argv[++i] : "/";
			long n = arg(argv, ++i, argc);
			for (long k = 0; k < n; k++) {
				int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
				if (fd >= 0)
					close(fd);
			}
		} else if (strcmp(what, "write") == 0) {
			long n = arg(argv, ++i, argc);
			int fd = open("/dev/null", O_WRONLY);
			for (long k = 0; k < n; k++)
				if (write(fd, "x", 1) < 0)
					break;
			close(fd);
		} else if (strcmp(what, "sleep") == 0) {
			long ms = arg(argv, ++i, argc);
			struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
			nanosleep(&ts, NULL);
		} else if (strcmp(what, "spin") == 0) {
			double end =
				now_ms(CLOCK_PROCESS_CPUTIME_ID) + (double)arg(argv, ++i, argc);
			volatile unsigned long x = 0;
			while (now_ms(CLOCK_PROCESS_CPUTIME_ID) < end)
				x++;
		} else if (strcmp(what, "faults") == 0) {
			long n = arg(argv, ++i, argc);
			long page = sysconf(_SC_PAGESIZE);
			char *p = mmap(NULL, (size_t)(n * page), PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				return 1;
			for (long k = 0; k < n; k++)
				p[k * page] = 1;
			munmap(p, (size_t)(n * page));
		} else if (strcmp(what, "fork") == 0) {
			long n = arg(argv, ++i, argc);
			for (long k = 0; k < n; k++) {
				pid_t child = fork();
				if (child == 0)
					_exit(0);
				if (child > 0)
					waitpid(child, NULL, 0);
			}
		} else if (strcmp(what, "udp") == 0) {
			long n = arg(argv, ++i, argc);
			int fd = socket(AF_INET, SOCK_DGRAM, 0);
			struct sockaddr_in to = {.sin_family = AF_INET};
			socklen_t len = sizeof(to);
			to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			/* to itself: no port-unreachable reply adds packets */
			if (fd < 0 || bind(fd, (struct sockaddr *)&to, sizeof(to)) != 0 ||
			    getsockname(fd, (struct sockaddr *)&to, &len) != 0)
				return 1;
			for (long k = 0; k < n; k++)
				if (sendto(fd, "hello", 5, 0, (struct sockaddr *)&to, len) != 5)
					return 1;
			close(fd);
		} else if (strcmp(what, "tcp") == 0) {
			long n = arg(argv, ++i, argc);
			int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
			struct sockaddr_in to = {.sin_family = AF_INET};
			socklen_t len = sizeof(to);
			char got[5];
			to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			if (ls < 0 || bind(ls, (struct sockaddr *)&to, sizeof(to)) != 0 ||
			    listen(ls, 1) != 0 ||
			    getsockname(ls, (struct sockaddr *)&to, &len) != 0)
				return 1;
			int cs = socket(AF_INET, SOCK_STREAM, 0);
			if (cs < 0 || connect(cs, (struct sockaddr *)&to, len) != 0)
				return 1;
			int as = accept(ls, NULL, NULL);
			if (as < 0 ||
			    setsockopt(cs, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0)
				return 1;
			for (long k = 0; k < n; k++)
				if (send(cs, "hello", 5, 0) != 5 ||
				    recv(as, got, 5, MSG_WAITALL) != 5)
					return 1;
			close(cs);
			close(as);
			close(ls);
		} else if (strcmp(what, "kill") == 0) {
			long sig = arg(argv, ++i, argc);
			/* set before the fork, so the child has it before the signal comes */
			struct sigaction act = {.sa_handler = exit_at_signal}, old;
			sigaction((int)sig, &act, &old);
			pid_t child = fork();
			if (child == 0) {
				for (;;)
					pause();
			}
			if (child > 0) {
				kill(child, (int)sig);
				waitpid(child, NULL, 0);
			}
			sigaction((int)sig, &old, NULL);
		} else if (strcmp(what, "exec") == 0) {
			const char *path = i + 1 < argc ? argv[++i] : "/bin/true";
			pid_t child = fork();
			if (child == 0) {
				execl(path, path, (char *)NULL);
				_exit(127);
			}
			if (child > 0)
				waitpid(child, NULL, 0);
		} else if (strcmp(what, "openmap") == 0) {
			const char *path = i + 1 < argc ? argv[++i] : "/nonexistent";
			long n = i + 1 < argc ? atol(argv[++i]) : 1;
			int mfd = memfd_create("trigger-openmap", 0);
			size_t len = strlen(path) + 1;
			if (mfd < 0 || write(mfd, path, len) != (ssize_t)len)
				return 1;
			for (long k = 0; k < n; k++) {
				char *name = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, mfd, 0);
				if (name == MAP_FAILED)
					return 1;
				int fd = (int)syscall(SYS_openat, AT_FDCWD, name, O_RDONLY);
				if (fd >= 0)
					close(fd);
				munmap(name, 4096);
			}
			close(mfd);
		} else if (strcmp(what, "execargs") == 0) {
			const char *path = i + 1 < argc ? argv[++i] : "/bin/true";
			/* on the stack, so that the pages are there when the kernel's
			 * execve tracepoint reads them (a BPF read cannot fault) */
			char one[] = "one", two[] = "two words", a[] = "A=1", b[] = "B=2";
			char *const args[] = {(char *)path, one, two, NULL};
			char *const env[] = {a, b, NULL};
			pid_t child = fork();
			if (child == 0) {
				execve(path, args, env);
				_exit(127);
			}
			if (child > 0)
				waitpid(child, NULL, 0);
		} else if (strcmp(what, "dio") == 0) {
			const char *path = i + 1 < argc ? argv[++i] : "dio.tmp";
			void *buf = NULL;
			if (posix_memalign(&buf, 4096, 4096) != 0)
				return 1;
			memset(buf, 'x', 4096);
			int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0600);
			if (fd < 0 || pwrite(fd, buf, 4096, 0) != 4096 || fsync(fd) != 0)
				return 1;
			close(fd);
			fd = open(path, O_RDONLY | O_DIRECT);
			if (fd < 0 || pread(fd, buf, 4096, 0) != 4096)
				return 1;
			close(fd);
			unlink(path);
			free(buf);
		} else if (strcmp(what, "files") == 0) {
			const char *dir = i + 1 < argc ? argv[++i] : "/tmp";
			char path[4096], missing[4096], buf[16];
			snprintf(path, sizeof(path), "%s/f", dir);
			snprintf(missing, sizeof(missing), "%s/nosuch", dir);
			int fd = (int)syscall(SYS_openat, AT_FDCWD, path,
					      O_WRONLY | O_CREAT | O_TRUNC, 0640);
			if (fd < 0)
				return 1;
			if (syscall(SYS_write, fd, "abc", 3) != 3)
				return 1;
			syscall(SYS_close, fd);
			fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				return 1;
			if (syscall(SYS_read, fd, buf, sizeof(buf)) < 0)
				return 1;
			syscall(SYS_lseek, fd, 1, SEEK_SET);
			syscall(SYS_close, fd);
			syscall(SYS_unlink, path);
			syscall(SYS_openat, AT_FDCWD, missing, O_RDONLY);
			syscall(SYS_close, -1);
		} else if (strcmp(what, "mmap") == 0) {
			long page = sysconf(_SC_PAGESIZE);
			char *p = (char *)syscall(SYS_mmap, NULL, 2 * page, PROT_READ | PROT_WRITE,
						  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				return 1;
			syscall(SYS_mprotect, p, page, PROT_READ);
			syscall(SYS_munmap, p, 2 * page);
		} else if (strcmp(what, "kill0") == 0) {
			syscall(SYS_kill, getpid(), 0);
		} else if (strcmp(what, "sigops") == 0) {
			sigset_t set, pending;
			sigemptyset(&set);
			sigaddset(&set, SIGUSR1);
			sigprocmask(SIG_BLOCK, &set, NULL);
			sigpending(&pending);
			struct sigaction sa = {.sa_handler = exit_at_signal};
			sigemptyset(&sa.sa_mask);
			sigaddset(&sa.sa_mask, SIGUSR1);
			sigaction(SIGUSR2, &sa, NULL);
			sigprocmask(SIG_UNBLOCK, &set, NULL);
		} else if (strcmp(what, "tkill0") == 0) {
			syscall(SYS_tkill, gettid(), 0);
		} else if (strcmp(what, "tgkill0") == 0) {
			syscall(SYS_tgkill, getpid(), gettid(), 0);
		} else {
			fprintf(stderr, "trigger: unknown step %s\n", what);
			return 2;
		}
	}
	return 0;
}
