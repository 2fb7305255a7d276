// SPDX-License-Identifier: Apache-2.0
//
// hardrun doctor: are the enforcement points really active on this host? Each check looks at what
// podman itself would use (the containers.conf files it reads, the hooks directories they name,
// the runtime it would start), because every way hardrun can be silently bypassed is a
// configuration that looks right and is not read: a hooks.d file in a directory podman does not
// read, a missing hook binary (podman skips it: security.md E5), an unregistered shim. The canary
// (doctor_canary.cpp) then proves it by starting containers through each point.
#include "doctor.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "commands.hpp"
#include "doctor_process.hpp"
#include "hardrun/audit/containers_conf.hpp"
#include "hardrun/config/config.hpp"
#include "hardrun/policy/policy.hpp"
#include "hardrun/spec/json.hpp"
#include "hardrun/sys/env.hpp"
#include "hardrun/sys/fs.hpp"
#include "hardrun/trust/policy.hpp"

#ifndef HARDRUN_RUNTIME_PATH
#define HARDRUN_RUNTIME_PATH "/usr/bin/hardrun-runtime"
#endif

namespace hardrun::commands {

void
DoctorReport::add(std::string name, CheckStatus status, std::string detail, std::string fix)
{
  checks.push_back(DoctorCheck{std::move(name), status, std::move(detail), std::move(fix)});
}

bool
DoctorReport::failed() const
{
  return std::any_of(checks.begin(), checks.end(), [](const DoctorCheck& c) { return c.status == CheckStatus::fail; });
}

std::string_view
status_name(CheckStatus s)
{
  switch (s) {
  case CheckStatus::ok:
    return "ok";
  case CheckStatus::fail:
    return "FAIL";
  case CheckStatus::warn:
    return "warn";
  case CheckStatus::skip:
    return "skip";
  }
  return "FAIL";
}

std::string
file_problem(const std::string& path, bool executable)
{
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) {
    return path + " does not exist";
  }
  if (!S_ISREG(st.st_mode)) {
    return path + " is not a regular file";
  }
  if (executable && (st.st_mode & 0111) == 0) {
    return path + " is not executable";
  }
  // Threat: a binary podman runs as root that someone else can replace runs code as root.
  if (st.st_uid != 0) {
    return path + " is owned by uid " + std::to_string(st.st_uid) + ", not root";
  }
  if ((st.st_mode & 022) != 0) {
    return path + " is writable by group or others";
  }
  return {};
}

