// exit(42) from main: proc_exit's code is wvm's exit code; stdio is flushed first.
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  printf("exiting with 42\n");
  exit(42);
}
