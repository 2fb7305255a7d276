// SPDX-License-Identifier: Apache-2.0
// Quadlet units (parse, render, drop-in merge), the hardened unit hardrun quadlet writes, the pin
// history and its anti-rollback check, and the quadlet audit rules. Pure: no system.
#include <algorithm>

#include "../support.hpp"
#include "hardrun/check/validator.hpp"
#include "hardrun/systemd/audit.hpp"
#include "hardrun/systemd/container.hpp"
#include "hardrun/systemd/pins.hpp"
#include "hardrun/systemd/unit_file.hpp"

using namespace hardrun::systemd;
using hardrun::test::test_allocation;
using hardrun::test::test_policy;

namespace {

const std::string k_digest_a = "sha256:" + std::string(64, 'a');
const std::string k_digest_b = "sha256:" + std::string(64, 'b');
const std::string k_digest_c = "sha256:" + std::string(64, 'c');

UnitFile
parsed(const std::string& text)
{
  auto u = parse_unit(text, "t.container");
  REQUIRE(u.has_value());
  return *u;
}

QuadletSpec
spec_for(const std::string& track = "")
{
  QuadletSpec s;
  s.name = "web";
  s.image = "127.0.0.1:5000/app@" + k_digest_a;
  s.track = track;
  s.runtime = "/usr/bin/hardrun-runtime";
  return s;
}

UnitFile
hardened(const QuadletSpec& s)
{
  const auto h = compose_hardening(test_policy(), test_allocation(), test_policy().uid, test_policy().gid);
  auto u = quadlet_unit(h, s);
  REQUIRE(u.has_value());
  return *u;
}

std::vector<std::string>
rules_of(const AuditResult& r)
{
  std::vector<std::string> out;
  for (const auto& f : r.findings) {
    out.push_back(f.rule);
  }
  return out;
}

bool
has(const std::vector<std::string>& v, const std::string& x)
{
  return std::find(v.begin(), v.end(), x) != v.end();
}

} // namespace

TEST_CASE("unit files: sections, repeated keys, comments, continuation lines", "[systemd]")
{
  const auto u = parsed("# comment\n[Unit]\nDescription = a web\n\n[Container]\n; other comment\nImage=x@" + k_digest_a +
                        "\nTmpfs=/tmp\nTmpfs=/run\nPodmanArgs=--a \\\n  --b\n");
  CHECK(u.sections == std::vector<std::string>{"Unit", "Container"});
  CHECK(u.last("Unit", "Description") == "a web");
  CHECK(u.values("Container", "Tmpfs") == std::vector<std::string>{"/tmp", "/run"});
  CHECK(u.last("Container", "PodmanArgs") == "--a  --b");
  CHECK(u.last_entry("Container", "Tmpfs")->line == 9);
  CHECK_FALSE(u.last("Container", "Nope").has_value());
}

TEST_CASE("unit files: malformed input is an error naming file and line", "[systemd]")
{
  const auto outside = parse_unit("Image=x\n", "a.container");
  REQUIRE_FALSE(outside.has_value());
  CHECK(outside.error().what().find("a.container:1") != std::string::npos);
  CHECK_FALSE(parse_unit("[Container]\nno equals sign\n", "b").has_value());
  CHECK_FALSE(parse_unit("[Container\nA=b\n", "c").has_value());
  CHECK_FALSE(parse_unit("[Container]\n=b\n", "d").has_value());
  CHECK_FALSE(parse_unit(std::string("[Container]\nA=b\0c\n", 17), "e").has_value());
  CHECK_FALSE(parse_unit("[C]\n" + std::string(k_max_unit_bytes, 'x'), "f").has_value());
}

