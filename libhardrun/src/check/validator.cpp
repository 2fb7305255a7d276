// SPDX-License-Identifier: Apache-2.0
#include "hardrun/check/validator.hpp"

#include <algorithm>
#include <cctype>
#include <array>
#include <cstdint>
#include <functional>

#include "hardrun/spec/document.hpp"
#include "hardrun/spec/path.hpp"
#include "hardrun/spec/pointer_names.hpp"

namespace hardrun::check {
namespace {

using spec::Json;
using spec::pointer_append;
namespace ptr = spec::ptr;

struct Input {
  const Json& config;
  const modify::Context& ctx;
  const Options& options;
  std::vector<Finding>& out;

  void
  add(std::string_view rule, std::string pointer, std::string message, std::string remedy) const
  {
    out.push_back(Finding{std::string(rule), std::move(pointer), std::move(message), std::move(remedy)});
  }
};

std::string
join(const std::vector<std::string>& items, std::size_t max = 6)
{
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < max; ++i) {
    out += (i == 0 ? "" : ", ") + items[i];
  }
  if (items.size() > max) {
    out += ", … (" + std::to_string(items.size()) + " in all)";
  }
  return out;
}

bool
has_option(const Json& mount, std::string_view option)
{
  const auto it = mount.find("options");
  if (it == mount.end() || !it->is_array()) {
    return false;
  }
  return std::any_of(it->begin(), it->end(), [&](const Json& o) { return o.is_string() && o.get<std::string>() == option; });
}

bool
is_bind(const Json& mount)
{
  return mount.value("type", std::string()) == "bind" || has_option(mount, "bind") || has_option(mount, "rbind");
}

// --- the modifiers' rules ------------------------------------------------------------------

void
read_only_root(const Input& in)
{
  const Json* ro = spec::find(in.config, ptr::root_readonly);
  if (ro == nullptr || *ro != true) {
    in.add("read-only-root", std::string(ptr::root_readonly), "the root filesystem is writable",
           "podman run --read-only (or hardrun harden); writable paths come from the profile's tmpfs list");
  }
}

void
drop_capabilities(const Input& in)
{
  const auto& allow = in.ctx.policy.allowed_capabilities;
  for (const auto set : ptr::k_capability_sets) {
    const std::string p = pointer_append(ptr::capabilities, set);
    std::vector<std::string> extra;
    for (auto& cap : spec::strings_at(in.config, p)) {
      if (std::find(allow.begin(), allow.end(), cap) == allow.end()) {
        extra.push_back(std::move(cap));
      }
    }
    if (!extra.empty()) {
      in.add("drop-capabilities", p, "the " + std::string(set) + " set holds " + join(extra),
             "podman run --cap-drop=all (a capability the service needs goes in the profile's drop-capabilities.allow)");
    }
  }
}

void
no_new_privileges(const Input& in)
{
  const Json* nnp = spec::find(in.config, ptr::no_new_privileges);
  if (nnp == nullptr || *nnp != true) {
    in.add("no-new-privileges", std::string(ptr::no_new_privileges), "setuid binaries and file capabilities can raise privileges",
           "podman run --security-opt no-new-privileges");
  }
}

void
non_root_user(const Input& in)
{
  const auto uid = spec::as_u32(spec::find(in.config, ptr::uid));
  const auto gid = spec::as_u32(spec::find(in.config, ptr::gid));
  const std::string fix = "podman run --user " + std::to_string(in.ctx.policy.uid) + ":" + std::to_string(in.ctx.policy.gid);
  if (!uid || *uid == 0 || *uid == 65534) {
    in.add("non-root-user", std::string(ptr::uid),
           uid ? "the process runs as uid " + std::to_string(*uid) + (*uid == 0 ? " (root)" : " (nobody, shared)") : "no process uid",
           fix);
  }
  if (!gid || *gid == 0 || *gid == 65534) {
    in.add("non-root-user", std::string(ptr::gid), gid ? "the process runs with gid " + std::to_string(*gid) : "no process gid", fix);
  }
  std::vector<std::uint32_t> groups;
  if (const Json* extra = spec::find(in.config, ptr::additional_gids); extra != nullptr && extra->is_array()) {
    for (const auto& g : *extra) {
      if (const auto v = spec::as_u32(&g)) {
        groups.push_back(*v);
      }
    }
  }
  if (std::find(groups.begin(), groups.end(), 0U) != groups.end()) {
    in.add("non-root-user", std::string(ptr::additional_gids), "supplementary groups include 0 (root)",
           "drop --group-add 0 / --group-add root");
  }
  if (gid && *gid != 0 && *gid != 65534 && std::find(groups.begin(), groups.end(), *gid) == groups.end()) {
    // CVE-2022-2989: without the primary gid here, negative group permissions can be bypassed.
    in.add("non-root-user", std::string(ptr::additional_gids),
           "supplementary groups lack the primary gid " + std::to_string(*gid), "hardrun harden adds it");
  }
}

struct Extent {
  std::uint64_t container;
  std::uint64_t host;
  std::uint64_t size;
};

bool
covers(const std::vector<Extent>& map, std::uint32_t id)
{
  return std::any_of(map.begin(), map.end(), [&](const Extent& e) { return id >= e.container && id < e.container + e.size; });
}

// Checks one of linux.uidMappings / gidMappings (security.md R16, U1-U7). Returns the extents.
std::vector<Extent>
check_mapping(const Input& in, std::string_view pointer, const std::vector<sys::HostRange>& allocation, std::string_view kind)
{
  std::vector<Extent> map;
  const Json* list = spec::find(in.config, pointer);
  if (list == nullptr || !list->is_array() || list->empty()) {
    in.add("user-namespace", std::string(pointer), "the user namespace has no " + std::string(kind) + " mappings",
           "podman run --uidmap 0:100000:65536 --gidmap 0:100000:65536 (or --userns=auto)");
    return map;
  }
  // The kernel accepts at most 340 extents (user_namespaces(7), since Linux 4.15).
  if (list->size() > 340) {
    in.add("user-namespace", std::string(pointer), std::to_string(list->size()) + " extents: the kernel limit is 340",
           "merge the ranges");
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string p = pointer_append(pointer, i);
    const Json& e = (*list)[i];
    const std::uint64_t c = spec::as_u32(spec::find(e, "/containerID")).value_or(0);
    const std::uint64_t h = spec::as_u32(spec::find(e, "/hostID")).value_or(0);
    const std::uint64_t s = spec::as_u32(spec::find(e, "/size")).value_or(0);
    if (s == 0) {
      in.add("user-namespace", p + "/size", "an empty mapping", "give a size of at least 1");
      continue;
    }
    if (c + s > 0x100000000ULL || h + s > 0x100000000ULL) {
      in.add("user-namespace", p, "the range overflows 2^32", "shrink size or lower the start ids");
      continue;
    }
    if (h == 0) {
      // Threat: an id in the container that is host root.
      in.add("user-namespace", p + "/hostID", std::string(kind) + " mapping includes host id 0 (root mapped to host root)",
             "map to an unprivileged host range, e.g. --uidmap 0:100000:65536");
    }
    for (const auto& prev : map) {
      if (c < prev.container + prev.size && prev.container < c + s) {
        in.add("user-namespace", p, "container ids overlap an earlier extent", "make the extents disjoint");
      }
      if (h < prev.host + prev.size && prev.host < h + s) {
        in.add("user-namespace", p, "host ids overlap an earlier extent", "make the extents disjoint");
      }
    }
    const bool allocated = std::any_of(allocation.begin(), allocation.end(), [&](const sys::HostRange& r) {
      return h >= r.start && h + s <= std::uint64_t{r.start} + r.size;
    });
    if (!allocated) {
      in.add("user-namespace", p,
             "host " + std::string(kind) + "s " + std::to_string(h) + "-" + std::to_string(h + s - 1) + " are not in the allocation ("
               + in.ctx.allocation.origin + (allocation.empty() ? ", which is empty" : "") + ")",
             "map into the allocated range, or allocate it (usermod --add-subuids/--add-subgids, or the profile's uidRanges/gidRanges)");
    }
    map.push_back(Extent{c, h, s});
  }
  return map;
}

void
user_namespace(const Input& in)
{
  const Json* nss = spec::find(in.config, ptr::namespaces);
  const Json* user_ns = nullptr;
  const Json* net_ns = nullptr;
  if (nss != nullptr && nss->is_array()) {
    for (const auto& ns : *nss) {
      const auto type = ns.value("type", std::string());
      if (type == "user") {
        user_ns = &ns;
      } else if (type == "network") {
        net_ns = &ns;
      }
    }
  }
  if (user_ns == nullptr) {
    std::string why = "no user namespace: root in the container is root on the host";
    std::string fix;
    if (in.ctx.allocation.uids.empty() || in.ctx.allocation.gids.empty()) {
      fix = "allocate host ids (" + in.ctx.allocation.origin + " is empty: usermod --add-subuids 100000-165535 "
            "--add-subgids 100000-165535 " + (in.ctx.policy.user_namespace.subid_user.empty() ? "USER" : in.ctx.policy.user_namespace.subid_user)
            + "), then start with podman run --userns=auto";
    } else if (net_ns == nullptr || net_ns->contains("path")) {
      why += "; hardrun cannot add one because the network namespace exists before the container (runc could not mount /sys)";
      fix = "have podman create it: podman run --userns=auto, --uidmap 0:100000:65536 --gidmap 0:100000:65536, "
            "or userns = \"auto\" in containers.conf";
    } else {
      fix = "hardrun harden adds it; or podman run --userns=auto";
    }
    in.add("user-namespace", std::string(ptr::namespaces), std::move(why), std::move(fix));
    return;
  }
  if (user_ns->contains("path")) {
    in.add("user-namespace", std::string(ptr::namespaces), "joins an existing user namespace at " + user_ns->value("path", std::string()),
           "let the runtime create the container's own user namespace (drop --userns ns:…)");
    return;
  }
  const auto uids = check_mapping(in, ptr::uid_mappings, in.ctx.allocation.uids, "uid");
  const auto gids = check_mapping(in, ptr::gid_mappings, in.ctx.allocation.gids, "gid");
  // An unmapped id runs as the overflow id 65534 (U6): the service would not be who it claims.
  if (const auto uid = spec::as_u32(spec::find(in.config, ptr::uid)); uid && !uids.empty() && !covers(uids, *uid)) {
    in.add("user-namespace", std::string(ptr::uid), "uid " + std::to_string(*uid) + " is not mapped in the user namespace",
           "widen the uid mapping to include it");
  }
  if (const auto gid = spec::as_u32(spec::find(in.config, ptr::gid)); gid && !gids.empty() && !covers(gids, *gid)) {
    in.add("user-namespace", std::string(ptr::gid), "gid " + std::to_string(*gid) + " is not mapped in the user namespace",
           "widen the gid mapping to include it");
  }
  if (const Json* extra = spec::find(in.config, ptr::additional_gids); extra != nullptr && extra->is_array() && !gids.empty()) {
    for (std::size_t i = 0; i < extra->size(); ++i) {
      if (const auto g = spec::as_u32(&(*extra)[i]); g && !covers(gids, *g)) {
        in.add("user-namespace", pointer_append(ptr::additional_gids, i), "gid " + std::to_string(*g) + " is not mapped",
               "widen the gid mapping or drop the group");
      }
    }
  }
}

void
seccomp(const Input& in)
{
  const Json* filter = spec::find(in.config, ptr::seccomp);
  const Json* action = filter == nullptr ? nullptr : spec::find(*filter, "/defaultAction");
  if (filter == nullptr) {
    in.add("seccomp", std::string(ptr::seccomp), "no seccomp filter: every syscall is allowed",
           "drop --security-opt seccomp=unconfined / --privileged; hardrun harden installs the profile's filter");
  } else if (action == nullptr || !action->is_string() || *action == "SCMP_ACT_ALLOW" || *action == "SCMP_ACT_LOG") {
    in.add("seccomp", std::string(ptr::seccomp) + "/defaultAction", "the seccomp filter allows every syscall by default",
           "use a filter whose defaultAction denies (SCMP_ACT_ERRNO)");
  }
}

void
path_list(const Input& in, std::string_view rule, std::string_view pointer, const std::vector<std::string>& required)
{
  const auto have = spec::strings_at(in.config, pointer);
  std::vector<std::string> missing;
  for (const auto& p : required) {
    if (std::find(have.begin(), have.end(), p) == have.end()) {
      missing.push_back(p);
    }
  }
  if (!missing.empty()) {
    in.add(rule, std::string(pointer), "missing " + join(missing), "drop --privileged / --security-opt unmask=…; hardrun harden restores them");
  }
}

void
pids_limit(const Input& in)
{
  const Json* limit = spec::find(in.config, ptr::pids_limit);
  if (limit == nullptr || !limit->is_number_integer() || limit->get<std::int64_t>() <= 0
      || limit->get<std::int64_t>() > in.ctx.policy.pids_limit) {
    in.add("pids-limit", std::string(ptr::pids_limit),
           limit == nullptr ? "no pids limit" : "pids limit " + limit->dump() + " is above the profile's " + std::to_string(in.ctx.policy.pids_limit),
           "podman run --pids-limit " + std::to_string(in.ctx.policy.pids_limit));
  }
}

// --- refusal rules: no modifier fixes these ------------------------------------------------

void
no_host_namespaces(const Input& in)
{
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> k_required = {
    {{"pid", "--pid"}, {"network", "--network"}, {"ipc", "--ipc"}, {"uts", "--uts"}, {"mount", ""}}};
  const Json* nss = spec::find(in.config, ptr::namespaces);
  for (const auto& [type, flag] : k_required) {
    const Json* found = nullptr;
    std::size_t index = 0;
    if (nss != nullptr && nss->is_array()) {
      for (std::size_t i = 0; i < nss->size(); ++i) {
        if ((*nss)[i].value("type", std::string()) == type) {
          found = &(*nss)[i];
          index = i;
        }
      }
    }
    if (found == nullptr) {
      in.add("no-host-namespaces", std::string(ptr::namespaces), "shares the host's " + std::string(type) + " namespace",
             flag.empty() ? "give the container its own mount namespace" : "drop " + std::string(flag) + " host");
      continue;
    }
    const auto path = found->value("path", std::string());
    if (path.empty() && !found->contains("path")) {
      continue;
    }
    // podman pre-creates the network namespace of bridge networking under /run/netns (root-owned).
    const auto clean = spec::clean_absolute(path);
    if (type == "network" && clean && (spec::is_within(*clean, "/run/netns") || spec::is_within(*clean, "/var/run/netns"))
        && *clean != "/run/netns" && *clean != "/var/run/netns") {
      continue;
    }
    in.add("no-host-namespaces", pointer_append(pointer_append(ptr::namespaces, index), "path"),
           "joins the " + std::string(type) + " namespace at " + path + " (possibly the host's)",
           "give the container its own namespace (drop " + (flag.empty() ? std::string("the path") : std::string(flag) + " container:…/ns:…") + ")");
  }
}

// podman binds files of the container's own state directory (hostname, hosts, resolv.conf,
// .containerenv, shm) from <graphroot or runroot>/<driver>-containers/<id>/userdata.
std::optional<std::string>
own_userdata_id(const std::string& source)
{
  std::vector<std::string_view> comps;
  std::string_view rest(source);
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const auto comp = rest.substr(0, slash);
    if (!comp.empty()) {
      comps.push_back(comp);
    }
    rest.remove_prefix(slash == std::string_view::npos ? rest.size() : slash + 1);
  }
  // i + 3 < size: a file below userdata (podman binds hostname, hosts, …), never userdata itself,
  // which holds config.json and with it env secrets (security.md E14).
  for (std::size_t i = 0; i + 3 < comps.size(); ++i) {
    const auto driver = comps[i];
    const auto id = comps[i + 1];
    if (driver.size() > 11 && driver.substr(driver.size() - 11) == "-containers" && id.size() == 64
        && id.find_first_not_of("0123456789abcdef") == std::string_view::npos && comps[i + 2] == "userdata") {
      return std::string(id);
    }
  }
  return std::nullopt;
}

