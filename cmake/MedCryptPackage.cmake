# Export a CMake package so another project can find_package(MedCrypt) after cmake --install.
include(CMakePackageConfigHelpers)
set(MEDCRYPT_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/MedCrypt)
install(EXPORT MedCryptTargets NAMESPACE MedCrypt:: DESTINATION ${MEDCRYPT_INSTALL_CMAKEDIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/MedCryptConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/MedCryptConfig.cmake INSTALL_DESTINATION ${MEDCRYPT_INSTALL_CMAKEDIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/MedCryptConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/MedCryptConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/MedCryptConfigVersion.cmake
  DESTINATION ${MEDCRYPT_INSTALL_CMAKEDIR})
