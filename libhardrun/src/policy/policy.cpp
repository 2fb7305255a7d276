// SPDX-License-Identifier: Apache-2.0
#include "hardrun/policy/policy.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "hardrun/spec/document.hpp"
#include "hardrun/spec/fields.hpp"
#include "hardrun/spec/path.hpp"
#include "hardrun/sys/caps.hpp"
#include "hardrun/sys/fs.hpp"
#include "hardrun/sys/seccomp.hpp"

#ifndef HARDRUN_POLICY_DIR
#define HARDRUN_POLICY_DIR "/usr/share/hardrun/policies"
#endif
#ifndef HARDRUN_SYSCONF_POLICY_DIR
#define HARDRUN_SYSCONF_POLICY_DIR "/etc/hardrun/policies"
#endif

namespace hardrun::policy {
namespace {

using spec::Json;
using spec::is_clean_absolute;
using spec::pointer_append;

using spec::Fields;
using spec::get_paths;
using spec::get_string;
using spec::get_strings;
using spec::get_u32;

Unexpected
bad(std::string_view pointer, std::string_view problem)
{
  return spec::bad_value(pointer, problem);
}

} // namespace

std::vector<std::string>
default_secret_env_names()
{
  return {"PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL"};
}

namespace {

Result<std::vector<sys::HostRange>>
get_ranges(const Json& v, const std::string& pointer)
{
  if (!v.is_array() || v.empty()) {
    return bad(pointer, "must be a non-empty array of {\"start\", \"size\"} ranges");
  }
  std::vector<sys::HostRange> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string p = pointer_append(pointer, i);
    HARDRUN_TRY_ASSIGN(f, Fields::of(v[i], p));
    HARDRUN_TRY_ASSIGN(start_v, f.required("start"));
    HARDRUN_TRY_ASSIGN(size_v, f.required("size"));
    HARDRUN_TRY(f.finish());
    HARDRUN_TRY_ASSIGN(start, get_u32(*start_v, f.at("start")));
    HARDRUN_TRY_ASSIGN(size, get_u32(*size_v, f.at("size")));
    if (start == 0) {
      // Threat: a range starting at 0 hands out host root.
      return bad(f.at("start"), "must not be 0: host id 0 is root");
    }
    if (size == 0 || std::uint64_t{start} + size > 0x100000000ULL) {
      return bad(p, "range is empty or overflows 2^32");
    }
    out.push_back({start, size});
  }
  return out;
}

constexpr std::array<std::string_view, 9> k_tmpfs_flags = {"nosuid", "nodev",    "noexec", "exec",    "rw",
                                                          "ro",     "relatime", "noatime", "strictatime"};
constexpr std::array<std::string_view, 5> k_tmpfs_params = {"mode=", "size=", "nr_inodes=", "uid=", "gid="};

Result<std::vector<TmpfsMount>>
get_tmpfs(const Json& v, const std::string& pointer)
{
  if (!v.is_array()) {
    return bad(pointer, "must be an array of {\"path\", \"options\"}");
  }
  std::vector<TmpfsMount> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string p = pointer_append(pointer, i);
    HARDRUN_TRY_ASSIGN(f, Fields::of(v[i], p));
    HARDRUN_TRY_ASSIGN(path_v, f.required("path"));
    HARDRUN_TRY_ASSIGN(options_v, f.required("options"));
    HARDRUN_TRY(f.finish());
    TmpfsMount m;
    HARDRUN_TRY_ASSIGN(path, get_string(*path_v, f.at("path")));
    if (!is_clean_absolute(path) || path == "/") {
      return bad(f.at("path"), "\"" + path + "\" is not a clean absolute path below /");
    }
    m.path = std::move(path);
    HARDRUN_TRY_ASSIGN(options, get_strings(*options_v, f.at("options")));
    for (std::size_t j = 0; j < options.size(); ++j) {
      const auto& o = options[j];
      const bool flag = std::find(k_tmpfs_flags.begin(), k_tmpfs_flags.end(), o) != k_tmpfs_flags.end();
      const bool param = std::any_of(k_tmpfs_params.begin(), k_tmpfs_params.end(),
                                     [&](std::string_view pre) { return o.size() > pre.size() && o.rfind(pre, 0) == 0; });
      if (!flag && !param) {
        return bad(pointer_append(f.at("options"), j), "unknown tmpfs option \"" + o + "\"");
      }
    }
    for (const char* must : {"nosuid", "nodev"}) {
      // Threat: a writable tmpfs without these lets a process plant setuid binaries or device nodes.
      if (std::find(options.begin(), options.end(), must) == options.end()) {
        return bad(f.at("options"), std::string("must contain \"") + must + "\"");
      }
    }
    if (std::any_of(out.begin(), out.end(), [&](const TmpfsMount& t) { return t.path == m.path; })) {
      return bad(f.at("path"), "duplicate tmpfs path \"" + m.path + "\"");
    }
    m.options = std::move(options);
    out.push_back(std::move(m));
  }
  return out;
}

