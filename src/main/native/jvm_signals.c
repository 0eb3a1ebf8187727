/*
 * jvm_signals.c: keeps the JVM's handlers of the synchronous signals in place while OpenCL drivers run in
 * the same process (JNI; dev.cltrain.opencl.JvmSignals is its Java side).
 *
 * HotSpot raises SIGSEGV on purpose (safepoint polls, implicit null checks, stack banging) and handles it in
 * its own handler. PoCL's LLVM installs crash handlers for SIGSEGV, SIGBUS, SIGILL and SIGFPE with
 * SA_RESETHAND when the platform loads and when it compiles a kernel; when two Java threads fault at once
 * (all threads meet a safepoint poll together), the first delivery resets the action to SIG_DFL and the
 * second kills the process without a trace.
 *
 * save() reads the actions in force before any OpenCL call (the JVM's); restore() writes them back after a
 * driver call, so the driver's handlers never see a signal. LLVM counts its handlers as registered and does
 * not install them again, so one restore after each call that may install them is enough.
 *
 * Both go through the rt_sigaction system call, not libc's sigaction: when HotSpot's libjsig is preloaded
 * (signal chaining, a user's LD_PRELOAD) libc's sigaction is libjsig's, which would record our write as a
 * handler to chain to. The kernel's struct is copied as opaque bytes, so its layout (and the restorer that
 * glibc set) is kept whatever the architecture.
 */
#include <jni.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SIGNALS 4
#define ACTION_BYTES 64 /* at least the kernel's struct sigaction on every Linux architecture */
#define KERNEL_SIGSET_BYTES (_NSIG / 8)

static const int signals[SIGNALS] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};
static unsigned char saved[SIGNALS][ACTION_BYTES];
static int have_saved = 0;

static int read_action(int sig, unsigned char *out) {
  memset(out, 0, ACTION_BYTES);
  return (int) syscall(SYS_rt_sigaction, sig, NULL, out, KERNEL_SIGSET_BYTES);
}

/* Saves the current actions; returns 0, or the errno-style failure of the system call. */
JNIEXPORT jint JNICALL Java_dev_cltrain_opencl_JvmSignals_save0(JNIEnv *env, jclass cls) {
  (void) env;
  (void) cls;
  for (int i = 0; i < SIGNALS; i++) {
    if (read_action(signals[i], saved[i]) != 0) {
      return -1;
    }
  }
  have_saved = 1;
  return 0;
}

/* Writes back every saved action that differs from the one in force; returns how many were restored. */
JNIEXPORT jint JNICALL Java_dev_cltrain_opencl_JvmSignals_restore0(JNIEnv *env, jclass cls) {
  (void) env;
  (void) cls;
  if (!have_saved) {
    return 0;
  }
  int restored = 0;
  for (int i = 0; i < SIGNALS; i++) {
    unsigned char now[ACTION_BYTES];
    if (read_action(signals[i], now) != 0) {
      return -1;
    }
    if (memcmp(now, saved[i], ACTION_BYTES) != 0) {
      if (syscall(SYS_rt_sigaction, signals[i], saved[i], NULL, KERNEL_SIGSET_BYTES) != 0) {
        return -1;
      }
      restored++;
    }
  }
  return restored;
}

/*
 * Driver output capture (dev.cltrain.opencl.JvmSignals.captureStderr): OpenCL compilers write diagnostics
 * ("12 warnings generated.", "MESA: warning: ...") straight to file descriptor 2 during clBuildProgram. While
 * a capture is open, descriptor 2 points at an unnamed temporary file; ending it points 2 back and returns
 * what was written, so the caller decides whether the user sees it (cltrain shows it with --verbose).
 */
static int capture_saved = -1;
static FILE *capture_file = NULL;

/* Starts a capture; returns 0, or -1 when one is open already or a descriptor could not be made. */
JNIEXPORT jint JNICALL Java_dev_cltrain_opencl_JvmSignals_captureStart0(JNIEnv *env, jclass cls) {
  (void) env;
  (void) cls;
  if (capture_saved >= 0) {
    return -1;
  }
  FILE *file = tmpfile();
  if (file == NULL) {
    return -1;
  }
  fflush(stderr);
  int saved = dup(2);
  if (saved < 0 || dup2(fileno(file), 2) < 0) {
    if (saved >= 0) {
      close(saved);
    }
    fclose(file);
    return -1;
  }
  capture_saved = saved;
  capture_file = file;
  return 0;
}

/* Ends the capture: descriptor 2 as before, and the bytes written meanwhile (null when none was open). */
JNIEXPORT jbyteArray JNICALL Java_dev_cltrain_opencl_JvmSignals_captureEnd0(JNIEnv *env, jclass cls) {
  (void) cls;
  if (capture_saved < 0) {
    return NULL;
  }
  fflush(stderr);
  dup2(capture_saved, 2);
  close(capture_saved);
  capture_saved = -1;
  long size = lseek(fileno(capture_file), 0, SEEK_END);
  if (size < 0) {
    size = 0;
  }
  jbyteArray out = (*env)->NewByteArray(env, (jsize) size);
  if (out != NULL && size > 0) {
    char *bytes = malloc((size_t) size);
    if (bytes != NULL) {
      ssize_t got = pread(fileno(capture_file), bytes, (size_t) size, 0);
      (*env)->SetByteArrayRegion(env, out, 0, (jsize) (got > 0 ? got : 0), (const jbyte *) bytes);
      free(bytes);
    }
  }
  fclose(capture_file);
  capture_file = NULL;
  return out;
}
