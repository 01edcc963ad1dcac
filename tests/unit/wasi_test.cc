// WASI preview1 host (hosts/wasi): every test runs a module whose exported
// wrappers call the WASI imports through wasm code, on every tier, against a
// temporary directory. The escape tests check both the errno and that a
// sentinel file outside the preopen keeps its content and mtime.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "hosts/wasi/abi.h"
#include "hosts/wasi/wasi.h"
#include "tests/unit/builder.h"
#include "tests/unit/tier_config.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

using namespace wvm::test;
namespace abi = wasi::abi;
namespace fs = std::filesystem;

const std::vector<std::string> kTiers{"interp", "interp-explicit-bounds", "jit",
                                      "jit-explicit-bounds", "auto"};

// The WASI functions the test module imports; each gets a wrapper export
// "w_<name>" that forwards its parameters through a wasm call.
struct Import {
  const char* name;
  std::vector<ValType> params;
};
const Import kImports[] = {
    {"args_get", {I32, I32}},
    {"args_sizes_get", {I32, I32}},
    {"environ_get", {I32, I32}},
    {"environ_sizes_get", {I32, I32}},
    {"clock_time_get", {I32, I64, I32}},
    {"random_get", {I32, I32}},
    {"sched_yield", {}},
    {"fd_close", {I32}},
    {"fd_filestat_get", {I32, I32}},
    {"fd_pread", {I32, I32, I32, I64, I32}},
    {"fd_pwrite", {I32, I32, I32, I64, I32}},
    {"fd_read", {I32, I32, I32, I32}},
    {"fd_readdir", {I32, I32, I32, I64, I32}},
    {"fd_seek", {I32, I64, I32, I32}},
    {"fd_tell", {I32, I32}},
    {"fd_write", {I32, I32, I32, I32}},
    {"fd_fdstat_set_rights", {I32, I64, I64}},
    {"path_create_directory", {I32, I32, I32}},
    {"path_filestat_get", {I32, I32, I32, I32, I32}},
    {"path_filestat_set_times", {I32, I32, I32, I32, I64, I64, I32}},
    {"path_link", {I32, I32, I32, I32, I32, I32, I32}},
    {"path_open", {I32, I32, I32, I32, I32, I64, I64, I32, I32}},
    {"path_readlink", {I32, I32, I32, I32, I32, I32}},
    {"path_remove_directory", {I32, I32, I32}},
    {"path_rename", {I32, I32, I32, I32, I32, I32}},
    {"path_symlink", {I32, I32, I32, I32, I32}},
    {"path_unlink_file", {I32, I32, I32}},
    {"poll_oneoff", {I32, I32, I32, I32}},
    {"sock_shutdown", {I32, I32}},
};
constexpr uint32_t kProcExitCode = 7;

Bytes test_module() {
  ModuleBuilder m;
  uint32_t index = 0;
  for (const Import& imp : kImports) {
    m.add_import_func(wasi::kModuleName, imp.name, m.type(imp.params, {I32}));
    ++index;
  }
  const uint32_t proc_exit = m.add_import_func(wasi::kModuleName, "proc_exit", m.type({I32}, {}));
  const uint32_t first_defined = proc_exit + 1;
  for (uint32_t i = 0; i < index; ++i) {
    Code body;
    for (uint32_t p = 0; p < kImports[i].params.size(); ++p) body.local_get(p);
    body.call(i);
    m.export_func(std::string("w_") + kImports[i].name,
                  m.add_func(m.type(kImports[i].params, {I32}), {}, body));
  }
  // deep -> mid -> leaf -> proc_exit: the exit must unwind all three frames.
  const uint32_t leaf = m.add_func(m.type({}, {I32}), {},
                                   Code().i32_const(kProcExitCode).call(proc_exit).unreachable());
  const uint32_t mid = m.add_func(m.type({}, {I32}), {}, Code().call(leaf).i32_const(1).op(Opcode::I32Add));
  const uint32_t deep = m.add_func(m.type({}, {I32}), {}, Code().call(mid).i32_const(1).op(Opcode::I32Add));
  EXPECT_EQ(leaf, first_defined + index);
  m.export_func("deep", deep);
  m.add_memory(1);
  m.export_memory("memory", 0);
  return m.build();
}

std::string read_host_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Guest memory layout the tests use.
constexpr uint32_t kOut = 64;      // results (u32 / u64)
constexpr uint32_t kIovs = 256;    // iovec arrays
constexpr uint32_t kPath = 1024;   // first path
constexpr uint32_t kPath2 = 2048;  // second path
constexpr uint32_t kBuf = 4096;    // data buffers
constexpr uint32_t kMemSize = 65536;

constexpr uint64_t kRw = abi::kRightFdRead | abi::kRightFdWrite | abi::kRightFdSeek |
                         abi::kRightFdTell | abi::kRightFdFilestatGet;
constexpr uint64_t kSentinelMtime = 1'000'000'000;  // seconds: 2001

class WasiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/wvm-wasi-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    fs::create_directories(root_ / "sandbox" / "sub");
    fs::create_directories(root_ / "outside");
    fs::create_directories(root_ / "ro");
    std::ofstream(root_ / "outside" / "sentinel") << "secret";
    std::ofstream(root_ / "ro" / "data") << "read only";
    struct timespec times[2] = {{static_cast<time_t>(kSentinelMtime), 0},
                                {static_cast<time_t>(kSentinelMtime), 0}};
    ASSERT_EQ(utimensat(AT_FDCWD, (root_ / "outside" / "sentinel").c_str(), times, 0), 0);
  }
  void TearDown() override {
    instance_ = nullptr;
    store_.reset();
    ctx_.reset();
    engine_.reset();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  /// Options with the sandbox as fd 3 ("/") and the read-only dir as fd 4.
  wasi::Options options() const {
    wasi::Options o;
    o.args = {"prog", "--flag", "value"};
    o.env = {"A=1", "LONGER=two words"};
    o.preopens.push_back({(root_ / "sandbox").string(), "/", false});
    o.preopens.push_back({(root_ / "ro").string(), "/ro", true});
    o.stdin_fd = -1;
    return o;
  }

  void start(wasi::Options o, bool metered = false) {
    instance_ = nullptr;
    store_.reset();
    Config config;
    apply_tier(config, GetParam());
    config.metering.enabled = metered;
    engine_ = std::make_unique<Engine>(config);
    const Bytes bytes = test_module();
    auto module = compile(*engine_, bytes.data(), bytes.size());
    ASSERT_TRUE(module.ok()) << module.error().to_string();
    auto ctx = wasi::Context::create(std::move(o));
    ASSERT_TRUE(ctx.ok()) << ctx.error().to_string();
    ctx_ = std::move(ctx.value());
    store_ = std::make_unique<Store>(*engine_);
    std::vector<Extern> imports;
    auto linked = ctx_->link(*store_, **module, imports);
    ASSERT_TRUE(linked.ok()) << linked.error().to_string();
    auto inst = store_->instantiate(*module, imports);
    ASSERT_TRUE(inst.ok()) << inst.error().to_string();
    instance_ = inst.value();
  }

  uint8_t* mem() { return instance_->memory()->data(); }
  void put(uint32_t ptr, std::string_view s) { std::memcpy(mem() + ptr, s.data(), s.size()); }
  std::string get(uint32_t ptr, uint32_t len) {
    return std::string(reinterpret_cast<char*>(mem()) + ptr, len);
  }
  uint32_t u32(uint32_t ptr) {
    uint32_t v;
    std::memcpy(&v, mem() + ptr, 4);
    return v;
  }
  uint64_t u64(uint32_t ptr) {
    uint64_t v;
    std::memcpy(&v, mem() + ptr, 8);
    return v;
  }
  void set32(uint32_t ptr, uint32_t v) { std::memcpy(mem() + ptr, &v, 4); }
  void set64(uint32_t ptr, uint64_t v) { std::memcpy(mem() + ptr, &v, 8); }

  /// Calls wrapper w_<name>; returns the errno (the call must not trap).
  uint32_t call(const std::string& name, std::vector<Value> args) {
    Func* f = instance_->find_export("w_" + name).as_func();
    EXPECT_NE(f, nullptr) << name;
    if (f == nullptr) return UINT32_MAX;
    CallResult r = store_->call(f, args);
    EXPECT_TRUE(r.ok()) << name << ": " << trap_message(r.trap);
    return r.ok() ? r.results[0].as_i32() : UINT32_MAX;
  }

  /// path_open of `path` below `dir`; the new fd is at u32(kOut).
  uint32_t open(uint32_t dir, std::string_view path, uint32_t oflags, uint64_t rights,
                uint32_t lookup = abi::kLookupSymlinkFollow, uint32_t fdflags = 0) {
    put(kPath, path);
    return call("path_open", {Value::i32(dir), Value::i32(lookup), Value::i32(kPath),
                              Value::i32(static_cast<uint32_t>(path.size())), Value::i32(oflags),
                              Value::i64(rights), Value::i64(0), Value::i32(fdflags),
                              Value::i32(kOut)});
  }
  /// A call taking (fd, path, len).
  uint32_t on_path(const std::string& name, uint32_t dir, std::string_view path) {
    put(kPath, path);
    return call(name, {Value::i32(dir), Value::i32(kPath), Value::i32(static_cast<uint32_t>(path.size()))});
  }
  uint32_t write(uint32_t fd, std::string_view data) {
    put(kBuf, data);
    set32(kIovs, kBuf);
    set32(kIovs + 4, static_cast<uint32_t>(data.size()));
    return call("fd_write", {Value::i32(fd), Value::i32(kIovs), Value::i32(1), Value::i32(kOut)});
  }
  uint32_t read(uint32_t fd, uint32_t len) {
    set32(kIovs, kBuf);
    set32(kIovs + 4, len);
    return call("fd_read", {Value::i32(fd), Value::i32(kIovs), Value::i32(1), Value::i32(kOut)});
  }
  uint32_t rename(std::string_view from, std::string_view to) {
    put(kPath, from);
    put(kPath2, to);
    return call("path_rename", {Value::i32(3), Value::i32(kPath), Value::i32(static_cast<uint32_t>(from.size())),
                                Value::i32(3), Value::i32(kPath2), Value::i32(static_cast<uint32_t>(to.size()))});
  }
  uint32_t link(std::string_view from, std::string_view to) {
    put(kPath, from);
    put(kPath2, to);
    return call("path_link", {Value::i32(3), Value::i32(0), Value::i32(kPath),
                              Value::i32(static_cast<uint32_t>(from.size())), Value::i32(3),
                              Value::i32(kPath2), Value::i32(static_cast<uint32_t>(to.size()))});
  }
  uint32_t symlink(std::string_view target, std::string_view at) {
    put(kPath, target);
    put(kPath2, at);
    return call("path_symlink", {Value::i32(kPath), Value::i32(static_cast<uint32_t>(target.size())),
                                 Value::i32(3), Value::i32(kPath2), Value::i32(static_cast<uint32_t>(at.size()))});
  }
  uint64_t clock(uint32_t id) {
    EXPECT_EQ(call("clock_time_get", {Value::i32(id), Value::i64(1), Value::i32(kOut)}), 0u);
    return u64(kOut);
  }

  /// The sentinel outside the preopen still holds "secret" with its old mtime,
  /// and nothing new appeared next to it.
  void expect_outside_untouched() {
    const fs::path sentinel = root_ / "outside" / "sentinel";
    EXPECT_EQ(read_host_file(sentinel), "secret");
    struct stat st;
    ASSERT_EQ(lstat(sentinel.c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
    EXPECT_EQ(static_cast<uint64_t>(st.st_mtim.tv_sec), kSentinelMtime);
    size_t entries = 0;
    for (auto it = fs::directory_iterator(root_ / "outside"); it != fs::directory_iterator(); ++it) {
      ++entries;
    }
    EXPECT_EQ(entries, 1u);
    EXPECT_FALSE(fs::exists(root_ / "escaped"));
  }

  fs::path root_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<wasi::Context> ctx_;
  std::unique_ptr<Store> store_;
  Instance* instance_ = nullptr;
};

INSTANTIATE_TEST_SUITE_P(Tiers, WasiTest, ::testing::ValuesIn(kTiers),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

TEST_P(WasiTest, ArgsAndEnvironment) {
  start(options());
  ASSERT_EQ(call("args_sizes_get", {Value::i32(kOut), Value::i32(kOut + 4)}), 0u);
  EXPECT_EQ(u32(kOut), 3u);
  EXPECT_EQ(u32(kOut + 4), 5u + 7u + 6u);
  ASSERT_EQ(call("args_get", {Value::i32(kIovs), Value::i32(kBuf)}), 0u);
  EXPECT_EQ(u32(kIovs), kBuf);
  EXPECT_EQ(u32(kIovs + 4), kBuf + 5);
  EXPECT_EQ(get(kBuf, 18), std::string("prog\0--flag\0value\0", 18));
  ASSERT_EQ(call("environ_sizes_get", {Value::i32(kOut), Value::i32(kOut + 4)}), 0u);
  EXPECT_EQ(u32(kOut), 2u);
  EXPECT_EQ(u32(kOut + 4), 4u + 17u);
  ASSERT_EQ(call("environ_get", {Value::i32(kIovs), Value::i32(kBuf)}), 0u);
  EXPECT_EQ(get(u32(kIovs + 4), 17), std::string("LONGER=two words\0", 17));
}

TEST_P(WasiTest, DeterministicClocksAndRandomRepeat) {
  std::vector<uint64_t> runs[2];
  std::string random[2];
  for (int run = 0; run < 2; ++run) {
    wasi::Options o = options();
    o.deterministic = true;
    o.seed = 42;
    start(o);
    runs[run].push_back(clock(abi::kClockRealtime));
    runs[run].push_back(clock(abi::kClockMonotonic));
    runs[run].push_back(clock(abi::kClockProcessCputime));
    ASSERT_EQ(call("random_get", {Value::i32(kBuf), Value::i32(37)}), 0u);
    random[run] = get(kBuf, 37);
  }
  const uint64_t start_ns = wasi::Options{}.virtual_time_start_ns;
  const uint64_t step = wasi::Options{}.virtual_time_step_ns;
  // Exact values: every tier and every run must produce these.
  EXPECT_EQ(runs[0], (std::vector<uint64_t>{start_ns, start_ns + step, start_ns + 2 * step}));
  EXPECT_EQ(runs[0], runs[1]);
  EXPECT_EQ(random[0], random[1]);
  EXPECT_NE(random[0], std::string(37, '\0'));

  wasi::Options o = options();
  o.deterministic = true;
  o.seed = 43;
  start(o);
  ASSERT_EQ(call("random_get", {Value::i32(kBuf), Value::i32(37)}), 0u);
  EXPECT_NE(get(kBuf, 37), random[0]);
  EXPECT_EQ(call("clock_time_get", {Value::i32(9), Value::i64(1), Value::i32(kOut)}), abi::kInval);
}

TEST_P(WasiTest, DeterministicPollAdvancesVirtualTimeWithoutSleeping) {
  wasi::Options o = options();
  o.deterministic = true;
  start(o);
  const uint64_t before = clock(abi::kClockMonotonic);
  // One relative clock subscription of 1000 s: returns at once, one event.
  std::memset(mem() + kBuf, 0, 48);
  set64(kBuf, 0xabcdef);                  // userdata
  mem()[kBuf + 8] = abi::kEventClock;     // tag
  set32(kBuf + 16, abi::kClockMonotonic);
  set64(kBuf + 24, 1000'000'000'000ull);  // timeout
  ASSERT_EQ(call("poll_oneoff", {Value::i32(kBuf), Value::i32(kBuf + 512), Value::i32(1), Value::i32(kOut)}), 0u);
  EXPECT_EQ(u32(kOut), 1u);
  EXPECT_EQ(u64(kBuf + 512), 0xabcdefu);
  EXPECT_EQ(mem()[kBuf + 512 + 10], abi::kEventClock);
  EXPECT_GE(clock(abi::kClockMonotonic), before + 1000'000'000'000ull);
  // No subscriptions is EINVAL; a hostile count EFAULT.
  EXPECT_EQ(call("poll_oneoff", {Value::i32(kBuf), Value::i32(kBuf + 512), Value::i32(0), Value::i32(kOut)}), abi::kInval);
  EXPECT_EQ(call("poll_oneoff", {Value::i32(kBuf), Value::i32(kBuf + 512), Value::i32(0x10000000), Value::i32(kOut)}), abi::kFault);
}

TEST_P(WasiTest, PollReportsFileReadinessAndRealClocks) {
  std::ofstream(root_ / "sandbox" / "five") << "12345";
  start(options());
  ASSERT_EQ(open(3, "five", 0, abi::kRightFdRead | abi::kRightPollFdReadwrite), 0u);
  const uint32_t fd = u32(kOut);
  std::memset(mem() + kBuf, 0, 96);
  set64(kBuf, 11);
  mem()[kBuf + 8] = abi::kEventFdRead;
  set32(kBuf + 16, fd);
  set64(kBuf + 48, 22);
  mem()[kBuf + 48 + 8] = abi::kEventFdRead;
  set32(kBuf + 48 + 16, 1000);  // not open: an event carrying EBADF
  ASSERT_EQ(call("poll_oneoff", {Value::i32(kBuf), Value::i32(kBuf + 512), Value::i32(2), Value::i32(kOut)}), 0u);
  ASSERT_EQ(u32(kOut), 2u);
  EXPECT_EQ(u64(kBuf + 512), 11u);
  EXPECT_EQ(u32(kBuf + 512 + 8) & 0xffff, 0u);
  EXPECT_EQ(u64(kBuf + 512 + 16), 5u);  // bytes left to read
  EXPECT_EQ(u64(kBuf + 512 + 32), 22u);
  EXPECT_EQ(u32(kBuf + 512 + 32 + 8) & 0xffff, abi::kBadf);
  // A real relative clock of 1 ms fires.
  std::memset(mem() + kBuf, 0, 48);
  set64(kBuf, 33);
  mem()[kBuf + 8] = abi::kEventClock;
  set32(kBuf + 16, abi::kClockMonotonic);
  set64(kBuf + 24, 1'000'000);
  const uint64_t before = clock(abi::kClockMonotonic);
  ASSERT_EQ(call("poll_oneoff", {Value::i32(kBuf), Value::i32(kBuf + 512), Value::i32(1), Value::i32(kOut)}), 0u);
  EXPECT_EQ(u32(kOut), 1u);
  EXPECT_EQ(u64(kBuf + 512), 33u);
  EXPECT_GE(clock(abi::kClockMonotonic), before + 1'000'000);
}

TEST_P(WasiTest, PollOnAPipeAsStdin) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  ASSERT_EQ(::write(pipe_fds[1], "abc", 3), 3);
  wasi::Options o = options();
  o.stdin_fd = pipe_fds[0];
  o.deterministic = true;  // no clock subscription: must still wait on the fd
  start(o);
  close(pipe_fds[0]);
  std::memset(mem() + kBuf, 0, 48);
  set64(kBuf, 5);
  mem()[kBuf + 8] = abi::kEventFdRead;
  set32(kBuf + 16, 0);
  ASSERT_EQ(call("poll_oneoff", {Value::i32(kBuf), Value::i32(kBuf + 512), Value::i32(1), Value::i32(kOut)}), 0u);
  ASSERT_EQ(u32(kOut), 1u);
  EXPECT_EQ(u64(kBuf + 512), 5u);
  EXPECT_EQ(u64(kBuf + 512 + 16), 3u);
  ASSERT_EQ(read(0, 16), 0u);
  EXPECT_EQ(get(kBuf, u32(kOut)), "abc");
  close(pipe_fds[1]);
}

TEST_P(WasiTest, NoSocketsAreGranted) {
  start(options());
  EXPECT_EQ(call("sock_shutdown", {Value::i32(100), Value::i32(1)}), abi::kBadf);
  EXPECT_EQ(call("sock_shutdown", {Value::i32(3), Value::i32(1)}), abi::kNotsock);
  // File calls on a directory and path calls on a file.
  EXPECT_EQ(read(3, 4), abi::kBadf);
  std::ofstream(root_ / "sandbox" / "file") << "x";
  ASSERT_EQ(open(3, "file", 0, abi::kRightFdRead), 0u);
  const uint32_t file = u32(kOut);
  EXPECT_EQ(open(file, "x", 0, abi::kRightFdRead), abi::kNotdir);
  EXPECT_EQ(call("fd_readdir", {Value::i32(file), Value::i32(kBuf), Value::i32(64), Value::i64(0), Value::i32(kOut)}), abi::kNotdir);
}

TEST_P(WasiTest, RandomIsFreshOutsideDeterministicMode) {
  start(options());
  ASSERT_EQ(call("random_get", {Value::i32(kBuf), Value::i32(32)}), 0u);
  const std::string first = get(kBuf, 32);
  ASSERT_EQ(call("random_get", {Value::i32(kBuf), Value::i32(32)}), 0u);
  EXPECT_NE(get(kBuf, 32), first);
  EXPECT_EQ(call("random_get", {Value::i32(kMemSize), Value::i32(0)}), 0u);  // empty, at the end
}

TEST_P(WasiTest, FileCreateWriteReadSeekPreadPwrite) {
  start(options());
  ASSERT_EQ(open(3, "sub/f.txt", abi::kOflagCreat, kRw), 0u);
  const uint32_t fd = u32(kOut);
  EXPECT_GE(fd, 5u);
  // Two iovecs in one write.
  put(kBuf, "hello ");
  put(kBuf + 100, "world");
  set32(kIovs, kBuf);
  set32(kIovs + 4, 6);
  set32(kIovs + 8, kBuf + 100);
  set32(kIovs + 12, 5);
  ASSERT_EQ(call("fd_write", {Value::i32(fd), Value::i32(kIovs), Value::i32(2), Value::i32(kOut)}), 0u);
  EXPECT_EQ(u32(kOut), 11u);
  ASSERT_EQ(call("fd_seek", {Value::i32(fd), Value::i64(0), Value::i32(abi::kWhenceSet), Value::i32(kOut)}), 0u);
  ASSERT_EQ(read(fd, 5), 0u);
  EXPECT_EQ(u32(kOut), 5u);
  EXPECT_EQ(get(kBuf, 5), "hello");
  ASSERT_EQ(call("fd_tell", {Value::i32(fd), Value::i32(kOut)}), 0u);
  EXPECT_EQ(u64(kOut), 5u);
  set32(kIovs, kBuf);
  set32(kIovs + 4, 5);
  ASSERT_EQ(call("fd_pread", {Value::i32(fd), Value::i32(kIovs), Value::i32(1), Value::i64(6), Value::i32(kOut)}), 0u);
  EXPECT_EQ(get(kBuf, 5), "world");
  put(kBuf, "W");
  set32(kIovs + 4, 1);
  ASSERT_EQ(call("fd_pwrite", {Value::i32(fd), Value::i32(kIovs), Value::i32(1), Value::i64(6), Value::i32(kOut)}), 0u);
  ASSERT_EQ(call("fd_filestat_get", {Value::i32(fd), Value::i32(kBuf)}), 0u);
  EXPECT_EQ(mem()[kBuf + 16], abi::kFiletypeRegularFile);
  EXPECT_EQ(u64(kBuf + 32), 11u);
  EXPECT_EQ(call("fd_seek", {Value::i32(fd), Value::i64(0), Value::i32(7), Value::i32(kOut)}), abi::kInval);
  ASSERT_EQ(call("fd_close", {Value::i32(fd)}), 0u);
  EXPECT_EQ(call("fd_close", {Value::i32(fd)}), abi::kBadf);
  EXPECT_EQ(read_host_file(root_ / "sandbox" / "sub" / "f.txt"), "hello World");

  // A read-only open refuses writes; dropped rights cannot come back.
  ASSERT_EQ(open(3, "sub/f.txt", 0, abi::kRightFdRead), 0u);
  const uint32_t ro = u32(kOut);
  EXPECT_EQ(write(ro, "x"), abi::kBadf);
  ASSERT_EQ(call("fd_fdstat_set_rights", {Value::i32(ro), Value::i64(0), Value::i64(0)}), 0u);
  EXPECT_EQ(read(ro, 1), abi::kNotcapable);
  EXPECT_EQ(call("fd_fdstat_set_rights", {Value::i32(ro), Value::i64(abi::kRightFdRead), Value::i64(0)}),
            abi::kNotcapable);
}

TEST_P(WasiTest, ReaddirRenameUnlink) {
  wasi::Options o = options();
  o.deterministic = true;  // sorted listing
  start(o);
  for (const char* name : {"b", "a", "c"}) {
    ASSERT_EQ(open(3, std::string("sub/") + name, abi::kOflagCreat, kRw), 0u);
    ASSERT_EQ(call("fd_close", {Value::i32(u32(kOut))}), 0u);
  }
  ASSERT_EQ(open(3, "sub", abi::kOflagDirectory, abi::kRightFdReaddir), 0u);
  const uint32_t dir = u32(kOut);
  // Read the listing one entry at a time, resuming from each cookie.
  std::vector<std::string> names;
  uint64_t cookie = 0;
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(call("fd_readdir", {Value::i32(dir), Value::i32(kBuf), Value::i32(26), Value::i64(cookie), Value::i32(kOut)}), 0u);
    const uint32_t used = u32(kOut);
    if (used == 0) break;
    const uint32_t namlen = u32(kBuf + 16);
    names.push_back(get(kBuf + 24, std::min<uint32_t>(namlen, used - 24)));
    cookie = u64(kBuf);
    if (i == 2) {
      EXPECT_EQ(mem()[kBuf + 20], abi::kFiletypeRegularFile);
    }
  }
  EXPECT_EQ(names, (std::vector<std::string>{".", "..", "a", "b", "c"}));
  ASSERT_EQ(rename("sub/a", "sub/z"), 0u);
  EXPECT_TRUE(fs::exists(root_ / "sandbox" / "sub" / "z"));
  EXPECT_FALSE(fs::exists(root_ / "sandbox" / "sub" / "a"));
  ASSERT_EQ(on_path("path_unlink_file", 3, "sub/z"), 0u);
  EXPECT_FALSE(fs::exists(root_ / "sandbox" / "sub" / "z"));
  EXPECT_EQ(on_path("path_unlink_file", 3, "sub/z"), abi::kNoent);
  EXPECT_EQ(on_path("path_unlink_file", 3, "sub"), abi::kIsdir);
  EXPECT_EQ(on_path("path_unlink_file", 3, "sub/b/"), abi::kNotdir);
  EXPECT_EQ(on_path("path_remove_directory", 3, "sub"), abi::kNotempty);
  ASSERT_EQ(on_path("path_create_directory", 3, "newdir"), 0u);
  ASSERT_EQ(on_path("path_remove_directory", 3, "newdir/"), 0u);
  EXPECT_EQ(call("fd_readdir", {Value::i32(4 + 100), Value::i32(kBuf), Value::i32(64), Value::i64(0), Value::i32(kOut)}), abi::kBadf);
}

TEST_P(WasiTest, ProcExitUnwindsNestedCalls) {
  start(options());
  Func* deep = instance_->find_export("deep").as_func();
  CallResult r = store_->call(deep, {});
  EXPECT_EQ(r.trap, TrapKind::HostError);
  ASSERT_TRUE(ctx_->exit_code().has_value());
  EXPECT_EQ(*ctx_->exit_code(), kProcExitCode);
}

TEST_P(WasiTest, HostilePointersAreEfault) {
  start(options());
  // iovec array past the end, an iovec whose buffer runs past the end, a
  // count whose byte size overflows 32 bits.
  EXPECT_EQ(call("fd_write", {Value::i32(1), Value::i32(kMemSize - 4), Value::i32(1), Value::i32(kOut)}), abi::kFault);
  set32(kIovs, kMemSize - 2);
  set32(kIovs + 4, 3);
  EXPECT_EQ(call("fd_write", {Value::i32(1), Value::i32(kIovs), Value::i32(1), Value::i32(kOut)}), abi::kFault);
  set32(kIovs, 0xfffffff0u);
  set32(kIovs + 4, 0x20);
  EXPECT_EQ(call("fd_read", {Value::i32(3 + 100), Value::i32(kIovs), Value::i32(1), Value::i32(kOut)}), abi::kBadf);
  EXPECT_EQ(call("fd_write", {Value::i32(1), Value::i32(kIovs), Value::i32(0x20000001), Value::i32(kOut)}), abi::kFault);
  EXPECT_EQ(call("fd_write", {Value::i32(1), Value::i32(kIovs), Value::i32(1), Value::i32(0xffffffffu)}), abi::kFault);
  EXPECT_EQ(call("args_get", {Value::i32(0xfffffffcu), Value::i32(kBuf)}), abi::kFault);
  EXPECT_EQ(call("args_get", {Value::i32(kIovs), Value::i32(kMemSize - 3)}), abi::kFault);
  EXPECT_EQ(call("clock_time_get", {Value::i32(0), Value::i64(1), Value::i32(kMemSize - 7)}), abi::kFault);
  EXPECT_EQ(call("random_get", {Value::i32(kMemSize - 1), Value::i32(2)}), abi::kFault);
  EXPECT_EQ(call("random_get", {Value::i32(1), Value::i32(0xffffffffu)}), abi::kFault);
  EXPECT_EQ(call("path_open", {Value::i32(3), Value::i32(0), Value::i32(kPath), Value::i32(0xffffffffu),
                               Value::i32(0), Value::i64(0), Value::i64(0), Value::i32(0), Value::i32(kOut)}),
            abi::kFault);
  put(kPath, "sub");
  EXPECT_EQ(call("path_filestat_get", {Value::i32(3), Value::i32(0), Value::i32(kPath), Value::i32(3), Value::i32(kMemSize - 63)}), abi::kFault);
  EXPECT_EQ(call("fd_readdir", {Value::i32(3), Value::i32(kMemSize - 10), Value::i32(11), Value::i64(0), Value::i32(kOut)}), abi::kFault);
  // Memory is intact and the store still runs calls.
  EXPECT_EQ(call("sched_yield", {}), 0u);
}

TEST_P(WasiTest, EscapesThroughDotDotAndAbsolutePathsFail) {
  start(options());
  const std::string outside = (root_ / "outside" / "sentinel").string();
  EXPECT_EQ(open(3, "../outside/sentinel", abi::kOflagTrunc, kRw), abi::kPerm);
  EXPECT_EQ(open(3, "sub/../../outside/sentinel", abi::kOflagTrunc, kRw), abi::kPerm);
  EXPECT_EQ(open(3, "sub/../sub/../../outside/sentinel", 0, kRw), abi::kPerm);
  EXPECT_EQ(open(3, outside, abi::kOflagTrunc, kRw), abi::kPerm);
  EXPECT_EQ(open(3, "..", abi::kOflagDirectory, 0), abi::kPerm);
  EXPECT_EQ(on_path("path_unlink_file", 3, "../outside/sentinel"), abi::kPerm);
  EXPECT_EQ(on_path("path_create_directory", 3, "../escaped"), abi::kPerm);
  EXPECT_EQ(on_path("path_create_directory", 3, (root_ / "escaped").string()), abi::kPerm);
  put(kPath, "../outside/sentinel");
  EXPECT_EQ(call("path_filestat_set_times", {Value::i32(3), Value::i32(1), Value::i32(kPath), Value::i32(19),
                                             Value::i64(0), Value::i64(0), Value::i32(abi::kFstMtimNow)}),
            abi::kPerm);
  // A sub-directory's fd cannot climb out either.
  ASSERT_EQ(open(3, "sub", abi::kOflagDirectory, 0), 0u);
  const uint32_t sub = u32(kOut);
  EXPECT_EQ(open(sub, "../../outside/sentinel", abi::kOflagTrunc, kRw), abi::kPerm);
  // Staying inside is fine.
  EXPECT_EQ(open(3, "sub/..", abi::kOflagDirectory, 0), 0u);
  expect_outside_untouched();
}

TEST_P(WasiTest, EscapesThroughSymlinksFail) {
  const fs::path sandbox = root_ / "sandbox";
  fs::create_symlink(root_ / "outside" / "sentinel", sandbox / "abs_link");
  fs::create_symlink("../outside/sentinel", sandbox / "rel_link");
  fs::create_symlink("../outside", sandbox / "dir_link");
  fs::create_symlink("../../outside", sandbox / "sub" / "deep_link");
  fs::create_symlink("loop_b", sandbox / "loop_a");
  fs::create_symlink("loop_a", sandbox / "loop_b");
  fs::create_symlink("self", sandbox / "self");
  start(options());
  EXPECT_EQ(open(3, "abs_link", abi::kOflagTrunc, kRw), abi::kPerm);
  EXPECT_EQ(open(3, "rel_link", abi::kOflagTrunc, kRw), abi::kPerm);
  EXPECT_EQ(open(3, "dir_link/sentinel", abi::kOflagTrunc, kRw), abi::kPerm);
  EXPECT_EQ(open(3, "sub/deep_link/sentinel", 0, kRw), abi::kPerm);
  EXPECT_EQ(open(3, "dir_link/", abi::kOflagDirectory, 0), abi::kPerm);
  EXPECT_EQ(on_path("path_unlink_file", 3, "dir_link/sentinel"), abi::kPerm);
  EXPECT_EQ(on_path("path_create_directory", 3, "dir_link/new"), abi::kPerm);
  put(kPath, "abs_link");
  EXPECT_EQ(call("path_filestat_set_times", {Value::i32(3), Value::i32(abi::kLookupSymlinkFollow), Value::i32(kPath),
                                             Value::i32(8), Value::i64(0), Value::i64(0), Value::i32(abi::kFstMtimNow)}),
            abi::kPerm);
  // Without following, the link itself is what is opened: O_NOFOLLOW refuses it.
  EXPECT_EQ(open(3, "rel_link", 0, abi::kRightFdRead, /*lookup=*/0), abi::kLoop);
  // Loops.
  EXPECT_EQ(open(3, "loop_a", 0, abi::kRightFdRead), abi::kLoop);
  EXPECT_EQ(open(3, "loop_a/x", 0, abi::kRightFdRead), abi::kLoop);
  EXPECT_EQ(open(3, "self", abi::kOflagCreat, kRw), abi::kLoop);
  // Removing or renaming the link is fine and touches only the link.
  EXPECT_EQ(on_path("path_unlink_file", 3, "rel_link"), 0u);
  EXPECT_EQ(rename("abs_link", "moved_link"), 0u);
  expect_outside_untouched();
}

TEST_P(WasiTest, LinkRenameSymlinkTargetsOutsideFail) {
  std::ofstream(root_ / "sandbox" / "inside") << "inside";
  fs::create_symlink("../outside", root_ / "sandbox" / "dir_link");
  start(options());
  EXPECT_EQ(link("inside", "../outside/hardlink"), abi::kPerm);
  EXPECT_EQ(link("../outside/sentinel", "stolen"), abi::kPerm);
  EXPECT_EQ(link("inside", "dir_link/hardlink"), abi::kPerm);
  EXPECT_EQ(rename("inside", "../outside/sentinel"), abi::kPerm);
  EXPECT_EQ(rename("inside", "dir_link/sentinel"), abi::kPerm);
  EXPECT_EQ(rename("../outside/sentinel", "stolen"), abi::kPerm);
  EXPECT_EQ(symlink("../outside/sentinel", "new_link"), abi::kPerm);
  EXPECT_EQ(symlink("sub/../../outside", "new_link"), abi::kPerm);
  EXPECT_EQ(symlink((root_ / "outside" / "sentinel").string(), "new_link"), abi::kPerm);
  EXPECT_EQ(symlink("inside", "../outside/new_link"), abi::kPerm);
  EXPECT_FALSE(fs::exists(fs::symlink_status(root_ / "sandbox" / "new_link")));
  // Inside targets work.
  EXPECT_EQ(symlink("inside", "sub/../ok_link"), 0u);
  EXPECT_EQ(link("inside", "sub/hard"), 0u);
  put(kPath, "ok_link");
  ASSERT_EQ(call("path_readlink", {Value::i32(3), Value::i32(kPath), Value::i32(7), Value::i32(kBuf),
                                   Value::i32(64), Value::i32(kOut)}), 0u);
  EXPECT_EQ(get(kBuf, u32(kOut)), "inside");
  EXPECT_EQ(read_host_file(root_ / "sandbox" / "sub" / "hard"), "inside");
  expect_outside_untouched();
  EXPECT_EQ(read_host_file(root_ / "sandbox" / "inside"), "inside");
}

TEST_P(WasiTest, ReadOnlyPreopenRefusesWrites) {
  start(options());
  const uint32_t ro = 4;
  EXPECT_EQ(open(ro, "data", 0, kRw), abi::kNotcapable);
  EXPECT_EQ(open(ro, "new", abi::kOflagCreat, abi::kRightFdRead), abi::kNotcapable);
  EXPECT_EQ(open(ro, "data", abi::kOflagTrunc, abi::kRightFdRead), abi::kNotcapable);
  EXPECT_EQ(on_path("path_unlink_file", ro, "data"), abi::kNotcapable);
  EXPECT_EQ(on_path("path_create_directory", ro, "d"), abi::kNotcapable);
  put(kPath, "data");
  EXPECT_EQ(call("path_filestat_set_times", {Value::i32(ro), Value::i32(0), Value::i32(kPath), Value::i32(4),
                                             Value::i64(0), Value::i64(0), Value::i32(abi::kFstMtimNow)}),
            abi::kNotcapable);
  // A sub-directory opened below it inherits no write rights either.
  EXPECT_EQ(open(ro, ".", abi::kOflagDirectory, ~uint64_t{0}), abi::kNotcapable);
  ASSERT_EQ(open(ro, ".", abi::kOflagDirectory, abi::kRightFdReaddir), 0u);
  const uint32_t again = u32(kOut);
  EXPECT_EQ(open(again, "data", 0, kRw), abi::kNotcapable);
  // Reading works.
  ASSERT_EQ(open(ro, "data", 0, abi::kRightFdRead), 0u);
  const uint32_t fd = u32(kOut);
  ASSERT_EQ(read(fd, 64), 0u);
  EXPECT_EQ(get(kBuf, u32(kOut)), "read only");
  EXPECT_EQ(write(fd, "x"), abi::kBadf);
  EXPECT_EQ(read_host_file(root_ / "ro" / "data"), "read only");
  EXPECT_FALSE(fs::exists(root_ / "ro" / "new"));
}

TEST_P(WasiTest, MeteredCallsChargeGas) {
  start(options(), /*metered=*/true);
  const wasi::Options defaults;
  store_->set_gas_limit(1'000'000);
  ASSERT_EQ(call("sched_yield", {}), 0u);
  const uint64_t one_call = store_->gas_report().used_externally;
  EXPECT_EQ(one_call, defaults.gas_per_call);
  ASSERT_EQ(write(2, ""), 0u);
  ASSERT_EQ(call("random_get", {Value::i32(kBuf), Value::i32(1000)}), 0u);
  EXPECT_EQ(store_->gas_report().used_externally, 3 * defaults.gas_per_call + 1000 * defaults.gas_per_byte);
  // A read is charged for the bytes it got, not the buffer it offered.
  std::ofstream(root_ / "sandbox" / "ten") << "0123456789";
  ASSERT_EQ(open(3, "ten", 0, abi::kRightFdRead), 0u);
  const uint64_t before_read = store_->gas_report().used_externally;
  ASSERT_EQ(read(u32(kOut), 1000), 0u);
  EXPECT_EQ(u32(kOut), 10u);
  EXPECT_EQ(store_->gas_report().used_externally - before_read, defaults.gas_per_call + 10 * defaults.gas_per_byte);
  // Out of gas mid-call traps.
  store_->set_gas_limit(150);
  Func* f = instance_->find_export("w_random_get").as_func();
  CallResult r = store_->call(f, {Value::i32(kBuf), Value::i32(1000)});
  EXPECT_EQ(r.trap, TrapKind::OutOfGas);
}

TEST_P(WasiTest, LinkRejectsWrongSignatureAndUnknownName) {
  Config config;
  apply_tier(config, GetParam());
  Engine engine(config);
  for (auto [name, params] : {std::pair<const char*, std::vector<ValType>>{"fd_write", {I32, I32, I32}},
                              {"no_such_call", {I32}}}) {
    ModuleBuilder m;
    m.add_import_func(wasi::kModuleName, name, m.type(params, {I32}));
    const Bytes bytes = m.build();
    auto module = compile(engine, bytes.data(), bytes.size());
    ASSERT_TRUE(module.ok());
    auto ctx = wasi::Context::create(wasi::Options{});
    ASSERT_TRUE(ctx.ok());
    Store store(engine);
    std::vector<Extern> imports;
    auto linked = ctx.value()->link(store, **module, imports);
    ASSERT_FALSE(linked.ok());
    EXPECT_EQ(linked.error().kind, ErrorKind::Unlinkable);
    EXPECT_NE(linked.error().message.find(name), std::string::npos);
  }
  wasi::Options bad;
  bad.preopens.push_back({"/nonexistent/wvm-wasi-dir", "/", false});
  auto ctx = wasi::Context::create(bad);
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.error().kind, ErrorKind::Io);
}

}  // namespace
}  // namespace wvm
