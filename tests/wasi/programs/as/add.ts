// AssemblyScript's default output called through --invoke with typed args.
export function add(a: i32, b: i32): i32 {
  return a + b;
}
