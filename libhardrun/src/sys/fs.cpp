// SPDX-License-Identifier: Apache-2.0
#include "hardrun/sys/fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "hardrun/base/unique_fd.hpp"

namespace hardrun::sys {
namespace {

Result<void>
check_file(const std::string& path, const struct stat& st, const ReadOptions& options)
{
  if (S_ISDIR(st.st_mode)) {
    return make_error(Errc::invalid_input, path + ": is a directory, expected a file");
  }
  if (!S_ISREG(st.st_mode)) {
    return make_error(Errc::insecure,
                      path + ": not a regular file (FIFO, socket or device); refusing to read it");
  }
  if (options.single_link && st.st_nlink > 1) {
    return make_error(Errc::insecure,
                      path + ": has " + std::to_string(st.st_nlink)
                        + " hard links; refusing a file that is also reachable elsewhere");
  }
  if (options.trusted_owner) {
    if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
      return make_error(Errc::insecure,
                        path + ": insecure permissions: owned by uid " + std::to_string(st.st_uid)
                          + "; make it owned by root (chown root: " + path + ")");
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
      return make_error(Errc::insecure,
                        path + ": insecure permissions: writable by group or others; run chmod go-w "
                          + path);
    }
  }
  if (static_cast<std::size_t>(st.st_size) > options.max_bytes) {
    return make_error(Errc::invalid_input,
                      path + ": exceeds " + std::to_string(options.max_bytes) + " bytes ("
                        + std::to_string(st.st_size) + ")");
  }
  return {};
}

Result<std::string>
read_all(int fd, std::size_t max_bytes, std::string_view what)
{
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return make_sys_error(errno, "read " + std::string(what));
    }
    if (n == 0) {
      return out;
    }
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      return make_error(Errc::invalid_input,
                        std::string(what) + ": exceeds " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
}

std::pair<std::string, std::string>
split_path(const std::string& path)
{
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) {
    return {".", path};
  }
  if (slash == 0) {
    return {"/", path.substr(1)};
  }
  return {path.substr(0, slash), path.substr(slash + 1)};
}

std::string
random_suffix()
{
  unsigned char raw[8] = {};
  if (::getrandom(raw, sizeof raw, 0) != static_cast<ssize_t>(sizeof raw)) {
    // O_EXCL still guarantees uniqueness; the pid keeps collisions unlikely.
    const auto pid = static_cast<unsigned>(::getpid());
    for (std::size_t i = 0; i < sizeof raw; ++i) {
      raw[i] = static_cast<unsigned char>(pid >> ((i % 4) * 8));
    }
  }
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : raw) {
    out += k_hex[c >> 4];
    out += k_hex[c & 15];
  }
  return out;
}

// Removes the temp files an earlier atomic_write of the same target left behind when it was
// killed (SIGKILL, OOM) between creating its temp file and the rename. Threat: stale copies of
// a config (its mounts, env) lingering next to it, and temp files piling up in a bundle. A
// live writer holds an exclusive flock on its temp file for its whole life and the kernel
// drops it when the writer dies, so only a file whose lock can be taken at once is stale. The
// rare race with a writer that has created but not yet locked its file makes that writer's
// rename fail (ENOENT): a refusal, never a partial file.
void
sweep_stale_temps(int dirfd, const std::string& base)
{
  const int scan_fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (scan_fd < 0) {
    return;
  }
  DIR* d = ::fdopendir(scan_fd);
  if (d == nullptr) {
    ::close(scan_fd);
    return;
  }
  const std::string prefix = "." + base + ".";
  while (const dirent* e = ::readdir(d)) {
    const std::string_view n = e->d_name;
    if (n.size() <= prefix.size() + k_temp_suffix.size() || n.substr(0, prefix.size()) != prefix
        || n.substr(n.size() - k_temp_suffix.size()) != k_temp_suffix) {
      continue;
    }
    base::UniqueFd fd(::openat(dirfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
      continue;
    }
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) {
      ::unlinkat(dirfd, e->d_name, 0);
    }
  }
  ::closedir(d);
}

} // namespace

std::string
random_token()
{
  return random_suffix();
}

