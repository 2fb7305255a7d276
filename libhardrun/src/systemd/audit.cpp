// SPDX-License-Identifier: Apache-2.0
// Each rule answers one way a quadlet unit can run a container less hardened than the profile
// asks for; the fix names the key to set. The shim still enforces the profile at run time when
// the unit uses it; the audit catches units that bypass it or tell podman something else.
#include "hardrun/systemd/audit.hpp"

#include <algorithm>
#include <cctype>
#include <functional>

#include "hardrun/check/validator.hpp"
#include "hardrun/image/reference.hpp"
#include "hardrun/systemd/container.hpp"

namespace hardrun::systemd {
namespace {

constexpr const char* k_c = "Container";

std::string
lower(std::string s)
{
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

std::string
cap_name(std::string c)
{
  std::transform(c.begin(), c.end(), c.begin(), [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
  return c.rfind("CAP_", 0) == 0 ? c : "CAP_" + c;
}

bool
truthy(const std::optional<std::string>& v)
{
  if (!v) {
    return false;
  }
  const auto l = lower(*v);
  return l == "true" || l == "yes" || l == "1" || l == "on";
}

struct Ctx {
  const UnitFile& unit;
  const policy::Policy& policy;
  std::vector<AuditFinding>& out;

  [[nodiscard]] std::string where(const Entry* e) const
  {
    return e == nullptr ? unit.source : unit.source + ":" + std::to_string(e->line);
  }
  void add(const std::string& rule, const std::string& key, const Entry* e, const std::string& message, const std::string& fix) const
  {
    out.push_back({rule, key, where(e), message, fix, rule == "health-check"});
  }
  // Every [Container] entry of KEY.
  [[nodiscard]] std::vector<const Entry*> all(std::string_view key) const
  {
    std::vector<const Entry*> v;
    for (const auto& e : unit.entries) {
      if (e.section == k_c && e.key == key) {
        v.push_back(&e);
      }
    }
    return v;
  }
};

void
pinned_image(const Ctx& c)
{
  const Entry* e = c.unit.last_entry(k_c, "Image");
  if (e == nullptr) {
    c.add("pinned-image", "Image", nullptr, "no Image=", "Image=REPO@sha256:DIGEST (hardrun quadlet writes it)");
    return;
  }
  const auto ref = image::parse_reference(e->value);
  if (!ref || !ref->pinned()) {
    // A tag can be moved by whoever pushes to the registry; the admission hook refuses it too.
    c.add("pinned-image", "Image", e, "Image=" + e->value + " is not pinned by digest",
          "Image=REPO@sha256:DIGEST; follow the tag with [X-Hardrun] Track=REPO:TAG and hardrun update");
  }
}

void
read_only(const Ctx& c)
{
  const Entry* e = c.unit.last_entry(k_c, "ReadOnly");
  if (e == nullptr || !truthy(e->value)) {
    c.add("read-only", "ReadOnly", e, e == nullptr ? "ReadOnly= is missing (writable root filesystem)" : "ReadOnly=" + e->value,
          "ReadOnly=true, plus Tmpfs= for the paths the profile allows");
  }
}

void
drop_capabilities(const Ctx& c)
{
  const auto drops = c.all("DropCapability");
  const bool all = std::any_of(drops.begin(), drops.end(), [](const Entry* e) {
    const auto words = split_words(e->value);
    return std::any_of(words.begin(), words.end(), [](const std::string& w) { return lower(w) == "all"; });
  });
  if (!all) {
    c.add("drop-capabilities", "DropCapability", drops.empty() ? nullptr : drops.back(),
          "DropCapability=all is missing (podman's default capability set stays)", "DropCapability=all");
  }
}

void
add_capability(const Ctx& c)
{
  for (const Entry* e : c.all("AddCapability")) {
    for (const auto& w : split_words(e->value)) {
      const auto cap = cap_name(w);
      if (std::find(c.policy.allowed_capabilities.begin(), c.policy.allowed_capabilities.end(), cap) == c.policy.allowed_capabilities.end()) {
        c.add("add-capability", "AddCapability", e, "adds " + cap + ", which profile " + c.policy.name + " does not keep",
              "remove it, or use a profile that allows it");
      }
    }
  }
}

void
no_new_privileges(const Ctx& c)
{
  const Entry* e = c.unit.last_entry(k_c, "NoNewPrivileges");
  if (e == nullptr || !truthy(e->value)) {
    c.add("no-new-privileges", "NoNewPrivileges", e, "NoNewPrivileges=true is missing (setuid binaries can gain privileges)",
          "NoNewPrivileges=true");
  }
}

void
non_root_user(const Ctx& c)
{
  const Entry* u = c.unit.last_entry(k_c, "User");
  if (u == nullptr) {
    c.add("non-root-user", "User", nullptr, "User= is missing (the image's user, often root)",
          "User=" + std::to_string(c.policy.uid) + " and Group=" + std::to_string(c.policy.gid));
    return;
  }
  const std::string user = u->value.substr(0, u->value.find(':'));
  if (user == "0" || user == "root") {
    c.add("non-root-user", "User", u, "User=" + u->value + " runs as root", "User=" + std::to_string(c.policy.uid));
  }
  const Entry* g = c.unit.last_entry(k_c, "Group");
  if (g != nullptr && (g->value == "0" || g->value == "root")) {
    c.add("non-root-user", "Group", g, "Group=" + g->value + " is root's group", "Group=" + std::to_string(c.policy.gid));
  }
}

void
user_namespace(const Ctx& c)
{
  const Entry* ns = c.unit.last_entry(k_c, "UserNS");
  const bool maps = c.unit.last_entry(k_c, "UIDMap") != nullptr && c.unit.last_entry(k_c, "GIDMap") != nullptr;
  if (ns != nullptr && lower(ns->value) == "host") {
    c.add("user-namespace", "UserNS", ns, "UserNS=host: container root is host root", "UserNS=auto (or UIDMap=/GIDMap=)");
  } else if (ns == nullptr && !maps) {
    c.add("user-namespace", "UserNS", nullptr, "no user namespace (UserNS=, UIDMap=/GIDMap=): container ids are host ids",
          "UserNS=auto:size=65536 (hardrun quadlet writes the profile's)");
  }
}

void
no_host_network(const Ctx& c)
{
  for (const Entry* e : c.all("Network")) {
    if (lower(e->value) == "host") {
      c.add("no-host-namespaces", "Network", e, "Network=host shares the host's network namespace",
            "remove Network=host; publish ports with PublishPort=");
    }
  }
}

// A raw podman flag in PodmanArgs=/GlobalArgs= undoes what the keys set.
void
podman_args(const Ctx& c)
{
  struct Bad {
    const char* flag;
    const char* value; // nullptr: the flag alone is bad
    const char* why;
  };
  static constexpr Bad k_bad[] = {
    {"--privileged", nullptr, "every capability, every device, no seccomp"},
    {"--cap-add", nullptr, "adds capabilities outside the profile (use AddCapability= for the profile's)"},
    {"--security-opt", "seccomp=unconfined", "switches seccomp off"},
    {"--security-opt", "apparmor=unconfined", "switches AppArmor off"},
    {"--security-opt", "label=disable", "switches SELinux separation off"},
    {"--security-opt", "no-new-privileges=false", "allows privilege gain"},
    {"--userns", "host", "no user namespace"},
    {"--network", "host", "the host's network namespace"},
    {"--net", "host", "the host's network namespace"},
    {"--pid", "host", "the host's pid namespace"},
    {"--ipc", "host", "the host's ipc namespace"},
    {"--uts", "host", "the host's uts namespace"},
    {"--device", nullptr, "a host device"},
    {"--read-only", "false", "a writable root filesystem"},
  };
  for (const char* key : {"PodmanArgs", "GlobalArgs"}) {
    for (const Entry* e : c.all(key)) {
      const auto words = split_words(e->value);
      for (std::size_t i = 0; i < words.size(); ++i) {
        const auto eq = words[i].find('=');
        const std::string flag = words[i].substr(0, eq);
        const std::string value = eq != std::string::npos ? words[i].substr(eq + 1) : (i + 1 < words.size() ? words[i + 1] : "");
        for (const auto& b : k_bad) {
          if (flag == b.flag && (b.value == nullptr || lower(value) == b.value)) {
            c.add("podman-args", key, e, std::string(key) + " passes " + words[i] + (b.value != nullptr && eq == std::string::npos ? " " + value : "") +
                                          ": " + b.why,
                  "remove it from " + std::string(key) + "=");
          }
        }
      }
    }
  }
}

void
no_sensitive_mounts(const Ctx& c)
{
  for (const Entry* e : c.all("Volume")) {
    const std::string src = e->value.substr(0, e->value.find(':'));
    if (src.empty() || src[0] != '/') {
      continue; // a named volume or a .volume unit
    }
    if (const auto bad = check::sensitive_overlap(c.policy, src)) {
      c.add("no-sensitive-mounts", "Volume", e, "Volume=" + e->value + " binds host path " + src + " (sensitive: " + *bad + ")",
            "bind a dedicated directory instead");
    }
  }
  for (const Entry* e : c.all("Mount")) {
    for (const auto& item : split_words(e->value)) {
      std::string opts = item;
      std::size_t pos = 0;
      while (pos <= opts.size()) {
        const auto comma = std::min(opts.find(',', pos), opts.size());
        const std::string kv = opts.substr(pos, comma - pos);
        for (const char* k : {"source=", "src="}) {
          if (kv.rfind(k, 0) == 0) {
            const std::string src = kv.substr(std::string(k).size());
            if (!src.empty() && src[0] == '/') {
              if (const auto bad = check::sensitive_overlap(c.policy, src)) {
                c.add("no-sensitive-mounts", "Mount", e, "Mount= binds host path " + src + " (sensitive: " + *bad + ")",
                      "bind a dedicated directory instead");
              }
            }
          }
        }
        pos = comma + 1;
      }
    }
  }
}

void
hardrun_runtime(const Ctx& c)
{
  for (const Entry* e : c.all("GlobalArgs")) {
    const auto words = split_words(e->value);
    for (std::size_t i = 0; i < words.size(); ++i) {
      std::string rt;
      if (words[i] == "--runtime" && i + 1 < words.size()) {
        rt = words[i + 1];
      } else if (words[i].rfind("--runtime=", 0) == 0) {
        rt = words[i].substr(10);
      }
      if (rt.size() >= 16 && rt.substr(rt.size() - 16) == "/hardrun-runtime") {
        return;
      }
    }
  }
  c.add("hardrun-runtime", "GlobalArgs", nullptr, "the container does not run under the hardrun runtime shim (the profile is not enforced)",
        "GlobalArgs=--runtime /usr/bin/hardrun-runtime");
}

void
secret_mode(const Ctx& c)
{
  for (const Entry* e : c.all("Secret")) {
    std::string type = "mount";
    std::string mode;
    std::size_t pos = e->value.find(',');
    while (pos != std::string::npos) {
      const auto next = e->value.find(',', pos + 1);
      const std::string kv = e->value.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
      if (kv.rfind("type=", 0) == 0) {
        type = kv.substr(5);
      } else if (kv.rfind("mode=", 0) == 0) {
        mode = kv.substr(5);
      }
      pos = next;
    }
    if (type == "env") {
      // Env shows in podman inspect and /proc/PID/environ (security.md §1.9).
      c.add("secrets", "Secret", e, "Secret=" + e->value + " puts the secret in the environment", "type=mount,uid=,gid=,mode=0400");
    } else if (mode != "0400" && mode != "400" && mode != "0o400") {
      c.add("secrets", "Secret", e, "Secret=" + e->value + (mode.empty() ? " has no mode (podman's default 0444)" : " has mode " + mode),
            "append ,uid=" + std::to_string(c.policy.uid) + ",gid=" + std::to_string(c.policy.gid) + ",mode=0400");
    }
  }
}

void
no_secret_env(const Ctx& c)
{
  const auto names = c.policy.secret_env ? c.policy.secret_env_names : policy::default_secret_env_names();
  for (const Entry* e : c.all("Environment")) {
    for (const auto& kv : split_words(e->value)) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos) {
        continue;
      }
      if (const auto why = check::secret_env_reason(names, kv.substr(0, eq), kv.substr(eq + 1))) {
        c.add("no-secret-env", "Environment", e, "Environment " + kv.substr(0, eq) + " looks like a secret (" + *why + ")",
              "podman secret create NAME FILE, then Secret=NAME,type=mount,mode=0400 (hardrun quadlet --secret NAME)");
      }
    }
  }
}

void
seccomp(const Ctx& c)
{
  const Entry* e = c.unit.last_entry(k_c, "SeccompProfile");
  if (e != nullptr && lower(e->value) == "unconfined") {
    c.add("seccomp", "SeccompProfile", e, "SeccompProfile=unconfined switches seccomp off", "SeccompProfile=" + c.policy.seccomp_path);
  } else if (e == nullptr && !c.policy.seccomp_path.empty()) {
    c.add("seccomp", "SeccompProfile", nullptr, "no SeccompProfile= (podman's default, not the profile's)",
          "SeccompProfile=" + c.policy.seccomp_path);
  }
}

void
pids_limit(const Ctx& c)
{
  const Entry* e = c.unit.last_entry(k_c, "PidsLimit");
  if (c.policy.pids_limit > 0 && (e == nullptr || e->value == "0" || e->value == "-1")) {
    c.add("pids-limit", "PidsLimit", e, e == nullptr ? "no PidsLimit= (fork bombs reach the host's limit)" : "PidsLimit=" + e->value + " is unlimited",
          "PidsLimit=" + std::to_string(c.policy.pids_limit));
  }
}

void
health_check(const Ctx& c)
{
  if (c.unit.last_entry(k_c, "HealthCmd") == nullptr) {
    c.add("health-check", "HealthCmd", nullptr, "no HealthCmd= (systemd and hardrun update cannot tell a broken image from a running one)",
          "HealthCmd=… and Notify=healthy (hardrun quadlet --health-cmd)");
  } else if (lower(c.unit.last("Container", "Notify").value_or("")) != "healthy") {
    c.add("health-check", "Notify", c.unit.last_entry(k_c, "Notify"), "HealthCmd= without Notify=healthy: the unit is up before it is healthy",
          "Notify=healthy");
  }
}

using Rule = void (*)(const Ctx&);
struct Named {
  const char* name;
  Rule rule;
};
constexpr Named k_rules[] = {
  {"pinned-image", pinned_image},
  {"hardrun-runtime", hardrun_runtime},
  {"read-only", read_only},
  {"drop-capabilities", drop_capabilities},
  {"add-capability", add_capability},
  {"no-new-privileges", no_new_privileges},
  {"non-root-user", non_root_user},
  {"user-namespace", user_namespace},
  {"no-host-namespaces", no_host_network},
  {"podman-args", podman_args},
  {"no-sensitive-mounts", no_sensitive_mounts},
  {"secrets", secret_mode},
  {"no-secret-env", no_secret_env},
  {"seccomp", seccomp},
  {"pids-limit", pids_limit},
  {"health-check", health_check},
};

} // namespace

std::vector<std::string>
audit_rule_names()
{
  std::vector<std::string> v;
  for (const auto& r : k_rules) {
    v.emplace_back(r.name);
  }
  return v;
}

bool
AuditResult::clean() const
{
  return std::all_of(findings.begin(), findings.end(), [](const AuditFinding& f) { return f.advisory; });
}

AuditResult
audit_unit(const UnitFile& unit, const policy::Policy& policy)
{
  AuditResult result;
  for (const auto& r : k_rules) {
    const std::size_t before = result.findings.size();
    r.rule(Ctx{unit, policy, result.findings});
    if (std::string_view(r.name) == "health-check") {
      continue;
    }
    ++result.total;
    if (result.findings.size() == before) {
      ++result.passed;
    }
  }
  return result;
}

} // namespace hardrun::systemd
