// SPDX-License-Identifier: Apache-2.0
#include <vector>

#include "../catch.hpp"
#include "cli.hpp"

using hardrun::cli::CheckOptions;
using hardrun::cli::Cli;
using hardrun::cli::HardenOptions;

namespace {

hardrun::cli::Command
parse(std::vector<std::string> args, Cli& cli)
{
  std::vector<const char*> argv{"hardrun"};
  for (const auto& a : args) {
    argv.push_back(a.c_str());
  }
  cli.app().parse(static_cast<int>(argv.size()), argv.data());
  return cli.command();
}

} // namespace

TEST_CASE("harden options", "[hardrun::cli]")
{
  Cli cli;
  const auto cmd = parse({"harden", "--policy", "network-service", "--bundle", "/b", "--out", "-", "--dry-run", "--json"}, cli);
  const auto* h = std::get_if<HardenOptions>(&cmd);
  REQUIRE(h != nullptr);
  CHECK(h->policy == "network-service");
  CHECK(h->bundle == "/b");
  CHECK(h->out == "-");
  CHECK(h->dry_run);
  CHECK(h->json);

  Cli defaults;
  const auto d = parse({"harden", "--in=-"}, defaults);
  CHECK(std::get<HardenOptions>(d).policy == "strict");
  CHECK(std::get<HardenOptions>(d).in == "-");
  CHECK_FALSE(std::get<HardenOptions>(d).dry_run);
}

TEST_CASE("check options", "[hardrun::cli]")
{
  Cli cli;
  const auto cmd = parse({"check", "config.json", "--json"}, cli);
  const auto& c = std::get<CheckOptions>(cmd);
  CHECK(c.file == "config.json");
  CHECK(c.json);
  CHECK(c.policy == "strict");
}

TEST_CASE("usage errors", "[hardrun::cli]")
{
  Cli a;
  CHECK_THROWS_AS(parse({"harden", "--bundle", "/b", "--in", "x"}, a), CLI::ParseError); // mutually exclusive
  Cli b;
  CHECK_THROWS_AS(parse({"check", "--bundle", "/b", "file"}, b), CLI::ParseError);
  Cli c;
  CHECK_THROWS_AS(parse({}, c), CLI::ParseError); // a subcommand is required
  Cli d;
  CHECK_THROWS_AS(parse({"harden", "--no-such-flag"}, d), CLI::ParseError);
  Cli e;
  CHECK_THROWS_AS(parse({"frobnicate"}, e), CLI::ParseError);
}
