// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <string_view>

// OCI runtime-spec field names as JSON pointers, in one place.
// Ref: https://github.com/opencontainers/runtime-spec/blob/v1.1.0/config.md
namespace hardrun::spec::ptr {

inline constexpr std::string_view process = "/process";
inline constexpr std::string_view user = "/process/user";
inline constexpr std::string_view uid = "/process/user/uid";
inline constexpr std::string_view gid = "/process/user/gid";
inline constexpr std::string_view additional_gids = "/process/user/additionalGids";
inline constexpr std::string_view cwd = "/process/cwd";
inline constexpr std::string_view capabilities = "/process/capabilities";
inline constexpr std::string_view no_new_privileges = "/process/noNewPrivileges";
inline constexpr std::string_view apparmor_profile = "/process/apparmorProfile";
inline constexpr std::string_view selinux_label = "/process/selinuxLabel";
inline constexpr std::string_view root = "/root";
inline constexpr std::string_view root_readonly = "/root/readonly";
inline constexpr std::string_view mounts = "/mounts";
inline constexpr std::string_view linux = "/linux";
inline constexpr std::string_view namespaces = "/linux/namespaces";
inline constexpr std::string_view uid_mappings = "/linux/uidMappings";
inline constexpr std::string_view gid_mappings = "/linux/gidMappings";
inline constexpr std::string_view seccomp = "/linux/seccomp";
inline constexpr std::string_view masked_paths = "/linux/maskedPaths";
inline constexpr std::string_view readonly_paths = "/linux/readonlyPaths";
inline constexpr std::string_view devices = "/linux/devices";
inline constexpr std::string_view resources_devices = "/linux/resources/devices";
inline constexpr std::string_view pids_limit = "/linux/resources/pids/limit";

// The five capability sets of process.capabilities.
inline constexpr std::array<std::string_view, 5> k_capability_sets = {"bounding", "effective", "inheritable",
                                                                      "permitted", "ambient"};

} // namespace hardrun::spec::ptr
