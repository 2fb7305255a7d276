// SPDX-License-Identifier: Apache-2.0
// hardrun-hook's flow (hook/README.md): deadline → drain stdin → trusted inputs → sandbox →
// untrusted inputs → decision → one report.
#include "run.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "deadline.hpp"
#include "hardrun/check/validator.hpp"
#include "hardrun/config/config.hpp"
#include "hardrun/engine/harden.hpp"
#include "hardrun/hook/args.hpp"
#include "hardrun/hook/sandbox.hpp"
#include "hardrun/image/identity.hpp"
#include "hardrun/image/lookaside.hpp"
#include "hardrun/image/reference.hpp"
#include "hardrun/image/state.hpp"
#include "hardrun/policy/policy.hpp"
#include "hardrun/runtime/shim.hpp"
#include "hardrun/spec/document.hpp"
#include "hardrun/sys/env.hpp"
#include "hardrun/sys/fs.hpp"
#include "report.hpp"
#include "trust_glue.hpp"

namespace hardrun::hook {
namespace {

// Before the config is read, the deadline is the built-in default (R1); it is re-armed from
// hookDeadlineMs once the config is loaded.
constexpr std::chrono::milliseconds k_default_deadline{10000};

Verdict
deny_error(const Error& e, std::string rule, std::string fix)
{
  Verdict v;
  v.rule = std::move(rule);
  v.reason = e.what();
  if (v.reason.rfind(v.rule + ": ", 0) == 0) {
    v.reason.erase(0, v.rule.size() + 2); // "state: state: …" reads badly
  }
  v.fix = std::move(fix);
  v.code = exit_code_of(e);
  return v;
}

// Everything loaded before the sandbox: trusted, root-owned inputs. A failure is kept as a
// verdict and reported after the state is parsed (so the report names the container).
struct Loaded {
  config::Config config = config::defaults();
  bool config_ok = false;
  Trust trust;
  std::optional<policy::Policy> profile;
  std::optional<policy::IdAllocation> allocation;
  image::RegistriesConfig registries;
  std::optional<Verdict> failure;
};

void
load_trusted(const Args& args, Loaded& l)
{
  const bool explicit_config = !args.config.empty();
  const std::string config_path = explicit_config ? args.config : config::default_path();
  auto cfg = config::load(config_path, explicit_config);
  if (!cfg) {
    l.failure = deny_error(cfg.error(), "config", "fix " + config_path + " (hardrun-config(5)); the hook denies until it loads");
    return;
  }
  l.config = std::move(*cfg);
  l.config_ok = true;
  arm_deadline(l.config.hook_deadline, l.config.mode == config::Mode::warn);

  const std::string policy_path = args.signature_policy.empty() ? l.config.signature_policy : args.signature_policy;
  if (auto r = l.trust.load(policy_path); !r) {
    // R5: no, unreadable or malformed trust policy = deny everything, naming the path.
    l.failure = deny_error(r.error(), "trust-policy", "fix the trust policy " + policy_path + " (containers-policy.json(5))");
    return;
  }
  auto profile = policy::load(l.config.profile);
  if (!profile) {
    l.failure = deny_error(profile.error(), "profile", "fix hardening profile " + l.config.profile + " (hardrun-policy(5))");
    return;
  }
  const sys::LinuxEnv env;
  auto allocation = policy::resolve_allocation(*profile, env);
  if (!allocation) {
    l.failure = deny_error(allocation.error(), "profile", "set up the host id ranges of profile " + profile->name);
    return;
  }
  l.profile = std::move(*profile);
  l.allocation = std::move(*allocation);
  auto registries = image::load_registries_d(l.config.registries_dir);
  if (!registries) {
    l.failure = deny_error(registries.error(), "registries.d", "fix the registries.d files in " + l.config.registries_dir);
    return;
  }
  l.registries = std::move(*registries);
}

std::string
pinned_digest_of(const std::string& reference)
{
  const auto at = reference.rfind('@');
  if (at == std::string::npos || !image::is_sha256_digest(std::string_view(reference).substr(at + 1))) {
    return {};
  }
  return reference.substr(at + 1);
}

// Everything after the sandbox: the untrusted inputs.
Verdict
decide_untrusted(const std::string& input, const Loaded& l)
{
  auto state = image::parse_state(input);
  if (!state) {
    return deny_error(state.error(), "state", "the runtime passed a malformed OCI state; check the runtime and the hooks.d stage");
  }
  Verdict v;
  const auto with_ids = [&](Verdict out) {
    out.container_id = state->id;
    return out;
  };
  if (l.failure) {
    return with_ids(*l.failure);
  }
  // S8 / R9: nothing under the bundle is read before it passed these checks.
  if (auto ok = image::check_bundle(state->bundle); !ok) {
    Verdict b = deny_error(ok.error(), "bundle", "the bundle directory must be a root-owned, non-writable real directory");
    b.code = ExitCode::invalid_input; // like every other unacceptable state (S8)
    return with_ids(std::move(b));
  }

  std::unique_ptr<image::IdentitySource> source;
  if (l.config.identity_source == config::IdentitySource::cri_o) {
    source = image::make_crio_source(image::CrioOptions{});
  } else {
    source = image::make_containers_storage_source();
  }
  auto evidence = source->lookup(*state);
  if (!evidence) {
    return with_ids(deny_error(evidence.error(), "identity",
                               "the image of this container could not be identified from " + std::string(source->name())
                                 + "; was it created by podman/CRI-O on this store?"));
  }
  if (auto r = image::add_lookaside_signatures(l.registries, *evidence); !r) {
    return with_ids(deny_error(r.error(), "lookaside", "fix the lookaside signature store"));
  }

  const std::string digest = pinned_digest_of(evidence->reference);
  const auto fill = [&](Verdict out) {
    out.container_id = state->id;
    out.reference = evidence->reference;
    if (out.digest.empty()) {
      out.digest = digest;
    }
    out.notes = evidence->notes;
    return out;
  };

  // Image trust: an exception (by digest only, and only for a pinned reference) or the policy.
  Verdict trust_verdict;
  const config::Exception* exception = digest.empty() ? nullptr : config::find_exception(l.config, digest);
  if (exception != nullptr) {
    trust_verdict.allow = true;
    trust_verdict.rule = "exception";
    trust_verdict.reason = "image " + evidence->reference + " allowed by the exception for " + digest + ": "
                         + exception->reason;
  } else {
    auto decision = l.trust.decide(*evidence);
    if (!decision) {
      return fill(deny_error(decision.error(), "trust", "the image's signatures could not be evaluated"));
    }
    trust_verdict.allow = decision->verdict == trust::Verdict::allow;
    trust_verdict.rule = decision->rule.empty() ? (trust_verdict.allow ? "signed" : "trust") : decision->rule;
    trust_verdict.reason = decision->reason;
    trust_verdict.fix = decision->fix;
    trust_verdict.code = ExitCode::denied;
    trust_verdict.digest = decision->digest;
    trust_verdict.signer = decision->signer;
    if (!trust_verdict.allow) {
      return fill(std::move(trust_verdict));
    }
  }

  // Re-check that the config is hardened per the profile: a container that did not go through
  // the shim (or whose config was changed after it) is denied (DESIGN.md, enforcement points).
  auto cfg = image::read_bundle_config(state->bundle);
  if (!cfg) {
    return fill(deny_error(cfg.error(), "not-hardened", "the bundle's config.json must be a regular root-owned file"));
  }
  auto doc = spec::Document::parse(cfg->text, cfg->path);
  if (!doc) {
    return fill(deny_error(doc.error(), "not-hardened", "the bundle's config.json is not a valid OCI config"));
  }
  {
    // A bundle directory not owned by root must belong to the host id of container root.
    struct stat bst {};
    if (::lstat(state->bundle.c_str(), &bst) == 0 && bst.st_uid != 0) {
      bool owner_ok = false;
      if (const spec::Json* maps = spec::find(doc->json(), "/linux/uidMappings"); maps != nullptr && maps->is_array()) {
        for (const auto& m : *maps) {
          if (spec::as_u32(m.contains("containerID") ? &m["containerID"] : nullptr) == 0U
              && spec::as_u32(m.contains("hostID") ? &m["hostID"] : nullptr) == bst.st_uid) {
            owner_ok = true;
          }
        }
      }
      if (!owner_ok) {
        Verdict b;
        b.rule = "bundle";
        b.reason = "bundle " + state->bundle + " is owned by uid " + std::to_string(bst.st_uid) +
                   ", which is neither root nor the container's mapped root";
        b.fix = "the bundle directory must be podman's own userdata directory";
        b.code = ExitCode::denied;
        return fill(std::move(b));
      }
    }
  }
  const modify::Context ctx{*l.profile, *l.allocation};
  const auto findings = check::validate(doc->json(), ctx, check::Options{engine::container_id_of_bundle(state->bundle),
                                  runtime::container_secrets_dir(l.config.secrets_dir, state->id)});
  if (!findings.empty()) {
    Verdict nh;
    nh.rule = "not-hardened";
    nh.reason = cfg->path + ": " + std::to_string(findings.size()) + " finding(s) against profile " + l.profile->name
              + ", first: " + findings.front().rule + " at " + findings.front().pointer + ": " + findings.front().message;
    nh.fix = "start the container through hardrun (the hardrun runtime shim or `hardrun run`); "
           + findings.front().remedy;
    nh.code = ExitCode::denied;
    return fill(std::move(nh));
  }
  return fill(std::move(trust_verdict));
}

} // namespace

int
run(int argc, char** argv)
{
  // R1: a deadline before the first read, so a writer that never closes stdin (S5) cannot
  // stall the hook.
  arm_deadline(k_default_deadline, false);

  // R2: drain stdin completely first (a runtime blocked writing a large state never starts
  // its own timeout: E8); over the cap, stop reading and deny.
  auto input = sys::read_fd(STDIN_FILENO, image::k_max_state_bytes, "state");

  const std::vector<std::string> argv_vec(argv, argv + argc);
  auto args = parse_args(argv_vec);
  if (!args) {
    Verdict v = deny_error(args.error(), "usage", "fix the hooks.d args of hardrun-hook");
    v.code = ExitCode::usage;
    return report(v, false, Journal{}, "?");
  }

  Loaded loaded;
  load_trusted(*args, loaded);
  const bool warn = loaded.config_ok && loaded.config.mode == config::Mode::warn;
  // libsystemd is loaded here, before the sandbox, and only when journald listens.
  const Journal journal = sys::open_journal_if_listening();

  if (!input) {
    return report(deny_error(input.error(), "state", "the state on stdin is limited to 1 MiB of JSON (R2)"), warn,
                  journal, args->stage);
  }

  // Issue item 2: from here on only untrusted input is handled. Failing to sandbox is a deny,
  // and warn mode does not cover it.
  // The report is the hook's only stderr line (hooks.d users read it in podman's error):
  // libraries that print diagnostics of their own (librnp does) write to /dev/null meanwhile.
  const int saved_stderr = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
  const int dev_null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (auto sb = enter_sandbox(SandboxOptions{journal.send != nullptr}); !sb) {
    return report(deny_error(sb.error(), "sandbox", "the hook could not confine itself; check seccomp and capabilities"),
                  false, journal, args->stage);
  }
  // Threat: a deadline expiring while stderr is /dev/null would deny with no reason given.
  set_report_fd(saved_stderr);
  const bool quiet = saved_stderr >= 0 && dev_null >= 0 && ::dup2(dev_null, STDERR_FILENO) == STDERR_FILENO;
  const Verdict v = decide_untrusted(*input, loaded);
  if (quiet) {
    ::dup2(saved_stderr, STDERR_FILENO);
  }
  set_report_fd(STDERR_FILENO);
  return report(v, warn, journal, args->stage);
}

} // namespace hardrun::hook
