// SPDX-License-Identifier: Apache-2.0
#include "hardrun/systemd/container.hpp"

#include <algorithm>

namespace hardrun::systemd {
namespace {

bool
podman_name(const std::string& s, std::size_t max)
{
  if (s.empty() || s.size() > max) {
    return false;
  }
  const auto ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  };
  return std::all_of(s.begin(), s.end(), ok) && s[0] != '.' && s[0] != '-';
}

// A secret target: a plain file name (below /run/secrets) or a clean absolute path; never "..",
// whitespace or "," (which would add options to the Secret= value).
bool
secret_target(const std::string& t)
{
  if (t.empty() || t.size() > 4096 || t.find_first_of(", \t\n\r=\\\"'") != std::string::npos) {
    return false;
  }
  if (t[0] != '/') {
    return podman_name(t, 255);
  }
  std::size_t pos = 1;
  while (pos <= t.size()) {
    const auto next = std::min(t.find('/', pos), t.size());
    const std::string comp = t.substr(pos, next - pos);
    if (comp.empty() || comp == "." || comp == "..") {
      return false;
    }
    pos = next + 1;
  }
  return true;
}

bool
one_line(const std::string& s)
{
  return s.find_first_of("\n\r") == std::string::npos && s.find('\0') == std::string::npos;
}

} // namespace

Hardening
compose_hardening(const policy::Policy& policy, const policy::IdAllocation& allocation, std::uint32_t uid, std::uint32_t gid,
                  const std::string& userns)
{
  Hardening h;
  h.uid = uid;
  h.gid = gid;
  // Let podman create the user namespace (with a pre-created network namespace a namespace
  // added later breaks sysfs: DESIGN.md platform facts); the shim verifies the mapping.
  if (!userns.empty()) {
    h.userns = userns;
  } else if (!policy.user_namespace.subid_user.empty()) {
    h.userns = "auto:size=" + std::to_string(policy.user_namespace.size);
  } else if (!allocation.uids.empty() && !allocation.gids.empty()) {
    const auto& u = allocation.uids[0];
    const auto& g = allocation.gids[0];
    h.uidmap = "0:" + std::to_string(u.start) + ":" + std::to_string(std::min(u.size, policy.user_namespace.size));
    h.gidmap = "0:" + std::to_string(g.start) + ":" + std::to_string(std::min(g.size, policy.user_namespace.size));
  }
  h.capabilities = policy.allowed_capabilities;
  for (const auto& t : policy.tmpfs) {
    std::string opts;
    for (const auto& op : t.options) {
      opts += (opts.empty() ? "" : ",") + op;
    }
    h.tmpfs.push_back(t.path + (opts.empty() ? "" : ":" + opts));
  }
  h.seccomp = policy.seccomp_path;
  h.pids_limit = policy.pids_limit;
  return h;
}

std::vector<std::string>
podman_flags(const Hardening& h)
{
  std::vector<std::string> args = {"--user", std::to_string(h.uid) + ":" + std::to_string(h.gid)};
  if (!h.userns.empty()) {
    args.push_back("--userns=" + h.userns);
  } else if (!h.uidmap.empty() && !h.gidmap.empty()) {
    args.insert(args.end(), {"--uidmap", h.uidmap, "--gidmap", h.gidmap});
  }
  args.insert(args.end(), {"--cap-drop", "all"});
  for (const auto& c : h.capabilities) {
    args.insert(args.end(), {"--cap-add", c});
  }
  args.insert(args.end(), {"--security-opt", "no-new-privileges", "--read-only", "--read-only-tmpfs=false"});
  for (const auto& t : h.tmpfs) {
    args.insert(args.end(), {"--tmpfs", t});
  }
  if (!h.seccomp.empty()) {
    args.insert(args.end(), {"--security-opt", "seccomp=" + h.seccomp});
  }
  if (h.pids_limit > 0) {
    args.insert(args.end(), {"--pids-limit", std::to_string(h.pids_limit)});
  }
  return args;
}

Result<PodmanSecret>
parse_podman_secret(const std::string& spec)
{
  PodmanSecret s;
  const auto comma = spec.find(',');
  s.name = spec.substr(0, comma);
  if (comma != std::string::npos) {
    const std::string opt = spec.substr(comma + 1);
    if (opt.rfind("target=", 0) != 0 || opt.find(',') != std::string::npos) {
      return make_error(Errc::invalid_input, "--secret " + spec + ": the only option is target=NAME|PATH "
                                               "(uid, gid and mode come from the profile: mode 0400)");
    }
    s.target = opt.substr(7);
    if (!secret_target(s.target)) {
      return make_error(Errc::invalid_input, "--secret " + spec + ": target \"" + s.target +
                                               "\" must be a plain file name (below /run/secrets) or a clean absolute path");
    }
  }
  if (!podman_name(s.name, 253)) {
    return make_error(Errc::invalid_input, "--secret " + spec + ": \"" + s.name +
                                             "\" is not a podman secret name (letters, digits, _ . -; create it with podman secret create)");
  }
  return s;
}