// A named volume's data directory, <graphroot>/volumes/<name>/_data (podman volume create,
// -v NAME:/dst). Only under a containers-storage root: a host directory that merely has this
// shape elsewhere (/etc/volumes/x/_data) is judged like any other bind.
bool
is_named_volume(const std::string& source)
{
  const auto data = source.find("/volumes/");
  if (data == std::string::npos) {
    return false;
  }
  constexpr std::string_view k_root = "/containers/storage";
  const auto root = std::string_view(source).substr(0, data);
  if (root.size() < k_root.size() || root.substr(root.size() - k_root.size()) != k_root) {
    return false;
  }
  const auto rest = std::string_view(source).substr(data + 9);
  const auto slash = rest.find('/');
  return slash != std::string_view::npos && slash > 0 && spec::is_within(rest.substr(slash), "/_data");
}

std::string
canonical_run(const std::string& path)
{
  // /var/run is a symlink to /run on every current distribution.
  return spec::is_within(path, "/var/run") ? "/run" + path.substr(8) : path;
}

void
no_sensitive_mounts(const Input& in)
{
  const Json* mounts = spec::find(in.config, ptr::mounts);
  if (mounts == nullptr || !mounts->is_array()) {
    return;
  }
  std::optional<std::string> seen_id = in.options.container_id;
  for (std::size_t i = 0; i < mounts->size(); ++i) {
    const Json& m = (*mounts)[i];
    if (!is_bind(m)) {
      continue;
    }
    const std::string p = pointer_append(pointer_append(ptr::mounts, i), "source");
    const auto raw = m.value("source", std::string());
    const auto src = spec::clean_absolute(raw);
    if (!src) {
      in.add("no-sensitive-mounts", p, "bind source \"" + raw + "\" is not a clean absolute path", "use an absolute path without ..");
      continue;
    }
    if (in.options.secrets_dir && spec::is_within(*src, *in.options.secrets_dir) && *src != *in.options.secrets_dir
        && src->find('/', in.options.secrets_dir->size() + 1) == std::string::npos) {
      // A secret of this container (hardrun run --secret). Read-only and inert, or a container
      // could replace its own secret or execute from the tmpfs (security.md X6).
      const auto opts = spec::strings_at(m, "/options");
      for (const char* need : {"ro", "nosuid", "nodev", "noexec"}) {
        if (std::find(opts.begin(), opts.end(), need) == opts.end()) {
          in.add("no-sensitive-mounts", pointer_append(pointer_append(ptr::mounts, i), "options"),
                 "secret mount without \"" + std::string(need) + "\"", "secret mounts are ro,nosuid,nodev,noexec (the shim sets them)");
        }
      }
      continue;
    }
    if (const auto id = own_userdata_id(*src)) {
      if (!seen_id) {
        seen_id = id;
      }
      if (*seen_id == *id) {
        continue;
      }
      in.add("no-sensitive-mounts", p, "binds the state directory of another container (" + id->substr(0, 12) + ")",
             "do not bind other containers' storage");
      continue;
    }
    if (is_named_volume(*src)) {
      continue;
    }
    if (const auto s = sensitive_overlap(in.ctx.policy, *src)) {
      in.add("no-sensitive-mounts", p,
             "binds host path " + raw + (canonical_run(*src) == canonical_run(*s) ? "" : " (overlaps sensitive " + *s + ")")
               + " into the container at " + m.value("destination", std::string()),
             "bind a dedicated directory instead (or list it in the profile's no-sensitive-mounts.allow)");
    }
  }
}

