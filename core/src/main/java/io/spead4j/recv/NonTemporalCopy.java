package io.spead4j.recv;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.Objects;

/**
 * A copy with non-temporal (cache-bypassing) stores, for {@link MemcpyFunction#NONTEMPORAL}. Neither the JDK
 * nor glibc exports one (glibc's {@code memcpy} switches to non-temporal stores only above
 * {@code glibc.cpu.x86_non_temporal_threshold}, at least 16 KiB, so never for packet-sized pieces), so on
 * Linux x86-64 this class places a small hand-written x86-64 routine (below) in an anonymous page mapped with
 * {@code mmap}, makes the page read+execute with {@code mprotect} and calls it through a critical FFM downcall
 * (heap segments allowed, no thread-state transition). No JNI, no native build. Anywhere else, or if any step
 * fails (a kernel that refuses executable mappings, for instance), {@link #AVAILABLE} is false and callers
 * copy with {@link MemorySegment#copy}; the reason is logged once at debug level.
 *
 * <p>The routine, {@code copy(dstBase, dstOffset, srcBase, srcOffset, length)} in the System V calling
 * convention: pieces under 256 bytes are copied with {@code rep movsb}; otherwise {@code rep movsb} copies up to
 * 15 bytes so that the destination is 16-byte aligned, a loop copies 64 bytes per iteration with unaligned
 * 16-byte loads ({@code movdqu}) and non-temporal 16-byte stores ({@code movntdq}), an {@code sfence} orders
 * the non-temporal stores before anything that follows, and {@code rep movsb} copies the last 0 to 63 bytes.
 * SSE2 is part of x86-64, so no CPU feature test is needed. Bounds, read-only and liveness checks are done in
 * Java before the call (liveness by the linker for the segments passed).
 */
final class NonTemporalCopy {
    private static final Logger LOG = LoggerFactory.getLogger(NonTemporalCopy.class);

    /** The x86-64 machine code of the routine described in the class comment (105 bytes). */
    private static final byte[] X86_64_CODE = {
        0x48, 0x01, (byte) 0xf7,                                  // add  rdi, rsi        dst += dstOffset
        0x48, (byte) 0x8d, 0x34, 0x0a,                            // lea  rsi, [rdx+rcx]  src = srcBase + srcOffset
        0x4c, (byte) 0x89, (byte) 0xc2,                           // mov  rdx, r8         length
        0x48, (byte) 0x81, (byte) 0xfa, 0x00, 0x01, 0x00, 0x00,   // cmp  rdx, 256
        0x72, 0x50,                                               // jb   small
        0x48, (byte) 0x89, (byte) 0xf9,                           // mov  rcx, rdi
        0x48, (byte) 0xf7, (byte) 0xd9,                           // neg  rcx
        0x48, (byte) 0x83, (byte) 0xe1, 0x0f,                     // and  rcx, 15         bytes to align dst
        0x48, 0x29, (byte) 0xca,                                  // sub  rdx, rcx
        (byte) 0xf3, (byte) 0xa4,                                 // rep movsb
        0x48, (byte) 0x89, (byte) 0xd1,                           // mov  rcx, rdx
        0x48, (byte) 0xc1, (byte) 0xe9, 0x06,                     // shr  rcx, 6          64-byte blocks
        0x48, (byte) 0x83, (byte) 0xe2, 0x3f,                     // and  rdx, 63         tail
        // loop:
        (byte) 0xf3, 0x0f, 0x6f, 0x06,                            // movdqu  xmm0, [rsi]
        (byte) 0xf3, 0x0f, 0x6f, 0x4e, 0x10,                      // movdqu  xmm1, [rsi+16]
        (byte) 0xf3, 0x0f, 0x6f, 0x56, 0x20,                      // movdqu  xmm2, [rsi+32]
        (byte) 0xf3, 0x0f, 0x6f, 0x5e, 0x30,                      // movdqu  xmm3, [rsi+48]
        0x66, 0x0f, (byte) 0xe7, 0x07,                            // movntdq [rdi], xmm0
        0x66, 0x0f, (byte) 0xe7, 0x4f, 0x10,                      // movntdq [rdi+16], xmm1
        0x66, 0x0f, (byte) 0xe7, 0x57, 0x20,                      // movntdq [rdi+32], xmm2
        0x66, 0x0f, (byte) 0xe7, 0x5f, 0x30,                      // movntdq [rdi+48], xmm3
        0x48, (byte) 0x83, (byte) 0xc6, 0x40,                     // add  rsi, 64
        0x48, (byte) 0x83, (byte) 0xc7, 0x40,                     // add  rdi, 64
        0x48, (byte) 0xff, (byte) 0xc9,                           // dec  rcx
        0x75, (byte) 0xcd,                                        // jnz  loop
        0x0f, (byte) 0xae, (byte) 0xf8,                           // sfence
        // small:
        0x48, (byte) 0x89, (byte) 0xd1,                           // mov  rcx, rdx
        (byte) 0xf3, (byte) 0xa4,                                 // rep movsb
        (byte) 0xc3,                                              // ret
    };

    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int PROT_EXEC = 4;
    private static final int MAP_PRIVATE = 2;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final long PAGE = 4096;

