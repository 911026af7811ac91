# Empty dependencies file for nvmemfs_core.
# This may be replaced when dependencies are built.
