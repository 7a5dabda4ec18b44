#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctlrun.h"

#define MAX_ARGS 32

static char *
slurp(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	if (buf == NULL)
		abort();
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (len + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
	}
	buf[len] = '\0';
	return buf;
}

static int
temp_fd(void)
{
	char path[] = "/tmp/ctlrun.XXXXXX";
	int fd = mkstemp(path);

	if (fd >= 0)
		(void)unlink(path);
	return fd;
}

struct ctl_run
ctl_run(const char *prog, const char *conninfo, const char *config,
	const char *in, size_t in_len, const char *const *args)
{
	const char *argv[MAX_ARGS + 2];
	struct ctl_run r = { -2, NULL, NULL };
	int out = temp_fd(), err = temp_fd(), p[2] = { -1, -1 }, ws;
	size_t n = 0, off = 0;
	pid_t pid;

	if (prog == NULL || out < 0 || err < 0 || pipe(p) != 0)
		goto out;
	argv[n++] = prog;
	for (; *args != NULL && n <= MAX_ARGS; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		goto out;
	if (pid == 0) {
		if (conninfo != NULL)
			(void)setenv("IDP_DATABASE_CONNINFO", conninfo, 1);
		else
			(void)unsetenv("IDP_DATABASE_CONNINFO");
		if (config != NULL)
			(void)setenv("IDP_CONFIG", config, 1);
		else
			(void)unsetenv("IDP_CONFIG");
		(void)dup2(p[0], 0);
		(void)close(p[0]);
		(void)close(p[1]);
		(void)dup2(out, 1);
		(void)dup2(err, 2);
		execv(prog, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	(void)close(p[0]);
	p[0] = -1;
	/* The child may stop reading (it bounds what it reads): EPIPE. */
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	while (in != NULL && off < in_len) {
		ssize_t w = write(p[1], in + off, in_len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		off += (size_t)w;
	}
	(void)close(p[1]);
	p[1] = -1;
	signal(SIGPIPE, old);
	if (waitpid(pid, &ws, 0) != pid)
		goto out;
	r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
	r.out = slurp(out);
	r.err = slurp(err);
out:
	if (r.out == NULL)
		r.out = strdup("");
	if (r.err == NULL)
		r.err = strdup("");
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0)
			(void)close(p[i]);
	if (out >= 0)
		(void)close(out);
	if (err >= 0)
		(void)close(err);
	return r;
}

void
ctl_run_free(struct ctl_run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

int
ctl_run_lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}
