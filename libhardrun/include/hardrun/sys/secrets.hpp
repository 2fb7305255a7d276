// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hardrun/base/result.hpp"

namespace hardrun::sys {

// Secret files of `hardrun run --secret` live only on tmpfs/ramfs below one root directory
// (hardrun.json secretsDir): staged by `hardrun run` in <root>/stage-<token>/NAME before the
// container id exists, moved by the runtime shim to <root>/ctr-<id>/NAME and chowned to the
// container's service user on create, removed by the shim on delete. Threat: a secret copied
// to persistent disk outlives the container and ends up in backups (podman's own secrets do:
// DESIGN.md platform facts).

inline constexpr std::size_t k_max_secret_bytes = 512U * 1024U;

// The root exists, is a root-owned directory not writable by others, mode 0711, on tmpfs or
// ramfs. With may_mount, a root that is not on tmpfs gets a tmpfs of its own mounted over it
// (nosuid,nodev,noexec,mode=0711); without, that is an error.
[[nodiscard]] Result<void> ensure_secret_root(const std::string& root, bool may_mount);

// Read a secret source file: a regular file (no symlink, FIFO, device or directory), at most
// k_max_secret_bytes, not readable by group or others (X1, X2, X9). Errors name the file and say
// how to fix it.
[[nodiscard]] Result<std::string> read_secret_source(const std::string& path);

// A new, empty stage directory <root>/stage-<token> (0700); returns its path.
[[nodiscard]] Result<std::string> create_stage(const std::string& root);

// Write one staged secret (O_EXCL, 0400, fsync-free: tmpfs). A partial write is unlinked (D4).
[[nodiscard]] Result<void> write_staged(const std::string& stage_dir, const std::string& name, const std::string& bytes);

// Move the named files from their stage directories into <root>/ctr-<id>/ (created 0711), owner
// host uid/gid, mode 0400. A file already there (the same container created again after a
// failed write) is only re-owned. Sources are "<stage dir>/<name>" or "<ctr dir>/<name>".
struct SecretToClaim {
  std::string source;
  std::string name;
};
[[nodiscard]] Result<void> claim_secrets(const std::string& root, const std::string& container_id,
                                         const std::vector<SecretToClaim>& secrets, std::uint32_t uid, std::uint32_t gid);

// Remove a hardrun secret directory (<root>/stage-… or <root>/ctr-…) and the regular files in
// it; a missing directory is fine.
[[nodiscard]] Result<void> remove_secret_dir(const std::string& dir);

// Remove stage directories older than max_age (a `hardrun run` that died before podman created
// the container).
void sweep_stages(const std::string& root, std::chrono::seconds max_age);

} // namespace hardrun::sys
