# SPDX-License-Identifier: MIT
#
# Cross-build nvmemfs for arm64 with Debian's cross compiler against the
# arm64 libraries installed next to the host's (multiarch):
#
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=tests/arm64/aarch64-linux-gnu.cmake
#
# Needs gcc-aarch64-linux-gnu and the :arm64 -dev packages (scripts/test,
# stage "arm64", installs them).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)

# pkg-config must see the arm64 .pc files only, never the host's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