    private static final MethodHandle ROUTINE = load();

    /** Whether the non-temporal routine is available on this platform. */
    static final boolean AVAILABLE = ROUTINE != null;

    private NonTemporalCopy() {
    }

    /**
     * Copies with non-temporal stores (only when {@link #AVAILABLE}).
     *
     * @param src source segment
     * @param srcOffset offset in {@code src}
     * @param dst destination segment, not read-only
     * @param dstOffset offset in {@code dst}
     * @param length bytes to copy
     * @throws IndexOutOfBoundsException if a range is outside its segment
     * @throws IllegalArgumentException if {@code dst} is read-only
     */
    static void copy(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, long length) {
        Objects.checkFromIndexSize(srcOffset, length, src.byteSize());
        Objects.checkFromIndexSize(dstOffset, length, dst.byteSize());
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("destination segment is read-only");
        }
        try {
            ROUTINE.invokeExact(dst, dstOffset, src, srcOffset, length);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("non-temporal copy failed", e);
        }
    }

    @SuppressWarnings("restricted") // the only native access of this class; see the class comment
    private static MethodHandle load() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            LOG.debug("non-temporal copy unavailable on {} {}: MemcpyFunction.NONTEMPORAL copies as STD", os, arch);
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            MethodHandle mmap = linker.downcallHandle(libc.findOrThrow("mmap"),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
            MethodHandle mprotect = linker.downcallHandle(libc.findOrThrow("mprotect"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_INT));
            long page = (long) mmap.invokeExact(0L, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                    0L);
            if (page == -1L || page == 0L) {
                LOG.debug("non-temporal copy unavailable: mmap failed; MemcpyFunction.NONTEMPORAL copies as STD");
                return null;
            }
            // The page is never unmapped: it lives as long as the process, like the class.
            MemorySegment code = MemorySegment.ofAddress(page).reinterpret(PAGE, Arena.global(), null);
            MemorySegment.copy(X86_64_CODE, 0, code, ValueLayout.JAVA_BYTE, 0, X86_64_CODE.length);
            int rc = (int) mprotect.invokeExact(page, PAGE, PROT_READ | PROT_EXEC);
            if (rc != 0) {
                LOG.debug("non-temporal copy unavailable: mprotect(PROT_EXEC) refused; "
                        + "MemcpyFunction.NONTEMPORAL copies as STD");
                return null;
            }
            return linker.downcallHandle(code,
                    FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS,
                            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                    Linker.Option.critical(true));
        } catch (Throwable e) {
            LOG.debug("non-temporal copy unavailable: {}; MemcpyFunction.NONTEMPORAL copies as STD", e.toString());
            return null;
        }
    }
}