TEST_CASE("unit files: render round-trips and refuses key injection", "[systemd]")
{
  UnitFile u;
  u.add("Container", "Image", "x@" + k_digest_a);
  u.add("Container", "Tmpfs", "/tmp");
  u.add("Install", "WantedBy", "multi-user.target");
  auto text = render_unit(u);
  REQUIRE(text.has_value());
  CHECK(*text == "[Container]\nImage=x@" + k_digest_a + "\nTmpfs=/tmp\n\n[Install]\nWantedBy=multi-user.target\n");
  const auto back = parsed(*text);
  CHECK(back.last("Container", "Image") == u.last("Container", "Image"));

  UnitFile bad;
  bad.add("Container", "HealthCmd", "true\nPodmanArgs=--privileged");
  CHECK_FALSE(render_unit(bad).has_value());
  UnitFile trailing;
  trailing.add("Container", "HealthCmd", "true \\");
  CHECK_FALSE(render_unit(trailing).has_value());
}

TEST_CASE("unit files: a drop-in's Image= wins, as in quadlet", "[systemd]")
{
  auto u = parsed("[Container]\nImage=x@" + k_digest_a + "\n");
  merge_dropin(u, parsed(pin_dropin_text("x@" + k_digest_b)));
  CHECK(u.last("Container", "Image") == "x@" + k_digest_b);
  CHECK(u.values("Container", "Image").size() == 2);
}

TEST_CASE("split_words: quadlet's quoting", "[systemd]")
{
  CHECK(split_words("--runtime /usr/bin/hardrun-runtime") == std::vector<std::string>{"--runtime", "/usr/bin/hardrun-runtime"});
  CHECK(split_words("A=\"b c\" D='e f' G=h\\ i") == std::vector<std::string>{"A=b c", "D=e f", "G=h i"});
  CHECK(split_words("  ").empty());
}

TEST_CASE("compose_hardening: the profile's settings, shared by run and quadlet", "[systemd]")
{
  const auto& pol = test_policy();
  const auto h = compose_hardening(pol, test_allocation(), pol.uid, pol.gid);
  CHECK(h.uid == 10001);
  CHECK(h.userns.empty());
  CHECK(h.uidmap == "0:100000:65536");
  CHECK(h.gidmap == "0:100000:65536");
  CHECK(h.tmpfs.size() == pol.tmpfs.size());
  CHECK(h.tmpfs.at(0).rfind("/tmp:", 0) == 0);
  CHECK(h.seccomp == pol.seccomp_path);

  hardrun::policy::Policy subid = pol;
  subid.user_namespace.subid_user = "containers";
  subid.user_namespace.size = 4096;
  CHECK(compose_hardening(subid, test_allocation(), 1, 1).userns == "auto:size=4096");
  CHECK(compose_hardening(pol, test_allocation(), 1, 1, "keep-id").userns == "keep-id");

  const auto flags = podman_flags(h);
  const auto at = [&](const std::string& f) { return std::find(flags.begin(), flags.end(), f); };
  REQUIRE(at("--user") != flags.end());
  CHECK(*(at("--user") + 1) == "10001:10001");
  CHECK(*(at("--cap-drop") + 1) == "all");
  CHECK(at("--read-only") != flags.end());
  CHECK(at("no-new-privileges") != flags.end());
  CHECK(*(at("--uidmap") + 1) == "0:100000:65536");
}

