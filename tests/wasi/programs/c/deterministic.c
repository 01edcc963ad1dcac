// Clocks and random bytes; under --deterministic two runs, and every tier,
// must print the same. Sanity checks make a broken clock or generator fail.
// c/deterministic.json pins the output for --seed 42: a deterministic run's
// output is part of what a chain agrees on, so a change to the virtual clock
// or the generator must show up here (and be deliberate).
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long nanos(clockid_t clock) {
  struct timespec ts;
  if (clock_gettime(clock, &ts) != 0) {
    printf("clock_gettime failed\n");
    exit(1);
  }
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void) {
  long long real = nanos(CLOCK_REALTIME);
  long long mono1 = nanos(CLOCK_MONOTONIC);
  long long mono2 = nanos(CLOCK_MONOTONIC);
  printf("realtime %lld\nmonotonic %lld\nmonotonic %lld\n", real, mono1, mono2);
  if (mono2 < mono1) {
    printf("the monotonic clock went back\n");
    return 1;
  }
  unsigned char bytes[32];
  if (getentropy(bytes, sizeof bytes) != 0) {
    printf("getentropy failed\n");
    return 1;
  }
  int nonzero = 0;
  printf("random ");
  for (size_t i = 0; i < sizeof bytes; ++i) {
    printf("%02x", bytes[i]);
    nonzero |= bytes[i];
  }
  printf("\n");
  return nonzero ? 0 : 1;
}
