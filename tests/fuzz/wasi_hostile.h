// Hostile WASI call sequences, shared by the libFuzzer target
// (tests/fuzz/fuzz_wasi.cc) and the seeded sweep (tests/unit/wasi_hostile_test.cc).
//
// Input bytes drive a sequence of preview1 calls, each through a wasm
// trampoline ("t_<name>") so the real HostCall and memory path runs. Most
// arguments are plausible (small in-bounds pointers, open fds, paths that
// exist), some hostile (huge lengths, pointers at the end of memory, iovec
// counts of 2^31, fds past the table, "..", absolute paths, NUL bytes, long
// names, symlinks that lead out). The sandbox is a fresh directory below a
// temporary root that also holds a sentinel tree and a read-only preopen;
// check_run() then asks: no unexpected trap, every errno a preview1 value,
// and nothing outside the writable sandbox changed (names, types, sizes,
// contents, mtimes, link targets).
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hosts/wasi/wasi.h"
#include "tests/unit/builder.h"
#include "tests/unit/tier_config.h"
#include "wvm/wvm.h"

namespace wvm::test::wasi_hostile {

namespace fs = std::filesystem;

// Argument kinds, one letter per parameter:
//   f fd   x flags (i32)   X any i64   A a size the host would allocate (i64, capped)
//   P path pointer, then l its length   v iovec array, then n its count
//   b buffer, then L its length   s subscriptions, e events, then n their count
//   p pointer to a result
struct FuncSpec {
  const char* name;
  const char* kinds;
  bool has_result;
};
inline constexpr FuncSpec kFuncs[] = {
    {"args_get", "pp", true},
    {"args_sizes_get", "pp", true},
    {"environ_get", "pp", true},
    {"environ_sizes_get", "pp", true},
    {"clock_res_get", "xp", true},
    {"clock_time_get", "xXp", true},
    {"random_get", "bL", true},
    {"proc_exit", "x", false},
    {"proc_raise", "x", true},
    {"sched_yield", "", true},
    {"fd_advise", "fXXx", true},
    {"fd_allocate", "fAA", true},
    {"fd_close", "f", true},
    {"fd_datasync", "f", true},
    {"fd_fdstat_get", "fp", true},
    {"fd_fdstat_set_flags", "fx", true},
    {"fd_fdstat_set_rights", "fXX", true},
    {"fd_filestat_get", "fp", true},
    {"fd_filestat_set_size", "fA", true},
    {"fd_filestat_set_times", "fXXx", true},
    {"fd_pread", "fvnXp", true},
    {"fd_prestat_get", "fp", true},
    {"fd_prestat_dir_name", "fbL", true},
    {"fd_pwrite", "fvnXp", true},
    {"fd_read", "fvnp", true},
    {"fd_readdir", "fbLXp", true},
    {"fd_renumber", "ff", true},
    {"fd_seek", "fXxp", true},
    {"fd_sync", "f", true},
    {"fd_tell", "fp", true},
    {"fd_write", "fvnp", true},
    {"path_create_directory", "fPl", true},
    {"path_filestat_get", "fxPlp", true},
    {"path_filestat_set_times", "fxPlXXx", true},
    {"path_link", "fxPlfPl", true},
    {"path_open", "fxPlxXXxp", true},
    {"path_readlink", "fPlbLp", true},
    {"path_remove_directory", "fPl", true},
    {"path_rename", "fPlfPl", true},
    {"path_symlink", "PlfPl", true},
    {"path_unlink_file", "fPl", true},
    {"poll_oneoff", "senp", true},
    {"sock_accept", "fxp", true},
    {"sock_recv", "fvnxpp", true},
    {"sock_send", "fvnxp", true},
    {"sock_shutdown", "fx", true},
};
inline constexpr size_t kNumFuncs = std::size(kFuncs);
inline constexpr uint32_t kMemPages = 1;
inline constexpr uint32_t kMemSize = kMemPages * 65536;
inline constexpr size_t kMaxCallsPerInput = 48;
inline constexpr uint32_t kMaxErrno = 76;  // ENOTCAPABLE, the last preview1 errno

inline bool is_i64(char k) { return k == 'X' || k == 'A'; }

/// The module: one import and one trampoline export per preview1 function.
inline Bytes trampoline_module() {
  ModuleBuilder m;
  for (const FuncSpec& f : kFuncs) {
    std::vector<ValType> params;
    for (const char* k = f.kinds; *k != '\0'; ++k) params.push_back(is_i64(*k) ? I64 : I32);
    std::vector<ValType> results;
    if (f.has_result) results.push_back(I32);
    m.add_import_func(wasi::kModuleName, f.name, m.type(params, results));
  }
  for (uint32_t i = 0; i < kNumFuncs; ++i) {
    std::vector<ValType> params;
    for (const char* k = kFuncs[i].kinds; *k != '\0'; ++k) params.push_back(is_i64(*k) ? I64 : I32);
    std::vector<ValType> results;
    if (kFuncs[i].has_result) results.push_back(I32);
    Code body;
    for (uint32_t p = 0; p < params.size(); ++p) body.local_get(p);
    body.call(i);
    m.export_func(std::string("t_") + kFuncs[i].name, m.add_func(m.type(params, results), {}, body));
  }
  m.add_memory(kMemPages);
  m.export_memory("memory", 0);
  return m.build();
}

/// Reads the input; past its end every read is 0.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool done() const { return pos_ >= size_; }
  uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint32_t u16() { return u8() | (uint32_t{u8()} << 8); }
  uint32_t u32() { return u16() | (u16() << 16); }
  uint64_t u64() { return u32() | (uint64_t{u32()} << 32); }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

/// The temporary root: root/a/b/sandbox is the writable preopen (fd 3),
/// root/ro the read-only one (fd 4), root/sentinel what no call may reach.
/// Everything but the sandbox must stay as it was.
class Sandbox {
 public:
  Sandbox() {
    // tmpfs when there is one: fd_sync and fd_datasync cost nothing there.
    std::error_code ec;
    const fs::path base = fs::is_directory("/dev/shm", ec) && access("/dev/shm", W_OK) == 0
                              ? fs::path("/dev/shm")
                              : fs::temp_directory_path();
    std::string tmpl = (base / "wvm-wasi-hostile-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) root_ = tmpl;
    null_fd_ = open("/dev/null", O_RDWR | O_CLOEXEC);
    fs::create_directories(root_ / "sentinel" / "sub");
    fs::create_directories(root_ / "ro" / "dir");
    std::ofstream(root_ / "sentinel" / "secret") << "secret";
    std::ofstream(root_ / "sentinel" / "sub" / "x") << "x";
    std::ofstream(root_ / "ro" / "data") << "read only";
    for (const char* p : {"sentinel/secret", "sentinel/sub/x", "ro/data", "ro/dir", "sentinel/sub"}) {
      struct timespec t[2] = {{1'000'000'000, 0}, {1'000'000'000, 0}};
      utimensat(AT_FDCWD, (root_ / p).c_str(), t, AT_SYMLINK_NOFOLLOW);
    }
  }
  ~Sandbox() {
    if (null_fd_ >= 0) close(null_fd_);
    std::error_code ec;
    if (!root_.empty()) fs::remove_all(root_, ec);
  }
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  const fs::path& root() const { return root_; }
  fs::path sandbox() const { return root_ / "a" / "b" / "sandbox"; }

  /// A fresh writable sandbox, with files, a directory and links that point
  /// out of it (relative, absolute, through a directory) or loop.
  void reset() {
    std::error_code ec;
    fs::remove_all(root_ / "a", ec);
    const fs::path s = sandbox();
    fs::create_directories(s / "d");
    std::ofstream(s / "f") << "hello";
    std::ofstream(s / "d" / "g") << "g";
    symlink("../../../sentinel", (s / "up").c_str());
    symlink((root_ / "sentinel").c_str(), (s / "abs").c_str());
    symlink("loop", (s / "loop").c_str());
    symlink("d", (s / "dlink").c_str());
    symlink("d/../../../../sentinel/secret", (s / "esc").c_str());
    symlink("..", (s / "d" / "parent").c_str());
  }

  wasi::Options options() const {
    wasi::Options o;
    o.args = {"prog", "arg"};
    o.env = {"A=1"};
    o.preopens.push_back({sandbox().string(), "/", false});
    o.preopens.push_back({(root_ / "ro").string(), "/ro", true});
    o.stdin_fd = o.stdout_fd = o.stderr_fd = null_fd_;
    o.deterministic = true;
    o.seed = 42;
    return o;
  }

  /// The status flags of the open file description behind stdio (shared
  /// with whoever gave it: a guest must not leave it non-blocking).
  int stdio_flags() const { return fcntl(null_fd_, F_GETFL); }

  /// Everything below the root except the sandbox: path -> description.
  std::map<std::string, std::string> outside() const { return snapshot(root_, true, true); }
  /// The sandbox's tree without times (tiers must leave the same one).
  std::map<std::string, std::string> inside() const { return snapshot(sandbox(), false, false); }

 private:
  std::map<std::string, std::string> snapshot(const fs::path& top, bool skip_sandbox,
                                              bool times) const {
    std::map<std::string, std::string> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(top, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      const fs::path p = it->path();
      if (skip_sandbox && p == sandbox()) {
        it.disable_recursion_pending();
        continue;
      }
      struct stat st;
      std::string d;
      if (lstat(p.c_str(), &st) != 0) {
        d = "gone";
      } else {
        d = std::to_string(st.st_mode) + " " + std::to_string(st.st_size);
        if (times) d += " " + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
        if (S_ISLNK(st.st_mode)) {
          d += " -> " + fs::read_symlink(p, ec).string();
        } else if (S_ISREG(st.st_mode) && st.st_size < 4096) {
          std::ifstream in(p, std::ios::binary);
          d += " " + std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        }
      }
      // Not fs::relative: it resolves every component's symlinks.
      out[p.string().substr(top.string().size())] = d;
    }
    return out;
  }

  fs::path root_;
  int null_fd_ = -1;
};

/// What one input did in one tier.
struct Run {
  std::vector<uint32_t> results;  ///< per call: the errno, or 1000 + trap kind
  std::vector<std::string> names;  ///< per call: the function
  uint64_t memory_hash = 0;
  uint64_t gas_left = 0;
  std::map<std::string, std::string> inside;
  std::string failure;  ///< empty when every invariant held
};

inline constexpr uint64_t kGasLimit = 1'000'000'000;

/// Turns input bytes into calls and makes them.
class CallMaker {
 public:
  CallMaker(ByteReader& r, Store& store, Instance& inst) : r_(r), store_(store), inst_(inst) {}

