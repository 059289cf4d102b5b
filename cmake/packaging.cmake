# Install rules and Debian packages (CPack, one package per component):
#   fedreg-agent       /usr/sbin/fedreg-agent, /etc/fedreg/agent.toml, its unit
#   fedreg-aggregator  /usr/sbin/fedreg-aggregator, /etc/fedreg/aggregator.toml, its unit
#   fedregctl          /usr/bin/fedregctl, sample trials in /usr/share/fedreg/trials
# deploy/package.sh builds them; docs/install.md describes the result.
# Paths under /etc and /lib are absolute on purpose: a package puts them
# there whatever the prefix (CPACK_PACKAGING_INSTALL_PREFIX is /usr).
set(FEDREG_DEB_DIR ${PROJECT_SOURCE_DIR}/deploy/debian)
# `install` and cpack build nothing: deploy/package.sh builds the three binaries
# first (the default would build every target, tests and benches included).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(TARGETS fedreg-agent RUNTIME DESTINATION sbin COMPONENT agent)
install(TARGETS fedreg-aggregator RUNTIME DESTINATION sbin COMPONENT aggregator)
install(TARGETS fedregctl RUNTIME DESTINATION bin COMPONENT ctl)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/config/agent.toml DESTINATION /etc/fedreg COMPONENT agent)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/config/aggregator.toml DESTINATION /etc/fedreg COMPONENT aggregator)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/fedreg-agent.service DESTINATION /lib/systemd/system COMPONENT agent)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/fedreg-aggregator.service DESTINATION /lib/systemd/system
        COMPONENT aggregator)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/deploy/trials/ DESTINATION share/fedreg/trials COMPONENT ctl
        FILES_MATCHING PATTERN "*.yaml" PATTERN "README.md")

# Debian wants a copyright file and a gzip -9n changelog in each package's doc dir.
set(FEDREG_CHANGELOG_GZ ${CMAKE_BINARY_DIR}/deb/changelog.gz)
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/deb)
execute_process(COMMAND sh -c "gzip -9n < '${FEDREG_DEB_DIR}/changelog' > '${FEDREG_CHANGELOG_GZ}'"
                RESULT_VARIABLE gzip_rc)
if(NOT gzip_rc EQUAL 0)
  message(FATAL_ERROR "gzip of deploy/debian/changelog failed")
endif()
foreach(comp_pkg agent:fedreg-agent aggregator:fedreg-aggregator ctl:fedregctl)
  string(REPLACE ":" ";" pair ${comp_pkg})
  list(GET pair 0 comp)
  list(GET pair 1 pkg)
  install(FILES ${FEDREG_DEB_DIR}/copyright ${FEDREG_CHANGELOG_GZ} DESTINATION share/doc/${pkg} COMPONENT ${comp})
  if(EXISTS ${FEDREG_DEB_DIR}/${pkg}/lintian-overrides)
    install(FILES ${FEDREG_DEB_DIR}/${pkg}/lintian-overrides DESTINATION share/lintian/overrides RENAME ${pkg}
            COMPONENT ${comp})
  endif()
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/docs/install.md DESTINATION share/doc/fedreg-agent COMPONENT agent)
install(FILES ${PROJECT_SOURCE_DIR}/docs/install.md DESTINATION share/doc/fedreg-aggregator COMPONENT aggregator)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME fedreg)
set(CPACK_PACKAGE_VENDOR "fedreg")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "fedreg maintainers <fedreg@registry.example.jp>")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "fedreg maintainers <fedreg@registry.example.jp>")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL agent aggregator ctl)
# Depends: from the libraries the binaries link (dpkg-shlibdeps, from dpkg-dev).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
# dpkg-deb's own file modes: root:root, directories 0755.
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
    WORLD_READ WORLD_EXECUTE)

set(CPACK_DEBIAN_AGENT_PACKAGE_NAME fedreg-agent)
set(CPACK_DEBIAN_AGGREGATOR_PACKAGE_NAME fedreg-aggregator)
set(CPACK_DEBIAN_CTL_PACKAGE_NAME fedregctl)
set(CPACK_DEBIAN_AGENT_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_AGGREGATOR_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_AGENT_PACKAGE_RECOMMENDS "fedregctl")
set(CPACK_DEBIAN_AGGREGATOR_PACKAGE_RECOMMENDS "fedregctl")
# Synopsis, then the extended description (lines under 80 characters, for lintian).
set(CPACK_COMPONENT_AGENT_DESCRIPTION
    "fedreg hospital agent for the rare-cancer registry
Imports a hospital's case exports from a drop folder, validates and
pseudonymizes them (patient identifiers never leave the hospital), keeps them
in RocksDB and pushes every change to the national centre over mutually
authenticated gRPC.
Runs as the fedreg-agent system user under systemd (Type=notify, watchdog).")
set(CPACK_COMPONENT_AGGREGATOR_DESCRIPTION
    "fedreg national centre (aggregator) for the rare-cancer registry
Authenticates each hospital by its certificate, applies what it sends durably
and keeps the national view: cases and unique persons by hospital, cancer type,
gene alteration and month. Runs as the fedreg-aggregator system user under
systemd (Type=notify, watchdog).")
set(CPACK_COMPONENT_CTL_DESCRIPTION
    "fedreg command-line tool for the rare-cancer registry
Status, trials and notices, cohorts, cBioPortal and NDJSON exports and charts,
against the national centre (mutual TLS) or a local agent (unix socket).
Sample trial definitions are in /usr/share/fedreg/trials.")
foreach(comp agent aggregator)
  string(TOUPPER ${comp} COMP)
  set(pkg fedreg-${comp})
  set(CPACK_DEBIAN_${COMP}_PACKAGE_CONTROL_EXTRA
      ${FEDREG_DEB_DIR}/${pkg}/postinst ${FEDREG_DEB_DIR}/${pkg}/prerm ${FEDREG_DEB_DIR}/${pkg}/postrm
      ${FEDREG_DEB_DIR}/${pkg}/conffiles)
endforeach()
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
