# SPDX-License-Identifier: MIT
# cmake/xenith.cmake - xenith_add_image(NAME SOURCES ... [MEMORY MB]
#                      [DEVICES net|blk ...] [NO_CONTROL] [ROOTFS DIR]
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
# ROOTFS DIR (relative to the app's folder) packs DIR as a cpio newc
# archive (tools/xenith_cli/rootfs.py, rebuilt when a file in DIR
# changes) and embeds it in .rodata between xn_rootfs_start and
# xn_rootfs_end: the image's read-only root unless a ramdisk is passed
# at boot (kernel/vfs_boot.c); it also links the file system.
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
list(APPEND XENITH_KERNEL_LIBS xenith_drivers xenith_kernel xenith_xen)

# One linked image (both passes) of OBJS for one arch library; APP is
# argv[0] (the same for both modes).
function(_xenith_link_image NAME APP OBJS ARCH MEMORY)
    set(link_libs ${ARGN}
        -Wl,--start-group ${XENITH_KERNEL_LIBS} ${ARCH}
        ${XENITH_LIBC}
        ${XENITH_LIBGCC} -Wl,--end-group)

    add_executable(${NAME}.pass1 $<TARGET_OBJECTS:${OBJS}>)
    target_link_libraries(${NAME}.pass1 PRIVATE xenith_guest_link
                          ${link_libs})

    set(syms ${CMAKE_CURRENT_BINARY_DIR}/${NAME}_syms.S)
    add_custom_command(
        OUTPUT ${syms}
        COMMAND ${Python3_EXECUTABLE} ${XENITH_GENSYMS}
                ${CMAKE_NM} $<TARGET_FILE:${NAME}.pass1> ${syms} ${APP}
        DEPENDS ${NAME}.pass1 ${XENITH_GENSYMS}
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
    cmake_parse_arguments(IMG "NO_CONTROL" "MEMORY;ROOTFS;MODE"
                          "SOURCES;DEVICES"
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

    set(rootfs_src)
    if(IMG_ROOTFS)
        get_filename_component(rootfs_dir ${IMG_ROOTFS} ABSOLUTE
                               BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
        if(NOT IS_DIRECTORY ${rootfs_dir})
            message(FATAL_ERROR "xenith_add_image(${NAME}): ROOTFS "
                                "${IMG_ROOTFS}: not a directory")
        endif()
        # Directories are listed (a new or removed entry changes their
        # mtime); symbolic links are not, since a dependency on a link
        # is one on its target, which need not exist on the build host.
        file(GLOB_RECURSE rootfs_all CONFIGURE_DEPENDS
             LIST_DIRECTORIES true ${rootfs_dir}/*)
        set(rootfs_files ${rootfs_dir})
        foreach(f ${rootfs_all})
            if(NOT IS_SYMLINK ${f})
                list(APPEND rootfs_files ${f})
            endif()
        endforeach()
        set(cpio ${CMAKE_CURRENT_BINARY_DIR}/${NAME}_rootfs.cpio)
        set(packer ${XENITH_ROOT}/tools/xenith_cli/rootfs.py)
        add_custom_command(
            OUTPUT ${cpio}
            COMMAND ${Python3_EXECUTABLE} ${packer} ${rootfs_dir} ${cpio}
            DEPENDS ${rootfs_files} ${packer}
            COMMENT "Root file system archive for ${NAME}")
        set(rootfs_src ${CMAKE_CURRENT_BINARY_DIR}/${NAME}_rootfs.S)
        file(WRITE ${rootfs_src}
             "/* Generated by cmake/xenith.cmake: ${NAME}'s ROOTFS. */\n"
             "    .section .rodata.xn_rootfs, \"a\"\n"
             "    .balign 16\n"
             "    .globl xn_rootfs_start\n"
             "xn_rootfs_start:\n"
             "    .incbin \"${cpio}\"\n"
             "    .globl xn_rootfs_end\n"
             "xn_rootfs_end:\n"
             "    .section .note.GNU-stack, \"\", @progbits\n")
        set_source_files_properties(${rootfs_src} PROPERTIES
                                    OBJECT_DEPENDS ${cpio})
    endif()

    add_library(${NAME}_objs OBJECT ${IMG_SOURCES} ${rootfs_src})
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
    if(IMG_ROOTFS)
        list(APPEND dev_flags -Wl,--undefined=xn_devinit_fs)
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
