// Files in the preopened root: read, create, write, append, list, rename,
// stat, remove. Directory listings are sorted here: fd_readdir's order is
// the host file system's.
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void fail(const char* what) {
  printf("FAILED %s: %s\n", what, strerror(errno));
  exit(1);
}

static void cat(const char* path) {
  FILE* f = fopen(path, "r");
  if (f == NULL) fail(path);
  char buf[256];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  printf("%s: %s", path, buf);
}

static void write_file(const char* path, const char* mode, const char* text) {
  FILE* f = fopen(path, mode);
  if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) fail(path);
}

static int by_name(const void* a, const void* b) {
  return strcmp(*(char* const*)a, *(char* const*)b);
}

static void list(const char* path) {
  DIR* d = opendir(path);
  if (d == NULL) fail(path);
  char* names[64];
  int n = 0;
  for (struct dirent* e; (e = readdir(d)) != NULL && n < 64;) {
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, by_name);
  printf("list %s:", path);
  for (int i = 0; i < n; ++i) printf(" %s", names[i]);
  printf("\n");
}

int main(void) {
  cat("/data.txt");
  if (mkdir("/work", 0755) != 0) fail("mkdir /work");
  write_file("/work/a.txt", "w", "written by the guest\n");
  write_file("/work/a.txt", "a", "appended\n");
  cat("/work/a.txt");
  write_file("/work/b.txt", "w", "second file\n");
  list("/work");
  if (rename("/work/a.txt", "/work/c.txt") != 0) fail("rename");
  list("/work");
  struct stat st;
  if (stat("/work/a.txt", &st) == 0 || errno != ENOENT) fail("stat after rename");
  printf("/work/a.txt after the rename: not found\n");
  if (stat("/work/c.txt", &st) != 0) fail("stat /work/c.txt");
  printf("/work/c.txt: %lld bytes\n", (long long)st.st_size);
  if (unlink("/work/c.txt") != 0 || unlink("/work/b.txt") != 0) fail("unlink");
  if (rmdir("/work") != 0) fail("rmdir");
  list("/");
  printf("done\n");
  return 0;
}
