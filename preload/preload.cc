// A placeholder: see yasmin_preload.h.  It exists now so that packaging, yasmin-run and the
// tests can be built around it before the interposition arrives.

#include "yasmin_preload.h"

extern "C" const char* yasmin_preload_version(void) { return YASMIN_VERSION; }
