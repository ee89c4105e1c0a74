package io.stepwise.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Unstructured mutations, in the spirit of libFuzzer's: flip bits, overwrite with interesting integers, insert,
 * delete, duplicate and truncate ranges; and for text, insert tokens that trouble parsers (NaN, 1e309, quotes,
 * NUL, invalid UTF-8, a BOM, a very long line or number, many columns, a line repeated many times). Each applied
 * mutation is named in {@code log}.
 */
final class ByteMutator {
    private static final long[] INTERESTING = {0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
        Integer.MAX_VALUE, Integer.MIN_VALUE, 0xffffffffL, 1L << 31, 1L << 32, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE};
    private static final List<String> TOKENS = List.of("NaN", "nan", "Infinity", "-Infinity", "1e309", "-1e309",
            "1e-400", "0x1p3", "\"", "\"\"", ",", ",,,,,,,,", ";", "\t", "\r", "\r\n", "\u0000", "\uFEFF", "-", "+",
            ".", "e", "1.2.3", "99999999999999999999999999", "-0", "2020-13-45", "\u00e9", "\uD83D\uDE00", " ",
            "\n\n\n", "date,value", "value");
    /** Largest case a text mutation produces: big enough to stress a reader, small enough for the parent. */
    static final int MAX_TEXT_BYTES = 8 << 20;

    private final Random random;
    private final List<String> log;

    ByteMutator(Random random, List<String> log) {
        this.random = random;
        this.log = log;
    }

