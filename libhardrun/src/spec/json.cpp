// SPDX-License-Identifier: Apache-2.0
#include "hardrun/spec/json.hpp"

#include <unordered_set>
#include <vector>

namespace hardrun::spec {
namespace {

// SAX handler that builds an ordered_json while enforcing the strict rules. Objects are filled
// by appending to ordered_map's underlying vector: ordered_map::operator[] searches linearly,
// which would make a hostile object with many keys quadratic. Duplicates are caught with a set
// per open object instead.
class StrictBuilder {
public:
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;

  explicit StrictBuilder(std::size_t max_depth) : m_max_depth(max_depth) {}

  bool null() { return put(Json(nullptr)); }
  bool boolean(bool v) { return put(Json(v)); }
  bool number_integer(number_integer_t v) { return put(Json(v)); }
  bool number_unsigned(number_unsigned_t v) { return put(Json(v)); }
  bool number_float(number_float_t v, const string_t& /*raw*/) { return put(Json(v)); }
  bool
  string(string_t& v)
  {
    if (v.find('\0') != string_t::npos) {
      return fail("NUL character in string at " + current_pointer());
    }
    return put(Json(std::move(v)));
  }
  bool binary(binary_t& /*v*/) { return fail("binary values are not JSON"); }

  bool
  start_object(std::size_t /*n*/)
  {
    return open(Json::object());
  }
  bool
  key(string_t& k)
  {
    Frame& top = m_stack.back();
    if (k.find('\0') != string_t::npos) {
      return fail("NUL character in key at " + top.pointer);
    }
    if (!top.keys.insert(k).second) {
      return fail("duplicate key \"" + k + "\" at " + (top.pointer.empty() ? "/" : top.pointer));
    }
    m_pending_key = std::move(k);
    return true;
  }
  bool
  end_object()
  {
    m_stack.pop_back();
    return true;
  }
  bool
  start_array(std::size_t /*n*/)
  {
    return open(Json::array());
  }
  bool
  end_array()
  {
    m_stack.pop_back();
    return true;
  }
  bool
  parse_error(std::size_t position, const std::string& /*last_token*/, const nlohmann::detail::exception& ex)
  {
    std::string msg = ex.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 3: ..." -> keep the text.
    if (const auto close = msg.find("] "); close != std::string::npos && msg.front() == '[') {
      msg.erase(0, close + 2);
    }
    return fail(msg + " (byte " + std::to_string(position) + ")");
  }

  [[nodiscard]] bool failed() const { return !m_error.empty(); }
  [[nodiscard]] const std::string& error() const { return m_error; }
  [[nodiscard]] Json& root() { return m_root; }

private:
  struct Frame {
    Json* value;
    std::string pointer;
    std::unordered_set<std::string> keys;
  };

  std::string
  current_pointer() const
  {
    if (m_stack.empty()) {
      return "/";
    }
    const Frame& top = m_stack.back();
    return top.value->is_object() ? pointer_append(top.pointer, m_pending_key)
                                  : pointer_append(top.pointer, top.value->size());
  }

  // Place a value into the current container; returns where it now lives.
  Json*
  place(Json&& v)
  {
    if (m_stack.empty()) {
      m_root = std::move(v);
      m_has_root = true;
      return &m_root;
    }
    Json* parent = m_stack.back().value;
    if (parent->is_object()) {
      auto& obj = parent->get_ref<Json::object_t&>();
      obj.Container::emplace_back(std::move(m_pending_key), std::move(v));
      return &obj.Container::back().second;
    }
    auto& arr = parent->get_ref<Json::array_t&>();
    arr.push_back(std::move(v));
    return &arr.back();
  }

  bool
  put(Json&& v)
  {
    if (m_stack.empty() && m_has_root) {
      return fail("trailing data after the document");
    }
    place(std::move(v));
    return true;
  }

  bool
  open(Json&& container)
  {
    if (m_stack.size() >= m_max_depth) {
      return fail("nesting deeper than " + std::to_string(m_max_depth) + " levels at " + current_pointer());
    }
    std::string ptr = m_stack.empty() ? std::string() : current_pointer();
    if (m_stack.empty() && m_has_root) {
      return fail("trailing data after the document");
    }
    Json* where = place(std::move(container));
    m_stack.push_back(Frame{where, std::move(ptr), {}});
    return true;
  }

  bool
  fail(std::string msg)
  {
    if (m_error.empty()) {
      m_error = std::move(msg);
    }
    return false;
  }

  std::size_t m_max_depth;
  Json m_root;
  bool m_has_root = false;
  std::vector<Frame> m_stack;
  std::string m_pending_key;
  std::string m_error;
};

} // namespace

Result<Json>
parse_strict(std::string_view text, std::string_view what, const ParseLimits& limits)
{
  const std::string name(what);
  if (text.size() > limits.max_bytes) {
    return make_error(Errc::invalid_input,
                      name + ": exceeds " + std::to_string(limits.max_bytes) + " bytes ("
                        + std::to_string(text.size()) + ")");
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return make_error(Errc::invalid_input, name + ": empty document");
  }
  StrictBuilder builder(limits.max_depth);
  bool ok = false;
  try {
    ok = Json::sax_parse(text.begin(), text.end(), &builder, Json::input_format_t::json, true, false);
  } catch (const nlohmann::json::exception& ex) {
    return make_error(Errc::invalid_input, name + ": " + ex.what());
  }
  if (!ok || builder.failed()) {
    return make_error(Errc::invalid_input, name + ": " + (builder.failed() ? builder.error() : "parse error"));
  }
  if (!builder.root().is_object()) {
    return make_error(Errc::invalid_input,
                      name + ": the document must be a JSON object, not " + std::string(builder.root().type_name()));
  }
  return std::move(builder.root());
}

Layout
detect_layout(std::string_view text)
{
  Layout layout;
  layout.trailing_newline = !text.empty() && text.back() == '\n';
  const auto brace = text.find('{');
  if (brace == std::string_view::npos || brace + 1 >= text.size() || text[brace + 1] != '\n') {
    return layout;
  }
  std::size_t i = brace + 2;
  int spaces = 0;
  while (i < text.size() && text[i] == ' ') {
    ++spaces;
    ++i;
  }
  layout.indent = spaces > 0 ? spaces : 4;
  return layout;
}

std::string
serialize(const Json& json, const Layout& layout)
{
  // error_handler strict: strings were validated as UTF-8 at parse time; anything else is a bug.
  std::string out = json.dump(layout.indent, ' ', false, Json::error_handler_t::strict);
  if (layout.trailing_newline) {
    out += '\n';
  }
  return out;
}

std::string
pointer_append(std::string_view base, std::string_view token)
{
  std::string out(base);
  out += '/';
  for (const char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string
pointer_append(std::string_view base, std::size_t index)
{
  return std::string(base) + "/" + std::to_string(index);
}

} // namespace hardrun::spec
