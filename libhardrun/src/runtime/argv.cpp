// SPDX-License-Identifier: Apache-2.0
#include "hardrun/runtime/argv.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace hardrun::runtime {
namespace {

// Global flags of runc 1.1 and crun 1.8 that take a value in the next argument (both runtimes
// also accept --flag=value). Every other global flag is a boolean.
constexpr std::array<std::string_view, 7> k_global_with_value = {
  "--root", "--log", "--log-format", "--log-level", "--criu", "--rootless", "--cgroup-manager"};
constexpr std::array<std::string_view, 8> k_global_bool = {
  "--debug", "--systemd-cgroup", "--help", "-h", "--version", "-v", "--log-json", "--no-pivot"};

// Subcommand flags that take a value, per family. A flag not listed is a boolean; an unknown
// long flag on create/run/exec is refused (it might hide a value such as a second config).
constexpr std::array<std::string_view, 8> k_create_with_value = {
  "--bundle", "-b", "--console-socket", "--pid-file", "--preserve-fds", "--config", "-f", "--criu-opts"};
constexpr std::array<std::string_view, 7> k_create_bool = {
  "--no-pivot", "--no-new-keyring", "--detach", "-d", "--keep", "--no-subreaper", "--systemd-cgroup"};
constexpr std::array<std::string_view, 17> k_exec_with_value = {
  "--process", "-p", "--console-socket", "--pid-file", "--cwd", "--env", "-e", "--user", "-u",
  "--additional-gids", "-g", "--process-label", "--apparmor", "--cap", "-c", "--preserve-fds", "--cgroup"};
constexpr std::array<std::string_view, 7> k_exec_bool = {
  "--tty", "-t", "--detach", "-d", "--no-new-privs", "--ignore-paused", "--no-subreaper"};

template <std::size_t N>
bool
contains(const std::array<std::string_view, N>& set, std::string_view v)
{
  return std::find(set.begin(), set.end(), v) != set.end();
}

Unexpected
usage(std::string message)
{
  return make_error(Errc::invalid_input, std::move(message));
}

// Split "--flag=value" into ("--flag", "value"); "--flag" gives ("--flag", nullopt).
std::pair<std::string_view, std::optional<std::string_view>>
split_flag(std::string_view arg)
{
  const auto eq = arg.find('=');
  if (eq == std::string_view::npos) {
    return {arg, std::nullopt};
  }
  return {arg.substr(0, eq), arg.substr(eq + 1)};
}

struct SubFlags {
  std::optional<std::string> bundle;
  std::optional<std::string> pid_file;
  std::optional<std::string> process;
  std::optional<std::string> config;
  std::vector<std::string> positional;
};

Result<SubFlags>
parse_sub(const std::vector<std::string>& args, std::size_t from, bool exec_family)
{
  SubFlags out;
  for (std::size_t i = from; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      out.positional.insert(out.positional.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      break;
    }
    if (a.size() < 2 || a[0] != '-') {
      out.positional.push_back(a);
      if (exec_family) {
        // exec ID COMMAND...: everything after the id is the command and its arguments.
        out.positional.insert(out.positional.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
        break;
      }
      continue;
    }
    auto [name, inline_value] = split_flag(a);
    // urfave/cli (runc) accepts one or two dashes for every flag.
    std::string canon(name);
    if (canon.size() > 2 && canon[1] != '-' && canon.size() != 2) {
      canon = "-" + canon;
    }
    const bool takes_value = exec_family ? contains(k_exec_with_value, canon) : contains(k_create_with_value, canon);
    const bool is_bool = exec_family ? contains(k_exec_bool, canon) : contains(k_create_bool, canon);
    if (!takes_value && !is_bool) {
      if (!inline_value) {
        return usage("unknown flag " + a + ": cannot tell whether it takes a value, so the bundle, process and container id cannot be found safely");
      }
      continue;
    }
    std::optional<std::string> value;
    if (takes_value && !is_bool) {
      if (inline_value) {
        value = std::string(*inline_value);
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return usage("flag " + a + " needs a value");
      }
    }
    if (!value) {
      continue;
    }
    if (canon == "--bundle" || canon == "-b") {
      out.bundle = *value;
    } else if (canon == "--pid-file") {
      out.pid_file = *value;
    } else if (canon == "--process" || canon == "-p") {
      out.process = *value;
    } else if (canon == "--config" || canon == "-f") {
      out.config = *value;
    }
  }
  return out;
}

} // namespace

Result<Invocation>
parse_argv(const std::vector<std::string>& args)
{
  Invocation inv;
  std::size_t i = 0;
  // Global flags up to the subcommand; hardrun's own are taken out of the delegate's argv.
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.empty() || a[0] != '-') {
      break;
    }
    auto [name, inline_value] = split_flag(a);
    if (name.substr(0, 10) == "--hardrun-") {
      std::optional<std::string>* slot = nullptr;
      if (name == "--hardrun-config") {
        slot = &inv.hardrun_config;
      } else if (name == "--hardrun-profile") {
        slot = &inv.hardrun_profile;
      } else if (name == "--hardrun-runtime") {
        slot = &inv.hardrun_runtime;
      } else if (name == "--hardrun-signature-policy") {
        slot = &inv.signature_policy;
      } else {
        return usage("unknown hardrun flag " + std::string(name) + " (known: --hardrun-config, --hardrun-profile, --hardrun-runtime, --hardrun-signature-policy)");
      }
      if (!inline_value || inline_value->empty()) {
        return usage(std::string(name) + " needs =VALUE (podman --runtime-flag " + std::string(name.substr(2)) + "=VALUE)");
      }
      *slot = std::string(*inline_value);
      continue;
    }
    inv.argv.push_back(a);
    if (contains(k_global_with_value, name)) {
      if (!inline_value) {
        if (i + 1 >= args.size()) {
          return usage("flag " + a + " needs a value");
        }
        inv.argv.push_back(args[++i]);
      }
    } else if (!contains(k_global_bool, name) && !inline_value) {
      return usage("unknown global flag " + a + ": cannot tell whether it takes a value, so the subcommand cannot be found safely");
    }
  }
  inv.argv.insert(inv.argv.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  if (i == args.size()) {
    return inv; // only global flags: --version, --help
  }
  inv.subcommand = args[i];
  const std::string& sub = inv.subcommand;
  if (sub == "create" || sub == "run") {
    HARDRUN_TRY_ASSIGN(f, parse_sub(args, i + 1, false));
    if (f.config) {
      // crun create --config FILE runs a config other than <bundle>/config.json.
      inv.action = Action::refuse;
      inv.refusal = sub + " --config: a config file outside the bundle is not supported; put it at <bundle>/config.json";
      return inv;
    }
    if (f.positional.size() != 1) {
      return usage(sub + ": expected exactly one container id, got " + std::to_string(f.positional.size()));
    }
    inv.action = Action::harden;
    inv.bundle = f.bundle;
    inv.pid_file = f.pid_file;
    inv.container_id = f.positional[0];
  } else if (sub == "exec") {
    HARDRUN_TRY_ASSIGN(f, parse_sub(args, i + 1, true));
    if (f.positional.empty()) {
      return usage("exec: missing container id");
    }
    inv.container_id = f.positional[0];
    if (!f.process) {
      // Without --process the runtime builds the process from flags (--cap, --user 0 …), with
      // uid 0 as the default (security.md E16, R14).
      inv.action = Action::refuse;
      inv.refusal = "exec without --process: the process cannot be checked; podman always passes --process";
      return inv;
    }
    if (f.positional.size() > 1) {
      inv.action = Action::refuse;
      inv.refusal = "exec with both --process and a command line";
      return inv;
    }
    inv.action = Action::exec;
    inv.process = f.process;
  } else if (sub == "restore" || sub == "checkpoint" || sub == "spec" || sub == "update") {
    // restore starts a process from a checkpoint image the shim cannot check; spec writes a
    // config; update can change resources and devices of a running container.
    if (sub == "restore" || sub == "update") {
      inv.action = Action::refuse;
      inv.refusal = sub + " is not supported under hardrun (it would change a container without the hardening check)";
    }
  }
  for (std::size_t j = i + 1; j < args.size(); ++j) {
    if (!args[j].empty() && args[j][0] != '-') {
      inv.positionals.push_back(args[j]);
    }
  }
  if (sub == "delete" && inv.positionals.size() == 1) {
    inv.action = Action::delete_;
    inv.container_id = inv.positionals[0];
  }
  return inv;
}

} // namespace hardrun::runtime
