// SPDX-License-Identifier: Apache-2.0
#include "report.hpp"

#include <algorithm>

namespace hardrun::report {
namespace {

std::string
brief(const spec::Json& value)
{
  if (value.is_object() && value.contains("defaultAction") && value.contains("syscalls")) {
    return "<seccomp filter: " + value["defaultAction"].get<std::string>() + ", " + std::to_string(value["syscalls"].size())
           + " rules>";
  }
  std::string s = value.dump(-1, ' ', false, spec::Json::error_handler_t::replace);
  constexpr std::size_t k_max = 160;
  if (s.size() > k_max) {
    s = s.substr(0, k_max) + "…";
  }
  return s;
}

bool
scalar_array(const spec::Json& v)
{
  return v.is_array() && std::all_of(v.begin(), v.end(), [](const spec::Json& e) { return e.is_primitive(); });
}

void
print_list_diff(std::ostream& os, const std::string& pointer, const spec::Json& before, const spec::Json& after)
{
  std::string added;
  std::string removed;
  for (const auto& e : after) {
    if (std::find(before.begin(), before.end(), e) == before.end()) {
      added += (added.empty() ? "" : ", ") + (e.is_string() ? e.get<std::string>() : e.dump());
    }
  }
  for (const auto& e : before) {
    if (std::find(after.begin(), after.end(), e) == after.end()) {
      removed += (removed.empty() ? "" : ", ") + (e.is_string() ? e.get<std::string>() : e.dump());
    }
  }
  os << "  ~ " << pointer << ":";
  if (!removed.empty()) {
    os << " - " << removed;
  }
  if (!added.empty()) {
    os << (removed.empty() ? "" : ";") << " + " << added;
  }
  if (removed.empty() && added.empty()) {
    os << " reordered";
  }
  os << '\n';
}

} // namespace

void
print_changes(std::ostream& os, const modify::Changes& changes)
{
  std::string current;
  for (const auto& c : changes) {
    if (c.modifier != current) {
      current = c.modifier;
      os << current << '\n';
    }
    if (!c.before) {
      os << "  + " << c.pointer << ": " << brief(*c.after) << '\n';
    } else if (!c.after) {
      os << "  - " << c.pointer << ": " << brief(*c.before) << '\n';
    } else if (scalar_array(*c.before) && scalar_array(*c.after)) {
      print_list_diff(os, c.pointer, *c.before, *c.after);
    } else {
      os << "  ~ " << c.pointer << ": " << brief(*c.before) << " -> " << brief(*c.after) << '\n';
    }
  }
}

void
print_findings(std::ostream& os, const std::vector<check::Finding>& findings)
{
  for (const auto& f : findings) {
    os << f.rule << "  " << f.pointer << ": " << f.message << '\n' << "    fix: " << f.remedy << '\n';
  }
}

spec::Json
changes_json(const modify::Changes& changes)
{
  spec::Json out = spec::Json::array();
  for (const auto& c : changes) {
    spec::Json j{{"modifier", c.modifier}, {"op", !c.before ? "add" : !c.after ? "remove" : "replace"}, {"pointer", c.pointer}};
    if (c.before) {
      j["before"] = *c.before;
    }
    if (c.after) {
      j["after"] = *c.after;
    }
    out.push_back(std::move(j));
  }
  return out;
}

spec::Json
findings_json(const std::vector<check::Finding>& findings)
{
  spec::Json out = spec::Json::array();
  for (const auto& f : findings) {
    out.push_back({{"rule", f.rule}, {"pointer", f.pointer}, {"message", f.message}, {"remedy", f.remedy}});
  }
  return out;
}

} // namespace hardrun::report