void
no_devices(const Input& in)
{
  if (const Json* devices = spec::find(in.config, ptr::devices); devices != nullptr && devices->is_array() && !devices->empty()) {
    std::vector<std::string> paths;
    for (const auto& d : *devices) {
      paths.push_back(d.is_object() ? d.value("path", std::string("?")) : std::string("?"));
    }
    in.add("no-devices", std::string(ptr::devices), "adds host devices: " + join(paths), "drop --device / --privileged");
  }
  if (const Json* rules = spec::find(in.config, ptr::resources_devices); rules != nullptr && rules->is_array()) {
    for (std::size_t i = 0; i < rules->size(); ++i) {
      const Json& r = (*rules)[i];
      if (!r.is_object() || r.value("allow", false) != true) {
        continue;
      }
      const auto type = r.value("type", std::string("a"));
      if (type == "a" || (!r.contains("major") && !r.contains("minor"))) {
        in.add("no-devices", pointer_append(ptr::resources_devices, i), "the device cgroup allows every device",
               "drop --privileged / --device-cgroup-rule");
      }
    }
  }
}

void
no_writable_kernel_fs(const Input& in)
{
  const Json* mounts = spec::find(in.config, ptr::mounts);
  if (mounts == nullptr || !mounts->is_array()) {
    return;
  }
  for (std::size_t i = 0; i < mounts->size(); ++i) {
    const Json& m = (*mounts)[i];
    const auto type = m.value("type", std::string());
    const auto dest = spec::clean_absolute(m.value("destination", std::string())).value_or("");
    const bool kernel_fs = type == "sysfs" || type == "cgroup" || type == "cgroup2" || spec::is_within(dest, "/proc/sys")
                           || (spec::is_within(dest, "/sys") && type != "tmpfs");
    if (kernel_fs && !has_option(m, "ro")) {
      in.add("no-writable-kernel-fs", pointer_append(pointer_append(ptr::mounts, i), "options"),
             dest + " (" + (type.empty() ? std::string("bind") : type) + ") is writable: kernel settings of the host can be changed",
             "drop --privileged / --security-opt unmask=…; mount it with \"ro\"");
    }
  }
}

