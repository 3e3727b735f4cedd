# SPDX-License-Identifier: MIT
# cmake/install-host.cmake - `cmake --install build [--prefix P]` from the
# top-level (host) tree: first the guest tree's install (cmake/install.cmake:
# libraries, headers, newlib, lwIP, CMake package, xenith.pc), run with the
# same prefix and DESTDIR, then the `xenith` CLI itself:
#   bin/xenith                          the entry script (same file as ./xenith)
#   share/xenith/python/xenith_cli/     its package
#   share/xenith/tools/sandbox/         the dom0 scripts the sandbox is built
#                                       from (same bytes and relative path as
#                                       in the tree: same sandbox cache key)
#   share/xenith/templates/<t>/         sources of `xenith new --template t`
#   share/doc/xenith/                   docs and examples/out-of-tree
# An installed bin/xenith finds everything relative to itself.
include_guard(GLOBAL)

install(CODE "
if(NOT EXISTS \"${CMAKE_BINARY_DIR}/guest/cmake_install.cmake\")
    message(FATAL_ERROR \"the guest tree ${CMAKE_BINARY_DIR}/guest is not \"
            \"built: run cmake --build ${CMAKE_BINARY_DIR} (or ./xenith \"
            \"build) before cmake --install\")
endif()
execute_process(COMMAND \"${CMAKE_COMMAND}\" --install
                        \"${CMAKE_BINARY_DIR}/guest\"
                        --prefix \"\${CMAKE_INSTALL_PREFIX}\"
                RESULT_VARIABLE _xn_rc)
if(_xn_rc)
    message(FATAL_ERROR \"install of the guest tree failed (\${_xn_rc})\")
endif()
")

install(PROGRAMS ${XENITH_ROOT}/xenith DESTINATION bin)
install(DIRECTORY ${XENITH_ROOT}/tools/xenith_cli/
        DESTINATION share/xenith/python/xenith_cli
        FILES_MATCHING PATTERN "*.py")
install(DIRECTORY ${XENITH_ROOT}/tools/sandbox/
        DESTINATION share/xenith/tools/sandbox USE_SOURCE_PERMISSIONS)
foreach(t hello httpd kvstore)
    install(DIRECTORY ${XENITH_ROOT}/apps/${t}/
            DESTINATION share/xenith/templates/${t}
            PATTERN "CMakeLists.txt" EXCLUDE)
endforeach()
install(DIRECTORY ${XENITH_ROOT}/docs/ DESTINATION share/doc/xenith)
install(DIRECTORY ${XENITH_ROOT}/examples/
        DESTINATION share/doc/xenith/examples)
