# SPDX-License-Identifier: MIT
# cmake/guest-toolchain.cmake - cross-compile the guest with the host gcc.
#
# The guest is x86_64 like the host, so the host gcc and binutils build
# it; what makes it a "cross" build is the freestanding environment:
# no host headers (newlib's and gcc's own instead), no host libraries,
# no PIE, no red zone (event upcalls share the stack), our linker script.
# Setting XENITH_GUEST tells the top-level CMakeLists.txt to build the
# kernel and the apps instead of the host tests.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER gcc)
set(CMAKE_ASM_COMPILER gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(XENITH_GUEST ON CACHE BOOL "building the guest tree" FORCE)

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
