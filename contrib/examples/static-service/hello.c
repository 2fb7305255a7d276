// SPDX-License-Identifier: Apache-2.0
// A minimal static HTTP service for a FROM-scratch image: answers every request on port 8080
// (or $PORT) with "hello from hardrun". No libc beyond sockets, no files, no shell; runs as any
// non-root uid on a read-only root with no capabilities (ports above 1023). As PID 1 it handles
// SIGTERM itself, so `podman stop` does not wait for the kill timeout.
#define _GNU_SOURCE // accept4
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void
on_term(int sig)
{
  (void)sig;
  _exit(0);
}

int
main(void)
{
  const char* port_env = getenv("PORT");
  const int port = port_env != NULL ? atoi(port_env) : 8080;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  const int s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) {
    perror("socket");
    return 1;
  }
  const int on = 1;
  const int off = 0;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  struct sockaddr_in6 addr;
  memset(&addr, 0, sizeof addr);
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_any;
  addr.sin6_port = htons((unsigned short)port);
  if (bind(s, (struct sockaddr*)&addr, sizeof addr) != 0 || listen(s, 16) != 0) {
    perror("bind/listen");
    return 1;
  }
  fprintf(stderr, "hello: listening on port %d as uid %u\n", port, (unsigned)getuid());
  static const char reply[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 19\r\n"
                              "Connection: close\r\n\r\nhello from hardrun\n";
  for (;;) {
    const int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) {
      continue;
    }
    char buf[1024];
    (void)read(c, buf, sizeof buf); // the request line; its content does not matter
    (void)write(c, reply, sizeof reply - 1);
    close(c);
  }
}
