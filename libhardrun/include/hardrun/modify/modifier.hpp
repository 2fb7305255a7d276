// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hardrun/base/result.hpp"
#include "hardrun/policy/policy.hpp"
#include "hardrun/spec/json.hpp"

namespace hardrun::modify {

// One edit a modifier made, as a JSON pointer with the value before and after. An absent
// before means "added", an absent after means "removed".
struct Change {
  std::string modifier;
  std::string pointer;
  std::optional<spec::Json> before;
  std::optional<spec::Json> after;
};
using Changes = std::vector<Change>;

// What a modifier may know besides the document: the profile and the host id allocation it
// was resolved against. No I/O happens inside a modifier.
struct Context {
  const policy::Policy& policy;
  const policy::IdAllocation& allocation;
};

// One hardening concern. Contract: apply() is idempotent (apply(apply(x)) == apply(x), the
// second call reports no changes), touches only the fields of its concern, and returns every
// change it made. It does not decide whether the result is acceptable: check::validate does.
class Modifier {
public:
  virtual ~Modifier() = default;
  // Stable name, shared with profile keys, findings and hardrun(1).
  [[nodiscard]] virtual std::string_view name() const = 0;
  [[nodiscard]] virtual Result<Changes> apply(spec::Json& config, const Context& ctx) const = 0;
};

// The modifiers of the default chain, in order: the user namespace before the non-root check
// (the service uid must be mapped), seccomp last.
[[nodiscard]] std::vector<std::unique_ptr<Modifier>> default_chain();

// Names of the default chain, in order.
[[nodiscard]] std::vector<std::string> modifier_names();

// Apply every modifier of the chain in order; the changes of all of them, in order.
[[nodiscard]] Result<Changes>
apply_chain(const std::vector<std::unique_ptr<Modifier>>& chain, spec::Json& config, const Context& ctx);

// Helpers for modifiers: set or erase a value at a pointer, recording a Change when the value
// differs. Parents are created as objects.
void set_value(spec::Json& config, std::string_view pointer, spec::Json value, std::string_view modifier, Changes& out);
void erase_value(spec::Json& config, std::string_view pointer, std::string_view modifier, Changes& out);

} // namespace hardrun::modify
