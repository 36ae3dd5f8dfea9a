/*
 * stap-exporter: serves the Prometheus metrics of stap sessions over HTTP,
 * like the original's stap-exporter (docs/exporter.md).  A request for
 * /NAME.stp starts `stap -m exporter_NAME DIR/NAME.stp` the first time (the
 * script's `probe prometheus` makes the procfs file __prometheus), reads
 * that file (/var/tmp/systemtap-USER/MODNAME/__prometheus, docs/procfs.md)
 * and answers with its text.  The session keeps running for the next
 * scrapes (or -k SECONDS after the last one).
 *
 * A small HTTP/1.0 server, one request at a time: requests are bounded
 * (8 KiB, 5 seconds to arrive), only GET of a script name of DIR is served
 * (no '/', no leading '.'), it binds 127.0.0.1 unless told otherwise, and
 * every session is ended when the exporter is (SIGINT, SIGTERM).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_REQUEST   8192
#define MAX_BODY      (1 << 20)
#define MAX_SESSIONS  64
#define REQUEST_MS    5000
#define START_SECONDS 120 /* compiling a script may take this long */

struct session {
	char name[NAME_MAX + 1]; /* NAME.stp */
	char module[NAME_MAX + 1];
	pid_t pid;
	time_t last;
};

static struct session sessions[MAX_SESSIONS];
static int nsessions;
static volatile sig_atomic_t stopping;
static const char *stap_path, *script_dir;
static char procfs_base[PATH_MAX];
static int keepalive;                                /* seconds, 0: for ever */
static char workdir[] = "/tmp/stap-exporter.XXXXXX"; /* where stap -m writes modules */

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void usage(FILE *f)
{
	fputs("Usage: stap-exporter [-a ADDR] [-p PORT] [-s SCRIPT_DIR] [-k SECONDS] "
	      "[--stap PATH]\n"
	      "  Serves http://ADDR:PORT/NAME.stp: runs SCRIPT_DIR/NAME.stp with stap and\n"
	      "  answers with its procfs file __prometheus (probe prometheus).\n"
	      "  -a ADDR     the address to listen on (default 127.0.0.1)\n"
	      "  -p PORT     the port (default 9900)\n"
	      "  -s DIR      the scripts (default: the current directory)\n"
	      "  -k SECONDS  end a session this long after its last scrape (default: never)\n"
	      "  --stap PATH the stap to run (default: stap beside this program)\n",
	      f);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = send(fd, buf, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		len -= (size_t)w;
	}
}

static void respond(int fd, int code, const char *reason, const char *type, const char *body,
		    size_t len)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n",
			 code, reason, type, len);
	send_all(fd, head, (size_t)n);
	send_all(fd, body, len);
}

static void respond_text(int fd, int code, const char *reason, const char *msg)
{
	respond(fd, code, reason, "text/plain", msg, strlen(msg));
}

/* A script name we serve: NAME.stp, NAME of letters, digits, '_', '-'. */
static bool good_name(const char *name)
{
	size_t n = strlen(name);
	if (n < 5 || n > 200 || strcmp(name + n - 4, ".stp") != 0)
		return false;
	for (size_t i = 0; i < n - 4; i++)
		if (!(name[i] >= 'a' && name[i] <= 'z') && !(name[i] >= 'A' && name[i] <= 'Z') &&
		    !(name[i] >= '0' && name[i] <= '9') && name[i] != '_' && name[i] != '-')
			return false;
	return true;
}

static bool alive(struct session *s)
{
	if (s->pid <= 0)
		return false;
	if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
		s->pid = 0;
		return false;
	}
	return true;
}

static void stop_session(struct session *s)
{
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	/* its end probes run and its procfs files go: give it time */
	for (int i = 0; i < 300 && waitpid(s->pid, NULL, WNOHANG) == 0; i++)
		usleep(100000);
	if (waitpid(s->pid, NULL, WNOHANG) == 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
	}
	s->pid = 0;
}

