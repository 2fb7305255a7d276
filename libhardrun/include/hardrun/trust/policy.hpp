// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hardrun/base/result.hpp"
#include "hardrun/image/reference.hpp"

namespace hardrun::trust {

class GpgKeyring;   // trust/signature.hpp
class SigstoreKeys; // trust/signature.hpp

// signedIdentity (containers-policy.json(5)): which docker-reference claimed by a signature
// identifies the image being run. Semantics of containers/image policy_reference_match.go.
struct SignedIdentity {
  enum class Kind {
    match_repo_digest_or_exact, // the default: same repository for a digest reference
    match_repository,           // same repository, whatever the tag or digest
    match_exact,                // the same name:tag / name@digest
    exact_reference,            // the signature names `reference` exactly
    exact_repository,           // the signature names repository `reference`
    remap_identity,             // matchRepoDigestOrExact after replacing prefix by signed_prefix
  };
  Kind kind = Kind::match_repo_digest_or_exact;
  std::string reference; // exact_reference: normalised reference; exact_repository: normalised name
  std::string prefix;        // remap_identity
  std::string signed_prefix; // remap_identity
};

// Does a signature whose payload claims `signed_reference` identify `image`? `image` is the
// reference being run, judged by its digest only (a tag next to the digest is ignored:
// security.md I2). A signed reference that does not parse never matches.
[[nodiscard]] bool identity_matches(const SignedIdentity& rule, const image::Reference& image,
                                    std::string_view signed_reference);

// One policy requirement, its keys already loaded.
struct Requirement {
  enum class Type { insecure_accept_anything, reject, signed_by, sigstore_signed };
  Type type = Type::reject;
  SignedIdentity identity;
  std::shared_ptr<const GpgKeyring> gpg_keys;        // signed_by
  std::shared_ptr<const SigstoreKeys> sigstore_keys; // sigstore_signed with public keys
  // Non-empty: a requirement containers/image knows that hardrun cannot verify (keyless Fulcio
  // or PKI, Rekor, X.509 keyTypes). It denies with this reason, never allows.
  std::string unsupported;
  std::string pointer; // where it is in the policy file, "/transports/docker/quay.io/0"
};

// The requirements that apply to an image; all must be satisfied (AND, as containers/image).
struct Scope {
  std::string name; // "default", "docker" (the transport-wide "" scope) or the scope key
  std::vector<Requirement> requirements;
};

// A containers-policy.json(5) trust policy. Only the docker transport is consulted: images run
// by podman/CRI-O are named by docker references. Other transports are parsed and kept out of
// decisions. Not safe for concurrent use from several threads (librnp key stores).
class TrustPolicy {
public:
  [[nodiscard]] const std::string& path() const { return m_path; }

  // The scope for `ref`, most specific first: the identity (name@digest, or name:tag when there
  // is no digest), the repository name, each parent namespace, the registry host, the
  // "*.domain" wildcards, the transport-wide "" scope, then "default".
  [[nodiscard]] const Scope& scope_for(const image::Reference& ref) const;

  // Scopes of the docker transport by key (for reports and tests).
  [[nodiscard]] const std::map<std::string, Scope>& docker_scopes() const { return m_docker; }
  [[nodiscard]] const Scope& default_scope() const { return m_default; }

private:
  friend Result<TrustPolicy> parse_trust_policy(std::string_view, const std::string&, const std::string&);
  std::string m_path;
  Scope m_default;
  std::map<std::string, Scope> m_docker;
};

// Size caps (security.md R8).
inline constexpr std::size_t k_policy_max_bytes = 1U << 20U;
inline constexpr std::size_t k_key_max_bytes = 256U << 10U;

// Load and parse a policy file. The file is read without following a symlink and must be owned
// by root (or the caller) and not group/world-writable (P6); relative keyPaths are resolved
// against the file's directory. Errors name the path (R5): a missing, unreadable, empty or
// malformed file, an unknown key or requirement type (P4), a key that does not load (P7).
[[nodiscard]] Result<TrustPolicy> load_trust_policy(const std::string& path);

// Parse policy text; `path` names it in errors, `base_dir` resolves relative keyPaths. Key files
// are read as load_trust_policy reads them.
[[nodiscard]] Result<TrustPolicy> parse_trust_policy(std::string_view text, const std::string& path,
                                                     const std::string& base_dir);

} // namespace hardrun::trust