  /// One call; returns the errno or 1000 + the trap kind.
  uint32_t step() {
    size_t index = r_.u8() % kNumFuncs;
    // sched_yield gives the CPU away (milliseconds on a busy machine), so it
    // is drawn an eighth as often as the others.
    if (std::strcmp(kFuncs[index].name, "sched_yield") == 0 && r_.u8() % 8 != 0) {
      index = r_.u8() % kNumFuncs;
    }
    const FuncSpec& f = kFuncs[index];
    // Closing a preopen early would leave the rest of the input EBADF: these
    // two take the preopens only as often as any other low fd.
    closing_ = std::strcmp(f.name, "fd_close") == 0 || std::strcmp(f.name, "fd_renumber") == 0;
    std::vector<Value> args;
    uint32_t pending_len = 0;  // the length of the path/buffer/array just placed
    out_regions_.clear();
    for (const char* k = f.kinds; *k != '\0'; ++k) {
      switch (*k) {
        case 'f': args.push_back(Value::i32(fd())); break;
        case 'x': args.push_back(Value::i32(flags())); break;
        case 'X': args.push_back(Value::i64(any64())); break;
        case 'A': args.push_back(Value::i64(size64())); break;
        case 'p': {
          const uint32_t p = ptr(8);
          out_regions_.push_back({p, 64});
          args.push_back(Value::i32(p));
          break;
        }
        case 'P': args.push_back(Value::i32(path(pending_len))); break;
        case 'v': args.push_back(Value::i32(iovecs(pending_len))); break;
        case 's': args.push_back(Value::i32(subscriptions(pending_len))); break;
        case 'e':
          events_ptr_ = ptr(32);
          args.push_back(Value::i32(events_ptr_));
          break;
        case 'b': {
          const uint32_t p = ptr(64);
          pending_len = r_.u8() % 8 == 0 ? hostile_len() : r_.u8() * 4u;
          out_regions_.push_back({p, pending_len});
          args.push_back(Value::i32(p));
          break;
        }
        case 'l':
        case 'L':
          args.push_back(Value::i32(pending_len));
          break;
        case 'n': {
          const uint32_t n = r_.u8() % 8 == 0 ? hostile_len() : pending_len;
          if (k[-1] == 'e') out_regions_.push_back({events_ptr_, uint64_t{n} * 32});
          args.push_back(Value::i32(n));
          break;
        }
      }
    }
    Func* fn = inst_.find_export(std::string("t_") + f.name).as_func();
    std::memcpy(before_.data(), mem(), kMemSize);
    CallResult res = store_.call(fn, args);
    uint32_t out = res.ok() ? (f.has_result ? res.results.at(0).as_i32() : 0)
                            : 1000 + static_cast<uint32_t>(res.trap);
    if (wrote_outside_outputs()) out = kWroteOutside;
    // Stat results hold inode numbers and times, readdir entries inode
    // numbers: host facts that differ between two fresh sandboxes.
    const std::string name = f.name;
    if (name == "fd_filestat_get" || name == "path_filestat_get" || name == "fd_readdir") {
      for (const auto& [p, len] : out_regions_) zero(p, len);
    }
    if (name == "path_open" && out == 0 && args[8].as_i32() <= kMemSize - 4 && opened_.size() < 16) {
      uint32_t new_fd;
      std::memcpy(&new_fd, mem() + args[8].as_i32(), 4);
      opened_.push_back(new_fd);
    }
    last_name_ = f.name;
    return out;
  }
  const char* last_name() const { return last_name_; }
  /// What step() returns when a call changed guest memory outside the
  /// places its arguments name as outputs.
  static constexpr uint32_t kWroteOutside = 2000;

