// std::process::exit(7) three calls deep: proc_exit unwinds every frame.
#[inline(never)]
fn leave(code: i32) -> ! {
    println!("leaving with {}", code);
    std::process::exit(code)
}

#[inline(never)]
fn middle(x: i32) -> i32 {
    if x > 0 {
        leave(x);
    }
    x
}

fn main() {
    middle(std::env::args().count() as i32 + 6); // one argument: exit(7)
    println!("not reached");
}
