// AssemblyScript's default output (asc FILE.ts -o FILE.wasm): a failed
// assert calls the env.abort import, which wvm's CLI provides: it prints
// "abort: MESSAGE at FILE:LINE:COLUMN" on stderr and exits with 7.
export function _start(): void {
  check(41);
}

function check(answer: i32): void {
  assert(answer == 42, "the answer is wrong");
}
