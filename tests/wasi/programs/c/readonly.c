// A read-only preopen (--ro-dir): reading works, every change is refused
// with ENOTCAPABLE (the preopen lacks the rights), and the file is intact.
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
    printf("%s: %s (errno %d)\n", what, errno == ENOTCAPABLE ? "ENOTCAPABLE" : strerror(errno), errno);
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

int main(void) {
  cat();
  report("open /data.txt for writing", open("/data.txt", O_WRONLY));
  report("open /data.txt with O_TRUNC", open("/data.txt", O_RDONLY | O_TRUNC));
  report("create /new.txt", open("/new.txt", O_WRONLY | O_CREAT, 0644));
  report("mkdir /dir", mkdir("/dir", 0755));
  report("rename /data.txt /moved.txt", rename("/data.txt", "/moved.txt"));
  report("unlink /data.txt", unlink("/data.txt"));
  report("symlink /link", symlink("data.txt", "/link"));
  cat();
  return 0;
}
