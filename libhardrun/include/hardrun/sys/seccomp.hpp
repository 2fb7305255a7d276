// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hardrun::sys {

// libseccomp's token for an OCI architecture name ("SCMP_ARCH_X86_64"), or nullopt.
[[nodiscard]] std::optional<std::uint32_t> seccomp_arch(std::string_view oci_name);

// Whether libseccomp knows the syscall `name` on `arch` (a token from seccomp_arch).
[[nodiscard]] bool seccomp_knows_syscall(std::uint32_t arch, const std::string& name);

// OCI name of the architecture this binary runs on ("SCMP_ARCH_X86_64").
[[nodiscard]] std::string seccomp_native_arch();

} // namespace hardrun::sys
