/*
 * Small file-system helpers shared by modules that own temporary folders
 * or read operator-given files.
 */
#ifndef TR_UTIL_FS_H
#define TR_UTIL_FS_H

#include <stddef.h>

#include "util/buf.h"

/* rm -rf without following links. 0, or -1 with errno when something
 * stayed behind. A missing path is success. */
int tr_fs_remove_tree(const char *path);

/* Appends the whole regular file `path` to out; TR_ETOOLARGE past `max`
 * bytes, TR_ENOTFOUND when it cannot be opened or is not a regular file,
 * TR_EIO on a read error. */
int tr_fs_read_file(tr_buf *out, const char *path, size_t max);

/* Writes `len` bytes to a new file `path` (mode 0600, must not exist). */
int tr_fs_write_file(const char *path, const void *data, size_t len);

#endif
