#ifndef CFLOWPLATFORM_H
#define CFLOWPLATFORM_H

/// The git commit flow was built from (`make install` passes it as FLOW_COMMIT), or "" for a
/// development build.
const char *flow_build_commit(void);

/// Whether libcurl has been loaded into this process (only a request on the wire loads it in a
/// build that links the Swift runtime statically; see lazy_curl.c).
int flow_curl_loaded(void);

#endif
