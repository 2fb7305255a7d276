// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hardrun/base/result.hpp"
#include "hardrun/spec/json.hpp"

namespace hardrun::audit {

// Layers are untrusted input (anyone can push an image): every read is bounded, nothing is ever
// extracted to disk, and paths are only compared as strings.
struct LayerLimits {
  std::size_t max_entries = 200000;
  std::size_t max_path = 4096;
  std::uint64_t max_bytes = std::uint64_t{4} << 30U;  // decompressed bytes of one layer
  std::uint64_t sniff_max_file = std::uint64_t{1} << 20U; // files up to this size are sniffed
  std::size_t sniff_bytes = 8192;                      // ... in their first bytes
};

struct LayerEntry {
  enum class Kind { file, dir, symlink, hardlink, other, whiteout, opaque };
  std::string path; // absolute, lexically clean ("/root/.ssh/id_rsa"); for a whiteout, the path it deletes;
                    // for an opaque marker, the directory whose lower contents it hides
  Kind kind = Kind::other;
  std::uint64_t size = 0;
  bool private_key = false; // the file's first bytes hold a PEM "PRIVATE KEY-----" marker
};

// Reads a tar layer (any compression libarchive knows) into its entry list.
[[nodiscard]] Result<std::vector<LayerEntry>> read_layer_memory(std::string_view bytes, const LayerLimits& limits,
                                                                const std::string& name);
[[nodiscard]] Result<std::vector<LayerEntry>> read_layer_file(const std::string& path, const LayerLimits& limits);

// An uncompressed tar of directories and files owned by root, as `hardrun doctor` imports its
// canary image.
struct TarItem {
  std::string path;
  std::string_view content; // files only
  unsigned mode = 0644;
  bool dir = false;
};
[[nodiscard]] Result<std::string> make_tar(const std::vector<TarItem>& items);

struct LayerInfo {
  std::string digest;  // the blob digest in the manifest
  std::string diff_id; // the uncompressed digest (config rootfs.diff_ids)
  std::string created_by; // the history entry that made it, when known
  std::vector<LayerEntry> entries;
};

struct ImageFinding {
  std::string rule;   // image-secret-file, image-secret-env, image-root-user, image-package-cache
  std::string where;  // a path, "ENV NAME", "history", "config User"
  std::optional<std::size_t> layer; // index in the manifest's layers, when it sits in one
  std::string layer_digest;
  std::string message;
  std::string remedy;
};

// The footguns in an image: secret files in any layer (also those a later whiteout hides: they
// stay in the lower layer's blob), secret-looking ENV and history entries (the no-secret-env rule
// with its default names), a root default user, package-manager caches. image_config is the OCI
// image configuration (config.User, config.Env, history).
[[nodiscard]] std::vector<ImageFinding> image_findings(const std::vector<LayerInfo>& layers, const spec::Json& image_config);

// Maps history entries that made a layer (empty_layer not true) to layer indexes; fills
// created_by of `layers`.
void attach_history(std::vector<LayerInfo>& layers, const spec::Json& image_config);

} // namespace hardrun::audit
