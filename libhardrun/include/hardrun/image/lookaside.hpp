// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hardrun/base/result.hpp"
#include "hardrun/image/evidence.hpp"
#include "hardrun/image/reference.hpp"

namespace hardrun::image {

// c/image's built-in lookaside for root when registries.d names none (formats.md §2.3).
inline constexpr std::string_view k_default_lookaside = "file:///var/lib/containers/sigstore";
inline constexpr std::size_t k_max_registries_file_bytes = 1U << 20U;

// One scope of containers-registries.d(5).
struct RegistryScope {
  std::string lookaside;         // "lookaside" (or its pre-5.21 name "sigstore")
  std::string lookaside_staging; // write side; never read by hardrun
  std::optional<bool> use_sigstore_attachments;
  std::string file; // where it was defined
};

struct RegistriesConfig {
  std::optional<RegistryScope> default_docker;
  std::map<std::string, RegistryScope> docker; // scope -> settings
};

// Parse one registries.d YAML file into `into`. Keys are checked: unknown keys, a scope defined
// twice (in this or another file), default-docker twice, both "lookaside" and "sigstore" in one
// scope are errors (a typo must not silently drop a signature source). Errc::invalid_input.
[[nodiscard]] Result<void> parse_registries_yaml(std::string_view text, const std::string& file,
                                                 RegistriesConfig& into);

// Every *.yaml file of `dir` in name order, as c/image reads them; a missing dir is an empty
// configuration. Files are read with the trusted-owner check (root-owned, not group/world
// writable): whoever writes them chooses where signatures come from.
[[nodiscard]] Result<RegistriesConfig> load_registries_d(const std::string& dir);

// The lookaside URL for `ref`: the scope equal to its policy identity (name:tag / name@digest),
// then the repository and its parent namespaces up to the registry host, then default-docker,
// then k_default_lookaside (c/image docker/registries_d.go signatureTopLevel).
[[nodiscard]] std::string lookaside_url(const RegistriesConfig& config, const Reference& ref);

// Read <lookaside>/<repository path>@sha256=<hex>/signature-<n> for n = 1, 2, … until the first
// missing one (formats.md §2.3), with the signature caps. Only file:// URLs are read: an
// http(s) lookaside would be network access from the hook (R3), so it is skipped with a note.
[[nodiscard]] Result<std::vector<SignatureBlob>> read_lookaside(const std::string& url, const Reference& ref,
                                                                std::string_view digest,
                                                                std::vector<std::string>& notes);

// Append the lookaside signatures of every manifest digest in `evidence` (using the repository
// of evidence.reference; a reference that is not a repository — e.g. an image id — gets a note).
[[nodiscard]] Result<void> add_lookaside_signatures(const RegistriesConfig& config, Evidence& evidence);

} // namespace hardrun::image
