// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hardrun/base/result.hpp"
#include "hardrun/spec/json.hpp"
#include "hardrun/sys/env.hpp"

namespace hardrun::policy {

inline constexpr int k_profile_version = 1;
inline constexpr std::size_t k_max_profile_bytes = 1U << 20U;

struct TmpfsMount {
  std::string path;
  std::vector<std::string> options;
};

// Where the host ids of a user namespace come from.
struct UserNamespaceRule {
  // Read the ranges of this user from /etc/subuid and /etc/subgid (podman's --userns=auto uses
  // "containers"). Empty when the ranges are given explicitly.
  std::string subid_user;
  std::vector<sys::HostRange> uid_ranges;
  std::vector<sys::HostRange> gid_ranges;
  // How many ids a mapping added by hardrun covers (container ids 0..size-1).
  std::uint32_t size = 65536;
};

// A hardening profile (hardrun-policy(5)). Each section is named after the modifier or rule that
// uses it. Profiles tune settings; they cannot switch a protection off.
struct Policy {
  std::string source; // the file it was loaded from
  std::string name;
  std::string description;

  std::vector<TmpfsMount> tmpfs;                // read-only-root: writable tmpfs allow-list
  std::vector<std::string> allowed_capabilities; // drop-capabilities
  std::uint32_t uid = 0;                         // non-root-user
  std::uint32_t gid = 0;
  UserNamespaceRule user_namespace;             // user-namespace
  std::string seccomp_path;                      // seccomp (resolved, absolute)
  spec::Json seccomp_profile;                    // the OCI linux.seccomp object
  std::vector<std::string> masked_paths;         // masked-paths
  std::vector<std::string> readonly_paths;       // readonly-paths
  std::int64_t pids_limit = 0;                   // pids-limit
  std::vector<std::string> sensitive_host_paths; // no-sensitive-mounts
  std::vector<std::string> allowed_host_paths;
  // no-secret-env (optional section): environment variables whose NAME contains one of these
  // (case-insensitive) and whose value is not empty are refused, as are values holding a PEM
  // private key. Secrets belong in files (hardrun run --secret): env shows in podman inspect
  // and /proc/PID/environ (security.md §1.9, C11). Empty = the rule is off.
  std::vector<std::string> secret_env_names;
  bool secret_env = false;
};

// The names no-secret-env refuses when a profile enables it without listing its own.
[[nodiscard]] std::vector<std::string> default_secret_env_names();

// Load and validate a profile file: strict JSON, unknown keys are errors, every value checked
// (capability names with libcap-ng, syscall names with libseccomp). Errors name file and key.
[[nodiscard]] Result<Policy> load_file(const std::string& path);

// Parse profile text; `path` names it in errors and anchors relative seccomp paths.
[[nodiscard]] Result<Policy> parse(std::string_view text, const std::string& path);

// Where NAME profiles are looked for, in order: the admin's overrides, then the installed ones.
[[nodiscard]] std::vector<std::string> search_dirs();

// NAME (a file in search_dirs(), without ".json") or a path (anything with a '/' or ending in
// ".json").
[[nodiscard]] Result<Policy> load(const std::string& name_or_path);

// The host id ranges a user namespace may map to, resolved from the profile and the host.
struct IdAllocation {
  std::vector<sys::HostRange> uids;
  std::vector<sys::HostRange> gids;
  std::string origin; // "/etc/subuid and /etc/subgid for user containers", or the profile file
};

[[nodiscard]] Result<IdAllocation> resolve_allocation(const Policy& policy, const sys::Env& env);

// Seccomp profile check, shared by load and tests: an OCI linux.seccomp object whose syscall
// names all resolve with libseccomp on every listed architecture.
[[nodiscard]] Result<void> check_seccomp_profile(const spec::Json& profile);

} // namespace hardrun::policy
