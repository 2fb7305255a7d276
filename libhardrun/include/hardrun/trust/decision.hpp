// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "hardrun/base/result.hpp"
#include "hardrun/image/evidence.hpp"

namespace hardrun::trust {

class TrustPolicy; // containers-policy.json(5), trust/policy.hpp

enum class Verdict { allow, deny };

// The outcome of admitting one image, with everything a report needs.
struct Decision {
  Verdict verdict = Verdict::deny;
  // Stable rule id: "pinned", "manifest-digest", "config-digest", "signed",
  // "signed-identity", "policy-reject", "keyless-unsupported", "insecure-accept", …
  std::string rule;
  std::string reason; // one line: what is wrong (or why it is allowed)
  std::string fix;    // one line: how to fix it
  std::string reference; // as resolved by the engine
  std::string digest;    // the pinned manifest digest, when there was one
  std::string signer;    // key fingerprint / key id of the accepted signature
  std::string scope;     // the policy scope that applied ("127.0.0.1:5000/app", "default")
};

// Decide whether the image described by `evidence` may run under `policy`
// (DESIGN.md trust model; security.md R10, R11). Pure: no I/O beyond what `policy` already
// loaded (its keys). Errors are input that could not be evaluated; callers deny on them.
[[nodiscard]] Result<Decision> decide(const TrustPolicy& policy, const image::Evidence& evidence);

} // namespace hardrun::trust
