/**
 * An Apache Flink connector for SPEAD (artifact {@code spead4j-flink}): {@link io.spead4j.flink.SpeadSource},
 * a FLIP-27 source whose splits are SPEAD endpoints received with spead4j, and
 * {@link io.spead4j.flink.SpeadSink}, a sink that sends records as SPEAD heaps over UDP.
 *
 * <h2>An optional module</h2>
 * The core library ({@code spead4j-core}) does not depend on Flink and never will: this module depends on
 * the core, not the reverse, and declares Flink {@code provided} (the Flink runtime supplies it). Built and
 * tested against <b>Flink 2.3.0</b> ({@code flink-connector-base}, {@code flink-streaming-java}) on Java 25.
 *
 * <h2>Java 25</h2>
 * A job using this connector needs <b>no JVM options</b> on Java 25 as long as its records have Flink types:
 * {@link io.spead4j.flink.SpeadHeapRecord} is a Flink POJO of Flink's own field types, and user records from
 * {@link io.spead4j.flink.SpeadDeserializer#itemUpdates} should be POJOs, tuples or rows too (the tests run
 * with generic types disabled, {@code pipeline.generic-types: false}, so a Kryo fallback fails them). A type
 * that falls back to Kryo needs the {@code --add-opens} list of Flink's documentation. spead4j's own native
 * UDP path wants {@code --enable-native-access=ALL-UNNAMED} (or the module's name) to run without a warning.
 *
 * <h2>What checkpoints can promise for UDP: at most once</h2>
 * UDP cannot be replayed: a datagram the kernel has handed over, or dropped, is gone. So this source takes
 * part in Flink's checkpoints only for its structure: a checkpoint records which reader owns which endpoint
 * (and which endpoints were not assigned yet), never a position in a stream. After a failure and restore, the
 * readers rejoin their endpoints and emit what arrives from then on; heaps that arrived between the last
 * checkpoint and the restart were emitted once and their downstream effects are rolled back with the
 * checkpoint, and heaps sent while the job was down are lost. Delivery is therefore <b>at most once</b>, end
 * to end, whatever checkpointing mode the job uses; exactly-once state downstream holds only for the heaps
 * that were received. Heaps can also be lost while the job runs, exactly as for any UDP receiver: when a
 * reader falls behind, its ring and then the socket buffer fill and the kernel drops datagrams (it counts
 * them: {@code RcvbufErrors} in {@code /proc/net/snmp}); incomplete heaps are dropped and counted in the
 * reader's {@code speadIncompleteHeaps} metric. Heap counters ({@code cnt}) and per-endpoint sequence items
 * are the way to detect gaps downstream.
 *
 * <p>The sink hands each heap to the kernel before {@code write} returns, so a checkpoint leaves nothing
 * buffered in the sink; whether the heaps arrive is again up to the network (at most once).
 */
package io.spead4j.flink;