 private:
  bool wrote_outside_outputs() const {
    const uint8_t* now = inst_.memory()->data();
    constexpr uint32_t kBlock = 256;
    for (uint32_t b = 0; b < kMemSize; b += kBlock) {
      if (std::memcmp(now + b, before_.data() + b, kBlock) == 0) continue;
      for (uint32_t i = b; i < b + kBlock; ++i) {
        if (now[i] == before_[i]) continue;
        bool allowed = false;
        for (const auto& [p, len] : out_regions_) allowed |= i >= p && i - p < len;
        if (!allowed) return true;
      }
    }
    return false;
  }

  uint8_t* mem() { return inst_.memory()->data(); }
  void zero(uint32_t p, uint64_t len) {
    if (p >= kMemSize) return;
    std::memset(mem() + p, 0, std::min<uint64_t>(len, kMemSize - p));
  }
  void put(uint32_t p, const void* data, size_t len) {
    if (p < kMemSize) std::memcpy(mem() + p, data, std::min<size_t>(len, kMemSize - p));
  }

  // Mostly the preopens (3 writable, 4 read-only) so path calls get past
  // the fd check, or an fd path_open returned, then any low fd, sometimes
  // one past the table.
  uint32_t fd() {
    uint8_t m = r_.u8();
    if (closing_ && m < 136) m = static_cast<uint8_t>(136 + m % 96);
    if (m < 112) return 3;
    if (m < 136) return 4;
    if (m < 184 && !opened_.empty()) return opened_[r_.u8() % opened_.size()];
    if (m < 232) return m % 10;
    switch (m % 5) {
      case 0: return 0x8000'0000u;
      case 1: return 0xffff'ffffu;
      case 2: return 1000;
      case 3: return 64 + r_.u8();
      default: return r_.u32();
    }
  }
  uint32_t flags() {
    const uint8_t m = r_.u8();
    return m < 160 ? m % 16 : m < 232 ? m % 32 : r_.u32();
  }
  uint64_t any64() {
    switch (r_.u8() % 10) {
      case 0: return r_.u64();
      case 1: return ~uint64_t{0};
      case 2: return uint64_t{1} << 63;
      case 3: return uint64_t{1} << 62;
      case 4: return static_cast<uint64_t>(-static_cast<int64_t>(r_.u8()));
      case 5: return r_.u32();
      default: return r_.u8();
    }
  }
  // Sizes the host would really allocate on disk (fd_allocate) stay small;
  // the hostile ones are past any file system's limit.
  uint64_t size64() {
    switch (r_.u8() % 6) {
      case 0: return ~uint64_t{0};
      case 1: return uint64_t{1} << 63;
      case 2: return (uint64_t{1} << 62) + r_.u32();
      default: return r_.u16();
    }
  }
  uint32_t hostile_len() {
    switch (r_.u8() % 7) {
      case 0: return 0x8000'0000u;
      case 1: return 0xffff'ffffu;
      case 2: return kMemSize;
      case 3: return kMemSize + 1;
      case 4: return 1025;
      case 5: return 0;
      default: return r_.u32();
    }
  }
  // Mostly an in-bounds pointer with `room` bytes after it; sometimes the
  // end of memory, past it, or the last pointer given (overlap).
  uint32_t ptr(uint32_t room) {
    const uint8_t m = r_.u8();
    uint32_t p;
    if (m < 208) {
      p = (r_.u16() % (kMemSize - room)) & ~7u;
    } else {
      switch (m % 6) {
        case 0: p = kMemSize - r_.u8() % 16; break;
        case 1: p = kMemSize; break;
        case 2: p = 0xffff'ffffu - r_.u8() % 16; break;
        case 3: p = r_.u32(); break;
        case 4: p = 0; break;
        default: p = last_ptr_; break;
      }
    }
    last_ptr_ = p;
    return p;
  }

