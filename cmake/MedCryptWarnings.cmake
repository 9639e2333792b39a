# Warnings on for MedCrypt's own targets only (third-party headers are included as SYSTEM).
function(medcrypt_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
endfunction()