void
safe_mount_destinations(const Input& in)
{
  const Json* mounts = spec::find(in.config, ptr::mounts);
  if (mounts == nullptr || !mounts->is_array()) {
    return;
  }
  for (std::size_t i = 0; i < mounts->size(); ++i) {
    const Json& m = (*mounts)[i];
    const std::string p = pointer_append(pointer_append(ptr::mounts, i), "destination");
    const auto raw = m.value("destination", std::string());
    const auto dest = spec::clean_absolute(raw);
    if (!dest) {
      in.add("safe-mount-destinations", p, "destination \"" + raw + "\" is relative or contains ..", "use a clean absolute path");
      continue;
    }
    if (is_bind(m) && (spec::is_within(*dest, "/proc") || spec::is_within(*dest, "/sys") || *dest == "/dev" || *dest == "/")) {
      // Threat: a bind over /proc or /sys hides masked paths or fakes kernel files the runtime
      // trusts (CVE-2019-16884 class).
      in.add("safe-mount-destinations", p, "binds over " + *dest, "mount somewhere outside /proc, /sys and /dev");
    }
  }
}

void
safe_cwd(const Input& in)
{
  const Json* cwd = spec::find(in.config, ptr::cwd);
  if (cwd == nullptr || !cwd->is_string()) {
    return;
  }
  const auto raw = cwd->get<std::string>();
  if (!safe_cwd_path(raw)) {
    in.add("safe-cwd", std::string(ptr::cwd), "process.cwd \"" + raw + "\" not allowed (relative, .., or under /proc or /sys)",
           "podman run --workdir with a plain absolute path");
  }
}

