package gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * The hand-written o200k pre-tokenizer cuts text exactly where jtokkit's regular expression does,
 * and the vocabulary's byte pairs count each piece as jtokkit does, so the log's token counts are
 * jtokkit's, only cheaper: compared on every code point, on a corpus of prose, code, JSON and
 * scripts, on random mixtures of the characters the expression tells apart, on random code points
 * and on long pieces.
 */
class O200kCountTest {
    /** The oracle: jtokkit's own encoding, loaded only by the tests. */
    private static final Encoding JTOKKIT = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    private static final O200kVocabulary VOCABULARY = O200kVocabulary.get();
    /** The expression jtokkit itself uses (read from it, not copied). */
    private static final Pattern EXPRESSION = expression();

    private static Pattern expression() {
        try {
            Field f = JTOKKIT.getClass().getDeclaredField("pattern");
            f.setAccessible(true);
            return (Pattern) f.get(JTOKKIT);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Integer> expressionCuts(String text) {
        List<Integer> cuts = new ArrayList<>();
        Matcher m = EXPRESSION.matcher(text);
        int at = 0;
        while (m.find()) {
            assertThat(m.start()).as("the expression leaves no gap in %s", text).isEqualTo(at);
            at = m.end();
            cuts.add(at);
        }
        return cuts;
    }

    private static List<Integer> scannerCuts(String text) {
        List<Integer> cuts = new ArrayList<>();
        for (int i = 0; i < text.length(); ) {
            i = O200kCount.pieceEnd(text, i);
            cuts.add(i);
        }
        return cuts;
    }

    private static void assertSame(O200kCount counter, String text) {
        assertThat(scannerCuts(text)).as("pieces of %s", escaped(text)).isEqualTo(expressionCuts(text));
        assertThat(counter.count(text)).as("tokens of %s", escaped(text)).isEqualTo(JTOKKIT.countTokensOrdinary(text));
    }

    private static String escaped(String text) {
        StringBuilder b = new StringBuilder();
        text.codePoints().limit(200).forEach(c -> {
            if (c >= 0x20 && c < 0x7f) {
                b.append((char) c);
            } else {
                b.append(String.format("\\u{%x}", c));
            }
        });
        return b.toString();
    }

    private static final String[] CORPUS = {
        "hello", "{\"text\":\"hello\"}", "The quick brown fox jumps over the lazy dog.",
        "I'm sure they'll say it's what we've DONE, isn'T it? You'D think THEY'RE right; Ain'ſ so'Ll 'Ve",
        "don't'", "x's't", "'s", "'re'", "A'S", "HTTPServer parseJSON getHTTPResponseCode iPhone McDonald's ÉCOLE école",
        "  leading and trailing  ", "tabs\there\t\tand\n\nnew\r\nlines\r\r\n  \n  x", "   ", "\n", " \n ", "a  \n\n  b", "x \u00a0 y\u3000z\u2028w\u0085v",
        "numbers 1 12 123 1234 12345 3.14159 -42 1e10 0x1F ١٢٣٤ ½ Ⅻ ²³", "2026-12-07T08:15:00Z", "$100,000.00 (approx.)",
        "/usr/local/bin//x ///\n//\r\n/ a/b", "a!\n/", "!!!\r\n\r\n///", " ?!. ,;", "foo(bar[0], {baz: qux});\n    return x->y;",
        "public static void main(String[] args) { System.out.println(\"hi\"); }",
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}],\"isError\":false}}",
        "Zürich naïve façade coöperate Ærø Ωμέγα Привет мир Ἀθῆναι", "日本語のテキストと漢字、カタカナ。中文文本测试",
        "مرحبا بالعالم، هذا نص عربي مع تشكيل: مُحَمَّد", "हिन्दी में पाठ ক্ষ தமிழ் ไทย ภาษา", "한국어 텍스트 입니다",
        "emoji 😀😃 👍🏽 👨‍👩‍👧 🇩🇪 text", "\uD83D\uDE00a\uD83D", "\uDC00 lone \uD800", "e\u0301 a\u0308\u0308 \u0301x \u20dd",
        "ǅungla ǈ Ǌ ʰʲ ˢ ªº", "ﬁnance ﬂow", "ſ'ſ 's'S", "K'K", "İstanbul ıi", "\u0000\u0001\u007f\u009f\u200b\u200d\ufeff",
        "a\u0345b \u0345", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟘𝟙𝟚", "x".repeat(300), "ab".repeat(200) + " " + "9".repeat(50), " ".repeat(40) + "x",
        "\t \u000b\f\r\n\u001c\u001d\u001e\u001f end",
    };

