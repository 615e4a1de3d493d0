# ctest driver: configures the guard probe and checks it fails (or passes) as expected.
# cmake -DVORA_SOURCE_DIR=... -DPROBE=... -DEXPECT=fail|pass -DWORK=... -P run_guard_probe.cmake
file(REMOVE_RECURSE ${WORK})
execute_process(COMMAND ${CMAKE_COMMAND} -G Ninja -S ${VORA_SOURCE_DIR}/tests/cmake/guard_probe -B ${WORK}
                        -DVORA_SOURCE_DIR=${VORA_SOURCE_DIR} -DPROBE=${PROBE}
                RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(EXPECT STREQUAL "fail")
  if(result EQUAL 0 OR NOT err MATCHES "Layer violation")
    message(FATAL_ERROR "probe ${PROBE}: configuration should fail with a layer violation\n${err}")
  endif()
elseif(NOT result EQUAL 0)
  message(FATAL_ERROR "probe ${PROBE}: configuration should pass\n${err}")
endif()
message(STATUS "probe ${PROBE}: ${EXPECT} as expected")
