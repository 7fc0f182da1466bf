# Run at build time (cmake -P), not configure time, so that the revision a
# binary reports is the tree it was built from: `concur --version` and
# N-env.csv's git_revision.  Writes OUT (a header defining
# CONCUR_GIT_REVISION) only when the text changes, so an unchanged tree
# rebuilds nothing.
#
#   cmake -DSOURCE_DIR=... -DOUT=... -P git_revision.cmake
#
# The revision is the short commit hash, with "-dirty" when a tracked file
# differs from it (as fio and git describe --dirty say), or "unknown" outside
# a git work tree (a release tarball).
find_package(Git QUIET)
set(rev unknown)
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} -C ${SOURCE_DIR} rev-parse --short=12 HEAD
                  OUTPUT_VARIABLE head OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE head_rc ERROR_QUIET)
  if(head_rc EQUAL 0 AND head)
    set(rev ${head})
    # Refresh the index's stat data first: a file touched but unchanged
    # is not an edit.
    execute_process(COMMAND ${GIT_EXECUTABLE} -C ${SOURCE_DIR} update-index -q --refresh
                    OUTPUT_QUIET ERROR_QUIET)
    execute_process(COMMAND ${GIT_EXECUTABLE} -C ${SOURCE_DIR} diff-index --quiet HEAD --
                    RESULT_VARIABLE dirty OUTPUT_QUIET ERROR_QUIET)
    if(NOT dirty EQUAL 0)
      set(rev ${rev}-dirty)
    endif()
  endif()
endif()
set(text "/* Written at build time by cmake/git_revision.cmake. */\n#define CONCUR_GIT_REVISION \"${rev}\"\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
else()
  set(old "")
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUT} "${text}")
endif()
