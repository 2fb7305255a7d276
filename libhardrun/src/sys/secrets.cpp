// SPDX-License-Identifier: Apache-2.0
#include "hardrun/sys/secrets.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "hardrun/base/unique_fd.hpp"
#include "hardrun/sys/fs.hpp"

namespace hardrun::sys {
namespace {

using base::UniqueFd;

bool
is_memory_fs(const struct statfs& st)
{
  return st.f_type == TMPFS_MAGIC || st.f_type == RAMFS_MAGIC;
}

Result<void>
check_root(const std::string& root)
{
  struct stat st{};
  if (::lstat(root.c_str(), &st) != 0) {
    return make_sys_error(errno, "secrets directory " + root);
  }
  if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) != 0) {
    // Threat: a directory others can write lets them swap a secret or plant a link.
    return make_error(Errc::insecure, "secrets directory " + root + " must be a root-owned directory writable only by root");
  }
  struct statfs fs{};
  if (::statfs(root.c_str(), &fs) != 0) {
    return make_sys_error(errno, "statfs " + root);
  }
  if (!is_memory_fs(fs)) {
    return make_error(Errc::insecure, "secrets directory " + root + " is not on tmpfs or ramfs: secrets would reach persistent disk");
  }
  return {};
}

} // namespace

Result<void>
ensure_secret_root(const std::string& root, bool may_mount)
{
  // Parents (/run/hardrun) are created root-only-writable; the container's root user must be
  // able to traverse them to reach its bind source, so 0711, never listable.
  std::string partial;
  std::size_t pos = 1;
  while (pos <= root.size()) {
    const auto next = root.find('/', pos);
    partial = root.substr(0, next == std::string::npos ? root.size() : next);
    if (::mkdir(partial.c_str(), 0711) != 0 && errno != EEXIST) {
      return make_sys_error(errno, "create " + partial);
    }
    if (next == std::string::npos) {
      break;
    }
    pos = next + 1;
  }
  struct statfs fs{};
  if (::statfs(root.c_str(), &fs) != 0) {
    return make_sys_error(errno, "statfs " + root);
  }
  if (!is_memory_fs(fs)) {
    if (!may_mount) {
      return make_error(Errc::insecure, "secrets directory " + root + " is not on tmpfs or ramfs: secrets would reach persistent disk");
    }
    if (::mount("tmpfs", root.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0711,size=64m") != 0) {
      return make_sys_error(errno, "mount a tmpfs on " + root + " for secrets");
    }
  }
  return check_root(root);
}

Result<std::string>
read_secret_source(const std::string& path)
{
  ReadOptions ro;
  ro.max_bytes = k_max_secret_bytes;
  ro.no_follow = true;    // X1: a link could point the secret at another file
  ro.single_link = false; // a hard-linked key is still the admin's own file
  ro.trusted_owner = false;
  auto file = read_file(path, ro);
  if (!file) {
    auto e = std::move(file).error();
    if (e.message.find("larger than") != std::string::npos || e.message.find("too large") != std::string::npos) {
      e.message += " (secrets are limited to 512 KiB)";
    }
    return Unexpected(std::move(e).with_context("secret"));
  }
  if ((file->identity.mode & 077) != 0) {
    // X2: a secret other users can read is already disclosed; do not spread it further.
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(file->identity.mode & 07777));
    return make_error(Errc::insecure, "secret " + path + ": insecure secret permissions " + mode +
                                        " (group or others can read it); fix: chmod 600 " + path);
  }
  if (file->identity.uid != 0 && file->identity.uid != ::geteuid()) {
    // X2: a secret owned by another user is that user's to change or to widen (chmod) at any
    // time; hardrun would hand a container whatever that user put there.
    return make_error(Errc::insecure, "secret " + path + ": insecure secret permissions: owned by uid " +
                                        std::to_string(file->identity.uid) + "; fix: chown root: " + path);
  }
  return std::move(file->bytes);
}