// Capabilities that amount to root on the host or a container escape; a profile may not allow
// them (a profile that did would be --privileged under another name).
constexpr std::array<std::string_view, 10> k_forbidden_caps = {
  "CAP_SYS_ADMIN",  "CAP_SYS_MODULE", "CAP_SYS_PTRACE", "CAP_SYS_RAWIO", "CAP_DAC_READ_SEARCH",
  "CAP_SYS_BOOT",   "CAP_MAC_ADMIN",  "CAP_MAC_OVERRIDE", "CAP_BPF",     "CAP_PERFMON"};

std::string
dir_of(const std::string& path)
{
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) {
    return ".";
  }
  return slash == 0 ? "/" : path.substr(0, slash);
}

Result<void>
parse_sections(const Json& doc, const std::string& path, Policy& out)
{
  HARDRUN_TRY_ASSIGN(top, Fields::of(doc, ""));
  HARDRUN_TRY_ASSIGN(version_v, top.required("hardrunProfile"));
  if (!version_v->is_number_unsigned() || version_v->get<std::uint64_t>() != k_profile_version) {
    return bad(top.at("hardrunProfile"), "unsupported profile version " + version_v->dump() + " (this hardrun reads version "
                                           + std::to_string(k_profile_version) + ")");
  }
  HARDRUN_TRY_ASSIGN(name_v, top.required("name"));
  HARDRUN_TRY_ASSIGN(name, get_string(*name_v, top.at("name")));
  if (name.empty() || name.size() > 64
      || name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    return bad(top.at("name"), "must be 1-64 characters of a-z, 0-9 and -");
  }
  out.name = std::move(name);
  if (const Json* d = top.optional("description")) {
    HARDRUN_TRY_ASSIGN(desc, get_string(*d, top.at("description")));
    out.description = std::move(desc);
  }

  { // read-only-root
    HARDRUN_TRY_ASSIGN(v, top.required("read-only-root"));
    HARDRUN_TRY_ASSIGN(f, Fields::of(*v, top.at("read-only-root")));
    HARDRUN_TRY_ASSIGN(t, f.required("tmpfs"));
    HARDRUN_TRY_ASSIGN(tmpfs, get_tmpfs(*t, f.at("tmpfs")));
    HARDRUN_TRY(f.finish());
    out.tmpfs = std::move(tmpfs);
  }
  { // drop-capabilities
    HARDRUN_TRY_ASSIGN(v, top.required("drop-capabilities"));
    HARDRUN_TRY_ASSIGN(f, Fields::of(*v, top.at("drop-capabilities")));
    HARDRUN_TRY_ASSIGN(a, f.required("allow"));
    HARDRUN_TRY_ASSIGN(allow, get_strings(*a, f.at("allow")));
    HARDRUN_TRY(f.finish());
    for (std::size_t i = 0; i < allow.size(); ++i) {
      if (!sys::is_known_capability(allow[i])) {
        return bad(pointer_append(f.at("allow"), i), "unknown capability \"" + allow[i] + "\" (libcap-ng)");
      }
      if (std::find(k_forbidden_caps.begin(), k_forbidden_caps.end(), allow[i]) != k_forbidden_caps.end()) {
        return bad(pointer_append(f.at("allow"), i), allow[i] + " amounts to host root and cannot be allowed");
      }
    }
    out.allowed_capabilities = std::move(allow);
  }
  { // non-root-user
    HARDRUN_TRY_ASSIGN(v, top.required("non-root-user"));
    HARDRUN_TRY_ASSIGN(f, Fields::of(*v, top.at("non-root-user")));
    HARDRUN_TRY_ASSIGN(u, f.required("uid"));
    HARDRUN_TRY_ASSIGN(g, f.required("gid"));
    HARDRUN_TRY(f.finish());
    HARDRUN_TRY_ASSIGN(uid, get_u32(*u, f.at("uid")));
    HARDRUN_TRY_ASSIGN(gid, get_u32(*g, f.at("gid")));
    // 0 is root; 65534 is nobody/nogroup, shared with unrelated daemons and the overflow id.
    if (uid == 0 || uid == 65534 || uid == 0xffffffffU) {
      return bad(f.at("uid"), "must not be 0, 65534 (nobody) or 4294967295");
    }
    if (gid == 0 || gid == 65534 || gid == 0xffffffffU) {
      return bad(f.at("gid"), "must not be 0, 65534 (nogroup) or 4294967295");
    }
    out.uid = uid;
    out.gid = gid;
  }
  { // user-namespace
    HARDRUN_TRY_ASSIGN(v, top.required("user-namespace"));
    HARDRUN_TRY_ASSIGN(f, Fields::of(*v, top.at("user-namespace")));
    const Json* user = f.optional("subidUser");
    const Json* uids = f.optional("uidRanges");
    const Json* gids = f.optional("gidRanges");
    HARDRUN_TRY_ASSIGN(size_v, f.required("size"));
    HARDRUN_TRY(f.finish());
    if ((user != nullptr) == (uids != nullptr || gids != nullptr)) {
      return bad(top.at("user-namespace"), "give either \"subidUser\" or both \"uidRanges\" and \"gidRanges\"");
    }
    if (user != nullptr) {
      HARDRUN_TRY_ASSIGN(name_s, get_string(*user, f.at("subidUser")));
      if (name_s.empty() || name_s.find_first_of(":\n") != std::string::npos) {
        return bad(f.at("subidUser"), "must be a user name");
      }
      out.user_namespace.subid_user = std::move(name_s);
    } else {
      if (uids == nullptr || gids == nullptr) {
        return bad(top.at("user-namespace"), "needs both \"uidRanges\" and \"gidRanges\"");
      }
      HARDRUN_TRY_ASSIGN(ur, get_ranges(*uids, f.at("uidRanges")));
      HARDRUN_TRY_ASSIGN(gr, get_ranges(*gids, f.at("gidRanges")));
      out.user_namespace.uid_ranges = std::move(ur);
      out.user_namespace.gid_ranges = std::move(gr);
    }
    HARDRUN_TRY_ASSIGN(size, get_u32(*size_v, f.at("size")));
    if (size == 0 || size <= std::max(out.uid, out.gid)) {
      return bad(f.at("size"), "must be larger than the service uid and gid, so that they are mapped");
    }
    out.user_namespace.size = size;
  }
  { // seccomp
    HARDRUN_TRY_ASSIGN(v, top.required("seccomp"));
    HARDRUN_TRY_ASSIGN(f, Fields::of(*v, top.at("seccomp")));
    HARDRUN_TRY_ASSIGN(p, f.required("profile"));
    HARDRUN_TRY(f.finish());
    HARDRUN_TRY_ASSIGN(rel, get_string(*p, f.at("profile")));
    if (rel.empty()) {
      return bad(f.at("profile"), "must name a seccomp profile file");
    }
    const std::string file = rel.front() == '/' ? rel : dir_of(path) + "/" + rel;
    auto loaded = sys::read_file(file, sys::ReadOptions{k_max_profile_bytes, false, false, true});
    if (!loaded) {
      return Unexpected(std::move(loaded).error().with_context(f.at("profile")));
    }
    auto json = spec::parse_strict(loaded->bytes, file, spec::ParseLimits{k_max_profile_bytes, 64});
    if (!json) {
      return Unexpected(std::move(json).error().with_context(f.at("profile")));
    }
    if (auto ok = check_seccomp_profile(*json); !ok) {
      return Unexpected(std::move(ok).error().with_context(file).with_context(f.at("profile")));
    }
    out.seccomp_path = file;
    out.seccomp_profile = std::move(*json);
  }
  for (const auto& [key, target] : {std::pair{"masked-paths", &out.masked_paths}, std::pair{"readonly-paths", &out.readonly_paths}}) {
    HARDRUN_TRY_ASSIGN(v, top.required(key));
    HARDRUN_TRY_ASSIGN(f, Fields::of(*v, top.at(key)));
    HARDRUN_TRY_ASSIGN(p, f.required("paths"));
    HARDRUN_TRY_ASSIGN(paths, get_paths(*p, f.at("paths")));
    HARDRUN_TRY(f.finish());
    *target = std::move(paths);
  }
  { // pids-limit
    HARDRUN_TRY_ASSIGN(v, top.required("pids-limit"));
    HARDRUN_TRY_ASSIGN(f, Fields::of(*v, top.at("pids-limit")));
    HARDRUN_TRY_ASSIGN(m, f.required("max"));
    HARDRUN_TRY(f.finish());
    if (!m->is_number_unsigned() || m->get<std::uint64_t>() < 1 || m->get<std::uint64_t>() > (1U << 22U)) {
      return bad(f.at("max"), "must be an integer from 1 to 4194304");
    }
    out.pids_limit = m->get<std::int64_t>();
  }
  { // no-sensitive-mounts
    HARDRUN_TRY_ASSIGN(v, top.required("no-sensitive-mounts"));
    HARDRUN_TRY_ASSIGN(f, Fields::of(*v, top.at("no-sensitive-mounts")));
    HARDRUN_TRY_ASSIGN(p, f.required("paths"));
    HARDRUN_TRY_ASSIGN(paths, get_paths(*p, f.at("paths")));
    std::vector<std::string> allow;
    if (const Json* a = f.optional("allow")) {
      HARDRUN_TRY_ASSIGN(al, get_paths(*a, f.at("allow")));
      allow = std::move(al);
    }
    HARDRUN_TRY(f.finish());
    if (std::find(paths.begin(), paths.end(), "/") == paths.end()) {
      return bad(f.at("paths"), "must contain \"/\": binding the host root is always sensitive");
    }
    for (std::size_t i = 0; i < allow.size(); ++i) {
      if (allow[i] == "/") {
        return bad(pointer_append(f.at("allow"), i), "\"/\" cannot be allowed");
      }
    }
    out.sensitive_host_paths = std::move(paths);
    out.allowed_host_paths = std::move(allow);
  }
  if (const Json* v = top.optional("no-secret-env")) { // no-secret-env (optional)
    HARDRUN_TRY_ASSIGN(f, Fields::of(*v, top.at("no-secret-env")));
    out.secret_env = true;
    out.secret_env_names = default_secret_env_names();
    if (const Json* n = f.optional("names")) {
      HARDRUN_TRY_ASSIGN(names, get_strings(*n, f.at("names")));
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i].size() < 3) {
          return bad(pointer_append(f.at("names"), i), "must be at least 3 characters (it matches inside variable names)");
        }
      }
      out.secret_env_names = std::move(names);
    }
    HARDRUN_TRY(f.finish());
  }
  return top.finish();
}