    /** Applies 1–4 binary mutations. */
    byte[] mutateBytes(byte[] input) {
        byte[] b = input;
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            b = switch (random.nextInt(6)) {
                case 0 -> flip(b);
                case 1 -> interesting(b);
                case 2 -> delete(b);
                case 3 -> duplicate(b);
                case 4 -> insertRandom(b);
                default -> truncate(b);
            };
        }
        return b;
    }

    /** Applies 1–4 text mutations (and sometimes a binary one). */
    byte[] mutateText(byte[] input) {
        byte[] b = input;
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            b = switch (random.nextInt(9)) {
                case 0 -> insertToken(b);
                case 1 -> insertToken(b);
                case 2 -> replaceNumber(b);
                case 3 -> longLine(b);
                case 4 -> repeatLines(b);
                case 5 -> invalidUtf8(b);
                case 6 -> deleteLines(b);
                case 7 -> manyColumns(b);
                default -> mutateBytes(b);
            };
            if (b.length > MAX_TEXT_BYTES) {
                b = Arrays.copyOf(b, MAX_TEXT_BYTES);
                log.add("capped");
            }
        }
        return b;
    }

    private int at(byte[] b) {
        return b.length == 0 ? 0 : random.nextInt(b.length);
    }

    private byte[] flip(byte[] b) {
        if (b.length == 0) {
            return b;
        }
        byte[] c = b.clone();
        int flips = 1 + random.nextInt(8);
        for (int i = 0; i < flips; i++) {
            int p = at(c);
            c[p] ^= (byte) (1 << random.nextInt(8));
        }
        log.add("flip" + flips);
        return c;
    }

    private byte[] interesting(byte[] b) {
        int width = random.nextBoolean() ? 4 : 8;
        if (b.length < width) {
            return b;
        }
        byte[] c = b.clone();
        int p = random.nextInt(c.length - width + 1);
        long v = INTERESTING[random.nextInt(INTERESTING.length)];
        for (int i = 0; i < width; i++) {
            c[p + i] = (byte) (v >>> (8 * i));
        }
        log.add("int" + width + "@" + p);
        return c;
    }

    private byte[] delete(byte[] b) {
        if (b.length < 2) {
            return b;
        }
        int p = at(b);
        int len = 1 + random.nextInt(Math.min(64, b.length - p));
        log.add("delete" + len + "@" + p);
        return splice(b, p, len, new byte[0]);
    }

    private byte[] duplicate(byte[] b) {
        if (b.length == 0) {
            return b;
        }
        int p = at(b);
        int len = 1 + random.nextInt(Math.min(256, b.length - p));
        int copies = random.nextInt(8) == 0 ? 1 + random.nextInt(200) : 1;
        byte[] chunk = Arrays.copyOfRange(b, p, p + len);
        ByteArrayOutputStream insert = new ByteArrayOutputStream();
        for (int i = 0; i < copies; i++) {
            insert.writeBytes(chunk);
        }
        log.add("dup" + len + "x" + copies + "@" + p);
        return splice(b, at(b), 0, insert.toByteArray());
    }

    private byte[] insertRandom(byte[] b) {
        byte[] chunk = new byte[1 + random.nextInt(16)];
        random.nextBytes(chunk);
        log.add("insert" + chunk.length);
        return splice(b, at(b), 0, chunk);
    }

    private byte[] truncate(byte[] b) {
        if (b.length < 2) {
            return b;
        }
        int keep = random.nextInt(b.length);
        log.add("truncate" + keep);
        return Arrays.copyOf(b, keep);
    }

    private byte[] insertToken(byte[] b) {
        String t = TOKENS.get(random.nextInt(TOKENS.size()));
        log.add("token");
        return splice(b, at(b), random.nextInt(3), t.getBytes(StandardCharsets.UTF_8));
    }

    private byte[] replaceNumber(byte[] b) {
        String s = new String(b, StandardCharsets.UTF_8);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-?\\d+(\\.\\d+)?").matcher(s);
        List<int[]> spans = new java.util.ArrayList<>();
        while (m.find() && spans.size() < 10_000) {
            spans.add(new int[] {m.start(), m.end()});
        }
        if (spans.isEmpty()) {
            return b;
        }
        int[] span = spans.get(random.nextInt(spans.size()));
        String v = switch (random.nextInt(6)) {
            case 0 -> Long.toString(INTERESTING[random.nextInt(INTERESTING.length)]);
            case 1 -> "1e" + (random.nextInt(700) - 350);
            case 2 -> "NaN";
            case 3 -> "";
            case 4 -> "9".repeat(1 + random.nextInt(400));
            default -> Double.toString(random.nextGaussian() * 1e6);
        };
        log.add("number");
        return (s.substring(0, span[0]) + v + s.substring(span[1])).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] longLine(byte[] b) {
        int len = 1 << (10 + random.nextInt(11));
        String fill = random.nextBoolean() ? "7" : "a";
        log.add("longline" + len);
        return splice(b, at(b), 0, fill.repeat(len).getBytes(StandardCharsets.UTF_8));
    }

    private byte[] repeatLines(byte[] b) {
        String s = new String(b, StandardCharsets.UTF_8);
        int nl = s.indexOf('\n', s.length() / 2);
        if (nl < 0) {
            return b;
        }
        int start = s.lastIndexOf('\n', nl - 1) + 1;
        String line = s.substring(start, nl + 1);
        int copies = Math.min(1 << random.nextInt(15), MAX_TEXT_BYTES / Math.max(1, line.length()));
        log.add("repeat" + copies);
        return (s.substring(0, nl + 1) + line.repeat(copies) + s.substring(nl + 1)).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] invalidUtf8(byte[] b) {
        byte[][] bad = {{(byte) 0xc3, 0x28}, {(byte) 0xff}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
            {(byte) 0xf0, (byte) 0x28, (byte) 0x8c}, {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}};
        log.add("utf8");
        return splice(b, at(b), 0, bad[random.nextInt(bad.length)]);
    }

    private byte[] deleteLines(byte[] b) {
        String s = new String(b, StandardCharsets.UTF_8);
        String[] lines = s.split("\n", -1);
        if (lines.length < 2) {
            return b;
        }
        int from = random.nextInt(lines.length);
        int to = Math.min(lines.length, from + 1 + random.nextInt(lines.length));
        log.add("deletelines" + (to - from));
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i < from || i >= to) {
                out.append(lines[i]).append(i + 1 < lines.length ? "\n" : "");
            }
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private byte[] manyColumns(byte[] b) {
        int n = 1 << random.nextInt(16);
        log.add("columns" + n);
        return splice(b, at(b), 0, ",1".repeat(n).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        int cut = Math.min(remove, b.length - at);
        byte[] out = new byte[b.length - cut + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + cut, out, at + insert.length, b.length - at - cut);
        return out;
    }
}