namespace {

// Expands "DIR/*.conf" entries into the sorted .conf files of DIR; keeps files that exist.
std::vector<std::string>
expand_conf_files(const audit::ConfCandidates& c)
{
  std::vector<std::string> out;
  for (const auto& e : c.entries) {
    if (e.size() > 7 && e.compare(e.size() - 7, 7, "/*.conf") == 0) {
      const std::string dir = e.substr(0, e.size() - 7);
      std::vector<std::string> names;
      if (DIR* d = ::opendir(dir.c_str()); d != nullptr) {
        while (const dirent* de = ::readdir(d)) {
          const std::string n = de->d_name;
          if (n.size() > 5 && n.compare(n.size() - 5, 5, ".conf") == 0) {
            names.push_back(n);
          }
        }
        ::closedir(d);
      }
      std::sort(names.begin(), names.end());
      for (const auto& n : names) {
        out.push_back(dir + "/" + n);
      }
    } else if (::access(e.c_str(), F_OK) == 0) {
      out.push_back(e);
    }
  }
  return out;
}

std::string
join(const std::vector<std::string>& v, const char* sep = ", ")
{
  std::string s;
  for (const auto& x : v) {
    s += (s.empty() ? "" : sep) + x;
  }
  return s;
}

bool
env_has(const spec::Json& env, std::string_view prefix)
{
  if (!env.is_array()) {
    return false;
  }
  return std::any_of(env.begin(), env.end(), [&](const spec::Json& e) {
    return e.is_string() && e.get<std::string>().rfind(prefix, 0) == 0 && e.get<std::string>().size() > prefix.size();
  });
}

// The hooks.d checks: which directory podman reads holds 00-hardrun.json, and is that file right.
void
check_hooks(DoctorReport& rep, const audit::ContainersConf& conf, const config::Config& cfg, bool rootless)
{
  const auto dirs = audit::effective_hooks_dirs(conf);
  const std::string source = conf.hooks_dir ? "hooks_dir in " + conf.hooks_dir_source : "podman's built-in hooks_dir";
  const std::string fix_install = "hardrun install-hook --hooks-dir " + (dirs.empty() ? std::string(audit::k_default_hooks_dir) : dirs.back());
  if (dirs.empty()) {
    rep.add("hooks-dir", CheckStatus::fail, source + " is empty: podman runs no OCI hooks" + (rootless ? " (rootless)" : ""),
            "list a directory in [engine] hooks_dir, e.g. hooks_dir = [\"" + std::string(audit::k_default_hooks_dir) +
              "\"], then run hardrun install-hook --hooks-dir that directory");
    return;
  }
  // Later directories take precedence: the last one holding the file is the one podman uses.
  std::string found;
  for (const auto& d : dirs) {
    if (::access((d + "/00-hardrun.json").c_str(), F_OK) == 0) {
      found = d + "/00-hardrun.json";
    }
  }
  if (found.empty()) {
    std::string elsewhere;
    for (const char* d : {"/usr/share/containers/oci/hooks.d", "/etc/containers/oci/hooks.d"}) {
      if (std::find(dirs.begin(), dirs.end(), d) == dirs.end() && ::access((std::string(d) + "/00-hardrun.json").c_str(), F_OK) == 0) {
        elsewhere = std::string(d) + "/00-hardrun.json";
      }
    }
    rep.add("hooks-dir", CheckStatus::fail,
            "no 00-hardrun.json in the hook directories podman reads (" + join(dirs) + ", from " + source + ")" +
              (elsewhere.empty() ? std::string() : "; " + elsewhere + " exists but podman does not read that directory"),
            fix_install);
    return;
  }
  rep.add("hooks-dir", CheckStatus::ok, found + " (podman reads " + join(dirs) + ", from " + source + ")", "");

  auto file = sys::read_file(found, sys::ReadOptions{1U << 20U, false, false, true});
  spec::Json j;
  std::string problem;
  if (!file) {
    problem = file.error().what();
  } else {
    j = spec::Json::parse(file->bytes, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      problem = found + " is not valid JSON";
    }
  }
  std::vector<std::string> issues;
  spec::Json hook;
  if (problem.empty()) {
    if (j.value("version", std::string()) != "1.0.0") {
      issues.emplace_back("version is not \"1.0.0\"");
    }
    hook = j.contains("hook") && j["hook"].is_object() ? j["hook"] : spec::Json::object();
    const spec::Json stages = j.contains("stages") ? j["stages"] : spec::Json::array();
    const bool prestart = stages.is_array() && std::any_of(stages.begin(), stages.end(), [](const spec::Json& s) {
      return s == "prestart" || s == "createRuntime";
    });
    if (!prestart) {
      issues.emplace_back("stages lacks prestart");
    }
    const spec::Json when = j.contains("when") ? j["when"] : spec::Json::object();
    if (!(when.is_object() && when.contains("always") && when["always"] == true)) {
      issues.emplace_back("when.always is not true: the hook would skip some containers");
    }
    // security.md R13: the hook must not inherit podman's environment.
    const spec::Json env = hook.contains("env") ? hook["env"] : spec::Json();
    if (!env_has(env, "PATH=")) {
      issues.emplace_back("hook.env sets no PATH");
    }
    if (!env_has(env, "LC_ALL=")) {
      issues.emplace_back("hook.env sets no LC_ALL");
    }
    // R1: podman's timeout must outlast the hook's own deadline, so the hook reports its deny.
    const auto deadline_s = static_cast<unsigned>((cfg.hook_deadline.count() + 999) / 1000);
    if (!hook.contains("timeout") || !hook["timeout"].is_number_unsigned()) {
      issues.emplace_back("hook.timeout is not set");
    } else if (hook["timeout"].get<unsigned>() <= deadline_s) {
      issues.emplace_back("hook.timeout " + std::to_string(hook["timeout"].get<unsigned>()) + " s is not above the hook deadline " +
                          std::to_string(deadline_s) + " s");
    }
  } else {
    issues.push_back(problem);
  }
  if (issues.empty()) {
    rep.add("hooks-file", CheckStatus::ok, "version 1.0.0, prestart, always, env PATH and LC_ALL, timeout " +
                                             std::to_string(hook["timeout"].get<unsigned>()) + " s", "");
  } else {
    rep.add("hooks-file", CheckStatus::fail, found + ": " + join(issues, "; "), "rewrite it: " + fix_install);
  }
  const std::string path = hook.contains("path") && hook["path"].is_string() ? hook["path"].get<std::string>() : cfg.hook_path;
  if (const std::string p = file_problem(path, true); !p.empty()) {
    rep.add("hook-binary", CheckStatus::fail, p + " (podman silently skips a hook whose binary is missing)",
            "reinstall hardrun so that " + path + " is root-owned and mode 0755, then " + fix_install);
  } else {
    rep.add("hook-binary", CheckStatus::ok, path + " is root-owned and not writable by others", "");
  }
  if (path != cfg.hook_path) {
    rep.add("hook-path", CheckStatus::warn, found + " runs " + path + " but hardrun.json's hookPath is " + cfg.hook_path,
            fix_install);
  }
}

// The runtime shim: registered in [engine.runtimes], and podman's default runtime.
std::string
check_shim(DoctorReport& rep, const audit::ContainersConf& conf)
{
  const std::string snippet = "[engine.runtimes] hardrun = [\"" + std::string(HARDRUN_RUNTIME_PATH) +
                              "\"] in /etc/containers/containers.conf.d/hardrun.conf (see the shipped containers.conf.d/hardrun.conf)";
  std::string shim;
  const auto it = conf.runtimes.find("hardrun");
  if (it == conf.runtimes.end()) {
    if (conf.runtime && conf.runtime->find('/') != std::string::npos && conf.runtime->find("hardrun-runtime") != std::string::npos) {
      shim = *conf.runtime;
    } else {
      rep.add("shim-registered", CheckStatus::fail,
              "no [engine.runtimes] hardrun entry in " + (conf.files.empty() ? std::string("any containers.conf") : join(conf.files)),
              "add " + snippet);
      return {};
    }
  } else {
    for (const auto& p : it->second) {
      if (::access(p.c_str(), F_OK) == 0) {
        shim = p;
        break;
      }
    }
    if (shim.empty()) {
      rep.add("shim-registered", CheckStatus::fail,
              "[engine.runtimes] hardrun (" + conf.runtimes_source.at("hardrun") + ") lists " + join(it->second) + ": none exists",
              "install hardrun-runtime at " + std::string(HARDRUN_RUNTIME_PATH) + " or add its path to the list");
      return {};
    }
  }
  if (const std::string p = file_problem(shim, true); !p.empty()) {
    rep.add("shim-registered", CheckStatus::fail, p, "reinstall hardrun-runtime root-owned, mode 0755");
    return {};
  }
  rep.add("shim-registered", CheckStatus::ok, "hardrun = " + shim, "");
  if (conf.runtime && (*conf.runtime == "hardrun" || *conf.runtime == shim)) {
    rep.add("shim-default", CheckStatus::ok, "runtime = \"" + *conf.runtime + "\" (" + conf.runtime_source + ")", "");
  } else {
    rep.add("shim-default", CheckStatus::warn,
            "podman's default runtime is " + (conf.runtime ? *conf.runtime : std::string("its built-in one")) +
              ": only hardrun run and --runtime hardrun go through the shim (the hook still denies the rest)",
            "set [engine] runtime = \"hardrun\" (contrib/containers.conf.d/hardrun.conf)");
  }
  return shim;
}

// The real runtime the shim would start: the same choice as hardrun-runtime's resolve_delegate.
std::string
check_delegate(DoctorReport& rep, const config::Config& cfg)
{
  std::string delegate = cfg.runtime;
  if (delegate.empty()) {
    for (const char* name : {"crun", "runc"}) {
      for (const char* dir : {"/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin"}) {
        const std::string c = std::string(dir) + "/" + name;
        if (delegate.empty() && ::access(c.c_str(), F_OK) == 0) {
          delegate = c;
        }
      }
    }
  }
  if (delegate.empty()) {
    rep.add("delegate", CheckStatus::fail, "no runtime for the shim: hardrun.json sets none and neither crun nor runc is installed",
            "install runc (apt install runc) or set \"runtime\" in " + cfg.source);
    return {};
  }
  if (const std::string p = file_problem(delegate, true); !p.empty()) {
    rep.add("delegate", CheckStatus::fail, p, "reinstall the runtime, or point \"runtime\" in hardrun.json at a root-owned one");
    return {};
  }
  const auto r = run_process({delegate, "--version"}, std::chrono::seconds(10), 64U << 10U);
  if (!r.started || r.timed_out || r.exit_code != 0) {
    rep.add("delegate", CheckStatus::fail, delegate + " --version failed: " + (r.error.empty() ? first_line(r) : r.error),
            "reinstall " + delegate);
    return {};
  }
  rep.add("delegate", CheckStatus::ok, delegate + ": " + r.out.substr(0, r.out.find('\n')), "");
  return delegate;
}

void
print_report(const DoctorReport& rep, bool json)
{
  if (json) {
    spec::Json arr = spec::Json::array();
    for (const auto& c : rep.checks) {
      arr.push_back({{"check", c.name}, {"status", std::string(status_name(c.status))}, {"detail", c.detail}, {"fix", c.fix}});
    }
    std::cout << spec::Json{{"ok", !rep.failed()}, {"checks", arr}}.dump(2) << '\n';
    return;
  }
  for (const auto& c : rep.checks) {
    std::cout << status_name(c.status) << "\t" << c.name << ": " << c.detail << '\n';
    if (c.status != CheckStatus::ok && !c.fix.empty()) {
      std::cout << "\tfix: " << c.fix << '\n';
    }
  }
  std::cout << (rep.failed() ? "hardrun doctor: some checks FAILED\n" : "hardrun doctor: all checks passed\n");
}

} // namespace

