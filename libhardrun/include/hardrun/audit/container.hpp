// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <vector>

#include "hardrun/check/validator.hpp"
#include "hardrun/spec/json.hpp"

namespace hardrun::audit {

// The gaps podman's own view of a container shows beyond its config.json (`podman container
// inspect` output, one object): --privileged (HostConfig.Privileged; its effects on the config
// are found by the validator too, this names the cause) and an image not pinned by digest
// (ImageName). Pointers are into the inspect object.
[[nodiscard]] std::vector<check::Finding> podman_view_findings(const spec::Json& inspect);

} // namespace hardrun::audit
