// SPDX-License-Identifier: Apache-2.0
#include "update_systemd.hpp"

#include <syslog.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <thread>

namespace hardrun::commands::update_sd {
namespace {

constexpr const char* k_dest = "org.freedesktop.systemd1";
constexpr const char* k_path = "/org/freedesktop/systemd1";
constexpr const char* k_manager = "org.freedesktop.systemd1.Manager";

sd_bus*
bus_of(void* p)
{
  return static_cast<sd_bus*>(p);
}

Unexpected
bus_error(int r, const sd_bus_error& e, const std::string& what)
{
  const std::string detail = e.message != nullptr ? e.message : std::string();
  return make_error(Errc::system, what + ": " + (detail.empty() ? std::string(std::strerror(-r)) : detail));
}

// JobRemoved(u id, o job, s unit, s result), kept by job path until we know ours.
int
on_job_removed(sd_bus_message* m, void* userdata, sd_bus_error* /*error*/)
{
  std::uint32_t id = 0;
  const char* job = nullptr;
  const char* unit = nullptr;
  const char* result = nullptr;
  if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) >= 0 && job != nullptr && result != nullptr) {
    (*static_cast<std::map<std::string, std::string>*>(userdata))[job] = result;
  }
  return 0;
}

Result<std::pair<std::string, std::string>>
unit_state(sd_bus* bus, const std::string& unit)
{
  sd_bus_error err{}; // = SD_BUS_ERROR_NULL, whose compound literal is a C99 extension in C++
  sd_bus_message* reply = nullptr;
  int r = sd_bus_call_method(bus, k_dest, k_path, k_manager, "LoadUnit", &err, &reply, "s", unit.c_str());
  if (r < 0) {
    auto e = bus_error(r, err, "LoadUnit " + unit);
    sd_bus_error_free(&err);
    return e;
  }
  const char* path = nullptr;
  r = sd_bus_message_read(reply, "o", &path);
  const std::string upath = r >= 0 && path != nullptr ? path : "";
  sd_bus_message_unref(reply);
  if (upath.empty()) {
    return make_error(Errc::system, "LoadUnit " + unit + ": no object path");
  }
  std::pair<std::string, std::string> out;
  for (auto [prop, dst] : {std::pair{"ActiveState", &out.first}, std::pair{"SubState", &out.second}}) {
    char* value = nullptr;
    r = sd_bus_get_property_string(bus, k_dest, upath.c_str(), "org.freedesktop.systemd1.Unit", prop, &err, &value);
    if (r < 0) {
      auto e = bus_error(r, err, std::string("read ") + prop + " of " + unit);
      sd_bus_error_free(&err);
      return e;
    }
    *dst = value;
    std::free(value);
  }
  return out;
}

} // namespace

Manager::Manager(Manager&& other) noexcept : m_bus(other.m_bus)
{
  other.m_bus = nullptr;
}

Manager::~Manager()
{
  if (m_bus != nullptr) {
    sd_bus_flush_close_unref(bus_of(m_bus));
  }
}

Result<Manager>
Manager::connect()
{
  sd_bus* bus = nullptr;
  const int r = ::geteuid() == 0 ? sd_bus_open_system(&bus) : sd_bus_open_user(&bus);
  if (r < 0) {
    return make_error(Errc::system, std::string("cannot connect to the systemd manager over D-Bus: ") + std::strerror(-r) +
                                      " (is systemd PID 1 and dbus running?)");
  }
  Manager m;
  m.m_bus = bus;
  // Subscribe: the manager sends JobRemoved only to subscribed clients.
  sd_bus_error err{}; // = SD_BUS_ERROR_NULL, whose compound literal is a C99 extension in C++
  const int s = sd_bus_call_method(bus, k_dest, k_path, k_manager, "Subscribe", &err, nullptr, "");
  if (s < 0) {
    auto e = bus_error(s, err, "Subscribe");
    sd_bus_error_free(&err);
    return e;
  }
  return m;
}

Result<void>
Manager::reload()
{
  sd_bus_error err{}; // = SD_BUS_ERROR_NULL, whose compound literal is a C99 extension in C++
  sd_bus_message* reply = nullptr;
  // The reply comes once the reload (and the generators) are done; it can take a while.
  sd_bus_message* call = nullptr;
  int r = sd_bus_message_new_method_call(bus_of(m_bus), &call, k_dest, k_path, k_manager, "Reload");
  if (r >= 0) {
    r = sd_bus_call(bus_of(m_bus), call, 120ULL * 1000 * 1000, &err, &reply);
  }
  sd_bus_message_unref(call);
  sd_bus_message_unref(reply);
  if (r < 0) {
    auto e = bus_error(r, err, "daemon-reload");
    sd_bus_error_free(&err);
    return e;
  }
  return {};
}

