/* Replays fuzz corpus files through LLVMFuzzerTestOneInput under gcc (make check). Each argument is
 * a file or a directory of files. Prints "N inputs replayed"; exits 0 unless a crash, and 1 when an
 * argument cannot be read or nothing was replayed (a missing corpus must not pass). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return -1;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
  size_t got = fread(buf, 1, n > 0 ? (size_t)n : 0, f);
  fclose(f);
  LLVMFuzzerTestOneInput(buf, got);
  free(buf);
  return 0;
}

int
main(int argc, char **argv)
{
  int count = 0, bad = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) < 0) {
      fprintf(stderr, "%s: no such corpus file or directory\n", argv[i]);
      bad++;
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      if (run_file(argv[i]) == 0)
        count++;
      else
        bad++;
      continue;
    }
    DIR *d = opendir(argv[i]);
    struct dirent *e;
    if (d == NULL) {
      fprintf(stderr, "%s: cannot open the corpus directory\n", argv[i]);
      bad++;
    }
    while (d && (e = readdir(d)) != NULL) {
      if (e->d_name[0] == '.')
        continue;
      char p[4096];
      snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
      if (run_file(p) == 0)
        count++;
      else
        bad++;
    }
    if (d)
      closedir(d);
  }
  printf("%d inputs replayed\n", count);
  if (bad || count == 0) {
    fprintf(stderr, "%s\n", bad ? "unreadable corpus entries" : "no corpus inputs");
    return 1;
  }
  return 0;
}
