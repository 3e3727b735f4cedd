# SPDX-License-Identifier: MIT
# cmake/xenith.cmake - xenith_add_image(NAME SOURCES ... [MEMORY MB]
#                      [DEVICES net|blk ...] [NO_CONTROL]
#                      [MODE pv|pvh|both]).
#
# MODE (default both) picks the boot modes: pv links arch/x86_64/pv/
# (image NAME, booted with type="pv"), pvh links arch/x86_64/pvh/ (image
# NAME-pvh, type="pvh"); both gives the two images from the same
# objects. Two ELFs rather than one with both entries: the arch layer is
# chosen at link time, so neither image carries the other mode's code or
# a run-time mode test, and the PV image stays exactly what it was
# (docs/internals.md, "PVH").
# An image is linked twice: the first link gives the final addresses of
# every function, cmake/gensyms.py turns them into a table (.xnsyms,
# placed after all text by arch/x86_64/xenith.ld), and the second link
# embeds it so crash reports can name functions without debug info.
# Products in the app's build folder: NAME (ELF with Xen notes and
# symbols), NAME.stripped (the bootable image) and NAME.json (memory size
# and paths) plus NAME.mem and NAME.stripped.mem (just the memory size in
# MB, which `./xenith run` reads).
# Device classes are linked only when referenced (kernel/devinit.h):
# sockets pull in net, xn_blk_* calls pull in blk. DEVICES names a class
# the sources reach only by path, e.g. open("/dev/xvda"): it links the
# class's boot probe (-Wl,--undefined=xn_devinit_<class>).
# Every image also links the control service (kernel/control_guest.c:
# xl shutdown/reboot/sysrq, data/xenith/ statistics; it brings the
# xenstore bus with it) through -Wl,--undefined=xn_devinit_control;
# NO_CONTROL leaves it out (the image then ignores toolstack requests:
# only xl destroy stops it; apps/minimal, the size floor, does this).
include_guard(GLOBAL)

find_package(Python3 REQUIRED COMPONENTS Interpreter)

# Inside one --start-group, so the order is for readers: apps -> lib ->
# net (port + lwIP, only when configured) -> drivers -> kernel/xen/arch.
set(XENITH_KERNEL_LIBS xenith_lib)
if(XENITH_HAVE_NET)
    list(APPEND XENITH_KERNEL_LIBS xenith_net xenith_lwip)
endif()
list(APPEND XENITH_KERNEL_LIBS xenith_drivers xenith_kernel xenith_xen)

# One linked image (both passes) of OBJS for one arch library; APP is
# argv[0] (the same for both modes).
function(_xenith_link_image NAME APP OBJS ARCH MEMORY)
    set(link_libs ${ARGN}
        -Wl,--start-group ${XENITH_KERNEL_LIBS} ${ARCH}
        ${NEWLIB_PREFIX}/x86_64-xen-elf/lib/libc.a
        ${NEWLIB_PREFIX}/x86_64-xen-elf/lib/libm.a
        ${XENITH_LIBGCC} -Wl,--end-group)

    add_executable(${NAME}.pass1 $<TARGET_OBJECTS:${OBJS}>)
    target_link_libraries(${NAME}.pass1 PRIVATE xenith_guest_link
                          ${link_libs})

    set(syms ${CMAKE_CURRENT_BINARY_DIR}/${NAME}_syms.S)
    add_custom_command(
        OUTPUT ${syms}
        COMMAND ${Python3_EXECUTABLE} ${XENITH_ROOT}/cmake/gensyms.py
                ${CMAKE_NM} $<TARGET_FILE:${NAME}.pass1> ${syms} ${APP}
        DEPENDS ${NAME}.pass1 ${XENITH_ROOT}/cmake/gensyms.py
        COMMENT "Symbol table for ${NAME}")

    add_executable(${NAME} $<TARGET_OBJECTS:${OBJS}> ${syms})
    target_link_libraries(${NAME} PRIVATE xenith_guest_link ${link_libs})

    set(out $<TARGET_FILE:${NAME}>)
    file(GENERATE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/${NAME}.json
         CONTENT "{\n  \"name\": \"${NAME}\",\n  \"memory_mb\": ${MEMORY},\n  \"image\": \"$<TARGET_FILE:${NAME}>.stripped\",\n  \"elf\": \"$<TARGET_FILE:${NAME}>\"\n}\n")
    # The plain memory size, next to the image, for `./xenith run`.
    file(GENERATE OUTPUT $<TARGET_FILE:${NAME}>.mem CONTENT "${MEMORY}\n")
    add_custom_command(TARGET ${NAME} POST_BUILD
        COMMAND ${CMAKE_STRIP} --strip-all -o ${out}.stripped ${out}
        COMMAND ${CMAKE_COMMAND} -E copy ${out}.mem ${out}.stripped.mem
        COMMENT "Stripped image ${NAME}.stripped")
endfunction()

function(xenith_add_image NAME)
    cmake_parse_arguments(IMG "NO_CONTROL" "MEMORY;MODE" "SOURCES;DEVICES"
                          ${ARGN})
    if(NOT IMG_MEMORY)
        set(IMG_MEMORY 32)
    endif()
    if(NOT IMG_MODE)
        set(IMG_MODE both)
    endif()
    if(NOT IMG_MODE MATCHES "^(pv|pvh|both)$")
        message(FATAL_ERROR "xenith_add_image(${NAME}): MODE ${IMG_MODE}: "
                            "not pv, pvh or both")
    endif()
    if(NOT IMG_SOURCES)
        message(FATAL_ERROR "xenith_add_image(${NAME}): no SOURCES")
    endif()

    add_library(${NAME}_objs OBJECT ${IMG_SOURCES})
    target_link_libraries(${NAME}_objs PRIVATE xenith_guest_flags)

    set(dev_flags)
    foreach(dev ${IMG_DEVICES})
        if(NOT dev MATCHES "^(net|blk)$")
            message(FATAL_ERROR "xenith_add_image(${NAME}): DEVICES ${dev}: "
                                "not net or blk")
        endif()
        list(APPEND dev_flags -Wl,--undefined=xn_devinit_${dev})
    endforeach()
    if(NOT IMG_NO_CONTROL)
        list(APPEND dev_flags -Wl,--undefined=xn_devinit_control)
    endif()
    if(IMG_MODE MATCHES "^(pv|both)$")
        _xenith_link_image(${NAME} ${NAME} ${NAME}_objs xenith_arch ${IMG_MEMORY}
                           ${dev_flags})
    endif()
    if(IMG_MODE MATCHES "^(pvh|both)$")
        _xenith_link_image(${NAME}-pvh ${NAME} ${NAME}_objs xenith_arch_pvh
                           ${IMG_MEMORY} ${dev_flags})
    endif()
endfunction()
