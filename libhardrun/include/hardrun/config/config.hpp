// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "hardrun/base/result.hpp"

namespace hardrun::config {

// hardrun's own configuration (hardrun-config(5), /etc/hardrun/hardrun.json). Read by the
// runtime shim, the admission hook, `hardrun run` and `hardrun verify`, so all four decide from
// the same settings. A missing *default* file means the built-in defaults below, which are the
// strict ones; a file that exists but does not parse strictly is an error (fail closed, a typo
// must not silently weaken anything: security.md P4).
inline constexpr int k_config_version = 1;
inline constexpr std::size_t k_max_config_bytes = 1U << 20U;

enum class Mode {
  enforce, // deny: exit non-zero, the container does not start
  warn,    // report the deny, exit 0 (for adoption on an existing host)
};

enum class IdentitySource {
  containers_storage, // podman/buildah: bundle path -> containers.json -> images.json
  cri_o,              // CRI-O: io.kubernetes.cri-o.ImageRef/ImageName annotations, which CRI-O sets
};

// An exception is keyed by image digest only, never by a name or an annotation (DESIGN.md).
struct Exception {
  std::string digest; // "sha256:<64 hex>" of the manifest
  std::string reason;
};

struct Config {
  std::string source; // file it came from, or "built-in defaults"
  Mode mode = Mode::enforce;
  // Trust policy in containers-policy.json(5) format.
  std::string signature_policy = "/etc/containers/policy.json";
  // registries.d directory for lookaside (file://) signature stores.
  std::string registries_dir = "/etc/containers/registries.d";
  // Hardening profile (NAME or path) the shim applies and the hook re-checks.
  std::string profile = "strict";
  IdentitySource identity_source = IdentitySource::containers_storage;
  // The hook's own deadline (security.md R1). Must stay below hook_timeout.
  std::chrono::milliseconds hook_deadline{10000};
  // The hooks.d / config.json `timeout` in seconds written for the hook (>= deadline + 5 s).
  unsigned hook_timeout_seconds = 15;
  // Absolute path of hardrun-hook, as the shim requires it in config.json and the installer
  // writes it into hooks.d.
  std::string hook_path;
  // The shim refuses a create whose config lacks the hook (security.md R6).
  bool require_hook = true;
  // The shim adds the hook to config.json itself (prestart, pinned env, timeout) instead of
  // relying on hooks.d alone, which podman silently skips when the directory or the binary is
  // missing or --hooks-dir is given (security.md E5, E6). With false, a config without the hook
  // is refused (when require_hook).
  bool inject_hook = true;
  // Where `hardrun run --secret` stages secret files and the shim keeps them while a container
  // exists: must be tmpfs or ramfs (never persistent disk); hardrun mounts a tmpfs there when
  // it is not.
  std::string secrets_dir = "/run/hardrun/secrets";
  // The low-level runtime the shim delegates to: a path, or empty = search crun, then runc.
  std::string runtime;
  std::vector<Exception> exceptions;
};

// Where hardrun looks for its configuration when no --config is given.
[[nodiscard]] std::string default_path();

// Built-in defaults (hook_path filled from the install prefix).
[[nodiscard]] Config defaults();

// Load `path` strictly. explicit_path=false: a missing file yields defaults(); true: a missing
// file is an error naming it.
[[nodiscard]] Result<Config> load(const std::string& path, bool explicit_path);

// Parse configuration text; `path` names it in errors.
[[nodiscard]] Result<Config> parse(std::string_view text, const std::string& path);

// True when `digest` is listed in the exceptions (exact match).
[[nodiscard]] const Exception* find_exception(const Config& config, std::string_view digest);

} // namespace hardrun::config
