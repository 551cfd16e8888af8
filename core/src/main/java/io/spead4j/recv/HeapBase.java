package io.spead4j.recv;

import io.spead4j.Flavour;
import io.spead4j.RawItem;
import io.spead4j.Spead;
import io.spead4j.wire.ItemPointer;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A heap handed over by a receive stream, spead2's {@code heap_base}: either a contiguous {@link Heap} or an
 * {@link IncompleteHeap}. Items are in spead2's order (SPEAD2-BEHAVIOUR.md §2.9): the stored pointers are
 * stable-sorted by (mode bit, low A bits), so addressed items come first by address, then immediates by
 * value; NULL (id 0) pointers and zero-length addressed items are left out. Item values are read-only views
 * of the heap's memory, not copies: those of a {@link Heap} are valid until {@link Heap#release()}.
 */
public abstract sealed class HeapBase permits Heap, IncompleteHeap {
    private final long cnt;
    private final Flavour flavour;
    private final List<RawItem> items;
    private final long sourceKey;
    private final PacketSource.Table sourceTable;

    HeapBase(LiveHeap heap, int bugCompat, boolean keepAddressed, MemorySegment payload) {
        this.cnt = heap.cnt();
        this.flavour = new Flavour(heap.addressBits(), bugCompat);
        this.items = extractItems(heap, keepAddressed, payload);
        this.sourceKey = heap.sourceKey();
        this.sourceTable = heap.sourceTable();
    }

    /**
     * The address the heap's first packet came from, where the reader knows it: UDP readers and pcap/pcapng
     * file readers do (the capture's IPv4 source); inproc, TCP and buffer readers do not. With
     * {@link StreamConfig#heapsPerSource()} every packet of the heap came from there. The address object is
     * built on each call.
     *
     * @return the sender's address and port, or empty if unknown
     */
    public final Optional<InetSocketAddress> source() {
        return PacketSource.address(sourceKey, sourceTable);
    }

    /** {@return the heap counter} */
    public final long cnt() {
        return cnt;
    }

    /** {@return the flavour: the address width of the heap's first packet and the stream's bug-compat mask} */
    public final Flavour flavour() {
        return flavour;
    }

    /**
     * The items, in spead2's order (addressed by address, then immediates by value), descriptors (0x05) and
     * stream control (0x06) items included. An {@link IncompleteHeap} has immediates only.
     *
     * @return the items (unmodifiable)
     */
    public final List<RawItem> items() {
        return items;
    }

    /** {@return true if the heap was contiguous (then it is a {@link Heap})} */
    public abstract boolean isContiguous();

    /** {@return true if a STREAM_CTRL item (immediate, or addressed of at most 8 bytes) has value START (0)} */
    public final boolean isStartOfStream() {
        return hasControl(Spead.CTRL_STREAM_START);
    }

    /** {@return true if a STREAM_CTRL item (immediate, or addressed of at most 8 bytes) has value STOP (2)} */
    public final boolean isEndOfStream() {
        return hasControl(Spead.CTRL_STREAM_STOP);
    }

    private boolean hasControl(long value) {
        for (RawItem item : items) {
            if (item.id() == Spead.STREAM_CTRL_ID && item.length() <= Long.BYTES) {
                ByteBuffer v = item.value();
                long x = 0;
                for (int i = 0; i < v.remaining(); i++) {
                    x = (x << 8) | (v.get(v.position() + i) & 0xFF);
                }
                if (x == value) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<RawItem> extractItems(LiveHeap heap, boolean keepAddressed, MemorySegment payload) {
        int bits = heap.addressBits();
        long[] pointers = heap.pointers();
        long sortMask = ItemPointer.IMMEDIATE_BIT | ItemPointer.mask(bits);
        stableSort(pointers, sortMask);
        int immediateSize = bits / 8;
        int immediates = 0;
        for (long p : pointers) {
            if (p < 0) {
                immediates++;
            }
        }
        byte[] immediateBytes = new byte[immediateSize * immediates];
        int next = 0;
        List<RawItem> out = new ArrayList<>(keepAddressed ? pointers.length : immediates);
        for (int i = 0; i < pointers.length; i++) {
            long p = pointers[i];
            long id = ItemPointer.id(p, bits);
            if (id == 0) {
                continue;
            }
            long value = ItemPointer.value(p, bits);
            if (p < 0) {
                for (int b = 0; b < immediateSize; b++) {
                    immediateBytes[next + b] = (byte) (value >>> (8 * (immediateSize - 1 - b)));
                }
                ByteBuffer view = ByteBuffer.wrap(immediateBytes, next, immediateSize).slice().asReadOnlyBuffer();
                next += immediateSize;
                out.add(new RawItem(id, true, value, view));
            } else if (keepAddressed) {
                long end = (i + 1 < pointers.length && pointers[i + 1] >= 0)
                        ? ItemPointer.value(pointers[i + 1], bits) : heap.minLength();
                if (end == value) {
                    continue;
                }
                if (payload == null || end > payload.byteSize() || end - value > Integer.MAX_VALUE - 8) {
                    continue; // cannot happen for a contiguous heap; never expose memory outside the payload
                }
                ByteBuffer view = payload.asSlice(value, end - value).asByteBuffer().asReadOnlyBuffer();
                out.add(new RawItem(id, false, 0, view));
            }
        }
        return List.copyOf(out);
    }

    /** Stable sort of pointers by {@code pointer & mask}, compared as unsigned numbers. */
    static void stableSort(long[] a, long mask) {
        if (a.length < 2) {
            return;
        }
        mergeSort(a, new long[a.length], 0, a.length, mask);
    }

    private static void mergeSort(long[] a, long[] tmp, int from, int to, long mask) {
        int n = to - from;
        if (n <= 16) {
            for (int i = from + 1; i < to; i++) {
                long x = a[i];
                long kx = x & mask;
                int j = i - 1;
                while (j >= from && Long.compareUnsigned(a[j] & mask, kx) > 0) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = x;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(a, tmp, from, mid, mask);
        mergeSort(a, tmp, mid, to, mask);
        if (Long.compareUnsigned(a[mid - 1] & mask, a[mid] & mask) <= 0) {
            return;
        }
        System.arraycopy(a, from, tmp, from, n);
        int i = from;
        int j = mid;
        int k = from;
        while (i < mid && j < to) {
            if (Long.compareUnsigned(tmp[j] & mask, tmp[i] & mask) < 0) {
                a[k++] = tmp[j++];
            } else {
                a[k++] = tmp[i++];
            }
        }
        while (i < mid) {
            a[k++] = tmp[i++];
        }
        while (j < to) {
            a[k++] = tmp[j++];
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(cnt=" + cnt + ", items=" + items.size() + ")";
    }
}
