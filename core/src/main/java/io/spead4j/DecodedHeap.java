package io.spead4j;

import java.util.List;

/**
 * What {@code ItemGroup}-style consumers need of a received heap, so that the root package does not depend
 * on {@code io.spead4j.recv}. {@code io.spead4j.recv.Heap} implements it.
 */
public interface DecodedHeap {
    /** {@return the heap counter} */
    long cnt();

    /** {@return the flavour the heap was decoded with (its address width, the stream's bug-compat flags)} */
    Flavour flavour();

    /** {@return the items in spead2's order (addressed by address, then immediates by value), descriptors included} */
    List<RawItem> items();

    /** {@return the descriptors the heap carries, in item order} */
    List<Descriptor> descriptors();
}
