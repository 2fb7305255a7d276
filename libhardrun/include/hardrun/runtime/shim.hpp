// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hardrun/base/result.hpp"
#include "hardrun/check/validator.hpp"
#include "hardrun/config/config.hpp"
#include "hardrun/modify/modifier.hpp"
#include "hardrun/policy/policy.hpp"
#include "hardrun/spec/json.hpp"

namespace hardrun::runtime {

// The admission hook entry as the shim writes it into config.json and the installer into
// hooks.d: absolute path, pinned env (security.md R13: the hook must not inherit the caller's
// or the container's env, CVE-2025-23266), a timeout (R1 backstop).
struct HookSpec {
  std::string path;
  std::vector<std::string> args;
  std::vector<std::string> env;
  unsigned timeout = 0;
};

// The hook entry for a configuration. config_file: the hardrun.json the shim used ("" = built-in
// defaults, no --config); signature_policy: an override for the hook's trust policy.
[[nodiscard]] HookSpec hook_spec(const config::Config& config, const std::string& config_file,
                                 const std::optional<std::string>& signature_policy);
[[nodiscard]] spec::Json hook_json(const HookSpec& hook);

// Makes hooks.prestart hold exactly one entry for hook.path, the canonical one, and removes
// other entries for that path from createRuntime (a hooks.d copy would run it twice).
class InjectHook final : public modify::Modifier {
public:
  explicit InjectHook(HookSpec hook) : m_hook(std::move(hook)) {}
  [[nodiscard]] std::string_view name() const override { return "admission-hook"; }
  [[nodiscard]] Result<modify::Changes> apply(spec::Json& config, const modify::Context& ctx) const override;

private:
  HookSpec m_hook;
};

// Findings about hooks: with `require`, the hardrun hook must be in prestart or createRuntime
// with an explicit env and a timeout (security.md R6, C18: hooks.d alone fails open, E5/E6);
// createContainer/startContainer hooks without an explicit env run with the container's env
// (NVIDIAScape, C19) and are refused.
[[nodiscard]] std::vector<check::Finding> check_hooks(const spec::Json& config, const std::string& hook_path, bool require);

// The container's secret directory below the secrets root.
[[nodiscard]] std::string container_secrets_dir(const std::string& secrets_root, const std::string& container_id);
// Stage directories (`hardrun run` writes secrets there before the container id exists).
inline constexpr std::string_view k_stage_prefix = "stage-";

// A secret mount found in the config: its staged or claimed file and its target.
struct SecretMount {
  std::size_t index = 0;     // in /mounts
  std::string source;        // as in the config
  std::string name;          // file name
  bool staged = false;       // below a stage dir (first create) rather than the container's dir
};
[[nodiscard]] std::vector<SecretMount> find_secret_mounts(const spec::Json& config, const std::string& secrets_root,
                                                          const std::string& container_id);

// Points secret mounts at the container's own secret directory and makes them
// ro,nosuid,nodev,noexec (podman's bind has no "ro" by default: security.md E14, X6).
class BindSecrets final : public modify::Modifier {
public:
  BindSecrets(std::string secrets_root, std::string container_id)
    : m_root(std::move(secrets_root)), m_id(std::move(container_id))
  {
  }
  [[nodiscard]] std::string_view name() const override { return "secrets"; }
  [[nodiscard]] Result<modify::Changes> apply(spec::Json& config, const modify::Context& ctx) const override;

private:
  std::string m_root;
  std::string m_id;
};

// The host uid/gid of the container's process user (through /linux/uidMappings), for the owner
// of its secret files; nullopt when unmapped.
struct HostOwner {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
};
[[nodiscard]] std::optional<HostOwner> host_owner_of_process(const spec::Json& config);

// `exec --process FILE` (security.md E16, R14, H4): every capability set a subset of the
// profile's allowed capabilities (podman exec --privileged / --cap-add are refused), uid/gid and
// additional gids never 0 (podman exec --user 0 is refused), a safe cwd, no unconfined
// AppArmor; noNewPrivileges is rewritten to true.
struct ProcessOutcome {
  modify::Changes changes;
  std::vector<check::Finding> findings;
};
[[nodiscard]] Result<ProcessOutcome> harden_process(spec::Json& process, const policy::Policy& policy);

} // namespace hardrun::runtime
