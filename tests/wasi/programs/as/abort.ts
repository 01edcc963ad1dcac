// AssemblyScript's default output (asc FILE.ts -o FILE.wasm): a failed
// assert calls the env.abort import, which wvm's CLI provides; it must
// report the message on stderr and fail.
export function _start(): void {
  check(41);
}

function check(answer: i32): void {
  assert(answer == 42, "the answer is wrong");
}
