// SPDX-License-Identifier: Apache-2.0
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "../support.hpp"
#include "hardrun/sys/fs.hpp"

using hardrun::Errc;
using hardrun::sys::atomic_write;
using hardrun::sys::read_file;
using hardrun::sys::ReadOptions;
using hardrun::sys::WriteOptions;
using hardrun::test::read_text;
using hardrun::test::TempDir;
using hardrun::test::write_text;

namespace {

std::size_t
temp_files(const std::string& dir)
{
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().find(".hardrun-tmp") != std::string::npos) {
      ++n;
    }
  }
  return n;
}

} // namespace

TEST_CASE("read_file refuses symlinks, hard links, FIFOs, directories and oversize files", "[hardrun::sys][fs]")
{
  TempDir dir;
  write_text(dir.file("config.json"), "{}");
  write_text(dir.file("secret"), "do not read");
  REQUIRE(::symlink(dir.file("secret").c_str(), dir.file("link.json").c_str()) == 0);
  REQUIRE(::link(dir.file("secret").c_str(), dir.file("hard.json").c_str()) == 0);
  REQUIRE(::mkfifo(dir.file("fifo.json").c_str(), 0600) == 0);

  const ReadOptions opts{1024, true, true, false};
  CHECK(read_file(dir.file("config.json"), opts)->bytes == "{}");

  auto link = read_file(dir.file("link.json"), opts);
  REQUIRE_FALSE(link.has_value());
  CHECK(link.error().code == Errc::insecure);
  CHECK_THAT(link.error().what(), Catch::Contains("symbolic link"));

  auto hard = read_file(dir.file("hard.json"), opts);
  REQUIRE_FALSE(hard.has_value());
  CHECK(hard.error().code == Errc::insecure);
  CHECK_THAT(hard.error().what(), Catch::Contains("2 hard links"));

  // Must return at once instead of blocking on a FIFO with no writer.
  auto fifo = read_file(dir.file("fifo.json"), opts);
  REQUIRE_FALSE(fifo.has_value());
  CHECK_THAT(fifo.error().what(), Catch::Contains("not a regular file"));

  CHECK_THAT(read_file(dir.path(), opts).error().what(), Catch::Contains("is a directory"));
  CHECK(read_file(dir.file("missing.json"), opts).error().code == Errc::not_found);
  CHECK_THAT(read_file(dir.file("config.json"), ReadOptions{1, true, true, false}).error().what(), Catch::Contains("exceeds 1 bytes"));
}

TEST_CASE("read_file with trusted_owner refuses group- or world-writable files", "[hardrun::sys][fs]")
{
  TempDir dir;
  write_text(dir.file("p.json"), "{}");
  REQUIRE(::chmod(dir.file("p.json").c_str(), 0664) == 0);
  auto r = read_file(dir.file("p.json"), ReadOptions{1024, false, false, true});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::insecure);
  CHECK_THAT(r.error().what(), Catch::Contains("writable by group or others"));
  REQUIRE(::chmod(dir.file("p.json").c_str(), 0644) == 0);
  CHECK(read_file(dir.file("p.json"), ReadOptions{1024, false, false, true}).has_value());
}

TEST_CASE("atomic_write replaces the file, keeps its mode and leaves no temp file", "[hardrun::sys][fs]")
{
  TempDir dir;
  const auto path = dir.file("config.json");
  write_text(path, "old");
  REQUIRE(::chmod(path.c_str(), 0640) == 0);
  auto loaded = read_file(path, ReadOptions{1024, true, true, false});
  REQUIRE(loaded.has_value());

  REQUIRE(atomic_write(path, "new content", WriteOptions{loaded->identity, 0644}).has_value());
  CHECK(read_text(path) == "new content");
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);
  CHECK(temp_files(dir.path()) == 0);
}

TEST_CASE("atomic_write refuses a file that was swapped after it was read", "[hardrun::sys][fs]")
{
  TempDir dir;
  const auto path = dir.file("config.json");
  write_text(path, "original");
  auto loaded = read_file(path, ReadOptions{1024, true, true, false});
  REQUIRE(loaded.has_value());
  // Someone replaces the file (a new inode) between our read and our write.
  write_text(dir.file("other"), "swapped");
  REQUIRE(::rename(dir.file("other").c_str(), path.c_str()) == 0);

  auto r = atomic_write(path, "hardened", WriteOptions{loaded->identity, 0644});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::conflict);
  CHECK(read_text(path) == "swapped");
  CHECK(temp_files(dir.path()) == 0);
}

TEST_CASE("atomic_write failures leave the target untouched", "[hardrun::sys][fs]")
{
  TempDir dir;
  auto missing_dir = atomic_write(dir.file("nope/config.json"), "x", WriteOptions{});
  REQUIRE_FALSE(missing_dir.has_value());
  CHECK(missing_dir.error().code == Errc::system);
  CHECK_THAT(missing_dir.error().what(), Catch::Contains("open directory"));

  // A target that is a directory: rename fails, the temp file is removed.
  std::filesystem::create_directory(dir.file("config.json"));
  auto r = atomic_write(dir.file("config.json"), "x", WriteOptions{});
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error().what(), Catch::Contains("rename"));
  CHECK(std::filesystem::is_directory(dir.file("config.json")));
  CHECK(temp_files(dir.path()) == 0);
}

TEST_CASE("atomic_write replaces a symlink itself, never its target", "[hardrun::sys][fs]")
{
  TempDir dir;
  write_text(dir.file("target"), "keep me");
  REQUIRE(::symlink(dir.file("target").c_str(), dir.file("out.json").c_str()) == 0);
  REQUIRE(atomic_write(dir.file("out.json"), "written", WriteOptions{}).has_value());
  CHECK(read_text(dir.file("target")) == "keep me");
  CHECK(read_text(dir.file("out.json")) == "written");
  CHECK_FALSE(std::filesystem::is_symlink(dir.file("out.json")));
}
