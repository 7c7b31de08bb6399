/* Fuzz target: the checked entry iterator for zip and tar inputs (aux_archive.c): installers, WDT
 * archives and ADD tars. The first byte selects the mode: odd = links are tracked across entries
 * (symbolic link chains resolved as extraction would), even = each entry is checked alone; the
 * rest is the archive, read through a memfd as the builder reads a file. A failure must come with
 * an error code and message; every entry let through must have a relative name without "..". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/alloc.h"
#include "lib/aux_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_name(const char *n)
{
  if (n[0] == '/')
    abort();
  for (const char *s = n; *s;) {
    size_t len = strcspn(s, "/");
    if (len == 2 && s[0] == '.' && s[1] == '.')
      abort();
    s += len + (s[len] == '/');
  }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  wi_err err = { 0 };
  char buf[4096];
  if (size == 0)
    return 0;
  int fd = memfd_create("archive", MFD_CLOEXEC);
  if (fd < 0 || write(fd, data + 1, size - 1) != (ssize_t)(size - 1))
    abort();
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  struct archive *a = wi_aux_archive_open(path, &err);
  if (a == NULL) {
    if (err.code == 0 || err.msg[0] == '\0')
      abort();
    close(fd);
    return 0;
  }
  struct wi_aux_archive_links *links = data[0] % 2 ? wi_aux_archive_links_new() : NULL;
  struct archive_entry *ae;
  int ret;
  while ((ret = wi_aux_archive_next_entry(a, "fuzz", NULL, links, &ae, &err)) > 0) {
    check_name(wi_aux_archive_entry_name(ae));
    char *rel = wi_aux_archive_entry_relname(ae);
    if (rel)
      check_name(rel);
    free(rel);
    (void)archive_read_data(a, buf, sizeof buf); /* as the builder reads small files */
  }
  if (ret < 0 && (err.code == 0 || err.msg[0] == '\0'))
    abort();
  wi_aux_archive_links_free(links);
  archive_read_free(a);
  close(fd);
  return 0;
}
