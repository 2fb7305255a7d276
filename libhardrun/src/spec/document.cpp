// SPDX-License-Identifier: Apache-2.0
#include "hardrun/spec/document.hpp"

#include <algorithm>
#include <initializer_list>

#include "hardrun/spec/pointer_names.hpp"
#include "hardrun/spec/splice.hpp"

namespace hardrun::spec {
namespace {

Unexpected
shape_error(std::string_view pointer, std::string_view problem)
{
  return make_error(Errc::invalid_input, std::string(pointer) + ": " + std::string(problem));
}

Result<void>
known_keys(const Json& obj, std::string_view pointer, std::initializer_list<std::string_view> keys)
{
  for (const auto& [key, value] : obj.items()) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      // A runtime may act on a field hardrun does not understand; refuse rather than pass it on.
      return shape_error(pointer_append(pointer, key),
                         "unknown field in a security section; remove it (hardrun refuses fields it cannot check)");
    }
  }
  return {};
}

Result<void>
expect(const Json& value, std::string_view pointer, Json::value_t type, std::string_view type_name)
{
  if (value.type() != type) {
    return shape_error(pointer, "must be " + std::string(type_name) + ", not " + value.type_name());
  }
  return {};
}

Result<void>
expect_u32(const Json& value, std::string_view pointer)
{
  if (!value.is_number_integer()) {
    return shape_error(pointer, "must be an integer from 0 to 4294967295");
  }
  if (!as_u32(&value)) {
    return shape_error(pointer, "out of range: must be from 0 to 4294967295");
  }
  return {};
}

Result<void>
expect_strings(const Json& value, std::string_view pointer)
{
  HARDRUN_TRY(expect(value, pointer, Json::value_t::array, "an array of strings"));
  for (std::size_t i = 0; i < value.size(); ++i) {
    HARDRUN_TRY(expect(value[i], pointer_append(pointer, i), Json::value_t::string, "a string"));
  }
  return {};
}

// Optional member: run check when present.
template <class Check>
Result<void>
member(const Json& obj, std::string_view pointer, const char* key, Check check)
{
  const auto it = obj.find(key);
  if (it == obj.end()) {
    return {};
  }
  return check(*it, pointer_append(pointer, key));
}

Result<void>
check_mappings(const Json& value, std::string_view pointer)
{
  HARDRUN_TRY(expect(value, pointer, Json::value_t::array, "an array of id mappings"));
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string p = pointer_append(pointer, i);
    HARDRUN_TRY(expect(value[i], p, Json::value_t::object, "an object"));
    HARDRUN_TRY(known_keys(value[i], p, {"containerID", "hostID", "size"}));
    for (const char* key : {"containerID", "hostID", "size"}) {
      if (!value[i].contains(key)) {
        return shape_error(pointer_append(p, key), "missing");
      }
      HARDRUN_TRY(expect_u32(value[i][key], pointer_append(p, key)));
    }
  }
  return {};
}

Result<void>
check_process(const Json& process)
{
  const std::string_view p = ptr::process;
  HARDRUN_TRY(expect(process, p, Json::value_t::object, "an object"));
  HARDRUN_TRY(member(process, p, "user", [](const Json& user, const std::string& up) -> Result<void> {
    HARDRUN_TRY(expect(user, up, Json::value_t::object, "an object"));
    HARDRUN_TRY(known_keys(user, up, {"uid", "gid", "umask", "additionalGids", "username"}));
    for (const char* key : {"uid", "gid"}) {
      if (!user.contains(key)) {
        return shape_error(pointer_append(up, key), "missing");
      }
    }
    for (const char* key : {"uid", "gid", "umask"}) {
      HARDRUN_TRY(member(user, up, key, expect_u32));
    }
    return member(user, up, "additionalGids", [](const Json& gids, const std::string& gp) -> Result<void> {
      HARDRUN_TRY(expect(gids, gp, Json::value_t::array, "an array of gids"));
      for (std::size_t i = 0; i < gids.size(); ++i) {
        HARDRUN_TRY(expect_u32(gids[i], pointer_append(gp, i)));
      }
      return {};
    });
  }));
  HARDRUN_TRY(member(process, p, "capabilities", [](const Json& caps, const std::string& cp) -> Result<void> {
    HARDRUN_TRY(expect(caps, cp, Json::value_t::object, "an object"));
    HARDRUN_TRY(known_keys(caps, cp, {"bounding", "effective", "inheritable", "permitted", "ambient"}));
    for (const auto& [key, set] : caps.items()) {
      HARDRUN_TRY(expect_strings(set, pointer_append(cp, key)));
    }
    return {};
  }));
  HARDRUN_TRY(member(process, p, "noNewPrivileges", [](const Json& v, const std::string& vp) {
    return expect(v, vp, Json::value_t::boolean, "true or false");
  }));
  for (const char* key : {"cwd", "apparmorProfile", "selinuxLabel"}) {
    HARDRUN_TRY(member(process, p, key, [](const Json& v, const std::string& vp) {
      return expect(v, vp, Json::value_t::string, "a string");
    }));
  }
  return {};
}

