// argv and the environment exactly as given: args_get/args_sizes_get,
// environ_get/environ_sizes_get (nothing of the host's environment leaks).
#include <stdio.h>

extern char** environ;

int main(int argc, char** argv) {
  printf("argc=%d\n", argc);
  for (int i = 1; i < argc; ++i) printf("argv[%d]=%s\n", i, argv[i]);
  int count = 0;
  for (char** e = environ; *e != NULL; ++e, ++count) printf("env %s\n", *e);
  printf("envc=%d\n", count);
  return 0;
}
