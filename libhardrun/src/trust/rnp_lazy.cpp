// SPDX-License-Identifier: Apache-2.0
// Forwarding shim for the librnp functions gpg.cpp uses: each resolves the real symbol with
// dlopen/dlsym on first use, so librnp (and Botan, json-c, sqlite, bzip2, zlib, tspi below it)
// is mapped only by a process that needs OpenPGP (hardrun-hook with a signedBy requirement),
// not by every hook start. Signatures are those of <rnp/rnp.h>: a mismatch is a compile error
// (an extern "C" function cannot be overloaded), and every pointer is typed by decltype.
#include "rnp_lazy.hpp"

#include <dlfcn.h>
#include <rnp/rnp.h>
#include <rnp/rnp_err.h>

#include <cstdlib>
#include <string>
#include <type_traits>

#ifndef HARDRUN_RNP_LIBRARY
#error "HARDRUN_RNP_LIBRARY (absolute path of librnp's soname) is set by libhardrun/src/trust/CMakeLists.txt"
#endif

namespace hardrun::trust::detail {
namespace {

#define HARDRUN_RNP_FUNCTIONS(X)                                                                                      \
  X(rnp_buffer_destroy)                                                                                               \
  X(rnp_ffi_create)                                                                                                   \
  X(rnp_ffi_destroy)                                                                                                  \
  X(rnp_import_keys)                                                                                                  \
  X(rnp_input_destroy)                                                                                                \
  X(rnp_input_from_memory)                                                                                            \
  X(rnp_key_get_alg)                                                                                                  \
  X(rnp_key_get_bits)                                                                                                 \
  X(rnp_key_get_fprint)                                                                                               \
  X(rnp_key_get_primary_fprint)                                                                                       \
  X(rnp_key_handle_destroy)                                                                                           \
  X(rnp_key_is_primary)                                                                                               \
  X(rnp_key_is_revoked)                                                                                               \
  X(rnp_key_is_sub)                                                                                                   \
  X(rnp_key_is_valid)                                                                                                 \
  X(rnp_key_valid_till64)                                                                                             \
  X(rnp_locate_key)                                                                                                   \
  X(rnp_op_verify_create)                                                                                             \
  X(rnp_op_verify_destroy)                                                                                            \
  X(rnp_op_verify_execute)                                                                                            \
  X(rnp_op_verify_get_protection_info)                                                                                \
  X(rnp_op_verify_get_signature_at)                                                                                   \
  X(rnp_op_verify_get_signature_count)                                                                                \
  X(rnp_op_verify_signature_get_handle)                                                                               \
  X(rnp_op_verify_signature_get_key)                                                                                  \
  X(rnp_op_verify_signature_get_status)                                                                               \
  X(rnp_output_destroy)                                                                                               \
  X(rnp_output_memory_get_buf)                                                                                        \
  X(rnp_output_to_memory)                                                                                             \
  X(rnp_result_to_string)                                                                                             \
  X(rnp_signature_get_keyid)                                                                                          \
  X(rnp_signature_handle_destroy)

struct Api {
#define HARDRUN_RNP_MEMBER(name) decltype(&::name) name = nullptr;
  HARDRUN_RNP_FUNCTIONS(HARDRUN_RNP_MEMBER)
#undef HARDRUN_RNP_MEMBER
  std::string error; // empty: every member is set
};

Api
load()
{
  Api api;
  // Threat: none to protect. Botan's default mlock pool (mmap, a guard page and an mprotect per
  // page, mlock, memset) keeps secret key material out of swap; hardrun only ever holds public
  // keys and signatures, so the pool cost 14 ms and 2 MiB per hook run (test VM) for nothing.
  // Set before Botan's first allocation, which sizes the pool from it. setenv is not
  // thread-safe: this runs once, when the (single-threaded) caller first uses librnp.
  ::setenv("BOTAN_MLOCK_POOL_SIZE", "0", 1);
  // Threat: library injection into a root process. The absolute path is fixed at build time
  // (CMake, from pkg-config's libdir and the ABI soname librnp.so.0), never taken from the
  // environment or the working directory, so LD_LIBRARY_PATH cannot substitute librnp itself.
  // librnp's own dependencies are found by the dynamic linker as for any linked library (so
  // LD_LIBRARY_PATH would apply to them exactly as before); hardrun-hook runs with the
  // environment pinned by its hooks.d descriptor (PATH=/usr/sbin:/usr/bin, LC_ALL=C).
  // RTLD_NOW: every symbol is bound here, before a sandbox (no binding after it);
  // RTLD_LOCAL: librnp's symbols do not interpose on anything else.
  void* handle = ::dlopen(HARDRUN_RNP_LIBRARY, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    api.error = std::string("cannot load librnp (") + HARDRUN_RNP_LIBRARY + "): " + (why != nullptr ? why : "?");
    return api;
  }
  const auto resolve = [&](auto& slot, const char* name) {
    if (!api.error.empty()) {
      return;
    }
    ::dlerror();
    void* sym = ::dlsym(handle, name);
    if (sym == nullptr) {
      const char* why = ::dlerror();
      api.error = std::string("librnp (") + HARDRUN_RNP_LIBRARY + ") lacks " + name + ": " + (why != nullptr ? why : "?");
      return;
    }
    slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(sym);
  };
#define HARDRUN_RNP_RESOLVE(name) resolve(api.name, #name);
  HARDRUN_RNP_FUNCTIONS(HARDRUN_RNP_RESOLVE)
#undef HARDRUN_RNP_RESOLVE
  if (!api.error.empty()) {
    // All or nothing: a half-resolved API would fail in surprising places. The library stays
    // mapped (dlclose of a C++ library with static state is not worth the risk here).
    Api failed;
    failed.error = std::move(api.error);
    return failed;
  }
  return api;
}

// Thread-safe one-time initialisation (C++ function-local static).
const Api&
api()
{
  static const Api instance = load();
  return instance;
}

} // namespace

const std::string&
rnp_load_error()
{
  return api().error;
}

} // namespace hardrun::trust::detail

