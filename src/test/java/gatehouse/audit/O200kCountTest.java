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
 * so the log's token counts are the same as before, only cheaper: compared on every code point,
 * on a corpus of prose, code, JSON and scripts, and on random mixtures of the characters the
 * expression tells apart.
 */
class O200kCountTest {
    private static final Encoding JTOKKIT = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
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
        O200kCount counter = new O200kCount(JTOKKIT);
        for (String text : CORPUS) {
            assertSame(counter, text);
            assertSame(counter, text + text); // again, now from memory
        }
    }

    /** Every code point of the first plane (and the others' category edges), alone and between characters that change where a piece ends. */
    @Test
    void everyCodePointIsCutAsTheExpressionCutsIt() {
        O200kCount counter = new O200kCount(JTOKKIT);
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
        O200kCount counter = new O200kCount(JTOKKIT);
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
        O200kCount counter = new O200kCount(JTOKKIT);
        Random random = new Random(5);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 3 * O200kCount.REMEMBERED_PIECES; i++) {
            b.append(' ').append(Integer.toString(random.nextInt(1 << 30), 36));
        }
        String text = b.toString();
        assertThat(counter.count(text)).isEqualTo(JTOKKIT.countTokensOrdinary(text));
        assertThat(counter.count(text)).isEqualTo(JTOKKIT.countTokensOrdinary(text));
    }
}
