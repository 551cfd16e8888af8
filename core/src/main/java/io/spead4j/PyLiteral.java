package io.spead4j;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reader and printer for the small subset of Python literals that numpy headers and format lists use
 * (what {@code ast.literal_eval} accepts of them): dicts, lists, tuples, strings (single or double quoted,
 * adjacent strings concatenated), integers, floats, {@code True}, {@code False}, {@code None}.
 *
 * <p>Values: dict → {@code LinkedHashMap<Object, Object>}, list → {@code List<Object>}, tuple →
 * {@link Tuple}, str → {@code String}, int → {@code Long} (or {@code BigInteger} when it does not fit),
 * float → {@code Double}, bool → {@code Boolean}, None → {@link #NONE}.
 */
final class PyLiteral {
    /** Python's {@code None}. */
    static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    /** A Python tuple. @param items the elements */
    record Tuple(List<Object> items) {
        Tuple {
            items = java.util.Collections.unmodifiableList(new ArrayList<>(items));
        }

        int size() {
            return items.size();
        }

        Object get(int i) {
            return items.get(i);
        }
    }

    private final String text;
    private int pos;

    private PyLiteral(String text) {
        this.text = text;
    }

    /**
     * Parses one literal covering the whole text (surrounding white space allowed).
     *
     * @throws IllegalArgumentException with the position if the text is not such a literal
     */
    static Object parse(String text) {
        PyLiteral p = new PyLiteral(text);
        Object v = p.value(0);
        p.space();
        if (p.pos != text.length()) {
            throw p.error("unexpected text after the literal");
        }
        return v;
    }

    private Object value(int depth) {
        if (depth > 32) {
            throw error("literal nested too deeply");
        }
        space();
        if (pos >= text.length()) {
            throw error("unexpected end of text");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return dict(depth);
            case '[':
                pos++;
                return new ArrayList<>(sequence(']', depth));
            case '(':
                return paren(depth);
            case '\'':
            case '"':
                return strings();
            default:
                break;
        }
        if ((c == 'u' || c == 'U') && pos + 1 < text.length()
                && (text.charAt(pos + 1) == '\'' || text.charAt(pos + 1) == '"')) {
            pos++; // u'...' is an ordinary str in Python 3
            return strings();
        }
        if (Character.isLetter(c) || c == '_') {
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
                pos++;
            }
            String word = text.substring(start, pos);
            return switch (word) {
                case "True" -> Boolean.TRUE;
                case "False" -> Boolean.FALSE;
                case "None" -> NONE;
                default -> {
                    pos = start;
                    throw error("name '" + word + "' is not a literal");
                }
            };
        }
        return number();
    }

    private Map<Object, Object> dict(int depth) {
        pos++;
        Map<Object, Object> map = new LinkedHashMap<>();
        while (true) {
            space();
            if (peek() == '}') {
                pos++;
                return map;
            }
            Object key = value(depth + 1);
            if (key instanceof List<?> || key instanceof Map<?, ?>) {
                throw error("unhashable dict key");
            }
            space();
            if (peek() != ':') {
                throw error("expected ':' in dict");
            }
            pos++;
            Object v = value(depth + 1);
            map.remove(key);
            map.put(key, v);
            space();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c != '}') {
                throw error("expected ',' or '}' in dict");
            }
        }
    }

    private Object paren(int depth) {
        pos++;
        space();
        if (peek() == ')') {
            pos++;
            return new Tuple(List.of());
        }
        Object first = value(depth + 1);
        space();
        if (peek() == ')') {
            pos++;
            return first; // parenthesised expression, not a tuple
        }
        if (peek() != ',') {
            throw error("expected ',' or ')'");
        }
        pos++;
        List<Object> items = new ArrayList<>();
        items.add(first);
        items.addAll(sequence(')', depth));
        return new Tuple(items);
    }

    private List<Object> sequence(char close, int depth) {
        List<Object> items = new ArrayList<>();
        while (true) {
            space();
            if (peek() == close) {
                pos++;
                return items;
            }
            items.add(value(depth + 1));
            space();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c != close) {
                throw error("expected ',' or '" + close + "'");
            }
        }
    }

    private String strings() {
        StringBuilder sb = new StringBuilder();
        do {
            string(sb);
            space();
        } while (pos < text.length() && (peek() == '\'' || peek() == '"'));
        return sb.toString();
    }

    private void string(StringBuilder sb) {
        char quote = text.charAt(pos++);
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == quote) {
                return;
            }
            if (c == '\n') {
                throw error("newline in string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case '0' -> sb.append('\0');
                case '\\', '\'', '"' -> sb.append(e);
                case 'x' -> {
                    if (pos + 2 > text.length()) {
                        throw error("truncated \\x escape");
                    }
                    sb.append((char) Integer.parseInt(text.substring(pos, pos + 2), 16));
                    pos += 2;
                }
                default -> sb.append('\\').append(e);
            }
        }
    }

    private Object number() {
        int start = pos;
        if (peek() == '-' || peek() == '+') {
            pos++;
        }
        boolean isFloat = false;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (Character.isDigit(c) || c == '_') {
                pos++;
            } else if (c == '.' || c == 'e' || c == 'E') {
                isFloat = true;
                pos++;
                if ((c == 'e' || c == 'E') && pos < text.length() && (peek() == '-' || peek() == '+')) {
                    pos++;
                }
            } else {
                break;
            }
        }
        String s = text.substring(start, pos).replace("_", "");
        if (s.isEmpty() || s.equals("-") || s.equals("+")) {
            pos = start;
            throw error("unexpected character '" + text.charAt(start) + "'");
        }
        try {
            if (isFloat) {
                return Double.parseDouble(s);
            }
            BigInteger big = new BigInteger(s);
            return big.bitLength() < 64 ? (Object) big.longValue() : big;
        } catch (NumberFormatException e) {
            pos = start;
            throw error("invalid number '" + s + "'");
        }
    }

    private char peek() {
        if (pos >= text.length()) {
            throw error("unexpected end of text");
        }
        return text.charAt(pos);
    }

    private void space() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException error(String why) {
        return new IllegalArgumentException("cannot parse Python literal " + repr(text) + ": " + why
                + " at offset " + pos);
    }

    /** {@return Python's {@code repr} of a value returned by {@link #parse} (strings single-quoted)} */
    static String repr(Object v) {
        if (v instanceof String s) {
            StringBuilder sb = new StringBuilder("'");
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '\'' -> sb.append("\\'");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\t' -> sb.append("\\t");
                    case '\r' -> sb.append("\\r");
                    default -> {
                        if (c < 0x20 || c == 0x7f) {
                            sb.append(String.format("\\x%02x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            return sb.append('\'').toString();
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof Tuple t) {
            if (t.size() == 1) {
                return "(" + repr(t.get(0)) + ",)";
            }
            return join("(", t.items(), ")");
        }
        if (v instanceof List<?> l) {
            return join("[", l, "]");
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                sb.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
            }
            return sb.append('}').toString();
        }
        return String.valueOf(v);
    }

    private static String join(String open, List<?> items, String close) {
        StringBuilder sb = new StringBuilder(open);
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(repr(items.get(i)));
        }
        return sb.append(close).toString();
    }
}