namespace {

using hardrun::trust::detail::api;

// Unavailable librnp: every call fails, so callers fail closed (no key loads, nothing verifies).
constexpr rnp_result_t k_unavailable = RNP_ERROR_NOT_IMPLEMENTED;

} // namespace

#define HARDRUN_RNP_FORWARD(name, ...)                                                                                \
  if (auto* const f = api().name; f != nullptr) {                                                                     \
    return f(__VA_ARGS__);                                                                                            \
  }                                                                                                                   \
  return k_unavailable

extern "C" {

void
rnp_buffer_destroy(void* ptr)
{
  // Nothing librnp allocated can exist without librnp.
  if (auto* const f = api().rnp_buffer_destroy; f != nullptr) {
    f(ptr);
  }
}

const char*
rnp_result_to_string(rnp_result_t result)
{
  if (auto* const f = api().rnp_result_to_string; f != nullptr) {
    return f(result);
  }
  return api().error.c_str();
}

rnp_result_t
rnp_ffi_create(rnp_ffi_t* ffi, const char* pub_format, const char* sec_format)
{
  HARDRUN_RNP_FORWARD(rnp_ffi_create, ffi, pub_format, sec_format);
}

rnp_result_t
rnp_ffi_destroy(rnp_ffi_t ffi)
{
  HARDRUN_RNP_FORWARD(rnp_ffi_destroy, ffi);
}

rnp_result_t
rnp_import_keys(rnp_ffi_t ffi, rnp_input_t input, uint32_t flags, char** results)
{
  HARDRUN_RNP_FORWARD(rnp_import_keys, ffi, input, flags, results);
}

rnp_result_t
rnp_input_destroy(rnp_input_t input)
{
  HARDRUN_RNP_FORWARD(rnp_input_destroy, input);
}

rnp_result_t
rnp_input_from_memory(rnp_input_t* input, const uint8_t buf[], size_t buf_len, bool do_copy)
{
  HARDRUN_RNP_FORWARD(rnp_input_from_memory, input, buf, buf_len, do_copy);
}

rnp_result_t
rnp_key_get_alg(rnp_key_handle_t key, char** alg)
{
  HARDRUN_RNP_FORWARD(rnp_key_get_alg, key, alg);
}

rnp_result_t
rnp_key_get_bits(rnp_key_handle_t key, uint32_t* bits)
{
  HARDRUN_RNP_FORWARD(rnp_key_get_bits, key, bits);
}

rnp_result_t
rnp_key_get_fprint(rnp_key_handle_t key, char** fprint)
{
  HARDRUN_RNP_FORWARD(rnp_key_get_fprint, key, fprint);
}

rnp_result_t
rnp_key_get_primary_fprint(rnp_key_handle_t key, char** fprint)
{
  HARDRUN_RNP_FORWARD(rnp_key_get_primary_fprint, key, fprint);
}

rnp_result_t
rnp_key_handle_destroy(rnp_key_handle_t key)
{
  HARDRUN_RNP_FORWARD(rnp_key_handle_destroy, key);
}

rnp_result_t
rnp_key_is_primary(rnp_key_handle_t key, bool* result)
{
  HARDRUN_RNP_FORWARD(rnp_key_is_primary, key, result);
}

rnp_result_t
rnp_key_is_revoked(rnp_key_handle_t key, bool* result)
{
  HARDRUN_RNP_FORWARD(rnp_key_is_revoked, key, result);
}

rnp_result_t
rnp_key_is_sub(rnp_key_handle_t key, bool* result)
{
  HARDRUN_RNP_FORWARD(rnp_key_is_sub, key, result);
}

rnp_result_t
rnp_key_is_valid(rnp_key_handle_t key, bool* result)
{
  HARDRUN_RNP_FORWARD(rnp_key_is_valid, key, result);
}

rnp_result_t
rnp_key_valid_till64(rnp_key_handle_t key, uint64_t* result)
{
  HARDRUN_RNP_FORWARD(rnp_key_valid_till64, key, result);
}

rnp_result_t
rnp_locate_key(rnp_ffi_t ffi, const char* identifier_type, const char* identifier, rnp_key_handle_t* key)
{
  HARDRUN_RNP_FORWARD(rnp_locate_key, ffi, identifier_type, identifier, key);
}

rnp_result_t
rnp_op_verify_create(rnp_op_verify_t* op, rnp_ffi_t ffi, rnp_input_t input, rnp_output_t output)
{
  HARDRUN_RNP_FORWARD(rnp_op_verify_create, op, ffi, input, output);
}

rnp_result_t
rnp_op_verify_destroy(rnp_op_verify_t op)
{
  HARDRUN_RNP_FORWARD(rnp_op_verify_destroy, op);
}

rnp_result_t
rnp_op_verify_execute(rnp_op_verify_t op)
{
  HARDRUN_RNP_FORWARD(rnp_op_verify_execute, op);
}

rnp_result_t
rnp_op_verify_get_protection_info(rnp_op_verify_t op, char** mode, char** cipher, bool* valid)
{
  HARDRUN_RNP_FORWARD(rnp_op_verify_get_protection_info, op, mode, cipher, valid);
}

rnp_result_t
rnp_op_verify_get_signature_at(rnp_op_verify_t op, size_t idx, rnp_op_verify_signature_t* sig)
{
  HARDRUN_RNP_FORWARD(rnp_op_verify_get_signature_at, op, idx, sig);
}

rnp_result_t
rnp_op_verify_get_signature_count(rnp_op_verify_t op, size_t* count)
{
  HARDRUN_RNP_FORWARD(rnp_op_verify_get_signature_count, op, count);
}

rnp_result_t
rnp_op_verify_signature_get_handle(rnp_op_verify_signature_t sig, rnp_signature_handle_t* handle)
{
  HARDRUN_RNP_FORWARD(rnp_op_verify_signature_get_handle, sig, handle);
}

rnp_result_t
rnp_op_verify_signature_get_key(rnp_op_verify_signature_t sig, rnp_key_handle_t* key)
{
  HARDRUN_RNP_FORWARD(rnp_op_verify_signature_get_key, sig, key);
}

rnp_result_t
rnp_op_verify_signature_get_status(rnp_op_verify_signature_t sig)
{
  HARDRUN_RNP_FORWARD(rnp_op_verify_signature_get_status, sig);
}

rnp_result_t
rnp_output_destroy(rnp_output_t output)
{
  HARDRUN_RNP_FORWARD(rnp_output_destroy, output);
}

rnp_result_t
rnp_output_memory_get_buf(rnp_output_t output, uint8_t** buf, size_t* len, bool do_copy)
{
  HARDRUN_RNP_FORWARD(rnp_output_memory_get_buf, output, buf, len, do_copy);
}

rnp_result_t
rnp_output_to_memory(rnp_output_t* output, size_t max_alloc)
{
  HARDRUN_RNP_FORWARD(rnp_output_to_memory, output, max_alloc);
}

rnp_result_t
rnp_signature_get_keyid(rnp_signature_handle_t sig, char** result)
{
  HARDRUN_RNP_FORWARD(rnp_signature_get_keyid, sig, result);
}

rnp_result_t
rnp_signature_handle_destroy(rnp_signature_handle_t sig)
{
  HARDRUN_RNP_FORWARD(rnp_signature_handle_destroy, sig);
}

} // extern "C"
