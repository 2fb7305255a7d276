// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hardrun::spec {

// Lexically clean an absolute path: collapse "//" and ".", drop a trailing "/". Returns nullopt
// for a relative path or one with a ".." component: hardrun refuses those instead of resolving
// them, because the runtime resolves them against a root hardrun does not see.
[[nodiscard]] std::optional<std::string> clean_absolute(std::string_view path);

// Whether `path` is already in clean_absolute form.
[[nodiscard]] bool is_clean_absolute(std::string_view path);

// Whether clean path `inner` equals `outer` or lies below it ("/run/podman/x" in "/run/podman").
[[nodiscard]] bool is_within(std::string_view inner, std::string_view outer);

} // namespace hardrun::spec
