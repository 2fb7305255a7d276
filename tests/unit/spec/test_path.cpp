// SPDX-License-Identifier: Apache-2.0
#include "../catch.hpp"
#include "hardrun/spec/path.hpp"

using hardrun::spec::clean_absolute;
using hardrun::spec::is_within;

TEST_CASE("clean_absolute normalises and refuses what it cannot resolve safely", "[hardrun::spec][path]")
{
  CHECK(clean_absolute("/") == "/");
  CHECK(clean_absolute("//etc//./passwd/") == "/etc/passwd");
  CHECK(clean_absolute("/run/") == "/run");
  CHECK_FALSE(clean_absolute("etc").has_value());
  CHECK_FALSE(clean_absolute("").has_value());
  CHECK_FALSE(clean_absolute("/../..").has_value());
  CHECK_FALSE(clean_absolute("/var/../etc").has_value());
  CHECK(clean_absolute("/a/..b/c..") == "/a/..b/c..");
}

TEST_CASE("is_within compares whole components", "[hardrun::spec][path]")
{
  CHECK(is_within("/run/podman/podman.sock", "/run/podman"));
  CHECK(is_within("/run/podman", "/run/podman"));
  CHECK_FALSE(is_within("/run/podman2", "/run/podman"));
  CHECK(is_within("/anything", "/"));
  CHECK_FALSE(is_within("/etc", "/etc/passwd"));
}
