// Files in the preopened root through Rust's std::fs: read, create, write,
// append, list, rename, stat, remove. Listings are sorted: fd_readdir's
// order is the host file system's.
use std::fs;
use std::io::Write;

fn cat(path: &str) {
    print!("{}: {}", path, fs::read_to_string(path).expect(path));
}

fn list(path: &str) {
    let mut names: Vec<String> = fs::read_dir(path)
        .expect(path)
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    println!("list {}: {}", path, names.join(" "));
}

fn main() {
    cat("/data.txt");
    fs::create_dir("/work").expect("mkdir /work");
    fs::write("/work/a.txt", "written by the guest\n").expect("write");
    let mut f = fs::OpenOptions::new().append(true).open("/work/a.txt").expect("append");
    f.write_all(b"appended\n").expect("append");
    drop(f);
    cat("/work/a.txt");
    fs::write("/work/b.txt", "second file\n").expect("write b");
    list("/work");
    fs::rename("/work/a.txt", "/work/c.txt").expect("rename");
    list("/work");
    match fs::metadata("/work/a.txt") {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!("/work/a.txt after the rename: not found")
        }
        other => panic!("stat after rename: {:?}", other),
    }
    println!("/work/c.txt: {} bytes", fs::metadata("/work/c.txt").expect("stat").len());
    fs::remove_file("/work/c.txt").expect("unlink");
    fs::remove_file("/work/b.txt").expect("unlink");
    fs::remove_dir("/work").expect("rmdir");
    list("/");
    println!("done");
}
