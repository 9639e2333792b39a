# Installs the build tree into a scratch prefix, builds examples/ against it with find_package(MedCrypt),
# and runs the example on a phantom: proves the exported package works for a user's project.
# Variables: BUILD_DIR, SOURCE_DIR, WORK_DIR, MEDCRYPT (the medcrypt executable).
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "failed (${status}): ${ARGN}\n${output}")
  endif()
  set(last_output "${output}" PARENT_SCOPE)
endfunction()
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples -B ${WORK_DIR}/examples -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/examples -j 2)
run(${MEDCRYPT} phantom --out ${WORK_DIR}/phantom.mha --size 128)
run(${WORK_DIR}/examples/SmoothingMetrics ${WORK_DIR}/phantom.mha 1.0)
message(STATUS "${last_output}")
if(NOT last_output MATCHES "PSNR [0-9.]+ dB, SSIM 0\\.[0-9]+")
  message(FATAL_ERROR "unexpected example output:\n${last_output}")
endif()
