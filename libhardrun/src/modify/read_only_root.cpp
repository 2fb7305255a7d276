// SPDX-License-Identifier: Apache-2.0
#include "hardrun/spec/document.hpp"
#include "hardrun/spec/path.hpp"
#include "hardrun/spec/pointer_names.hpp"
#include "modifiers.hpp"

namespace hardrun::modify {
namespace {

// Makes the root filesystem read-only and gives the process only the profile's writable tmpfs
// paths. A tmpfs is inserted before the first mount below its path, so that later mounts (podman's
// /run/.containerenv, secrets under /run/secrets) land on top of it instead of being hidden by it.
class ReadOnlyRoot final : public Modifier {
public:
  [[nodiscard]] std::string_view name() const override { return "read-only-root"; }

  [[nodiscard]] Result<Changes>
  apply(spec::Json& config, const Context& ctx) const override
  {
    Changes out;
    set_value(config, spec::ptr::root_readonly, true, name(), out);
    const spec::Json* current = spec::find(config, spec::ptr::mounts);
    spec::Json mounts = current != nullptr && current->is_array() ? *current : spec::Json::array();
    bool changed = false;
    for (const auto& tmpfs : ctx.policy.tmpfs) {
      std::size_t insert_at = mounts.size();
      bool present = false;
      for (std::size_t i = 0; i < mounts.size(); ++i) {
        const auto dest = spec::clean_absolute(mounts[i].value("destination", std::string()));
        if (!dest) {
          continue; // refused by safe-mount-destinations
        }
        if (*dest == tmpfs.path) {
          present = true; // whatever the admin mounted there stays (a volume, podman's --read-only tmpfs)
          break;
        }
        if (insert_at == mounts.size() && spec::is_within(*dest, tmpfs.path)) {
          insert_at = i;
        }
      }
      if (!present) {
        spec::Json m{{"destination", tmpfs.path}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", tmpfs.options}};
        // Recorded as an insertion at its index (JSON Patch "add" semantics, applied in order).
        out.push_back(Change{std::string(name()), spec::pointer_append(spec::ptr::mounts, insert_at), std::nullopt, m});
        mounts.insert(mounts.begin() + static_cast<std::ptrdiff_t>(insert_at), std::move(m));
        changed = true;
      }
    }
    if (changed) {
      Changes ignored; // the insertions above describe this edit
      set_value(config, spec::ptr::mounts, std::move(mounts), name(), ignored);
    }
    return out;
  }
};

} // namespace

std::unique_ptr<Modifier>
make_read_only_root()
{
  return std::make_unique<ReadOnlyRoot>();
}

} // namespace hardrun::modify
