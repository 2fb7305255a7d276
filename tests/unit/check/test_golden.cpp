// SPDX-License-Identifier: Apache-2.0
// Golden files: each real podman config (tests/golden/<case>.in.json) through the whole engine
// with the test profile. The expected result is either the hardened config, byte for byte
// (<case>.out.json), or the refusal with its findings (<case>.refused.json). Regenerate with
// HARDRUN_UPDATE_GOLDEN=1 and review the diff.
#include <cstdlib>
#include <filesystem>

#include "../support.hpp"
#include "hardrun/check/validator.hpp"
#include "hardrun/engine/harden.hpp"

using hardrun::spec::Json;
using hardrun::test::data_path;
using hardrun::test::read_text;

namespace {

Json
findings_json(const std::vector<hardrun::check::Finding>& findings)
{
  Json out = Json::array();
  for (const auto& f : findings) {
    out.push_back({{"rule", f.rule}, {"pointer", f.pointer}, {"message", f.message}});
  }
  return out;
}

} // namespace

TEST_CASE("golden: captured podman configs through the whole engine", "[hardrun::engine][golden]")
{
  const bool update = std::getenv("HARDRUN_UPDATE_GOLDEN") != nullptr;
  std::size_t hardened = 0;
  std::size_t refused = 0;
  for (const auto& e : std::filesystem::directory_iterator(data_path("golden"))) {
    const auto file = e.path().filename().string();
    if (file.size() <= 8 || file.substr(file.size() - 8) != ".in.json") {
      continue;
    }
    const std::string name = file.substr(0, file.size() - 8);
    INFO(name);
    const std::string input = read_text(e.path().string());
    auto doc = hardrun::spec::Document::parse(input, name);
    REQUIRE(doc.has_value());

    // Unhardened, every capture falls short of the profile: check reports it.
    CHECK_FALSE(hardrun::check::validate(doc->json(), hardrun::test::test_context()).empty());

    auto outcome = hardrun::engine::harden(*doc, hardrun::test::test_context(), {});
    REQUIRE(outcome.has_value());
    const std::string out_path = data_path("golden/" + name + ".out.json");
    const std::string refused_path = data_path("golden/" + name + ".refused.json");
    if (update) {
      std::filesystem::remove(out_path);
      std::filesystem::remove(refused_path);
      if (outcome->findings.empty()) {
        hardrun::test::write_text(out_path, outcome->output);
      } else {
        hardrun::test::write_text(refused_path, findings_json(outcome->findings).dump(2) + "\n");
      }
    }
    if (std::filesystem::exists(out_path)) {
      ++hardened;
      REQUIRE(outcome->findings.empty());
      CHECK(outcome->output == read_text(out_path));
      // The output passes the validator and parses strictly again; hardening it again changes nothing.
      auto again = hardrun::spec::Document::parse(outcome->output, name + ".out");
      REQUIRE(again.has_value());
      CHECK(hardrun::check::validate(again->json(), hardrun::test::test_context()).empty());
      auto second = hardrun::engine::harden(*again, hardrun::test::test_context(), {});
      REQUIRE(second.has_value());
      CHECK(second->changes.empty());
      CHECK(second->output == outcome->output);
    } else {
      ++refused;
      REQUIRE(std::filesystem::exists(refused_path));
      CHECK(outcome->output.empty()); // never hands out a config that fails validation
      CHECK(findings_json(outcome->findings) == Json::parse(read_text(refused_path)));
    }
  }
  CHECK(hardened >= 5);
  CHECK(refused >= 5);
}
