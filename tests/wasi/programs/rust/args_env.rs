// argv and the environment exactly as given (nothing of the host's leaks).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("argc={}", args.len());
    for (i, a) in args.iter().enumerate().skip(1) {
        println!("argv[{}]={}", i, a);
    }
    let mut count = 0;
    for (key, value) in std::env::vars() {
        println!("env {}={}", key, value);
        count += 1;
    }
    println!("envc={}", count);
}
