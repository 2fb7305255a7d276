# SPDX-License-Identifier: Apache-2.0
# CPACK_PRE_BUILD_SCRIPTS: runs after CPack staged the installed files, before it archives them.
# Reproducible .deb (tests/integration/package.sh): every staged file and directory gets the
# mtime SOURCE_DATE_EPOCH (the install step copies build-time mtimes), and permissions the
# umask of the build cannot change.
if(NOT DEFINED ENV{SOURCE_DATE_EPOCH})
  return()
endif()
set(epoch "$ENV{SOURCE_DATE_EPOCH}")
if(NOT epoch MATCHES "^[0-9]+$")
  message(FATAL_ERROR "SOURCE_DATE_EPOCH must be a number of seconds, not \"${epoch}\"")
endif()
foreach(dir IN LISTS CPACK_TEMPORARY_INSTALL_DIRECTORY)
  execute_process(COMMAND find "${dir}" -exec chmod go-w,a+rX {} +  RESULT_VARIABLE rc1)
  execute_process(COMMAND find "${dir}" -exec touch -h -d "@${epoch}" {} + RESULT_VARIABLE rc2)
  if(NOT rc1 EQUAL 0 OR NOT rc2 EQUAL 0)
    message(FATAL_ERROR "normalize.cmake: could not set modes or mtimes below ${dir}")
  endif()
endforeach()
