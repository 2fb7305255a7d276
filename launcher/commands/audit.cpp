// SPDX-License-Identifier: Apache-2.0
//
// hardrun audit: the hardening gaps of podman containers as they are (their effective config.json,
// the one runc started them from, plus podman's own view), with the ids the well-known audit
// tools use for the same gap. Quadlet files and directories go to audit_quadlet_files, --image
// to audit_image.
#include <sys/stat.h>

#include <algorithm>
#include <iostream>

#include "audit.hpp"
#include "audit_quadlet.hpp"
#include "commands.hpp"
#include "doctor_process.hpp"
#include "hardrun/audit/catalog.hpp"
#include "hardrun/audit/container.hpp"
#include "hardrun/check/validator.hpp"
#include "hardrun/config/config.hpp"
#include "hardrun/runtime/shim.hpp"
#include "hardrun/spec/json.hpp"
#include "hardrun/sys/fs.hpp"
#include "input.hpp"

namespace hardrun::commands {

std::vector<std::string>
podman_base(const cli::AuditOptions& o)
{
  std::vector<std::string> a{"podman"};
  if (!o.storage_root.empty()) {
    a.insert(a.end(), {"--root", o.storage_root});
  }
  if (!o.runroot.empty()) {
    a.insert(a.end(), {"--runroot", o.runroot});
  }
  return a;
}

spec::Json
ids_json(std::string_view rule)
{
  const audit::CheckIds* ids = audit::ids_for(rule);
  if (ids == nullptr) {
    return spec::Json::object();
  }
  return {{"cis", ids->cis}, {"kubescape", ids->kubescape}, {"trivy", ids->trivy}, {"dockle", ids->dockle}};
}

std::string
ids_text(std::string_view rule)
{
  const audit::CheckIds* ids = audit::ids_for(rule);
  if (ids == nullptr) {
    return {};
  }
  std::string s;
  const auto add = [&](std::string_view label, std::string_view v) {
    if (!v.empty()) {
      s += (s.empty() ? "" : ", ") + std::string(label) + std::string(v);
    }
  };
  add("CIS Docker ", ids->cis);
  add("Kubescape ", ids->kubescape);
  add("Trivy ", ids->trivy);
  add("dockle ", ids->dockle);
  return s.empty() ? s : " [" + s + "]";
}

namespace {

constexpr auto k_podman_timeout = std::chrono::seconds(60);

struct Audited {
  std::string id;
  std::string name;
  std::string image;
  std::vector<check::Finding> findings;
};

Result<std::vector<std::string>>
all_containers(const cli::AuditOptions& o)
{
  auto a = podman_base(o);
  a.insert(a.end(), {"ps", "--all", "--no-trunc", "--filter", "status=running", "--filter", "status=created", "--format", "{{.ID}}"});
  const auto r = run_process(a, k_podman_timeout);
  if (!r.started || r.timed_out || r.exit_code != 0) {
    return make_error(Errc::system, "podman ps failed: " + (r.error.empty() ? first_line(r) : r.error));
  }
  std::vector<std::string> ids;
  std::size_t pos = 0;
  while (pos < r.out.size()) {
    const auto nl = r.out.find('\n', pos);
    std::string id = r.out.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? r.out.size() : nl + 1;
    if (!id.empty()) {
      ids.push_back(std::move(id));
    }
  }
  return ids;
}

Result<Audited>
audit_container(const cli::AuditOptions& o, const std::string& target, const LoadedPolicy& lp, const config::Config& cfg)
{
  auto a = podman_base(o);
  a.insert(a.end(), {"container", "inspect", "--", target});
  const auto r = run_process(a, k_podman_timeout);
  if (!r.started || r.timed_out || r.exit_code != 0) {
    return make_error(Errc::not_found, "container " + target + ": podman container inspect failed: " +
                                         (r.error.empty() ? first_line(r) : r.error));
  }
  const spec::Json arr = spec::Json::parse(r.out, nullptr, false);
  if (arr.is_discarded() || !arr.is_array() || arr.empty() || !arr[0].is_object()) {
    return make_error(Errc::invalid_input, "container " + target + ": podman container inspect printed no object");
  }
  const spec::Json& insp = arr[0];
  Audited out;
  out.id = insp.value("Id", target);
  out.name = insp.value("Name", std::string());
  out.image = insp.value("ImageName", std::string());
  const std::string cfg_path = insp.value("OCIConfigPath", std::string());
  if (cfg_path.empty()) {
    return make_error(Errc::not_found, "container " + target + ": podman reports no OCIConfigPath (was it ever initialised?)");
  }
  HARDRUN_TRY_ASSIGN(file, sys::read_file(cfg_path, sys::ReadOptions{std::size_t{8} << 20U, true, false, true}));
  const spec::Json config = spec::Json::parse(file.bytes, nullptr, false);
  if (config.is_discarded() || !config.is_object()) {
    return make_error(Errc::invalid_input, cfg_path + ": not a JSON object");
  }
  const modify::Context ctx{lp.policy, lp.allocation};
  check::Options opts;
  opts.container_id = out.id;
  opts.secrets_dir = runtime::container_secrets_dir(cfg.secrets_dir, out.id);
  out.findings = check::validate(config, ctx, opts);
  for (auto& f : out.findings) {
    f.pointer = "config.json" + f.pointer;
  }
  for (auto& f : audit::podman_view_findings(insp)) {
    f.pointer = "inspect" + f.pointer;
    out.findings.push_back(std::move(f));
  }
  return out;
}

bool
is_quadlet_target(const std::string& t)
{
  struct stat st{};
  if (::stat(t.c_str(), &st) != 0) {
    return false;
  }
  return S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && t.size() > 10 && t.compare(t.size() - 10, 10, ".container") == 0);
}

} // namespace

