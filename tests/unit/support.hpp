// SPDX-License-Identifier: Apache-2.0
// Shared helpers of the unit tests: test data, the test profile, temporary directories.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "catch.hpp"
#include "hardrun/modify/modifier.hpp"
#include "hardrun/policy/policy.hpp"
#include "hardrun/spec/document.hpp"

namespace hardrun::test {

inline std::string
data_path(const std::string& rel)
{
  return std::string(HARDRUN_TEST_DATA_DIR) + "/" + rel;
}

inline std::string
source_path(const std::string& rel)
{
  return std::string(HARDRUN_SOURCE_DIR) + "/" + rel;
}

inline std::string
read_text(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void
write_text(const std::string& path, const std::string& text)
{
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

// tests/data/profiles/test.json: strict, with an explicit allocation 100000+65536.
inline const policy::Policy&
test_policy()
{
  static const policy::Policy p = [] {
    auto loaded = policy::load_file(data_path("data/profiles/test.json"));
    if (!loaded) {
      FAIL("test profile: " << loaded.error().what());
    }
    return *loaded;
  }();
  return p;
}

inline const policy::IdAllocation&
test_allocation()
{
  static const policy::IdAllocation a{{{100000, 65536}}, {{100000, 65536}}, "test profile"};
  return a;
}

inline modify::Context
test_context()
{
  return modify::Context{test_policy(), test_allocation()};
}

inline spec::Json
golden_input(const std::string& name)
{
  auto doc = spec::Document::parse(read_text(data_path("golden/" + name + ".in.json")), name);
  if (!doc) {
    FAIL(name << ": " << doc.error().what());
  }
  return doc->json();
}

// A fresh directory under the system temp dir, removed with everything in it at scope exit.
class TempDir {
public:
  TempDir()
  {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hardrun-test-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    m_path = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir()
  {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  [[nodiscard]] const std::string& path() const { return m_path; }
  [[nodiscard]] std::string file(const std::string& name) const { return m_path + "/" + name; }

private:
  std::string m_path;
};

} // namespace hardrun::test
