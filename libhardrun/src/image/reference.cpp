// SPDX-License-Identifier: Apache-2.0
// Docker references as containers/image's docker/reference package parses and normalises them
// (grammar: distribution/reference regexp.go; normalisation: ParseNormalizedNamed). Written
// from the grammar, by hand: no regex engine, ASCII only, so a homoglyph or any non-ASCII byte
// can never be taken for a registry or repository name (security.md I9).
#include "hardrun/image/reference.hpp"

#include <array>
#include <cstddef>

namespace hardrun::image {
namespace {

constexpr std::size_t k_name_max = 255; // NameTotalLengthMax
constexpr std::size_t k_tag_max = 128;
constexpr std::string_view k_default_domain = "docker.io";
constexpr std::string_view k_legacy_domain = "index.docker.io";

bool
is_lower_alnum(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool
is_alnum(char c)
{
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

bool
is_digit(char c)
{
  return c >= '0' && c <= '9';
}

bool
is_lower_hex(char c)
{
  return is_digit(c) || (c >= 'a' && c <= 'f');
}

bool
is_word(char c)
{
  return is_alnum(c) || c == '_';
}

// The problem first: the quoted input is capped (it may be huge or hostile).
Unexpected
bad(std::string_view text, const std::string& problem)
{
  constexpr std::size_t k_quote_max = 128;
  const std::string quoted =
    text.size() > k_quote_max ? std::string(text.substr(0, k_quote_max)) + "..." : std::string(text);
  return make_error(Errc::invalid_input, "invalid image reference: " + problem + ": \"" + quoted + "\"");
}

// alpha-numeric (separator alpha-numeric)*, separator = "." | "_" | "__" | "-"+.
bool
valid_path_component(std::string_view c)
{
  if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) {
    return false;
  }
  std::size_t i = 0;
  while (i < c.size()) {
    if (is_lower_alnum(c[i])) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < c.size() && !is_lower_alnum(c[i])) {
      ++i;
    }
    const std::string_view sep = c.substr(start, i - start);
    const bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (sep != "." && sep != "_" && sep != "__" && !dashes) {
      return false;
    }
  }
  return true;
}

// domain-component ("." domain-component)* (":" port)?; a component is alphanumeric with inner
// dashes (uppercase is legal in host names).
bool
valid_domain(std::string_view d)
{
  const std::size_t colon = d.find(':');
  std::string_view host = d.substr(0, colon);
  if (colon != std::string_view::npos) {
    const std::string_view port = d.substr(colon + 1);
    if (port.empty()) {
      return false;
    }
    for (const char c : port) {
      if (!is_digit(c)) {
        return false;
      }
    }
  }
  if (host.empty()) {
    return false;
  }
  while (true) {
    const std::size_t dot = host.find('.');
    const std::string_view part = host.substr(0, dot);
    if (part.empty() || !is_alnum(part.front()) || !is_alnum(part.back())) {
      return false;
    }
    for (const char c : part) {
      if (!is_alnum(c) && c != '-') {
        return false;
      }
    }
    if (dot == std::string_view::npos) {
      return true;
    }
    host.remove_prefix(dot + 1);
  }
}

bool
valid_tag(std::string_view t)
{
  if (t.empty() || t.size() > k_tag_max || !is_word(t.front())) {
    return false;
  }
  for (const char c : t) {
    if (!is_word(c) && c != '.' && c != '-') {
      return false;
    }
  }
  return true;
}

} // namespace

std::string
Reference::name() const
{
  return domain + "/" + path;
}

std::string
Reference::str() const
{
  std::string out = name();
  if (!tag.empty()) {
    out += ":" + tag;
  }
  if (!digest.empty()) {
    out += "@" + digest;
  }
  return out;
}

bool
is_sha256_digest(std::string_view digest)
{
  constexpr std::string_view prefix = "sha256:";
  if (digest.size() != prefix.size() + 64 || digest.substr(0, prefix.size()) != prefix) {
    return false;
  }
  for (const char c : digest.substr(prefix.size())) {
    if (!is_lower_hex(c)) {
      return false;
    }
  }
  return true;
}

bool
is_valid_domain(std::string_view domain)
{
  return valid_domain(domain);
}

bool
is_valid_repository_path(std::string_view path)
{
  while (true) {
    const std::size_t s = path.find('/');
    if (!valid_path_component(path.substr(0, s))) {
      return false;
    }
    if (s == std::string_view::npos) {
      return true;
    }
    path.remove_prefix(s + 1);
  }
}

Result<Reference>
parse_reference(std::string_view text)
{
  if (text.empty()) {
    return bad(text, "empty");
  }
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    // Threat: look-alike registries (Cyrillic "а"), NUL truncation, control characters in
    // reports; the grammar is printable ASCII only (I9).
    if (u < 0x21 || u > 0x7e) {
      return bad(text, "contains a non-ASCII, control or space character");
    }
  }
  // A bare 64-hex string is an image id, never a repository name (ParseNormalizedNamed).
  if (text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string_view::npos) {
    return bad(text, "a 64-hex image id is not a repository name");
  }
  // "sha256:<hex>" without "@" is what podman records for a run by image id; the grammar would
  // read it as docker.io/library/sha256 with a tag. Refuse it so it can never pass for a name.
  if (text.substr(0, 7) == "sha256:" && text.find('/') == std::string_view::npos) {
    return bad(text, "an image id (sha256:<hex> without a repository and \"@\") is not a reference");
  }

