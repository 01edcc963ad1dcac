// stdout and stderr: fd_write on fds 1 and 2.
fn main() {
    println!("hello from wasi");
    eprintln!("this goes to stderr");
}
