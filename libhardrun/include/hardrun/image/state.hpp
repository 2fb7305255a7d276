// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "hardrun/base/result.hpp"

namespace hardrun::image {

// Cap on the OCI state a hook reads from stdin (security.md R2, S4). Annotations are
// user-controlled (`podman run --annotation`), so the state can be made arbitrarily large.
inline constexpr std::size_t k_max_state_bytes = 1U << 20U;
// Cap on a container id (S7); real ids are 64 hex characters.
inline constexpr std::size_t k_max_container_id = 1024;

// The OCI runtime state as a hook receives it on stdin (runtime-spec runtime.md "State").
// Only the fields hardrun decides on are kept. Annotations are parsed (strictly, so malformed
// or duplicate input is refused) but deliberately NOT kept: they are user-controlled and never a
// trust input (security.md R12, S13).
struct State {
  std::string oci_version;
  std::string id;
  std::string status;
  std::string bundle; // absolute, lexically clean (checked)
  std::optional<long long> pid;
};

// Parse the state strictly (security.md §4.1):
// S1 empty; S2 truncated (the byte offset is in the message); S3 not an object; S4 over
// k_max_state_bytes; S6 duplicate keys; S11 nesting; S12 invalid UTF-8 / NUL;
// S7 an id with '/', "..", NUL, control characters or longer than k_max_container_id;
// S10 ociVersion missing or not 1.0.x (runc's "1.0.2-dev" and crun's "1.0" are accepted);
// S9 crun's extra "root" key and runc's createContainer "pid" are tolerated; other unknown
// top-level keys are ignored like a runtime-spec consumer must (the spec allows extensions);
// a relative or unclean `bundle` is refused (S8, lexical part).
// Pure: no I/O. Errors are Errc::invalid_input and start with "state: ".
[[nodiscard]] Result<State> parse_state(std::string_view text);

// The file-system part of S8 / security.md R9, run before anything under the bundle is opened:
// the bundle must be a directory, not a symbolic link, owned by root (or by the effective uid,
// for rootless engines), and not writable by group or others. Errc::insecure on a violation.
[[nodiscard]] Result<void> check_bundle(const std::string& bundle);

// Whether `id` is acceptable as a container id (see parse_state, S7).
[[nodiscard]] bool is_valid_container_id(std::string_view id);

} // namespace hardrun::image
