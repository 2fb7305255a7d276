# SPDX-License-Identifier: Apache-2.0
# What `cmake --install` puts where a distribution would (beyond the programs, profiles, man
# pages and completions installed next to their sources), and the Debian package (cpack -G DEB).
# The .deb is reproducible: see tests/integration/package.sh.
set(HARDRUN_EXAMPLES_DIR "${CMAKE_INSTALL_FULL_DOCDIR}/examples")

# hardrun's configuration: the built-in strict defaults, written out so an admin can see and
# edit them (a conffile in the .deb: dpkg keeps local edits on upgrade).
configure_file("${PROJECT_SOURCE_DIR}/packaging/hardrun.json.in" "${PROJECT_BINARY_DIR}/packaging/hardrun.json" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/packaging/hardrun.json" DESTINATION "${CMAKE_INSTALL_FULL_SYSCONFDIR}/hardrun")

# Registers the shim as podman's runtime "hardrun" (not the default runtime). podman 4.3 reads
# drop-ins from /etc/containers/containers.conf.d only (not /usr/share/containers/...).
configure_file("${PROJECT_SOURCE_DIR}/packaging/hardrun-runtime.conf.in" "${PROJECT_BINARY_DIR}/packaging/50-hardrun.conf" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/packaging/50-hardrun.conf" DESTINATION "${CMAKE_INSTALL_FULL_SYSCONFDIR}/containers/containers.conf.d")

# Opt-in snippets and examples.
install(FILES contrib/containers.conf.d/hardrun.conf DESTINATION "${HARDRUN_EXAMPLES_DIR}/containers.conf.d")
install(FILES contrib/hooks.d/hardrun-precreate.json DESTINATION "${HARDRUN_EXAMPLES_DIR}/hooks.d")
install(DIRECTORY contrib/examples/ DESTINATION "${HARDRUN_EXAMPLES_DIR}" OPTIONAL)
install(FILES docs/adopt.md DESTINATION "${CMAKE_INSTALL_DOCDIR}" OPTIONAL)

# systemd units of `hardrun update` (when their owner has committed them).
set(HARDRUN_SYSTEMD_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system" CACHE PATH "systemd system unit directory")
foreach(unit hardrun-update.service hardrun-update.timer)
  if(EXISTS "${PROJECT_SOURCE_DIR}/contrib/systemd/${unit}")
    install(FILES "contrib/systemd/${unit}" DESTINATION "${HARDRUN_SYSTEMD_UNIT_DIR}")
  endif()
endforeach()

# ---- Debian package ---------------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hardrun)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "hardrun")
set(CPACK_PACKAGE_CONTACT "hardrun maintainers <hardrun@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "run podman containers hardened, and refuse images nobody vouches for")
set(CPACK_PACKAGE_DESCRIPTION "hardrun rewrites the OCI configuration of podman containers (read-only root,\n\
no capabilities, no-new-privileges, a non-root user in a user namespace, seccomp) through a runtime\n\
shim, and an OCI prestart hook refuses images that are not pinned by digest and signed by a\n\
trusted key (containers-policy.json: GPG simple signing and sigstore).")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.invalid/hardrun")
# Shared libraries from dpkg-shlibdeps; librnp0 is dlopened (GPG keys), so dpkg-shlibdeps cannot
# see it; uidmap gives newuidmap for --userns=auto. runc is the shim's delegate (hardrun.json
# "runtime": the tested one; crun, which podman itself prefers, fails on cgroup v1/hybrid hosts).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "podman (>= 4.3), runc (>= 1.1), uidmap, librnp0 (>= 0.16)")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "skopeo, man-db")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
file(WRITE "${PROJECT_BINARY_DIR}/packaging/conffiles"
  "${CMAKE_INSTALL_FULL_SYSCONFDIR}/hardrun/hardrun.json\n"
  "${CMAKE_INSTALL_FULL_SYSCONFDIR}/containers/containers.conf.d/50-hardrun.conf\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  "${PROJECT_BINARY_DIR}/packaging/conffiles"
  "${PROJECT_SOURCE_DIR}/packaging/debian/postinst"
  "${PROJECT_SOURCE_DIR}/packaging/debian/postrm")
# Only what the package installs, stripped (debug info would be a -dbgsym package).
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_CMAKE_PROJECTS "${PROJECT_BINARY_DIR};${PROJECT_NAME};ALL;/")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
# Reproducible: mtimes from SOURCE_DATE_EPOCH, modes independent of the umask.
set(CPACK_PRE_BUILD_SCRIPTS "${PROJECT_SOURCE_DIR}/packaging/normalize.cmake")
include(CPack)
