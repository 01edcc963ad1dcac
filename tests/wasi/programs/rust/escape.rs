// The escape attempts of c/escape.c through Rust's std (its own path
// handling in front of the same WASI calls); the same output is expected.
use std::fs;

fn errno_name(e: i32) -> &'static str {
    match e {
        76 => "ENOTCAPABLE",
        44 => "ENOENT",
        32 => "ELOOP",
        63 => "EPERM",
        2 => "EACCES",
        54 => "ENOTDIR",
        75 => "EXDEV",
        28 => "EINVAL",
        _ => "another errno",
    }
}

fn report<T>(what: &str, r: std::io::Result<T>) {
    match r {
        Ok(_) => println!("{}: SUCCEEDED (an escape)", what),
        Err(e) => {
            let n = e.raw_os_error().unwrap_or(-1);
            println!("{}: {} (errno {})", what, errno_name(n), n)
        }
    }
}

fn main() {
    let read = || fs::OpenOptions::new().read(true).clone();
    report("../outside", read().open("../outside"));
    report("/../outside", read().open("/../outside"));
    report("..", fs::read_dir(".."));
    report("/etc/passwd", read().open("/etc/passwd"));
    report("to_abs", read().open("to_abs"));
    report("to_etc", read().open("to_etc"));
    report("to_parent", read().open("to_parent"));
    report("to_parent", fs::OpenOptions::new().write(true).truncate(true).open("to_parent"));
    report("loop_a", read().open("loop_a"));
    report("../created", fs::OpenOptions::new().write(true).create(true).open("../created"));
    report("mkdir ../newdir", fs::create_dir("../newdir"));
    report("rename /data.txt ../stolen", fs::rename("/data.txt", "../stolen"));
    report("stat to_abs", fs::metadata("to_abs"));
    println!("done");
}