Result<std::string>
create_stage(const std::string& root)
{
  const std::string dir = root + "/stage-" + random_token();
  if (::mkdir(dir.c_str(), 0700) != 0) {
    return make_sys_error(errno, "create " + dir);
  }
  return dir;
}

Result<void>
write_staged(const std::string& stage_dir, const std::string& name, const std::string& bytes)
{
  const std::string path = stage_dir + "/" + name;
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400));
  if (!fd) {
    return make_sys_error(errno, "create secret " + path);
  }
  if (auto w = write_all(fd.get(), bytes, path); !w) {
    // D4: a full tmpfs must not leave half a secret behind.
    ::unlink(path.c_str());
    return w;
  }
  return {};
}

Result<void>
claim_secrets(const std::string& root, const std::string& container_id, const std::vector<SecretToClaim>& secrets,
              std::uint32_t uid, std::uint32_t gid)
{
  HARDRUN_TRY(check_root(root));
  const std::string dir = root + "/ctr-" + container_id;
  if (::mkdir(dir.c_str(), 0711) != 0 && errno != EEXIST) {
    return make_sys_error(errno, "create " + dir);
  }
  struct stat dst{};
  if (::lstat(dir.c_str(), &dst) != 0 || !S_ISDIR(dst.st_mode) || dst.st_uid != 0) {
    return make_error(Errc::insecure, dir + " is not a root-owned directory");
  }
  for (const auto& s : secrets) {
    const std::string target = dir + "/" + s.name;
    if (s.source != target) {
      if (::rename(s.source.c_str(), target.c_str()) != 0) {
        if (errno == ENOENT) {
          struct stat st{};
          if (::lstat(target.c_str(), &st) == 0) {
            continue; // claimed by an earlier create of this container
          }
          return make_error(Errc::not_found, "secret " + s.name + " is gone from " + s.source +
                                               " (secrets last one run of a container; a reboot clears them): run the container again with hardrun run --secret");
        }
        return make_sys_error(errno, "move secret " + s.name + " to " + dir);
      }
      // The stage directory is empty once all its files moved; rmdir fails harmlessly otherwise.
      const auto slash = s.source.rfind('/');
      if (slash != std::string::npos) {
        ::rmdir(s.source.substr(0, slash).c_str());
      }
    }
    UniqueFd fd(::open(target.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
      return make_sys_error(errno, "open secret " + target);
    }
    struct stat st{};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return make_error(Errc::insecure, "secret " + target + " is not a regular file");
    }
    // Owner = the service user as the container sees it (mapped through the user namespace),
    // mode 0400: readable by that user only.
    if (::fchown(fd.get(), uid, gid) != 0 || ::fchmod(fd.get(), 0400) != 0) {
      return make_sys_error(errno, "chown/chmod secret " + target);
    }
  }
  return {};
}

Result<void>
remove_secret_dir(const std::string& dir)
{
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) {
      return {};
    }
    return make_sys_error(errno, "open " + dir);
  }
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    if (n != "." && n != "..") {
      names.push_back(n);
    }
  }
  ::closedir(d);
  for (const auto& n : names) {
    if (::unlinkat(AT_FDCWD, (dir + "/" + n).c_str(), 0) != 0 && errno != ENOENT) {
      return make_sys_error(errno, "remove " + dir + "/" + n);
    }
  }
  if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) {
    return make_sys_error(errno, "remove " + dir);
  }
  return {};
}

void
sweep_stages(const std::string& root, std::chrono::seconds max_age)
{
  DIR* d = ::opendir(root.c_str());
  if (d == nullptr) {
    return;
  }
  std::vector<std::string> old;
  const auto now = std::time(nullptr);
  while (const dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    if (n.rfind("stage-", 0) != 0) {
      continue;
    }
    struct stat st{};
    if (::fstatat(::dirfd(d), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)
        && now - st.st_mtime > max_age.count()) {
      old.push_back(root + "/" + n);
    }
  }
  ::closedir(d);
  for (const auto& dir : old) {
    (void)remove_secret_dir(dir);
  }
}

} // namespace hardrun::sys
