// SPDX-License-Identifier: Apache-2.0
#include "hardrun/image/identity.hpp"

#include "hardrun/image/reference.hpp"
#include "hardrun/image/storage.hpp"
#include "hardrun/spec/json.hpp"
#include "hardrun/sys/fs.hpp"

namespace hardrun::image {
namespace {

using spec::Json;

constexpr std::size_t k_max_bundle_config_bytes = 4U << 20U;

class ContainersStorageSource final : public IdentitySource {
public:
  [[nodiscard]] std::string_view name() const override { return "containers-storage"; }

  [[nodiscard]] Result<Evidence>
  lookup(const State& state) const override
  {
    HARDRUN_TRY_ASSIGN(loc, location_of_bundle(state.bundle, state.id));
    return container_evidence(loc, state.id);
  }
};

class CrioSource final : public IdentitySource {
public:
  explicit CrioSource(CrioOptions options) : m_options(std::move(options)) {}

  [[nodiscard]] std::string_view name() const override { return "cri-o"; }

  [[nodiscard]] Result<Evidence>
  lookup(const State& state) const override
  {
    HARDRUN_TRY_ASSIGN(cfg, read_bundle_config(state.bundle));
    HARDRUN_TRY_ASSIGN(doc, spec::parse_strict(cfg.text, cfg.path, spec::ParseLimits{k_max_bundle_config_bytes, 64}));
    const auto ann = doc.find("annotations");
    if (ann == doc.end() || !ann->is_object()) {
      return make_error(Errc::invalid_input, cfg.path + ": no annotations (not a CRI-O container?)");
    }
    const auto get = [&](std::string_view key) -> Result<std::string> {
      const auto it = ann->find(std::string(key));
      if (it == ann->end() || !it->is_string() || it->get<std::string>().empty()) {
        return make_error(Errc::invalid_input,
                          cfg.path + ": annotation " + std::string(key) + " missing (not a CRI-O container?)");
      }
      return it->get<std::string>();
    };
    HARDRUN_TRY_ASSIGN(image_ref, get(k_crio_image_ref));
    HARDRUN_TRY_ASSIGN(image_name, get(k_crio_image_name));
    std::string image_id = image_ref;
    if (image_id.rfind("sha256:", 0) == 0) {
      image_id.erase(0, 7);
    }
    if (!is_sha256_digest("sha256:" + image_id)) {
      return make_error(Errc::invalid_input, cfg.path + ": " + std::string(k_crio_image_ref) + " \"" + image_ref
                                               + "\" is not an image id");
    }
    HARDRUN_TRY_ASSIGN(loc, probe_location(m_options.graphroot));
    HARDRUN_TRY_ASSIGN(image, find_image_by_id(loc, image_id));
    Evidence ev;
    ev.source = "cri-o";
    ev.container_id = state.id;
    ev.reference = image_name;
    ev.image_id = image_id;
    std::vector<std::string> digests = image.manifest_digests;
    if (const auto at = image_name.rfind('@');
        at != std::string::npos && is_sha256_digest(std::string_view(image_name).substr(at + 1))) {
      digests = {image_name.substr(at + 1)};
    }
    HARDRUN_TRY(collect_image(loc, image, digests, ev));
    return ev;
  }

private:
  CrioOptions m_options;
};

} // namespace

std::unique_ptr<IdentitySource>
make_containers_storage_source()
{
  return std::make_unique<ContainersStorageSource>();
}

std::unique_ptr<IdentitySource>
make_crio_source(CrioOptions options)
{
  return std::make_unique<CrioSource>(std::move(options));
}

Result<BundleConfig>
read_bundle_config(const std::string& bundle)
{
  const std::string path = bundle + "/config.json";
  // O_NOFOLLOW + single link (C1, C2): a config.json that is a link elsewhere is refused.
  // Root-owned and not writable by others: with a user-namespaced bundle, its directory belongs
  // to the container's root, who must not be able to substitute the config (S8).
  HARDRUN_TRY_ASSIGN(loaded, sys::read_file(path, sys::ReadOptions{k_max_bundle_config_bytes, true, true, true}));
  if (loaded.identity.uid != 0) {
    return make_error(Errc::insecure, path + ": owned by uid " + std::to_string(loaded.identity.uid) + ", not by root");
  }
  return BundleConfig{path, std::move(loaded.bytes)};
}

} // namespace hardrun::image