static struct session *start_session(const char *name)
{
	struct session *s = NULL;
	for (int i = 0; i < nsessions; i++)
		if (strcmp(sessions[i].name, name) == 0)
			s = &sessions[i];
	if (s && alive(s))
		return s;
	if (!s) {
		if (nsessions == MAX_SESSIONS)
			return NULL;
		s = &sessions[nsessions++];
		snprintf(s->name, sizeof(s->name), "%s", name);
		/* stap -m takes letters, digits and '_' */
		snprintf(s->module, sizeof(s->module), "exporter_%.*s", (int)(strlen(name) - 4),
			 name);
		for (char *p = s->module; *p; p++)
			if (*p == '-')
				*p = '_';
	}
	char script[PATH_MAX + NAME_MAX + 2];
	snprintf(script, sizeof(script), "%s/%s", script_dir, name);
	pid_t pid = fork();
	if (pid == 0) {
		if (chdir(workdir) != 0)
			_exit(127);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		execl(stap_path, stap_path, "-m", s->module, script, (char *)NULL);
		fprintf(stderr, "stap-exporter: cannot run %s: %s\n", stap_path, strerror(errno));
		_exit(127);
	}
	s->pid = pid < 0 ? 0 : pid;
	return pid < 0 ? NULL : s;
}

/* The text of the session's __prometheus: 0, or -1 (not there in time). */
static int read_metrics(struct session *s, char **out, size_t *len)
{
	char path[PATH_MAX + 2 * NAME_MAX];
	snprintf(path, sizeof(path), "%s/%s/__prometheus", procfs_base, s->module);
	int64_t deadline = now_ms() + START_SECONDS * 1000;
	int fd = -1;
	struct stat st;
	while (now_ms() < deadline && !stopping) {
		if (!alive(s))
			return -1;
		if (lstat(path, &st) == 0 && S_ISFIFO(st.st_mode)) {
			/* O_NONBLOCK: open at once; poll waits for the session */
			fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0)
				break;
		}
		usleep(50000);
	}
	if (fd < 0)
		return -1;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	bool connected = false;
	deadline = now_ms() + 10000;
	while (buf && now_ms() < deadline) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int rc = poll(&pfd, 1, 100);
		if (rc < 0 && errno != EINTR)
			break;
		if (rc <= 0) {
			if (!alive(s))
				break;
			continue;
		}
		if (n + 4096 > cap && cap < MAX_BODY) {
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r > 0) {
			n += (size_t)r;
			connected = true;
			continue;
		}
		if (r == 0 && (connected || (pfd.revents & POLLHUP)))
			break; /* the end of the file */
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			break;
		usleep(10000);
	}
	close(fd);
	if (!buf || !connected) {
		free(buf);
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* Read the request head (up to the empty line), bounded in size and time. */
static int read_request(int fd, char *buf, size_t size)
{
	size_t n = 0;
	int64_t deadline = now_ms() + REQUEST_MS;
	while (n + 1 < size) {
		int left = (int)(deadline - now_ms());
		if (left <= 0)
			return -1;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, left) <= 0)
			return -1;
		ssize_t r = recv(fd, buf + n, size - 1 - n, 0);
		if (r <= 0)
			return -1;
		n += (size_t)r;
		buf[n] = 0;
		if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
			return 0;
	}
	return -1;
}

