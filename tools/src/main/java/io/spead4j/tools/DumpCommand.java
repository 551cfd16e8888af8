package io.spead4j.tools;

import io.spead4j.wire.ItemPointer;
import io.spead4j.wire.PacketDecoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code spead4j dump --decode FILE}: one line per packet with its header and item pointers. */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Decode SPEAD packets stored back to back in FILE and print one line per packet")
final class DumpCommand implements Callable<Integer> {
    @Option(names = "--decode", required = true, description = "file of SPEAD packets back to back (.spead)")
    private Path file;

    @Parameters(arity = "0", hidden = true)
    private String[] unused;

    @Override
    public Integer call() throws IOException {
        MemorySegment data = MemorySegment.ofArray(Files.readAllBytes(file));
        PrintStream out = System.out;
        PacketDecoder decoder = new PacketDecoder();
        long offset = 0;
        int index = 0;
        while (offset < data.byteSize()) {
            long size = decoder.decode(data, offset, data.byteSize() - offset);
            if (size == 0) {
                out.printf("packet %d at %d: rejected (%s); stopping%n", index, offset, decoder.status().message());
                return 0;
            }
            int bits = decoder.heapAddressBits();
            StringBuilder line = new StringBuilder();
            line.append(String.format("packet %d at %d: SPEAD-64-%d cnt=%d heap_length=%d offset=%d length=%d items:",
                    index, offset, bits, decoder.heapCnt(), decoder.heapLength(), decoder.payloadOffset(),
                    decoder.payloadLength()));
            for (int i = 0; i < decoder.numItems(); i++) {
                long p = decoder.rawPointer(i);
                line.append(ItemPointer.isImmediate(p) ? " imm " : " addr ")
                        .append("0x").append(Long.toHexString(ItemPointer.id(p, bits)))
                        .append('=').append(ItemPointer.value(p, bits));
            }
            out.println(line);
            offset += size;
            index++;
        }
        return 0;
    }
}
