// SPDX-License-Identifier: Apache-2.0
#include "../support.hpp"
#include "hardrun/spec/json.hpp"

using hardrun::Errc;
using hardrun::spec::detect_layout;
using hardrun::spec::parse_strict;
using hardrun::spec::ParseLimits;
using hardrun::spec::serialize;

namespace {

std::string
error_of(std::string_view text, ParseLimits limits = {})
{
  auto r = parse_strict(text, "doc.json", limits);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::invalid_input);
  return r.error().what();
}

} // namespace

TEST_CASE("strict parser accepts ordinary documents and keeps key order", "[hardrun::spec][json]")
{
  auto r = parse_strict(R"({"z":1,"a":{"y":[1,2,{"k":null}],"b":"x"},"m":-3,"f":1.5})", "doc.json", {});
  REQUIRE(r.has_value());
  CHECK(r->dump() == R"({"z":1,"a":{"y":[1,2,{"k":null}],"b":"x"},"m":-3,"f":1.5})");
}

TEST_CASE("duplicate keys are rejected with their pointer", "[hardrun::spec][json]")
{
  CHECK_THAT(error_of(R"({"process":{},"process":{"user":{"uid":0}}})"),
             Catch::Contains("duplicate key \"process\" at /"));
  CHECK_THAT(error_of(R"({"a":{"b":[{"c":1,"c":2}]}})"), Catch::Contains("duplicate key \"c\" at /a/b/0"));
  // The same key in sibling objects is fine.
  CHECK(parse_strict(R"({"a":{"c":1},"b":{"c":2}})", "doc.json", {}).has_value());
}

TEST_CASE("malformed input is an error with a position, never a crash", "[hardrun::spec][json]")
{
  CHECK_THAT(error_of(R"({"ociVersion":"1.0","id":"ab)"), Catch::Contains("byte"));
  CHECK_THAT(error_of(""), Catch::Contains("empty document"));
  CHECK_THAT(error_of("   \n"), Catch::Contains("empty document"));
  CHECK_THAT(error_of("[1,2]"), Catch::Contains("must be a JSON object"));
  CHECK_THAT(error_of("null"), Catch::Contains("must be a JSON object"));
  CHECK_THAT(error_of("42"), Catch::Contains("must be a JSON object"));
  CHECK_THAT(error_of(R"({"a":1} {"b":2})"), Catch::Contains("doc.json"));
  CHECK_THAT(error_of(R"({"a":1}x)"), Catch::Contains("doc.json"));
  CHECK_THAT(error_of("{\"a\":\"\xff\xfe\"}"), Catch::Contains("doc.json"));        // invalid UTF-8
  CHECK_THAT(error_of("{\"a\":\"\xc0\xaf\"}"), Catch::Contains("doc.json"));        // overlong encoding
  CHECK_THAT(error_of(R"({"a":"x\u0000y"})"), Catch::Contains("NUL character in string at /a"));
  CHECK_THAT(error_of(R"({"x\u0000":1})"), Catch::Contains("NUL character in key"));
}

TEST_CASE("nesting and size limits", "[hardrun::spec][json]")
{
  std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  CHECK_THAT(error_of(deep), Catch::Contains("nesting deeper than 64"));
  std::string ok = "{\"a\":" + std::string(60, '[') + std::string(60, ']') + "}";
  CHECK(parse_strict(ok, "doc.json", {}).has_value());
  CHECK_THAT(error_of(R"({"a":"0123456789"})", ParseLimits{10, 64}), Catch::Contains("exceeds 10 bytes"));
}

TEST_CASE("objects with many keys parse in linear time", "[hardrun::spec][json]")
{
  // ordered_map lookups are linear; the parser must not use them per key (hostile annotations).
  std::string text = "{\"annotations\":{";
  for (int i = 0; i < 100000; ++i) {
    text += (i == 0 ? "\"k" : ",\"k") + std::to_string(i) + "\":\"v\"";
  }
  text += "}}";
  auto r = parse_strict(text, "doc.json", ParseLimits{8U << 20U, 64});
  REQUIRE(r.has_value());
  CHECK((*r)["annotations"].size() == 100000);
  CHECK((*r)["annotations"]["k99999"] == "v");
}

TEST_CASE("layout: compact and indented documents are written back the way they came", "[hardrun::spec][json]")
{
  const std::string compact = R"({"a":1,"b":[true,null],"c":{"d":"é<>&"}})";
  auto j = parse_strict(compact, "c", {});
  REQUIRE(j.has_value());
  CHECK(serialize(*j, detect_layout(compact)) == compact);

  const std::string pretty = "{\n  \"a\": 1,\n  \"b\": [\n    true\n  ]\n}\n";
  auto p = parse_strict(pretty, "p", {});
  REQUIRE(p.has_value());
  CHECK(detect_layout(pretty).indent == 2);
  CHECK(serialize(*p, detect_layout(pretty)) == pretty);
}

TEST_CASE("a real podman config.json round-trips byte for byte", "[hardrun::spec][json]")
{
  for (const char* name : {"default", "privileged", "already-hardened", "uidmap"}) {
    const std::string text = hardrun::test::read_text(hardrun::test::data_path(std::string("golden/") + name + ".in.json"));
    auto j = parse_strict(text, name, {});
    REQUIRE(j.has_value());
    CHECK(serialize(*j, detect_layout(text)) == text);
  }
}
