package io.spead4j.flink;

import io.spead4j.ItemGroup;
import io.spead4j.recv.Heap;
import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.util.Collector;

/**
 * Turns each complete heap received on an endpoint into zero or more records of a Flink type. It runs on the
 * endpoint's receiving thread, one heap at a time, before the heap's memory is released: a record must copy
 * whatever it keeps of the heap. A reader runs one instance for all its endpoints, each on its own thread,
 * so a deserializer that keeps state must make it thread-safe (the ready forms keep none; the item group
 * passed in is the endpoint's own).
 *
 * <p>Two ready forms: {@link #heaps()} (one {@link SpeadHeapRecord} per heap) and {@link #itemUpdates} (the
 * heap applied to the endpoint's own {@link ItemGroup}, whose updated items a function turns into records).
 *
 * @param <T> the record type
 */
public interface SpeadDeserializer<T> extends Serializable, ResultTypeQueryable<T> {
    /**
     * Turns a heap into records.
     *
     * @param endpoint the split id of the endpoint the heap arrived on
     * @param heap the complete heap (valid only during this call)
     * @param items the endpoint's item group (descriptors seen so far on this endpoint), private to it
     * @param out where the records go
     * @throws Exception if the heap cannot be turned into records: the source then fails
     */
    void deserialize(String endpoint, Heap heap, ItemGroup items, Collector<T> out) throws Exception;

    /**
     * One {@link SpeadHeapRecord} per heap, the raw items copied out.
     *
     * @return the deserializer
     */
    static SpeadDeserializer<SpeadHeapRecord> heaps() {
        return new HeapRecords();
    }

    /**
     * Applies each heap to the endpoint's {@link ItemGroup} (descriptors first, then values, as spead2's
     * {@code ItemGroup.update}) and hands the items it updated to {@code mapper}. A heap that updates nothing
     * (descriptors only, for example) reaches the mapper with an empty map.
     *
     * @param mapper turns the updates into records (serializable: it travels to the task managers)
     * @param type the records' Flink type, for example {@code Types.POJO(MyRecord.class)}
     * @param <T> the record type
     * @return the deserializer
     */
    static <T> SpeadDeserializer<T> itemUpdates(ItemUpdatesMapper<T> mapper, TypeInformation<T> type) {
        Objects.requireNonNull(mapper, "mapper");
        Objects.requireNonNull(type, "type");
        return new ItemUpdates<>(mapper, type);
    }

    /**
     * Turns the updates one heap made to an endpoint's item group into records.
     *
     * @param <T> the record type
     */
    @FunctionalInterface
    interface ItemUpdatesMapper<T> extends Serializable {
        /**
         * Maps one heap's updates.
         *
         * @param endpoint the split id
         * @param cnt the heap counter
         * @param updates the items the heap updated, by name (their values own their data)
         * @param out where the records go
         * @throws Exception on failure (the source then fails)
         */
        void map(String endpoint, long cnt, ItemGroup.Updates updates, Collector<T> out) throws Exception;
    }

    /** The {@link #heaps()} form. */
    final class HeapRecords implements SpeadDeserializer<SpeadHeapRecord> {
        private static final long serialVersionUID = 1L;

        /** Creates the deserializer; {@link SpeadDeserializer#heaps()} is the usual way. */
        public HeapRecords() {
        }

        @Override
        public void deserialize(String endpoint, Heap heap, ItemGroup items, Collector<SpeadHeapRecord> out) {
            out.collect(SpeadHeapRecord.of(endpoint, heap));
        }

        @Override
        public TypeInformation<SpeadHeapRecord> getProducedType() {
            return TypeInformation.of(SpeadHeapRecord.class);
        }
    }

    /**
     * The {@link #itemUpdates} form.
     *
     * @param <T> the record type
     */
    final class ItemUpdates<T> implements SpeadDeserializer<T> {
        private static final long serialVersionUID = 1L;
        /** Maps each heap's updates to records. */
        private final ItemUpdatesMapper<T> mapper;
        /** The records' type. */
        private final TypeInformation<T> type;

        ItemUpdates(ItemUpdatesMapper<T> mapper, TypeInformation<T> type) {
            this.mapper = mapper;
            this.type = type;
        }

        @Override
        public void deserialize(String endpoint, Heap heap, ItemGroup items, Collector<T> out) throws Exception {
            mapper.map(endpoint, heap.cnt(), items.update(heap), out);
        }

        @Override
        public TypeInformation<T> getProducedType() {
            return type;
        }
    }
}
