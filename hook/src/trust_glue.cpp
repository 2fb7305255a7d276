// SPDX-License-Identifier: Apache-2.0
#include "trust_glue.hpp"

#if __has_include("hardrun/trust/policy.hpp") && !defined(HARDRUN_HOOK_NO_TRUST)
#include "hardrun/trust/policy.hpp"
#define HARDRUN_HOOK_HAVE_TRUST 1
#else
#define HARDRUN_HOOK_HAVE_TRUST 0
#endif

#include <optional>

namespace hardrun::hook {

#if HARDRUN_HOOK_HAVE_TRUST
struct Trust::Impl {
  std::optional<trust::TrustPolicy> policy;
};

Result<void>
Trust::load(const std::string& path)
{
  HARDRUN_TRY_ASSIGN(policy, trust::load_trust_policy(path));
  m_impl->policy.emplace(std::move(policy));
  return {};
}

Result<trust::Decision>
Trust::decide(const image::Evidence& evidence) const
{
  if (!m_impl->policy) {
    return make_error(Errc::invalid_input, "no trust policy loaded");
  }
  return trust::decide(*m_impl->policy, evidence);
}
#else
// Built before the trust library existed: every image is denied (fail closed).
struct Trust::Impl {
  std::string path;
};

Result<void>
Trust::load(const std::string& path)
{
  m_impl->path = path;
  return {};
}

Result<trust::Decision>
Trust::decide(const image::Evidence& /*evidence*/) const
{
  return make_error(Errc::system, "this hardrun-hook was built without the trust library; cannot verify against "
                                    + m_impl->path);
}
#endif

Trust::Trust() : m_impl(std::make_unique<Impl>()) {}
Trust::~Trust() = default;

} // namespace hardrun::hook
