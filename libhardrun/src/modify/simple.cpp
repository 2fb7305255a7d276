// SPDX-License-Identifier: Apache-2.0
// The small modifiers: one field or one list each.
#include <algorithm>

#include "hardrun/spec/document.hpp"
#include "hardrun/spec/pointer_names.hpp"
#include "modifiers.hpp"

namespace hardrun::modify {
namespace {

// Sets process.noNewPrivileges, so setuid binaries and file capabilities in the image cannot
// raise privileges after execve (prctl PR_SET_NO_NEW_PRIVS).
class NoNewPrivileges final : public Modifier {
public:
  [[nodiscard]] std::string_view name() const override { return "no-new-privileges"; }
  [[nodiscard]] Result<Changes>
  apply(spec::Json& config, const Context& /*ctx*/) const override
  {
    Changes out;
    set_value(config, spec::ptr::no_new_privileges, true, name(), out);
    return out;
  }
};

// Adds the profile's paths to linux.maskedPaths or linux.readonlyPaths, keeping the ones the
// config already has (--privileged removes both lists).
class PathList final : public Modifier {
public:
  PathList(std::string_view name, std::string_view pointer, std::vector<std::string> policy::Policy::*paths)
    : m_name(name), m_pointer(pointer), m_paths(paths)
  {
  }
  [[nodiscard]] std::string_view name() const override { return m_name; }
  [[nodiscard]] Result<Changes>
  apply(spec::Json& config, const Context& ctx) const override
  {
    Changes out;
    const spec::Json* current = spec::find(config, m_pointer);
    spec::Json list = current != nullptr && current->is_array() ? *current : spec::Json::array();
    for (const auto& p : ctx.policy.*m_paths) {
      if (std::find(list.begin(), list.end(), spec::Json(p)) == list.end()) {
        list.push_back(p);
      }
    }
    set_value(config, m_pointer, std::move(list), name(), out);
    return out;
  }

private:
  std::string_view m_name;
  std::string_view m_pointer;
  std::vector<std::string> policy::Policy::*m_paths;
};

// Caps linux.resources.pids.limit: a fork bomb in one container must not exhaust the host's pids.
class PidsLimit final : public Modifier {
public:
  [[nodiscard]] std::string_view name() const override { return "pids-limit"; }
  [[nodiscard]] Result<Changes>
  apply(spec::Json& config, const Context& ctx) const override
  {
    Changes out;
    const spec::Json* limit = spec::find(config, spec::ptr::pids_limit);
    const bool ok = limit != nullptr && limit->is_number_integer() && limit->get<std::int64_t>() > 0
                    && limit->get<std::int64_t>() <= ctx.policy.pids_limit;
    if (!ok) {
      set_value(config, spec::ptr::pids_limit, ctx.policy.pids_limit, name(), out);
    }
    return out;
  }
};

// Installs the profile's seccomp filter where the config has none, or one that allows every
// syscall by default (which is what --security-opt seccomp=unconfined amounts to). A confining
// filter that is already there (podman's default) is kept.
class Seccomp final : public Modifier {
public:
  [[nodiscard]] std::string_view name() const override { return "seccomp"; }
  [[nodiscard]] Result<Changes>
  apply(spec::Json& config, const Context& ctx) const override
  {
    Changes out;
    const spec::Json* current = spec::find(config, spec::ptr::seccomp);
    const spec::Json* action = current == nullptr ? nullptr : spec::find(*current, "/defaultAction");
    const bool confining = action != nullptr && action->is_string() && *action != "SCMP_ACT_ALLOW"
                           && *action != "SCMP_ACT_LOG";
    if (!confining) {
      set_value(config, spec::ptr::seccomp, ctx.policy.seccomp_profile, name(), out);
    }
    return out;
  }
};

} // namespace

std::unique_ptr<Modifier>
make_no_new_privileges()
{
  return std::make_unique<NoNewPrivileges>();
}

std::unique_ptr<Modifier>
make_masked_paths()
{
  return std::make_unique<PathList>("masked-paths", spec::ptr::masked_paths, &policy::Policy::masked_paths);
}

std::unique_ptr<Modifier>
make_readonly_paths()
{
  return std::make_unique<PathList>("readonly-paths", spec::ptr::readonly_paths, &policy::Policy::readonly_paths);
}

std::unique_ptr<Modifier>
make_pids_limit()
{
  return std::make_unique<PidsLimit>();
}

std::unique_ptr<Modifier>
make_seccomp()
{
  return std::make_unique<Seccomp>();
}

} // namespace hardrun::modify