Result<UnitFile>
quadlet_unit(const Hardening& h, const QuadletSpec& spec)
{
  for (const std::string* v : {&spec.name, &spec.image, &spec.track, &spec.runtime, &spec.config, &spec.profile, &spec.description,
                               &spec.network}) {
    if (!one_line(*v)) {
      return make_error(Errc::invalid_input, "a unit value holds a newline: \"" + *v + "\"");
    }
  }
  // GlobalArgs= is split on whitespace by quadlet: a path with a space would become two words.
  for (const std::string* v : {&spec.runtime, &spec.config, &spec.profile}) {
    if (v->find_first_of(" \t\"'\\") != std::string::npos) {
      return make_error(Errc::invalid_input, "path \"" + *v + "\" holds whitespace, a quote or a backslash; "
                                               "quadlet would split it");
    }
  }
  // The host's network namespace gives the container the host's interfaces and sockets.
  if (spec.network == "host" || spec.network.rfind("host:", 0) == 0 || spec.network.find_first_of(" \t") != std::string::npos) {
    return make_error(Errc::invalid_input, "--network " + spec.network + ": host networking is refused; use none, a podman network or "
                                             "the default with published ports");
  }
  UnitFile u;
  const std::string c = "Container";
  u.add("Unit", "Description", spec.description.empty() ? "hardened container " + spec.name + " (hardrun)" : spec.description);
  u.add(c, "Image", spec.image);
  u.add(c, "ContainerName", spec.name);
  // The runtime shim: podman hands every create to hardrun-runtime, which rewrites and checks
  // config.json; the admission hook (hooks.d) runs at create and start.
  u.add(c, "GlobalArgs", "--runtime " + spec.runtime);
  if (!spec.config.empty()) {
    u.add(c, "GlobalArgs", "--runtime-flag hardrun-config=" + spec.config);
  }
  if (!spec.profile.empty()) {
    u.add(c, "GlobalArgs", "--runtime-flag hardrun-profile=" + spec.profile);
  }
  u.add(c, "User", std::to_string(h.uid));
  u.add(c, "Group", std::to_string(h.gid));
  if (!h.userns.empty()) {
    u.add(c, "UserNS", h.userns);
  } else if (!h.uidmap.empty() && !h.gidmap.empty()) {
    u.add(c, "UIDMap", h.uidmap);
    u.add(c, "GIDMap", h.gidmap);
  }
  u.add(c, "DropCapability", "all");
  for (const auto& cap : h.capabilities) {
    u.add(c, "AddCapability", cap);
  }
  u.add(c, "NoNewPrivileges", "true");
  u.add(c, "ReadOnly", "true");
  u.add(c, "ReadOnlyTmpfs", "false");
  for (const auto& t : h.tmpfs) {
    u.add(c, "Tmpfs", t);
  }
  if (!h.seccomp.empty()) {
    u.add(c, "SeccompProfile", h.seccomp);
  }
  if (h.pids_limit > 0) {
    u.add(c, "PidsLimit", std::to_string(h.pids_limit));
  }
  if (!spec.network.empty()) {
    u.add(c, "Network", spec.network);
  }
  for (const auto& s : spec.secrets) {
    // mode 0400 owned by the service user: only the service reads its secret (DESIGN.md, Secrets).
    u.add(c, "Secret", s.name + ",type=mount,uid=" + std::to_string(h.uid) + ",gid=" + std::to_string(h.gid) + ",mode=0400" +
                         (s.target.empty() ? "" : ",target=" + s.target));
  }
  if (spec.health) {
    const auto& hc = *spec.health;
    for (const std::string* v : {&hc.cmd, &hc.interval, &hc.timeout, &hc.retries, &hc.start_period}) {
      if (!one_line(*v)) {
        return make_error(Errc::invalid_input, "a health check value holds a newline");
      }
    }
    // Quadlet passes HealthCmd= on into ExecStart=, where systemd expands %specifiers and
    // $VARIABLES and quadlet re-quotes (verified with podman 5.4's generator: embedded quotes
    // come out unbalanced). podman runs a plain string through /bin/sh -c, so none are needed.
    if (hc.cmd.empty() || hc.cmd.find_first_of("\"'\\%$") != std::string::npos) {
      return make_error(Errc::invalid_input, "--health-cmd \"" + hc.cmd + "\": write the command without quotes, backslashes, % or $ "
                                               "(podman runs it with /bin/sh -c; put anything longer in a script in the image)");
    }
    u.add(c, "HealthCmd", hc.cmd);
    if (!hc.interval.empty()) {
      u.add(c, "HealthInterval", hc.interval);
    }
    if (!hc.timeout.empty()) {
      u.add(c, "HealthTimeout", hc.timeout);
    }
    if (!hc.retries.empty()) {
      u.add(c, "HealthRetries", hc.retries);
    }
    if (!hc.start_period.empty()) {
      u.add(c, "HealthStartPeriod", hc.start_period);
    }
    // The start job completes only once the health check passed: `hardrun update` and
    // `systemctl start` then see an unhealthy image as a failed start.
    u.add(c, "Notify", "healthy");
  }
  if (!spec.track.empty()) {
    u.add(c, "Label", std::string(k_track_label) + "=" + spec.track);
    u.add(k_hardrun_section, k_track_key, spec.track);
  }
  // A failed start stays failed: Restart=always would hide a broken update (hive#4411), and
  // after 5 failed starts in 5 minutes systemd stops retrying instead of looping forever.
  u.add("Unit", "StartLimitIntervalSec", "300");
  u.add("Unit", "StartLimitBurst", "5");
  u.add("Service", "Restart", "on-failure");
  u.add("Service", "RestartSec", "5s");
  u.add("Install", "WantedBy", "multi-user.target");
  HARDRUN_TRY(render_unit(u));
  return u;
}

std::string
pin_dropin_text(const std::string& image)
{
  return "# Written by hardrun update: the digest this unit runs. Do not edit; see hardrun-quadlet(7).\n"
         "[Container]\nImage=" + image + "\n";
}

} // namespace hardrun::systemd
