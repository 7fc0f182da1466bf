# The INI experiment reader and typed values.
# Bad input: tests/fixtures/bad-input/*.ini, listed with the error each must
# produce in that folder's `expected` (its README has the convention).  The
# libFuzzer target is built by hand: see tests/fuzz/README.
foreach(t test_config test_value)
  concur_unit_test(${t} SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/${t}.c)
endforeach()
