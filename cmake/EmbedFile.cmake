# berth_embed_file(<target> <input> <symbol>): generates a .cpp defining
# `extern const std::string_view <symbol>` with the file's bytes, rebuilt when the file changes.
function(berth_embed_file target input symbol)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${symbol}.cpp)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DOUTPUT=${out} -DSYMBOL=${symbol}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_file_script.cmake
    DEPENDS ${input} ${PROJECT_SOURCE_DIR}/cmake/embed_file_script.cmake
    COMMENT "Embedding ${input}")
  target_sources(${target} PRIVATE ${out})
endfunction()
