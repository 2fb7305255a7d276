// SPDX-License-Identifier: Apache-2.0
#include "hardrun/spec/document.hpp"
#include "hardrun/spec/pointer_names.hpp"
#include "modifiers.hpp"

namespace hardrun::modify {
namespace {

// Adds a user namespace mapped to an unprivileged host range when the config has none, so that
// root in the container is an unprivileged id on the host.
//
// Only where the runtime can start the result: runc cannot mount sysfs inside a user namespace
// it creates when the network namespace was created beforehand (podman's bridge networking, a
// netns path) or is the host's (DESIGN.md, platform facts). Then, and when any other namespace
// is joined by path, nothing is added and the validator reports how to have podman create the
// user namespace instead (--userns / --uidmap / userns= in containers.conf).
class UserNamespace final : public Modifier {
public:
  [[nodiscard]] std::string_view name() const override { return "user-namespace"; }

  [[nodiscard]] Result<Changes>
  apply(spec::Json& config, const Context& ctx) const override
  {
    Changes out;
    const spec::Json* nss = spec::find(config, spec::ptr::namespaces);
    if (nss == nullptr || !nss->is_array()) {
      return out;
    }
    bool has_net = false;
    for (const auto& ns : *nss) {
      const auto type = ns.value("type", std::string());
      if (type == "user") {
        return out; // present: the validator checks its mappings
      }
      if (ns.contains("path")) {
        return out; // joins an existing namespace: adding a user namespace would break the start
      }
      has_net = has_net || type == "network";
    }
    if (!has_net) {
      return out; // host network: refused by no-host-namespaces
    }
    const auto size = ctx.policy.user_namespace.size;
    const sys::HostRange* uids = pick(ctx.allocation.uids, size);
    const sys::HostRange* gids = pick(ctx.allocation.gids, size);
    if (uids == nullptr || gids == nullptr) {
      return out; // no allocation: the validator says how to create one
    }
    spec::Json new_nss = *nss;
    new_nss.push_back(spec::Json{{"type", "user"}});
    set_value(config, spec::ptr::namespaces, std::move(new_nss), name(), out);
    set_value(config, spec::ptr::uid_mappings, mapping(*uids, size), name(), out);
    set_value(config, spec::ptr::gid_mappings, mapping(*gids, size), name(), out);
    return out;
  }

private:
  static const sys::HostRange*
  pick(const std::vector<sys::HostRange>& ranges, std::uint32_t size)
  {
    for (const auto& r : ranges) {
      if (r.size >= size && r.start != 0) {
        return &r;
      }
    }
    return nullptr;
  }

  static spec::Json
  mapping(const sys::HostRange& range, std::uint32_t size)
  {
    return spec::Json::array({spec::Json{{"containerID", 0}, {"hostID", range.start}, {"size", size}}});
  }
};

} // namespace

std::unique_ptr<Modifier>
make_user_namespace()
{
  return std::make_unique<UserNamespace>();
}

} // namespace hardrun::modify