std::string
upper(std::string s)
{
  for (auto& c : s) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return s;
}

} // namespace

std::optional<std::string>
secret_env_reason(const std::vector<std::string>& names, const std::string& name, const std::string& value)
{
  if (value.empty()) {
    return std::nullopt;
  }
  if (value.find("PRIVATE KEY-----") != std::string::npos) {
    return "a PEM private key";
  }
  const std::string uname = upper(name);
  if (std::any_of(names.begin(), names.end(), [&](const std::string& n) { return uname.find(upper(n)) != std::string::npos; })) {
    return "its name";
  }
  return std::nullopt;
}

namespace {

// Secrets passed as environment variables show in podman inspect, in config.json and in
// /proc/PID/environ of every process of the container (security.md §1.9, C11).
void
no_secret_env(const Input& in)
{
  if (!in.ctx.policy.secret_env) {
    return;
  }
  const Json* env = spec::find(in.config, "/process/env");
  if (env == nullptr || !env->is_array()) {
    return;
  }
  for (std::size_t i = 0; i < env->size(); ++i) {
    if (!(*env)[i].is_string()) {
      continue;
    }
    const std::string kv = (*env)[i].get<std::string>();
    const auto eq = kv.find('=');
    const std::string name = kv.substr(0, eq);
    const std::string value = eq == std::string::npos ? std::string() : kv.substr(eq + 1);
    if (const auto why = secret_env_reason(in.ctx.policy.secret_env_names, name, value)) {
      in.add("no-secret-env", pointer_append("/process/env", i), "environment variable " + name + " looks like a secret (" + *why + ")",
             "secrets must be file mounts: hardrun run --secret FILE (the app reads /run/secrets/NAME)");
    }
  }
}

void
no_unconfined_lsm(const Input& in)
{
  if (const Json* a = spec::find(in.config, ptr::apparmor_profile); a != nullptr && *a == "unconfined") {
    in.add("no-unconfined-lsm", std::string(ptr::apparmor_profile), "AppArmor confinement is switched off",
           "drop --security-opt apparmor=unconfined / --privileged");
  }
  if (const Json* s = spec::find(in.config, ptr::selinux_label); s != nullptr && s->is_string()) {
    const auto label = s->get<std::string>();
    if (label.find(":spc_t") != std::string::npos || label.find(":unconfined_t") != std::string::npos) {
      in.add("no-unconfined-lsm", std::string(ptr::selinux_label), "SELinux label " + label + " is unconfined",
             "drop --security-opt label=disable / --privileged");
    }
  }
}

using Rule = std::function<void(const Input&)>;

const std::vector<std::pair<std::string, Rule>>&
rules()
{
  static const std::vector<std::pair<std::string, Rule>> k_rules = {
    {"user-namespace", user_namespace},
    {"non-root-user", non_root_user},
    {"drop-capabilities", drop_capabilities},
    {"no-new-privileges", no_new_privileges},
    {"read-only-root", read_only_root},
    {"masked-paths", [](const Input& in) { path_list(in, "masked-paths", ptr::masked_paths, in.ctx.policy.masked_paths); }},
    {"readonly-paths", [](const Input& in) { path_list(in, "readonly-paths", ptr::readonly_paths, in.ctx.policy.readonly_paths); }},
    {"pids-limit", pids_limit},
    {"seccomp", seccomp},
    {"no-host-namespaces", no_host_namespaces},
    {"no-sensitive-mounts", no_sensitive_mounts},
    {"no-devices", no_devices},
    {"no-writable-kernel-fs", no_writable_kernel_fs},
    {"safe-mount-destinations", safe_mount_destinations},
    {"safe-cwd", safe_cwd},
    {"no-unconfined-lsm", no_unconfined_lsm},
    {"no-secret-env", no_secret_env},
  };
  return k_rules;
}

} // namespace