Result<void>
Manager::reset_failed(const std::string& unit)
{
  sd_bus_error err{}; // = SD_BUS_ERROR_NULL, whose compound literal is a C99 extension in C++
  sd_bus_message* reply = nullptr;
  const int r = sd_bus_call_method(bus_of(m_bus), k_dest, k_path, k_manager, "ResetFailedUnit", &err, &reply, "s", unit.c_str());
  sd_bus_message_unref(reply);
  // A unit that is not failed is not an error for ResetFailedUnit; anything else is.
  if (r < 0) {
    auto e = bus_error(r, err, "reset-failed " + unit);
    sd_bus_error_free(&err);
    return e;
  }
  return {};
}

Result<StartOutcome>
Manager::restart(const std::string& unit, std::chrono::seconds timeout, std::chrono::seconds settle)
{
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + timeout;
  sd_bus* bus = bus_of(m_bus);
  std::map<std::string, std::string> removed;
  sd_bus_slot* slot = nullptr;
  int r = sd_bus_match_signal(bus, &slot, k_dest, k_path, k_manager, "JobRemoved", on_job_removed, &removed);
  if (r < 0) {
    return make_error(Errc::system, std::string("watch JobRemoved: ") + std::strerror(-r));
  }
  sd_bus_error err{}; // = SD_BUS_ERROR_NULL, whose compound literal is a C99 extension in C++
  sd_bus_message* reply = nullptr;
  r = sd_bus_call_method(bus, k_dest, k_path, k_manager, "RestartUnit", &err, &reply, "ss", unit.c_str(), "replace");
  if (r < 0) {
    auto e = bus_error(r, err, "RestartUnit " + unit);
    sd_bus_error_free(&err);
    sd_bus_slot_unref(slot);
    return e;
  }
  const char* jobp = nullptr;
  r = sd_bus_message_read(reply, "o", &jobp);
  const std::string job = r >= 0 && jobp != nullptr ? jobp : "";
  sd_bus_message_unref(reply);
  StartOutcome out;
  while (out.job_result.empty()) {
    if (const auto it = removed.find(job); it != removed.end()) {
      out.job_result = it->second;
      break;
    }
    const auto now = clock::now();
    if (now >= deadline) {
      out.job_result = "deadline";
      break;
    }
    r = sd_bus_process(bus, nullptr);
    if (r < 0) {
      sd_bus_slot_unref(slot);
      return make_error(Errc::system, std::string("D-Bus: ") + std::strerror(-r));
    }
    if (r == 0) {
      const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - now).count();
      (void)sd_bus_wait(bus, static_cast<std::uint64_t>(left));
    }
  }
  sd_bus_slot_unref(slot);
  if (out.job_result == "done") {
    // Restart=on-failure would start a crashed container again: it must still be active after
    // the settle time, not merely have been active once.
    const auto until = std::min(deadline, clock::now() + settle);
    while (clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      auto st = unit_state(bus, unit);
      if (!st) {
        return tl::unexpected(std::move(st).error());
      }
      if (st->first != "active") {
        break;
      }
    }
  }
  auto st = unit_state(bus, unit);
  if (!st) {
    return tl::unexpected(std::move(st).error());
  }
  out.active_state = st->first;
  out.sub_state = st->second;
  out.up = out.job_result == "done" && out.active_state == "active";
  return out;
}

void
log_step(int priority, const std::string& unit, const std::string& digest, const std::string& step, const std::string& message)
{
  std::cerr << "hardrun update: " << unit << ": " << step << ": " << message << '\n';
  // Best effort: without journald the stderr line is the record.
  (void)sd_journal_send("MESSAGE=hardrun update: %s: %s: %s", unit.c_str(), step.c_str(), message.c_str(), "MESSAGE_ID=%s", k_message_id,
                        "PRIORITY=%i", priority, "UNIT=%s", unit.c_str(), "DIGEST=%s", digest.c_str(), "STEP=%s", step.c_str(),
                        "SYSLOG_IDENTIFIER=hardrun-update", nullptr);
}

} // namespace hardrun::commands::update_sd
