// The server side of libyasmin.so: a program's AF_INET/AF_INET6 TCP listener also accepts
// yasmin clients, on the same descriptor (docs/preload.md, "The server side").
//
// listen(fd) on such a socket, bound to a port P on a non-loopback address (or any), also
// opens an AF_VSOCK listener on port P, moves both sockets to private descriptor numbers and
// puts an epoll instance watching them in place of the program's descriptor.  An epoll
// instance is readable when either socket has a connection waiting, so poll, ppoll, select,
// pselect and epoll (level- or edge-triggered: every new connection on either socket wakes
// the instance's waiters) report the listener as they would a TCP one without being
// wrapped.  What the program then calls on its descriptor is routed here:
//   accept/accept4  take a connection from either socket (alternately first), honouring the
//                   descriptor's O_NONBLOCK, the listener's SO_RCVTIMEO and SA_RESTART;
//                   a vsock client gets a yasmin record and shows as the peer's IP address
//                   (from the view) and a port, in the program's family;
//   getsockname, getpeername, getsockopt, setsockopt, shutdown, listen
//                   go to the TCP socket (SO_RCVBUF/SO_SNDBUF and shutdown to both);
//   epoll_ctl       EPOLLEXCLUSIVE, which Linux refuses for an epoll instance, is dropped;
//   close, dup...   descriptor_events.h.
// A listener that cannot get its vsock half (no vsock, port taken, loopback address,
// YASMIN_DISABLE=1) stays a plain TCP socket.

#ifndef YASMIN_PRELOAD_LISTEN_REDIRECT_H_
#define YASMIN_PRELOAD_LISTEN_REDIRECT_H_

#include <sys/epoll.h>
#include <sys/socket.h>

namespace yasmin {
namespace preload {

int InterposedListen(int fd, int backlog);
int InterposedAccept(int fd, sockaddr* address, socklen_t* length, int flags);
int InterposedShutdown(int fd, int how);
int InterposedEpollCtl(int epoll_fd, int operation, int fd, epoll_event* event);

// The TCP socket behind fd if fd is a converted listener, else fd itself: where the socket
// calls that concern the listener (getsockname, getsockopt...) must go.  One or two memory
// loads for any other descriptor.
int ListenerTcpSocket(int fd);

// After setsockopt() succeeded on a listener's TCP socket: SO_RCVBUF/SO_SNDBUF also size the
// vsock listener's future connections.
void AfterListenerSetSockOpt(int fd, int level, int name, const void* value,
                             socklen_t length);

// The number of converted listeners (tests).
size_t ListenerCount();

}  // namespace preload
}  // namespace yasmin

#endif  // YASMIN_PRELOAD_LISTEN_REDIRECT_H_
