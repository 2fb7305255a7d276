// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <CLI/CLI.hpp>

namespace hardrun::cli {

struct HardenOptions {
  std::string policy = "strict";
  std::string bundle;
  std::string in;
  std::string out;
  bool dry_run = false;
  bool json = false;
};

struct CheckOptions {
  std::string policy = "strict";
  std::string bundle;
  std::string file;
  bool json = false;
};

struct RunOptions {
  std::string config;           // hardrun.json (default: /etc/hardrun/hardrun.json)
  std::string policy;           // hardening profile (default: the config's)
  std::string signature_policy; // trust policy for the admission hook
  std::string runtime;          // the low-level runtime the shim delegates to
  std::vector<std::string> secrets;
  std::string user;
  std::string userns;
  std::string name;
  bool detach = false;
  std::vector<std::string> env;
  std::vector<std::string> volumes;
  std::vector<std::string> mounts;
  std::vector<std::string> publish;
  std::string network;
  std::vector<std::string> tmpfs;
  bool rm = false;
  bool dry_run = false;
  bool json = false;
  // IMAGE [COMMAND [ARG...]]: everything after the first positional, untouched.
  std::vector<std::string> image_and_command;
};

struct PrecreateOptions {
  std::string config;
  std::string policy;
};

struct VerifyOptions {
  std::string config;
  std::string signature_policy;
  std::string storage_root;
  std::string registries_dir;
  bool json = false;
  std::string image;
};

struct InstallHookOptions {
  std::string config;
  std::string signature_policy;
  std::string hooks_dir = "/usr/share/containers/oci/hooks.d";
  bool dry_run = false;
};

struct SetupOptions {
  bool dry_run = false;
};

// hardrun quadlet NAME IMAGE@sha256:... (issue 5; owner: launcher/commands/quadlet*.cpp)
struct QuadletOptions {
  std::string config;
  std::string policy;
  std::string name;
  std::string image;
  std::string track;
  std::vector<std::string> secrets;
  std::string health_cmd;
  std::string health_interval;
  std::string health_timeout;
  std::string health_retries;
  std::string health_start_period;
  std::string description;
  std::string network;
  std::string shim;
  std::string output;
  bool force = false;
};

// hardrun update [UNIT...] (issue 5; owner: launcher/commands/update*.cpp)
struct UpdateOptions {
  std::string config;
  std::string signature_policy;
  std::string storage_root;
  std::vector<std::string> unit_dirs;
  std::string pin_dir;
  int timeout = 300;
  bool force = false;
  bool dry_run = false;
  bool json = false;
  std::vector<std::string> units;
};

// hardrun audit [CONTAINER|FILE.container|DIR...] / --image IMAGE@sha256:... (issues 5 and 7;
// owners: commands/audit*.cpp; quadlet files: commands/audit_quadlet.cpp)
struct AuditOptions {
  std::string config;
  std::string policy;
  std::string image;
  bool json = false;
  std::vector<std::string> targets;
  std::string storage_root; // podman --root, passed through
  std::string runroot;      // podman --runroot, passed through
};

// hardrun doctor (issue 7; owner: launcher/commands/doctor*.cpp)
struct DoctorOptions {
  std::string config;
  bool json = false;
  bool rootless = false;     // judge the rootless view of containers.conf too
  std::string canary;        // the canary program (default: the installed hardrun-canary)
  bool skip_canary = false;  // configuration checks only
};

struct VersionOptions {};

using Command = std::variant<std::monostate, HardenOptions, CheckOptions, RunOptions, PrecreateOptions, SetupOptions, VerifyOptions, InstallHookOptions,
                             QuadletOptions, UpdateOptions, AuditOptions, DoctorOptions>;

// The whole command line of `hardrun`, as CLI11 objects filling option structs. Kept apart from
// main() so tests can parse argv vectors and walk the definition (man page and completion tests).
class Cli {
public:
  Cli();
  [[nodiscard]] CLI::App& app() { return *m_app; }
  // The subcommand that was parsed, with its options; monostate when none was.
  [[nodiscard]] Command command() const;

private:
  std::unique_ptr<CLI::App> m_app;
  HardenOptions m_harden;
  CheckOptions m_check;
  RunOptions m_run;
  PrecreateOptions m_precreate;
  SetupOptions m_setup;
  VerifyOptions m_verify;
  InstallHookOptions m_install_hook;
  QuadletOptions m_quadlet;
  UpdateOptions m_update;
  AuditOptions m_audit;
  DoctorOptions m_doctor;
  CLI::App* m_quadlet_cmd = nullptr;
  CLI::App* m_update_cmd = nullptr;
  CLI::App* m_audit_cmd = nullptr;
  CLI::App* m_doctor_cmd = nullptr;
  CLI::App* m_verify_cmd = nullptr;
  CLI::App* m_install_hook_cmd = nullptr;
  CLI::App* m_harden_cmd = nullptr;
  CLI::App* m_check_cmd = nullptr;
  CLI::App* m_run_cmd = nullptr;
  CLI::App* m_precreate_cmd = nullptr;
  CLI::App* m_setup_cmd = nullptr;
};

} // namespace hardrun::cli