std::vector<Finding>
validate(const spec::Json& config, const modify::Context& ctx, const Options& options)
{
  std::vector<Finding> out;
  const Input in{config, ctx, options, out};
  for (const auto& [name, rule] : rules()) {
    rule(in);
  }
  return out;
}

std::optional<std::string>
sensitive_overlap(const policy::Policy& policy, const std::string& source_path)
{
  const auto clean = spec::clean_absolute(source_path);
  if (!clean) {
    return std::nullopt; // not a host path (a named volume); callers judge unclean paths themselves
  }
  const std::string source = canonical_run(*clean);
  const auto& allowed = policy.allowed_host_paths;
  if (std::any_of(allowed.begin(), allowed.end(), [&](const std::string& a) { return spec::is_within(source, canonical_run(a)); })) {
    return std::nullopt;
  }
  for (const auto& s : policy.sensitive_host_paths) {
    const std::string sensitive = canonical_run(s);
    // Below a sensitive path (/etc/shadow in /etc), or above one (/var holds /var/lib/containers).
    // "/" itself only counts when bound whole: everything is below it.
    const bool below = sensitive != "/" && spec::is_within(source, sensitive);
    if (below || spec::is_within(sensitive, source)) {
      return s;
    }
  }
  return std::nullopt;
}

bool
safe_cwd_path(const std::string& cwd)
{
  const auto clean = spec::clean_absolute(cwd);
  // Threat: CVE-2024-21626, a cwd of /proc/self/fd/N reaches a leaked host directory.
  return clean && !spec::is_within(*clean, "/proc") && !spec::is_within(*clean, "/sys");
}

std::vector<std::string>
rule_names()
{
  std::vector<std::string> names;
  for (const auto& [name, rule] : rules()) {
    names.push_back(name);
  }
  return names;
}

} // namespace hardrun::check
