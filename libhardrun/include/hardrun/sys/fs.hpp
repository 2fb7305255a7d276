// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "hardrun/base/result.hpp"

namespace hardrun::sys {

// Identity of a file as it was read; the atomic writer uses it to detect that the file was
// replaced between read and write.
struct FileIdentity {
  dev_t dev = 0;
  ino_t ino = 0;
  mode_t mode = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

struct ReadOptions {
  std::size_t max_bytes = 0;
  // Refuse a symlink as the last path component (O_NOFOLLOW). Threat: a config.json that is a
  // link to /etc/shadow or to another bundle would be read, and worse, rewritten (C1).
  bool no_follow = true;
  // Refuse st_nlink > 1. Threat: a hard link makes the "same" file appear in two places; a
  // rename would split them (C2).
  bool single_link = true;
  // Require the file to be owned by root or the effective uid and not group/world-writable.
  // Threat: whoever can write a profile or key decides what runs (P6).
  bool trusted_owner = false;
};

struct LoadedFile {
  std::string bytes;
  FileIdentity identity;
};

// Read a whole regular file, refusing FIFOs, devices and directories (a FIFO would block
// forever) and anything larger than max_bytes.
[[nodiscard]] Result<LoadedFile> read_file(const std::string& path, const ReadOptions& options);

// Read an already open descriptor (stdin) to EOF, refusing more than max_bytes.
[[nodiscard]] Result<std::string> read_fd(int fd, std::size_t max_bytes, std::string_view what);

struct WriteOptions {
  // The file being replaced, as read. When set, the write is refused if the path no longer
  // names that inode, and the new file gets its mode and owner.
  std::optional<FileIdentity> replaces;
  mode_t mode = 0644;
};

// Replace `path` atomically: a temp file in the same directory opened with
// O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, write, fsync, renameat over the target, fsync of the
// directory (so a crash shows the old or the new file, never a torn or empty one). Any failure
// unlinks the temp file and leaves the original byte-identical.
[[nodiscard]] Result<void>
atomic_write(const std::string& path, std::string_view bytes, const WriteOptions& options);

// Write all bytes to fd, retrying on EINTR and short writes.
[[nodiscard]] Result<void> write_all(int fd, std::string_view bytes, std::string_view what);

// 16 random hex characters (getrandom), for unique file and directory names.
[[nodiscard]] std::string random_token();

// Suffix of the temp files atomic_write creates; a temp file is named
// ".<target>.<random>.hardrun-tmp".
inline constexpr std::string_view k_temp_suffix = ".hardrun-tmp";

} // namespace hardrun::sys
