// SPDX-License-Identifier: Apache-2.0
// hardrun audit FILE.container|DIR: the static lint of quadlet units (systemd/audit.hpp), with
// each unit's drop-ins (NAME.container.d/*.conf) merged as quadlet merges them.
#include "audit_quadlet.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <iostream>

#include "hardrun/config/config.hpp"
#include "hardrun/spec/json.hpp"
#include "hardrun/systemd/audit.hpp"
#include "input.hpp"

namespace hardrun::commands {
namespace {

bool
ends_with(const std::string& s, const std::string& suffix)
{
  return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<std::string>
list(const std::string& dir, const std::string& suffix)
{
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      const std::string n = e->d_name;
      if (n[0] != '.' && ends_with(n, suffix)) {
        out.push_back(dir + "/" + n);
      }
    }
    ::closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<systemd::UnitFile>
load_with_dropins(const std::string& file)
{
  HARDRUN_TRY_ASSIGN(unit, systemd::load_unit(file));
  for (const auto& conf : list(file + ".d", ".conf")) {
    HARDRUN_TRY_ASSIGN(dropin, systemd::load_unit(conf));
    systemd::merge_dropin(unit, dropin);
  }
  return unit;
}

} // namespace

ExitCode
audit_quadlet_files(const std::vector<std::string>& paths, const cli::AuditOptions& options, spec::Json* units)
{
  const bool explicit_config = !options.config.empty();
  auto cfg = config::load(explicit_config ? options.config : config::default_path(), explicit_config);
  if (!cfg) {
    return report_error(cfg.error());
  }
  auto loaded = load_policy(options.policy.empty() ? cfg->profile : options.policy);
  if (!loaded) {
    return report_error(loaded.error());
  }
  std::vector<std::string> files;
  for (const auto& p : paths) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      const auto in_dir = list(p, ".container");
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else {
      files.push_back(p);
    }
  }
  if (files.empty()) {
    std::cerr << "hardrun audit: no .container file in";
    for (const auto& p : paths) {
      std::cerr << ' ' << p;
    }
    std::cerr << '\n';
    return ExitCode::usage;
  }
  bool findings = false;
  spec::Json report = spec::Json::array();
  for (const auto& f : files) {
    auto unit = load_with_dropins(f);
    if (!unit) {
      return report_error(unit.error());
    }
    const auto r = systemd::audit_unit(*unit, loaded->policy);
    findings = findings || !r.clean();
    if (options.json) {
      spec::Json j{{"file", f}, {"profile", loaded->policy.name}, {"score", r.passed}, {"max", r.total}, {"findings", spec::Json::array()}};
      for (const auto& x : r.findings) {
        j["findings"].push_back({{"rule", x.rule}, {"key", x.key}, {"source", x.source}, {"message", x.message}, {"fix", x.fix}, {"advisory", x.advisory}});
      }
      report.push_back(std::move(j));
    } else {
      std::cout << f << ": score " << r.passed << "/" << r.total << " (profile " << loaded->policy.name << ")"
                << (r.clean() ? ", no findings" : "") << '\n';
      for (const auto& x : r.findings) {
        std::cout << (x.advisory ? "  advice: " : "  ") << x.rule << " [" << x.key << "] " << x.source << ": " << x.message << "\n    fix: " << x.fix << '\n';
      }
    }
  }
  if (options.json && units != nullptr) {
    *units = std::move(report);
  } else if (options.json) {
    std::cout << spec::Json{{"units", report}}.dump(2) << '\n';
  }
  return findings ? ExitCode::denied : ExitCode::ok;
}

} // namespace hardrun::commands
