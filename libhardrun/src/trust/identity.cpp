// SPDX-License-Identifier: Apache-2.0
// signedIdentity matching, with the semantics of containers/image policy_reference_match.go.
#include "hardrun/trust/policy.hpp"

namespace hardrun::trust {
namespace {

bool
name_only(const image::Reference& r)
{
  return r.tag.empty() && r.digest.empty();
}

// The identity of the image being run: judged by its digest only (I2), so the tag is dropped.
image::Reference
intended_of(const image::Reference& image)
{
  image::Reference r = image;
  if (!r.digest.empty()) {
    r.tag.clear();
  }
  return r;
}

// matchRepoDigestOrExact: a digest reference accepts any signed identity of the same
// repository (the digest itself is checked against the payload separately); a tag reference
// needs the exact signed name:tag. A signature naming only a repository is never enough.
bool
repo_digest_or_exact(const image::Reference& intended, const image::Reference& signature)
{
  if (name_only(signature)) {
    return false;
  }
  if (!intended.tag.empty()) {
    return signature.str() == intended.str();
  }
  if (!intended.digest.empty()) {
    return signature.name() == intended.name();
  }
  return false;
}

bool
exact(const image::Reference& intended, const image::Reference& signature)
{
  return !name_only(intended) && !name_only(signature) && signature.str() == intended.str();
}

// remapIdentity: if the image's repository is `prefix` or below it, replace that prefix by
// `signed_prefix` in the full reference; the result must be a canonical reference.
std::optional<image::Reference>
remap(const SignedIdentity& rule, const image::Reference& intended)
{
  const std::string name = intended.name();
  const std::string& prefix = rule.prefix;
  const bool matches = name.size() == prefix.size() ? name == prefix
                       : name.size() > prefix.size()
                         ? name.compare(0, prefix.size(), prefix) == 0 && name[prefix.size()] == '/'
                         : false;
  if (!matches) {
    return intended;
  }
  const std::string full = intended.str();
  const std::string remapped = rule.signed_prefix + full.substr(prefix.size());
  auto parsed = image::parse_reference(remapped);
  // ParseNamed refuses a name that is not canonical (no implied docker.io or library/).
  if (!parsed || parsed->str() != remapped) {
    return std::nullopt;
  }
  return *parsed;
}

} // namespace

bool
identity_matches(const SignedIdentity& rule, const image::Reference& image, std::string_view signed_reference)
{
  // Threat: a signature for another repository accepted for this one (G3); anything that does
  // not parse as a reference identifies nothing.
  const auto signature = image::parse_reference(signed_reference);
  if (!signature) {
    return false;
  }
  const image::Reference intended = intended_of(image);
  switch (rule.kind) {
  case SignedIdentity::Kind::match_repo_digest_or_exact:
    return repo_digest_or_exact(intended, *signature);
  case SignedIdentity::Kind::match_repository:
    return signature->name() == intended.name();
  case SignedIdentity::Kind::match_exact:
    return exact(intended, *signature);
  case SignedIdentity::Kind::exact_reference: {
    const auto wanted = image::parse_reference(rule.reference);
    return wanted && exact(*wanted, *signature);
  }
  case SignedIdentity::Kind::exact_repository: {
    const auto wanted = image::parse_reference(rule.reference);
    return wanted && signature->name() == wanted->name();
  }
  case SignedIdentity::Kind::remap_identity: {
    const auto remapped = remap(rule, intended);
    return remapped && repo_digest_or_exact(*remapped, *signature);
  }
  }
  return false;
}

} // namespace hardrun::trust
