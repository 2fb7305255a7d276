/* SPDX-License-Identifier: Apache-2.0
 *
 * hardrun-canary: the one-file image `hardrun doctor` runs through the runtime shim. Static, so
 * it needs nothing from the image or the network. Prints what the kernel says about this process
 * (the /proc/self/status lines doctor judges) and whether / is writable, then a last line that
 * proves it ran to the end. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(void)
{
  static const char *const k_fields[] = {"Uid:", "Gid:", "CapEff:", "CapBnd:", "NoNewPrivs:", "Seccomp:"};
  char line[512];
  FILE *f = fopen("/proc/self/status", "re");
  if (f != NULL) {
    while (fgets(line, sizeof line, f) != NULL) {
      for (size_t i = 0; i < sizeof k_fields / sizeof k_fields[0]; ++i) {
        if (strncmp(line, k_fields[i], strlen(k_fields[i])) == 0) {
          fputs(line, stdout);
        }
      }
    }
    fclose(f);
  } else {
    printf("status-error: %s\n", strerror(errno));
  }
  const int fd = open("/hardrun-canary-write", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    close(fd);
    unlink("/hardrun-canary-write");
    puts("root-write: written");
  } else if (errno == EROFS) {
    puts("root-write: EROFS");
  } else {
    printf("root-write: errno %d\n", errno);
  }
  puts("hardrun-canary: done");
  return fflush(stdout) == 0 ? 0 : 1;
}
