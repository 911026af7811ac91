
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/format.c" "CMakeFiles/nvmemfs_core.dir/src/format.c.o" "gcc" "CMakeFiles/nvmemfs_core.dir/src/format.c.o.d"
  "/work/main/src/log.c" "CMakeFiles/nvmemfs_core.dir/src/log.c.o" "gcc" "CMakeFiles/nvmemfs_core.dir/src/log.c.o.d"
  "/work/main/src/provider.c" "CMakeFiles/nvmemfs_core.dir/src/provider.c.o" "gcc" "CMakeFiles/nvmemfs_core.dir/src/provider.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
