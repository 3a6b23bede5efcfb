// libcurl, loaded on the first call instead of at start-up.
//
// FoundationNetworking (URLSession) is flow's only networking code, and it calls 23 libcurl
// functions. Linked normally, libcurl and the 35 shared libraries behind it (TLS, HTTP/2, IDN,
// Kerberos, LDAP…) are loaded and relocated when the process starts: about 8 ms, paid by every
// command, including the many that never send a request (validate, render, show, a mock or
// replayed run). This file defines those 23 functions; each loads libcurl with dlopen the first
// time any of them is called and forwards to the real one. `make install` links the Swift
// runtime statically and passes `--as-needed`, so the executable no longer names libcurl at all.
//
// The definitions are hidden: they bind only the static FoundationNetworking inside this
// executable. A build that links Foundation dynamically (make test) uses the shared
// FoundationNetworking, which names libcurl itself, and never calls these.
//
// Signatures follow libcurl's documented prototypes (curl/curl.h, curl/multi.h, curl/urlapi.h);
// handles are opaque here, and enums are int-sized as in the C ABI. The three variadic
// functions (curl_easy_setopt, curl_easy_getinfo, curl_multi_setopt) take exactly one argument
// after the option, always a long, a curl_off_t, a pointer or a function pointer; on the LP64
// targets flow builds for (x86_64, aarch64) all four travel in the same 64-bit integer register,
// so it is read as an integer of that size and passed on unchanged.

#define _GNU_SOURCE
#include "CFlowPlatform.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#define HIDDEN __attribute__((visibility("hidden")))

static void *curl_library;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void load_curl(void) {
    // Debian's libcurl4 (OpenSSL), which the static FoundationNetworking is built against, then
    // the GnuTLS build some machines carry instead.
    const char *names[] = {"libcurl.so.4", "libcurl-gnutls.so.4"};
    for (unsigned i = 0; i < sizeof names / sizeof *names && !curl_library; i++) {
        curl_library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (!curl_library) {
        fprintf(stderr, "flow: cannot load libcurl (%s): install it (Debian: apt-get install libcurl4) to send requests\n", dlerror());
        _exit(69);  // EX_UNAVAILABLE, as for any provider that cannot be reached
    }
}

static void *curl_function(const char *name) {
    pthread_once(&curl_once, load_curl);
    void *function = dlsym(curl_library, name);
    if (!function) {
        fprintf(stderr, "flow: the loaded libcurl has no %s: install libcurl 7.62 or later\n", name);
        _exit(69);
    }
    return function;
}

int flow_curl_loaded(void) { return curl_library != NULL; }

// Each forwarder looks its function up once and keeps it (a benign race: every thread stores
// the same pointer).
#define FORWARD(ret, name, params, args)                                  \
    HIDDEN ret name params {                                              \
        static ret (*real) params;                                        \
        if (!real) real = (ret (*) params)curl_function(#name);           \
        return real args;                                                 \
    }

#define FORWARD_VOID(name, params, args)                                  \
    HIDDEN void name params {                                             \
        static void (*real) params;                                       \
        if (!real) real = (void (*) params)curl_function(#name);          \
        real args;                                                        \
    }

// One argument after the option, read at its full register width (see the top of the file).
#define FORWARD_OPTION(name)                                              \
    HIDDEN int name(void *handle, int option, ...) {                      \
        static int (*real)(void *, int, ...);                             \
        if (!real) real = (int (*)(void *, int, ...))curl_function(#name);\
        va_list list;                                                     \
        va_start(list, option);                                           \
        intptr_t value = va_arg(list, intptr_t);                          \
        va_end(list);                                                     \
        return real(handle, option, value);                               \
    }

FORWARD(int, curl_global_init, (long flags), (flags))
FORWARD(void *, curl_easy_init, (void), ())
FORWARD_VOID(curl_easy_cleanup, (void *easy), (easy))
FORWARD_OPTION(curl_easy_setopt)
FORWARD_OPTION(curl_easy_getinfo)
FORWARD(int, curl_easy_pause, (void *easy, int bitmask), (easy, bitmask))
FORWARD(const char *, curl_easy_strerror, (int code), (code))
FORWARD_VOID(curl_free, (void *pointer), (pointer))
FORWARD(void *, curl_multi_init, (void), ())
FORWARD(int, curl_multi_add_handle, (void *multi, void *easy), (multi, easy))
FORWARD(int, curl_multi_remove_handle, (void *multi, void *easy), (multi, easy))
FORWARD(int, curl_multi_assign, (void *multi, int socket, void *pointer), (multi, socket, pointer))
FORWARD(int, curl_multi_cleanup, (void *multi), (multi))
FORWARD(void *, curl_multi_info_read, (void *multi, int *queued), (multi, queued))
FORWARD_OPTION(curl_multi_setopt)
FORWARD(int, curl_multi_socket_action, (void *multi, int socket, int events, int *running), (multi, socket, events, running))
FORWARD(void *, curl_slist_append, (void *list, const char *text), (list, text))
FORWARD_VOID(curl_slist_free_all, (void *list), (list))
FORWARD(void *, curl_url, (void), ())
FORWARD(int, curl_url_get, (const void *url, int part, char **value, unsigned int flags), (url, part, value, flags))
FORWARD(int, curl_url_set, (void *url, int part, const char *value, unsigned int flags), (url, part, value, flags))
FORWARD(char *, curl_version, (void), ())
FORWARD(void *, curl_version_info, (int age), (age))
