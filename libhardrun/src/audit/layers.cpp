// SPDX-License-Identifier: Apache-2.0
//
// Image layers read with libarchive, in memory or from an fd, never extracted: a hostile layer
// can hold absolute paths, "..", device nodes, symlink loops and decompression bombs (the caps in
// LayerLimits answer the last one; the others are harmless as strings).
#include "hardrun/audit/layers.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>

#include "hardrun/check/validator.hpp"
#include "hardrun/policy/policy.hpp"

namespace hardrun::audit {
namespace {

using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;

// "./a//b/../c" -> "/a/c"; never above "/".
std::string
clean_path(std::string_view raw)
{
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i <= raw.size()) {
    auto j = raw.find('/', i);
    if (j == std::string_view::npos) {
      j = raw.size();
    }
    const auto part = raw.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) {
        parts.pop_back();
      }
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (const auto p : parts) {
    out += '/';
    out += p;
  }
  return out.empty() ? "/" : out;
}

std::string
archive_message(archive* a)
{
  const char* m = archive_error_string(a);
  return m != nullptr ? m : "unknown libarchive error";
}

Result<std::vector<LayerEntry>>
read_entries(archive* a, const LayerLimits& limits, const std::string& name)
{
  std::vector<LayerEntry> out;
  std::string head;
  while (true) {
    archive_entry* e = nullptr;
    const int r = archive_read_next_header(a, &e);
    if (r == ARCHIVE_EOF) {
      break;
    }
    if (r < ARCHIVE_WARN) {
      return make_error(Errc::invalid_input, name + ": not a readable tar layer: " + archive_message(a));
    }
    if (out.size() >= limits.max_entries) {
      return make_error(Errc::invalid_input, name + ": more than " + std::to_string(limits.max_entries) + " entries");
    }
    const char* raw = archive_entry_pathname(e);
    if (raw == nullptr) {
      return make_error(Errc::invalid_input, name + ": an entry without a name");
    }
    const std::string_view raw_path(raw);
    if (raw_path.size() > limits.max_path) {
      return make_error(Errc::invalid_input, name + ": an entry name longer than " + std::to_string(limits.max_path) + " bytes");
    }
    const la_int64_t declared = archive_entry_size(e);
    const std::uint64_t size = declared > 0 ? static_cast<std::uint64_t>(declared) : 0;
    if (size > limits.max_bytes) {
      return make_error(Errc::invalid_input, name + ": entry " + std::string(raw_path) + " declares " + std::to_string(size) +
                                               " bytes, above the " + std::to_string(limits.max_bytes) + " byte cap");
    }
    LayerEntry entry;
    entry.size = size;
    std::string path = clean_path(raw_path);
    const auto slash = path.rfind('/');
    const std::string base = path.substr(slash + 1);
    const std::string dir = slash == 0 ? std::string() : path.substr(0, slash);
    // OCI image-spec layer.md "Whiteouts": .wh.NAME deletes NAME, .wh..wh..opq hides the
    // directory's lower contents.
    if (base == ".wh..wh..opq") {
      entry.kind = LayerEntry::Kind::opaque;
      entry.path = dir.empty() ? "/" : dir;
    } else if (base.rfind(".wh.", 0) == 0) {
      entry.kind = LayerEntry::Kind::whiteout;
      entry.path = dir + "/" + base.substr(4);
    } else {
      entry.path = std::move(path);
      const auto type = archive_entry_filetype(e);
      if (archive_entry_hardlink(e) != nullptr) {
        entry.kind = LayerEntry::Kind::hardlink;
      } else if (type == AE_IFREG) {
        entry.kind = LayerEntry::Kind::file;
      } else if (type == AE_IFDIR) {
        entry.kind = LayerEntry::Kind::dir;
      } else if (type == AE_IFLNK) {
        entry.kind = LayerEntry::Kind::symlink;
      }
    }
    if (entry.kind == LayerEntry::Kind::file && size > 0 && size <= limits.sniff_max_file) {
      head.resize(limits.sniff_bytes);
      const la_ssize_t got = archive_read_data(a, head.data(), head.size());
      if (got < 0) {
        return make_error(Errc::invalid_input, name + ": " + entry.path + ": " + archive_message(a));
      }
      head.resize(static_cast<std::size_t>(got));
      entry.private_key = head.find("PRIVATE KEY-----") != std::string::npos;
    }
    // Bytes the decompressor produced so far (filter 0 = the output side of the chain).
    if (static_cast<std::uint64_t>(archive_filter_bytes(a, 0)) > limits.max_bytes) {
      return make_error(Errc::invalid_input, name + ": more than " + std::to_string(limits.max_bytes) + " decompressed bytes");
    }
    out.push_back(std::move(entry));
  }
  return out;
}

ArchivePtr
new_reader()
{
  ArchivePtr a(archive_read_new(), archive_read_free);
  if (a) {
    archive_read_support_filter_all(a.get());
    archive_read_support_format_tar(a.get());
  }
  return a;
}

} // namespace