  Reference ref;
  std::string_view rest = text;
  if (const std::size_t at = rest.find('@'); at != std::string_view::npos) {
    const std::string_view digest = rest.substr(at + 1);
    // Threat: a digest ends up in file names and comparisons (CVE-2024-3727): sha256 with
    // exactly 64 lowercase hex is the only form accepted (I3).
    if (!is_sha256_digest(digest)) {
      return bad(text, "invalid digest \"" + std::string(digest) + "\" (only sha256: with 64 lowercase hex)");
    }
    ref.digest = digest;
    rest = rest.substr(0, at);
  }
  if (const std::size_t colon = rest.rfind(':');
      colon != std::string_view::npos && (rest.rfind('/') == std::string_view::npos || colon > rest.rfind('/'))) {
    const std::string_view tag = rest.substr(colon + 1);
    if (!valid_tag(tag)) {
      return bad(text, "invalid tag \"" + std::string(tag) + "\"");
    }
    ref.tag = tag;
    rest = rest.substr(0, colon);
  }

  // splitDockerDomain: the first component is a registry only if it has "." or ":" or is
  // "localhost"; otherwise the name lives on docker.io, and a single component there is an
  // official image under library/.
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos ||
      (rest.substr(0, slash).find_first_of(".:") == std::string_view::npos && rest.substr(0, slash) != "localhost")) {
    ref.domain = k_default_domain;
    ref.path = rest;
  } else {
    ref.domain = rest.substr(0, slash);
    ref.path = rest.substr(slash + 1);
  }
  if (ref.domain == k_legacy_domain) {
    ref.domain = k_default_domain;
  }
  if (ref.domain == k_default_domain && ref.path.find('/') == std::string::npos) {
    ref.path = "library/" + ref.path;
  }
  if (!valid_domain(ref.domain)) {
    return bad(text, "invalid registry \"" + ref.domain + "\"");
  }
  for (char c : ref.path) {
    if (c >= 'A' && c <= 'Z') {
      return bad(text, "repository name must be lowercase");
    }
  }
  if (!is_valid_repository_path(ref.path)) {
    return bad(text, "invalid repository path \"" + ref.path + "\"");
  }
  if (ref.name().size() > k_name_max) {
    return bad(text, "repository name longer than 255 characters");
  }
  return ref;
}

} // namespace hardrun::image
