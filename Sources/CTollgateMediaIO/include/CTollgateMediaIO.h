#ifndef C_TOLLGATE_MEDIA_IO_H
#define C_TOLLGATE_MEDIA_IO_H

#include <stdint.h>

/// The readiness interface of the media loop: an epoll instance (Linux) watching descriptors for
/// input, each under a 64-bit token, and an eventfd to wake it from other threads. Every function
/// returns -1 with errno set on failure; on a system without epoll, every one fails with ENOSYS.

/// A new epoll instance (close-on-exec).
int tg_media_poller_create(void);
/// Watches `fd` for input (level-triggered); `token` comes back when it is readable.
int tg_media_poller_add(int poller, int fd, uint64_t token);
/// Stops watching `fd`.
int tg_media_poller_remove(int poller, int fd);
/// Waits up to `timeout_ms` (-1: no limit) for readable descriptors; writes at most `capacity`
/// of their tokens to `tokens` and returns how many.
int tg_media_poller_wait(int poller, uint64_t *tokens, int capacity, int timeout_ms);
/// A new non-blocking, close-on-exec eventfd.
int tg_media_wakeup_create(void);
/// Makes the eventfd readable.
int tg_media_wakeup_signal(int fd);
/// Empties the eventfd.
int tg_media_wakeup_drain(int fd);

/// Names the calling thread (at most 15 characters are kept), for `top -H` and `/proc`.
int tg_media_name_thread(const char *name);

#endif
