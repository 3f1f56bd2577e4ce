# Settings every DigitDesk target shares: C++20, warnings as errors on our own code, and
# QT_NO_KEYWORDS so that Qt's `slots` macro never meets ATen's headers.
function(digitdesk_configure_target target)
    target_compile_features(${target} PUBLIC cxx_std_20)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
    target_compile_definitions(${target} PUBLIC QT_NO_KEYWORDS)
endfunction()