Result<void>
check_mounts(const Json& mounts)
{
  const std::string_view p = ptr::mounts;
  HARDRUN_TRY(expect(mounts, p, Json::value_t::array, "an array"));
  for (std::size_t i = 0; i < mounts.size(); ++i) {
    const std::string mp = pointer_append(p, i);
    const Json& m = mounts[i];
    HARDRUN_TRY(expect(m, mp, Json::value_t::object, "an object"));
    HARDRUN_TRY(known_keys(m, mp, {"destination", "source", "type", "options", "uidMappings", "gidMappings"}));
    if (!m.contains("destination")) {
      return shape_error(pointer_append(mp, "destination"), "missing");
    }
    for (const char* key : {"destination", "source", "type"}) {
      HARDRUN_TRY(member(m, mp, key, [](const Json& v, const std::string& vp) {
        return expect(v, vp, Json::value_t::string, "a string");
      }));
    }
    HARDRUN_TRY(member(m, mp, "options", expect_strings));
    HARDRUN_TRY(member(m, mp, "uidMappings", check_mappings));
    HARDRUN_TRY(member(m, mp, "gidMappings", check_mappings));
  }
  return {};
}

Result<void>
check_linux(const Json& linux)
{
  const std::string_view p = ptr::linux;
  HARDRUN_TRY(expect(linux, p, Json::value_t::object, "an object"));
  HARDRUN_TRY(member(linux, p, "namespaces", [](const Json& nss, const std::string& np) -> Result<void> {
    HARDRUN_TRY(expect(nss, np, Json::value_t::array, "an array"));
    for (std::size_t i = 0; i < nss.size(); ++i) {
      const std::string ep = pointer_append(np, i);
      HARDRUN_TRY(expect(nss[i], ep, Json::value_t::object, "an object"));
      HARDRUN_TRY(known_keys(nss[i], ep, {"type", "path"}));
      if (!nss[i].contains("type")) {
        return shape_error(pointer_append(ep, "type"), "missing");
      }
      HARDRUN_TRY(expect(nss[i]["type"], pointer_append(ep, "type"), Json::value_t::string, "a string"));
      static constexpr std::array<std::string_view, 8> k_types = {"pid", "network", "mount", "ipc",
                                                                  "uts", "user",    "cgroup", "time"};
      const auto type = nss[i]["type"].get<std::string>();
      if (std::find(k_types.begin(), k_types.end(), type) == k_types.end()) {
        return shape_error(pointer_append(ep, "type"), "unknown namespace type \"" + type + "\"");
      }
      HARDRUN_TRY(member(nss[i], ep, "path", [](const Json& v, const std::string& vp) {
        return expect(v, vp, Json::value_t::string, "a string");
      }));
    }
    return {};
  }));
  HARDRUN_TRY(member(linux, p, "uidMappings", check_mappings));
  HARDRUN_TRY(member(linux, p, "gidMappings", check_mappings));
  HARDRUN_TRY(member(linux, p, "maskedPaths", expect_strings));
  HARDRUN_TRY(member(linux, p, "readonlyPaths", expect_strings));
  HARDRUN_TRY(member(linux, p, "seccomp", [](const Json& v, const std::string& vp) -> Result<void> {
    HARDRUN_TRY(expect(v, vp, Json::value_t::object, "an object"));
    return member(v, vp, "defaultAction", [](const Json& a, const std::string& ap) {
      return expect(a, ap, Json::value_t::string, "a string");
    });
  }));
  HARDRUN_TRY(member(linux, p, "devices", [](const Json& v, const std::string& vp) {
    return expect(v, vp, Json::value_t::array, "an array");
  }));
  return member(linux, p, "resources", [](const Json& res, const std::string& rp) -> Result<void> {
    HARDRUN_TRY(expect(res, rp, Json::value_t::object, "an object"));
    HARDRUN_TRY(member(res, rp, "devices", [](const Json& v, const std::string& vp) {
      return expect(v, vp, Json::value_t::array, "an array");
    }));
    return member(res, rp, "pids", [](const Json& pids, const std::string& pp) -> Result<void> {
      HARDRUN_TRY(expect(pids, pp, Json::value_t::object, "an object"));
      return member(pids, pp, "limit", [](const Json& v, const std::string& vp) -> Result<void> {
        if (!v.is_number_integer()) {
          return shape_error(vp, "must be an integer");
        }
        return {};
      });
    });
  });
}

} // namespace

