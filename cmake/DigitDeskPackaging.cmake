# The Debian package: `make package` (cpack -G DEB in the build folder) writes
# digitdesk_VERSION_ARCH.deb. Its runtime dependencies come from dpkg-shlibdeps over the binary
# and both modules, plus what is dlopened by name and so invisible to it.
#
# What only the package installs (desktop entry, metainfo, icon, man page, bash completion,
# systemd unit, system user, /etc/default) is the install component `package`, left out of a
# plain `cmake --install`: that one still installs bin/ and lib/digitdesk/ alone, as
# installer/container/build-image.sh expects, and never writes to /etc.

set(DIGITDESK_HOMEPAGE_URL "https://digitdesk.example.org" CACHE STRING
    "The project's home page, in the package's control file and AppStream metainfo")
set(DIGITDESK_SCREENSHOTS_URL "${DIGITDESK_HOMEPAGE_URL}/docs/screenshots" CACHE STRING
    "Where the README's docs/screenshots/*.png are published (AppStream wants web URLs)")

# Any python3 runs the generators (standard library only); Debian's first.
find_program(DIGITDESK_PYTHON3 python3 HINTS /usr/bin REQUIRED)

set(DIGITDESK_PACKAGE_DIR ${CMAKE_BINARY_DIR}/installer)
set(DIGITDESK_APP_ID org.digitdesk.DigitDesk)
set(installer_dir ${PROJECT_SOURCE_DIR}/installer)

# The man page and the bash completion, from the built binary's --help texts.
add_custom_command(
    OUTPUT ${DIGITDESK_PACKAGE_DIR}/digitdesk.1.gz ${DIGITDESK_PACKAGE_DIR}/digitdesk.bash-completion
    COMMAND ${DIGITDESK_PYTHON3} ${installer_dir}/clidocs.py $<TARGET_FILE:digitdesk>
            --version ${PROJECT_VERSION}
            --man ${DIGITDESK_PACKAGE_DIR}/digitdesk.1.gz
            --bash-completion ${DIGITDESK_PACKAGE_DIR}/digitdesk.bash-completion
    DEPENDS digitdesk ${installer_dir}/clidocs.py
    COMMENT "Writing digitdesk.1 and the bash completion from digitdesk's --help texts"
    VERBATIM)
add_custom_command(
    OUTPUT ${DIGITDESK_PACKAGE_DIR}/${DIGITDESK_APP_ID}.metainfo.xml
    COMMAND ${DIGITDESK_PYTHON3} ${installer_dir}/metainfo.py ${PROJECT_SOURCE_DIR}/README.md
            ${installer_dir}/debian/${DIGITDESK_APP_ID}.metainfo.xml.in
            ${DIGITDESK_PACKAGE_DIR}/${DIGITDESK_APP_ID}.metainfo.xml
            --homepage ${DIGITDESK_HOMEPAGE_URL} --screenshots ${DIGITDESK_SCREENSHOTS_URL}
    DEPENDS ${installer_dir}/metainfo.py ${installer_dir}/debian/${DIGITDESK_APP_ID}.metainfo.xml.in
            ${PROJECT_SOURCE_DIR}/README.md
    COMMENT "Writing the AppStream metainfo with the README's screenshots"
    VERBATIM)
add_custom_target(digitdesk_package_files ALL DEPENDS
    ${DIGITDESK_PACKAGE_DIR}/digitdesk.1.gz ${DIGITDESK_PACKAGE_DIR}/digitdesk.bash-completion
    ${DIGITDESK_PACKAGE_DIR}/${DIGITDESK_APP_ID}.metainfo.xml)

set(package_files COMPONENT package EXCLUDE_FROM_ALL)
install(FILES ${installer_dir}/debian/${DIGITDESK_APP_ID}.desktop DESTINATION share/applications
        ${package_files})
install(FILES ${DIGITDESK_PACKAGE_DIR}/${DIGITDESK_APP_ID}.metainfo.xml DESTINATION share/metainfo
        ${package_files})
install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/digitdesk.svg
        DESTINATION share/icons/hicolor/scalable/apps ${package_files})
install(FILES ${DIGITDESK_PACKAGE_DIR}/digitdesk.1.gz DESTINATION share/man/man1 ${package_files})
install(FILES ${DIGITDESK_PACKAGE_DIR}/digitdesk.bash-completion
        DESTINATION share/bash-completion/completions RENAME digitdesk ${package_files})
install(FILES ${installer_dir}/debian/digitdesk-serve.service DESTINATION /lib/systemd/system
        ${package_files})
install(FILES ${installer_dir}/debian/digitdesk.sysusers DESTINATION /usr/lib/sysusers.d
        RENAME digitdesk.conf ${package_files})
install(FILES ${installer_dir}/debian/digitdesk-serve.default DESTINATION /etc/default
        RENAME digitdesk-serve ${package_files})

# tst_package packs what the build made: the binary, both modules and the files above.
if(TARGET tst_package)
    add_dependencies(tst_package digitdesk_package_files digitdesk_torch digitdesk_imaging)
    target_compile_definitions(tst_package PRIVATE DIGITDESK_PACKAGE_VERSION="${PROJECT_VERSION}")
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME digitdesk)
set(CPACK_PACKAGE_VENDOR "DigitDesk")
set(CPACK_PACKAGE_CONTACT "DigitDesk developers <digitdesk@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "label handwritten digits with a model and a human in the loop")
# CPack puts the summary first and indents these lines below it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "DigitDesk reads handwritten post codes with a neural network (LibTorch) and
keeps people in the loop: annotators label the least confident scans first,
reviewers approve, approved labels become dataset versions in git, models are
retrained and promoted from the GUI, and the digitdesk-serve unit (disabled
until its workspace is made) answers predictions over HTTP.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${DIGITDESK_HOMEPAGE_URL})
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Opened by name at run time, so dpkg-shlibdeps cannot see them: Qt's SQLite and PostgreSQL
# drivers, the xcb platform plugin, the SVG plugins (the window and menu icon), and the OpenMP
# build of OpenBLAS that LibTorch is meant to run on (installer/deps-debian.sh says why); and
# what postinst makes the service's user with.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite, libqt6sql6-psql, qt6-qpa-plugins, \
libqt6svg6, libopenblas0-openmp, systemd | adduser")
# TLS roots for a PostgreSQL server's sslmode=verify-full.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${installer_dir}/debian/postinst ${installer_dir}/debian/prerm
    ${installer_dir}/debian/postrm ${installer_dir}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
# cpack on two cores, measured: zstd 6.7 s for 2.5 MB, gzip 8.6 s for 2.5 MB, xz 12.6 s for
# 1.8 MB (the modules link LibTorch and OpenCV rather than hold them, so the package is small).
# dpkg reads zstd since Debian 12.
set(CPACK_DEBIAN_COMPRESSION_TYPE zstd)
# Both components in the one package: the build's own install rules and the package's files.
set(CPACK_INSTALL_CMAKE_PROJECTS
    "${CMAKE_BINARY_DIR};${PROJECT_NAME};Unspecified;/;${CMAKE_BINARY_DIR};${PROJECT_NAME};package;/")
include(CPack)
