package io.spead4j.flink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializes {@link SpeadEndpoint} splits (version 1: a presence flag and the group, the port, the interface
 * address), and the enumerator's checkpoint, a collection of endpoints not yet assigned.
 */
final class SpeadEndpointSerializer {
    private static final int VERSION = 1;

    private SpeadEndpointSerializer() {
    }

    /** The split serializer. */
    static final class Splits implements SimpleVersionedSerializer<SpeadEndpoint> {
        @Override
        public int getVersion() {
            return VERSION;
        }

        @Override
        public byte[] serialize(SpeadEndpoint endpoint) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(64);
            write(endpoint, out);
            return out.getCopyOfBuffer();
        }

        @Override
        public SpeadEndpoint deserialize(int version, byte[] serialized) throws IOException {
            checkVersion(version);
            return read(new DataInputDeserializer(serialized));
        }
    }

    /** The enumerator checkpoint serializer: the endpoints not yet assigned to a reader. */
    static final class Pending implements SimpleVersionedSerializer<Collection<SpeadEndpoint>> {
        @Override
        public int getVersion() {
            return VERSION;
        }

        @Override
        public byte[] serialize(Collection<SpeadEndpoint> endpoints) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(64 * (endpoints.size() + 1));
            out.writeInt(endpoints.size());
            for (SpeadEndpoint e : endpoints) {
                write(e, out);
            }
            return out.getCopyOfBuffer();
        }

        @Override
        public Collection<SpeadEndpoint> deserialize(int version, byte[] serialized) throws IOException {
            checkVersion(version);
            DataInputDeserializer in = new DataInputDeserializer(serialized);
            int n = in.readInt();
            if (n < 0) {
                throw new IOException("negative endpoint count " + n);
            }
            List<SpeadEndpoint> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(read(in));
            }
            return out;
        }
    }

    private static void checkVersion(int version) throws IOException {
        if (version != VERSION) {
            throw new IOException("unknown serializer version " + version + " (this code reads " + VERSION + ")");
        }
    }

    private static void write(SpeadEndpoint e, DataOutputView out) throws IOException {
        out.writeBoolean(e.isMulticast());
        if (e.isMulticast()) {
            out.writeUTF(e.group());
        }
        out.writeInt(e.port());
        out.writeUTF(e.interfaceAddress());
    }

    private static SpeadEndpoint read(DataInputView in) throws IOException {
        String group = in.readBoolean() ? in.readUTF() : null;
        int port = in.readInt();
        String iface = in.readUTF();
        try {
            return new SpeadEndpoint(group, port, iface);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt endpoint: " + e.getMessage(), e);
        }
    }
}
