#include "CFlowPlatform.h"

#ifndef FLOW_COMMIT
#define FLOW_COMMIT ""
#endif

const char *flow_build_commit(void) { return FLOW_COMMIT; }
