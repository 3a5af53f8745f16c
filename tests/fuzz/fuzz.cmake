# tests/fuzz: libFuzzer targets for every parser of untrusted input, and
# seed_gen, which writes their seed corpora from real messages. Built only
# with -DSCOUT6_FUZZ=ON and clang; scripts/fuzz.sh drives it in its own
# build directory. Sources are found relative to this file, so it also
# works when included from a wrapper project (scripts/fuzz.sh does that
# while tests/CMakeLists.txt lacks the include).
option(SCOUT6_FUZZ "Build the libFuzzer targets (clang only)" OFF)

if(SCOUT6_FUZZ AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(WARNING "SCOUT6_FUZZ needs clang; fuzz targets not built")
endif()

if(SCOUT6_FUZZ AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    set(SCOUT6_FUZZ_SANITIZERS -fsanitize=address,undefined
        -fno-sanitize-recover=undefined -fno-omit-frame-pointer)

    # Coverage feedback needs the code under test instrumented, not just
    # the harness; ASan and UBSan go along unless SCOUT6_SANITIZE already
    # put them on everything. The link option is INTERFACE so that every
    # executable linking these libraries (unit tests too) gets the runtime.
    foreach(lib scout6_base scout6_scout scout6_esp scout6_ike_crypto
                scout6_ike scout6_cli_lib scout6_node)
        if(TARGET ${lib})
            target_compile_options(${lib} PRIVATE -fsanitize=fuzzer-no-link
                                   ${SCOUT6_FUZZ_SANITIZERS})
            target_link_options(${lib} INTERFACE ${SCOUT6_FUZZ_SANITIZERS})
        endif()
    endforeach()

    function(scout6_add_fuzzer name lib)
        add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.cpp)
        target_compile_options(${name} PRIVATE -fsanitize=fuzzer
                               ${SCOUT6_FUZZ_SANITIZERS})
        target_link_options(${name} PRIVATE -fsanitize=fuzzer
                            ${SCOUT6_FUZZ_SANITIZERS})
        target_link_libraries(${name} PRIVATE ${lib})
        set_property(GLOBAL APPEND PROPERTY SCOUT6_FUZZERS ${name})
    endfunction()

    scout6_add_fuzzer(scout_fuzz scout6_scout)
    scout6_add_fuzzer(esp_fuzz scout6_esp)
    scout6_add_fuzzer(ike_wire_fuzz scout6_ike)
    scout6_add_fuzzer(ike_engine_fuzz scout6_ike)
    scout6_add_fuzzer(config_fuzz scout6_cli_lib)
    if(TARGET scout6_node)
        scout6_add_fuzzer(node_fuzz scout6_node)
    endif()

    add_executable(seed_gen ${CMAKE_CURRENT_LIST_DIR}/seed_gen.cpp)
    target_compile_options(seed_gen PRIVATE ${SCOUT6_FUZZ_SANITIZERS})
    target_link_options(seed_gen PRIVATE ${SCOUT6_FUZZ_SANITIZERS})
    target_link_libraries(seed_gen PRIVATE scout6_node scout6_cli_lib)

    get_property(fuzzers GLOBAL PROPERTY SCOUT6_FUZZERS)
    add_custom_target(fuzzers DEPENDS ${fuzzers} seed_gen)
endif()
