# SPDX-License-Identifier: MIT
# cmake/lwip.cmake - lwIP 2.1.3 (from Debian's source package) and its
# xenith port, as two guest static libraries.
#
# xenith_lwip: lwIP's core, IPv4, IPv6, netconn/socket API and the
# Ethernet layer, compiled from LWIP_DIR with the guest flags and the
# port headers in lib/net/ (lwipopts.h, arch/cc.h, arch/sys_arch.h).
# xenith_net: lib/net/*.c (sys_arch, the netif driver, bring-up, the
# POSIX socket functions). Both are static archives linked with
# --gc-sections, so an image that never calls a socket function pulls
# in neither (the fd hooks in lib/ are registered by lib/net at start).
# Every guest object gets lwIP's and the port's include folders, so apps
# can #include <sys/socket.h> (include/sys/socket.h wraps lwip/sockets.h).
include_guard(GLOBAL)

if(NOT LWIP_DIR OR NOT EXISTS ${LWIP_DIR}/src/include/lwip/init.h)
    message(WARNING "LWIP_DIR not set (run ./xenith setup): images are "
                    "built without networking")
    set(XENITH_HAVE_NET OFF)
    return()
endif()
set(XENITH_HAVE_NET ON)

target_include_directories(xenith_guest_flags INTERFACE
    ${XENITH_ROOT}/lib/net)
target_include_directories(xenith_guest_flags SYSTEM INTERFACE
    ${LWIP_DIR}/src/include)

file(GLOB lwip_srcs
    ${LWIP_DIR}/src/core/*.c
    ${LWIP_DIR}/src/core/ipv4/*.c
    ${LWIP_DIR}/src/core/ipv6/*.c
    ${LWIP_DIR}/src/api/*.c
    ${LWIP_DIR}/src/netif/ethernet.c)
add_library(xenith_lwip STATIC ${lwip_srcs})
target_link_libraries(xenith_lwip PRIVATE xenith_guest_flags)
# Third-party code: keep the warnings visible but never fail on them,
# and optimise for speed (it is the data path).
# (Source properties: they come after the interface flags on the line.)
set_source_files_properties(${lwip_srcs} PROPERTIES
    COMPILE_OPTIONS "-Wno-error;-O2")

xenith_folder_lib(xenith_net lib/net/*.c)
