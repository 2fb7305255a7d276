// SPDX-License-Identifier: Apache-2.0
#include "json_scan.hpp"

#include <cstring>
#include <string>
#include <vector>

namespace hardrun::image::detail {
namespace {

class Scanner {
public:
  Scanner(std::string_view text, std::string_view what) : m_text(text), m_what(what) {}

  Unexpected
  fail(std::string_view problem) const
  {
    return make_error(Errc::invalid_input,
                      std::string(m_what) + ": " + std::string(problem) + " (byte " + std::to_string(m_pos) + ")");
  }

  void
  skip_ws()
  {
    while (m_pos < m_text.size()) {
      const char c = m_text[m_pos];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return;
      }
      ++m_pos;
    }
  }

  [[nodiscard]] bool at_end() const { return m_pos >= m_text.size(); }
  [[nodiscard]] char peek() const { return m_text[m_pos]; }

  // At '"': skip to after the closing quote; the body (between quotes) and whether it had escapes.
  Result<std::string_view>
  string(bool& escaped)
  {
    const std::size_t start = ++m_pos;
    escaped = false;
    for (;;) {
      const void* hit = std::memchr(m_text.data() + m_pos, '"', m_text.size() - m_pos);
      if (hit == nullptr) {
        m_pos = m_text.size();
        return fail("unterminated string");
      }
      const auto q = static_cast<std::size_t>(static_cast<const char*>(hit) - m_text.data());
      std::size_t backslashes = 0;
      while (q - backslashes > start && m_text[q - backslashes - 1] == '\\') {
        ++backslashes;
      }
      m_pos = q + 1;
      if (backslashes % 2 == 0) {
        const std::string_view body = m_text.substr(start, q - start);
        escaped = body.find('\\') != std::string_view::npos;
        return body;
      }
    }
  }

  // A scalar (number, true, false, null): skip its characters; the strict parse of a picked
  // record validates it.
  Result<void>
  scalar()
  {
    const std::size_t start = m_pos;
    while (m_pos < m_text.size()) {
      const char c = m_text[m_pos];
      if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        break;
      }
      if (c == '"' || c == '{' || c == '[' || c == ':') {
        return fail("unexpected character");
      }
      ++m_pos;
    }
    if (m_pos == start) {
      return fail("expected a value");
    }
    return {};
  }

  // Skip one value of any kind, iteratively (no recursion on hostile depth).
  Result<void>
  value(std::size_t depth, std::size_t max_depth)
  {
    std::vector<char> stack; // expected closer per open container
    std::vector<bool> expect_key;
    bool escaped = false;
    for (;;) {
      skip_ws();
      if (at_end()) {
        return fail("unexpected end of input");
      }
      // One value.
      const char c = peek();
      if (c == '{' || c == '[') {
        if (depth + stack.size() + 1 > max_depth) {
          return fail("nesting deeper than " + std::to_string(max_depth) + " levels");
        }
        ++m_pos;
        stack.push_back(c == '{' ? '}' : ']');
        skip_ws();
        if (!at_end() && peek() == stack.back()) {
          ++m_pos;
          stack.pop_back();
        } else {
          if (stack.back() == '}') {
            HARDRUN_TRY(key(escaped));
          }
          continue;
        }
      } else if (c == '"') {
        HARDRUN_TRY(string(escaped));
      } else {
        HARDRUN_TRY(scalar());
      }
      // After a value: close containers or take a comma.
      for (;;) {
        if (stack.empty()) {
          return {};
        }
        skip_ws();
        if (at_end()) {
          return fail("unexpected end of input");
        }
        const char d = peek();
        if (d == ',') {
          ++m_pos;
          if (stack.back() == '}') {
            skip_ws();
            HARDRUN_TRY(key(escaped));
          }
          break;
        }
        if (d != stack.back()) {
          return fail(std::string("expected ',' or '") + stack.back() + "'");
        }
        ++m_pos;
        stack.pop_back();
      }
    }
  }

  // A key and its colon; `escaped`: the key contains a backslash escape.
  Result<std::string_view>
  key(bool& escaped)
  {
    skip_ws();
    if (at_end() || peek() != '"') {
      return fail("expected an object key");
    }
    HARDRUN_TRY_ASSIGN(k, string(escaped));
    skip_ws();
    if (at_end() || peek() != ':') {
      return fail("expected ':'");
    }
    ++m_pos;
    return k;
  }

  Result<void>
  run(const std::function<bool(const RecordView&)>& visit, std::size_t max_depth)
  {
    skip_ws();
    if (at_end()) {
      return fail("empty document");
    }
    if (peek() != '[') {
      return fail("expected a JSON array of records");
    }
    ++m_pos;
    skip_ws();
    bool first = true;
    for (;;) {
      skip_ws();
      if (at_end()) {
        return fail("unexpected end of input");
      }
      if (peek() == ']') {
        if (!first) {
          return fail("trailing comma");
        }
        ++m_pos;
        break;
      }
      HARDRUN_TRY_ASSIGN(keep_going, record(visit, max_depth));
      if (!keep_going) {
        return {};
      }
      first = false;
      skip_ws();
      if (at_end()) {
        return fail("unexpected end of input");
      }
      if (peek() == ',') {
        ++m_pos;
        skip_ws();
        if (!at_end() && peek() == ']') {
          return fail("trailing comma");
        }
        continue;
      }
      if (peek() != ']') {
        return fail("expected ',' or ']'");
      }
      ++m_pos;
      break;
    }
    skip_ws();
    if (!at_end()) {
      return fail("trailing data after the array");
    }
    return {};
  }

private:
  Result<bool>
  record(const std::function<bool(const RecordView&)>& visit, std::size_t max_depth)
  {
    if (peek() != '{') {
      return fail("expected a record object");
    }
    const std::size_t start = m_pos++;
    RecordView view;
    bool have_id = false;
    skip_ws();
    if (!at_end() && peek() == '}') {
      ++m_pos;
    } else {
      for (;;) {
        bool key_escaped = false;
        HARDRUN_TRY_ASSIGN(k, key(key_escaped));
        // Threat: "\u0069d" is "id" to the strict parser but not to a raw comparison; a record
        // keyed so would hide from the lookup (and from the "recorded more than once" check).
        // Any escaped key sends the record to the strict parse (rare: Go's encoder never
        // escapes these letters).
        if (key_escaped) {
          view.id_escaped = true;
        }
        skip_ws();
        if (at_end()) {
          return fail("unexpected end of input");
        }
        if (k == "id") {
          if (have_id) {
            view.id_repeated = true;
          }
          if (peek() == '"' && !have_id) {
            bool escaped = false;
            HARDRUN_TRY_ASSIGN(s, string(escaped));
            view.id_raw = s;
            view.id_escaped = escaped;
          } else {
            HARDRUN_TRY(value(2, max_depth));
          }
          have_id = true;
        } else {
          HARDRUN_TRY(value(2, max_depth));
        }
        skip_ws();
        if (at_end()) {
          return fail("unexpected end of input");
        }
        if (peek() == ',') {
          ++m_pos;
          continue;
        }
        if (peek() != '}') {
          return fail("expected ',' or '}'");
        }
        ++m_pos;
        break;
      }
    }
    view.text = m_text.substr(start, m_pos - start);
    return visit(view);
  }

  std::string_view m_text;
  std::string_view m_what;
  std::size_t m_pos = 0;
};

} // namespace

Result<void>
scan_records(std::string_view text, std::string_view what, const std::function<bool(const RecordView&)>& visit,
             std::size_t max_depth)
{
  Scanner s(text, what);
  return s.run(visit, max_depth);
}

} // namespace hardrun::image::detail
