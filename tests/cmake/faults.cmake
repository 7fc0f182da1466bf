# Fault tolerance: crash isolation, timeouts, kill -9 and resume, signals,
# bad input (tests/fixtures/bad-input).  The `faulty` workload fixture is
# loaded through plugin_path from tests/fixtures/faults in the build tree.
set(FAULTS_FIXTURE_DIR ${CMAKE_BINARY_DIR}/tests/fixtures/faults)
concur_plugin(fixture_faulty NAME faulty DIR ${FAULTS_FIXTURE_DIR}
  SOURCES ${PROJECT_SOURCE_DIR}/tests/fixtures/faults/faulty.c)

concur_integration_test(faults bad_input)
