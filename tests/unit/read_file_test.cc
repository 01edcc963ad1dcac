// wvm::read_file: contents exact for every size and for pipes, errors as Io,
// and nothing big on the native stack (it runs on a 32 KiB thread, where a
// 64 KiB stack buffer overflowed; on AArch64 the platform minimum, 128 KiB).
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <thread>
#include <string>
#include <vector>

#include "tests/unit/sized_thread.h"
#include "wvm/wvm.h"

namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 131 + (i >> 9));
  return v;
}

class ReadFileTest : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("wvm-read-file-" + std::to_string(getpid()));
  void SetUp() override { fs::create_directories(dir); }
  void TearDown() override { fs::remove_all(dir); }
  fs::path write(const std::string& name, const std::vector<uint8_t>& bytes) {
    const fs::path p = dir / name;
    FILE* f = std::fopen(p.c_str(), "wb");
    if (!bytes.empty()) std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    return p;
  }
};

TEST_F(ReadFileTest, EverySizeOnA32KiBThread) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{65'535}, size_t{65'536}, size_t{65'537},
                   size_t{3'000'001}}) {
    const std::vector<uint8_t> want = pattern(n);
    const fs::path p = write("f" + std::to_string(n), want);
    bool same = false;
    wvm::test::run_on_sized_thread(32 * 1024, [&] {
      wvm::Result<std::vector<uint8_t>> got = wvm::read_file(p.string());
      same = got.ok() && got.value() == want;
    });
    EXPECT_TRUE(same) << n << " bytes";
  }
}

TEST_F(ReadFileTest, APipeIsReadToItsEnd) {
  const fs::path fifo = dir / "fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const std::vector<uint8_t> want = pattern(200'000);  // more than one pipe buffer
  std::thread writer([&] {
    FILE* f = std::fopen(fifo.c_str(), "wb");
    std::fwrite(want.data(), 1, want.size(), f);
    std::fclose(f);
  });
  wvm::Result<std::vector<uint8_t>> got = wvm::read_file(fifo.string());
  writer.join();
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(got.value(), want);
}

TEST_F(ReadFileTest, MissingFileAndDirectoryAreIoErrors) {
  wvm::Result<std::vector<uint8_t>> missing = wvm::read_file((dir / "nope").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, wvm::ErrorKind::Io);
  wvm::Result<std::vector<uint8_t>> directory = wvm::read_file(dir.string());
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.error().kind, wvm::ErrorKind::Io);
}

}  // namespace
