// exit(7) three calls deep: proc_exit unwinds every frame in every tier.
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static void leave(int code) {
  printf("leaving with %d\n", code);
  exit(code);
}

__attribute__((noinline)) static int middle(int x) {
  if (x > 0) leave(x);
  return x;
}

int main(int argc, char** argv) {
  (void)argv;
  middle(argc + 6);  // argc is 1: exit(7)
  printf("not reached\n");
  return 0;
}
