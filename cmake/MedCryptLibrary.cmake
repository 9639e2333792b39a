# medcrypt_add_library(TARGET EXPORT_NAME name INCLUDE_DIR dir [STATIC] SOURCES src...):
# one MedCrypt library as every one of them is declared: the MedCrypt::<name> alias, its public headers
# (build tree: INCLUDE_DIR; installed: the include directory), the project's warnings, and installation
# into the MedCryptTargets export set.
function(medcrypt_add_library target)
  cmake_parse_arguments(PARSE_ARGV 1 LIB "STATIC" "EXPORT_NAME;INCLUDE_DIR;INSTALL_INCLUDE_DIR" "SOURCES")
  if(LIB_STATIC)
    add_library(${target} STATIC ${LIB_SOURCES})
  else()
    add_library(${target} ${LIB_SOURCES})
  endif()
  if(NOT LIB_INSTALL_INCLUDE_DIR)
    set(LIB_INSTALL_INCLUDE_DIR ${CMAKE_INSTALL_INCLUDEDIR})
  endif()
  add_library(MedCrypt::${LIB_EXPORT_NAME} ALIAS ${target})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${LIB_INCLUDE_DIR}>
    $<INSTALL_INTERFACE:${LIB_INSTALL_INCLUDE_DIR}>)
  medcrypt_warnings(${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${LIB_EXPORT_NAME})
  install(TARGETS ${target} EXPORT MedCryptTargets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
endfunction()
