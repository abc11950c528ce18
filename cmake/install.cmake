# Install rules (GNUInstallDirs, the same layout as the build tree: bin/, lib/wanprof/, share/wanprof/), the man pages
# generated from the --help pages, the bash completion, and the Debian package (CPack): `wanprof` (the analyzer and
# the command, depending on Debian's libsqlite3, zlib and libcjson only) and, where CUDA was built, `wanprof-gpu` (the
# collector and the runner; the CUDA libraries come from NVIDIA's toolkit or driver, not from a Debian package).
install(TARGETS wanprof RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/schemas DESTINATION ${WP_PKGDATADIR} COMPONENT cli)
# the described machines `wanprof whatif --machine` takes (share/wanprof/machines/h100_pcie_x4.json, ...)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/examples/machines DESTINATION ${WP_PKGDATADIR} COMPONENT cli)
install(FILES ${CMAKE_SOURCE_DIR}/scripts/completion/wanprof.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME wanprof COMPONENT cli)

# One page per command, remade whenever the program is: the --help pages are their only source.
set(WP_MAN_DIR ${CMAKE_BINARY_DIR}/man)
set(WP_MAN_PROGRAMS $<TARGET_FILE:wanprof>)
set(WP_MAN_DEPENDS wanprof)
if(TARGET wanprof-runner)
  list(APPEND WP_MAN_PROGRAMS $<TARGET_FILE:wanprof-runner>)
  list(APPEND WP_MAN_DEPENDS wanprof-runner)
endif()
add_custom_command(OUTPUT ${WP_MAN_DIR}/wanprof.1
  COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/gen_man.sh ${WP_MAN_DIR} ${WP_MAN_PROGRAMS}
  DEPENDS ${WP_MAN_DEPENDS} ${CMAKE_SOURCE_DIR}/scripts/gen_man.sh
  COMMENT "Man pages from the --help pages")
add_custom_target(wp_man ALL DEPENDS ${WP_MAN_DIR}/wanprof.1)
install(DIRECTORY ${WP_MAN_DIR}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT cli FILES_MATCHING PATTERN "wanprof.1"
        PATTERN "wanprof-*.1" PATTERN "wanprof-runner.1" EXCLUDE)

if(TARGET wanprof-runner)
  install(TARGETS wanprof-runner RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT gpu)
  install(FILES ${WP_MAN_DIR}/wanprof-runner.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT gpu)
  set_target_properties(wanprof-runner PROPERTIES INSTALL_RPATH_USE_LINK_PATH ON)
endif()
if(TARGET wanprof-calibrate)
  install(TARGETS wanprof-calibrate RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT gpu)
endif()
if(TARGET wanprof_collector)
  install(TARGETS wanprof_collector LIBRARY DESTINATION ${WP_PKGLIBDIR} COMPONENT gpu)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME wanprof)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "wanprof developers <wanprof@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "profile multi-GPU diffusion runs and explain their slow steps")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL cli)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_CLI_PACKAGE_NAME wanprof)
set(CPACK_DEBIAN_CLI_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION devel)
# dpkg-shlibdeps turns the program's libraries into Debian dependencies (libsqlite3-0, zlib1g, libcjson1, libc6).
set(CPACK_DEBIAN_CLI_PACKAGE_SHLIBDEPS ON)
if(TARGET wanprof_collector OR TARGET wanprof-runner)
  list(APPEND CPACK_COMPONENTS_ALL gpu)
  set(CPACK_DEBIAN_GPU_PACKAGE_NAME wanprof-gpu)
  set(CPACK_DEBIAN_GPU_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_GPU_PACKAGE_SECTION devel)
  # No shlibdeps: CUPTI, cudart, cuBLAS, cuDNN and NCCL are no Debian packages; the run path names the toolkit.
  set(CPACK_DEBIAN_GPU_PACKAGE_DEPENDS "wanprof (= ${PROJECT_VERSION}), libcjson1")
endif()
include(CPack)
