/**
 * spead4j: the SPEAD protocol on the JVM, wire-compatible with spead2 4.4.1. This root package holds what
 * both directions share, with spead2's names: {@link io.spead4j.Flavour} and {@link io.spead4j.BugCompat},
 * the reserved ids ({@link io.spead4j.Spead}), raw {@link io.spead4j.Descriptor}s and
 * {@link io.spead4j.RawItem}s, the typed item layer ({@link io.spead4j.Item}, {@link io.spead4j.ItemGroup},
 * {@link io.spead4j.DType} for numpy dtypes, {@link io.spead4j.Format} for legacy format lists,
 * {@link io.spead4j.NdArray} values), the in-process transport's {@link io.spead4j.InprocQueue}, and the
 * {@link io.spead4j.ThreadPool}, {@link io.spead4j.MemoryAllocator} and {@link io.spead4j.MemoryPool} that
 * streams use. It depends on no subpackage.
 */
package io.spead4j;