static void serve(int fd)
{
	char req[MAX_REQUEST];
	if (read_request(fd, req, sizeof(req)) != 0) {
		respond_text(fd, 400, "Bad Request", "bad request\n");
		return;
	}
	char method[16], target[1024], version[16];
	if (sscanf(req, "%15s %1023s %15s", method, target, version) != 3 ||
	    strncmp(version, "HTTP/1.", 7) != 0) {
		respond_text(fd, 400, "Bad Request", "bad request\n");
		return;
	}
	if (strcmp(method, "GET") != 0) {
		respond_text(fd, 405, "Method Not Allowed", "only GET\n");
		return;
	}
	char *q = strchr(target, '?');
	if (q)
		*q = 0;
	const char *name = target[0] == '/' ? target + 1 : target;
	if (!good_name(name)) {
		respond_text(fd, 404, "Not Found", "no such script\n");
		return;
	}
	char script[PATH_MAX + 1024];
	snprintf(script, sizeof(script), "%s/%s", script_dir, name);
	struct stat st;
	if (stat(script, &st) != 0 || !S_ISREG(st.st_mode)) {
		respond_text(fd, 404, "Not Found", "no such script\n");
		return;
	}
	struct session *s = start_session(name);
	char *body = NULL;
	size_t len = 0;
	if (!s || read_metrics(s, &body, &len) != 0) {
		respond_text(fd, 503, "Service Unavailable",
			     "the script's session gives no __prometheus file\n");
		return;
	}
	s->last = time(NULL);
	respond(fd, 200, "OK", "text/plain; version=0.0.4", body, len);
	free(body);
}

int main(int argc, char **argv)
{
	const char *addr = "127.0.0.1";
	int port = 9900;
	script_dir = ".";
	static char stap_default[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", stap_default, sizeof(stap_default) - 6);
	if (n > 0) {
		stap_default[n] = 0;
		char *slash = strrchr(stap_default, '/');
		strcpy(slash ? slash + 1 : stap_default, "stap");
		stap_path = stap_default;
	} else {
		stap_path = "stap";
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (!v) {
			usage(stderr);
			return 1;
		}
		if (strcmp(a, "-a") == 0)
			addr = v;
		else if (strcmp(a, "-p") == 0)
			port = atoi(v);
		else if (strcmp(a, "-s") == 0)
			script_dir = v;
		else if (strcmp(a, "-k") == 0)
			keepalive = atoi(v);
		else if (strcmp(a, "--stap") == 0)
			stap_path = v;
		else {
			usage(stderr);
			return 1;
		}
		i++;
	}
	static char dir_abs[PATH_MAX];
	if (!realpath(script_dir, dir_abs)) {
		fprintf(stderr, "stap-exporter: no script directory %s: %s\n", script_dir,
			strerror(errno));
		return 1;
	}
	script_dir = dir_abs;
	if (port <= 0 || port > 65535) {
		fprintf(stderr, "stap-exporter: bad port %d\n", port);
		return 1;
	}
	struct passwd *pw = getpwuid(geteuid());
	if (pw)
		snprintf(procfs_base, sizeof(procfs_base), "/var/tmp/systemtap-%s", pw->pw_name);
	else
		snprintf(procfs_base, sizeof(procfs_base), "/var/tmp/systemtap-%u",
			 (unsigned)geteuid());
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "stap-exporter: bad address %s\n", addr);
		return 1;
	}
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ls < 0 || bind(ls, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(ls, 16) != 0) {
		fprintf(stderr, "stap-exporter: cannot listen on %s:%d: %s\n", addr, port,
			strerror(errno));
		return 1;
	}
	if (!mkdtemp(workdir)) {
		fprintf(stderr, "stap-exporter: cannot create %s: %s\n", workdir, strerror(errno));
		return 1;
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "stap-exporter: serving http://%s:%d/NAME.stp from %s\n", addr, port,
		script_dir);
	while (!stopping) {
		struct pollfd pfd = {.fd = ls, .events = POLLIN};
		int rc = poll(&pfd, 1, 1000);
		if (keepalive > 0)
			for (int i = 0; i < nsessions; i++)
				if (alive(&sessions[i]) &&
				    time(NULL) - sessions[i].last > keepalive)
					stop_session(&sessions[i]);
		if (rc <= 0)
			continue;
		int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		serve(c);
		shutdown(c, SHUT_WR);
		close(c);
	}
	close(ls);
	for (int i = 0; i < nsessions; i++) {
		stop_session(&sessions[i]);
		char so[sizeof(workdir) + NAME_MAX + 8];
		snprintf(so, sizeof(so), "%s/%s.so", workdir, sessions[i].module);
		unlink(so);
	}
	rmdir(workdir);
	return 0;
}
