// SPDX-License-Identifier: Apache-2.0
#include "cli.hpp"

namespace hardrun::cli {
namespace {

constexpr const char* k_policy_help = "hardening profile: a NAME from /etc/hardrun/policies or the installed policies, or a FILE";

void
add_harden(CLI::App& app, HardenOptions& o, CLI::App*& cmd)
{
  cmd = app.add_subcommand("harden", "Rewrite an OCI config.json so that it is hardened per the profile");
  cmd->add_option("--policy", o.policy, k_policy_help)->type_name("NAME|FILE");
  auto* bundle = cmd->add_option("--bundle", o.bundle, "OCI bundle directory: rewrite DIR/config.json in place")->type_name("DIR");
  auto* in = cmd->add_option("--in", o.in, "read the config from FILE (- for standard input)")->type_name("FILE|-");
  bundle->excludes(in);
  cmd->add_option("--out", o.out, "write the hardened config to FILE (- for standard output; default: in place for --bundle, "
                                  "standard output for --in)")->type_name("FILE|-");
  cmd->add_flag("--dry-run", o.dry_run, "print what each modifier would change; write nothing");
  cmd->add_flag("--json", o.json, "print the report as JSON");
}

void
add_check(CLI::App& app, CheckOptions& o, CLI::App*& cmd)
{
  cmd = app.add_subcommand("check", "Report how an OCI config.json falls short of the profile, with remedies");
  cmd->add_option("--policy", o.policy, k_policy_help)->type_name("NAME|FILE");
  auto* bundle = cmd->add_option("--bundle", o.bundle, "OCI bundle directory: check DIR/config.json")->type_name("DIR");
  auto* file = cmd->add_option("file", o.file, "config.json to check (- for standard input)")->type_name("FILE|-");
  bundle->excludes(file);
  cmd->add_flag("--json", o.json, "print the findings as JSON");
}

void
add_run(CLI::App& app, RunOptions& o, CLI::App*& cmd)
{
  cmd = app.add_subcommand("run", "Run IMAGE@sha256:DIGEST with podman, hardened by the runtime shim and admitted by the hook");
  cmd->add_option("--config", o.config, "hardrun configuration (default: /etc/hardrun/hardrun.json)")->type_name("FILE");
  cmd->add_option("--policy", o.policy, k_policy_help + std::string(" (default: the configuration's profile)"))->type_name("NAME|FILE");
  cmd->add_option("--signature-policy", o.signature_policy, "trust policy (containers-policy.json) the admission hook uses")->type_name("FILE");
  cmd->add_option("--runtime", o.runtime, "the low-level runtime the shim delegates to (runc, crun or a path)")->type_name("NAME|PATH");
  cmd->add_option("--secret", o.secrets, "mount FILE read-only at /run/secrets/NAME (default NAME: its base name), mode 0400, "
                                          "owned by the service user, on tmpfs; repeatable")->type_name("FILE[,target=NAME]")->allow_extra_args(false);
  cmd->add_option("--user,-u", o.user, "service uid[:gid] (never 0; default: the profile's)")->type_name("UID[:GID]");
  cmd->add_option("--userns", o.userns, "user namespace mode for podman (default: from the profile: auto, or an explicit map)")->type_name("MODE");
  cmd->add_option("--name", o.name, "container name (default: hardrun-<random>)")->type_name("NAME");
  cmd->add_flag("--detach,-d", o.detach, "run in the background and print the container id");
  cmd->add_option("--env,-e", o.env, "set an environment variable (never for secrets: use --secret)")->type_name("VAR=VALUE")->allow_extra_args(false);
  cmd->add_option("--volume,-v", o.volumes, "bind or named volume, checked against the profile's forbidden host paths")->type_name("SRC:DST[:OPTS]")->allow_extra_args(false);
  cmd->add_option("--mount", o.mounts, "podman --mount, checked against the profile's forbidden host paths")->type_name("SPEC")->allow_extra_args(false);
  cmd->add_option("--publish,-p", o.publish, "publish a port (podman -p)")->type_name("PORTS")->allow_extra_args(false);
  cmd->add_option("--network", o.network, "podman network mode (host is refused)")->type_name("MODE");
  cmd->add_option("--tmpfs", o.tmpfs, "extra tmpfs (must be allowed by the profile)")->type_name("PATH[:OPTS]")->allow_extra_args(false);
  cmd->add_flag("--rm", o.rm, "remove the container when it exits");
  cmd->add_flag("--dry-run", o.dry_run, "print the podman command and what the shim will enforce; start nothing");
  cmd->add_flag("--json", o.json, "print the report as JSON");
  cmd->prefix_command(); // IMAGE and the container's command line are taken verbatim
}

void
add_precreate(CLI::App& app, PrecreateOptions& o, CLI::App*& cmd)
{
  cmd = app.add_subcommand("precreate", "podman precreate hook: read an OCI config on standard input, write it hardened "
                                        "to standard output");
  cmd->add_option("--config", o.config, "hardrun configuration (default: /etc/hardrun/hardrun.json)")->type_name("FILE");
  cmd->add_option("--policy", o.policy, k_policy_help + std::string(" (default: the configuration's profile)"))->type_name("NAME|FILE");
}

void
add_setup(CLI::App& app, SetupOptions& o, CLI::App*& cmd)
{
  cmd = app.add_subcommand("setup", "Prepare the host: subordinate id ranges for podman --userns=auto (user containers)");
  cmd->add_flag("--dry-run", o.dry_run, "print what would change; change nothing");
}

void
add_verify(CLI::App& app, VerifyOptions& o, CLI::App*& cmd)
{
  cmd = app.add_subcommand("verify", "Explain the admission hook's decision for an image in containers-storage");
  cmd->add_option("--config", o.config, "hardrun configuration (default: /etc/hardrun/hardrun.json)")->type_name("FILE");
  cmd->add_option("--signature-policy", o.signature_policy, "trust policy (default: the configuration's signaturePolicy)")
    ->type_name("FILE");
  cmd->add_option("--root", o.storage_root, "containers-storage graph root (default: /var/lib/containers/storage)")
    ->type_name("DIR");
  cmd->add_option("--registries-d", o.registries_dir, "registries.d directory for lookaside signatures "
                                                       "(default: the configuration's registriesDir)")->type_name("DIR");
  cmd->add_flag("--json", o.json, "print the decision as JSON");
  cmd->add_option("image", o.image, "the image, pinned: NAME@sha256:DIGEST")->required()->type_name("IMAGE@sha256:DIGEST");
}

void
add_install_hook(CLI::App& app, InstallHookOptions& o, CLI::App*& cmd)
{
  cmd = app.add_subcommand("install-hook", "Write the hooks.d file that makes podman run hardrun-hook before every container");
  cmd->add_option("--config", o.config, "hardrun configuration the hook reads (default: /etc/hardrun/hardrun.json)")
    ->type_name("FILE");
  cmd->add_option("--signature-policy", o.signature_policy, "trust policy for the hook (default: the configuration's)")
    ->type_name("FILE");
  cmd->add_option("--hooks-dir", o.hooks_dir, "where to write 00-hardrun.json (default: /usr/share/containers/oci/hooks.d, "
                                              "the only directory podman 4.3 reads by default)")->type_name("DIR");
  cmd->add_flag("--dry-run", o.dry_run, "print the file instead of writing it");
}

// Issue 5 (owner: the quadlet/update work). Add options here, document them in man/hardrun.1.scd.
void
add_quadlet(CLI::App& app, QuadletOptions& o, CLI::App*& cmd)
{
  cmd = app.add_subcommand("quadlet", "Write a hardened quadlet .container unit for IMAGE@sha256:DIGEST");
  cmd->add_option("--config", o.config, "hardrun configuration the shim reads (default: /etc/hardrun/hardrun.json)")->type_name("FILE");
  cmd->add_option("--policy", o.policy, k_policy_help + std::string(" (default: the configuration's profile)"))->type_name("NAME|FILE");
  cmd->add_option("--track", o.track, "record the tag hardrun update follows (written to [X-Hardrun] Track=)")->type_name("REPO:TAG");
  cmd->add_option("--secret", o.secrets, "mount podman secret NAME (podman secret create) at /run/secrets/NAME or TARGET, "
                                         "owned by the service user, mode 0400")->type_name("NAME[,target=TARGET]")->allow_extra_args(false);
  cmd->add_option("--health-cmd", o.health_cmd, "health check command; the unit then uses Notify=healthy")->type_name("COMMAND");
  cmd->add_option("--health-interval", o.health_interval, "time between health checks (podman --health-interval)")->type_name("DURATION");
  cmd->add_option("--health-timeout", o.health_timeout, "time a health check may take")->type_name("DURATION");
  cmd->add_option("--health-retries", o.health_retries, "failed checks before the container is unhealthy")->type_name("N");
  cmd->add_option("--health-start-period", o.health_start_period, "grace period before failed checks count")->type_name("DURATION");
  cmd->add_option("--description", o.description, "the unit's Description=")->type_name("TEXT");
  cmd->add_option("--network", o.network, "Network= for the container (none, a podman network; host is refused)")->type_name("MODE");
  cmd->add_option("--shim", o.shim, "path of hardrun-runtime in the unit (default: next to this hardrun)")->type_name("PATH");
  cmd->add_option("--output,-o", o.output, "write the unit to FILE atomically (default: standard output)")->type_name("FILE");
  cmd->add_flag("--force", o.force, "replace FILE when it exists");
  cmd->add_option("name", o.name, "unit name (NAME.container, the container is NAME)")->required()->type_name("NAME");
  cmd->add_option("image", o.image, "image reference pinned by digest")->required()->type_name("IMAGE@sha256:DIGEST");
}

// Issue 5 (owner: the quadlet/update work).
void
add_update(CLI::App& app, UpdateOptions& o, CLI::App*& cmd)
{
  cmd = app.add_subcommand("update", "Move units that track a tag to its newest signed digest, with rollback");
  cmd->add_option("--config", o.config, "hardrun configuration (default: /etc/hardrun/hardrun.json)")->type_name("FILE");
  cmd->add_option("--signature-policy", o.signature_policy, "trust policy (default: the configuration's signaturePolicy)")->type_name("FILE");
  cmd->add_option("--root", o.storage_root, "containers-storage graph root podman pulls into (default: /var/lib/containers/storage)")
    ->type_name("DIR");
  cmd->add_option("--unit-dir", o.unit_dirs, "where the .container units are (default: /etc/containers/systemd and "
                                             "/usr/share/containers/systemd)")->type_name("DIR")->allow_extra_args(false);
  cmd->add_option("--pin-dir", o.pin_dir, "where the pin histories are (default: /var/lib/hardrun/pins)")->type_name("DIR");
  cmd->add_option("--timeout", o.timeout, "seconds a restart may take to become active and healthy (default: 300)")->type_name("SECONDS")
    ->check(CLI::Range(1, 86400));
  cmd->add_flag("--force", o.force, "move to a digest even if it was replaced or rolled back before");
  cmd->add_flag("--dry-run", o.dry_run, "resolve and report what would change; pull, pin and restart nothing");
  cmd->add_flag("--json", o.json, "print the report as JSON");
  cmd->add_option("units", o.units, "units to update (default: every unit that tracks a tag)")->type_name("UNIT");
}

// Issues 5 and 7 (owner: the audit work).
void
add_audit(CLI::App& app, AuditOptions& o, CLI::App*& cmd)
{
  cmd = app.add_subcommand("audit", "Report hardening gaps of containers, quadlet files or an image");
  cmd->add_option("--config", o.config, "hardrun configuration (default: /etc/hardrun/hardrun.json)")->type_name("FILE");
  cmd->add_option("--policy", o.policy, k_policy_help + std::string(" (default: the configuration's profile)"))->type_name("NAME|FILE");
  cmd->add_option("--image", o.image, "audit an image's layers and configuration instead: secrets (also deleted ones), "
                                      "secret-looking ENV/history, root user, package caches")->type_name("IMAGE@sha256:DIGEST");
  cmd->add_flag("--json", o.json, "print the findings as JSON");
  cmd->add_option("--root", o.storage_root, "podman --root: the containers-storage graph root to audit")->type_name("DIR");
  cmd->add_option("--runroot", o.runroot, "podman --runroot: the run root that goes with --root")->type_name("DIR");
  cmd->add_option("targets", o.targets, "containers (default: every running or created one), .container files or directories");
}

// Issue 7 (owner: the doctor work).
void
add_doctor(CLI::App& app, DoctorOptions& o, CLI::App*& cmd)
{
  cmd = app.add_subcommand("doctor", "Check that hardrun's enforcement points are really active on this host");
  cmd->add_option("--config", o.config, "hardrun configuration (default: /etc/hardrun/hardrun.json)")->type_name("FILE");
  cmd->add_flag("--json", o.json, "print every check with its status, detail and fix as JSON");
  cmd->add_flag("--rootless", o.rootless, "judge podman's rootless view (the user's containers.conf too); implied when not root");
  cmd->add_option("--canary", o.canary, "the canary program to start (default: the installed hardrun-canary)")->type_name("FILE");
  cmd->add_flag("--skip-canary", o.skip_canary, "check the configuration only; start no container");
}

} // namespace

Cli::Cli() : m_app(std::make_unique<CLI::App>("hardrun: run podman containers hardened, and refuse images nobody vouches for", "hardrun"))
{
  m_app->set_version_flag("--version", std::string("hardrun ") + HARDRUN_VERSION);
  m_app->require_subcommand(1);
  add_harden(*m_app, m_harden, m_harden_cmd);
  add_check(*m_app, m_check, m_check_cmd);
  add_run(*m_app, m_run, m_run_cmd);
  add_precreate(*m_app, m_precreate, m_precreate_cmd);
  add_setup(*m_app, m_setup, m_setup_cmd);
  add_verify(*m_app, m_verify, m_verify_cmd);
  add_install_hook(*m_app, m_install_hook, m_install_hook_cmd);
  add_quadlet(*m_app, m_quadlet, m_quadlet_cmd);
  add_update(*m_app, m_update, m_update_cmd);
  add_audit(*m_app, m_audit, m_audit_cmd);
  add_doctor(*m_app, m_doctor, m_doctor_cmd);
}

Command
Cli::command() const
{
  if (m_harden_cmd->parsed()) {
    return m_harden;
  }
  if (m_check_cmd->parsed()) {
    return m_check;
  }
  if (m_run_cmd->parsed()) {
    RunOptions o = m_run;
    o.image_and_command = m_run_cmd->remaining();
    return o;
  }
  if (m_precreate_cmd->parsed()) {
    return m_precreate;
  }
  if (m_setup_cmd->parsed()) {
    return m_setup;
  }
  if (m_verify_cmd->parsed()) {
    return m_verify;
  }
  if (m_install_hook_cmd->parsed()) {
    return m_install_hook;
  }
  if (m_quadlet_cmd->parsed()) {
    return m_quadlet;
  }
  if (m_update_cmd->parsed()) {
    return m_update;
  }
  if (m_audit_cmd->parsed()) {
    return m_audit;
  }
  if (m_doctor_cmd->parsed()) {
    return m_doctor;
  }
  return std::monostate{};
}

} // namespace hardrun::cli
