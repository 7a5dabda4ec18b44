/*
 * The harness of mail_test.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mail_test.h"
#include "testdb.h"

#define MAX_SERVERS 16

static char *python;
static char *scripts;
static char *root;
static pid_t servers[MAX_SERVERS];
static GPtrArray *dirs;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mail_test: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static void
cleanup(void)
{
	for (size_t i = 0; i < MAX_SERVERS; i++)
		if (servers[i] > 0)
			mt_smtp_stop(servers[i]);
	if (root != NULL) {
		char *argv[] = {(char *)"rm", (char *)"-rf", root, NULL};

		(void)g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
				   NULL, NULL, NULL, NULL, NULL);
	}
}

void
mt_init(int argc, char **argv)
{
	if (argc < 3)
		die("usage: %s PYTHON3 TESTS_MAIL_DIR", argv[0]);
	python = g_strdup(argv[1]);
	scripts = g_strdup(argv[2]);
	root = g_dir_make_tmp("mailtest-XXXXXX", NULL);
	if (root == NULL)
		die("cannot create a scratch directory");
	dirs = g_ptr_array_new_with_free_func(g_free);
	atexit(cleanup);
}

const char *
mt_dir(const char *name)
{
	char *d = g_strdup_printf("%s/%s-%u", root, name, dirs->len);

	if (mkdir(d, 0700) != 0)
		die("mkdir %s", d);
	g_ptr_array_add(dirs, d);
	return d;
}

unsigned
mt_free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
		die("no free port: %s", strerror(errno));
	close(fd);
	return ntohs(sa.sin_port);
}

static bool
port_open(unsigned port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Run @argv with PYTHONPATH on the scripts; wait until @port listens. */
static pid_t
start_server(char **argv, unsigned port)
{
	char **envp = g_get_environ();
	GError *err = NULL;
	GPid pid;
	size_t slot;

	envp = g_environ_setenv(envp, "PYTHONPATH", scripts, TRUE);
	if (!g_spawn_async(NULL, argv, envp, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
			   NULL, &pid, &err))
		die("cannot start aiosmtpd: %s", err->message);
	g_strfreev(envp);
	for (slot = 0; slot < MAX_SERVERS && servers[slot] != 0; slot++)
		;
	if (slot == MAX_SERVERS)
		die("too many SMTP servers");
	servers[slot] = pid;
	for (int i = 0; i < 500; i++) {
		int status;

		if (port_open(port))
			return pid;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			servers[slot] = 0;
			die("aiosmtpd exited at start (is python3-aiosmtpd "
			    "installed for %s?)",
			    python);
		}
		mt_sleep(20);
	}
	die("aiosmtpd did not listen within 10 s");
	return -1;
}

pid_t
mt_smtp_start(unsigned port, const char *dir)
{
	char *listen = g_strdup_printf("127.0.0.1:%u", port);
	char *maildir = g_strdup(dir);
	char *argv[] = {python,
			(char *)"-m",
			(char *)"aiosmtpd",
			(char *)"-n",
			(char *)"-l",
			listen,
			(char *)"-c",
			(char *)"smtp_sink.RawSink",
			maildir,
			NULL};
	pid_t pid = start_server(argv, port);

	g_free(listen);
	g_free(maildir);
	return pid;
}

pid_t
mt_smtp_start_auth(unsigned port, const char *dir, const char *user_password)
{
	char *script = g_build_filename(scripts, "smtp_sink.py", NULL);
	char *portstr = g_strdup_printf("%u", port);
	char *maildir = g_strdup(dir), *cred = g_strdup(user_password);
	char *argv[] = {python,	 script, (char *)"--auth", cred, portstr,
			maildir, NULL};
	pid_t pid = start_server(argv, port);

	g_free(script);
	g_free(portstr);
	g_free(maildir);
	g_free(cred);
	return pid;
}

void
mt_smtp_stop(pid_t pid)
{
	int status;

	for (size_t i = 0; i < MAX_SERVERS; i++)
		if (servers[i] == pid)
			servers[i] = 0;
	if (pid <= 0)
		return;
	(void)kill(pid, SIGTERM);
	for (int i = 0; i < 250; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return;
		mt_sleep(20);
	}
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, &status, 0);
}

static gint
cmp_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.eml files of @dir, sorted (arrival order). */
static GPtrArray *
eml_files(const char *dir)
{
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (d == NULL)
		die("cannot open %s", dir);
	while ((name = g_dir_read_name(d)) != NULL)
		if (name[0] != '.' && g_str_has_suffix(name, ".eml"))
			g_ptr_array_add(files,
					g_build_filename(dir, name, NULL));
	g_dir_close(d);
	g_ptr_array_sort(files, cmp_names);
	return files;
}

