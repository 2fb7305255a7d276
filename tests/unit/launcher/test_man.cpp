// SPDX-License-Identifier: Apache-2.0
// hardrun(1) must document the whole command line: every subcommand, every long option and
// every positional of the CLI11 definition appear in man/hardrun.1.scd (STYLE.md §11).
#include <algorithm>
#include <initializer_list>
#include <cctype>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../catch.hpp"
#include "cli.hpp"
#include "hardrun/hook/args.hpp"
#include "hardrun/runtime/argv.hpp"

namespace {

std::string
read_page(const std::string& name = "hardrun.1")
{
  const std::string path = std::string(HARDRUN_SOURCE_DIR) + "/man/" + name + ".scd";
  std::ifstream in(path);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool
is_word_char(char c)
{
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
}

// Whether `token` occurs in `text` as a whole word: "--in" must not be satisfied by "--input".
bool
has_token(const std::string& text, const std::string& token)
{
  for (auto pos = text.find(token); pos != std::string::npos; pos = text.find(token, pos + 1)) {
    const bool starts = pos == 0 || !is_word_char(text[pos - 1]);
    const std::size_t end = pos + token.size();
    const bool ends = end == text.size() || !is_word_char(text[end]);
    if (starts && ends) {
      return true;
    }
  }
  return false;
}

// Whether a line of `text` starts with `term` as a whole word: the term of an option list
// entry ("*--bundle* _DIR_" on a line of its own, its description indented below).
bool
has_definition(const std::string& text, const std::string& term)
{
  const std::string wrapped = "\n" + text;
  for (auto pos = wrapped.find("\n" + term); pos != std::string::npos; pos = wrapped.find("\n" + term, pos + 1)) {
    const std::size_t end = pos + 1 + term.size();
    if (end == wrapped.size() || !is_word_char(wrapped[end])) {
      return true;
    }
  }
  return false;
}

// The text of the "## NAME" subsection, up to the next heading; empty when there is none.
std::string
subsection(const std::string& page, const std::string& name)
{
  const std::string heading = "\n## " + name + "\n";
  const auto start = page.find(heading);
  if (start == std::string::npos) {
    return {};
  }
  const auto body = start + heading.size();
  const auto next_sub = page.find("\n## ", body);
  const auto next_sec = page.find("\n# ", body);
  const auto end = std::min(next_sub, next_sec);
  return page.substr(body, end == std::string::npos ? std::string::npos : end - body);
}

// The text of the "# NAME" section, up to the next section.
std::string
section(const std::string& page, const std::string& name)
{
  const std::string heading = "\n# " + name + "\n";
  const auto start = page.find(heading);
  if (start == std::string::npos) {
    return {};
  }
  const auto body = start + heading.size();
  const auto end = page.find("\n# ", body);
  return page.substr(body, end == std::string::npos ? std::string::npos : end - body);
}

std::string
upper(std::string s)
{
  for (auto& c : s) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return s;
}

// Every long option of `app` is documented in `text` as a list entry "*--NAME*", every
// positional as "_NAME_" (scdoc underline, upper case, as in the SYNOPSIS); both also appear in
// the SYNOPSIS.
void
require_documented(CLI::App& app, const std::string& text, const std::string& synopsis, const std::string& where)
{
  for (const CLI::Option* opt : app.get_options()) {
    for (const auto& lname : opt->get_lnames()) {
      const std::string token = "--" + lname;
      INFO("option " << token << " of " << where);
      REQUIRE(has_definition(text, "*" + token + "*"));
      REQUIRE(has_token(synopsis, token));
    }
    if (opt->get_positional() && !opt->nonpositional()) {
      const std::string token = "_" + upper(opt->get_name(true)) + "_";
      INFO("positional " << token << " of " << where);
      REQUIRE(has_definition(text, token));
      REQUIRE(synopsis.find(token) != std::string::npos);
    }
  }
}

} // namespace

TEST_CASE("hardrun(1) documents every subcommand, option and positional", "[man]")
{
  const std::string page = read_page();
  hardrun::cli::Cli cli;
  CLI::App& app = cli.app();

  SECTION("the page has the man-pages(7) sections")
  {
    for (const char* section : {"# NAME", "# SYNOPSIS", "# DESCRIPTION", "# COMMANDS", "# EXIT STATUS", "# ENVIRONMENT",
                                "# FILES", "# SECURITY", "# EXAMPLES", "# SEE ALSO"}) {
      INFO(section);
      REQUIRE(page.find(std::string("\n") + section + "\n") != std::string::npos);
    }
  }

  const std::string synopsis = section(page, "SYNOPSIS");
  REQUIRE_FALSE(synopsis.empty());

  SECTION("top-level options")
  {
    require_documented(app, page, synopsis, "hardrun");
  }

  SECTION("subcommands, each in its own subsection of COMMANDS")
  {
    const auto subcommands = app.get_subcommands([](CLI::App*) { return true; });
    REQUIRE_FALSE(subcommands.empty());
    for (CLI::App* sub : subcommands) {
      const std::string name = sub->get_name();
      INFO("subcommand " << name);
      REQUIRE(has_token(synopsis, name));
      const std::string text = subsection(page, name);
      REQUIRE_FALSE(text.empty());
      require_documented(*sub, text, synopsis, name);
    }
  }
}

TEST_CASE("has_token matches whole words only", "[man]")
{
  CHECK(has_token("*--in* _FILE_", "--in"));
  CHECK(has_token("--in", "--in"));
  CHECK_FALSE(has_token("*--input* _FILE_", "--in"));
  CHECK_FALSE(has_token("*---in*", "--in"));
  CHECK_FALSE(has_token("*--dry-run*", "--dry"));
  CHECK(has_definition("text\n*--in* _FILE_\n\tRead", "*--in*"));
  CHECK(has_definition("*--in*", "*--in*"));
  CHECK_FALSE(has_definition("unless *--in* is given", "*--in*"));
  CHECK_FALSE(has_definition("\n*--input*", "*--in"));
}

namespace {

// The "--name" tokens of `text`, in order, without duplicates ("--config FILE" -> "--config").
std::vector<std::string>
long_options_in(const std::string& text)
{
  std::vector<std::string> out;
  for (auto pos = text.find("--"); pos != std::string::npos; pos = text.find("--", pos + 2)) {
    auto end = pos + 2;
    while (end < text.size() && is_word_char(text[end])) {
      ++end;
    }
    const std::string token = text.substr(pos, end - pos);
    if (token.size() > 2 && std::find(out.begin(), out.end(), token) == out.end()) {
      out.push_back(token);
    }
  }
  return out;
}

void
require_sections(const std::string& page, std::initializer_list<const char*> names)
{
  for (const char* name : names) {
    INFO(name);
    REQUIRE(page.find(std::string("\n# ") + name + "\n") != std::string::npos);
  }
}

} // namespace

// hardrun-hook(1): the options the hook's parser knows (its usage line) are each documented,
// and each option the page documents is one the parser accepts.
TEST_CASE("hardrun-hook(1) documents exactly the hook's options", "[man]")
{
  const std::string page = read_page("hardrun-hook.1");
  require_sections(page, {"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "DECISION RULES", "REPORT", "EXIT STATUS",
                          "FILES", "SECURITY", "SEE ALSO"});
  const std::string synopsis = section(page, "SYNOPSIS");
  const auto known = long_options_in(hardrun::hook::k_usage);
  REQUIRE(known.size() >= 3);
  for (const auto& opt : known) {
    INFO("hook option " << opt);
    CHECK(has_definition(section(page, "OPTIONS"), "*" + opt + "*"));
    CHECK(has_token(synopsis, opt));
  }
  const auto documented = long_options_in(section(page, "OPTIONS"));
  for (const auto& opt : documented) {
    INFO("documented option " << opt);
    if (!has_definition(section(page, "OPTIONS"), "*" + opt + "*")) {
      continue; // mentioned in a description, not an entry
    }
    const std::string value = opt == "--stage" ? "createRuntime" : "/etc/hardrun/x.json";
    CHECK(hardrun::hook::parse_args({"hardrun-hook", opt, value}).has_value());
    CHECK(hardrun::hook::parse_args({"hardrun-hook", opt + "=" + value}).has_value());
  }
  // And the parser really refuses what the page says it refuses.
  CHECK_FALSE(hardrun::hook::parse_args({"hardrun-hook", "--stage", "createContainer"}).has_value());
  CHECK_FALSE(hardrun::hook::parse_args({"hardrun-hook", "--config", "relative.json"}).has_value());
  CHECK_FALSE(hardrun::hook::parse_args({"hardrun-hook", "--config", "/a", "--config", "/b"}).has_value());
}

// hardrun-runtime(1): the shim's own --hardrun-* flags, as its parser lists them when it refuses
// an unknown one, are each documented as an OPTIONS entry, and each documented one is accepted
// and removed from the delegate's argv.
TEST_CASE("hardrun-runtime(1) documents exactly the shim's --hardrun-* flags", "[man]")
{
  const std::string page = read_page("hardrun-runtime.1");
  require_sections(page, {"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "DELEGATE", "SECRETS", "REGISTRATION",
                          "EXIT STATUS", "FILES", "SECURITY", "SEE ALSO"});
  const std::string options = section(page, "OPTIONS");
  const std::string synopsis = section(page, "SYNOPSIS");
  auto unknown = hardrun::runtime::parse_argv({"--hardrun-no-such-flag=1", "state", "id"});
  REQUIRE_FALSE(unknown.has_value());
  const std::string message = unknown.error().what();
  const auto at = message.find("known:");
  REQUIRE(at != std::string::npos);
  const auto known = long_options_in(message.substr(at));
  REQUIRE(known.size() >= 4);
  for (const auto& flag : known) {
    INFO("shim flag " << flag);
    CHECK(has_definition(options, "*" + flag + "="));
    CHECK(has_token(synopsis, flag));
  }
  for (const auto& flag : long_options_in(options)) {
    if (flag.rfind("--hardrun-", 0) != 0 || !has_definition(options, "*" + flag + "=")) {
      continue;
    }
    INFO("documented flag " << flag);
    auto inv = hardrun::runtime::parse_argv({flag + "=/etc/hardrun/x.json", "create", "--bundle", "/b", "id"});
    REQUIRE(inv.has_value());
    CHECK(inv->action == hardrun::runtime::Action::harden);
    CHECK(std::find(inv->argv.begin(), inv->argv.end(), flag + "=/etc/hardrun/x.json") == inv->argv.end());
  }
}
