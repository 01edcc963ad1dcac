// A read-only preopen (--ro-dir): reading works, every change is refused
// with ENOTCAPABLE (the preopen lacks the rights), and the file is intact.
// wasi-libc's open() asks only for the rights the directory can pass on, so
// opening for writing succeeds (read-only) and the write fails with EBADF,
// as writing to a descriptor opened read-only does in POSIX; O_APPEND (a
// descriptor flag, not a right) makes the open itself a write: refused.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void report(const char* what, int rc) {
  if (rc >= 0) {
    printf("%s: SUCCEEDED in a read-only preopen\n", what);
  } else {
    const char* name = errno == ENOTCAPABLE ? "ENOTCAPABLE" : errno == EBADF ? "EBADF" : strerror(errno);
    printf("%s: %s (errno %d)\n", what, name, errno);
  }
}

static void cat(void) {
  char buf[64] = {0};
  FILE* f = fopen("/data.txt", "r");
  if (f == NULL || fread(buf, 1, sizeof buf - 1, f) == 0) {
    printf("cannot read /data.txt\n");
    return;
  }
  fclose(f);
  printf("/data.txt: %s", buf);
}

// The open's result if it failed, else the write's.
static int open_and_write(const char* path, int flags) {
  int fd = open(path, flags);
  if (fd < 0) return fd;
  int rc = (int)write(fd, "x", 1);
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}

int main(void) {
  cat();
  report("write /data.txt", open_and_write("/data.txt", O_WRONLY));
  report("append to /data.txt", open_and_write("/data.txt", O_WRONLY | O_APPEND));
  report("open /data.txt with O_TRUNC", open("/data.txt", O_RDONLY | O_TRUNC));
  report("create /new.txt", open("/new.txt", O_WRONLY | O_CREAT, 0644));
  report("mkdir /dir", mkdir("/dir", 0755));
  report("rename /data.txt /moved.txt", rename("/data.txt", "/moved.txt"));
  report("unlink /data.txt", unlink("/data.txt"));
  report("symlink /link", symlink("data.txt", "/link"));
  cat();
  return 0;
}