ExitCode
run_audit(const cli::AuditOptions& o)
{
  if (!o.image.empty()) {
    if (!o.targets.empty()) {
      std::cerr << "hardrun audit: --image takes no other targets — audit the image and the containers in two runs\n";
      return ExitCode::usage;
    }
    return audit_image(o);
  }
  std::vector<std::string> quadlet;
  std::vector<std::string> containers;
  for (const auto& t : o.targets) {
    (is_quadlet_target(t) ? quadlet : containers).push_back(t);
  }
  ExitCode quadlet_code = ExitCode::ok;
  // Unit files and containers in one run: with --json, one document holding both.
  spec::Json units;
  const bool both = !quadlet.empty() && !containers.empty();
  if (!quadlet.empty()) {
    quadlet_code = audit_quadlet_files(quadlet, o, both ? &units : nullptr);
    if (containers.empty() || (quadlet_code != ExitCode::ok && quadlet_code != ExitCode::denied)) {
      return quadlet_code;
    }
  }

  const bool explicit_config = !o.config.empty();
  auto cfg = config::load(explicit_config ? o.config : config::default_path(), explicit_config);
  if (!cfg) {
    return report_error(cfg.error());
  }
  auto lp = load_policy(o.policy.empty() ? cfg->profile : o.policy);
  if (!lp) {
    return report_error(lp.error());
  }
  if (o.targets.empty()) {
    auto all = all_containers(o);
    if (!all) {
      return report_error(all.error());
    }
    containers = std::move(*all);
  }
  std::vector<Audited> results;
  for (const auto& c : containers) {
    auto a = audit_container(o, c, *lp, *cfg);
    if (!a) {
      return report_error(a.error());
    }
    results.push_back(std::move(*a));
  }
  std::size_t total = 0;
  if (o.json) {
    spec::Json arr = spec::Json::array();
    for (const auto& r : results) {
      spec::Json fs = spec::Json::array();
      for (const auto& f : r.findings) {
        fs.push_back({{"rule", f.rule}, {"pointer", f.pointer}, {"message", f.message}, {"remedy", f.remedy}, {"ids", ids_json(f.rule)}});
      }
      total += r.findings.size();
      arr.push_back({{"id", r.id}, {"name", r.name}, {"image", r.image}, {"profile", lp->policy.name}, {"findings", fs}});
    }
    spec::Json doc = spec::Json::object();
    if (both) {
      doc["units"] = std::move(units);
    }
    doc["containers"] = std::move(arr);
    std::cout << doc.dump(2) << '\n';
  } else {
    for (const auto& r : results) {
      std::cout << "container " << r.name << " (" << r.id.substr(0, 12) << ", " << r.image << "): "
                << (r.findings.empty() ? "clean" : std::to_string(r.findings.size()) + " gap(s)") << " against profile "
                << lp->policy.name << '\n';
      for (const auto& f : r.findings) {
        std::cout << "  " << f.rule << ids_text(f.rule) << ": " << f.message << " (" << f.pointer << ")\n"
                  << "    fix: " << f.remedy << '\n';
      }
      total += r.findings.size();
    }
    if (results.empty()) {
      std::cout << "no running or created containers\n";
    }
  }
  const ExitCode mine = total == 0 ? ExitCode::ok : ExitCode::denied;
  return to_int(quadlet_code) > to_int(mine) ? quadlet_code : mine;
}

} // namespace hardrun::commands
