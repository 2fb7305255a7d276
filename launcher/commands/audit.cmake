# SPDX-License-Identifier: Apache-2.0
# hardrun doctor and hardrun audit (issue 7): their sources beyond doctor.cpp/audit.cpp, the
# canary program doctor starts in a container, and where it is installed.
target_sources(hardrun_bin PRIVATE
  commands/doctor_canary.cpp
  commands/doctor_process.cpp
  commands/audit_image.cpp
)
target_link_libraries(hardrun_bin PRIVATE hardrun::audit)
set(HARDRUN_CANARY_PATH "${CMAKE_INSTALL_FULL_LIBEXECDIR}/hardrun/hardrun-canary")
target_compile_definitions(hardrun_bin PRIVATE
  HARDRUN_CANARY_PATH="${HARDRUN_CANARY_PATH}"
  HARDRUN_RUNTIME_PATH="${CMAKE_INSTALL_FULL_BINDIR}/hardrun-runtime")

# hardrun-canary: static (glibc's libc.a), so the one-file image needs nothing else and works
# on a fresh host without a registry or network. Not built with the project's C++ settings.
add_executable(hardrun_canary commands/doctor_canary.c)
set_target_properties(hardrun_canary PROPERTIES OUTPUT_NAME hardrun-canary C_STANDARD 11 POSITION_INDEPENDENT_CODE OFF)
# Static: no sanitizer runtimes in sanitizer builds (cmake/HardrunSettings.cmake).
set_property(TARGET hardrun_canary PROPERTY HARDRUN_NO_SANITIZE ON)
target_compile_options(hardrun_canary PRIVATE -O2 -Wall -Wextra $<$<BOOL:${HARDRUN_WERROR}>:-Werror>)
target_link_options(hardrun_canary PRIVATE -static)
install(TARGETS hardrun_canary RUNTIME DESTINATION "${CMAKE_INSTALL_LIBEXECDIR}/hardrun")
add_dependencies(hardrun_bin hardrun_canary)
