// SPDX-License-Identifier: Apache-2.0
#include <algorithm>

#include "hardrun/spec/document.hpp"
#include "hardrun/spec/pointer_names.hpp"
#include "modifiers.hpp"

namespace hardrun::modify {
namespace {

bool
is_privileged_or_shared(std::uint32_t id)
{
  // 0 is root; 65534 is nobody/nogroup, shared with unrelated daemons and the kernel's overflow id.
  return id == 0 || id == 65534;
}

// Runs the process as the profile's service uid/gid when the config asks for root (or nobody),
// and makes the supplementary groups safe: never 0, and always the primary gid (CVE-2022-2989:
// a primary gid missing from the supplementary groups let negative group permissions be bypassed).
class NonRootUser final : public Modifier {
public:
  [[nodiscard]] std::string_view name() const override { return "non-root-user"; }

  [[nodiscard]] Result<Changes>
  apply(spec::Json& config, const Context& ctx) const override
  {
    Changes out;
    const auto uid = spec::as_u32(spec::find(config, spec::ptr::uid));
    const auto gid = spec::as_u32(spec::find(config, spec::ptr::gid));
    const std::uint32_t new_uid = !uid || is_privileged_or_shared(*uid) ? ctx.policy.uid : *uid;
    const std::uint32_t new_gid = !gid || is_privileged_or_shared(*gid) ? ctx.policy.gid : *gid;
    set_value(config, spec::ptr::uid, new_uid, name(), out);
    set_value(config, spec::ptr::gid, new_gid, name(), out);

    std::vector<std::uint32_t> groups;
    if (const spec::Json* extra = spec::find(config, spec::ptr::additional_gids); extra != nullptr && extra->is_array()) {
      for (const auto& g : *extra) {
        const auto v = spec::as_u32(&g);
        if (v && !is_privileged_or_shared(*v) && std::find(groups.begin(), groups.end(), *v) == groups.end()) {
          groups.push_back(*v);
        }
      }
    }
    if (std::find(groups.begin(), groups.end(), new_gid) == groups.end()) {
      groups.insert(groups.begin(), new_gid);
    }
    set_value(config, spec::ptr::additional_gids, spec::Json(groups), name(), out);
    return out;
  }
};

} // namespace

std::unique_ptr<Modifier>
make_non_root_user()
{
  return std::make_unique<NonRootUser>();
}

} // namespace hardrun::modify
