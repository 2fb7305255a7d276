// SPDX-License-Identifier: Apache-2.0
// hardrun-hook: the OCI prestart admission hook. Exit status = verdict (hook/README.md).
#include <openssl/crypto.h>
#include <unistd.h>

#include <csignal>
#include <exception>

#include "hardrun/base/exit_code.hpp"
#include "run.hpp"

int
main(int argc, char** argv)
{
  // OpenSSL without its configuration file: the default provider is all sigstore verification
  // needs, and reading openssl.cnf costs ~1.7 million instructions per run (README.md,
  // "Performance").
  // Threat: OPENSSL_CONF from the environment would otherwise make this root process load a
  // configuration, and through it provider or engine modules, that nobody vetted for the hook.
  if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr) != 1) {
    static constexpr char k_msg[] = "hardrun-hook: deny: internal: cannot initialise OpenSSL\n";
    [[maybe_unused]] const ssize_t w = ::write(STDERR_FILENO, k_msg, sizeof k_msg - 1);
    return hardrun::to_int(hardrun::ExitCode::internal);
  }
  // Threat: runc (the reader of stderr) killed or gone while the hook decides (security.md
  // §4.10 M4) would make the report's write raise SIGPIPE and kill the hook before its journal
  // entry: the deny would leave no record. Ignored, the write fails with EPIPE and the verdict
  // is still journaled and returned.
  ::signal(SIGPIPE, SIG_IGN);
  try {
    // _exit: the verdict is final once reported; static destructors (crypto libraries' secure
    // allocators) would only add system calls the sandbox does not need to allow.
    ::_exit(hardrun::hook::run(argc, argv));
  } catch (...) {
    // R4: a crash is a deny. No allocation here: the message is a literal.
    static constexpr char k_msg[] = "hardrun-hook: deny: internal: unexpected exception \xe2\x80\x94 report a bug\n";
    [[maybe_unused]] const ssize_t w = ::write(STDERR_FILENO, k_msg, sizeof k_msg - 1);
    return hardrun::to_int(hardrun::ExitCode::internal);
  }
}
