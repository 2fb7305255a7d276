// SPDX-License-Identifier: Apache-2.0
#include "hardrun/config/config.hpp"

#include <algorithm>

#include "hardrun/image/reference.hpp"
#include "hardrun/spec/fields.hpp"
#include "hardrun/spec/path.hpp"
#include "hardrun/sys/fs.hpp"

#ifndef HARDRUN_SYSCONF_DIR
#define HARDRUN_SYSCONF_DIR "/etc/hardrun"
#endif
#ifndef HARDRUN_HOOK_PATH
#define HARDRUN_HOOK_PATH "/usr/libexec/hardrun/hardrun-hook"
#endif

namespace hardrun::config {
namespace {

using spec::Fields;
using spec::Json;

Result<std::string>
get_abs_path(const Json& v, const std::string& pointer)
{
  HARDRUN_TRY_ASSIGN(s, spec::get_string(v, pointer));
  if (!spec::is_clean_absolute(s)) {
    // Threat: a relative path resolves against the cwd of whoever runs the hook (E7).
    return spec::bad_value(pointer, "\"" + s + "\" is not a clean absolute path");
  }
  return s;
}

} // namespace

std::string
default_path()
{
  return std::string(HARDRUN_SYSCONF_DIR) + "/hardrun.json";
}

Config
defaults()
{
  Config c;
  c.source = "built-in defaults";
  c.hook_path = HARDRUN_HOOK_PATH;
  return c;
}

const Exception*
find_exception(const Config& config, std::string_view digest)
{
  for (const auto& e : config.exceptions) {
    if (e.digest == digest) {
      return &e;
    }
  }
  return nullptr;
}

Result<Config>
parse(std::string_view text, const std::string& path)
{
  auto parsed = spec::parse_strict(text, path, spec::ParseLimits{k_max_config_bytes, 64});
  if (!parsed) {
    return tl::unexpected(std::move(parsed).error());
  }
  const Json& root = *parsed;
  Config c = defaults();
  c.source = path;
  auto inner = [&]() -> Result<void> {
    HARDRUN_TRY_ASSIGN(f, Fields::of(root, "", false));
    HARDRUN_TRY_ASSIGN(version_v, f.required("hardrunConfig"));
    HARDRUN_TRY_ASSIGN(version, spec::get_u32(*version_v, f.at("hardrunConfig")));
    if (version != k_config_version) {
      return spec::bad_value(f.at("hardrunConfig"), "unsupported version " + std::to_string(version) +
                                                        " (this hardrun reads version 1)");
    }
    if (const Json* v = f.optional("mode")) {
      HARDRUN_TRY_ASSIGN(mode, spec::get_string(*v, f.at("mode")));
      if (mode == "enforce") {
        c.mode = Mode::enforce;
      } else if (mode == "warn") {
        c.mode = Mode::warn;
      } else {
        return spec::bad_value(f.at("mode"), "must be \"enforce\" or \"warn\", not \"" + mode + "\"");
      }
    }
    if (const Json* v = f.optional("signaturePolicy")) {
      HARDRUN_TRY_ASSIGN(p, get_abs_path(*v, f.at("signaturePolicy")));
      c.signature_policy = std::move(p);
    }
    if (const Json* v = f.optional("registriesDir")) {
      HARDRUN_TRY_ASSIGN(p, get_abs_path(*v, f.at("registriesDir")));
      c.registries_dir = std::move(p);
    }
    if (const Json* v = f.optional("profile")) {
      HARDRUN_TRY_ASSIGN(p, spec::get_string(*v, f.at("profile")));
      if (p.empty() || (p.find('/') != std::string::npos && !spec::is_clean_absolute(p))) {
        return spec::bad_value(f.at("profile"), "must be a profile NAME or a clean absolute path");
      }
      c.profile = std::move(p);
    }
    if (const Json* v = f.optional("identitySource")) {
      HARDRUN_TRY_ASSIGN(s, spec::get_string(*v, f.at("identitySource")));
      if (s == "containers-storage") {
        c.identity_source = IdentitySource::containers_storage;
      } else if (s == "cri-o") {
        c.identity_source = IdentitySource::cri_o;
      } else {
        return spec::bad_value(f.at("identitySource"), "must be \"containers-storage\" or \"cri-o\"");
      }
    }
    if (const Json* v = f.optional("hookDeadlineMs")) {
      HARDRUN_TRY_ASSIGN(ms, spec::get_u32(*v, f.at("hookDeadlineMs")));
      if (ms < 100 || ms > 120000) {
        return spec::bad_value(f.at("hookDeadlineMs"), "must be from 100 to 120000");
      }
      c.hook_deadline = std::chrono::milliseconds(ms);
    }
    if (const Json* v = f.optional("hookTimeoutSeconds")) {
      HARDRUN_TRY_ASSIGN(s, spec::get_u32(*v, f.at("hookTimeoutSeconds")));
      c.hook_timeout_seconds = s;
    }
    // R1: the runtime's timeout is a backstop behind the hook's own deadline, never before it.
    if (std::chrono::milliseconds(c.hook_timeout_seconds * 1000ULL) < c.hook_deadline + std::chrono::seconds(5)) {
      return spec::bad_value(f.at("hookTimeoutSeconds"),
                             "must be at least hookDeadlineMs + 5 s (the hook's own deadline must expire first)");
    }
    if (const Json* v = f.optional("hookPath")) {
      HARDRUN_TRY_ASSIGN(p, get_abs_path(*v, f.at("hookPath")));
      c.hook_path = std::move(p);
    }
    if (const Json* v = f.optional("requireHook")) {
      HARDRUN_TRY_ASSIGN(b, spec::get_bool(*v, f.at("requireHook")));
      c.require_hook = b;
    }
    if (const Json* v = f.optional("injectHook")) {
      HARDRUN_TRY_ASSIGN(b, spec::get_bool(*v, f.at("injectHook")));
      c.inject_hook = b;
    }
    if (const Json* v = f.optional("secretsDir")) {
      HARDRUN_TRY_ASSIGN(p, get_abs_path(*v, f.at("secretsDir")));
      if (p == "/") {
        return spec::bad_value(f.at("secretsDir"), "must not be /");
      }
      c.secrets_dir = std::move(p);
    }
    if (const Json* v = f.optional("runtime")) {
      HARDRUN_TRY_ASSIGN(p, get_abs_path(*v, f.at("runtime")));
      c.runtime = std::move(p);
    }
    if (const Json* v = f.optional("exceptions")) {
      const std::string ptr = f.at("exceptions");
      if (!v->is_array()) {
        return spec::bad_value(ptr, "must be an array of {\"digest\", \"reason\"}");
      }
      for (std::size_t i = 0; i < v->size(); ++i) {
        const std::string p = spec::pointer_append(ptr, i);
        HARDRUN_TRY_ASSIGN(ef, Fields::of((*v)[i], p, false));
        HARDRUN_TRY_ASSIGN(d_v, ef.required("digest"));
        HARDRUN_TRY_ASSIGN(r_v, ef.required("reason"));
        HARDRUN_TRY(ef.finish());
        HARDRUN_TRY_ASSIGN(digest, spec::get_string(*d_v, ef.at("digest")));
        HARDRUN_TRY_ASSIGN(reason, spec::get_string(*r_v, ef.at("reason")));
        if (!image::is_sha256_digest(digest)) {
          // Exceptions are keyed by digest only: a name or tag can be re-pointed by whoever
          // pushes to the registry.
          return spec::bad_value(ef.at("digest"), "must be sha256:<64 lowercase hex>");
        }
        if (reason.empty()) {
          return spec::bad_value(ef.at("reason"), "must say why the exception exists");
        }
        c.exceptions.push_back({std::move(digest), std::move(reason)});
      }
    }
    return f.finish();
  };
  if (auto r = inner(); !r) {
    return tl::unexpected(std::move(r).error().with_context(path));
  }
  return c;
}

Result<Config>
load(const std::string& path, bool explicit_path)
{
  // P6: whoever can write this file decides what runs; it must be root's (or ours) and not
  // writable by others.
  auto file = sys::read_file(path, sys::ReadOptions{k_max_config_bytes, true, true, true});
  if (!file) {
    if (file.error().code == Errc::not_found && !explicit_path) {
      return defaults();
    }
    return tl::unexpected(std::move(file).error());
  }
  return parse(file->bytes, path);
}

} // namespace hardrun::config
