// SPDX-License-Identifier: Apache-2.0
#include "hardrun/engine/harden.hpp"

namespace hardrun::engine {

Result<Outcome>
harden(spec::Document& doc, const modify::Context& ctx, const check::Options& options)
{
  return harden(doc, ctx, options, Extras{});
}

Result<Outcome>
harden(spec::Document& doc, const modify::Context& ctx, const check::Options& options, const Extras& extras)
{
  Outcome out;
  const auto chain = modify::default_chain();
  auto changes = modify::apply_chain(chain, doc.json(), ctx);
  if (!changes) {
    return Unexpected(std::move(changes).error().with_context(doc.source()));
  }
  out.changes = std::move(*changes);
  for (const modify::Modifier* m : extras.modifiers) {
    auto more = m->apply(doc.json(), ctx);
    if (!more) {
      return Unexpected(std::move(more).error().with_context(doc.source()));
    }
    out.changes.insert(out.changes.end(), more->begin(), more->end());
  }
  if (auto shape = spec::check_shape(doc.json()); !shape) {
    // A modifier produced something the loader would refuse: a bug, but never written.
    return Unexpected(std::move(shape).error().with_context(doc.source() + " (after hardening)"));
  }
  out.findings = check::validate(doc.json(), ctx, options);
  if (extras.checks) {
    auto more = extras.checks(doc.json());
    out.findings.insert(out.findings.end(), more.begin(), more.end());
  }
  if (out.findings.empty()) {
    out.output = doc.serialize();
  }
  return out;
}

std::optional<std::string>
container_id_of_bundle(const std::string& bundle)
{
  std::string b = bundle;
  while (b.size() > 1 && b.back() == '/') {
    b.pop_back();
  }
  constexpr std::string_view k_suffix = "/userdata";
  if (b.size() < k_suffix.size() + 65 || b.compare(b.size() - k_suffix.size(), k_suffix.size(), k_suffix) != 0) {
    return std::nullopt;
  }
  const std::string id = b.substr(b.size() - k_suffix.size() - 64, 64);
  if (b[b.size() - k_suffix.size() - 65] != '/' || id.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return std::nullopt;
  }
  return id;
}

} // namespace hardrun::engine
