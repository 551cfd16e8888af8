package io.spead4j.tools;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The tools' standard output: a UTF-8 {@link PrintWriter} that can also write raw bytes in order with its
 * text. spead2_recv prints a descriptor's name and description as the bytes it received, which need not be
 * UTF-8; {@link #printBytes(String)} writes such text one byte per char.
 */
final class RawPrintWriter extends PrintWriter {
    private final OutputStream raw;

    /**
     * Creates the writer.
     *
     * @param raw the byte stream written to, flushed after every {@link #printBytes(String)}
     */
    RawPrintWriter(OutputStream raw) {
        super(raw, true, StandardCharsets.UTF_8);
        this.raw = raw;
    }

    /**
     * Writes text whose chars are bytes (as the core library decodes descriptor names: ISO-8859-1, each char
     * 0 to 255 one byte) after anything printed before, then flushes. A char above 0xff, which cannot have
     * come from the wire that way, is written as UTF-8.
     *
     * @param bytes the text, one byte per char
     */
    void printBytes(String bytes) {
        flush();
        try {
            raw.write(encode(bytes));
            raw.flush();
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The bytes of byte text: each char up to 0xff as that byte, a longer code point as UTF-8.
     *
     * @param bytes the text
     * @return the bytes
     */
    static byte[] encode(String bytes) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(bytes.length());
        for (int i = 0; i < bytes.length(); ) {
            int cp = bytes.codePointAt(i);
            if (cp <= 0xff) {
                b.write(cp);
            } else {
                b.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
            }
            i += Character.charCount(cp);
        }
        return b.toByteArray();
    }

    /**
     * Writes byte text to a writer: raw when it is a {@link RawPrintWriter}, else as text.
     *
     * @param out the writer
     * @param bytes the text, one byte per char
     */
    static void printBytes(PrintWriter out, String bytes) {
        if (out instanceof RawPrintWriter r) {
            r.printBytes(bytes);
        } else {
            out.print(bytes);
            out.flush();
        }
    }
}