Document::Document(Json json, std::string source, std::string text, Layout layout)
  : m_json(std::move(json)), m_source(std::move(source)), m_layout(layout)
{
  m_text = std::move(text);
}

Result<Document>
Document::parse(std::string_view text, std::string source)
{
  auto json = parse_strict(text, source, ParseLimits{k_max_config_bytes, k_max_depth});
  if (!json) {
    return Unexpected(std::move(json).error());
  }
  if (auto shape = check_shape(*json); !shape) {
    return Unexpected(std::move(shape).error().with_context(source));
  }
  return Document(std::move(*json), std::move(source), std::string(text), detect_layout(text));
}

std::string
Document::serialize() const
{
  return serialize_preserving(m_json, m_original ? *m_original : m_json, m_text, m_layout);
}

Result<void>
check_shape(const Json& config)
{
  HARDRUN_TRY(member(config, "", "process", [](const Json& v, const std::string&) { return check_process(v); }));
  HARDRUN_TRY(member(config, "", "root", [](const Json& root, const std::string& rp) -> Result<void> {
    HARDRUN_TRY(expect(root, rp, Json::value_t::object, "an object"));
    HARDRUN_TRY(known_keys(root, rp, {"path", "readonly"}));
    HARDRUN_TRY(member(root, rp, "path", [](const Json& v, const std::string& vp) {
      return expect(v, vp, Json::value_t::string, "a string");
    }));
    return member(root, rp, "readonly", [](const Json& v, const std::string& vp) {
      return expect(v, vp, Json::value_t::boolean, "true or false");
    });
  }));
  HARDRUN_TRY(member(config, "", "mounts", [](const Json& v, const std::string&) { return check_mounts(v); }));
  return member(config, "", "linux", [](const Json& v, const std::string&) { return check_linux(v); });
}

const Json*
find(const Json& root, std::string_view pointer)
{
  const Json* cur = &root;
  std::size_t pos = 0;
  while (pos < pointer.size()) {
    if (pointer[pos] != '/') {
      return nullptr;
    }
    const std::size_t next = pointer.find('/', pos + 1);
    std::string token(pointer.substr(pos + 1, next == std::string_view::npos ? std::string_view::npos : next - pos - 1));
    // RFC 6901 unescaping: ~1 -> /, then ~0 -> ~.
    for (std::size_t i = 0; (i = token.find("~1", i)) != std::string::npos;) {
      token.replace(i, 2, "/");
    }
    for (std::size_t i = 0; (i = token.find("~0", i)) != std::string::npos; ++i) {
      token.replace(i, 2, "~");
    }
    if (cur->is_object()) {
      const auto it = cur->find(token);
      if (it == cur->end()) {
        return nullptr;
      }
      cur = &*it;
    } else if (cur->is_array()) {
      if (token.empty() || token.find_first_not_of("0123456789") != std::string::npos || token.size() > 9) {
        return nullptr;
      }
      const auto index = static_cast<std::size_t>(std::stoul(token));
      if (index >= cur->size()) {
        return nullptr;
      }
      cur = &(*cur)[index];
    } else {
      return nullptr;
    }
    pos = next == std::string_view::npos ? pointer.size() : next;
  }
  return cur;
}

std::optional<std::uint32_t>
as_u32(const Json* value)
{
  // Parsed non-negative numbers are unsigned; values built in code from int literals are signed.
  if (value == nullptr || !value->is_number_integer()) {
    return std::nullopt;
  }
  if (value->is_number_unsigned()) {
    const auto v = value->get<std::uint64_t>();
    return v <= 0xffffffffULL ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(v)) : std::nullopt;
  }
  const auto v = value->get<std::int64_t>();
  return v >= 0 && v <= 0xffffffffLL ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(v)) : std::nullopt;
}

std::vector<std::string>
strings_at(const Json& root, std::string_view pointer)
{
  std::vector<std::string> out;
  const Json* arr = find(root, pointer);
  if (arr == nullptr || !arr->is_array()) {
    return out;
  }
  for (const auto& v : *arr) {
    if (v.is_string()) {
      out.push_back(v.get<std::string>());
    }
  }
  return out;
}

} // namespace hardrun::spec
