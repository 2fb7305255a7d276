// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hardrun/base/result.hpp"

namespace hardrun::image {

// A docker reference, parsed and normalised as containers/image's docker/reference package does
// (distribution/reference grammar): "busybox" -> docker.io/library/busybox,
// "localhost:5000/x" keeps its registry. Refuses what the grammar refuses (uppercase path
// components, > 255 chars, bad digests: security.md I3, I9).
struct Reference {
  std::string domain;  // "docker.io", "127.0.0.1:5000", "localhost"
  std::string path;    // "library/busybox", "app/web"
  std::string tag;     // "" when none
  std::string digest;  // "sha256:<64 lowercase hex>" or "" when none

  // domain + "/" + path
  [[nodiscard]] std::string name() const;
  // name[:tag][@digest], the normalised full form
  [[nodiscard]] std::string str() const;
  [[nodiscard]] bool pinned() const { return !digest.empty(); }
};

// Parse and normalise. Errors are Errc::invalid_input with the reason.
[[nodiscard]] Result<Reference> parse_reference(std::string_view text);

// "sha256:" + 64 lowercase hex, nothing else (CVE-2024-3727 class: a digest is used in paths).
[[nodiscard]] bool is_sha256_digest(std::string_view digest);

// sha256 of bytes as "sha256:<hex>".
[[nodiscard]] std::string sha256_digest(std::string_view bytes);

// Grammar pieces, for formats that name registries and namespaces rather than images
// (containers-policy.json scopes, remapIdentity prefixes):
// host[:port] as the reference grammar defines a registry ("localhost", "127.0.0.1:5000").
[[nodiscard]] bool is_valid_domain(std::string_view domain);
// "ns/app": one or more lowercase path components joined by "/".
[[nodiscard]] bool is_valid_repository_path(std::string_view path);

} // namespace hardrun::image