Result<std::vector<LayerEntry>>
read_layer_memory(std::string_view bytes, const LayerLimits& limits, const std::string& name)
{
  ArchivePtr a = new_reader();
  if (!a) {
    return make_error(Errc::system, "libarchive: out of memory");
  }
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return make_error(Errc::invalid_input, name + ": " + archive_message(a.get()));
  }
  return read_entries(a.get(), limits, name);
}

Result<std::vector<LayerEntry>>
read_layer_file(const std::string& path, const LayerLimits& limits)
{
  ArchivePtr a = new_reader();
  if (!a) {
    return make_error(Errc::system, "libarchive: out of memory");
  }
  if (archive_read_open_filename(a.get(), path.c_str(), 65536) != ARCHIVE_OK) {
    return make_error(Errc::invalid_input, path + ": " + archive_message(a.get()));
  }
  return read_entries(a.get(), limits, path);
}

Result<std::string>
make_tar(const std::vector<TarItem>& items)
{
  std::string out;
  using WritePtr = std::unique_ptr<archive, int (*)(archive*)>;
  WritePtr w(archive_write_new(), archive_write_free);
  if (!w) {
    return make_error(Errc::system, "libarchive: out of memory");
  }
  archive_write_set_format_pax_restricted(w.get());
  archive_write_set_bytes_in_last_block(w.get(), 1);
  const auto writer = [](archive*, void* data, const void* buf, size_t len) -> la_ssize_t {
    static_cast<std::string*>(data)->append(static_cast<const char*>(buf), len);
    return static_cast<la_ssize_t>(len);
  };
  if (archive_write_open(w.get(), &out, nullptr, writer, nullptr) != ARCHIVE_OK) {
    return make_error(Errc::system, "libarchive: " + archive_message(w.get()));
  }
  for (const auto& item : items) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(e.get(), item.path.c_str());
    archive_entry_set_filetype(e.get(), item.dir ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(e.get(), item.mode);
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    const std::string_view content = item.dir ? std::string_view() : item.content;
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(content.size()));
    if (archive_write_header(w.get(), e.get()) != ARCHIVE_OK ||
        (!content.empty() && archive_write_data(w.get(), content.data(), content.size()) != static_cast<la_ssize_t>(content.size()))) {
      return make_error(Errc::system, "libarchive: " + item.path + ": " + archive_message(w.get()));
    }
  }
  if (archive_write_close(w.get()) != ARCHIVE_OK) {
    return make_error(Errc::system, "libarchive: " + archive_message(w.get()));
  }
  return out;
}

