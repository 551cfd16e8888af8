package io.spead4j.tools;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code --help} of the tools says plainly where an option accepted for spead2 compatibility does less, or
 * nothing, in spead4j.
 */
class HelpTextTest {
    /** @return the help of a command, whitespace collapsed (picocli wraps long descriptions) */
    private static String help(String... command) {
        String[] args = new String[command.length + 1];
        System.arraycopy(command, 0, args, 0, command.length);
        args[command.length] = "--help";
        Tool r = Tool.run(args);
        assertThat(r.status()).as(r.err()).isZero();
        return r.out().replaceAll("\\s+", " ");
    }

    @Test
    void memcpyNtSaysWhatItDoes() {
        String says = "--memcpy-nt Use non-temporal memcpy (x86-64 Linux: non-temporal stores for payload pieces "
                + "of 4 KiB and more; elsewhere a plain copy)";
        assertThat(help("recv")).contains(says);
        assertThat(help("bench", "mem")).contains(says);
    }

    @Test
    void memcpyNtReceivesTheSameHeaps() {
        String capture = Tool.conformance("big_heap_jumbo.pcap").toString();
        Tool plain = Tool.run("recv", "--descriptors", capture);
        Tool nonTemporal = Tool.run("recv", "--descriptors", "--memcpy-nt", capture);
        assertThat(nonTemporal.status()).as(nonTemporal.err()).isZero();
        assertThat(nonTemporal.out().replaceAll(" at \\S+", "")).isEqualTo(plain.out().replaceAll(" at \\S+", ""))
                .contains("Received 1 heaps");
    }

    @Test
    void threadsSaysTheReadersShareThem() {
        assertThat(help("recv")).contains("--threads=N Number of worker threads (default 1): as in spead2, the "
                + "readers of every stream share them (native UDP readers; other sources still take a thread each).");
    }

    @Test
    void verifySaysItAlsoVerifiesInRingMode() {
        assertThat(help("recv")).contains("--verify Verify payload (use spead4j send with the same option). "
                + "Unlike spead2_recv, spead4j also verifies with --ring.");
    }

    @Test
    void rateMethodSaysThereIsNoHardwareRateLimiting() {
        assertThat(help("send")).contains("spead4j has no hardware rate limiting: HW and AUTO have the same effect "
                + "as SW");
    }
}
