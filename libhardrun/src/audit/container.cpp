// SPDX-License-Identifier: Apache-2.0
#include "hardrun/audit/container.hpp"

namespace hardrun::audit {

std::vector<check::Finding>
podman_view_findings(const spec::Json& inspect)
{
  std::vector<check::Finding> out;
  if (!inspect.is_object()) {
    return out;
  }
  const auto hc = inspect.find("HostConfig");
  if (hc != inspect.end() && hc->is_object()) {
    const auto p = hc->find("Privileged");
    if (p != hc->end() && p->is_boolean() && p->get<bool>()) {
      out.push_back({"privileged", "/HostConfig/Privileged",
                     "the container is privileged: all capabilities, all devices, no seccomp, no LSM confinement",
                     "drop --privileged; add only the capabilities the service needs, or run it with hardrun run"});
    }
  }
  const auto img = inspect.find("ImageName");
  if (img != inspect.end() && img->is_string()) {
    const auto name = img->get<std::string>();
    // Threat: a tag can be moved to other content between audit, restart and auto-update.
    if (name.find("@sha256:") == std::string::npos) {
      out.push_back({"pinned-image", "/ImageName", "the container was created from " + name + ", a reference not pinned by digest",
                     "recreate it from NAME@sha256:DIGEST (podman image inspect --format '{{.Digest}}' " + name + ")"});
    }
  }
  return out;
}

} // namespace hardrun::audit
