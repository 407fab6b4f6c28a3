#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/errors.h"

/* Our temp folders hold only what we (or GnuPG, libgit2) wrote, but a
 * careless link must never make us delete outside them. */
static int remove_tree_at(int dirfd, const char *name)
{
	struct stat st;
	DIR *dir;
	struct dirent *e;
	int fd, error = 0;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -1;
	}
	while ((e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (remove_tree_at(fd, e->d_name) < 0)
			error = -1;
	}
	closedir(dir);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0)
		error = -1;
	return error;
}

int tr_fs_remove_tree(const char *path)
{
	return remove_tree_at(AT_FDCWD, path);
}

int tr_fs_read_file(tr_buf *out, const char *path, size_t max)
{
	struct stat st;
	char chunk[8192];
	ssize_t n;
	int fd, error = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return TR_ENOTFOUND;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return TR_ENOTFOUND;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			error = TR_EIO;
			break;
		}
		if (out->len + (size_t)n > max) {
			error = TR_ETOOLARGE;
			break;
		}
		if ((error = tr_buf_put(out, chunk, (size_t)n)) < 0)
			break;
	}
	close(fd);
	return error;
}

int tr_fs_write_file(const char *path, const void *data, size_t len)
{
	const char *p = data;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int error = 0;

	if (fd < 0)
		return TR_EIO;
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			error = TR_EIO;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) < 0)
		error = TR_EIO;
	return error;
}