ExitCode
run_doctor(const cli::DoctorOptions& o)
{
  DoctorReport rep;
  const bool root = ::geteuid() == 0;
  const bool rootless = o.rootless || !root;

  // hardrun.json
  const bool explicit_config = !o.config.empty();
  const std::string config_file = explicit_config ? o.config : config::default_path();
  config::Config cfg = config::defaults();
  bool config_ok = false;
  if (auto c = config::load(config_file, explicit_config); c) {
    cfg = std::move(*c);
    config_ok = true;
    rep.add("config", CheckStatus::ok, cfg.source + (cfg.mode == config::Mode::warn ? " (mode warn: denials are only reported)" : ""), "");
    if (cfg.mode == config::Mode::warn) {
      rep.add("mode", CheckStatus::warn, "mode is warn: the hook reports but admits", "set \"mode\": \"enforce\" in " + cfg.source);
    }
  } else {
    rep.add("config", CheckStatus::fail, c.error().what(), "fix " + config_file + " (hardrun-config(5)); the built-in defaults are used below");
  }

  // The profile and the subordinate ids it needs.
  if (auto p = policy::load(cfg.profile); p) {
    rep.add("profile", CheckStatus::ok, p->name + " (" + p->source + ")", "");
    if (!p->user_namespace.subid_user.empty()) {
      const sys::LinuxEnv env;
      auto alloc = policy::resolve_allocation(*p, env);
      if (!alloc) {
        rep.add("subids", CheckStatus::fail, alloc.error().what(), "fix /etc/subuid and /etc/subgid, or run hardrun setup");
      } else if (alloc->uids.empty() || alloc->gids.empty()) {
        rep.add("subids", CheckStatus::fail,
                "profile " + p->name + " uses --userns=auto, but /etc/subuid or /etc/subgid has no range for user " +
                  p->user_namespace.subid_user,
                "hardrun setup");
      } else {
        rep.add("subids", CheckStatus::ok, "user " + p->user_namespace.subid_user + " has ranges in /etc/subuid and /etc/subgid", "");
      }
    }
  } else {
    rep.add("profile", CheckStatus::fail, p.error().what(), "fix the profile, or set \"profile\" in " + config_file);
  }

  // The trust policy, with its keys (GPG keyrings through librnp, sigstore keys through OpenSSL).
  if (auto t = trust::load_trust_policy(cfg.signature_policy); t) {
    std::size_t gpg = 0;
    std::size_t sigstore = 0;
    std::size_t scopes = 0;
    const auto count = [&](const trust::Scope& s) {
      ++scopes;
      for (const auto& r : s.requirements) {
        gpg += r.gpg_keys ? 1 : 0;
        sigstore += r.sigstore_keys ? 1 : 0;
      }
    };
    count(t->default_scope());
    for (const auto& [name, s] : t->docker_scopes()) {
      count(s);
    }
    rep.add("trust-policy", CheckStatus::ok,
            cfg.signature_policy + ": " + std::to_string(scopes) + " scope(s), keys loaded for " + std::to_string(gpg) +
              " signedBy and " + std::to_string(sigstore) + " sigstoreSigned requirement(s)",
            "");
  } else {
    rep.add("trust-policy", CheckStatus::fail, t.error().what(),
            "fix " + cfg.signature_policy + " (containers-policy.json(5)) or set \"signaturePolicy\" in " + config_file);
  }

  // containers.conf, as podman reads it.
  std::optional<std::string> conf_env;
  if (const char* e = std::getenv("CONTAINERS_CONF"); e != nullptr) {
    conf_env = e;
  }
  std::string user_config_home;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x != nullptr && *x != '\0') {
    user_config_home = x;
  } else if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') {
    user_config_home = std::string(h) + "/.config";
  }
  audit::ContainersConf conf;
  bool conf_ok = true;
  for (const auto& f : expand_conf_files(audit::containers_conf_candidates(rootless, conf_env, user_config_home))) {
    auto text = sys::read_file(f, sys::ReadOptions{1U << 20U, false, false, true});
    if (!text) {
      rep.add("containers-conf", CheckStatus::fail, text.error().what(), "fix or remove " + f);
      conf_ok = false;
      continue;
    }
    if (auto m = audit::merge_containers_conf(conf, text->bytes, f); !m) {
      rep.add("containers-conf", CheckStatus::fail, m.error().what(), "fix " + f + " (containers.conf(5))");
      conf_ok = false;
    }
  }
  if (conf_ok) {
    rep.add("containers-conf", CheckStatus::ok,
            (conf.files.empty() ? std::string("no containers.conf: podman's built-in defaults") : join(conf.files)) +
              (rootless ? " (rootless view)" : " (rootful view)"),
            "");
  }

  check_hooks(rep, conf, cfg, rootless);
  const std::string shim = check_shim(rep, conf);
  const std::string delegate = check_delegate(rep, cfg);

  if (o.skip_canary) {
    rep.add("canary", CheckStatus::skip, "--skip-canary given", "");
  } else if (!root) {
    rep.add("canary", CheckStatus::skip, "needs root: the canary starts rootful podman containers", "sudo hardrun doctor");
  } else {
    CanaryInputs in;
    in.config = cfg;
    in.config_file = config_ok && cfg.source != "built-in defaults" ? config_file : std::string();
    in.shim = shim.empty() ? std::string(HARDRUN_RUNTIME_PATH) : (conf.runtimes.count("hardrun") != 0 ? "hardrun" : shim);
    in.delegate = delegate;
    in.canary_binary = o.canary;
    run_canary(rep, in);
  }

  print_report(rep, o.json);
  return rep.failed() ? ExitCode::denied : ExitCode::ok;
}

} // namespace hardrun::commands
