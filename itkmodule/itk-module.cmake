# ITK remote-module description of MedCrypt. Used only when these sources are built inside an ITK
# source tree (Modules/Remote); the everyday build is the plain CMake project at the repository root.
get_filename_component(MY_CURRENT_DIR "${CMAKE_CURRENT_LIST_FILE}" PATH)
file(READ "${MY_CURRENT_DIR}/../README.md" DOCUMENTATION)
string(REGEX MATCH "Encrypt medical images[^\n]*" DOCUMENTATION "${DOCUMENTATION}")

itk_module(MedCrypt
  DEPENDS
    ITKCommon
    ITKIOImageBase
    ITKImageGrid
    ITKStatistics
  TEST_DEPENDS
    ITKTestKernel
    ITKGoogleTest
  DESCRIPTION
    "${DOCUMENTATION}"
  EXCLUDE_FROM_DEFAULT
)
