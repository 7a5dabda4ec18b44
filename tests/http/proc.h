/*
 * Run the real idpd binary for tests: start it on a free loopback port
 * against a test database, with stderr captured to a file, and stop it.
 */
#ifndef TESTS_HTTP_PROC_H
#define TESTS_HTTP_PROC_H

#include <stdbool.h>
#include <sys/types.h>

struct proc {
	pid_t pid;
	unsigned port;
	char log[64]; /* path of the captured stderr */
};

/*
 * Start the program in env IDPD with @args (NULL-terminated, without
 * argv[0]) and @env ("KEY=value" strings added to the environment,
 * NULL-terminated). When @wait_ready, waits up to 10 s for /healthz.
 * Returns false when the program did not come up.
 */
bool proc_start(struct proc *p, const char *conninfo, const char *const *args,
		const char *const *env, bool wait_ready);

/* Wait up to @timeout_ms for exit; exit status, or -1 on timeout. */
int proc_wait(struct proc *p, int timeout_ms);

/* SIGTERM, wait, return the exit status (SIGKILL and -1 after 20 s). */
int proc_stop(struct proc *p);

/* The captured stderr so far, owned by the caller (free()). */
char *proc_log(const struct proc *p);

/* Run @argv to completion with stdout+stderr captured into *out. */
int proc_run(const char *const *argv, const char *const *env, char **out);

#endif
