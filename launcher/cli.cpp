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

} // namespace

Cli::Cli() : m_app(std::make_unique<CLI::App>("hardrun: run podman containers hardened, and refuse images nobody vouches for", "hardrun"))
{
  m_app->set_version_flag("--version", std::string("hardrun ") + HARDRUN_VERSION);
  m_app->require_subcommand(1);
  add_harden(*m_app, m_harden, m_harden_cmd);
  add_check(*m_app, m_check, m_check_cmd);
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
  return std::monostate{};
}

} // namespace hardrun::cli
