// SPDX-License-Identifier: Apache-2.0
#include "hardrun/image/state.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "hardrun/base/unique_fd.hpp"
#include "hardrun/spec/json.hpp"
#include "hardrun/spec/path.hpp"

namespace hardrun::image {
namespace {

using spec::Json;

Unexpected
bad_state(std::string msg)
{
  return make_error(Errc::invalid_input, "state: " + std::move(msg));
}

bool
all_digits(std::string_view s)
{
  if (s.empty()) {
    return false;
  }
  for (const char c : s) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

// runtime-spec 1.x: "1.0" (crun 1.8), "1.0.2-dev" (runc 1.1), "1.1.0", "1.2.0+dev". The state
// schema has only grown compatibly within major version 1; anything else is refused (S10).
bool
supported_oci_version(std::string_view v)
{
  const auto suffix = v.find_first_of("-+");
  const std::string_view core = v.substr(0, suffix);
  if (suffix != std::string_view::npos && suffix + 1 >= v.size()) {
    return false;
  }
  if (core.substr(0, 2) != "1.") {
    return false;
  }
  std::string_view rest = core.substr(2);
  const auto dot = rest.find('.');
  if (dot == std::string_view::npos) {
    return all_digits(rest);
  }
  return all_digits(rest.substr(0, dot)) && all_digits(rest.substr(dot + 1));
}

Result<std::string>
string_member(const Json& root, const char* key, bool required)
{
  const auto it = root.find(key);
  if (it == root.end()) {
    if (required) {
      return bad_state(std::string("missing \"") + key + "\"");
    }
    return std::string();
  }
  if (!it->is_string()) {
    return bad_state(std::string("\"") + key + "\" must be a string, not " + it->type_name());
  }
  return it->get<std::string>();
}

} // namespace

bool
is_valid_container_id(std::string_view id)
{
  if (id.empty() || id.size() > k_max_container_id || id == "." || id.find("..") != std::string_view::npos) {
    return false;
  }
  // Threat: the id is joined into storage paths (<driver>-containers/<id>); a '/' or ".." would
  // walk elsewhere (S7). Control characters would forge report lines.
  for (const char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '/' || u < 0x20 || u == 0x7f) {
      return false;
    }
  }
  return true;
}

Result<State>
parse_state(std::string_view text)
{
  if (text.empty()) {
    return bad_state("empty state on standard input (S1)");
  }
  if (text.size() > k_max_state_bytes) {
    return bad_state("exceeds " + std::to_string(k_max_state_bytes) + " bytes");
  }
  auto parsed = spec::parse_strict(text, "state", spec::ParseLimits{k_max_state_bytes, 64});
  if (!parsed) {
    return tl::unexpected(std::move(parsed).error());
  }
  const Json& root = *parsed;

  State st;
  HARDRUN_TRY_ASSIGN(version, string_member(root, "ociVersion", false));
  if (version.empty() || !supported_oci_version(version)) {
    return bad_state("unsupported ociVersion \"" + version + "\" (expected 1.x)");
  }
  st.oci_version = std::move(version);

  HARDRUN_TRY_ASSIGN(id, string_member(root, "id", true));
  if (!is_valid_container_id(id)) {
    return bad_state("invalid container id (empty, '/', \"..\", control characters or over "
                     + std::to_string(k_max_container_id) + " characters)");
  }
  st.id = std::move(id);

  HARDRUN_TRY_ASSIGN(status, string_member(root, "status", true));
  st.status = std::move(status);

  HARDRUN_TRY_ASSIGN(bundle, string_member(root, "bundle", true));
  // Threat: a relative bundle resolves against the hook's cwd, which the runtime chose (E7); an
  // unclean one ("/a/../b") hides where it points (S8, R9).
  if (!spec::is_clean_absolute(bundle)) {
    return bad_state("bundle \"" + bundle + "\" is not a clean absolute path");
  }
  st.bundle = std::move(bundle);

  if (const auto it = root.find("pid"); it != root.end()) {
    if (!it->is_number_integer()) {
      return bad_state("\"pid\" must be an integer");
    }
    st.pid = it->get<long long>();
  }
  if (const auto it = root.find("annotations"); it != root.end()) {
    // Parsed for shape only; never used (R12, S13).
    if (!it->is_object()) {
      return bad_state("\"annotations\" must be an object");
    }
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string()) {
        return bad_state("annotation \"" + k + "\" must be a string");
      }
    }
  }
  // crun adds "root" (E7b): tolerated, and never opened (R9: nothing under state.root is read).
  return st;
}

Result<void>
check_bundle(const std::string& bundle)
{
  if (!spec::is_clean_absolute(bundle)) {
    return make_error(Errc::invalid_input, "bundle " + bundle + ": not a clean absolute path");
  }
  struct stat st {};
  // lstat, not stat: a symlinked bundle could point the storage lookup at a directory an
  // attacker prepared (S8).
  if (::lstat(bundle.c_str(), &st) != 0) {
    return make_sys_error(errno, "bundle " + bundle);
  }
  if (S_ISLNK(st.st_mode)) {
    return make_error(Errc::insecure, "bundle " + bundle + ": is a symbolic link");
  }
  if (!S_ISDIR(st.st_mode)) {
    return make_error(Errc::insecure, "bundle " + bundle + ": is not a directory");
  }
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
    // With a user namespace podman gives userdata to the container's root (its host uid, e.g.
    // 100000, mode 0700). That owner is accepted only below a root-owned <id> directory, and the
    // hook then requires config.json to be root-owned with one link and that owner to be the
    // host id of container root in its uidMappings (hook/src/run.cpp).
    struct stat parent {};
    const std::string up = bundle.substr(0, bundle.rfind('/'));
    const std::string id = up.substr(up.rfind('/') + 1);
    const std::string containers = up.substr(0, up.rfind('/'));
    const bool podman_shape = bundle.size() > 9 && bundle.substr(bundle.size() - 9) == "/userdata" && id.size() == 64
                              && id.find_first_not_of("0123456789abcdef") == std::string::npos && containers.size() > 11
                              && containers.substr(containers.size() - 11) == "-containers";
    if (!podman_shape || up.empty() || ::lstat(up.c_str(), &parent) != 0 || !S_ISDIR(parent.st_mode) || parent.st_uid != 0
        || (parent.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
      return make_error(Errc::insecure, "bundle " + bundle + ": owned by uid " + std::to_string(st.st_uid) +
                                          ", not by root, and its parent is not a root-owned directory");
    }
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return make_error(Errc::insecure, "bundle " + bundle + ": writable by group or others");
  }
  return {};
}

} // namespace hardrun::image