TEST_CASE("quadlet_unit: hardened by construction", "[systemd]")
{
  auto s = spec_for("127.0.0.1:5000/app:1");
  s.secrets = {{"db", ""}, {"tls", "/etc/tls.pem"}};
  s.profile = "/etc/hardrun/policies/x.json";
  const auto u = hardened(s);
  const std::string c = "Container";
  CHECK(u.last(c, "Image") == s.image);
  CHECK(u.last(c, "ReadOnly") == "true");
  CHECK(u.last(c, "ReadOnlyTmpfs") == "false");
  CHECK(u.last(c, "DropCapability") == "all");
  CHECK(u.values(c, "AddCapability").empty());
  CHECK(u.last(c, "NoNewPrivileges") == "true");
  CHECK(u.last(c, "User") == "10001");
  CHECK(u.last(c, "Group") == "10001");
  CHECK(u.last(c, "UIDMap") == "0:100000:65536");
  CHECK(u.values(c, "Tmpfs").size() == test_policy().tmpfs.size());
  CHECK(u.last(c, "SeccompProfile") == test_policy().seccomp_path);
  CHECK(u.values(c, "GlobalArgs") == std::vector<std::string>{"--runtime /usr/bin/hardrun-runtime",
                                                              "--runtime-flag hardrun-profile=/etc/hardrun/policies/x.json"});
  CHECK(u.values(c, "Secret") == std::vector<std::string>{"db,type=mount,uid=10001,gid=10001,mode=0400",
                                                          "tls,type=mount,uid=10001,gid=10001,mode=0400,target=/etc/tls.pem"});
  CHECK(u.last(k_hardrun_section, k_track_key) == "127.0.0.1:5000/app:1");
  CHECK(u.last(c, "Label") == "io.hardrun.track=127.0.0.1:5000/app:1");
  CHECK_FALSE(u.last(c, "Notify").has_value());
  CHECK_FALSE(u.last(c, "HealthCmd").has_value());
  CHECK(u.last("Service", "Restart") == "on-failure");
  CHECK(u.last("Unit", "StartLimitBurst") == "5");
  CHECK_FALSE(u.last(c, "Network").has_value());

  auto with_health = spec_for();
  with_health.health = HealthCheck{"/bin/check --fast", "10s", "3s", "2", "5s"};
  const auto hu = hardened(with_health);
  CHECK(hu.last(c, "HealthCmd") == "/bin/check --fast");
  CHECK(hu.last(c, "HealthInterval") == "10s");
  CHECK(hu.last(c, "HealthRetries") == "2");
  CHECK(hu.last(c, "Notify") == "healthy");
  CHECK_FALSE(hu.has_section(k_hardrun_section));
}

TEST_CASE("quadlet_unit: refuses values that would break the unit syntax", "[systemd]")
{
  const auto h = compose_hardening(test_policy(), test_allocation(), 10001, 10001);
  auto s = spec_for();
  s.description = "x\nExecStartPre=/bin/evil";
  CHECK_FALSE(quadlet_unit(h, s).has_value());
  for (const char* net : {"host", "host:x", "a b"}) {
    s = spec_for();
    s.network = net;
    CHECK_FALSE(quadlet_unit(h, s).has_value());
  }
  s = spec_for();
  s.network = "none";
  CHECK(quadlet_unit(h, s).value().last("Container", "Network") == "none");
  s = spec_for();
  s.runtime = "/opt/my dir/hardrun-runtime";
  CHECK_FALSE(quadlet_unit(h, s).has_value());
  s = spec_for();
  s.health = HealthCheck{"true\nPodmanArgs=--privileged", "", "", "", ""};
  CHECK_FALSE(quadlet_unit(h, s).has_value());
  // systemd would expand % and $ in the generated ExecStart=; quadlet re-quotes quotes badly.
  for (const char* cmd : {"sh -c \"x\"", "test -n $HOME", "date +%s", "a\\b", ""}) {
    INFO(cmd);
    s.health = HealthCheck{cmd, "", "", "", ""};
    CHECK_FALSE(quadlet_unit(h, s).has_value());
  }
}

TEST_CASE("parse_podman_secret: names and targets", "[systemd]")
{
  CHECK(parse_podman_secret("db").value().name == "db");
  CHECK(parse_podman_secret("db,target=db.pw").value().target == "db.pw");
  CHECK(parse_podman_secret("db,target=/etc/app/db.pw").value().target == "/etc/app/db.pw");
  for (const char* bad : {"", "a/b", ".x", "db,mode=0777", "db,target=../x", "db,target=/etc/../x", "db,target=a,b",
                          "db,target=/a b", "db,target=", "db,target=x,mode=0644"}) {
    INFO(bad);
    CHECK_FALSE(parse_podman_secret(bad).has_value());
  }
}

