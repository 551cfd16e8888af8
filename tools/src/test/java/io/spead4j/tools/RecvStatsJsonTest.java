package io.spead4j.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spead4j.recv.DropCounts;
import io.spead4j.recv.DropReason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code spead4j recv --stats-json} ends with one line of JSON holding what the text output says (heaps
 * received, every statistic) and every drop reason; the progress line never shows when stderr is not a
 * terminal (as under the test).
 */
class RecvStatsJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static List<String> cases() {
        return Tool.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void jsonMatchesTheTextOutput(String name) throws Exception {
        for (boolean ring : new boolean[] {false, true}) {
            List<String> args = new ArrayList<>(List.of("recv", "--quiet", "--stats-json"));
            if (ring) {
                args.add("--ring");
            }
            args.add(Tool.conformance(name + ".pcap").toString());
            Tool r = Tool.run(args.toArray(String[]::new));
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.err()).doesNotContain("\r").doesNotContain(" heaps/s");
            List<String> lines = r.lines();
            JsonNode json = MAPPER.readTree(lines.getLast());
            String first = lines.getFirst();
            assertThat(first).isEqualTo("Received " + json.get("heaps_received").longValue() + " heaps");
            List<String> statLines = lines.subList(1, lines.size() - 1);
            List<String> fromJson = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : json.get("stats").properties()) {
                fromJson.add(e.getKey() + ": " + e.getValue().longValue());
            }
            assertThat(fromJson).as("statistics in spead2's order").isEqualTo(statLines);
            JsonNode drops = json.get("drops");
            assertThat(drops.size()).isEqualTo(DropReason.values().length);
            for (DropReason reason : DropReason.values()) {
                assertThat(drops.get(reason.statName()).isIntegralNumber()).as(reason.statName()).isTrue();
            }
            JsonNode stats = json.get("stats");
            assertThat(drops.get("evicted_incomplete").longValue())
                    .isEqualTo(stats.get("incomplete_heaps_evicted").longValue());
            assertThat(drops.get("flushed_incomplete").longValue())
                    .isEqualTo(stats.get("incomplete_heaps_flushed").longValue());
        }
    }

    @Test
    void withoutTheOptionTheOutputIsSpead2s() {
        Tool r = Tool.run("recv", "--quiet", Tool.conformance("basic_items.pcap").toString());
        assertThat(r.lines()).noneMatch(l -> l.startsWith("{"));
    }

    @Test
    void progressLineFormat() {
        long[] counts = new long[DropReason.values().length];
        assertThat(ProgressLine.format(12, 3.25, 0.5, new DropCounts(counts)))
                .isEqualTo("12 heaps | 3.3 heaps/s | 0.500 Gb/s | drops: none");
        counts[DropReason.KERNEL.ordinal()] = 7;
        counts[DropReason.BAD_HEADER.ordinal()] = 1;
        assertThat(ProgressLine.format(1200, 100, 3.3554432, new DropCounts(counts)))
                .isEqualTo("1200 heaps | 100.0 heaps/s | 3.355 Gb/s | drops: bad_header=1 kernel=7");
    }

    @Test
    void statsJsonEscapesNames() {
        io.spead4j.recv.StreamConfig config = new io.spead4j.recv.StreamConfig().addStat("odd \"name\"\\");
        long[] values = new long[config.stats().size()];
        values[values.length - 1] = 5;
        String line = RecvCommand.statsJson(3, new io.spead4j.recv.StreamStats(config.stats(), values),
                new DropCounts(new long[DropReason.values().length]));
        assertThat(line).contains("\"odd \\\"name\\\"\\\\\": 5");
    }
}
