# guest-kmod/ring.c, ring_budget.c, ctrl_msg.c, doorbell.c, seqpacket.c and view_parse.c, the
# kernel module's ring, ring-sizing, control-message, doorbell, record-framing and view-checking
# logic, compiled unchanged as userspace C: guest-kmod/ring_platform.h maps the kernel
# primitives they use onto GCC atomics; view_parse.c parses and prints addresses with
# inet_pton() and inet_ntop() where the kernel uses in4_pton()/in6_pton() and %pI4/%pI6c.
# The unit tests (tests/unit) and the native benchmark (bench/) both link it, so it is defined
# once, here, before either directory is added.
add_library(yasmin_ring_c STATIC ${PROJECT_SOURCE_DIR}/guest-kmod/ring.c
                                 ${PROJECT_SOURCE_DIR}/guest-kmod/ring_budget.c
                                 ${PROJECT_SOURCE_DIR}/guest-kmod/ctrl_msg.c
                                 ${PROJECT_SOURCE_DIR}/guest-kmod/doorbell.c
                                 ${PROJECT_SOURCE_DIR}/guest-kmod/seqpacket.c
                                 ${PROJECT_SOURCE_DIR}/guest-kmod/view_parse.c)
set_target_properties(yasmin_ring_c PROPERTIES
  C_STANDARD 11
  C_STANDARD_REQUIRED ON
  C_EXTENSIONS ON  # gnu11, as the kernel builds it
)
target_compile_options(yasmin_ring_c PRIVATE -Wall -Wextra -Werror)
target_include_directories(yasmin_ring_c PUBLIC
  ${PROJECT_SOURCE_DIR}/include
  ${PROJECT_SOURCE_DIR}/guest-kmod
)
