# Hardening: the hostile-plugin gallery (a strategy that
# misbehaves in every way the parent must survive), output-file safety,
# the crash-safety torture test.  Fixtures are built into the build tree and
# loaded through --plugin-path.
set(GALLERY_FIXTURE_DIR ${CMAKE_BINARY_DIR}/tests/fixtures/gallery)
concur_plugin(fixture_rogue NAME rogue DIR ${GALLERY_FIXTURE_DIR}
  SOURCES ${PROJECT_SOURCE_DIR}/tests/fixtures/gallery/rogue.c)

concur_integration_test(gallery hardening torture)

# What the parent reads back from a run's shared mapping, and printable text.
concur_unit_test(test_job SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_job.c)

# The one read-whole-file and the one atomic replace; the experiment's SHA-256.
concur_unit_test(test_fileio SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_fileio.c)
