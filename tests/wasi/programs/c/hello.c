// stdout and stderr: fd_write on fds 1 and 2.
#include <stdio.h>

int main(void) {
  printf("hello from wasi\n");
  fprintf(stderr, "this goes to stderr\n");
  return 0;
}
