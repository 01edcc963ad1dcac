# After the training run (cmake/pgo.cmake): checks that it wrote counts into
# PROFILE, and writes OUT, a header every object of `wvm` includes, so that
# a new profile recompiles them all.
file(GLOB_RECURSE counts ${PROFILE}/*.gcda)
list(LENGTH counts n)
if(n EQUAL 0)
  message(FATAL_ERROR "wvm: the training run wrote no profile into ${PROFILE}")
endif()
string(TIMESTAMP now "%Y-%m-%dT%H:%M:%S")
file(WRITE ${OUT} "// The engine's profile for -fprofile-use: ${n} files, trained ${now}.\n")
