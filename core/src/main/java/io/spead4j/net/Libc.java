package io.spead4j.net;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The Linux C library calls and structures behind {@link NativeUdpSocket}, reached through
 * {@code java.lang.foreign} downcalls (no JNI, nothing to build). Linux on x86-64 and aarch64 only: both use
 * the generic socket and errno numbers and the LP64 structure layouts written here; anywhere else, or when
 * the downcalls cannot be made (native access denied, a symbol missing), {@link #unsupportedReason()} says
 * why and nothing here may be called.
 *
 * <p>Every downcall that can fail captures {@code errno} through {@link Linker.Option#captureCallState}
 * into a caller-provided segment of {@link #CAPTURE_LAYOUT}; {@link #errno(MemorySegment)} reads it.
 */
final class Libc {
    // ---- constants (Linux uapi / asm-generic; identical on x86-64 and aarch64) ----
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_REUSEADDR = 2;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int IPPROTO_IP = 0;
    static final int IPPROTO_UDP = 17;
    static final int SOL_UDP = 17;
    static final int IPPROTO_IPV6 = 41;
    static final int IP_MULTICAST_IF = 32;
    static final int IP_MULTICAST_TTL = 33;
    static final int IP_MULTICAST_LOOP = 34;
    static final int IP_ADD_MEMBERSHIP = 35;
    static final int IPV6_MULTICAST_IF = 17;
    static final int IPV6_MULTICAST_HOPS = 18;
    static final int IPV6_MULTICAST_LOOP = 19;
    static final int IPV6_ADD_MEMBERSHIP = 20;
    static final int UDP_SEGMENT = 103;
    static final int UDP_GRO = 104;
    /** {@code SO_RXQ_OVFL}: each datagram carries the socket's count of dropped datagrams (a uint32 cmsg). */
    static final int SO_RXQ_OVFL = 40;
    static final int MSG_TRUNC = 0x20;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_CTRUNC = 0x08;
    static final int SHUT_RDWR = 2;
    static final short POLLIN = 0x1;
    static final short POLLOUT = 0x4;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EPIPE = 32;
    static final int EMSGSIZE = 90;
    static final int ENOBUFS = 105;
    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;
    static final int EPOLLIN = 0x1;
    static final int EPOLLOUT = 0x4;
    static final int EPOLLERR = 0x8;
    static final int EPOLLHUP = 0x10;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;
    static final int CLOCK_MONOTONIC = 1;
    static final int TFD_NONBLOCK = 0x800;
    static final int TFD_CLOEXEC = 0x80000;
    static final int TFD_TIMER_ABSTIME = 1;
    /** {@code struct itimerspec}: interval then value, each seconds and nanoseconds (32 bytes). */
    static final long ITIMERSPEC_SIZE = 32;
    static final long ITIMERSPEC_VALUE_SEC = 16;
    static final long ITIMERSPEC_VALUE_NSEC = 24;
    /** Bytes of a {@code cpu_set_t} (glibc's CPU_SETSIZE of 1024 cores). */
    static final int CPU_SET_BYTES = 128;

    // ---- structures (LP64, explicit padding) ----
    /*
     * Native-order layouts for reading and writing these structures field by field on hot paths (the batches'
     * headers, iovecs and control messages): unlike JAVA_LONG and friends they make no alignment check on
     * every access. The structures are aligned by their allocation, and x86-64 and aarch64 read unaligned
     * words anyway.
     */
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfShort U16_BE = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32_BE = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final AddressLayout PTR = ADDRESS;

    /** {@code struct iovec}: base pointer and length (16 bytes). */
    static final StructLayout IOVEC = MemoryLayout.structLayout(
            PTR.withName("iov_base"), JAVA_LONG.withName("iov_len")).withName("iovec");
    /** {@code struct msghdr} (56 bytes). */
    static final StructLayout MSGHDR = MemoryLayout.structLayout(
            PTR.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"), MemoryLayout.paddingLayout(4),
            PTR.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            PTR.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"), MemoryLayout.paddingLayout(4)).withName("msghdr");
    /** {@code struct mmsghdr}: a msghdr and the byte count of its datagram (64 bytes). */
    static final StructLayout MMSGHDR = MemoryLayout.structLayout(
            MSGHDR.withName("msg_hdr"), JAVA_INT.withName("msg_len"), MemoryLayout.paddingLayout(4))
            .withName("mmsghdr");
    /** {@code struct cmsghdr} header; the data follows at {@link #CMSG_DATA_OFFSET} (16 bytes). */
    static final StructLayout CMSGHDR = MemoryLayout.structLayout(
            JAVA_LONG.withName("cmsg_len"), JAVA_INT.withName("cmsg_level"), JAVA_INT.withName("cmsg_type"))
            .withName("cmsghdr");
    /** {@code struct sockaddr_in}: family (native), port and address (network order), zero (16 bytes). */
    static final StructLayout SOCKADDR_IN = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin_family"), U16_BE.withName("sin_port"),
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_BYTE).withName("sin_addr"),
            MemoryLayout.paddingLayout(8)).withName("sockaddr_in");
    /** {@code struct sockaddr_in6} (28 bytes). */
    static final StructLayout SOCKADDR_IN6 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin6_family"), U16_BE.withName("sin6_port"), U32_BE.withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, ValueLayout.JAVA_BYTE).withName("sin6_addr"),
            JAVA_INT.withName("sin6_scope_id")).withName("sockaddr_in6");
    /** {@code struct ip_mreq}: group and interface address, network order (8 bytes). */
    static final StructLayout IP_MREQ = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_BYTE).withName("imr_multiaddr"),
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_BYTE).withName("imr_interface")).withName("ip_mreq");
    /** {@code struct ipv6_mreq}: group address and interface index (20 bytes). */
    static final StructLayout IPV6_MREQ = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(16, ValueLayout.JAVA_BYTE).withName("ipv6mr_multiaddr"),
            JAVA_INT.withName("ipv6mr_interface")).withName("ipv6_mreq");
    /** {@code struct pollfd} (8 bytes). */
    static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents"))
            .withName("pollfd");

    static final long IOV_BASE = IOVEC.byteOffset(MemoryLayout.PathElement.groupElement("iov_base"));
    static final long IOV_LEN = IOVEC.byteOffset(MemoryLayout.PathElement.groupElement("iov_len"));
    static final long MSG_NAME = offset("msg_name");
    static final long MSG_NAMELEN = offset("msg_namelen");
    static final long MSG_IOV = offset("msg_iov");
    static final long MSG_IOVLEN = offset("msg_iovlen");
    static final long MSG_CONTROL = offset("msg_control");
    static final long MSG_CONTROLLEN = offset("msg_controllen");
    static final long MSG_FLAGS = offset("msg_flags");
    static final long MSG_LEN = MMSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_len"));
    static final long CMSG_DATA_OFFSET = CMSGHDR.byteSize();
    /**
     * {@code struct epoll_event}: a 32-bit event mask and 64 bits of user data. The kernel packs it on x86-64
     * (12 bytes, data at offset 4) but not on other architectures (16 bytes, data at offset 8).
     */
    static final StructLayout EPOLL_EVENT = epollEventLayout();
    static final long EPOLL_EVENTS = 0;
    static final long EPOLL_DATA = EPOLL_EVENT.byteOffset(MemoryLayout.PathElement.groupElement("data"));

    private static StructLayout epollEventLayout() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            return MemoryLayout.structLayout(JAVA_INT.withName("events"),
                    ValueLayout.JAVA_LONG_UNALIGNED.withName("data")).withName("epoll_event");
        }
        return MemoryLayout.structLayout(JAVA_INT.withName("events"), MemoryLayout.paddingLayout(4),
                JAVA_LONG.withName("data")).withName("epoll_event");
    }

    static final long POLL_EVENTS = POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("events"));
    static final long POLL_REVENTS = POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("revents"));

    private static long offset(String field) {
        return MMSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_hdr"),
                MemoryLayout.PathElement.groupElement(field));
    }

    // ---- downcalls ----
    private static final StringBuilder PROBLEMS = new StringBuilder();
    private static final Linker LINKER = linker();
    private static final SymbolLookup LOOKUP = LINKER == null ? null : LINKER.defaultLookup();
    /** Layout of the segment that receives {@code errno}. */
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET =
            CAPTURE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle SOCKET = downcall("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle BIND = downcall("bind", JAVA_INT, JAVA_INT, PTR, JAVA_INT);
    private static final MethodHandle CONNECT = downcall("connect", JAVA_INT, JAVA_INT, PTR, JAVA_INT);
    private static final MethodHandle SETSOCKOPT =
            downcall("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, PTR, JAVA_INT);
    private static final MethodHandle GETSOCKOPT =
            downcall("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, PTR, PTR);
    private static final MethodHandle GETSOCKNAME = downcall("getsockname", JAVA_INT, JAVA_INT, PTR, PTR);
    private static final MethodHandle RECVMMSG =
            downcall("recvmmsg", JAVA_INT, JAVA_INT, PTR, JAVA_INT, JAVA_INT, PTR);
    private static final MethodHandle SENDMMSG = downcall("sendmmsg", JAVA_INT, JAVA_INT, PTR, JAVA_INT, JAVA_INT);
    private static final MethodHandle POLL = downcall("poll", JAVA_INT, PTR, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SHUTDOWN = downcall("shutdown", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle CLOSE = downcall("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle EPOLL_CREATE1 = downcall("epoll_create1", JAVA_INT, JAVA_INT);
    private static final MethodHandle EPOLL_CTL = downcall("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, PTR);
    private static final MethodHandle EPOLL_WAIT = downcall("epoll_wait", JAVA_INT, JAVA_INT, PTR, JAVA_INT, JAVA_INT);
    private static final MethodHandle EVENTFD = downcall("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle READ = downcall("read", JAVA_LONG, JAVA_INT, PTR, JAVA_LONG);
    private static final MethodHandle WRITE = downcall("write", JAVA_LONG, JAVA_INT, PTR, JAVA_LONG);
    private static final MethodHandle TIMERFD_CREATE = downcall("timerfd_create", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle TIMERFD_SETTIME =
            downcall("timerfd_settime", JAVA_INT, JAVA_INT, JAVA_INT, PTR, PTR);
    private static final MethodHandle SCHED_SETAFFINITY =
            downcall("sched_setaffinity", JAVA_INT, JAVA_INT, JAVA_LONG, PTR);
    private static final MethodHandle STRERROR = downcallNoErrno("strerror", PTR, JAVA_INT);
    /** {@code prctl(option, ...)}: variadic in C, so linked with the variadic arguments marked. */
    private static final MethodHandle PRCTL = downcall("prctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), false,
            Linker.Option.firstVariadicArg(1));

    private static final String UNSUPPORTED = PROBLEMS.isEmpty() ? null : PROBLEMS.toString();

    private Libc() {
    }

    private static Linker linker() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux")) {
            PROBLEMS.append("not Linux (os.name ").append(os).append(')');
            return null;
        }
        if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
            PROBLEMS.append("not x86-64 or aarch64 (os.arch ").append(arch).append(')');
            return null;
        }
        if (ADDRESS.byteSize() != 8) {
            PROBLEMS.append("not a 64-bit address model");
            return null;
        }
        try {
            return Linker.nativeLinker();
        } catch (RuntimeException e) {
            PROBLEMS.append("no native linker: ").append(e);
            return null;
        }
    }

    private static MethodHandle downcall(String name, ValueLayout result, MemoryLayout... args) {
        return downcall(name, FunctionDescriptor.of(result, args), true);
    }

    private static MethodHandle downcallNoErrno(String name, ValueLayout result, MemoryLayout... args) {
        return downcall(name, FunctionDescriptor.of(result, args), false);
    }

    @SuppressWarnings("restricted") // needs --enable-native-access (the launcher and tests pass it)
    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, boolean errno,
                                         Linker.Option... options) {
        if (LINKER == null) {
            return null;
        }
        try {
            Optional<MemorySegment> symbol = LOOKUP.find(name);
            if (symbol.isEmpty()) {
                PROBLEMS.append(PROBLEMS.isEmpty() ? "" : "; ").append("libc has no ").append(name);
                return null;
            }
            return errno
                    ? LINKER.downcallHandle(symbol.get(), descriptor, Linker.Option.captureCallState("errno"))
                    : LINKER.downcallHandle(symbol.get(), descriptor, options);
        } catch (RuntimeException e) { // IllegalCallerException when native access is denied
            if (e instanceof IllegalCallerException) { // the same for every symbol: say it once
                if (PROBLEMS.indexOf("native access denied") < 0) {
                    PROBLEMS.append(PROBLEMS.isEmpty() ? "" : "; ").append("native access denied (")
                            .append(e.getMessage()).append("; run with --enable-native-access=ALL-UNNAMED)");
                }
                return null;
            }
            PROBLEMS.append(PROBLEMS.isEmpty() ? "" : "; ").append("cannot link ").append(name).append(": ")
                    .append(e);
            return null;
        }
    }

    /** {@return null if the downcalls work here, else why not} */
    static String unsupportedReason() {
        return UNSUPPORTED;
    }

    /** @return the errno captured by the last failed call into {@code capture} @param capture the state */
    static int errno(MemorySegment capture) {
        return capture.get(JAVA_INT, ERRNO_OFFSET);
    }

    /** @return the C library's text for an error number, or "errno N" @param errno the number */
    @SuppressWarnings("restricted") // strerror's result is a C string of unknown length
    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            if (text.equals(MemorySegment.NULL)) {
                return "errno " + errno;
            }
            return text.reinterpret(1024).getString(0) + " (errno " + errno + ")";
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    private static IllegalStateException broken(String call, Throwable t) {
        return new IllegalStateException("downcall " + call + " failed", t);
    }

    static int socket(MemorySegment capture, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(capture, domain, type, protocol);
        } catch (Throwable t) {
            throw broken("socket", t);
        }
    }

    static int bind(MemorySegment capture, int fd, MemorySegment address, int length) {
        try {
            return (int) BIND.invokeExact(capture, fd, address, length);
        } catch (Throwable t) {
            throw broken("bind", t);
        }
    }

    static int connect(MemorySegment capture, int fd, MemorySegment address, int length) {
        try {
            return (int) CONNECT.invokeExact(capture, fd, address, length);
        } catch (Throwable t) {
            throw broken("connect", t);
        }
    }

    static int setsockopt(MemorySegment capture, int fd, int level, int name, MemorySegment value, int length) {
        try {
            return (int) SETSOCKOPT.invokeExact(capture, fd, level, name, value, length);
        } catch (Throwable t) {
            throw broken("setsockopt", t);
        }
    }

    static int getsockopt(MemorySegment capture, int fd, int level, int name, MemorySegment value,
                          MemorySegment length) {
        try {
            return (int) GETSOCKOPT.invokeExact(capture, fd, level, name, value, length);
        } catch (Throwable t) {
            throw broken("getsockopt", t);
        }
    }

    static int getsockname(MemorySegment capture, int fd, MemorySegment address, MemorySegment length) {
        try {
            return (int) GETSOCKNAME.invokeExact(capture, fd, address, length);
        } catch (Throwable t) {
            throw broken("getsockname", t);
        }
    }

    static int recvmmsg(MemorySegment capture, int fd, MemorySegment messages, int count, int flags) {
        try {
            return (int) RECVMMSG.invokeExact(capture, fd, messages, count, flags, MemorySegment.NULL);
        } catch (Throwable t) {
            throw broken("recvmmsg", t);
        }
    }

    static int sendmmsg(MemorySegment capture, int fd, MemorySegment messages, int count, int flags) {
        try {
            return (int) SENDMMSG.invokeExact(capture, fd, messages, count, flags);
        } catch (Throwable t) {
            throw broken("sendmmsg", t);
        }
    }

    static int poll(MemorySegment capture, MemorySegment fds, long count, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(capture, fds, count, timeoutMillis);
        } catch (Throwable t) {
            throw broken("poll", t);
        }
    }

    static int shutdown(MemorySegment capture, int fd, int how) {
        try {
            return (int) SHUTDOWN.invokeExact(capture, fd, how);
        } catch (Throwable t) {
            throw broken("shutdown", t);
        }
    }

    static int close(MemorySegment capture, int fd) {
        try {
            return (int) CLOSE.invokeExact(capture, fd);
        } catch (Throwable t) {
            throw broken("close", t);
        }
    }

    /** {@code prctl} option that sets the calling thread's timer slack in nanoseconds. */
    static final int PR_SET_TIMERSLACK = 29;
    /** {@code prctl} option that returns the calling thread's timer slack. */
    static final int PR_GET_TIMERSLACK = 30;

    /**
     * Calls {@code prctl} with one argument.
     *
     * @param option the option
     * @param argument its argument
     * @return the call's result, or -1 if prctl could not be linked here
     */
    static int prctl(int option, long argument) {
        if (PRCTL == null) {
            return -1;
        }
        try {
            return (int) PRCTL.invokeExact(option, argument, 0L, 0L, 0L);
        } catch (Throwable t) {
            throw broken("prctl", t);
        }
    }

    static int epollCreate1(MemorySegment capture, int flags) {
        try {
            return (int) EPOLL_CREATE1.invokeExact(capture, flags);
        } catch (Throwable t) {
            throw broken("epoll_create1", t);
        }
    }

    static int epollCtl(MemorySegment capture, int epfd, int op, int fd, MemorySegment event) {
        try {
            return (int) EPOLL_CTL.invokeExact(capture, epfd, op, fd, event);
        } catch (Throwable t) {
            throw broken("epoll_ctl", t);
        }
    }

    static int epollWait(MemorySegment capture, int epfd, MemorySegment events, int maxEvents, int timeoutMillis) {
        try {
            return (int) EPOLL_WAIT.invokeExact(capture, epfd, events, maxEvents, timeoutMillis);
        } catch (Throwable t) {
            throw broken("epoll_wait", t);
        }
    }

    static int eventfd(MemorySegment capture, int initial, int flags) {
        try {
            return (int) EVENTFD.invokeExact(capture, initial, flags);
        } catch (Throwable t) {
            throw broken("eventfd", t);
        }
    }

    static long read(MemorySegment capture, int fd, MemorySegment buffer, long count) {
        try {
            return (long) READ.invokeExact(capture, fd, buffer, count);
        } catch (Throwable t) {
            throw broken("read", t);
        }
    }

    static long write(MemorySegment capture, int fd, MemorySegment buffer, long count) {
        try {
            return (long) WRITE.invokeExact(capture, fd, buffer, count);
        } catch (Throwable t) {
            throw broken("write", t);
        }
    }

    static int schedSetaffinity(MemorySegment capture, int pid, long size, MemorySegment mask) {
        try {
            return (int) SCHED_SETAFFINITY.invokeExact(capture, pid, size, mask);
        } catch (Throwable t) {
            throw broken("sched_setaffinity", t);
        }
    }

    static int timerfdCreate(MemorySegment capture, int clock, int flags) {
        try {
            return (int) TIMERFD_CREATE.invokeExact(capture, clock, flags);
        } catch (Throwable t) {
            throw broken("timerfd_create", t);
        }
    }

    static int timerfdSettime(MemorySegment capture, int fd, int flags, MemorySegment value) {
        try {
            return (int) TIMERFD_SETTIME.invokeExact(capture, fd, flags, value, MemorySegment.NULL);
        } catch (Throwable t) {
            throw broken("timerfd_settime", t);
        }
    }
}
