// SPDX-License-Identifier: Apache-2.0
// containers-storage as the hook reads it (image::container_evidence, lookup_image_evidence):
// containers.json, volatile-containers.json, images.json and an image's signatures blob. The
// image store is filled from a registry and the container record from the `podman run` line
// (threat models A1, A2). A copy of tests/data/image/storage (captured from podman 4.3.1) is
// made once in a temporary directory; byte 0 of the input picks which file is replaced by the
// rest of the input, the lookups run, and the file is restored.
// Selector 5 instead checks the record scanner against the strict parser (json_scan.hpp): on
// any text the strict parser accepts as an array of objects, the scanner must see exactly the
// same records, or a record could hide from the hook's id lookup.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzz_support.hpp"
#include "hardrun/image/storage.hpp"
#include "hardrun/spec/json.hpp"
#include "json_scan.hpp"

namespace {

namespace fs = std::filesystem;

constexpr const char* k_gpg_image = "2646a1fff2ea9a492b5256250e038b5ca557961480f975b8863735f4ff050bde";
constexpr const char* k_containers[] = {
    "d72d01fc97e669ffb11eb34180da73bb03f7db9fb278209a6bb5f2023d5bc291", // pinned, GPG-signed
    "e1991012f19bc93060aff030ae2439b2dd043ceeab45edb925778f652d9407b4", // pinned, sigstore-signed
};

std::string
slurp(const fs::path& p)
{
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void
put(const fs::path& p, std::string_view bytes)
{
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    hardrun::fuzz::invariant_failed("cannot write", p.string());
  }
}

struct Store {
  hardrun::image::StorageLocation loc;
  std::vector<std::pair<fs::path, std::string>> files; // selectable file -> original bytes
};

const Store&
store()
{
  static const Store s = [] {
    std::string tmpl = (fs::temp_directory_path() / "hardrun-fuzz-storage-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      hardrun::fuzz::invariant_failed("mkdtemp", tmpl);
    }
    const fs::path root(tmpl);
    fs::copy(HARDRUN_FUZZ_DATA_DIR "/data/image/storage", root, fs::copy_options::recursive);
    // Removed at exit; libFuzzer leaves through exit() too.
    static const std::string cleanup = root.string();
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(cleanup, ec);
    });
    Store st;
    st.loc = hardrun::image::StorageLocation{root.string(), "overlay"};
    const std::vector<fs::path> selectable = {
        "overlay-containers/containers.json", "overlay-containers/volatile-containers.json",
        "overlay-images/images.json", fs::path("overlay-images") / k_gpg_image / "signatures"};
    for (const auto& rel : selectable) {
      st.files.emplace_back(root / rel, fs::exists(root / rel) ? slurp(root / rel) : std::string());
    }
    return st;
  }();
  return s;
}

void
scanner_matches_parser(std::string_view text)
{
  using namespace hardrun;
  auto parsed = spec::parse_strict(text, "fuzz", spec::ParseLimits{text.size(), 64});
  if (!parsed || !parsed->is_array()) {
    return;
  }
  for (const auto& e : *parsed) {
    if (!e.is_object()) {
      return;
    }
  }
  std::vector<spec::Json> seen;
  auto scan = image::detail::scan_records(text, "fuzz", [&](const image::detail::RecordView& r) {
    auto rec = spec::parse_strict(r.text, "record", spec::ParseLimits{r.text.size(), 64});
    if (!rec) {
      fuzz::invariant_failed("scanner record does not parse", rec.error().what());
    }
    const auto id = rec->find("id");
    if (!r.id_escaped && !r.id_repeated && id != rec->end() && id->is_string()
        && id->get<std::string>() != r.id_raw) {
      fuzz::invariant_failed("scanner id differs from the parsed id", std::string(r.id_raw));
    }
    seen.push_back(std::move(*rec));
    return true;
  });
  if (!scan) {
    fuzz::invariant_failed("scanner refuses what the strict parser accepts", scan.error().what());
  }
  if (seen.size() != parsed->size() || !std::equal(seen.begin(), seen.end(), parsed->begin())) {
    fuzz::invariant_failed("scanner records differ from the parsed array", std::string(text.substr(0, 200)));
  }
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace hardrun;
  if (size == 0) {
    return 0;
  }
  const auto text = fuzz::as_text(data + 1, size - 1);
  const Store& st = store();
  const std::size_t which = data[0] % (st.files.size() + 1);
  if (which == st.files.size()) {
    scanner_matches_parser(text);
    return 0;
  }
  const auto& [path, original] = st.files[which];
  put(path, text);
  for (const char* id : k_containers) {
    (void)image::container_evidence(st.loc, id);
  }
  (void)image::lookup_image_evidence(st.loc, "127.0.0.1:44405/hr/busybox@sha256:"
                                             "39743ea86edc47d12ccb6cc764c6a51e89109bcf67bf790ab38f555083a11266");
  if (original.empty()) {
    std::error_code ec;
    fs::remove(path, ec);
  } else {
    put(path, original);
  }
  return 0;
}
