// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "hardrun/base/result.hpp"
#include "hardrun/spec/json.hpp"

namespace hardrun::spec {

// An Errc::invalid_input error "POINTER: problem" ("/" for the root).
[[nodiscard]] Unexpected bad_value(std::string_view pointer, std::string_view problem);

// Reads the members of one JSON object; finish() makes every key that was not read an error,
// so a typo ("requireDigset") can never silently switch a setting off (security.md P4). Used by
// every strict file format hardrun reads: profiles, hardrun.json, the trust policy.
class Fields {
public:
  Fields(const Json& obj, std::string pointer) : m_obj(obj), m_pointer(std::move(pointer)) {}

  // `value` must be an object. refuse_false: a section set to `false` gets a clear error
  // (profiles tune protections, they cannot switch them off).
  [[nodiscard]] static Result<Fields> of(const Json& value, const std::string& pointer, bool refuse_false = true);

  const Json* optional(const char* key);
  Result<const Json*> required(const char* key);
  [[nodiscard]] std::string at(const char* key) const { return pointer_append(m_pointer, key); }
  [[nodiscard]] const std::string& pointer() const { return m_pointer; }
  [[nodiscard]] Result<void> finish() const;

private:
  const Json& m_obj;
  std::string m_pointer;
  std::set<std::string> m_seen;
};

[[nodiscard]] Result<std::uint32_t> get_u32(const Json& v, const std::string& pointer);
[[nodiscard]] Result<std::string> get_string(const Json& v, const std::string& pointer);
[[nodiscard]] Result<bool> get_bool(const Json& v, const std::string& pointer);
// An array of distinct strings.
[[nodiscard]] Result<std::vector<std::string>> get_strings(const Json& v, const std::string& pointer);
// An array of distinct clean absolute paths.
[[nodiscard]] Result<std::vector<std::string>> get_paths(const Json& v, const std::string& pointer);

} // namespace hardrun::spec
