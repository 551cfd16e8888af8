package io.spead4j;

import java.util.List;
import java.util.Objects;

/**
 * The raw description of an item as carried by a SPEAD descriptor (spead2's {@code descriptor}): id, name,
 * description, shape, legacy format list and numpy header. A shape dimension of {@code -1} is variable.
 * Either the numpy header is non-empty (numpy dtype) or the format list describes the element type.
 * Instances are immutable.
 *
 * @param id the described item's id (greater than 0)
 * @param name the item name (ASCII)
 * @param description the item description (ASCII)
 * @param shape the dimensions, {@code -1} for a variable dimension; empty for a scalar
 * @param format the legacy format list, empty when a numpy header is used
 * @param numpyHeader the numpy header ({@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}}),
 *     empty when the format list is used
 */
public record Descriptor(long id, String name, String description, List<Long> shape, List<FormatEntry> format,
                         String numpyHeader) {
    /** Checks and copies the arguments. */
    public Descriptor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(numpyHeader, "numpyHeader");
        shape = List.copyOf(shape);
        format = List.copyOf(format);
    }
}
