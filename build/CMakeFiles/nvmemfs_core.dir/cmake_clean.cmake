file(REMOVE_RECURSE
  "CMakeFiles/nvmemfs_core.dir/src/format.c.o"
  "CMakeFiles/nvmemfs_core.dir/src/format.c.o.d"
  "CMakeFiles/nvmemfs_core.dir/src/log.c.o"
  "CMakeFiles/nvmemfs_core.dir/src/log.c.o.d"
  "CMakeFiles/nvmemfs_core.dir/src/provider.c.o"
  "CMakeFiles/nvmemfs_core.dir/src/provider.c.o.d"
  "libnvmemfs_core.a"
  "libnvmemfs_core.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/nvmemfs_core.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
