# SPDX-License-Identifier: MIT
# cmake/xenith.cmake - xenith_add_image(NAME SOURCES ... [MEMORY MB]
#                      [DEVICES net|blk ...] [NO_CONTROL]).
#
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

# Where the pieces come from. The defaults are the source tree's; an
# installed prefix's lib/cmake/xenith/xenithConfig.cmake sets both before
# including this file (it also defines imported targets of the same names
# as the libraries and flag targets used below), so this one function
# serves apps/ and out-of-tree apps alike.
if(NOT XENITH_GENSYMS)
    set(XENITH_GENSYMS ${XENITH_ROOT}/cmake/gensyms.py)
endif()
if(NOT XENITH_LIBC)
    set(XENITH_LIBC ${NEWLIB_PREFIX}/x86_64-xen-elf/lib/libc.a
                    ${NEWLIB_PREFIX}/x86_64-xen-elf/lib/libm.a)
endif()

# Inside one --start-group, so the order is for readers: apps -> lib ->
# net (port + lwIP, only when configured) -> drivers -> kernel/xen/arch.
set(XENITH_KERNEL_LIBS xenith_lib)
if(XENITH_HAVE_NET)
    list(APPEND XENITH_KERNEL_LIBS xenith_net xenith_lwip)
endif()
list(APPEND XENITH_KERNEL_LIBS xenith_drivers xenith_kernel xenith_xen
     xenith_arch)

function(xenith_add_image NAME)
    cmake_parse_arguments(IMG "NO_CONTROL" "MEMORY" "SOURCES;DEVICES"
                          ${ARGN})
    if(NOT IMG_MEMORY)
        set(IMG_MEMORY 32)
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
    set(link_libs ${dev_flags}
        -Wl,--start-group ${XENITH_KERNEL_LIBS}
        ${XENITH_LIBC}
        ${XENITH_LIBGCC} -Wl,--end-group)

    add_executable(${NAME}.pass1 $<TARGET_OBJECTS:${NAME}_objs>)
    target_link_libraries(${NAME}.pass1 PRIVATE xenith_guest_link
                          ${link_libs})

    set(syms ${CMAKE_CURRENT_BINARY_DIR}/${NAME}_syms.S)
    add_custom_command(
        OUTPUT ${syms}
        COMMAND ${Python3_EXECUTABLE} ${XENITH_GENSYMS}
                ${CMAKE_NM} $<TARGET_FILE:${NAME}.pass1> ${syms} ${NAME}
        DEPENDS ${NAME}.pass1 ${XENITH_GENSYMS}
        COMMENT "Symbol table for ${NAME}")

    add_executable(${NAME} $<TARGET_OBJECTS:${NAME}_objs> ${syms})
    target_link_libraries(${NAME} PRIVATE xenith_guest_link ${link_libs})

    set(out $<TARGET_FILE:${NAME}>)
    file(GENERATE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/${NAME}.json
         CONTENT "{\n  \"name\": \"${NAME}\",\n  \"memory_mb\": ${IMG_MEMORY},\n  \"image\": \"$<TARGET_FILE:${NAME}>.stripped\",\n  \"elf\": \"$<TARGET_FILE:${NAME}>\"\n}\n")
    # The plain memory size, next to the image, for `./xenith run`.
    file(GENERATE OUTPUT $<TARGET_FILE:${NAME}>.mem CONTENT "${IMG_MEMORY}\n")
    add_custom_command(TARGET ${NAME} POST_BUILD
        COMMAND ${CMAKE_STRIP} --strip-all -o ${out}.stripped ${out}
        COMMAND ${CMAKE_COMMAND} -E copy ${out}.mem ${out}.stripped.mem
        COMMENT "Stripped image ${NAME}.stripped")
endfunction()
