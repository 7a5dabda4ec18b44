/*
 * A replay driver for the fuzz targets without libFuzzer: runs
 * LLVMFuzzerTestOneInput() once on every file named on the command line
 * (a directory: every file in it), so `meson test --suite fuzz` replays
 * the seed corpora and the regression inputs under whatever sanitizers
 * the normal build uses. Exits 1 when a file cannot be read.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/fuzz_common.h"

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;
	int rc = 1;

	if (f == NULL)
		goto out;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto out;
	/* One more byte so that an empty file still gets a buffer. */
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
		goto out;
	(void)LLVMFuzzerTestOneInput(buf, (size_t)n);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "replay: cannot read %s\n", path);
	free(buf);
	if (f != NULL)
		fclose(f);
	return rc;
}

static int
run_path(const char *path, size_t *count)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: no such file %s\n", path);
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	d = opendir(path);
	if (d == NULL)
		return 1;
	while ((de = readdir(d)) != NULL) {
		char sub[4096];

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >=
		    (int)sizeof(sub)) {
			rc = 1;
			continue;
		}
		if (run_path(sub, count) != 0)
			rc = 1;
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	size_t count = 0;
	int rc = 0;

	for (int i = 1; i < argc; i++)
		if (run_path(argv[i], &count) != 0)
			rc = 1;
	printf("replay: %zu inputs\n", count);
	return rc == 0 && count > 0 ? 0 : 1;
}
