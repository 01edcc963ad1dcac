// Clocks and random bytes (std's HashMap keys come from random_get); under
// --deterministic two runs, and every tier, must print the same;
// rust/deterministic.json pins the output for --seed 42 (see c/deterministic.c).
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

fn main() {
    let real = SystemTime::now().duration_since(UNIX_EPOCH).expect("realtime before 1970");
    let start = Instant::now();
    let elapsed = start.elapsed();
    println!("realtime {}", real.as_nanos());
    println!("elapsed {}", elapsed.as_nanos());
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(0);
    println!("random {:016x}", hasher.finish());
}
