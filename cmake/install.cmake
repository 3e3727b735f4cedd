# SPDX-License-Identifier: MIT
# cmake/install.cmake - what `cmake --install` puts into a prefix (guest
# tree; the host tree forwards its install to this one and adds the CLI,
# cmake/install-host.cmake).
#
# Layout (every path relative to the prefix, nothing absolute is recorded,
# so the prefix can be staged with DESTDIR and moved anywhere):
#   include/xenith/              public headers (xenith.h, xenith/*.h, the
#                                POSIX socket headers) + the lwIP port's
#                                lwipopts.h and arch/*.h
#   lib/xenith/libxenith_*.a     the kernel libraries, lwIP and its port
#   lib/xenith/*.ld              the linker script(s)
#   lib/xenith/newlib/{include,lib}  newlib as built by ./xenith setup
#   lib/xenith/lwip/include      lwIP's headers (Debian's orig tarball)
#   lib/cmake/xenith/            xenithConfig.cmake (+ version file,
#                                xenith-image.cmake = cmake/xenith.cmake)
#   lib/pkgconfig/xenith.pc      prefix=${pcfiledir}/../..
#   share/xenith/gensyms.py      the symbol-table generator (second link)
# The compile and link flags of the installed package are read from the
# targets xenith_guest_flags and xenith_guest_link at configure time, so a
# flag added in CMakeLists.txt reaches installed users without a second
# list to keep in sync; source-tree include paths are replaced by the
# prefix's, and a flag that would still name the source tree is an error.
include_guard(GLOBAL)

set(XENITH_INST_LIB lib/xenith)

set(_xn_libs xenith_arch xenith_arch_pvh xenith_xen xenith_kernel xenith_lib
    xenith_drivers)
if(XENITH_HAVE_NET)
    list(APPEND _xn_libs xenith_net xenith_lwip)
endif()
install(TARGETS ${_xn_libs} ARCHIVE DESTINATION ${XENITH_INST_LIB})

install(DIRECTORY ${XENITH_ROOT}/include/ DESTINATION include/xenith
        FILES_MATCHING PATTERN "*.h")
