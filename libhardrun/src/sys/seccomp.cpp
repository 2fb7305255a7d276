// SPDX-License-Identifier: Apache-2.0
#include "hardrun/sys/seccomp.hpp"

#include <seccomp.h>

#include <algorithm>
#include <array>
#include <utility>

namespace hardrun::sys {
namespace {

// OCI names (runtime-spec config-linux.md "seccomp") -> libseccomp names.
constexpr std::array<std::pair<std::string_view, const char*>, 21> k_arches = {{
  {"SCMP_ARCH_X86", "x86"},
  {"SCMP_ARCH_X86_64", "x86_64"},
  {"SCMP_ARCH_X32", "x32"},
  {"SCMP_ARCH_ARM", "arm"},
  {"SCMP_ARCH_AARCH64", "aarch64"},
  {"SCMP_ARCH_MIPS", "mips"},
  {"SCMP_ARCH_MIPS64", "mips64"},
  {"SCMP_ARCH_MIPS64N32", "mips64n32"},
  {"SCMP_ARCH_MIPSEL", "mipsel"},
  {"SCMP_ARCH_MIPSEL64", "mipsel64"},
  {"SCMP_ARCH_MIPSEL64N32", "mipsel64n32"},
  {"SCMP_ARCH_PPC", "ppc"},
  {"SCMP_ARCH_PPC64", "ppc64"},
  {"SCMP_ARCH_PPC64LE", "ppc64le"},
  {"SCMP_ARCH_S390", "s390"},
  {"SCMP_ARCH_S390X", "s390x"},
  {"SCMP_ARCH_PARISC", "parisc"},
  {"SCMP_ARCH_PARISC64", "parisc64"},
  {"SCMP_ARCH_RISCV64", "riscv64"},
  {"SCMP_ARCH_SH", "sh"},
  {"SCMP_ARCH_SHEB", "sheb"},
}};

} // namespace

std::optional<std::uint32_t>
seccomp_arch(std::string_view oci_name)
{
  const auto* it = std::find_if(k_arches.begin(), k_arches.end(), [&](const auto& a) { return a.first == oci_name; });
  if (it == k_arches.end()) {
    return std::nullopt;
  }
  const std::uint32_t token = seccomp_arch_resolve_name(it->second);
  if (token == 0) {
    return std::nullopt;
  }
  return token;
}

bool
seccomp_knows_syscall(std::uint32_t arch, const std::string& name)
{
  return seccomp_syscall_resolve_name_arch(arch, name.c_str()) != __NR_SCMP_ERROR;
}

std::string
seccomp_native_arch()
{
  const std::uint32_t native = seccomp_arch_native();
  for (const auto& [oci, lib] : k_arches) {
    if (seccomp_arch_resolve_name(lib) == native) {
      return std::string(oci);
    }
  }
  return "SCMP_ARCH_NATIVE";
}

} // namespace hardrun::sys
