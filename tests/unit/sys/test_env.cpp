// SPDX-License-Identifier: Apache-2.0
#include "../catch.hpp"
#include "hardrun/sys/env.hpp"

using hardrun::sys::HostRange;
using hardrun::sys::parse_subid;

TEST_CASE("subuid parsing", "[hardrun::sys][env]")
{
  const std::string text = "# comment\nalice:100000:65536\ncontainers:200000:65536\ncontainers:300000:1000\n\n";
  auto r = parse_subid(text, "containers", "/etc/subuid");
  REQUIRE(r.has_value());
  CHECK(*r == std::vector<HostRange>{{200000, 65536}, {300000, 1000}});
  CHECK(parse_subid(text, "bob", "/etc/subuid")->empty());
  CHECK(parse_subid("", "containers", "/etc/subuid")->empty());

  auto bad = parse_subid("containers:x:1\n", "containers", "/etc/subuid");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().what() == "/etc/subuid:1: malformed line, expected NAME:START:COUNT");
  CHECK_FALSE(parse_subid("containers:4294967200:1000\n", "containers", "/etc/subuid").has_value());
  CHECK_FALSE(parse_subid("containers:100000:0\n", "containers", "/etc/subuid").has_value());
}
