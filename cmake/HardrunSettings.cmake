# SPDX-License-Identifier: Apache-2.0
# Interface targets applied PRIVATE to first-party targets only (ccache's standard_settings).
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "" FORCE)
endif()

add_library(hardrun_settings INTERFACE)
target_compile_definitions(hardrun_settings INTERFACE
  $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>
  $<$<NOT:$<CONFIG:Debug>>:_FORTIFY_SOURCE=2>)
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
