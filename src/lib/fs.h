/* wlsimg: file and directory helpers: bounded reads, atomic writes, mkdir -p, rm -rf, copies. */
#ifndef WI_FS_H
#define WI_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"

/* Read a whole file, at most max bytes (WI_ETOOBIG beyond). *out is NUL-terminated. */
int wi_fs_read_file(const char *path, size_t max, char **out, size_t *len_out, wi_err *err);
/* Read all of fd, at most max bytes. */
/* Read fd to its end, handing each chunk to fn (a wi_sink_fn of sink.h); stops at fn's first
 * failure and returns it. A read error is WI_EIO "read <what>" (what optional). The chunk buffer
 * is wiped at the end. */
int wi_fs_read_each(int fd, const char *what,
                    int (*fn)(const void *data, size_t len, void *payload, wi_err *err),
                    void *payload, wi_err *err);
int wi_fs_read_fd(int fd, size_t max, char **out, size_t *len_out, wi_err *err);
/* wi_fs_read_fd for secrets: every buffer given up while reading is wiped, and on failure so is
 * what was read. what names the input in messages. Wipe the result with explicit_bzero (or
 * wi_alloc_secret_free when it holds no NUL). WI_ETOOBIG above max, WI_EIO. */
int wi_fs_read_fd_secret(int fd, const char *what, size_t max, char **out, size_t *len_out,
                         wi_err *err);
/* wi_fs_read_fd_secret on a file (a regular file, or a pipe such as /dev/stdin or <(…)).
 * WI_ENOTFOUND, WI_ETOOBIG, WI_EIO. */
int wi_fs_read_file_secret(const char *path, size_t max, char **out, size_t *len_out, wi_err *err);
/* Write all of buf to fd, retrying on EINTR and short writes. */
int wi_fs_write_all(int fd, const void *buf, size_t len, wi_err *err);
/* Write path atomically: temp file in the same directory, fsync, rename, fsync the directory.
 * The file gets mode & ~umask, as open() gives: pass 0666 for ordinary files, 0600 for private
 * ones. */
int wi_fs_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
                            wi_err *err);
/* The same with exactly mode, whatever the umask: private data that must stay usable by its owner
 * (0600), a file rewritten in place that keeps its mode. */
int wi_fs_write_file_atomic_exact(const char *path, const void *data, size_t len, mode_t mode,
                                  wi_err *err);
/* Create "<path>.tmp-<random>" exclusively with mode & ~umask, to be renamed onto path once
 * written. Returns the descriptor (and the malloc'ed name in *tmp_out), or a negative WI_E* code.
 */
int wi_fs_create_tmp(const char *path, mode_t mode, char **tmp_out, wi_err *err);
/* mkdir -p with mode for the directories it creates. */
int wi_fs_mkdir_p(const char *path, mode_t mode, wi_err *err);
/* rm -rf; a missing path is not an error. */
int wi_fs_rm_rf(const char *path, wi_err *err);
/* fsync the directory containing path (or path itself if it is a directory). */
int wi_fs_fsync_dir(const char *dir, wi_err *err);
/* Make a temporary directory under $TMPDIR (or /tmp) with prefix. */
char *wi_fs_mkdtemp(const char *prefix, wi_err *err);
/* Copy file contents (sendfile/copy_file_range), creating dst with mode. */
int wi_fs_copy_file(const char *src, const char *dst, mode_t mode, wi_err *err);

#endif
