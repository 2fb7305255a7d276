// SPDX-License-Identifier: Apache-2.0
#include "hardrun/runtime/shim.hpp"

#include <algorithm>
#include <set>

#include "hardrun/spec/document.hpp"
#include "hardrun/spec/path.hpp"

namespace hardrun::runtime {
namespace {

using spec::Json;
using spec::pointer_append;

constexpr const char* k_secret_options[] = {"bind", "rprivate", "ro", "nosuid", "nodev", "noexec"};

bool
same_path(const Json& entry, const std::string& path)
{
  return entry.is_object() && entry.contains("path") && entry["path"].is_string() && entry["path"].get<std::string>() == path;
}

check::Finding
finding(std::string rule, std::string pointer, std::string message, std::string remedy)
{
  return check::Finding{std::move(rule), std::move(pointer), std::move(message), std::move(remedy)};
}

std::string
strip_cap(std::string cap)
{
  return cap.rfind("CAP_", 0) == 0 ? cap.substr(4) : cap;
}

// Map an id through OCI idMappings ([{containerID, hostID, size}]).
std::optional<std::uint32_t>
map_id(const Json* mappings, std::uint32_t id)
{
  if (mappings == nullptr || !mappings->is_array() || mappings->empty()) {
    return std::nullopt;
  }
  for (const auto& m : *mappings) {
    const auto c = spec::as_u32(m.contains("containerID") ? &m["containerID"] : nullptr);
    const auto h = spec::as_u32(m.contains("hostID") ? &m["hostID"] : nullptr);
    const auto s = spec::as_u32(m.contains("size") ? &m["size"] : nullptr);
    if (c && h && s && id >= *c && std::uint64_t{id} < std::uint64_t{*c} + *s) {
      return *h + (id - *c);
    }
  }
  return std::nullopt;
}

} // namespace

HookSpec
hook_spec(const config::Config& config, const std::string& config_file, const std::optional<std::string>& signature_policy)
{
  HookSpec h;
  h.path = config.hook_path;
  h.args = {"hardrun-hook"};
  if (!config_file.empty()) {
    h.args.insert(h.args.end(), {"--config", config_file});
  }
  if (signature_policy) {
    h.args.insert(h.args.end(), {"--signature-policy", *signature_policy});
  }
  h.env = {"PATH=/usr/sbin:/usr/bin", "LC_ALL=C"};
  h.timeout = config.hook_timeout_seconds;
  return h;
}

Json
hook_json(const HookSpec& hook)
{
  Json j = Json::object();
  j["path"] = hook.path;
  j["args"] = hook.args;
  j["env"] = hook.env;
  j["timeout"] = hook.timeout;
  return j;
}

Result<modify::Changes>
InjectHook::apply(Json& config, const modify::Context& /*ctx*/) const
{
  modify::Changes changes;
  const Json wanted = hook_json(m_hook);
  // createRuntime copies (from a hooks.d file with that stage) would run the hook twice.
  if (const Json* cr = spec::find(config, "/hooks/createRuntime"); cr != nullptr && cr->is_array()) {
    Json kept = Json::array();
    for (const auto& e : *cr) {
      if (!same_path(e, m_hook.path)) {
        kept.push_back(e);
      }
    }
    if (kept.size() != cr->size()) {
      modify::set_value(config, "/hooks/createRuntime", kept, name(), changes);
    }
  }
  Json prestart = Json::array();
  if (const Json* pre = spec::find(config, "/hooks/prestart"); pre != nullptr && pre->is_array()) {
    prestart = *pre;
  }
  Json next = Json::array();
  bool placed = false;
  for (const auto& e : prestart) {
    if (same_path(e, m_hook.path)) {
      if (!placed) {
        next.push_back(wanted); // keep its position: admission before other prestart hooks
        placed = true;
      }
      continue;
    }
    next.push_back(e);
  }
  if (!placed) {
    // First: nothing else in prestart runs for an image that will be refused.
    next.insert(next.begin(), wanted);
  }
  modify::set_value(config, "/hooks/prestart", next, name(), changes);
  return changes;
}

std::vector<check::Finding>
check_hooks(const Json& config, const std::string& hook_path, bool require)
{
  std::vector<check::Finding> out;
  bool present = false;
  for (const char* stage : {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}) {
    const std::string p = std::string("/hooks/") + stage;
    const Json* list = spec::find(config, p);
    if (list == nullptr || !list->is_array()) {
      continue;
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
      const Json& e = (*list)[i];
      const std::string ep = pointer_append(p, i);
      const bool has_env = e.is_object() && e.contains("env") && e["env"].is_array() && !e["env"].empty();
      const bool is_ours = same_path(e, hook_path);
      const bool early = std::string_view(stage) == "prestart" || std::string_view(stage) == "createRuntime";
      if (is_ours && early) {
        const bool has_timeout = e.is_object() && e.contains("timeout") && e["timeout"].is_number_integer()
                                 && e["timeout"].get<long long>() > 0;
        if (has_env && has_timeout) {
          present = true;
        } else {
          out.push_back(finding("admission-hook", ep, "the hardrun hook has no explicit env or no timeout",
                                "install the hook with hardrun install-hook (it writes env and timeout)"));
        }
      }
      if ((std::string_view(stage) == "createContainer" || std::string_view(stage) == "startContainer") && !has_env) {
        // NVIDIAScape (CVE-2025-23266): such a hook runs with the container's env (LD_PRELOAD).
        out.push_back(finding("admission-hook", ep,
                              std::string(stage) + " hook " + (e.is_object() ? e.value("path", std::string("?")) : std::string("?"))
                                + " has no explicit env: it would inherit the container's environment",
                              "give the hook an explicit env in its hooks.d file"));
      }
    }
  }
  if (require && !present) {
    out.push_back(finding("admission-hook", "/hooks",
                          "hardrun hook not present in bundle config (hooks.d missing or overridden?): " + hook_path
                            + " is in neither hooks.prestart nor hooks.createRuntime",
                          "install it (hardrun install-hook) and do not pass --hooks-dir, or set injectHook in hardrun.json"));
  }
  return out;
}

std::string
container_secrets_dir(const std::string& secrets_root, const std::string& container_id)
{
  return secrets_root + "/ctr-" + container_id;
}

std::vector<SecretMount>
find_secret_mounts(const Json& config, const std::string& secrets_root, const std::string& container_id)
{
  std::vector<SecretMount> out;
  const Json* mounts = spec::find(config, "/mounts");
  if (mounts == nullptr || !mounts->is_array()) {
    return out;
  }
  const std::string own = container_secrets_dir(secrets_root, container_id);
  for (std::size_t i = 0; i < mounts->size(); ++i) {
    const Json& m = (*mounts)[i];
    if (!m.is_object() || !m.contains("source") || !m["source"].is_string()) {
      continue;
    }
    const auto src = spec::clean_absolute(m["source"].get<std::string>());
    if (!src || !spec::is_within(*src, secrets_root) || *src == secrets_root) {
      continue;
    }
    // <root>/<dir>/<name>: exactly two components below the root.
    const std::string rest = src->substr(secrets_root.size() + 1);
    const auto slash = rest.find('/');
    if (slash == std::string::npos || rest.find('/', slash + 1) != std::string::npos) {
      continue;
    }
    const std::string dir = rest.substr(0, slash);
    SecretMount s{i, *src, rest.substr(slash + 1), false};
    if (dir.rfind(k_stage_prefix, 0) == 0) {
      s.staged = true;
    } else if (secrets_root + "/" + dir != own) {
      continue; // another container's secrets: the validator refuses that bind as sensitive
    }
    out.push_back(std::move(s));
  }
  return out;
}

Result<modify::Changes>
BindSecrets::apply(Json& config, const modify::Context& /*ctx*/) const
{
  modify::Changes changes;
  const std::string own = container_secrets_dir(m_root, m_id);
  Json opts = Json::array();
  for (const char* o : k_secret_options) {
    opts.push_back(o);
  }
  for (const auto& s : find_secret_mounts(config, m_root, m_id)) {
    // set_value walks objects only; a mount is an array element, edited here in place.
    Json& m = config["mounts"][s.index];
    const std::string p = pointer_append("/mounts", s.index);
    const std::string target = own + "/" + s.name;
    if (m["source"] != target) {
      changes.push_back(modify::Change{std::string(name()), pointer_append(p, "source"), m["source"], Json(target)});
      m["source"] = target;
    }
    if (!m.contains("options") || m["options"] != opts) {
      changes.push_back(modify::Change{std::string(name()), pointer_append(p, "options"),
                                       m.contains("options") ? std::optional<Json>(m["options"]) : std::nullopt, opts});
      m["options"] = opts;
    }
  }
  return changes;
}

std::optional<HostOwner>
host_owner_of_process(const Json& config)
{
  const auto uid = spec::as_u32(spec::find(config, "/process/user/uid"));
  const auto gid = spec::as_u32(spec::find(config, "/process/user/gid"));
  if (!uid || !gid) {
    return std::nullopt;
  }
  const auto hu = map_id(spec::find(config, "/linux/uidMappings"), *uid);
  const auto hg = map_id(spec::find(config, "/linux/gidMappings"), *gid);
  if (!hu || !hg) {
    return std::nullopt;
  }
  return HostOwner{*hu, *hg};
}

Result<ProcessOutcome>
harden_process(Json& process, const policy::Policy& policy)
{
  ProcessOutcome out;
  if (!process.is_object()) {
    return make_error(Errc::invalid_input, "the process file is not a JSON object");
  }
  // Shape: the same strict rules as a config's process section (unknown capability sets, ids
  // that are not u32 …), by checking it inside a minimal config.
  {
    Json wrapper = Json::object();
    wrapper["process"] = process;
    if (auto shape = spec::check_shape(wrapper); !shape) {
      return Unexpected(std::move(shape).error());
    }
  }
  std::set<std::string> allowed;
  for (const auto& c : policy.allowed_capabilities) {
    allowed.insert(strip_cap(c));
  }
  if (const auto it = process.find("capabilities"); it != process.end() && it->is_object()) {
    for (const auto& [set, caps] : it->items()) {
      if (!caps.is_array()) {
        continue;
      }
      std::vector<std::string> extra;
      for (const auto& c : caps) {
        if (c.is_string() && allowed.count(strip_cap(c.get<std::string>())) == 0) {
          extra.push_back(c.get<std::string>());
        }
      }
      if (!extra.empty()) {
        // podman exec --privileged hands the exec'd process 40 bounding caps (E16).
        std::string list;
        for (const auto& e : extra) {
          list += (list.empty() ? "" : ",") + e;
        }
        out.findings.push_back(finding("exec-privileged", pointer_append("/capabilities", set),
                                       "exec process asks for capabilities the profile does not allow: " + list,
                                       "drop --privileged / --cap-add from podman exec"));
      }
    }
  }
  const auto uid = spec::as_u32(spec::find(process, "/user/uid"));
  const auto gid = spec::as_u32(spec::find(process, "/user/gid"));
  if (!uid || *uid == 0) {
    out.findings.push_back(finding("exec-root", "/user/uid", "exec process runs as uid 0 (or has no uid)",
                                   "run podman exec without --user 0; the container's service user is used"));
  }
  if (!gid || *gid == 0) {
    out.findings.push_back(finding("exec-root", "/user/gid", "exec process runs with gid 0 (or has no gid)",
                                   "run podman exec without --user …:0"));
  }
  if (const Json* extra = spec::find(process, "/user/additionalGids"); extra != nullptr && extra->is_array()) {
    for (std::size_t i = 0; i < extra->size(); ++i) {
      if (spec::as_u32(&(*extra)[i]) == 0U) {
        out.findings.push_back(finding("exec-root", pointer_append("/user/additionalGids", i),
                                       "exec process is in group 0", "drop --group-add 0"));
      }
    }
  }
  if (const Json* cwd = spec::find(process, "/cwd"); cwd != nullptr && cwd->is_string()) {
    if (!check::safe_cwd_path(cwd->get<std::string>())) {
      out.findings.push_back(finding("safe-cwd", "/cwd", "exec cwd \"" + cwd->get<std::string>() + "\" not allowed",
                                     "podman exec --workdir with a plain absolute path"));
    }
  }
  if (const Json* a = spec::find(process, "/apparmorProfile"); a != nullptr && *a == "unconfined") {
    out.findings.push_back(finding("no-unconfined-lsm", "/apparmorProfile", "exec process is AppArmor-unconfined",
                                   "drop --privileged / apparmor=unconfined"));
  }
  modify::set_value(process, "/noNewPrivileges", true, "no-new-privileges", out.changes);
  return out;
}

} // namespace hardrun::runtime
