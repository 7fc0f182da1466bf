# The build names itself: --version and N-env.csv's git_revision follow the
# tree at build time.  It builds concur again in a clone, which tests the
# build system, not memory safety: the Release build's run is enough.
if(NOT CONCUR_SANITIZE)
  concur_integration_test(version TIMEOUT 300)
endif()
