/*
 * Replays fuzz inputs without libFuzzer, so every committed corpus file and
 * every crash reproducer runs as an ordinary test under gcc and the
 * sanitizers. Arguments are files or folders of files.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct stat st;
	uint8_t *data;
	size_t n;

	if (!fp || fstat(fileno(fp), &st) != 0) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		if (fp)
			fclose(fp);
		return 1;
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data) {
		fclose(fp);
		return 1;
	}
	n = fread(data, 1, (size_t)st.st_size, fp);
	fclose(fp);
	LLVMFuzzerTestOneInput(data, n);
	free(data);
	return 0;
}

static int run_path(const char *path, size_t *count)
{
	struct stat st;
	DIR *dir;
	struct dirent *de;
	int failed = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s does not exist\n", path);
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	dir = opendir(path);
	if (!dir)
		return 1;
	while ((de = readdir(dir)) != NULL) {
		char child[4096];
		if (de->d_name[0] == '.')
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
		failed |= run_path(child, count);
	}
	closedir(dir);
	return failed;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int failed = 0;

	for (int i = 1; i < argc; i++)
		failed |= run_path(argv[i], &count);
	printf("replayed %zu inputs\n", count);
	if (count == 0) {
		fprintf(stderr, "replay: no inputs found\n");
		return 1;
	}
	return failed;
}
