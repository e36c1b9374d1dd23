#define _GNU_SOURCE
#include "CTollgateMediaIO.h"

#include <pthread.h>
#include <string.h>

#include <errno.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/epoll.h>
#include <sys/eventfd.h>

int tg_media_poller_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int tg_media_poller_add(int poller, int fd, uint64_t token) {
    struct epoll_event event = { .events = EPOLLIN, .data.u64 = token };
    return epoll_ctl(poller, EPOLL_CTL_ADD, fd, &event);
}

int tg_media_poller_remove(int poller, int fd) {
    struct epoll_event event = { 0 };
    return epoll_ctl(poller, EPOLL_CTL_DEL, fd, &event);
}

int tg_media_poller_wait(int poller, uint64_t *tokens, int capacity, int timeout_ms) {
    enum { batch = 256 };
    struct epoll_event events[batch];
    if (capacity > batch) capacity = batch;
    int count = epoll_wait(poller, events, capacity, timeout_ms);
    for (int index = 0; index < count; index++) tokens[index] = events[index].data.u64;
    return count;
}

int tg_media_wakeup_create(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

int tg_media_wakeup_signal(int fd) {
    uint64_t one = 1;
    return write(fd, &one, sizeof one) == sizeof one ? 0 : -1;
}

int tg_media_wakeup_drain(int fd) {
    uint64_t value;
    return read(fd, &value, sizeof value) == sizeof value || errno == EAGAIN ? 0 : -1;
}

int tg_media_name_thread(const char *name) {
    char short_name[16];
    strncpy(short_name, name, sizeof short_name - 1);
    short_name[sizeof short_name - 1] = 0;
    return pthread_setname_np(pthread_self(), short_name) == 0 ? 0 : -1;
}

#else

int tg_media_name_thread(const char *name) { (void)name; return 0; }
int tg_media_poller_create(void) { errno = ENOSYS; return -1; }
int tg_media_poller_add(int poller, int fd, uint64_t token) { (void)poller; (void)fd; (void)token; errno = ENOSYS; return -1; }
int tg_media_poller_remove(int poller, int fd) { (void)poller; (void)fd; errno = ENOSYS; return -1; }
int tg_media_poller_wait(int poller, uint64_t *tokens, int capacity, int timeout_ms) {
    (void)poller; (void)tokens; (void)capacity; (void)timeout_ms; errno = ENOSYS; return -1;
}
int tg_media_wakeup_create(void) { errno = ENOSYS; return -1; }
int tg_media_wakeup_signal(int fd) { (void)fd; errno = ENOSYS; return -1; }
int tg_media_wakeup_drain(int fd) { (void)fd; errno = ENOSYS; return -1; }

#endif
