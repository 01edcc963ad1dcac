// Every way out of the preopened root we know of; each must fail with the
// errno the test expects (printed by number and name), and the runner
// checks the sentinel file beside the root is untouched. The runner creates
// the symlinks: to_abs -> the sentinel's absolute host path, to_etc ->
// /etc/passwd, to_parent -> ../outside, loop_a <-> loop_b.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static const char* errno_name(int e) {
  switch (e) {
    case ENOTCAPABLE: return "ENOTCAPABLE";
    case ENOENT: return "ENOENT";
    case ELOOP: return "ELOOP";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENOTDIR: return "ENOTDIR";
    case EXDEV: return "EXDEV";
    case EINVAL: return "EINVAL";
    default: return "another errno";
  }
}

static void report(const char* what, int rc) {
  if (rc >= 0) {
    printf("%s: SUCCEEDED (an escape)\n", what);
  } else {
    printf("%s: %s (errno %d)\n", what, errno_name(errno), errno);
  }
}

static void try_open(const char* path, int flags) {
  int fd = open(path, flags, 0644);
  report(path, fd);
  if (fd >= 0) close(fd);
}

int main(void) {
  try_open("../outside", O_RDONLY);
  try_open("/../outside", O_RDONLY);
  try_open("..", O_RDONLY | O_DIRECTORY);
  try_open("/etc/passwd", O_RDONLY);
  try_open("to_abs", O_RDONLY);
  try_open("to_etc", O_RDONLY);
  try_open("to_parent", O_RDONLY);
  try_open("to_parent", O_WRONLY | O_TRUNC);
  try_open("loop_a", O_RDONLY);
  try_open("../created", O_WRONLY | O_CREAT);
  report("mkdir ../newdir", mkdir("../newdir", 0755));
  report("rename /data.txt ../stolen", rename("/data.txt", "../stolen"));
  struct stat st;
  report("stat to_abs", stat("to_abs", &st));
  printf("done\n");
  return 0;
}
