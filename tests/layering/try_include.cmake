# The layering of harness/, checked the way the compiler sees it: for each
# CHECKS entry LAYER:HEADER:pass|fail (entries joined by ','), a scratch file standing in LAYER's
# folder includes HEADER with exactly the include path LAYER's own sources
# get (INC_<LAYER>, folders joined by '|').  "fail" must fail because the
# header is not found: a folder cannot reach one above or beside it.
#
#   cmake -DCC=cc -DWORK=dir -DINC_base=... -DCHECKS="base:config.h:fail,..."
#         -P try_include.cmake
file(MAKE_DIRECTORY ${WORK})
set(failures "")
string(REPLACE "," ";" checks "${CHECKS}")
foreach(check ${checks})
  string(REPLACE ":" ";" parts ${check})
  list(GET parts 0 layer)
  list(GET parts 1 header)
  list(GET parts 2 expect)
  string(REPLACE "|" ";" dirs "${INC_${layer}}")
  if(NOT dirs)
    message(FATAL_ERROR "no include path given for layer ${layer}")
  endif()
  set(flags "")
  foreach(d ${dirs})
    list(APPEND flags "-I${d}")
  endforeach()
  set(scratch ${WORK}/${layer}_scratch.c)
  file(WRITE ${scratch} "#include \"${header}\"\nint concur_scratch;\n")
  execute_process(COMMAND ${CC} -std=gnu11 -fsyntax-only ${flags} ${scratch}
                  RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
  if(expect STREQUAL "pass" AND NOT rc EQUAL 0)
    string(APPEND failures "${layer} cannot include ${header}:\n${err}\n")
  elseif(expect STREQUAL "fail" AND rc EQUAL 0)
    string(APPEND failures "${layer} can include ${header}, which is above or beside it\n")
  elseif(expect STREQUAL "fail" AND NOT err MATCHES "${header}: No such file")
    string(APPEND failures "${layer} including ${header} failed, but not for want of the header:\n${err}\n")
  else()
    message(STATUS "${layer} including ${header}: ${expect}, as it should")
  endif()
endforeach()
if(failures)
  message(FATAL_ERROR "${failures}")
endif()
