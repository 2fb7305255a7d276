// SPDX-License-Identifier: Apache-2.0
#include "trust_glue.hpp"

#include "hardrun/trust/policy.hpp"

#include <optional>

namespace hardrun::hook {

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

Trust::Trust() : m_impl(std::make_unique<Impl>()) {}
Trust::~Trust() = default;

} // namespace hardrun::hook