  std::string path_text() {
    static const char* const kPaths[] = {
        "f", "d", "d/g", "new", "d/new", "..", "../sentinel", "../../../sentinel/secret", "/",
        "/etc/passwd", "up", "up/secret", "abs", "abs/secret", "loop", "loop/x", "d/../f",
        "d/../../x", ".", "d/", "f/", "", "dlink", "dlink/..", "dlink/../..", "d/parent/..",
        "d/parent/../..", "esc", "up/", "abs/", "esc/", "dlink/", "./././f", "d//g", "new/", "ro", "d/parent/up/secret",
    };
    static const char* const kParts[] = {"f", "d", "g", "new", "..", ".", "up", "abs", "loop",
                                         "dlink", "esc", "x", "parent", ""};
    const uint8_t m = r_.u8();
    if (m < 128) return kPaths[r_.u8() % std::size(kPaths)];
    if (m < 216) {
      std::string s;
      const int n = 1 + r_.u8() % 5;
      for (int i = 0; i < n; ++i) {
        if (i > 0) s += '/';
        s += kParts[r_.u8() % std::size(kParts)];
      }
      return s;
    }
    switch (m % 6) {
      case 0: return std::string("f\0x", 3);
      case 1: return std::string(300, 'n');
      case 2: {
        std::string s;
        while (s.size() < 5000) s += "d/../";
        return s + "f";
      }
      case 3: {
        std::string s(r_.u8() % 32, '\0');
        for (char& c : s) c = static_cast<char>(r_.u8());
        return s;
      }
      case 4: return std::string(4097, 'x');
      default: {
        std::string s;
        for (int i = 0; i < 40; ++i) s += "dlink/";
        return s + "g";
      }
    }
  }
  // Places a path in memory; `len` gets its length (or a hostile one).
  uint32_t path(uint32_t& len) {
    const std::string s = path_text();
    const uint32_t p = ptr(static_cast<uint32_t>(std::min<size_t>(s.size(), kMemSize / 2)) + 1);
    put(p, s.data(), s.size());
    len = r_.u8() % 16 == 0 ? hostile_len() : static_cast<uint32_t>(s.size());
    return p;
  }
  uint32_t iovecs(uint32_t& count) {
    count = r_.u8() % 4;
    const uint32_t p = ptr(8 * 4);
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t iov[2];
      const uint8_t m = r_.u8();
      if (m < 200) {
        iov[0] = (r_.u16() % (kMemSize - 256));
        iov[1] = r_.u8();
      } else {
        iov[0] = m % 2 ? p : kMemSize - r_.u8() % 8;  // over the array itself, or the end
        iov[1] = m % 3 == 0 ? hostile_len() : r_.u8();
      }
      out_regions_.push_back({iov[0], iov[1]});
      put(p + 8 * i, iov, 8);
    }
    return p;
  }
  uint32_t subscriptions(uint32_t& count) {
    count = 1 + r_.u8() % 3;
    const uint32_t p = ptr(48 * 3);
    for (uint32_t i = 0; i < count; ++i) {
      uint8_t sub[48] = {};
      const uint64_t userdata = r_.u64();
      std::memcpy(sub, &userdata, 8);
      sub[8] = r_.u8() % 4;  // clock, fd_read, fd_write, or no such type
      if (sub[8] == 0) {
        const uint32_t id = r_.u8() % 5;
        const uint64_t timeout = any64();
        const uint16_t fl = r_.u8() % 3;
        std::memcpy(sub + 16, &id, 4);
        std::memcpy(sub + 24, &timeout, 8);
        std::memcpy(sub + 40, &fl, 2);
      } else {
        const uint32_t f = fd();
        std::memcpy(sub + 16, &f, 4);
      }
      put(p + 48 * i, sub, 48);
    }
    return p;
  }

