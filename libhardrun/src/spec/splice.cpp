// SPDX-License-Identifier: Apache-2.0
#include "hardrun/spec/splice.hpp"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace hardrun::spec {
namespace {

// The text was accepted by parse_strict, so this scanner only has to find where values start
// and end; it never decides anything. Any inconsistency makes the caller fall back to dump().
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

bool
is_ws(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::size_t
skip_ws(std::string_view t, std::size_t p)
{
  while (p < t.size() && is_ws(t[p])) {
    ++p;
  }
  return p;
}

std::optional<std::size_t>
skip_string(std::string_view t, std::size_t p)
{
  // t[p] == '"'
  for (++p; p < t.size(); ++p) {
    if (t[p] == '\\') {
      ++p;
    } else if (t[p] == '"') {
      return p + 1;
    }
  }
  return std::nullopt;
}

std::optional<std::size_t>
skip_value(std::string_view t, std::size_t p)
{
  if (p >= t.size()) {
    return std::nullopt;
  }
  if (t[p] == '"') {
    return skip_string(t, p);
  }
  if (t[p] == '{' || t[p] == '[') {
    int depth = 0;
    while (p < t.size()) {
      const char c = t[p];
      if (c == '"') {
        const auto e = skip_string(t, p);
        if (!e) {
          return std::nullopt;
        }
        p = *e;
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) {
          return p + 1;
        }
      }
      ++p;
    }
    return std::nullopt;
  }
  while (p < t.size() && t[p] != ',' && t[p] != '}' && t[p] != ']' && !is_ws(t[p])) {
    ++p;
  }
  return p;
}

// Members of the object at `s`: decoded key and value span, in order.
std::optional<std::vector<std::pair<std::string, Span>>>
members(std::string_view t, Span s)
{
  std::vector<std::pair<std::string, Span>> out;
  std::size_t p = skip_ws(t, s.begin + 1);
  if (p < s.end && t[p] == '}') {
    return out;
  }
  while (p < s.end) {
    if (t[p] != '"') {
      return std::nullopt;
    }
    const auto key_end = skip_string(t, p);
    if (!key_end) {
      return std::nullopt;
    }
    std::string key;
    try {
      key = Json::parse(t.substr(p, *key_end - p)).get<std::string>();
    } catch (const Json::exception&) {
      return std::nullopt;
    }
    p = skip_ws(t, *key_end);
    if (p >= s.end || t[p] != ':') {
      return std::nullopt;
    }
    p = skip_ws(t, p + 1);
    const auto value_end = skip_value(t, p);
    if (!value_end) {
      return std::nullopt;
    }
    out.emplace_back(std::move(key), Span{p, *value_end});
    p = skip_ws(t, *value_end);
    if (p < s.end && t[p] == ',') {
      p = skip_ws(t, p + 1);
      continue;
    }
    if (p < s.end && t[p] == '}') {
      return out;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::vector<Span>>
elements(std::string_view t, Span s)
{
  std::vector<Span> out;
  std::size_t p = skip_ws(t, s.begin + 1);
  if (p < s.end && t[p] == ']') {
    return out;
  }
  while (p < s.end) {
    const auto value_end = skip_value(t, p);
    if (!value_end) {
      return std::nullopt;
    }
    out.push_back(Span{p, *value_end});
    p = skip_ws(t, *value_end);
    if (p < s.end && t[p] == ',') {
      p = skip_ws(t, p + 1);
      continue;
    }
    if (p < s.end && t[p] == ']') {
      return out;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

class Splicer {
public:
  Splicer(std::string_view text, const Layout& layout) : m_text(text), m_indent(layout.indent) {}

  std::string
  emit(const Json& value, const Json& original, Span span, int depth) const
  {
    if (value == original) {
      return std::string(m_text.substr(span.begin, span.end - span.begin));
    }
    if (value.is_object() && original.is_object() && !value.empty()) {
      if (auto ms = members(m_text, span)) {
        return emit_object(value, original, *ms, depth);
      }
    }
    if (value.is_array() && original.is_array() && !value.empty()) {
      if (auto es = elements(m_text, span); es && es->size() == original.size()) {
        return emit_array(value, original, *es, depth);
      }
    }
    return dump_at(value, depth);
  }

private:
  std::string
  pad(int depth) const
  {
    return m_indent < 0 ? std::string() : std::string(static_cast<std::size_t>(depth * m_indent), ' ');
  }

  std::string
  dump_at(const Json& value, int depth) const
  {
    std::string s = value.dump(m_indent, ' ', false, Json::error_handler_t::strict);
    if (m_indent < 0 || depth == 0) {
      return s;
    }
    std::string out;
    const std::string shift = pad(depth);
    for (const char c : s) {
      out += c;
      if (c == '\n') {
        out += shift;
      }
    }
    return out;
  }

  std::string
  wrap(char open, const std::vector<std::string>& items, char close, int depth) const
  {
    std::string out(1, open);
    for (std::size_t i = 0; i < items.size(); ++i) {
      out += i == 0 ? "" : ",";
      if (m_indent >= 0) {
        out += "\n" + pad(depth + 1);
      }
      out += items[i];
    }
    if (m_indent >= 0) {
      out += "\n" + pad(depth);
    }
    out += close;
    return out;
  }

  std::string
  emit_object(const Json& value, const Json& original, const std::vector<std::pair<std::string, Span>>& ms, int depth) const
  {
    // ms lists the original's members in text order, which is the order ordered_json kept them
    // in: index i of ms is member i of `original`. A hash map keeps big objects linear.
    // ordered_map is a vector of pairs; index it as one (its operator[] takes keys).
    const auto& orig_members = static_cast<const Json::object_t::Container&>(original.get_ref<const Json::object_t&>());
    if (orig_members.size() != ms.size()) {
      return dump_at(value, depth);
    }
    std::unordered_map<std::string_view, std::size_t> index;
    index.reserve(ms.size());
    for (std::size_t i = 0; i < ms.size(); ++i) {
      index.emplace(ms[i].first, i);
    }
    std::vector<std::string> items;
    for (const auto& entry : value.items()) {
      const std::string& key = entry.key();
      std::string item = Json(key).dump(-1, ' ', false, Json::error_handler_t::strict) + (m_indent >= 0 ? ": " : ":");
      const auto it = index.find(key);
      if (it != index.end() && orig_members[it->second].first == key) {
        item += emit(entry.value(), orig_members[it->second].second, ms[it->second].second, depth + 1);
      } else {
        item += dump_at(entry.value(), depth + 1);
      }
      items.push_back(std::move(item));
    }
    return wrap('{', items, '}', depth);
  }

  // Elements are matched in order (an insertion or removal shifts the rest): each new element
  // takes the next unused original one when equal, looking a few places ahead.
  std::string
  emit_array(const Json& value, const Json& original, const std::vector<Span>& es, int depth) const
  {
    constexpr std::size_t k_lookahead = 8;
    std::vector<std::string> items;
    std::size_t next = 0;
    for (const auto& element : value) {
      std::optional<std::size_t> match;
      for (std::size_t j = next; j < original.size() && j < next + k_lookahead; ++j) {
        if (original[j] == element) {
          match = j;
          break;
        }
      }
      if (match) {
        items.emplace_back(m_text.substr(es[*match].begin, es[*match].end - es[*match].begin));
        next = *match + 1;
      } else if (next < original.size() && element.type() == original[next].type() && element.is_structured()) {
        items.push_back(emit(element, original[next], es[next], depth + 1)); // edited in place
        ++next;
      } else {
        items.push_back(dump_at(element, depth + 1));
      }
    }
    return wrap('[', items, ']', depth);
  }

  std::string_view m_text;
  int m_indent;
};

} // namespace

std::string
serialize_preserving(const Json& value, const Json& original, std::string_view original_text, const Layout& layout)
{
  const std::size_t begin = skip_ws(original_text, 0);
  std::size_t end = original_text.size();
  while (end > begin && is_ws(original_text[end - 1])) {
    --end;
  }
  std::string out = Splicer(original_text, layout).emit(value, original, Span{begin, end}, 0);
  if (layout.trailing_newline) {
    out += '\n';
  }
  return out;
}

} // namespace hardrun::spec