Result<LoadedFile>
read_file(const std::string& path, const ReadOptions& options)
{
  // O_NONBLOCK: opening a FIFO must not block; it is refused after fstat anyway.
  int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  if (options.no_follow) {
    flags |= O_NOFOLLOW;
  }
  base::UniqueFd fd(::open(path.c_str(), flags));
  if (!fd) {
    const int err = errno;
    if (err == ELOOP && options.no_follow) {
      return make_error(Errc::insecure, path + ": is a symbolic link; refusing to follow it (use the real path)");
    }
    if (err == ENOENT) {
      return Unexpected(Error{Errc::not_found, err, path + ": No such file or directory", {}});
    }
    return make_sys_error(err, "open " + path);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return make_sys_error(errno, "fstat " + path);
  }
  HARDRUN_TRY(check_file(path, st, options));
  const int fl = ::fcntl(fd.get(), F_GETFL);
  if (fl < 0 || ::fcntl(fd.get(), F_SETFL, fl & ~O_NONBLOCK) != 0) {
    return make_sys_error(errno, "fcntl " + path);
  }
  HARDRUN_TRY_ASSIGN(bytes, read_all(fd.get(), options.max_bytes, path));
  return LoadedFile{std::move(bytes), FileIdentity{st.st_dev, st.st_ino, st.st_mode & 07777, st.st_uid, st.st_gid}};
}

Result<std::string>
read_fd(int fd, std::size_t max_bytes, std::string_view what)
{
  return read_all(fd, max_bytes, what);
}

Result<void>
write_all(int fd, std::string_view bytes, std::string_view what)
{
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return make_sys_error(errno, "write " + std::string(what));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Result<void>
atomic_write(const std::string& path, std::string_view bytes, const WriteOptions& options)
{
  const auto [dir, base] = split_path(path);
  if (base.empty() || base == "." || base == "..") {
    return make_error(Errc::invalid_input, path + ": not a file name");
  }
  base::UniqueFd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dirfd) {
    return make_sys_error(errno, "open directory " + dir);
  }
  const std::string tmp = "." + base + "." + random_suffix() + std::string(k_temp_suffix);
  const mode_t mode = options.replaces ? options.replaces->mode : options.mode;
  sweep_stale_temps(dirfd.get(), base);
  base::UniqueFd fd(::openat(dirfd.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) {
    return make_sys_error(errno, "create temp file in " + dir);
  }
  // Held until this process closes the file or dies: marks the temp file as in use for the
  // sweep_stale_temps() of a later writer.
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    return make_sys_error(errno, "lock temp file " + dir + "/" + tmp);
  }
  // The lock belongs to the open file description: a duplicate keeps it past the close below,
  // up to the rename.
  const base::UniqueFd lock_holder(::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3));
  bool committed = false;
  struct Cleanup {
    int dir;
    const std::string& name;
    bool& done;
    ~Cleanup()
    {
      if (!done) {
        ::unlinkat(dir, name.c_str(), 0);
      }
    }
  } cleanup{dirfd.get(), tmp, committed};

  const std::string tmp_path = dir + "/" + tmp;
  if (options.replaces) {
    const auto& id = *options.replaces;
    struct stat mine {};
    if (::fstat(fd.get(), &mine) != 0) {
      return make_sys_error(errno, "fstat " + tmp_path);
    }
    if ((mine.st_uid != id.uid || mine.st_gid != id.gid) && ::fchown(fd.get(), id.uid, id.gid) != 0) {
      return make_sys_error(errno, "fchown " + tmp_path);
    }
  }
  if (::fchmod(fd.get(), mode) != 0) {
    return make_sys_error(errno, "fchmod " + tmp_path);
  }
  HARDRUN_TRY(write_all(fd.get(), bytes, tmp_path));
  if (::fsync(fd.get()) != 0) {
    return make_sys_error(errno, "fsync " + tmp_path);
  }
  if (!fd.close()) {
    return make_sys_error(errno, "close " + tmp_path);
  }
  if (options.replaces) {
    // Threat: the target was swapped (for a symlink or another file) after we read it; renaming
    // over it would then commit a rewrite of a file we never checked.
    struct stat now {};
    if (::fstatat(dirfd.get(), base.c_str(), &now, AT_SYMLINK_NOFOLLOW) != 0) {
      return make_sys_error(errno, "stat " + path + " before replacing it");
    }
    if (now.st_dev != options.replaces->dev || now.st_ino != options.replaces->ino) {
      return make_error(Errc::conflict, path + ": was replaced while hardrun was rewriting it; nothing written");
    }
  }
  if (::renameat(dirfd.get(), tmp.c_str(), dirfd.get(), base.c_str()) != 0) {
    return make_sys_error(errno, "rename " + tmp_path + " to " + path);
  }
  committed = true;
  if (::fsync(dirfd.get()) != 0) {
    // The new content is in place; only its durability across a power loss is in doubt.
    return make_sys_error(errno, "fsync directory " + dir);
  }
  return {};
}

} // namespace hardrun::sys
