# SPDX-License-Identifier: Apache-2.0
# Reproducible builds: the same sources and SOURCE_DATE_EPOCH give the same binaries and .deb
# whatever the build directory (tests/integration/package.sh proves it). Debug info and
# __FILE__ name paths relative to the source and build trees, not the absolute directories: the
# build id (a hash of the linked file, debug info included) and so the stripped binaries would
# otherwise differ between build directories. Off by default so a developer's build tree keeps
# absolute paths for debuggers; package builds turn it on (contrib/package.sh, package.sh test).
option(HARDRUN_REPRODUCIBLE "Map source and build paths out of the binaries (package builds)" OFF)
if(HARDRUN_REPRODUCIBLE)
  add_compile_options(
    "-ffile-prefix-map=${PROJECT_SOURCE_DIR}=."
    "-ffile-prefix-map=${PROJECT_BINARY_DIR}=.")
endif()