TEST_CASE("pin history: record, active, JSON round trip", "[systemd]")
{
  PinHistory h{"web.service", "r/app:1", {}};
  h.record(k_digest_a, "r/app@" + k_digest_a, PinState::active, 10, "pinned in the unit");
  h.record(k_digest_b, "r/app@" + k_digest_b, PinState::admitted, 20, "verified");
  CHECK(h.active()->digest == k_digest_a);
  h.record(k_digest_a, "r/app@" + k_digest_a, PinState::replaced, 30, "replaced by b");
  h.record(k_digest_b, "r/app@" + k_digest_b, PinState::active, 30, "active");
  CHECK(h.active()->digest == k_digest_b);
  REQUIRE(h.pins.size() == 2);
  CHECK(h.pins.back().digest == k_digest_b);

  const auto back = parse_pins(serialize_pins(h), "web.json");
  REQUIRE(back.has_value());
  CHECK(back->unit == "web.service");
  CHECK(back->track == "r/app:1");
  REQUIRE(back->pins.size() == 2);
  CHECK(back->pins[0].state == PinState::replaced);
  CHECK(back->pins[0].time == 30);
  CHECK(back->pins[1].reason == "active");
  CHECK(to_string(PinState::rolled_back) == "rolled-back");

  CHECK_FALSE(parse_pins("{\"pins\": [{\"digest\": \"sha256:x\", \"state\": \"active\"}]}", "p").has_value());
  CHECK_FALSE(parse_pins("{\"pins\": [{\"digest\": \"" + k_digest_a + "\", \"state\": \"gone\"}]}", "p").has_value());
  CHECK_FALSE(parse_pins("{\"pins\": 1}", "p").has_value());
  CHECK_FALSE(parse_pins("{\"pins\": [], \"pins\": []}", "p").has_value());
}

TEST_CASE("anti-rollback: a replaced or rolled-back digest needs --force", "[systemd]")
{
  PinHistory h{"web.service", "r/app:1", {}};
  h.record(k_digest_a, "a", PinState::replaced, 1, "replaced by b");
  h.record(k_digest_b, "b", PinState::active, 2, "");
  h.record(k_digest_c, "c", PinState::rolled_back, 3, "restart job failed");
  const auto back_to_a = check_move(h, k_digest_a, false);
  CHECK_FALSE(back_to_a.allowed);
  CHECK(back_to_a.reason.find("anti-rollback") != std::string::npos);
  CHECK(check_move(h, k_digest_a, true).allowed);
  const auto retry_c = check_move(h, k_digest_c, false);
  CHECK_FALSE(retry_c.allowed);
  CHECK(retry_c.reason.find("restart job failed") != std::string::npos);
  CHECK(check_move(h, "sha256:" + std::string(64, 'd'), false).allowed);
  // A digest refused by the trust policy may be tried again (the policy or its signatures can change).
  h.record(k_digest_c, "c", PinState::refused, 4, "unsigned");
  CHECK(check_move(h, k_digest_c, false).allowed);
}

TEST_CASE("audit: a unit written by hardrun quadlet is clean", "[systemd]")
{
  auto s = spec_for("127.0.0.1:5000/app:1");
  s.secrets = {{"db", ""}};
  s.health = HealthCheck{"/bin/true", "5s", "", "", ""};
  auto text = render_unit(hardened(s));
  REQUIRE(text.has_value());
  const auto r = audit_unit(parsed(*text), test_policy());
  INFO(*text);
  CHECK(r.findings.empty());
  CHECK(r.clean());
  CHECK(r.passed == r.total);
  CHECK(r.total == audit_rule_names().size() - 1);

  // Without a health check: advice only, still clean.
  const auto plain = audit_unit(parsed(render_unit(hardened(spec_for())).value()), test_policy());
  CHECK(plain.clean());
  CHECK(rules_of(plain) == std::vector<std::string>{"health-check"});
  CHECK(plain.passed == plain.total);
}

