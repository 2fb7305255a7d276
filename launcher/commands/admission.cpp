// SPDX-License-Identifier: Apache-2.0
#include "admission.hpp"

#include "hardrun/image/lookaside.hpp"
#include "hardrun/image/storage.hpp"
#include "hardrun/trust/policy.hpp"

namespace hardrun::commands {

Result<Admission>
decide_admission(const config::Config& cfg, const std::string& policy_path, const std::string& storage_root,
                 const std::string& registries_dir, const std::string& image)
{
  // R5: no usable trust policy means nothing is trusted (the error denies).
  HARDRUN_TRY_ASSIGN(policy, trust::load_trust_policy(policy_path.empty() ? cfg.signature_policy : policy_path));
  HARDRUN_TRY_ASSIGN(loc, image::probe_location(storage_root.empty() ? std::string(image::k_default_graphroot) : storage_root));
  Admission a;
  HARDRUN_TRY_ASSIGN(evidence, image::lookup_image_evidence(loc, image));
  a.evidence = std::move(evidence);
  HARDRUN_TRY_ASSIGN(registries, image::load_registries_d(registries_dir.empty() ? cfg.registries_dir : registries_dir));
  HARDRUN_TRY(image::add_lookaside_signatures(registries, a.evidence));
  HARDRUN_TRY_ASSIGN(decision, trust::decide(policy, a.evidence));
  a.decision = std::move(decision);
  a.allowed = a.decision.verdict == trust::Verdict::allow;
  if (!a.allowed) {
    if (const config::Exception* e = config::find_exception(cfg, a.decision.digest)) {
      a.exception_reason = e->reason;
    }
  }
  return a;
}

} // namespace hardrun::commands
