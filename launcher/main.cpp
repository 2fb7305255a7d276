// SPDX-License-Identifier: Apache-2.0
#include <exception>
#include <iostream>

#include "cli.hpp"
#include "commands/commands.hpp"

int
main(int argc, char** argv)
{
  using hardrun::ExitCode;
  using hardrun::to_int;
  try {
    hardrun::cli::Cli cli;
    try {
      // Not CLI11_PARSE: its exit codes (100-127) would bypass hardrun's contract.
      cli.app().parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
      std::cout << cli.app().help("", CLI::AppFormatMode::Normal);
      return to_int(ExitCode::ok);
    } catch (const CLI::CallForVersion& e) {
      std::cout << e.what() << '\n';
      return to_int(ExitCode::ok);
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == 0) {
        return cli.app().exit(e);
      }
      std::cerr << "hardrun: usage: " << e.what() << " (see hardrun --help)\n";
      return to_int(ExitCode::usage);
    }
    const auto command = cli.command();
    if (const auto* h = std::get_if<hardrun::cli::HardenOptions>(&command)) {
      return to_int(hardrun::commands::run_harden(*h));
    }
    if (const auto* c = std::get_if<hardrun::cli::CheckOptions>(&command)) {
      return to_int(hardrun::commands::run_check(*c));
    }
    if (const auto* r = std::get_if<hardrun::cli::RunOptions>(&command)) {
      return to_int(hardrun::commands::run_run(*r));
    }
    if (const auto* p = std::get_if<hardrun::cli::PrecreateOptions>(&command)) {
      return to_int(hardrun::commands::run_precreate(*p));
    }
    if (const auto* s = std::get_if<hardrun::cli::SetupOptions>(&command)) {
      return to_int(hardrun::commands::run_setup(*s));
    }
    if (const auto* v = std::get_if<hardrun::cli::VerifyOptions>(&command)) {
      return to_int(hardrun::commands::run_verify(*v));
    }
    if (const auto* ih = std::get_if<hardrun::cli::InstallHookOptions>(&command)) {
      return to_int(hardrun::commands::run_install_hook(*ih));
    }
    if (const auto* q = std::get_if<hardrun::cli::QuadletOptions>(&command)) {
      return to_int(hardrun::commands::run_quadlet(*q));
    }
    if (const auto* u = std::get_if<hardrun::cli::UpdateOptions>(&command)) {
      return to_int(hardrun::commands::run_update(*u));
    }
    if (const auto* a = std::get_if<hardrun::cli::AuditOptions>(&command)) {
      return to_int(hardrun::commands::run_audit(*a));
    }
    if (const auto* d = std::get_if<hardrun::cli::DoctorOptions>(&command)) {
      return to_int(hardrun::commands::run_doctor(*d));
    }
    std::cerr << "hardrun: usage: a subcommand is required (see hardrun --help)\n";
    return to_int(ExitCode::usage);
  } catch (const std::exception& e) {
    std::cerr << "hardrun: internal error: " << e.what() << '\n';
  } catch (...) {
    std::cerr << "hardrun: internal error\n";
  }
  return to_int(ExitCode::internal);
}
