// SPDX-License-Identifier: Apache-2.0
#include "hardrun/systemd/pins.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "hardrun/image/reference.hpp"
#include "hardrun/spec/json.hpp"

namespace hardrun::systemd {
namespace {

constexpr std::array<std::pair<PinState, std::string_view>, 5> k_names = {{
  {PinState::admitted, "admitted"},
  {PinState::active, "active"},
  {PinState::replaced, "replaced"},
  {PinState::rolled_back, "rolled-back"},
  {PinState::refused, "refused"},
}};

} // namespace

std::string_view
to_string(PinState state)
{
  for (const auto& [s, n] : k_names) {
    if (s == state) {
      return n;
    }
  }
  return "?";
}

std::optional<PinState>
pin_state_from(std::string_view name)
{
  for (const auto& [s, n] : k_names) {
    if (n == name) {
      return s;
    }
  }
  return std::nullopt;
}

const Pin*
PinHistory::find(std::string_view digest) const
{
  const auto it = std::find_if(pins.begin(), pins.end(), [&](const Pin& p) { return p.digest == digest; });
  return it == pins.end() ? nullptr : &*it;
}

void
PinHistory::record(const std::string& digest, const std::string& image, PinState state, std::int64_t time, const std::string& reason)
{
  const auto it = std::find_if(pins.begin(), pins.end(), [&](const Pin& p) { return p.digest == digest; });
  if (it != pins.end()) {
    pins.erase(it);
  }
  pins.push_back({digest, image, state, time, reason});
}

const Pin*
PinHistory::active() const
{
  for (auto it = pins.rbegin(); it != pins.rend(); ++it) {
    if (it->state == PinState::active) {
      return &*it;
    }
  }
  return nullptr;
}

Result<PinHistory>
parse_pins(std::string_view text, const std::string& path)
{
  HARDRUN_TRY_ASSIGN(j, spec::parse_strict(text, path, spec::ParseLimits{}));
  PinHistory h;
  const auto bad = [&](const std::string& what) { return make_error(Errc::invalid_input, path + ": " + what); };
  if (j.contains("unit") && j["unit"].is_string()) {
    h.unit = j["unit"].get<std::string>();
  }
  if (j.contains("track") && j["track"].is_string()) {
    h.track = j["track"].get<std::string>();
  }
  if (!j.contains("pins") || !j["pins"].is_array()) {
    return bad("/pins: expected an array");
  }
  for (std::size_t i = 0; i < j["pins"].size(); ++i) {
    const auto& p = j["pins"][i];
    const std::string at = "/pins/" + std::to_string(i);
    if (!p.is_object() || !p.contains("digest") || !p["digest"].is_string() || !p.contains("state") || !p["state"].is_string()) {
      return bad(at + ": expected {digest, image, state, time, reason}");
    }
    Pin pin;
    pin.digest = p["digest"].get<std::string>();
    if (!image::is_sha256_digest(pin.digest)) {
      return bad(at + "/digest: not sha256:<64 hex>");
    }
    const auto state = pin_state_from(p["state"].get<std::string>());
    if (!state) {
      return bad(at + "/state: unknown state " + p["state"].get<std::string>());
    }
    pin.state = *state;
    pin.image = p.value("image", std::string());
    pin.time = p.contains("time") && p["time"].is_number_integer() ? p["time"].get<std::int64_t>() : 0;
    pin.reason = p.value("reason", std::string());
    h.pins.push_back(std::move(pin));
  }
  return h;
}

std::string
serialize_pins(const PinHistory& history)
{
  spec::Json j{{"unit", history.unit}, {"track", history.track}, {"pins", spec::Json::array()}};
  for (const auto& p : history.pins) {
    j["pins"].push_back({{"digest", p.digest}, {"image", p.image}, {"state", to_string(p.state)}, {"time", p.time}, {"reason", p.reason}});
  }
  return j.dump(2) + "\n";
}

MoveCheck
check_move(const PinHistory& history, std::string_view candidate, bool force)
{
  const Pin* p = history.find(candidate);
  if (p == nullptr || force) {
    return {};
  }
  if (p->state == PinState::replaced) {
    return {false, std::string(candidate) + " was replaced by a newer digest (anti-rollback: a tag moved back to an old "
                                            "image); hardrun update --force UNIT moves to it anyway"};
  }
  if (p->state == PinState::rolled_back) {
    return {false, std::string(candidate) + " was rolled back before (" + p->reason + "); push a fixed image, or "
                                            "hardrun update --force UNIT to try it again"};
  }
  return {};
}

} // namespace hardrun::systemd
