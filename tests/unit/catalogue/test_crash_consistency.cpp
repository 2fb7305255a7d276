// SPDX-License-Identifier: Apache-2.0
//
// Crash consistency of the atomic writer (security.md §4.10 M1): a writer killed between
// creating its temp file and the rename leaves that temp file behind; the next write of the
// same target removes it, but never the temp file of a writer that is still alive (it holds a
// flock on it). tests/integration/faults.sh does the same with real SIGKILLs of the shim.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>

#include "../support.hpp"
#include "hardrun/base/unique_fd.hpp"
#include "hardrun/sys/fs.hpp"

using hardrun::sys::atomic_write;
using hardrun::sys::WriteOptions;
using hardrun::test::read_text;
using hardrun::test::TempDir;
using hardrun::test::write_text;

namespace {

bool
exists(const std::string& path)
{
  return std::filesystem::exists(std::filesystem::symlink_status(path));
}

} // namespace

TEST_CASE("atomic_write sweeps the temp files of killed writers of the same target (M1)", "[hardrun::sys][fs][catalogue]")
{
  TempDir dir;
  const auto target = dir.file("config.json");
  write_text(target, "original");
  // What a writer SIGKILLed before its rename leaves: a half-written temp file, no lock.
  const auto stale = dir.file(".config.json.0123456789abcdef.hardrun-tmp");
  write_text(stale, "{\"half\":");
  // Another target's temp file and an unrelated file are not ours to remove.
  const auto other = dir.file(".hooks.json.0123456789abcdef.hardrun-tmp");
  write_text(other, "x");
  const auto unrelated = dir.file("config.json.hardrun-tmp.bak");
  write_text(unrelated, "x");

  REQUIRE(atomic_write(target, "rewritten", WriteOptions{}).has_value());
  CHECK(read_text(target) == "rewritten");
  CHECK_FALSE(exists(stale));
  CHECK(exists(other));
  CHECK(exists(unrelated));
}

TEST_CASE("atomic_write leaves a live writer's temp file alone (M1)", "[hardrun::sys][fs][catalogue]")
{
  TempDir dir;
  const auto target = dir.file("config.json");
  write_text(target, "original");
  const auto live = dir.file(".config.json.fedcba9876543210.hardrun-tmp");
  write_text(live, "in progress");
  // A concurrent writer holds the lock on its temp file for its whole life.
  const hardrun::base::UniqueFd held(::open(live.c_str(), O_RDONLY | O_CLOEXEC));
  REQUIRE(held.get() >= 0);
  REQUIRE(::flock(held.get(), LOCK_EX | LOCK_NB) == 0);

  REQUIRE(atomic_write(target, "rewritten", WriteOptions{}).has_value());
  CHECK(read_text(target) == "rewritten");
  CHECK(exists(live));
}

TEST_CASE("a symlink named like a temp file is never followed by the sweep", "[hardrun::sys][fs][catalogue]")
{
  TempDir dir;
  const auto target = dir.file("config.json");
  write_text(target, "original");
  const auto victim = dir.file("victim");
  write_text(victim, "keep");
  const auto link = dir.file(".config.json.1111111111111111.hardrun-tmp");
  REQUIRE(::symlink(victim.c_str(), link.c_str()) == 0);

  REQUIRE(atomic_write(target, "rewritten", WriteOptions{}).has_value());
  CHECK(read_text(victim) == "keep");
  CHECK(exists(link));
}