namespace {

bool
ends_with(std::string_view s, std::string_view suffix)
{
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Why a path looks like a secret, or "" when it does not.
std::string
secret_reason(const LayerEntry& e)
{
  if (e.kind != LayerEntry::Kind::file && e.kind != LayerEntry::Kind::hardlink) {
    return {};
  }
  const auto slash = e.path.rfind('/');
  const std::string base = e.path.substr(slash + 1);
  static const char* const k_names[] = {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".netrc", ".git-credentials",
                                        ".pgpass", ".pypirc", ".npmrc", "credentials.json", ".htpasswd"};
  for (const char* n : k_names) {
    if (base == n) {
      return "an SSH/credential file name";
    }
  }
  if (base == ".env" || base.rfind(".env.", 0) == 0) {
    return "a dotenv file";
  }
  if (ends_with(e.path, "/.aws/credentials") || ends_with(e.path, "/.docker/config.json")) {
    return "a credentials file";
  }
  if (e.private_key) {
    return "a PEM private key";
  }
  return {};
}

bool
is_within(const std::string& path, const std::string& dir)
{
  if (dir == "/") {
    return true;
  }
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

// The first layer above `layer` that deletes, hides or replaces `path`.
std::optional<std::size_t>
hidden_by(const std::vector<LayerInfo>& layers, std::size_t layer, const std::string& path)
{
  for (std::size_t j = layer + 1; j < layers.size(); ++j) {
    for (const auto& e : layers[j].entries) {
      if ((e.kind == LayerEntry::Kind::whiteout && is_within(path, e.path)) ||
          (e.kind == LayerEntry::Kind::opaque && path != e.path && is_within(path, e.path)) ||
          ((e.kind == LayerEntry::Kind::file || e.kind == LayerEntry::Kind::symlink) && e.path == path)) {
        return j;
      }
    }
  }
  return std::nullopt;
}

struct CacheDir {
  const char* prefix;
  const char* manager;
  const char* remedy;
};
constexpr CacheDir k_caches[] = {
  {"/var/cache/apt", "apt", "end the RUN that installs with: apt-get clean && rm -rf /var/lib/apt/lists/*"},
  {"/var/lib/apt/lists", "apt", "end the RUN that installs with: apt-get clean && rm -rf /var/lib/apt/lists/*"},
  {"/var/cache/apk", "apk", "use apk add --no-cache"},
  {"/root/.cache/pip", "pip", "use pip install --no-cache-dir"},
  {"/var/cache/dnf", "dnf", "end the RUN with: dnf clean all"},
  {"/var/cache/yum", "yum", "end the RUN with: yum clean all"},
  {"/root/.npm/_cacache", "npm", "end the RUN with: npm cache clean --force"},
};

// A finding of `rule` at `where`, sitting in layer i when given.
ImageFinding
finding_in(const std::vector<LayerInfo>& layers, std::string rule, std::string where, std::optional<std::size_t> i)
{
  ImageFinding f;
  f.rule = std::move(rule);
  f.where = std::move(where);
  f.layer = i;
  if (i) {
    f.layer_digest = layers[*i].diff_id.empty() ? layers[*i].digest : layers[*i].diff_id;
  }
  return f;
}

std::string
layer_label(const std::vector<LayerInfo>& layers, std::size_t i)
{
  const std::string& d = layers[i].diff_id.empty() ? layers[i].digest : layers[i].diff_id;
  return "layer " + std::to_string(i) + (d.empty() ? std::string() : " (" + d + ")");
}

// NAME=VALUE words of a created_by line ("/bin/sh -c #(nop) ENV A=b", "RUN |1 TOKEN=x /bin/sh ...").
std::vector<std::string>
assignments(const std::string& line)
{
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i])) != 0) {
      ++i;
    }
    std::size_t j = i;
    while (j < line.size() && std::isspace(static_cast<unsigned char>(line[j])) == 0) {
      ++j;
    }
    const std::string word = line.substr(i, j - i);
    const auto eq = word.find('=');
    if (eq != std::string::npos && eq > 0 &&
        (std::isalpha(static_cast<unsigned char>(word[0])) != 0 || word[0] == '_') &&
        std::all_of(word.begin(), word.begin() + static_cast<std::ptrdiff_t>(eq),
                    [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; })) {
      out.push_back(word);
    }
    i = j;
  }
  return out;
}

// The no-secret-env rule of the validator, with its default names, applied to a list of
// NAME=VALUE strings: returns the indexes it flags (one rule for containers and images).
std::vector<std::size_t>
secret_env_indexes(const std::vector<std::string>& env)
{
  policy::Policy p;
  p.secret_env = true;
  p.secret_env_names = policy::default_secret_env_names();
  const policy::IdAllocation alloc;
  const modify::Context ctx{p, alloc};
  spec::Json config{{"process", {{"env", env}}}};
  std::vector<std::size_t> out;
  for (const auto& f : check::validate(config, ctx)) {
    if (f.rule != "no-secret-env") {
      continue;
    }
    const auto slash = f.pointer.rfind('/');
    try {
      out.push_back(std::stoul(f.pointer.substr(slash + 1)));
    } catch (...) {
    }
  }
  return out;
}

std::string
env_name(const std::string& kv)
{
  return kv.substr(0, kv.find('='));
}

} // namespace

void
attach_history(std::vector<LayerInfo>& layers, const spec::Json& image_config)
{
  const auto h = image_config.find("history");
  if (h == image_config.end() || !h->is_array()) {
    return;
  }
  std::size_t layer = 0;
  for (const auto& entry : *h) {
    if (!entry.is_object()) {
      continue;
    }
    const auto empty = entry.find("empty_layer");
    if (empty != entry.end() && empty->is_boolean() && empty->get<bool>()) {
      continue;
    }
    if (layer >= layers.size()) {
      break;
    }
    const auto c = entry.find("created_by");
    if (c != entry.end() && c->is_string()) {
      layers[layer].created_by = c->get<std::string>();
    }
    ++layer;
  }
}

