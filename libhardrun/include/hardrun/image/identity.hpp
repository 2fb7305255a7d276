// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "hardrun/base/result.hpp"
#include "hardrun/image/evidence.hpp"
#include "hardrun/image/state.hpp"

namespace hardrun::image {

// Where the identity of a container's image comes from (DESIGN.md: one interface, so CRI-O is a
// second implementation and the decision code does not change). An implementation reads only
// facts the container's user cannot forge; it never opens anything under the container rootfs
// or state.root (security.md R9) and never calls the engine (deadlock, R3).
// Precondition: `state` came from parse_state and check_bundle passed.
class IdentitySource {
public:
  virtual ~IdentitySource() = default;
  [[nodiscard]] virtual std::string_view name() const = 0;
  [[nodiscard]] virtual Result<Evidence> lookup(const State& state) const = 0;
};

// podman / buildah: bundle = <graphroot>/<driver>-containers/<id>/userdata → containers.json
// (and volatile-containers.json) → images.json → big-data (storage.hpp).
[[nodiscard]] std::unique_ptr<IdentitySource> make_containers_storage_source();

// CRI-O sets these annotations itself in the bundle's config.json and overrides any user value
// for them (server/container_create.go). podman ALSO writes some io.kubernetes.cri-o.* keys, so
// this source is used only when hardrun.json says identitySource "cri-o", never detected.
inline constexpr std::string_view k_crio_image_ref = "io.kubernetes.cri-o.ImageRef";
inline constexpr std::string_view k_crio_image_name = "io.kubernetes.cri-o.ImageName";

struct CrioOptions {
  // CRI-O's containers-storage graph root (crio.conf `root`); the driver is probed.
  std::string graphroot{"/var/lib/containers/storage"};
};

// CRI-O: ImageRef (the image id, with or without "sha256:") and ImageName (the reference)
// from <bundle>/config.json, read strictly (no symlink, single link, size cap), then the
// image's manifests and signatures from CRI-O's containers-storage.
[[nodiscard]] std::unique_ptr<IdentitySource> make_crio_source(CrioOptions options);

// Read and strictly parse <bundle>/config.json (4 MiB cap, O_NOFOLLOW, single link). Shared
// by the CRI-O source and the hook's hardening re-check.
struct BundleConfig {
  std::string path;
  std::string text;
};
[[nodiscard]] Result<BundleConfig> read_bundle_config(const std::string& bundle);

} // namespace hardrun::image
