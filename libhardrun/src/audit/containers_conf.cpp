// SPDX-License-Identifier: Apache-2.0
//
// A reader for the few containers.conf(5) keys doctor needs. containers.conf is TOML; only
// strings and arrays of strings are interpreted (hooks_dir, runtime, [engine.runtimes]), every
// other line is skipped, so an unusual but valid file cannot make doctor fail for the wrong key.
#include "hardrun/audit/containers_conf.hpp"

#include <cctype>

namespace hardrun::audit {
namespace {

std::string_view
trim(std::string_view s)
{
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
    s.remove_suffix(1);
  }
  return s;
}

// Drops a # comment that is outside a string.
std::string
strip_comment(std::string_view line)
{
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote != 0) {
      if (c == '\\' && quote == '"') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#') {
      return std::string(line.substr(0, i));
    }
  }
  return std::string(line);
}

// Parses the strings of `value`: "s", 's', or [ "a", 'b', ] (already joined over lines).
Result<std::vector<std::string>>
parse_strings(std::string_view value, bool array, const std::string& where)
{
  std::vector<std::string> out;
  std::string_view v = trim(value);
  if (array) {
    if (v.size() < 2 || v.front() != '[' || v.back() != ']') {
      return make_error(Errc::invalid_input, where + ": expected an array of strings");
    }
    v = v.substr(1, v.size() - 2);
  }
  std::size_t i = 0;
  while (true) {
    while (i < v.size() && (std::isspace(static_cast<unsigned char>(v[i])) != 0 || (array && v[i] == ','))) {
      ++i;
    }
    if (i >= v.size()) {
      break;
    }
    const char q = v[i];
    if (q != '"' && q != '\'') {
      return make_error(Errc::invalid_input, where + ": expected a quoted string");
    }
    std::string s;
    ++i;
    bool closed = false;
    for (; i < v.size(); ++i) {
      if (q == '"' && v[i] == '\\' && i + 1 < v.size()) {
        s += v[++i];
      } else if (v[i] == q) {
        closed = true;
        ++i;
        break;
      } else {
        s += v[i];
      }
    }
    if (!closed) {
      return make_error(Errc::invalid_input, where + ": unterminated string");
    }
    out.push_back(std::move(s));
    if (!array) {
      if (!trim(v.substr(i)).empty()) {
        return make_error(Errc::invalid_input, where + ": expected one string");
      }
      break;
    }
  }
  if (!array && out.size() != 1) {
    return make_error(Errc::invalid_input, where + ": expected a string");
  }
  return out;
}

std::size_t
bracket_balance(std::string_view s)
{
  int depth = 0;
  char quote = 0;
  for (const char c : s) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[') {
      ++depth;
    } else if (c == ']') {
      --depth;
    }
  }
  return depth > 0 ? static_cast<std::size_t>(depth) : 0;
}

std::string
unquote_key(std::string_view k)
{
  k = trim(k);
  if (k.size() >= 2 && (k.front() == '"' || k.front() == '\'') && k.back() == k.front()) {
    return std::string(k.substr(1, k.size() - 2));
  }
  return std::string(k);
}

} // namespace

Result<void>
merge_containers_conf(ContainersConf& conf, std::string_view text, const std::string& path)
{
  std::string table;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  conf.files.push_back(path);
  while (pos <= text.size()) {
    const auto nl = text.find('\n', pos);
    std::string line = strip_comment(text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    const std::size_t first_line = line_no;
    std::string_view t = trim(line);
    if (t.empty()) {
      continue;
    }
    if (t.front() == '[' && t.find('=') == std::string_view::npos) {
      std::string_view name = t;
      const bool array_table = name.size() >= 4 && name.substr(0, 2) == "[[";
      name = array_table ? name.substr(2) : name.substr(1);
      const auto close = name.find(']');
      table = close == std::string_view::npos ? std::string() : std::string(trim(name.substr(0, close)));
      continue;
    }
    const auto eq = t.find('=');
    if (eq == std::string_view::npos) {
      continue;
    }
    const std::string key = unquote_key(t.substr(0, eq));
    std::string value(trim(t.substr(eq + 1)));
    // Arrays may span lines: join until the brackets balance.
    while (!value.empty() && value.front() == '[' && bracket_balance(value) > 0 && pos <= text.size()) {
      const auto n2 = text.find('\n', pos);
      value += ' ' + strip_comment(text.substr(pos, n2 == std::string_view::npos ? std::string_view::npos : n2 - pos));
      pos = n2 == std::string_view::npos ? text.size() + 1 : n2 + 1;
      ++line_no;
    }
    const std::string where = path + ":" + std::to_string(first_line) + ": [" + table + "] " + key;
    if (table == "engine" && key == "hooks_dir") {
      HARDRUN_TRY_ASSIGN(dirs, parse_strings(value, true, where));
      conf.hooks_dir = std::move(dirs);
      conf.hooks_dir_source = path + ":" + std::to_string(first_line);
    } else if (table == "engine" && key == "runtime") {
      HARDRUN_TRY_ASSIGN(r, parse_strings(value, false, where));
      conf.runtime = r.front();
      conf.runtime_source = path + ":" + std::to_string(first_line);
    } else if (table == "engine.runtimes") {
      HARDRUN_TRY_ASSIGN(paths, parse_strings(value, true, where));
      conf.runtimes[key] = std::move(paths);
      conf.runtimes_source[key] = path + ":" + std::to_string(first_line);
    }
  }
  return {};
}

std::vector<std::string>
effective_hooks_dirs(const ContainersConf& conf)
{
  if (conf.hooks_dir) {
    return *conf.hooks_dir;
  }
  return {std::string(k_default_hooks_dir)};
}

ConfCandidates
containers_conf_candidates(bool rootless, const std::optional<std::string>& containers_conf_env, const std::string& user_config_home)
{
  ConfCandidates c;
  if (containers_conf_env && !containers_conf_env->empty()) {
    c.entries.push_back(*containers_conf_env);
    return c;
  }
  c.entries = {"/usr/share/containers/containers.conf", "/etc/containers/containers.conf",
               "/etc/containers/containers.conf.d/*.conf"};
  if (rootless && !user_config_home.empty()) {
    c.entries.push_back(user_config_home + "/containers/containers.conf");
    c.entries.push_back(user_config_home + "/containers/containers.conf.d/*.conf");
  }
  return c;
}

} // namespace hardrun::audit
