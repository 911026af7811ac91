file(REMOVE_RECURSE
  "libnvmemfs_core.a"
)
