package io.spead4j.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Endpoints (the source's splits): their checks, ids and checkpoint serialization. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SpeadEndpointTest {
    private static final SpeadEndpoint MULTICAST = SpeadEndpoint.multicast("239.255.1.2", 7148, "127.0.0.1");
    private static final SpeadEndpoint UNICAST = SpeadEndpoint.unicast(8888, "0.0.0.0");

    @Test
    void splitIdsNameGroupOrBindAddressAndPort() {
        assertThat(MULTICAST.splitId()).isEqualTo("239.255.1.2:7148");
        assertThat(UNICAST.splitId()).isEqualTo("udp:0.0.0.0:8888");
        assertThat(MULTICAST.isMulticast()).isTrue();
        assertThat(UNICAST.isMulticast()).isFalse();
    }

    @Test
    void badArgumentsAreRejectedWithTheirReason() {
        assertThatThrownBy(() -> SpeadEndpoint.multicast("10.0.0.1", 7148, "127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a multicast address");
        assertThatThrownBy(() -> SpeadEndpoint.unicast(0, "127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> SpeadEndpoint.unicast(70000, "127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> SpeadEndpoint.unicast(7148, "localhost"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("literal");
        assertThatThrownBy(() -> SpeadEndpoint.multicast("239.1.2.300", 7148, "127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("literal");
    }

    @Test
    void splitsAndPendingEndpointsSurviveSerialization() throws IOException {
        SpeadEndpointSerializer.Splits splits = new SpeadEndpointSerializer.Splits();
        for (SpeadEndpoint e : List.of(MULTICAST, UNICAST)) {
            assertThat(splits.deserialize(splits.getVersion(), splits.serialize(e))).isEqualTo(e);
        }
        SpeadEndpointSerializer.Pending pending = new SpeadEndpointSerializer.Pending();
        Collection<SpeadEndpoint> back = pending.deserialize(pending.getVersion(),
                pending.serialize(List.of(MULTICAST, UNICAST)));
        assertThat(back).containsExactly(MULTICAST, UNICAST);
        assertThatThrownBy(() -> splits.deserialize(splits.getVersion() + 1, splits.serialize(MULTICAST)))
                .isInstanceOf(IOException.class).hasMessageContaining("version");
    }

    @Test
    void builderRejectsNoEndpointsAndDuplicates() {
        assertThatThrownBy(() -> SpeadSource.builder(SpeadDeserializer.heaps()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one endpoint");
        assertThatThrownBy(() -> SpeadSource.builder(SpeadDeserializer.heaps()).addEndpoint(MULTICAST)
                .addEndpoint(SpeadEndpoint.multicast("239.255.1.2", 7148, "127.0.0.1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("added twice");
        assertThatThrownBy(() -> SpeadSource.builder(SpeadDeserializer.heaps())
                .addEndpoint(SpeadEndpoint.unicast(9000, "127.0.0.1"))
                .addEndpoint(SpeadEndpoint.unicast(9000, "0.0.0.0")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("given twice");
        assertThat(SpeadSource.builder(SpeadDeserializer.heaps()).addEndpoint(MULTICAST).addEndpoint(UNICAST)
                .build().endpoints()).containsExactly(MULTICAST, UNICAST);
    }
}
