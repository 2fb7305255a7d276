// SPDX-License-Identifier: Apache-2.0
//
// hardrun verify IMAGE@sha256:…: the admission hook's decision for an image in
// containers-storage, from the command line and explained: the same identity lookup
// (image::lookup_image_evidence), the same lookaside reading and the same trust::decide().
#include <iostream>

#include "admission.hpp"
#include "commands.hpp"
#include "hardrun/config/config.hpp"
#include "hardrun/spec/json.hpp"
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
  auto admission = decide_admission(*cfg, policy_path, o.storage_root, o.registries_dir, o.image);
  if (!admission) {
    return report_error(admission.error());
  }
  const auto* evidence = &admission->evidence;
  const auto* decision = &admission->decision;
  const bool allowed = admission->allowed;
  const std::string* exception = admission->exception_reason.empty() ? nullptr : &admission->exception_reason;
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
      std::cout << "  exception: " << *exception << " (" << cfg->source << ")\n";
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