  ByteReader& r_;
  Store& store_;
  Instance& inst_;
  uint32_t last_ptr_ = 0;
  const char* last_name_ = "";
  std::vector<std::pair<uint32_t, uint64_t>> out_regions_;
  std::vector<uint32_t> opened_;  ///< fds path_open returned
  std::vector<uint8_t> before_ = std::vector<uint8_t>(kMemSize);
  uint32_t events_ptr_ = 0;
  bool closing_ = false;
};

inline uint64_t fnv(const uint8_t* p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

/// The process's open descriptors (a context must close all it opened).
inline size_t open_fds() {
  size_t n = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator("/proc/self/fd", ec); !ec && it != fs::end(it); it.increment(ec)) ++n;
  return n;
}

/// Runs the input's calls on `engine` against a fresh sandbox and checks the
/// invariants (failure says which one broke).
inline Run run_input(Engine& engine, const std::shared_ptr<const Module>& module, Sandbox& box,
                     const uint8_t* data, size_t size) {
  Run run;
  box.reset();
  const auto before = box.outside();
  const int stdio_before = box.stdio_flags();
  const size_t fds_before = open_fds();
  {
    auto ctx = wasi::Context::create(box.options());
    if (!ctx.ok()) {
      run.failure = "Context::create: " + ctx.error().to_string();
      return run;
    }
    Store store(engine);
    std::vector<Extern> imports;
    if (auto linked = ctx.value()->link(store, *module, imports); !linked.ok()) {
      run.failure = "link: " + linked.error().to_string();
      return run;
    }
    auto inst = store.instantiate(module, imports);
    if (!inst.ok()) {
      run.failure = "instantiate: " + inst.error().to_string();
      return run;
    }
    ByteReader r(data, size);
    // One input in eight runs out of gas part way, inside a WASI call or in
    // the trampolines: every later call must then trap the same way.
    const uint8_t gas_choice = r.u8();
    store.set_gas_limit(gas_choice < 32 ? 100 + r.u16() / 4 : kGasLimit);
    CallMaker maker(r, store, *inst.value());
    while (!r.done() && run.results.size() < kMaxCallsPerInput) {
      const uint32_t out = maker.step();
      run.results.push_back(out);
      run.names.push_back(maker.last_name());
      const std::string& name = run.names.back();
      const bool exit_trap = name == "proc_exit" && out == 1000 + static_cast<uint32_t>(TrapKind::HostError);
      if (out == CallMaker::kWroteOutside) {
        run.failure = "call " + std::to_string(run.results.size() - 1) + " (" + name +
                      ") changed guest memory outside its output arguments";
        break;
      }
      const bool out_of_gas = out == 1000 + static_cast<uint32_t>(TrapKind::OutOfGas);
      if (out > kMaxErrno && !exit_trap && !out_of_gas) {
        run.failure = "call " + std::to_string(run.results.size() - 1) + " (" + name +
                      ") returned " + (out >= 1000 ? std::string("trap ") + trap_message(static_cast<TrapKind>(out - 1000))
                                                   : "errno " + std::to_string(out));
        break;
      }
    }
    Memory* m = inst.value()->memory();
    run.memory_hash = fnv(m->data(), m->size_bytes());
    run.gas_left = store.gas_left();
  }  // the store and the context close every descriptor here
  const auto after = box.outside();
  if (run.failure.empty() && open_fds() != fds_before) {
    run.failure = "host descriptors leaked: " + std::to_string(fds_before) + " open before, " +
                  std::to_string(open_fds()) + " after";
  }
  if (run.failure.empty() && box.stdio_flags() != stdio_before) {
    run.failure = "the host's stdio flags changed: " + std::to_string(stdio_before) + " -> " +
                  std::to_string(box.stdio_flags());
  }
  if (run.failure.empty() && before != after) {
    std::string diff;
    for (const auto& [k, v] : before) {
      auto it = after.find(k);
      if (it == after.end()) diff += " removed " + k + ";";
      else if (it->second != v) diff += " changed " + k + " (" + v + " -> " + it->second + ");";
    }
    for (const auto& [k, v] : after)
      if (!before.count(k)) diff += " created " + k + ";";
    run.failure = "outside the sandbox:" + diff;
  }
  run.inside = box.inside();
  return run;
}

/// The first difference between two tiers' runs of one input, or "".
inline std::string compare_runs(const Run& a, const Run& b) {
  for (size_t i = 0; i < std::min(a.results.size(), b.results.size()); ++i) {
    if (a.results[i] != b.results[i]) {
      return "call " + std::to_string(i) + " (" + a.names[i] + "): " + std::to_string(a.results[i]) +
             " vs " + std::to_string(b.results[i]);
    }
  }
  if (a.results.size() != b.results.size()) return "number of calls differs";
  if (a.memory_hash != b.memory_hash) return "memory differs";
  if (a.gas_left != b.gas_left) return "gas left differs: " + std::to_string(a.gas_left) + " vs " + std::to_string(b.gas_left);
  if (a.inside != b.inside) return "sandbox contents differ";
  return "";
}

}  // namespace wvm::test::wasi_hostile