std::vector<ImageFinding>
image_findings(const std::vector<LayerInfo>& layers, const spec::Json& image_config)
{
  std::vector<ImageFinding> out;
  const spec::Json empty = spec::Json::object();
  const auto cit = image_config.find("config");
  const spec::Json& cfg = cit != image_config.end() && cit->is_object() ? *cit : empty;

  // Secret files, in whichever layer they sit.
  for (std::size_t i = 0; i < layers.size(); ++i) {
    for (const auto& e : layers[i].entries) {
      const std::string why = secret_reason(e);
      if (why.empty()) {
        continue;
      }
      ImageFinding f = finding_in(layers, "image-secret-file", e.path, i);
      f.message = e.path + " (" + why + ") is in " + layer_label(layers, i);
      if (const auto j = hidden_by(layers, i, e.path)) {
        f.message += "; " + layer_label(layers, *j) +
                     " deletes it, but the file stays in the lower layer's blob for anyone who pulls the image";
      }
      f.remedy = "never COPY secrets into an image: use a build secret (RUN --mount=type=secret) or a runtime secret "
                 "(hardrun run --secret), then rebuild and rotate the secret";
      out.push_back(std::move(f));
    }
  }

  // Package-manager caches: one finding per cache directory and layer.
  for (std::size_t i = 0; i < layers.size(); ++i) {
    std::map<std::string, std::pair<std::size_t, std::uint64_t>> seen;
    for (const auto& e : layers[i].entries) {
      if (e.kind != LayerEntry::Kind::file) {
        continue;
      }
      for (const auto& c : k_caches) {
        if (is_within(e.path, c.prefix) && !ends_with(e.path, "/lock")) {
          auto& s = seen[c.prefix];
          ++s.first;
          s.second += e.size;
        }
      }
    }
    for (const auto& c : k_caches) {
      const auto it = seen.find(c.prefix);
      if (it == seen.end()) {
        continue;
      }
      ImageFinding f = finding_in(layers, "image-package-cache", c.prefix, i);
      f.message = std::string(c.manager) + " cache " + c.prefix + " holds " + std::to_string(it->second.first) + " file(s), " +
                  std::to_string(it->second.second) + " bytes, in " + layer_label(layers, i);
      f.remedy = c.remedy;
      out.push_back(std::move(f));
    }
  }

  // ENV of the image config, then NAME=VALUE words of each history line.
  std::vector<std::string> env;
  if (const auto e = cfg.find("Env"); e != cfg.end() && e->is_array()) {
    for (const auto& v : *e) {
      if (v.is_string()) {
        env.push_back(v.get<std::string>());
      }
    }
  }
  for (const auto idx : secret_env_indexes(env)) {
    ImageFinding f = finding_in(layers, "image-secret-env", "ENV " + env_name(env[idx]), std::nullopt);
    f.message = "the image's ENV sets " + env_name(env[idx]) + ", which looks like a secret (every container and podman "
                                                               "inspect show it)";
    f.remedy = "remove the ENV from the Containerfile; pass the secret at run time as a file (hardrun run --secret)";
    out.push_back(std::move(f));
  }
  const auto h = image_config.find("history");
  if (h != image_config.end() && h->is_array()) {
    std::size_t layer = 0;
    for (std::size_t k = 0; k < h->size(); ++k) {
      const auto& entry = (*h)[k];
      if (!entry.is_object()) {
        continue;
      }
      const auto eit = entry.find("empty_layer");
      const bool empty_layer = eit != entry.end() && eit->is_boolean() && eit->get<bool>();
      const std::optional<std::size_t> this_layer = empty_layer || layer >= layers.size() ? std::nullopt
                                                                                         : std::optional<std::size_t>(layer);
      if (!empty_layer) {
        ++layer;
      }
      const auto c = entry.find("created_by");
      if (c == entry.end() || !c->is_string()) {
        continue;
      }
      const auto words = assignments(c->get<std::string>());
      for (const auto idx : secret_env_indexes(words)) {
        ImageFinding f = finding_in(layers, "image-secret-env", "history " + std::to_string(k), this_layer);
        f.message = "history entry " + std::to_string(k) + " (" + (this_layer ? layer_label(layers, *this_layer) : "no layer") +
                    ") records " + env_name(words[idx]) + "=… in its created_by, which looks like a secret";
        f.remedy = "pass build secrets with RUN --mount=type=secret, never ARG/ENV; rebuild and rotate the secret";
        out.push_back(std::move(f));
      }
    }
  }

  // Default user.
  std::string user;
  if (const auto u = cfg.find("User"); u != cfg.end() && u->is_string()) {
    user = u->get<std::string>();
  }
  const std::string uname = user.substr(0, user.find(':'));
  if (uname.empty() || uname == "0" || uname == "root") {
    ImageFinding f = finding_in(layers, "image-root-user", "config User", std::nullopt);
    f.message = user.empty() ? std::string("the image sets no User: its processes run as root by default")
                             : "the image's User is " + user + ": root";
    f.remedy = "add USER 10001:10001 (a numeric non-root id) to the Containerfile";
    out.push_back(std::move(f));
  }
  return out;
}

} // namespace hardrun::audit
