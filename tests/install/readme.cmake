# install/readme: README.md's "Embedding: the installed library" quotes each
# of FILES (the consumer programs the install tests build) verbatim.
file(READ "${README}" readme)
string(REPLACE "|" ";" FILES "${FILES}")
foreach(f ${FILES})
  file(READ "${f}" text)
  string(FIND "${readme}" "${text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "README.md no longer quotes ${f}: copy it into \"Embedding: the installed library\"")
  endif()
endforeach()