TEST_CASE("audit: each weakening key is a finding with its fix", "[systemd]")
{
  const auto r = audit_unit(parsed("[Container]\nImage=docker.io/library/nginx:latest\nUser=0\nUserNS=host\nNetwork=host\n"
                                   "AddCapability=SYS_ADMIN\nPodmanArgs=--privileged --security-opt seccomp=unconfined\n"
                                   "GlobalArgs=--cap-add=NET_ADMIN\nVolume=/etc:/host-etc:ro\nVolume=data:/data\n"
                                   "Secret=db,type=env\nSecret=tls\nEnvironment=DB_PASSWORD=hunter2 MODE=prod\n"
                                   "SeccompProfile=unconfined\nPidsLimit=-1\n"),
                            test_policy());
  const auto rules = rules_of(r);
  for (const char* rule : {"pinned-image", "hardrun-runtime", "read-only", "drop-capabilities", "add-capability", "no-new-privileges",
                           "non-root-user", "user-namespace", "no-host-namespaces", "podman-args", "no-sensitive-mounts", "secrets",
                           "no-secret-env", "seccomp", "pids-limit", "health-check"}) {
    INFO(rule);
    CHECK(has(rules, rule));
  }
  CHECK_FALSE(r.clean());
  CHECK(r.passed == 0);
  CHECK(std::count(rules.begin(), rules.end(), "secrets") == 2);
  CHECK(std::count(rules.begin(), rules.end(), "podman-args") == 3);
  CHECK(std::count(rules.begin(), rules.end(), "no-secret-env") == 1);
  CHECK(std::count(rules.begin(), rules.end(), "no-sensitive-mounts") == 1);
  for (const auto& f : r.findings) {
    INFO(f.rule << ": " << f.message);
    CHECK_FALSE(f.fix.empty());
    CHECK(f.source.rfind("t.container", 0) == 0);
  }
  const auto pinned = std::find_if(r.findings.begin(), r.findings.end(), [](const AuditFinding& f) { return f.rule == "pinned-image"; });
  CHECK(pinned->source == "t.container:2");
}

TEST_CASE("audit: capabilities the profile keeps are fine, a drop-in pin counts", "[systemd]")
{
  hardrun::policy::Policy pol = test_policy();
  pol.allowed_capabilities = {"CAP_NET_BIND_SERVICE"};
  auto u = parsed(render_unit(hardened(spec_for())).value() + "\n[Container]\nAddCapability=net_bind_service\n");
  CHECK_FALSE(has(rules_of(audit_unit(u, pol)), "add-capability"));
  CHECK(has(rules_of(audit_unit(u, test_policy())), "add-capability"));
  merge_dropin(u, parsed("[Container]\nImage=r/app:latest\n"));
  CHECK(has(rules_of(audit_unit(u, pol)), "pinned-image"));
}

TEST_CASE("validator: podman's own secret mount of a quadlet Secret= is accepted for its container only", "[systemd]")
{
  // podman binds <graphroot>/<driver>-containers/<id>/userdata/secrets/NAME to /run/secrets/NAME
  // for Secret=NAME,type=mount (verified with podman 4.3.1; podman 5 keeps the layout).
  const std::string id(64, 'e');
  const std::string other(64, 'f');
  const auto mount_of = [](const std::string& cid) {
    return hardrun::spec::Json{{"destination", "/run/secrets/db"},
                               {"type", "bind"},
                               {"source", "/var/lib/containers/storage/overlay-containers/" + cid + "/userdata/secrets/db"},
                               {"options", {"bind", "rprivate", "ro", "nosuid", "nodev", "noexec"}}};
  };
  auto config = hardrun::test::golden_input("network-none");
  hardrun::check::Options opts;
  opts.container_id = id;
  const auto count = [&] {
    const auto fs = hardrun::check::validate(config, hardrun::test::test_context(), opts);
    return std::count_if(fs.begin(), fs.end(), [](const auto& f) { return f.rule == "no-sensitive-mounts"; });
  };
  const auto before = count(); // the unhardened input's own mounts
  config["mounts"].push_back(mount_of(id));
  CHECK(count() == before);
  config["mounts"].push_back(mount_of(other));
  CHECK(count() == before + 1);
}
