// SPDX-License-Identifier: Apache-2.0
#include "hardrun/spec/fields.hpp"

#include <algorithm>

#include "hardrun/spec/document.hpp"
#include "hardrun/spec/path.hpp"

namespace hardrun::spec {

Unexpected
bad_value(std::string_view pointer, std::string_view problem)
{
  return make_error(Errc::invalid_input, std::string(pointer.empty() ? "/" : pointer) + ": " + std::string(problem));
}

Result<Fields>
Fields::of(const Json& value, const std::string& pointer, bool refuse_false)
{
  if (refuse_false && value.is_boolean() && !value.get<bool>()) {
    // Threat: an insecureAcceptAnything-style switch. Profiles tune, they never disable.
    return bad_value(pointer, "cannot be false: hardrun protections cannot be switched off by a profile (P5)");
  }
  if (!value.is_object()) {
    return bad_value(pointer, std::string("must be an object, not ") + value.type_name());
  }
  return Fields(value, pointer);
}

const Json*
Fields::optional(const char* key)
{
  m_seen.insert(key);
  const auto it = m_obj.find(key);
  return it == m_obj.end() ? nullptr : &*it;
}

Result<const Json*>
Fields::required(const char* key)
{
  const Json* v = optional(key);
  if (v == nullptr) {
    return bad_value(pointer_append(m_pointer, key), "missing");
  }
  return v;
}

Result<void>
Fields::finish() const
{
  for (const auto& [key, value] : m_obj.items()) {
    if (m_seen.count(key) == 0) {
      return bad_value(pointer_append(m_pointer, key), "unknown key \"" + key + "\"");
    }
  }
  return {};
}

Result<std::uint32_t>
get_u32(const Json& v, const std::string& pointer)
{
  const auto value = as_u32(&v);
  if (!value) {
    return bad_value(pointer, "must be an integer from 0 to 4294967295");
  }
  return *value;
}

Result<std::string>
get_string(const Json& v, const std::string& pointer)
{
  if (!v.is_string()) {
    return bad_value(pointer, std::string("must be a string, not ") + v.type_name());
  }
  return v.get<std::string>();
}

Result<bool>
get_bool(const Json& v, const std::string& pointer)
{
  if (!v.is_boolean()) {
    return bad_value(pointer, std::string("must be true or false, not ") + v.type_name());
  }
  return v.get<bool>();
}

Result<std::vector<std::string>>
get_strings(const Json& v, const std::string& pointer)
{
  if (!v.is_array()) {
    return bad_value(pointer, std::string("must be an array of strings, not ") + v.type_name());
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    HARDRUN_TRY_ASSIGN(s, get_string(v[i], pointer_append(pointer, i)));
    if (std::find(out.begin(), out.end(), s) != out.end()) {
      return bad_value(pointer_append(pointer, i), "duplicate entry \"" + s + "\"");
    }
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<std::string>>
get_paths(const Json& v, const std::string& pointer)
{
  HARDRUN_TRY_ASSIGN(paths, get_strings(v, pointer));
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (!is_clean_absolute(paths[i])) {
      return bad_value(pointer_append(pointer, i), "\"" + paths[i] + "\" is not a clean absolute path");
    }
  }
  return paths;
}

} // namespace hardrun::spec
