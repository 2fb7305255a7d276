// SPDX-License-Identifier: Apache-2.0
// Image references (image::parse_reference, docker normalisation) and the signed-identity rules
// that compare them: line 1 is the image reference, line 2 the reference a signature claims.
#include "fuzz_support.hpp"
#include "hardrun/image/reference.hpp"
#include "hardrun/trust/policy.hpp"

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace hardrun;
  const auto [first, second] = fuzz::split_line(fuzz::as_text(data, size));
  (void)image::is_valid_domain(first);
  (void)image::is_valid_repository_path(first);
  (void)image::is_sha256_digest(first);
  auto ref = image::parse_reference(first);
  if (!ref) {
    return 0;
  }
  // Normalisation is a fixed point: the hook compares normalised strings, so two spellings of
  // one image must not normalise differently on a second pass.
  const std::string norm = ref->str();
  auto again = image::parse_reference(norm);
  if (!again) {
    fuzz::invariant_failed("normalised reference does not parse", norm + ": " + again.error().what());
  }
  if (again->str() != norm || again->name() != ref->name() || again->digest != ref->digest) {
    fuzz::invariant_failed("normalisation is not a fixed point", std::string(first) + " -> " + norm);
  }
  using Kind = trust::SignedIdentity::Kind;
  for (const Kind k : {Kind::match_repo_digest_or_exact, Kind::match_repository, Kind::match_exact,
                       Kind::exact_reference, Kind::exact_repository, Kind::remap_identity}) {
    trust::SignedIdentity rule;
    rule.kind = k;
    rule.reference = norm;
    rule.prefix = ref->domain;
    rule.signed_prefix = "registry.example/mirror";
    (void)trust::identity_matches(rule, *ref, second);
  }
  return 0;
}