file(GLOB _xn_ldscripts ${XENITH_ROOT}/arch/x86_64/*.ld)
install(FILES ${_xn_ldscripts} DESTINATION ${XENITH_INST_LIB})
install(FILES ${XENITH_ROOT}/cmake/gensyms.py DESTINATION share/xenith)
install(FILES ${XENITH_ROOT}/cmake/xenith.cmake DESTINATION lib/cmake/xenith
        RENAME xenith-image.cmake)

# Third-party parts, from the cache ./xenith setup filled (Debian
# packages): newlib's headers and archives, lwIP's headers and licence.
install(DIRECTORY ${NEWLIB_PREFIX}/x86_64-xen-elf/include/
        DESTINATION ${XENITH_INST_LIB}/newlib/include)
install(FILES ${NEWLIB_PREFIX}/x86_64-xen-elf/lib/libc.a
              ${NEWLIB_PREFIX}/x86_64-xen-elf/lib/libm.a
        DESTINATION ${XENITH_INST_LIB}/newlib/lib)
if(XENITH_HAVE_NET)
    install(FILES ${XENITH_ROOT}/lib/net/lwipopts.h
            DESTINATION include/xenith)
    install(DIRECTORY ${XENITH_ROOT}/lib/net/arch/
            DESTINATION include/xenith/arch FILES_MATCHING PATTERN "*.h")
    install(DIRECTORY ${LWIP_DIR}/src/include/
            DESTINATION ${XENITH_INST_LIB}/lwip/include)
    if(EXISTS ${LWIP_DIR}/COPYING)
        install(FILES ${LWIP_DIR}/COPYING DESTINATION share/doc/xenith/lwip)
    endif()
endif()

# ---------------------------------------------------------------- flags
# Compile options: drop the two -idirafter (gcc's own headers are asked
# of the user's compiler by xenithConfig.cmake; Xen's headers are the
# kernel's business, not an app's) and -Werror (an app's warnings are its
# own choice).
get_target_property(_xn_copts xenith_guest_flags INTERFACE_COMPILE_OPTIONS)
list(FILTER _xn_copts EXCLUDE REGEX "^SHELL:-idirafter |^-Werror$")
get_target_property(_xn_defs xenith_guest_flags
                    INTERFACE_COMPILE_DEFINITIONS)
get_target_property(_xn_lopts xenith_guest_link INTERFACE_LINK_OPTIONS)
# The linker script(s) are installed into lib/xenith.
string(REPLACE "${XENITH_ROOT}/arch/x86_64/" "<XENITH_LIBDIR>/" _xn_lopts
       "${_xn_lopts}")
foreach(v _xn_copts _xn_defs _xn_lopts)
    string(FIND "${${v}}" "${XENITH_ROOT}" _in_src)
    string(FIND "${${v}}" "${NEWLIB_PREFIX}" _in_cache)
    if(_in_src GREATER -1 OR _in_cache GREATER -1)
        message(FATAL_ERROR "cmake/install.cmake: a guest flag names the "
                "source tree or the cache (${${v}}); the installed package "
                "must not: map it to the prefix here")
    endif()
endforeach()

file(READ ${XENITH_ROOT}/cmake/xenithConfig.cmake.in _xn_cfg)
string(CONFIGURE "${_xn_cfg}" _xn_cfg @ONLY)
file(WRITE ${CMAKE_BINARY_DIR}/pkg/xenithConfig.cmake "${_xn_cfg}")
include(CMakePackageConfigHelpers)
write_basic_package_version_file(
    ${CMAKE_BINARY_DIR}/pkg/xenithConfigVersion.cmake
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion
    ARCH_INDEPENDENT)
install(FILES ${CMAKE_BINARY_DIR}/pkg/xenithConfig.cmake
              ${CMAKE_BINARY_DIR}/pkg/xenithConfigVersion.cmake
              ${XENITH_ROOT}/cmake/guest-toolchain.cmake
        DESTINATION lib/cmake/xenith)

# pkg-config: generator expressions unwrapped (pkg-config users are C
# only), lists space-separated, the link line in xenith_add_image's order.
set(_xn_pc_cflags)
foreach(o ${_xn_copts})
    string(REGEX REPLACE "^\\$<\\$<COMPILE_LANGUAGE:C>:(.*)>$" "\\1" o "${o}")
    string(REGEX REPLACE "^SHELL:" "" o "${o}")
    string(APPEND _xn_pc_cflags " ${o}")
endforeach()
foreach(d ${_xn_defs})
    string(APPEND _xn_pc_cflags " -D${d}")
endforeach()
set(_xn_pc_libs)
foreach(o ${_xn_lopts})
    string(REPLACE "<XENITH_LIBDIR>" "\${xenithlibdir}" o "${o}")
    string(APPEND _xn_pc_libs " ${o}")
endforeach()
set(_xn_pc_archives)
foreach(l xenith_lib xenith_net xenith_lwip xenith_drivers xenith_kernel
          xenith_xen xenith_arch)
    if(l IN_LIST _xn_libs)
        string(APPEND _xn_pc_archives " -l${l}")
    endif()
endforeach()
set(XENITH_PC_GCC_INCLUDE ${GCC_INCLUDE})
string(STRIP "${_xn_pc_cflags}" XENITH_PC_CFLAGS)
string(STRIP "${_xn_pc_libs}" XENITH_PC_LINK)
string(STRIP "${_xn_pc_archives}" XENITH_PC_ARCHIVES)
configure_file(${XENITH_ROOT}/cmake/xenith.pc.in
               ${CMAKE_BINARY_DIR}/pkg/xenith.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/pkg/xenith.pc DESTINATION lib/pkgconfig)
