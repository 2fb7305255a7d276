// SPDX-License-Identifier: Apache-2.0
// The captured containers-storage fixture (tests/data/image/, made by capture.sh from real podman
// 4.3.1 / skopeo 1.9.3 output) and a writable copy of it per test.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "../support.hpp"

namespace hardrun::test {

// KEY=VALUE lines of tests/data/image/fixture.env.
inline const std::map<std::string, std::string>&
fixture_env()
{
  static const std::map<std::string, std::string> env = [] {
    std::map<std::string, std::string> out;
    std::ifstream in(data_path("data/image/fixture.env"));
    std::string line;
    while (std::getline(in, line)) {
      const auto eq = line.find('=');
      if (!line.empty() && line[0] != '#' && eq != std::string::npos) {
        out[line.substr(0, eq)] = line.substr(eq + 1);
      }
    }
    return out;
  }();
  return env;
}

inline std::string
fx(const std::string& key)
{
  const auto it = fixture_env().find(key);
  REQUIRE(it != fixture_env().end());
  return it->second;
}

// A private copy of the fixture graph root (files 0600 like c/storage's, dirs 0700), with the
// userdata directories git does not keep.
class FixtureStore {
public:
  FixtureStore()
  {
    namespace fs = std::filesystem;
    m_root = m_dir.file("storage");
    fs::copy(data_path("data/image/storage"), m_root, fs::copy_options::recursive);
    for (const auto& e : fs::recursive_directory_iterator(m_root)) {
      ::chmod(e.path().c_str(), e.is_directory() ? 0700 : 0600);
    }
    for (const char* key : {"CTR_GPG_DIGEST", "CTR_SIGSTORE_DIGEST", "CTR_BY_TAG", "CTR_LOCAL"}) {
      fs::create_directories(bundle(fx(key)));
      ::chmod(bundle(fx(key)).c_str(), 0700);
    }
  }
  [[nodiscard]] const std::string& root() const { return m_root; }
  [[nodiscard]] std::string bundle(const std::string& id) const { return m_root + "/overlay-containers/" + id + "/userdata"; }
  [[nodiscard]] std::string images_json() const { return m_root + "/overlay-images/images.json"; }
  [[nodiscard]] std::string containers_json() const { return m_root + "/overlay-containers/containers.json"; }
  [[nodiscard]] const TempDir& dir() const { return m_dir; }

private:
  TempDir m_dir;
  std::string m_root;
};

} // namespace hardrun::test
