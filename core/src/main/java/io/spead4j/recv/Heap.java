package io.spead4j.recv;

import io.spead4j.BugCompat;
import io.spead4j.DecodedHeap;
import io.spead4j.Descriptor;
import io.spead4j.FormatEntry;
import io.spead4j.MemoryAllocator;
import io.spead4j.RawItem;
import io.spead4j.Spead;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A contiguous received heap, spead2's {@code recv::Heap}: items (views of the heap's payload memory) and
 * the descriptors it carries. The payload comes from the stream's {@link MemoryAllocator}; call
 * {@link #release()} when done to give it back (needed for a {@link io.spead4j.MemoryPool} to reuse it;
 * with the plain allocator the garbage collector reclaims it anyway). The raw item views ({@link #items()})
 * must not be used after {@link #release()}; values decoded by {@link io.spead4j.ItemGroup#update} are
 * copies that stay valid (unless the group's zero-copy opt-in is on).
 */
public final class Heap extends HeapBase implements DecodedHeap {
    private final AtomicReference<MemorySegment> payload;
    private final MemoryAllocator allocator;
    private final long payloadLength;

    private Heap(LiveHeap heap, int bugCompat, MemorySegment payload) {
        super(heap, bugCompat, true, payload);
        this.payload = new AtomicReference<>(payload);
        this.allocator = heap.allocator();
        long length = heap.heapLength() >= 0 ? heap.heapLength() : heap.receivedLength();
        this.payloadLength = payload == null ? 0 : Math.min(length, payload.byteSize());
    }

    /** Freezes a contiguous live heap, taking over its payload. */
    static Heap freeze(LiveHeap heap, int bugCompat) {
        return new Heap(heap, bugCompat, heap.takePayload());
    }

    /**
     * The heap's whole payload, as received: what its packets carried after their item pointers, placed at
     * their payload offsets (addressed items are slices of it). Useful for hardware whose data is not
     * described by addressed items (the SKA-Low SPS v1 station beam sends its samples after an immediate
     * 0x3300). A read-only view, valid until {@link #release()}.
     *
     * @return the payload (empty if the heap has none or was released)
     */
    public MemorySegment payload() {
        MemorySegment p = payload.get();
        return p == null ? MemorySegment.ofArray(new byte[0]) : p.asSlice(0, payloadLength).asReadOnly();
    }

    /** {@return true: a {@code Heap} is always contiguous} */
    @Override
    public boolean isContiguous() {
        return true;
    }

    /**
     * Decodes the descriptors (items 0x05) in item order (SPEAD2-BEHAVIOUR.md §4.2): each descriptor's bytes
     * are parsed as back-to-back SPEAD packets by a private in-order stream (max heaps 1, this heap's
     * bug-compat mask); descriptors without an id are dropped. Names and descriptions are decoded as
     * ISO-8859-1 (byte for byte). Decoded on every call.
     *
     * @return the descriptors
     */
    @Override
    public List<Descriptor> descriptors() {
        DescriptorParser parser = null;
        for (RawItem item : items()) {
            if (item.id() == Spead.DESCRIPTOR_ID) {
                if (parser == null) {
                    parser = new DescriptorParser(flavour().bugCompat());
                }
                parser.parse(MemorySegment.ofBuffer(item.value()));
            }
        }
        if (parser == null) {
            return List.of();
        }
        parser.stop();
        return parser.descriptors();
    }

    /** Converts a frozen descriptor heap into a descriptor (spead2's {@code to_descriptor}). */
    Descriptor toDescriptor() {
        int immediateSize = flavour().heapAddressBytes();
        int idSize = Long.BYTES - immediateSize;
        int bugCompat = flavour().bugCompat();
        long id = 0;
        String name = "";
        String description = "";
        String numpyHeader = "";
        List<Long> shape = new ArrayList<>();
        List<FormatEntry> format = new ArrayList<>();
        for (RawItem item : items()) {
            ByteBuffer v = item.value();
            int length = v.remaining();
            switch ((int) Math.min(item.id(), Integer.MAX_VALUE)) {
                case Spead.DESCRIPTOR_ID_ID -> {
                    if (item.immediate()) {
                        id = loadBigEndian(v, 0, length);
                    }
                }
                case Spead.DESCRIPTOR_NAME_ID -> name = string(v);
                case Spead.DESCRIPTOR_DESCRIPTION_ID -> description = string(v);
                case Spead.DESCRIPTOR_FORMAT_ID -> {
                    int field = (bugCompat & BugCompat.DESCRIPTOR_WIDTHS) != 0 ? 4 : 1 + idSize;
                    for (int i = 0; i + field <= length; i += field) {
                        char code = (char) (v.get(i) & 0xFF);
                        format.add(new FormatEntry(code, loadBigEndian(v, i + 1, field - 1)));
                    }
                }
                case Spead.DESCRIPTOR_SHAPE_ID -> {
                    int field = (bugCompat & BugCompat.DESCRIPTOR_WIDTHS) != 0 ? 8 : 1 + immediateSize;
                    int mask = (bugCompat & BugCompat.SHAPE_BIT_1) != 0 ? 2 : 1;
                    for (int i = 0; i + field <= length; i += field) {
                        boolean variable = (v.get(i) & mask) != 0;
                        shape.add(variable ? -1L : loadBigEndian(v, i + 1, field - 1));
                    }
                }
                case Spead.DESCRIPTOR_DTYPE_ID -> numpyHeader = string(v);
                default -> {
                    // other ids are ignored
                }
            }
        }
        if (!numpyHeader.isEmpty()) {
            shape.clear();
            format.clear();
        }
        return new Descriptor(id, name, description, shape, format, numpyHeader);
    }

    private static long loadBigEndian(ByteBuffer v, int offset, int length) {
        long x = 0;
        for (int i = 0; i < length; i++) {
            x = (x << 8) | (v.get(offset + i) & 0xFF);
        }
        return x;
    }

    private static String string(ByteBuffer v) {
        byte[] bytes = new byte[v.remaining()];
        v.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /**
     * Gives the payload memory back to the stream's allocator, which may hand it to the next heap (a
     * {@link io.spead4j.MemoryPool} does). Idempotent. Afterwards the raw items ({@link #items()}) and every
     * value viewing them must not be read: a {@link io.spead4j.MemoryPool} reuses the memory, so they may show
     * another heap's data. Values set by {@link io.spead4j.ItemGroup#update} (and
     * {@link io.spead4j.Item#setFromRaw(RawItem)}) are copies and stay valid; only values decoded with the
     * zero-copy opt-in ({@link io.spead4j.ItemGroup#zeroCopy(boolean)},
     * {@link io.spead4j.Item#setFromRaw(RawItem, boolean)}) view this memory and end with the release.
     */
    public void release() {
        MemorySegment p = payload.getAndSet(null);
        if (p != null) {
            allocator.free(p);
        }
    }
}