constexpr std::array<std::string_view, 9> k_actions = {"SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
                                                      "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
                                                      "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY"};
constexpr std::array<std::string_view, 7> k_ops = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
                                                  "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};

template <std::size_t N>
bool
one_of(const std::array<std::string_view, N>& set, const std::string& v)
{
  return std::find(set.begin(), set.end(), v) != set.end();
}

} // namespace

Result<void>
check_seccomp_profile(const Json& profile)
{
  HARDRUN_TRY_ASSIGN(f, Fields::of(profile, ""));
  HARDRUN_TRY_ASSIGN(action_v, f.required("defaultAction"));
  HARDRUN_TRY_ASSIGN(action, get_string(*action_v, f.at("defaultAction")));
  if (!one_of(k_actions, action)) {
    return bad(f.at("defaultAction"), "unknown action \"" + action + "\"");
  }
  if (action == "SCMP_ACT_ALLOW" || action == "SCMP_ACT_LOG") {
    return bad(f.at("defaultAction"), "\"" + action + "\" allows every syscall: that is no confinement");
  }
  if (const Json* e = f.optional("defaultErrnoRet")) {
    HARDRUN_TRY(get_u32(*e, f.at("defaultErrnoRet")));
  }
  if (const Json* fl = f.optional("flags")) {
    HARDRUN_TRY(get_strings(*fl, f.at("flags")));
  }
  std::vector<std::pair<std::string, std::uint32_t>> arches;
  if (const Json* a = f.optional("architectures")) {
    HARDRUN_TRY_ASSIGN(names, get_strings(*a, f.at("architectures")));
    for (std::size_t i = 0; i < names.size(); ++i) {
      const auto token = sys::seccomp_arch(names[i]);
      if (!token) {
        return bad(pointer_append(f.at("architectures"), i), "unknown architecture \"" + names[i] + "\"");
      }
      arches.emplace_back(names[i], *token);
    }
  }
  if (arches.empty()) {
    const std::string native = sys::seccomp_native_arch();
    if (const auto token = sys::seccomp_arch(native)) {
      arches.emplace_back(native, *token);
    }
  }
  HARDRUN_TRY_ASSIGN(syscalls_v, f.required("syscalls"));
  HARDRUN_TRY(f.finish());
  if (!syscalls_v->is_array()) {
    return bad(f.at("syscalls"), "must be an array");
  }
  for (std::size_t i = 0; i < syscalls_v->size(); ++i) {
    const std::string p = pointer_append(f.at("syscalls"), i);
    HARDRUN_TRY_ASSIGN(rule, Fields::of((*syscalls_v)[i], p));
    HARDRUN_TRY_ASSIGN(names_v, rule.required("names"));
    HARDRUN_TRY_ASSIGN(names, get_strings(*names_v, rule.at("names")));
    if (names.empty()) {
      return bad(rule.at("names"), "must not be empty");
    }
    for (std::size_t j = 0; j < names.size(); ++j) {
      for (const auto& [arch_name, token] : arches) {
        if (!sys::seccomp_knows_syscall(token, names[j])) {
          return bad(pointer_append(rule.at("names"), j),
                     "unknown syscall \"" + names[j] + "\" for " + arch_name + " (libseccomp)");
        }
      }
    }
    HARDRUN_TRY_ASSIGN(act_v, rule.required("action"));
    HARDRUN_TRY_ASSIGN(act, get_string(*act_v, rule.at("action")));
    if (!one_of(k_actions, act)) {
      return bad(rule.at("action"), "unknown action \"" + act + "\"");
    }
    if (const Json* e = rule.optional("errnoRet")) {
      HARDRUN_TRY(get_u32(*e, rule.at("errnoRet")));
    }
    if (const Json* args = rule.optional("args")) {
      if (!args->is_array() || args->size() > 6) {
        return bad(rule.at("args"), "must be an array of at most 6 conditions");
      }
      for (std::size_t k = 0; k < args->size(); ++k) {
        const std::string ap = pointer_append(rule.at("args"), k);
        HARDRUN_TRY_ASSIGN(arg, Fields::of((*args)[k], ap));
        HARDRUN_TRY_ASSIGN(index_v, arg.required("index"));
        HARDRUN_TRY_ASSIGN(index, get_u32(*index_v, arg.at("index")));
        if (index > 5) {
          return bad(arg.at("index"), "must be from 0 to 5");
        }
        HARDRUN_TRY_ASSIGN(value_v, arg.required("value"));
        if (!value_v->is_number_unsigned()) {
          return bad(arg.at("value"), "must be an unsigned integer");
        }
        if (const Json* v2 = arg.optional("valueTwo"); v2 != nullptr && !v2->is_number_unsigned()) {
          return bad(arg.at("valueTwo"), "must be an unsigned integer");
        }
        HARDRUN_TRY_ASSIGN(op_v, arg.required("op"));
        HARDRUN_TRY_ASSIGN(op, get_string(*op_v, arg.at("op")));
        if (!one_of(k_ops, op)) {
          return bad(arg.at("op"), "unknown operator \"" + op + "\"");
        }
        HARDRUN_TRY(arg.finish());
      }
    }
    HARDRUN_TRY(rule.finish());
  }
  return {};
}

