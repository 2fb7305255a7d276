// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hardrun/base/result.hpp"
#include "hardrun/image/evidence.hpp"

namespace hardrun::image {

// Caps on containers-storage files (security.md R8). The record files grow with the number of
// containers and images on the host, so theirs is generous; the scan over them is linear.
inline constexpr std::size_t k_max_storage_json_bytes = 64U << 20U;
inline constexpr std::size_t k_max_manifest_bytes = 4U << 20U;
inline constexpr std::size_t k_max_metadata_bytes = 1U << 20U;
// Manifest digests collected per image (an image record gains one per registry copy).
inline constexpr std::size_t k_max_manifests = 100;

// Default graph root of rootful podman and CRI-O.
inline constexpr std::string_view k_default_graphroot = "/var/lib/containers/storage";

// A containers-storage store: graph root and graph driver ("overlay", "vfs", …).
struct StorageLocation {
  std::string root;
  std::string driver;

  [[nodiscard]] std::string containers_dir() const { return root + "/" + driver + "-containers"; }
  [[nodiscard]] std::string images_dir() const { return root + "/" + driver + "-images"; }
};

// bundle = <root>/<driver>-containers/<id>/userdata (formats.md §4.8). The id in the path must be
// the state's id (a bundle of another container would make the hook judge the wrong image).
[[nodiscard]] Result<StorageLocation> location_of_bundle(std::string_view bundle, std::string_view id);

// What containers.json (or volatile-containers.json) says about a container.
struct ContainerRecord {
  std::string id;
  std::string image_id;   // 64 lowercase hex, the config digest
  std::string image_name; // metadata "image-name": the reference podman resolved
  std::string file;       // which file it came from
};

// Find a container in <driver>-containers/containers.json and volatile-containers.json
// (c/storage >= 1.45). A missing file counts as empty; the id found in both, or twice, is an
// error (which copy would c/storage use?).
[[nodiscard]] Result<ContainerRecord> find_container(const StorageLocation& loc, std::string_view id);

// One images.json record, parsed strictly.
struct ImageRecord {
  std::string id;
  std::vector<std::string> names;
  std::vector<std::string> big_data_names;
  // Manifest digests the record holds ("sha256:<hex>", from its manifest-sha256:<hex> keys).
  std::vector<std::string> manifest_digests;
  // The digest of the plain "manifest" key (the last committed manifest), when known.
  std::string last_manifest_digest;
  // metadata "signatures-sizes" ("sha256:<d>" -> sizes) and the legacy "signature-sizes".
  std::map<std::string, std::vector<std::size_t>> signatures_sizes;
  std::optional<std::vector<std::size_t>> legacy_signature_sizes;
};

[[nodiscard]] Result<ImageRecord> find_image_by_id(const StorageLocation& loc, std::string_view image_id);

// The image podman would use for `repo@digest`: a record holding manifest-<digest> with a name in
// the same repository (libimage's lookup by digest). Errc::not_found when there is none.
[[nodiscard]] Result<ImageRecord> find_image_by_digest(const StorageLocation& loc, std::string_view repository,
                                                       std::string_view digest);

// The file name c/storage gives a big-data key (formats.md §4.2): the key itself when it is
// only [.0-9a-z], else "=" + base64(key).
[[nodiscard]] std::string big_data_file_name(std::string_view key);

// Fill evidence.manifests and evidence.signatures from the image's big-data, for `digests`
// (each "sha256:<hex>", at most k_max_manifests). A digest without a stored manifest is left
// out with a note; signatures are split by signatures-sizes, by the legacy sizes when the
// digest is the last committed one, else by format (with a note: formats.md §4.4).
[[nodiscard]] Result<void> collect_image(const StorageLocation& loc, const ImageRecord& image,
                                         const std::vector<std::string>& digests, Evidence& evidence);

// The whole containers-storage lookup for a container (the hook).
[[nodiscard]] Result<Evidence> container_evidence(const StorageLocation& loc, std::string_view container_id);

// The same evidence for an image reference "repo@sha256:<hex>" (for `hardrun verify`): the
// image is found by digest and repository, evidence.reference is the normalised reference and
// evidence.container_id is empty. A reference without a digest is an error (not pinned).
[[nodiscard]] Result<Evidence> lookup_image_evidence(const StorageLocation& loc, std::string_view reference);

// Find the graph driver of a store by probing <root>/<driver>-images/images.json for the
// drivers c/storage ships (overlay first). Errc::not_found when none exists.
[[nodiscard]] Result<StorageLocation> probe_location(const std::string& root);

} // namespace hardrun::image
