#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "proc.h"

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (f == NULL)
		return strdup("");
	FILE *m = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(m);
	fclose(f);
	return buf;
}

/*
 * Children still running when the test program exits (a failed assertion
 * skips proc_stop) are killed, so no idpd outlives its test.
 */
#define MAX_CHILDREN 64
static pid_t children[MAX_CHILDREN];

static void
kill_children(void)
{
	for (size_t i = 0; i < MAX_CHILDREN; i++) {
		if (children[i] > 0 && waitpid(children[i], NULL, WNOHANG) == 0) {
			kill(children[i], SIGKILL);
			waitpid(children[i], NULL, 0);
		}
	}
}

static void
remember(pid_t pid)
{
	static bool registered;

	if (!registered) {
		atexit(kill_children);
		registered = true;
	}
	for (size_t i = 0; i < MAX_CHILDREN; i++) {
		if (children[i] <= 0 || kill(children[i], 0) != 0) {
			children[i] = pid;
			return;
		}
	}
}

static pid_t
spawn(const char *const *argv, const char *const *env, int out_fd)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	for (size_t i = 0; env != NULL && env[i] != NULL; i++)
		putenv((char *)(uintptr_t)env[i]);
	dup2(out_fd, STDOUT_FILENO);
	dup2(out_fd, STDERR_FILENO);
	int devnull = open("/dev/null", O_RDWR);
	dup2(devnull, STDIN_FILENO);
	execv(argv[0], (char *const *)(uintptr_t)argv);
	_exit(127);
}

bool
proc_start(struct proc *p, const char *conninfo, const char *const *args,
	   const char *const *env, bool wait_ready)
{
	const char *idpd = getenv("IDPD");
	const char *argv[16] = { idpd };
	const char *envv[32];
	char port_env[64], db_env[4096];
	size_t na = 1, ne = 0;

	memset(p, 0, sizeof(*p));
	if (idpd == NULL) {
		fprintf(stderr, "IDPD is not set\n");
		return false;
	}
	p->port = tc_free_port();
	snprintf(port_env, sizeof(port_env), "IDP_SERVER_PORT=%u", p->port);
	snprintf(db_env, sizeof(db_env), "IDP_DATABASE_CONNINFO=%s",
		 conninfo ? conninfo : "");
	envv[ne++] = port_env;
	envv[ne++] = db_env;
	envv[ne++] = "IDP_SERVER_LISTEN_ADDRESS=127.0.0.1";
	envv[ne++] = "IDP_SERVER_THREADS=2";
	for (size_t i = 0; env != NULL && env[i] != NULL && ne < 31; i++)
		envv[ne++] = env[i];
	envv[ne] = NULL;
	for (size_t i = 0; args != NULL && args[i] != NULL && na < 15; i++)
		argv[na++] = args[i];
	argv[na] = NULL;

	snprintf(p->log, sizeof(p->log), "idpd-test-%d-%u.log",
		 (int)getpid(), p->port);
	int fd = open(p->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return false;
	p->pid = spawn(argv, envv, fd);
	close(fd);
	if (p->pid < 0)
		return false;
	remember(p->pid);
	if (!wait_ready)
		return true;
	long deadline = now_ms() + 10000;
	while (now_ms() < deadline) {
		struct tc_reply r;
		bool ok = tc_request(p->port, NULL, "/healthz", NULL, NULL, 0,
				     &r) &&
			  r.status == 200;
		tc_reply_free(&r);
		if (ok)
			return true;
		if (waitpid(p->pid, NULL, WNOHANG) == p->pid) {
			p->pid = 0;
			return false;
		}
		usleep(50 * 1000);
	}
	return false;
}

int
proc_wait(struct proc *p, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	int status;

	if (p->pid <= 0)
		return -1;
	while (now_ms() < deadline) {
		pid_t r = waitpid(p->pid, &status, WNOHANG);
		if (r == p->pid) {
			p->pid = 0;
			if (WIFEXITED(status))
				return WEXITSTATUS(status);
			return 128 + WTERMSIG(status);
		}
		usleep(20 * 1000);
	}
	return -1;
}

int
proc_stop(struct proc *p)
{
	if (p->pid <= 0)
		return -1;
	kill(p->pid, SIGTERM);
	int rc = proc_wait(p, 20000);
	if (rc < 0 && p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
		p->pid = 0;
	}
	return rc;
}

char *
proc_log(const struct proc *p)
{
	return slurp(p->log);
}

int
proc_run(const char *const *argv, const char *const *env, char **out)
{
	char path[64];
	int status = -1;

	snprintf(path, sizeof(path), "/tmp/idp-run-%d.out", (int)getpid());
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd, STDOUT_FILENO);
		for (size_t i = 0; env != NULL && env[i] != NULL; i++)
			putenv((char *)(uintptr_t)env[i]);
		dup2(fd, STDERR_FILENO);
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(fd);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	*out = slurp(path);
	unlink(path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