Result<Policy>
parse(std::string_view text, const std::string& path)
{
  auto doc = spec::parse_strict(text, path, spec::ParseLimits{k_max_profile_bytes, 64});
  if (!doc) {
    return Unexpected(std::move(doc).error());
  }
  Policy out;
  out.source = path;
  if (auto ok = parse_sections(*doc, path, out); !ok) {
    return Unexpected(std::move(ok).error().with_context(path));
  }
  return out;
}

Result<Policy>
load_file(const std::string& path)
{
  // Threat: whoever can write the profile decides what runs; refuse files others can write.
  auto loaded = sys::read_file(path, sys::ReadOptions{k_max_profile_bytes, false, false, true});
  if (!loaded) {
    return Unexpected(std::move(loaded).error().with_context("profile"));
  }
  return parse(loaded->bytes, path);
}

std::vector<std::string>
search_dirs()
{
  return {HARDRUN_SYSCONF_POLICY_DIR, HARDRUN_POLICY_DIR};
}

Result<Policy>
load(const std::string& name_or_path)
{
  const bool is_path = name_or_path.find('/') != std::string::npos
                       || (name_or_path.size() > 5 && name_or_path.substr(name_or_path.size() - 5) == ".json");
  if (is_path) {
    return load_file(name_or_path);
  }
  if (name_or_path.empty() || name_or_path.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    return make_error(Errc::invalid_input, "profile name \"" + name_or_path + "\": must be a-z, 0-9 and - (or give a file path)");
  }
  std::string tried;
  for (const auto& dir : search_dirs()) {
    const std::string file = dir + "/" + name_or_path + ".json";
    auto policy = load_file(file);
    if (policy || policy.error().code != Errc::not_found) {
      return policy;
    }
    tried += (tried.empty() ? "" : ", ") + file;
  }
  return make_error(Errc::not_found, "profile \"" + name_or_path + "\" not found (looked for " + tried + ")");
}

Result<IdAllocation>
resolve_allocation(const Policy& policy, const sys::Env& env)
{
  const auto& rule = policy.user_namespace;
  if (rule.subid_user.empty()) {
    return IdAllocation{rule.uid_ranges, rule.gid_ranges, policy.source};
  }
  HARDRUN_TRY_ASSIGN(uids, env.subid_ranges(sys::IdKind::uid, rule.subid_user));
  HARDRUN_TRY_ASSIGN(gids, env.subid_ranges(sys::IdKind::gid, rule.subid_user));
  return IdAllocation{std::move(uids), std::move(gids), "/etc/subuid and /etc/subgid for user " + rule.subid_user};
}

} // namespace hardrun::policy
