// SPDX-License-Identifier: Apache-2.0
//
// hardrun verify IMAGE@sha256:…: the admission hook's decision for an image in
// containers-storage, from the command line and explained: the same identity lookup
// (image::lookup_image_evidence), the same lookaside reading and the same trust::decide().
#include <iostream>

#include "commands.hpp"
#include "hardrun/config/config.hpp"
#include "hardrun/image/lookaside.hpp"
#include "hardrun/image/storage.hpp"
#include "hardrun/spec/json.hpp"
#include "hardrun/trust/decision.hpp"
#include "hardrun/trust/policy.hpp"
#include "input.hpp"

namespace hardrun::commands {

ExitCode
run_verify(const cli::VerifyOptions& o)
{
  const bool explicit_config = !o.config.empty();
  auto cfg = config::load(explicit_config ? o.config : config::default_path(), explicit_config);
  if (!cfg) {
    return report_error(cfg.error());
  }
  const std::string policy_path = o.signature_policy.empty() ? cfg->signature_policy : o.signature_policy;
  auto policy = trust::load_trust_policy(policy_path);
  if (!policy) {
    // R5: no usable trust policy means nothing is trusted.
    return report_error(policy.error());
  }
  auto loc = image::probe_location(o.storage_root.empty() ? std::string(image::k_default_graphroot) : o.storage_root);
  if (!loc) {
    return report_error(loc.error());
  }
  auto evidence = image::lookup_image_evidence(*loc, o.image);
  if (!evidence) {
    return report_error(evidence.error());
  }
  auto registries = image::load_registries_d(o.registries_dir.empty() ? cfg->registries_dir : o.registries_dir);
  if (!registries) {
    return report_error(registries.error());
  }
  if (auto added = image::add_lookaside_signatures(*registries, *evidence); !added) {
    return report_error(added.error());
  }
  auto decision = trust::decide(*policy, *evidence);
  if (!decision) {
    return report_error(decision.error());
  }
  const bool allowed = decision->verdict == trust::Verdict::allow;
  const config::Exception* exception = allowed ? nullptr : config::find_exception(*cfg, decision->digest);
  std::size_t signatures = 0;
  for (const auto& [digest, blobs] : evidence->signatures) {
    signatures += blobs.size();
  }
  if (o.json) {
    spec::Json j{{"image", o.image},
                 {"reference", decision->reference},
                 {"digest", decision->digest},
                 {"imageId", evidence->image_id},
                 {"verdict", allowed ? "allow" : (exception != nullptr ? "allow-exception" : "deny")},
                 {"rule", decision->rule},
                 {"reason", decision->reason},
                 {"fix", decision->fix},
                 {"signer", decision->signer},
                 {"scope", decision->scope},
                 {"signaturePolicy", policy_path},
                 {"manifests", evidence->manifests.size()},
                 {"signatures", signatures},
                 {"notes", evidence->notes}};
    std::cout << j.dump(2) << '\n';
  } else {
    std::cout << o.image << ": " << (allowed ? "ALLOW" : (exception != nullptr ? "ALLOW (exception)" : "DENY")) << '\n'
              << "  rule:      " << decision->rule << '\n'
              << "  reason:    " << decision->reason << '\n';
    if (!allowed && !decision->fix.empty()) {
      std::cout << "  fix:       " << decision->fix << '\n';
    }
    if (exception != nullptr) {
      std::cout << "  exception: " << exception->reason << " (" << cfg->source << ")\n";
    }
    std::cout << "  image id:  " << evidence->image_id << '\n'
              << "  evidence:  " << evidence->manifests.size() << " stored manifest(s), " << signatures
              << " signature(s) (storage and lookaside)\n"
              << "  policy:    " << policy_path << (decision->scope.empty() ? "" : ", scope " + decision->scope) << '\n';
    if (!decision->signer.empty()) {
      std::cout << "  signer:    " << decision->signer << '\n';
    }
    for (const auto& n : evidence->notes) {
      std::cout << "  note:      " << n << '\n';
    }
  }
  return allowed || exception != nullptr ? ExitCode::ok : ExitCode::denied;
}

} // namespace hardrun::commands
