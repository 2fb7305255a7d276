// SPDX-License-Identifier: Apache-2.0
// librnp is loaded on first use (rnp_lazy.cpp), not at process start: a sigstore-only
// decision never pays for librnp, Botan and their dependencies.
#pragma once

#include <string>

namespace hardrun::trust::detail {

// Loads librnp on the first call (thread-safe, once per process). Empty when librnp is usable,
// otherwise why not ("cannot load librnp …: <dlerror>"); every rnp_* call then fails with
// RNP_ERROR_NOT_IMPLEMENTED. The first call must come before a sandbox that forbids
// executable mappings (hardrun-hook loads the trust policy, and so librnp, before it).
[[nodiscard]] const std::string& rnp_load_error();

} // namespace hardrun::trust::detail