size_t
mt_count(const char *dir)
{
	GPtrArray *files = eml_files(dir);
	size_t n = files->len;

	g_ptr_array_free(files, TRUE);
	return n;
}

static char *
run_decode(GPtrArray *args)
{
	char *out = NULL, *err = NULL;
	GError *gerr = NULL;
	int status;

	g_ptr_array_add(args, NULL);
	if (!g_spawn_sync(NULL, (char **)args->pdata, NULL, G_SPAWN_DEFAULT,
			  NULL, NULL, &out, &err, &status, &gerr))
		die("cannot run mail_decode.py: %s", gerr->message);
	if (!g_spawn_check_wait_status(status, NULL)) {
		fprintf(stderr, "%s", err);
		die("mail_decode.py failed");
	}
	g_free(err);
	return out;
}

static GPtrArray *
decode_args(void)
{
	GPtrArray *args = g_ptr_array_new_with_free_func(g_free);

	g_ptr_array_add(args, g_strdup(python));
	g_ptr_array_add(args,
			g_build_filename(scripts, "mail_decode.py", NULL));
	return args;
}

char *
mt_decode_dir(const char *dir)
{
	GPtrArray *files = eml_files(dir), *args = decode_args();
	char *out;

	for (guint i = 0; i < files->len; i++)
		g_ptr_array_add(args, g_strdup(files->pdata[i]));
	out = run_decode(args);
	g_ptr_array_free(args, TRUE);
	g_ptr_array_free(files, TRUE);
	return out;
}

char *
mt_decode_mbox(const char *path)
{
	GPtrArray *args = decode_args();
	char *out;

	g_ptr_array_add(args, g_strdup("--mbox"));
	g_ptr_array_add(args, g_strdup(path));
	out = run_decode(args);
	g_ptr_array_free(args, TRUE);
	return out;
}

static char *
nth_file(const char *dir, size_t n, const char *suffix)
{
	GPtrArray *files = eml_files(dir);
	char *path, *text = NULL;

	if (n < 1 || n > files->len)
		die("no such message in %s", dir);
	path = g_strdup(files->pdata[n - 1]);
	strcpy(path + strlen(path) - 4, suffix);
	if (!g_file_get_contents(path, &text, NULL, NULL))
		die("cannot read %s", path);
	g_free(path);
	g_ptr_array_free(files, TRUE);
	return text;
}

char *
mt_envelope(const char *dir, size_t n)
{
	return nth_file(dir, n, ".env");
}

char *
mt_raw(const char *dir, size_t n)
{
	return nth_file(dir, n, ".eml");
}

struct cfg *
mt_cfg(const char *conninfo, const char *const *env)
{
	static const char *const keys[] = {
		"IDP_MAIL_MODE",	  "IDP_MAIL_FILE",
		"IDP_MAIL_FROM",	  "IDP_MAIL_SMTP_URL",
		"IDP_MAIL_SMTP_STARTTLS", "IDP_MAIL_SMTP_USER",
		"IDP_MAIL_SMTP_PASSWORD", "IDP_MAIL_MAX_ATTEMPTS",
	};
	struct cfg *cfg = NULL;
	char err[512];

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		unsetenv(keys[i]);
	setenv("IDP_DATABASE_CONNINFO", conninfo != NULL ? conninfo : "", 1);
	for (size_t i = 0; env != NULL && env[i] != NULL; i++) {
		char *kv = g_strdup(env[i]), *eq = strchr(kv, '=');

		if (eq == NULL)
			die("not KEY=VALUE: %s", env[i]);
		*eq = '\0';
		setenv(kv, eq + 1, 1);
		g_free(kv);
	}
	if (cfg_load(NULL, &cfg, err, sizeof(err)) != 0)
		die("cfg_load: %s", err);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		unsetenv(keys[i]);
	return cfg;
}

char *
mt_query(PGconn *c, const char *sql)
{
	return testdb_query(c, sql);
}

bool
mt_wait(PGconn *c, const char *sql, const char *want, int timeout_ms)
{
	for (int waited = 0;; waited += 20) {
		char *v = testdb_query(c, sql);
		bool ok = strcmp(v, want) == 0;

		free(v);
		if (ok)
			return true;
		if (waited >= timeout_ms)
			return false;
		mt_sleep(20);
	}
}

void
mt_sleep(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}
