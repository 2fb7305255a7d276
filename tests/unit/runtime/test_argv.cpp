// SPDX-License-Identifier: Apache-2.0
#include "../support.hpp"
#include "hardrun/runtime/argv.hpp"

using hardrun::runtime::Action;
using hardrun::runtime::parse_argv;

namespace {
const std::string k_id(64, 'a');
}

TEST_CASE("runtime argv: podman's create, with and without global flags (H5)")
{
  auto inv = parse_argv({"create", "--bundle", "/b", "--pid-file", "/r/pidfile", k_id});
  REQUIRE(inv);
  CHECK(inv->action == Action::harden);
  CHECK(inv->bundle == "/b");
  CHECK(inv->pid_file == "/r/pidfile");
  CHECK(inv->container_id == k_id);

  inv = parse_argv({"--root", "/run/runc", "--log", "/l", "--log-format=json", "--systemd-cgroup", "create", "-b", "/b", k_id});
  REQUIRE(inv);
  CHECK(inv->action == Action::harden);
  CHECK(inv->bundle == "/b");
  CHECK(inv->argv.front() == "--root");

  inv = parse_argv({"run", "--bundle=/b", "--detach", k_id});
  REQUIRE(inv);
  CHECK(inv->action == Action::harden);
  CHECK(inv->bundle == "/b");

  inv = parse_argv({"create", k_id});
  REQUIRE(inv);
  CHECK_FALSE(inv->bundle); // cwd
}

TEST_CASE("runtime argv: a container id or bundle named create does not confuse it")
{
  auto inv = parse_argv({"start", "create"});
  REQUIRE(inv);
  CHECK(inv->action == Action::pass_through);
  inv = parse_argv({"create", "--bundle", "create", "create"});
  REQUIRE(inv);
  CHECK(inv->action == Action::harden);
  CHECK(inv->bundle == "create");
  CHECK(inv->container_id == "create");
  inv = parse_argv({"kill", "create", "9"});
  REQUIRE(inv);
  CHECK(inv->action == Action::pass_through);
  CHECK(inv->positionals == std::vector<std::string>{"create", "9"});
}

TEST_CASE("runtime argv: hardrun's flags are taken out of the delegate's argv")
{
  auto inv = parse_argv({"--hardrun-config=/etc/x.json", "--hardrun-runtime=/usr/bin/runc", "--root", "/r", "create", "--bundle", "/b", k_id});
  REQUIRE(inv);
  CHECK(inv->hardrun_config == "/etc/x.json");
  CHECK(inv->hardrun_runtime == "/usr/bin/runc");
  CHECK(inv->argv == std::vector<std::string>{"--root", "/r", "create", "--bundle", "/b", k_id});
  CHECK_FALSE(parse_argv({"--hardrun-config", "/x", "create", k_id}));
  CHECK_FALSE(parse_argv({"--hardrun-bogus=1", "create", k_id}));
}

TEST_CASE("runtime argv: what cannot be checked is refused or an error")
{
  auto inv = parse_argv({"exec", k_id, "sh"});
  REQUIRE(inv);
  CHECK(inv->action == Action::refuse); // exec without --process: uid 0 by default (E16)
  inv = parse_argv({"exec", "--pid-file", "/p", "--process", "/proc.json", "--detach", k_id});
  REQUIRE(inv);
  CHECK(inv->action == Action::exec);
  CHECK(inv->process == "/proc.json");
  inv = parse_argv({"create", "--config", "/other.json", k_id});
  REQUIRE(inv);
  CHECK(inv->action == Action::refuse);
  inv = parse_argv({"restore", "--bundle", "/b", k_id});
  REQUIRE(inv);
  CHECK(inv->action == Action::refuse);
  // An unknown flag might take a value: the id could not be told from it.
  CHECK_FALSE(parse_argv({"--new-global", "create", k_id}));
  CHECK_FALSE(parse_argv({"create", "--new-flag", "x", k_id}));
  CHECK(parse_argv({"create", "--new-flag=x", k_id}).has_value());
  CHECK_FALSE(parse_argv({"create", "a", "b"}));
  CHECK_FALSE(parse_argv({"create", "--bundle"}));
}

TEST_CASE("runtime argv: delete and pass-through")
{
  auto inv = parse_argv({"delete", "--force", k_id});
  REQUIRE(inv);
  CHECK(inv->action == Action::delete_);
  CHECK(inv->container_id == k_id);
  inv = parse_argv({"--version"});
  REQUIRE(inv);
  CHECK(inv->action == Action::pass_through);
  CHECK(inv->subcommand.empty());
}
