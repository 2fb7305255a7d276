# SPDX-License-Identifier: Apache-2.0
# Interface targets applied PRIVATE to first-party targets only (ccache's standard_settings).
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "" FORCE)
endif()

# Sanitizer builds (the `asan` and `fuzz` presets): every first-party object, so a finding in the
# library is caught from any test. Whole-program flags, not hardrun_settings: the static
# libraries' objects must be instrumented too, and libFuzzer needs coverage in all of them.
option(HARDRUN_SANITIZE "Build with ASan+UBSan, aborting on the first report (the asan preset)" OFF)
option(HARDRUN_FUZZ "Link tests/fuzz with libFuzzer; implies HARDRUN_SANITIZE (clang only)" OFF)
# A target that links statically (the doctor's canary) sets HARDRUN_NO_SANITIZE: the sanitizer
# runtimes need dynamic linking.
set(HARDRUN_SANITIZED_TARGET "$<NOT:$<BOOL:$<TARGET_PROPERTY:HARDRUN_NO_SANITIZE>>>")
if(HARDRUN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "HARDRUN_FUZZ needs clang (libFuzzer): use the fuzz preset")
  endif()
  set(HARDRUN_SANITIZE ON CACHE BOOL "" FORCE)
  add_compile_options("$<${HARDRUN_SANITIZED_TARGET}:-fsanitize=fuzzer-no-link>")
endif()
if(HARDRUN_SANITIZE)
  add_compile_options("$<${HARDRUN_SANITIZED_TARGET}:-fsanitize=address$<COMMA>undefined;-fno-sanitize-recover=all;-fno-omit-frame-pointer>")
  add_link_options("$<${HARDRUN_SANITIZED_TARGET}:-fsanitize=address$<COMMA>undefined;-fno-sanitize-recover=all>")
  # Tells code that must cooperate with the sanitizer runtime (the hook's sandbox) to do so.
  add_compile_definitions(HARDRUN_SANITIZER_BUILD=1)
endif()

add_library(hardrun_settings INTERFACE)
# Not _FORTIFY_SOURCE under sanitizers: the fortified wrappers bypass ASan's interceptors.
target_compile_definitions(hardrun_settings INTERFACE
  $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>
  $<$<AND:$<NOT:$<CONFIG:Debug>>,$<NOT:$<BOOL:${HARDRUN_SANITIZE}>>>:_FORTIFY_SOURCE=2>)
target_compile_options(hardrun_settings INTERFACE
  -fstack-protector-strong -fstack-clash-protection)
target_link_options(hardrun_settings INTERFACE -Wl,-z,relro -Wl,-z,now)

# Not -Wnull-dereference: with g++ 12 at -O2 it fires inside libstdc++ (std::string, std::vector
# construction) on correct code, so -Werror would fail on false positives.
add_library(hardrun_warnings INTERFACE)
target_compile_options(hardrun_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wcast-align -Wformat=2 -Werror=format-security
  $<$<BOOL:${HARDRUN_WERROR}>:-Werror>)
