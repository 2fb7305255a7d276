// SPDX-License-Identifier: Apache-2.0
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "../support.hpp"
#include "hardrun/image/state.hpp"

using hardrun::Errc;
using hardrun::image::check_bundle;
using hardrun::image::parse_state;
using hardrun::test::TempDir;

namespace {

std::string
state(const std::string& version, const std::string& id, const std::string& bundle, const std::string& extra = "")
{
  return R"({"ociVersion":")" + version + R"(","id":")" + id + R"(","status":"creating","bundle":")" + bundle + "\""
       + extra + "}";
}

std::string
error_of(const std::string& text)
{
  auto r = parse_state(text);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::invalid_input);
  return r.error().what();
}

} // namespace

TEST_CASE("state: runc and crun states are accepted (S9)", "[hardrun::image][state]")
{
  // runc 1.1.5 prestart, as captured in formats.md §4.6.
  auto runc = parse_state(state("1.0.2-dev", std::string(64, 'a'), "/var/lib/containers/storage/overlay-containers/x/userdata",
                                R"(,"pid":25555,"annotations":{"io.container.manager":"libpod"})"));
  REQUIRE(runc);
  CHECK(runc->oci_version == "1.0.2-dev");
  CHECK(runc->pid == 25555);
  CHECK(runc->bundle == "/var/lib/containers/storage/overlay-containers/x/userdata");
  // crun 1.8.1: "1.0", status created, an extra root key; createContainer pid 1.
  auto crun = parse_state(state("1.0", "c1", "/b", R"(,"root":"/run/crun/c1","pid":1)"));
  REQUIRE(crun);
  CHECK(crun->id == "c1");
  CHECK(parse_state(state("1.1.0", "c1", "/b")));
}

TEST_CASE("state: the bad-input catalogue S1-S3, S6, S7, S10-S12", "[hardrun::image][state]")
{
  CHECK_THAT(error_of(""), Catch::Contains("empty state"));                                       // S1
  CHECK_THAT(error_of(R"({"ociVersion":"1.0","id":"ab)"), Catch::Contains("byte"));               // S2
  CHECK_THAT(error_of("[]"), Catch::Contains("must be a JSON object"));                           // S3
  CHECK_THAT(error_of("null"), Catch::Contains("must be a JSON object"));
  CHECK_THAT(error_of("42"), Catch::Contains("must be a JSON object"));
  CHECK_THAT(error_of(state("1.0", "c", "/a", R"(,"bundle":"/evil")")), Catch::Contains("duplicate key \"bundle\"")); // S6
  for (const std::string& id : std::vector<std::string>{"a/b", "..", "a..b", std::string(1025, 'a'), std::string("a\\u0000b"), std::string("a\\nb")}) {
    CHECK_THAT(error_of(state("1.0", id, "/b")), Catch::Contains("id"));                        // S7
  }
  CHECK(parse_state(state("1.0", std::string(1024, 'a'), "/b")));
  CHECK_THAT(error_of(state("2.0", "c", "/b")), Catch::Contains("unsupported ociVersion"));       // S10
  CHECK_THAT(error_of(state("1.0.x", "c", "/b")), Catch::Contains("unsupported ociVersion"));
  CHECK_THAT(error_of(R"({"id":"c","status":"creating","bundle":"/b"})"), Catch::Contains("unsupported ociVersion"));
  CHECK_THAT(error_of(std::string(100000, '[')), Catch::Contains("nesting"));                      // S11
  CHECK_THAT(error_of("{\"a\":" + std::string(100000, '[')), Catch::Contains("nesting"));         // S11
  CHECK(!parse_state(state("1.0", "c", "/b", ",\"annotations\":{\"a\":\"\xc0\xaf\"}")));          // S12 overlong
  CHECK(!parse_state(state("1.0", "c", "/b", ",\"annotations\":{\"a\":\"\xff\"}")));
  CHECK_THAT(error_of(state("1.0", "c", "relative/bundle")), Catch::Contains("clean absolute"));  // S8 (lexical)
  CHECK_THAT(error_of(state("1.0", "c", "/a/../b")), Catch::Contains("clean absolute"));
  CHECK_THAT(error_of(std::string(hardrun::image::k_max_state_bytes + 1, ' ')), Catch::Contains("exceeds")); // S4
}

TEST_CASE("state: annotations are parsed for shape but never kept (S13)", "[hardrun::image][state]")
{
  auto st = parse_state(state("1.0", "c", "/b", R"(,"annotations":{"hardrun.verified":"true","io.kubernetes.cri-o.ImageRef":"x"})"));
  REQUIRE(st);
  CHECK(!parse_state(state("1.0", "c", "/b", R"(,"annotations":{"a":1})")));
  CHECK(!parse_state(state("1.0", "c", "/b", R"(,"annotations":[])")));
}

TEST_CASE("state: bundle file-system checks (S8)", "[hardrun::image][state]")
{
  TempDir dir;
  const std::string real = dir.file("userdata");
  std::filesystem::create_directory(real);
  ::chmod(real.c_str(), 0700);
  CHECK(check_bundle(real));
  std::filesystem::create_symlink(real, dir.file("link"));
  auto link = check_bundle(dir.file("link"));
  REQUIRE_FALSE(link);
  CHECK_THAT(link.error().what(), Catch::Contains("symbolic link"));
  ::chmod(real.c_str(), 0777);
  auto ww = check_bundle(real);
  REQUIRE_FALSE(ww);
  CHECK_THAT(ww.error().what(), Catch::Contains("writable by group or others"));
  ::chmod(real.c_str(), 0700);
  if (::geteuid() == 0) {
    REQUIRE(::chown(real.c_str(), 65534, 65534) == 0);
    auto owned = check_bundle(real);
    REQUIRE_FALSE(owned);
    CHECK_THAT(owned.error().what(), Catch::Contains("owned by uid 65534"));
  }
  CHECK_FALSE(check_bundle(dir.file("missing")));
  CHECK_FALSE(check_bundle("relative"));
}
