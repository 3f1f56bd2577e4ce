# Settings every DigitDesk target shares: C++20, warnings on our own code (errors with
# DIGITDESK_WERROR, as the dev preset and CI build), and QT_NO_KEYWORDS so that Qt's `slots`
# macro never meets ATen's headers.
option(DIGITDESK_WERROR "Warnings are errors (the dev preset and CI turn it on)" OFF)

function(digitdesk_configure_target target)
    target_compile_features(${target} PUBLIC cxx_std_20)
    if(DIGITDESK_WERROR)
        target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
    else()
        target_compile_options(${target} PRIVATE -Wall -Wextra)
    endif()
    target_compile_definitions(${target} PUBLIC QT_NO_KEYWORDS)
endfunction()

# The layers of DESIGN.md, enforced by what each target can see. `folder`'s top-level headers
# are linked into ${CMAKE_BINARY_DIR}/include/<target>/<folder>/ and that root is the target's
# PUBLIC include directory, so a dependant includes them as "folder/name.h" and nothing else:
# not a higher layer's headers (no root of theirs is on its command line) and not private/ or
# git/. The whole folder is linked into ${CMAKE_BINARY_DIR}/private-include/<target>/, visible to
# the target itself and, through the INTERFACE target <target>_private, to white-box tests.
function(digitdesk_export_headers target folder)
    set(public_root ${CMAKE_BINARY_DIR}/include/${target})
    set(private_root ${CMAKE_BINARY_DIR}/private-include/${target})
    file(GLOB headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${folder}/*.h)
    # Links are made afresh at every configure, so a removed header stops resolving. (Each link
    # is removed by name: the private one points into the source tree.)
    file(GLOB stale ${public_root}/${folder}/*)
    file(REMOVE ${stale} ${private_root}/${folder})
    file(MAKE_DIRECTORY ${public_root}/${folder})
    foreach(header IN LISTS headers)
        get_filename_component(name ${header} NAME)
        file(CREATE_LINK ${header} ${public_root}/${folder}/${name} SYMBOLIC)
    endforeach()
    get_filename_component(parent ${private_root}/${folder} DIRECTORY)
    file(MAKE_DIRECTORY ${parent})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${folder} ${private_root}/${folder} SYMBOLIC)

    get_target_property(type ${target} TYPE)
    if(type STREQUAL "INTERFACE_LIBRARY")
        target_include_directories(${target} INTERFACE ${public_root})
        return()
    endif()
    target_include_directories(${target} PRIVATE ${private_root} PUBLIC ${public_root})
    if(type STREQUAL "EXECUTABLE")
        return()
    endif()
    add_library(${target}_private INTERFACE)
    target_include_directories(${target}_private INTERFACE ${private_root})
    target_link_libraries(${target}_private INTERFACE ${target})
endfunction()