    @Test
    void aVariedCorpusIsCutAndCountedAsJtokkitDoes() {
        O200kCount counter = new O200kCount(VOCABULARY);
        for (String text : CORPUS) {
            assertSame(counter, text);
            assertSame(counter, text + text); // again, now from memory
        }
    }

    /** Every code point of the first plane (and the others' category edges), alone and between characters that change where a piece ends. */
    @Test
    void everyCodePointIsCutAsTheExpressionCutsIt() {
        O200kCount counter = new O200kCount(VOCABULARY);
        String[][] around = {{"", ""}, {"a", "b"}, {" ", "x"}, {"A", "'s"}, {"x'", ""}, {"!", "\n"}, {"\n", " "}, {"7", "1"}};
        for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
            if (c > 0xffff && Character.getType(c) == Character.getType(c - 1) && c % 61 != 0) {
                continue; // beyond the first plane, a run of one category behaves alike: its edges and a sample are enough
            }
            String s = Character.toString(c);
            for (String[] a : around) {
                String text = a[0] + s + a[1];
                List<Integer> expected = expressionCuts(text);
                if (!scannerCuts(text).equals(expected)) {
                    assertSame(counter, text); // fails with the details
                }
            }
        }
    }

    /** Random mixtures of the characters the expression tells apart, many times over. */
    @Test
    void randomMixturesAreCutAndCountedAsJtokkitDoes() {
        O200kCount counter = new O200kCount(VOCABULARY);
        String[] pool = {"a", "z", "A", "Z", "é", "É", "ǅ", "ʰ", "ª", "日", "ि", "\u0301", "\u20dd", "ſ", "1", "٣", "½", "Ⅻ", " ", "  ",
            "\t", "\n", "\r", "\r\n", "\u00a0", "\u3000", "\u2028", "\u0085", "\u000b", "'", "'s", "'S", "'ll", "'re", "'ve", "'m", "'d",
            "'t", "/", "//", "!", ".", ",", "{", "\"", "-", "_", "😀", "\uD83D", "\uDE00", "\u200d", "\u0000", "the", "The", "THE", "don't",
            "123", "4567"};
        Random random = new Random(16);
        for (int round = 0; round < 30_000; round++) {
            StringBuilder b = new StringBuilder();
            int parts = 1 + random.nextInt(12);
            for (int i = 0; i < parts; i++) {
                b.append(pool[random.nextInt(pool.length)]);
            }
            assertSame(counter, b.toString());
        }
    }

    /** A text longer than the memory holds pieces of is still counted exactly (the memory starts again). */
    @Test
    void aTextWithMorePiecesThanTheMemoryHoldsIsCountedExactly() {
        O200kCount counter = new O200kCount(VOCABULARY);
        Random random = new Random(5);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 3 * O200kCount.REMEMBERED_PIECES; i++) {
            b.append(' ').append(Integer.toString(random.nextInt(1 << 30), 36));
        }
        String text = b.toString();
        assertThat(counter.count(text)).isEqualTo(JTOKKIT.countTokensOrdinary(text));
        assertThat(counter.count(text)).isEqualTo(JTOKKIT.countTokensOrdinary(text));
    }

    /**
     * Pieces of thousands of bytes (a run of punctuation or spaces is one piece, whatever its
     * length) are merged from a heap rather than by looking through all pairs; jtokkit changes its
     * own way at 500 bytes. Each is checked to be one piece (or, for digits, many) and counted as
     * jtokkit counts it.
     */
    @Test
    void longPiecesAreCountedAsJtokkitCountsThem() {
        O200kCount counter = new O200kCount(VOCABULARY);
        Random random = new Random(11);
        StringBuilder punctuation = new StringBuilder();
        String marks = "!\"#$%&()*+,-.:;<=>?@[]^_`{|}~'\\";
        while (punctuation.length() < 12_000) {
            punctuation.append(marks.charAt(random.nextInt(marks.length())));
        }
        StringBuilder base64 = new StringBuilder();
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+/";
        while (base64.length() < 12_000) {
            base64.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        StringBuilder lower = new StringBuilder(); // a word with no capital and no digit: one piece
        while (lower.length() < 8_000) {
            lower.append((char) ('a' + random.nextInt(26)));
        }
        StringBuilder blob = new StringBuilder();
        String withDigits = alphabet + "0123456789";
        while (blob.length() < 12_000) {
            blob.append(withDigits.charAt(random.nextInt(withDigits.length())));
        }
        StringBuilder spaces = new StringBuilder();
        while (spaces.length() < 5_000) {
            spaces.append(" \t\u00a0\u3000".charAt(random.nextInt(4)));
        }
        String[] onePiece = {"!".repeat(20_000), " ".repeat(20_000) + "x", "=".repeat(3_000), "-=".repeat(2_500), "*".repeat(777),
            punctuation.toString(), lower.toString(), "a".repeat(10_000), "ab".repeat(5_000), "e\u0301".repeat(900), spaces + "x", "\t".repeat(4_000) + "x", "?".repeat(2_000) + "\n".repeat(300),
            "ภาษาไทยไม่มีช่องว่างระหว่างคำ".repeat(60), "日本語のテキストと漢字中文文本测试".repeat(80), "😀".repeat(1_500),
            "\uD800!".repeat(3_000), "!".repeat(499), "!".repeat(500), "!".repeat(501),
            "!".repeat(O200kVocabulary.LONG_PIECE_BYTES - 1), "!".repeat(O200kVocabulary.LONG_PIECE_BYTES),
            "!".repeat(O200kVocabulary.LONG_PIECE_BYTES + 1)};
        for (String piece : onePiece) {
            assertThat(scannerCuts(piece).size()).as("%s is one piece", escaped(piece)).isLessThanOrEqualTo(2);
            assertSame(counter, piece);
        }
        assertSame(counter, "1".repeat(20_000)); // digits are cut in threes, however many
        assertSame(counter, base64.toString()); // capitals start new pieces
        assertSame(counter, blob.toString());
        assertSame(counter, "{\"a\":[".repeat(1_000));
        assertSame(counter, "Zz".repeat(700));
        assertSame(counter, "!".repeat(20_000) + " " + " ".repeat(20_000) + base64 + "\n" + punctuation);
    }

    /** Strings of random code points from all over (ASCII, Latin, Greek, Cyrillic, CJK, emoji, marks, anything), short and long. */
    @Test
    void randomCodePointsAreCountedAsJtokkitCountsThem() {
        O200kCount counter = new O200kCount(VOCABULARY);
        int[][] ranges = {{0x20, 0x7e}, {0x0, 0x20}, {0xa0, 0x24f}, {0x370, 0x4ff}, {0x300, 0x36f}, {0x590, 0x6ff}, {0x900, 0xdff},
            {0x3040, 0x30ff}, {0x4e00, 0x9fff}, {0xac00, 0xd7a3}, {0x1f300, 0x1faff}, {0x2000, 0x2bff}, {0xd800, 0xdfff}, {0x0, 0x10ffff}};
        Random random = new Random(23);
        for (int round = 0; round < 3_000; round++) {
            StringBuilder b = new StringBuilder();
            int length = round % 10 == 0 ? 200 + random.nextInt(3_000) : 1 + random.nextInt(40);
            int[] range = ranges[random.nextInt(ranges.length)];
            for (int i = 0; i < length; i++) {
                if (random.nextInt(8) == 0) {
                    range = ranges[random.nextInt(ranges.length)];
                }
                b.appendCodePoint(range[0] + random.nextInt(range[1] - range[0] + 1));
            }
            assertThat(counter.count(b.toString())).as("tokens of %s", escaped(b.toString())).isEqualTo(JTOKKIT.countTokensOrdinary(b.toString()));
        }
    }
}
