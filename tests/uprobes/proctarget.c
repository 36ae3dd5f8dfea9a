/*
 * The process events' test program (build/upproc): one thread, one forked
 * child that exits with status 3, one forked child that execs this program
 * again (`upproc exec`), each waited for in turn so that the events come in
 * a known order.  umask(077) then umask(022) (system call 95, the second
 * returns 077 = 63) in the first process and in the exec'd one give
 * process.syscall and .syscall.return known arguments and returns.
 * `upproc sleep` sleeps until killed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void *thread_main(void *arg)
{
	(void)arg;
	umask(077);
	umask(022);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "exec") == 0) {
		umask(077);
		umask(022);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "sleep") == 0) {
		for (;;)
			pause();
	}
	umask(077);
	umask(022);
	pthread_t t;
	if (pthread_create(&t, NULL, thread_main, NULL) != 0)
		return 1;
	pthread_join(t, NULL);
	pid_t c = fork();
	if (c == 0)
		_exit(3);
	waitpid(c, NULL, 0);
	c = fork();
	if (c == 0) {
		execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
		_exit(127);
	}
	waitpid(c, NULL, 0);
	return 0;
}
